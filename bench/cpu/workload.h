/*
 * workload.h - interface of the godwit CPU benchmark workloads. The workload
 * sources are portable C compiled twice: for the riscv64 bare-metal guest
 * (main.c) and natively for the host (host_expect.c), whose result is the
 * checksum the guest must reproduce.
 */
#ifndef GODWIT_BENCH_WORKLOAD_H
#define GODWIT_BENCH_WORKLOAD_H

#include <stdint.h>

/*
 * CoreMark-like CPU mix: integer arithmetic, linked lists, integer matrix
 * multiply, a state machine over a byte string, CRC, a branchy bytecode
 * interpreter with calls through a function table, memory copies.
 * `iters` rounds; every round depends on the previous one.
 */
uint64_t cpu_workload(uint32_t seed, uint32_t iters);

/*
 * Store-heavy mix over `words` 64-bit words at `mem` (a power of two, at least
 * 4096 words): a sequential fill, then `passes` rounds of page-strided,
 * cache-line-strided and sequential stores; returns a hash of the final
 * contents of the whole region.
 */
uint64_t store_workload(uint64_t *mem, uint64_t words, uint32_t passes,
			uint32_t seed);

#endif
