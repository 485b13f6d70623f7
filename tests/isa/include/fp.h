/*
 * fp.h - floating-point case macros (include after test.h).
 * Operands and results are bit patterns. Every case sets frm (so a static
 * rounding mode is checked against a different dynamic one), clears
 * fflags, runs the instruction with fa1/fa2/fa3 as sources and fa0 (or a0)
 * as destination, then checks the result bits and the exact fflags value.
 * Single-precision results must also be NaN-boxed (upper 32 bits all ones).
 */
#ifndef ISA_FP_H
#define ISA_FP_H

.macro FLOAD_S freg, val
	li	t0, \val
	fmv.w.x	\freg, t0
.endm
.macro FLOAD_D freg, val
	li	t0, \val
	fmv.d.x	\freg, t0
.endm
/* fa0 holds a single: boxed, bits == exp; fflags == flags */
.macro FCHECK_S exp, flags
	csrr	a1, fflags
	fmv.x.d	a2, fa0
	srli	a3, a2, 32
	ASSERT_EQ a3, 0xffffffff
	slli	a2, a2, 32
	srli	a2, a2, 32
	ASSERT_EQ a2, \exp
	ASSERT_EQ a1, \flags
.endm
.macro FCHECK_D exp, flags
	csrr	a1, fflags
	fmv.x.d	a2, fa0
	ASSERT_EQ a2, \exp
	ASSERT_EQ a1, \flags
.endm
/* a0 == exp (64-bit), fflags == flags */
.macro XCHECK exp, flags
	csrr	a1, fflags
	ASSERT_EQ a0, \exp
	ASSERT_EQ a1, \flags
.endm
.macro FPRE n, frm
	TEST_CASE \n
	csrwi	frm, \frm
	csrwi	fflags, 0
.endm

/* arithmetic with a rounding mode: FPS<nargs> / FPD<nargs> */
.macro FPS1 n, inst, rm, frm, flags, exp, a
	FLOAD_S	fa1, \a
	FPRE	\n, \frm
	\inst	fa0, fa1, \rm
	FCHECK_S \exp, \flags
.endm
.macro FPS2 n, inst, rm, frm, flags, exp, a, b
	FLOAD_S	fa1, \a
	FLOAD_S	fa2, \b
	FPRE	\n, \frm
	\inst	fa0, fa1, fa2, \rm
	FCHECK_S \exp, \flags
.endm
.macro FPS3 n, inst, rm, frm, flags, exp, a, b, c
	FLOAD_S	fa1, \a
	FLOAD_S	fa2, \b
	FLOAD_S	fa3, \c
	FPRE	\n, \frm
	\inst	fa0, fa1, fa2, fa3, \rm
	FCHECK_S \exp, \flags
.endm
.macro FPD1 n, inst, rm, frm, flags, exp, a
	FLOAD_D	fa1, \a
	FPRE	\n, \frm
	\inst	fa0, fa1, \rm
	FCHECK_D \exp, \flags
.endm
.macro FPD2 n, inst, rm, frm, flags, exp, a, b
	FLOAD_D	fa1, \a
	FLOAD_D	fa2, \b
	FPRE	\n, \frm
	\inst	fa0, fa1, fa2, \rm
	FCHECK_D \exp, \flags
.endm
.macro FPD3 n, inst, rm, frm, flags, exp, a, b, c
	FLOAD_D	fa1, \a
	FLOAD_D	fa2, \b
	FLOAD_D	fa3, \c
	FPRE	\n, \frm
	\inst	fa0, fa1, fa2, fa3, \rm
	FCHECK_D \exp, \flags
.endm

/* two sources, no rounding mode (min/max/sign injection): fp result */
.macro FPS2N n, inst, flags, exp, a, b
	FLOAD_S	fa1, \a
	FLOAD_S	fa2, \b
	FPRE	\n, 0
	\inst	fa0, fa1, fa2
	FCHECK_S \exp, \flags
.endm
.macro FPD2N n, inst, flags, exp, a, b
	FLOAD_D	fa1, \a
	FLOAD_D	fa2, \b
	FPRE	\n, 0
	\inst	fa0, fa1, fa2
	FCHECK_D \exp, \flags
.endm
/* compares: integer result */
.macro FCMPS n, inst, flags, exp, a, b
	FLOAD_S	fa1, \a
	FLOAD_S	fa2, \b
	FPRE	\n, 0
	\inst	a0, fa1, fa2
	XCHECK	\exp, \flags
.endm
.macro FCMPD n, inst, flags, exp, a, b
	FLOAD_D	fa1, \a
	FLOAD_D	fa2, \b
	FPRE	\n, 0
	\inst	a0, fa1, fa2
	XCHECK	\exp, \flags
.endm
/* fclass */
.macro FCLASSS n, exp, a
	FLOAD_S	fa1, \a
	FPRE	\n, 0
	fclass.s a0, fa1
	XCHECK	\exp, 0
.endm
.macro FCLASSD n, exp, a
	FLOAD_D	fa1, \a
	FPRE	\n, 0
	fclass.d a0, fa1
	XCHECK	\exp, 0
.endm
/* fp -> int: a0 = inst fa1, rm */
.macro FCVTIS n, inst, rm, frm, flags, exp, a
	FLOAD_S	fa1, \a
	FPRE	\n, \frm
	\inst	a0, fa1, \rm
	XCHECK	\exp, \flags
.endm
.macro FCVTID n, inst, rm, frm, flags, exp, a
	FLOAD_D	fa1, \a
	FPRE	\n, \frm
	\inst	a0, fa1, \rm
	XCHECK	\exp, \flags
.endm
/* int -> fp: fa0 = inst a1, rm */
.macro FCVTSI n, inst, rm, frm, flags, exp, a
	li	a1, \a
	FPRE	\n, \frm
	\inst	fa0, a1, \rm
	FCHECK_S \exp, \flags
.endm
.macro FCVTDI n, inst, rm, frm, flags, exp, a
	li	a1, \a
	FPRE	\n, \frm
	\inst	fa0, a1, \rm
	FCHECK_D \exp, \flags
.endm
/* int -> double from 32 bits (always exact: no rm operand) */
.macro FCVTDIX n, inst, flags, exp, a
	li	a1, \a
	FPRE	\n, 0
	\inst	fa0, a1
	FCHECK_D \exp, \flags
.endm
/* double -> single and single -> double */
.macro FCVTSD n, rm, frm, flags, exp, a
	FLOAD_D	fa1, \a
	FPRE	\n, \frm
	fcvt.s.d fa0, fa1, \rm
	FCHECK_S \exp, \flags
.endm
.macro FCVTDS n, flags, exp, a
	FLOAD_S	fa1, \a
	FPRE	\n, 0
	fcvt.d.s fa0, fa1
	FCHECK_D \exp, \flags
.endm

#endif
