/*
 * par.c - the parallel benchmark: the workloads of bench/cpu (work_cpu.c,
 * work_store.c) with a fixed amount of work split evenly over every hart of
 * the board (counted in the device tree), so the wall time on 1 and on 2
 * harts gives the speedup. Built twice (Makefile, bench/smp.sh):
 *
 *   PAR_CPU    CPU_ITERS rounds of cpu_workload in all, split over the
 *              harts; work_cpu.c keeps its state in file-static variables,
 *              so it is compiled once per hart (cpu_workload_h0..3), each
 *              copy with state of its own;
 *   PAR_STORE  STORE_PASSES passes of store_workload, each hart over its
 *              share of the 64 MiB region.
 *
 * Each hart adds its result to a shared checksum (amoadd) and counts
 * itself done; hart 0 waits for all, prints "par: harts N checksum X" on
 * the UART and powers off through the SiFive test finisher. The checksum
 * depends on the work only (not on timing), so godwit's must equal QEMU's
 * for the same hart count.
 */
#include <stdint.h>

#include "params.h"
#include "workload.h"

#define MAX_HARTS 8
#define PAR_COPIES 4 /* harts that run the CPU workload (more wait) */
#define UART 0x10000000ul
#define FINISHER 0x100000ul

uint64_t cpu_workload_h0(uint32_t seed, uint32_t iters);
uint64_t cpu_workload_h1(uint32_t seed, uint32_t iters);
uint64_t cpu_workload_h2(uint32_t seed, uint32_t iters);
uint64_t cpu_workload_h3(uint32_t seed, uint32_t iters);

static volatile uint32_t n_harts, go, done;
static volatile uint64_t checksum;
#ifndef PAR_CPU
static uint64_t region[STORE_WORDS] __attribute__((aligned(4096)));
#endif

static void putc_uart(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)UART;

	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)c;
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void puthex(uint64_t v)
{
	for (int i = 60; i >= 0; i -= 4)
		putc_uart("0123456789abcdef"[(v >> i) & 15]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* cpu@ nodes under /cpus (1 if the tree cannot be read) */
static uint32_t count_cpus(const uint8_t *fdt)
{
	uint32_t off, end, count = 0;
	int depth = 0, in_cpus = 0;

	if (!fdt || be32(fdt) != 0xd00dfeedu)
		return 1;
	off = be32(fdt + 8);
	end = off + be32(fdt + 36);
	while (off + 4 <= end) {
		uint32_t tok = be32(fdt + off);

		off += 4;
		if (tok == 1) {
			const char *name = (const char *)fdt + off;
			uint32_t len = 0;

			while (name[len])
				len++;
			depth++;
			if (depth == 2)
				in_cpus = len == 4 && name[0] == 'c' && name[1] == 'p' &&
					  name[2] == 'u' && name[3] == 's';
			else if (depth == 3 && in_cpus && name[0] == 'c' && name[3] == '@')
				count++;
			off += (len + 4) & ~3u;
		} else if (tok == 2) {
			depth--;
		} else if (tok == 3) {
			off += 8 + ((be32(fdt + off) + 3) & ~3u);
		} else if (tok == 9) {
			break;
		} else if (tok != 4) {
			return 1;
		}
	}
	return count ? count : 1;
}

#ifdef PAR_CPU
static uint64_t (*const cpu_work[PAR_COPIES])(uint32_t, uint32_t) = {
	cpu_workload_h0, cpu_workload_h1, cpu_workload_h2, cpu_workload_h3,
};

static uint64_t work(uint32_t id)
{
	return cpu_work[id](BENCH_SEED + id, CPU_ITERS / n_harts + (id < CPU_ITERS % n_harts));
}
#else
static uint64_t work(uint32_t id)
{
	uint64_t words = STORE_WORDS / n_harts;

	return store_workload(region + words * id, words, STORE_PASSES, BENCH_SEED + id);
}
#endif

void main(unsigned long hartid, const uint8_t *fdt);

void main(unsigned long hartid, const uint8_t *fdt)
{
	uint32_t id = (uint32_t)hartid;
	uint64_t r;

	if (id == 0) {
		n_harts = count_cpus(fdt);
#ifdef PAR_CPU
		if (n_harts > PAR_COPIES)
			n_harts = PAR_COPIES;
#endif
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
			;
	}
	if (id >= n_harts)
		for (;;)
			__asm__ volatile("wfi");
	r = work(id);
	__atomic_fetch_add(&checksum, r, __ATOMIC_RELAXED);
	__atomic_fetch_add(&done, 1, __ATOMIC_RELEASE);
	if (id != 0)
		for (;;)
			__asm__ volatile("wfi");
	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) != n_harts)
		;
	puts_uart("par: harts ");
	putc_uart((char)('0' + n_harts));
	puts_uart(" checksum ");
	puthex(checksum);
	putc_uart('\n');
	*(volatile uint32_t *)FINISHER = 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}
