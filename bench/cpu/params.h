/*
 * params.h - default workload parameters of the godwit CPU benchmark; the
 * Makefile overrides them with -D so the guest ELFs and the host build that
 * computes the expected checksums always agree.
 */
#ifndef GODWIT_BENCH_PARAMS_H
#define GODWIT_BENCH_PARAMS_H

#ifndef BENCH_SEED
#define BENCH_SEED 0x2545F491u
#endif
#ifndef CPU_ITERS
#define CPU_ITERS 9000u
#endif
#ifndef STORE_PASSES
#define STORE_PASSES 40u
#endif
#ifndef STORE_MIB
#define STORE_MIB 64u
#endif

/* The guest's store region (link.ld) is 64 MiB; the workload needs 2^n. */
_Static_assert(STORE_MIB >= 1 && STORE_MIB <= 64 &&
	       (STORE_MIB & (STORE_MIB - 1)) == 0,
	       "STORE_MIB must be a power of two, 1..64");

#define STORE_WORDS ((uint64_t)STORE_MIB * 1024 * 1024 / 8)

#endif
