/*
 * work_store.c - the store-heavy workload of the godwit CPU benchmark, to
 * measure the cost of dirty-page tracking: a sequential fill of the whole
 * region, then rounds of page-strided stores (every 4 KiB page touched, page
 * order permuted, TLB-hostile), cache-line-strided stores over the whole
 * region and a sequential sweep over a moving quarter of it. The result is a
 * hash of the final contents, so every store is checked.
 *
 * Portable C: the host build (over a malloc'd buffer) computes the checksum
 * the guest must reproduce.
 */
#include <stdint.h>

#include "workload.h"

#define PAGE_WORDS 512u		/* 4 KiB */
#define LINE_WORDS 8u		/* 64 bytes */

uint64_t store_workload(uint64_t *mem, uint64_t words, uint32_t passes,
			uint32_t seed)
{
	const uint64_t pages = words / PAGE_WORDS, wmask = words - 1;
	uint64_t x = (uint64_t)seed * 0x9E3779B97F4A7C15ull | 1;
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint64_t i = 0; i < words; i++)
		mem[i] = i * 0x9E3779B97F4A7C15ull ^ x;

	for (uint32_t p = 0; p < passes; p++) {
		uint64_t v = x + p * 0x100000001b3ull;
		/* Odd step: k * step mod pages is a permutation of the pages. */
		uint64_t step = 2 * (uint64_t)(p + (seed >> 1)) * 17 + 1;
		uint64_t start = ((uint64_t)p * words / 8) & wmask;

		for (uint64_t line = 0; line < PAGE_WORDS / LINE_WORDS; line += 4)
			for (uint64_t k = 0; k < pages; k++) {
				uint64_t pg = (k * step) & (pages - 1);

				mem[pg * PAGE_WORDS + line * LINE_WORDS + (p & 7)] = v ^ k;
			}

		for (uint64_t i = p & 7; i < words; i += LINE_WORDS)
			mem[i] = v + i;

		for (uint64_t i = 0; i < words / 4; i++)
			mem[(start + i) & wmask] = v ^ (i << 3);
	}

	for (uint64_t i = 0; i < words; i++)
		h = (h ^ mem[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}
