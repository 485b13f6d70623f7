/*
 * fpu.h - IEEE 754 binary32/binary64 arithmetic in software, exactly as the
 * RISC-V F and D extensions specify it.
 *
 * Every operation works on raw bit patterns (uint32_t for single, uint64_t
 * for double), takes a RISC-V rounding mode (already resolved: never DYN)
 * and ORs the exception flags it raises into *flags (RISC-V fflags bits).
 * Nothing here touches the host FPU or its rounding state, so results are
 * the same on every host and in every build.
 *
 * Invariants the callers rely on:
 *  - NaN results are always the canonical NaN (0x7fc00000 / 0x7ff8000000000000).
 *  - Tininess is detected after rounding, as RISC-V requires.
 *  - NaN boxing of singles in 64-bit registers is the caller's job.
 */
#ifndef GODWIT_CPU_FPU_H
#define GODWIT_CPU_FPU_H

#include <stdint.h>

enum fpu_rm {
	FPU_RNE = 0, /* round to nearest, ties to even */
	FPU_RTZ = 1, /* toward zero */
	FPU_RDN = 2, /* down (toward -inf) */
	FPU_RUP = 3, /* up (toward +inf) */
	FPU_RMM = 4, /* round to nearest, ties to max magnitude */
};

#define FPU_NX 0x01u /* inexact */
#define FPU_UF 0x02u /* underflow */
#define FPU_OF 0x04u /* overflow */
#define FPU_DZ 0x08u /* divide by zero */
#define FPU_NV 0x10u /* invalid operation */

#define FPU_QNAN_S 0x7fc00000u
#define FPU_QNAN_D 0x7ff8000000000000ull

/* Arithmetic. fma computes a*b+c with a single rounding; the four RISC-V
 * fused forms are built by the caller by flipping sign bits of a and c. */
uint32_t fpu_add_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_sub_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_mul_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_div_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_sqrt_s(uint32_t a, int rm, uint32_t *flags);
uint32_t fpu_fma_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags);

uint64_t fpu_add_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_sub_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_mul_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_div_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_sqrt_d(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_fma_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags);

/* FMIN/FMAX (IEEE 754-2019 minimumNumber/maximumNumber: -0 < +0, one NaN
 * operand yields the other, two NaNs yield the canonical NaN, a signaling
 * NaN input raises NV). */
uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *flags);
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *flags);
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *flags);
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *flags);

/* Comparisons return 0 or 1. eq is quiet (NV only for signaling NaN);
 * lt and le are signaling (NV for any NaN). */
int fpu_eq_s(uint32_t a, uint32_t b, uint32_t *flags);
int fpu_lt_s(uint32_t a, uint32_t b, uint32_t *flags);
int fpu_le_s(uint32_t a, uint32_t b, uint32_t *flags);
int fpu_eq_d(uint64_t a, uint64_t b, uint32_t *flags);
int fpu_lt_d(uint64_t a, uint64_t b, uint32_t *flags);
int fpu_le_d(uint64_t a, uint64_t b, uint32_t *flags);

/* FCLASS: the 10-bit RISC-V class mask. */
uint32_t fpu_class_s(uint32_t a);
uint32_t fpu_class_d(uint64_t a);

/* Conversions between formats. */
uint64_t fpu_s_to_d(uint32_t a, uint32_t *flags);
uint32_t fpu_d_to_s(uint64_t a, int rm, uint32_t *flags);

/* Float to integer: out-of-range and NaN inputs saturate as the RISC-V
 * table says (NaN -> max positive) and raise NV; inexact raises NX. The
 * 32-bit results are returned as the 32-bit value (caller sign-extends). */
int32_t fpu_s_to_i32(uint32_t a, int rm, uint32_t *flags);
uint32_t fpu_s_to_u32(uint32_t a, int rm, uint32_t *flags);
int64_t fpu_s_to_i64(uint32_t a, int rm, uint32_t *flags);
uint64_t fpu_s_to_u64(uint32_t a, int rm, uint32_t *flags);
int32_t fpu_d_to_i32(uint64_t a, int rm, uint32_t *flags);
uint32_t fpu_d_to_u32(uint64_t a, int rm, uint32_t *flags);
int64_t fpu_d_to_i64(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_d_to_u64(uint64_t a, int rm, uint32_t *flags);

/* Integer to float. */
uint32_t fpu_i32_to_s(int32_t a, int rm, uint32_t *flags);
uint32_t fpu_u32_to_s(uint32_t a, int rm, uint32_t *flags);
uint32_t fpu_i64_to_s(int64_t a, int rm, uint32_t *flags);
uint32_t fpu_u64_to_s(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_i32_to_d(int32_t a, int rm, uint32_t *flags);
uint64_t fpu_u32_to_d(uint32_t a, int rm, uint32_t *flags);
uint64_t fpu_i64_to_d(int64_t a, int rm, uint32_t *flags);
uint64_t fpu_u64_to_d(uint64_t a, int rm, uint32_t *flags);

#endif
