/*
 * test.h - macros for the assembly ISA tests (include from a .S file).
 *
 * Conventions: a test defines `test_main` (in .text), runs numbered cases
 * and ends with `j test_pass`. gp holds the current case number (set by
 * TEST_CASE) and is reported by test_fail; t5/t6 are scratch registers of
 * these macros; sp is the stack; everything else is free.
 * Case numbers must be in 1..254 (QEMU's HTIF exit status only keeps the
 * low 8 bits of the case number; 255 means "no case").
 */
#ifndef ISA_TEST_H
#define ISA_TEST_H
#include "encoding.h"

#define TEST_BEGIN	.text; .globl test_main; test_main:
#define TEST_END	j test_pass

/* ---- cases and plain checks ---- */
.macro TEST_CASE n
	.if (\n < 1) || (\n > 254)
	.error "case number out of range 1..254"
	.endif
	li	gp, \n
.endm

/* fail the current case unless reg == imm (64-bit constant) */
.macro ASSERT_EQ reg, val
	li	t6, \val
	beq	\reg, t6, .Lok\@
	j	test_fail
.Lok\@:
.endm
.macro ASSERT_NE reg, val
	li	t6, \val
	bne	\reg, t6, .Lok\@
	j	test_fail
.Lok\@:
.endm
/* fail unless reg1 == reg2 */
.macro ASSERT_REQ r1, r2
	beq	\r1, \r2, .Lok\@
	j	test_fail
.Lok\@:
.endm
/* fail unless the 64-bit word at symbol == val */
.macro ASSERT_MEM sym, val
	la	t5, \sym
	ld	t5, 0(t5)
	ASSERT_EQ t5, \val
.endm
/* fail unless (reg & mask) == val */
.macro ASSERT_MASKED reg, mask, val
	li	t6, \mask
	and	t6, \reg, t6
	li	t5, \val
	beq	t5, t6, .Lok\@
	j	test_fail
.Lok\@:
.endm
/* fail unless csr == val (reads into t5) */
.macro ASSERT_CSR csr, val
	csrr	t5, \csr
	ASSERT_EQ t5, \val
.endm

/* ---- operation cases: a0 = result, a1/a2/a3 = operands ---- */
.macro TEST_RR n, op, exp, v1, v2
	TEST_CASE \n
	li	a1, \v1
	li	a2, \v2
	\op	a0, a1, a2
	ASSERT_EQ a0, \exp
.endm
.macro TEST_RI n, op, exp, v1, imm
	TEST_CASE \n
	li	a1, \v1
	\op	a0, a1, \imm
	ASSERT_EQ a0, \exp
.endm
/* same, with rd == rs1 */
.macro TEST_RI_SAME n, op, exp, v1, imm
	TEST_CASE \n
	li	a0, \v1
	\op	a0, a0, \imm
	ASSERT_EQ a0, \exp
.endm
.macro TEST_RR_SAME n, op, exp, v1
	TEST_CASE \n
	li	a0, \v1
	\op	a0, a0, a0
	ASSERT_EQ a0, \exp
.endm

/* ---- traps ---- */
/* allow `count` traps from now on and forget the last recorded cause */
.macro EXPECT_TRAP count=1
	la	t6, trap_info
	li	t5, \count
	sd	t5, 0(t6)		/* trap_expect */
	li	t5, TRAP_NONE
	sd	t5, 16(t6)		/* trap_cause */
	sd	t5, 24(t6)		/* trap_prev_cause */
	sd	zero, 32(t6)		/* trap_tval */
	li	t5, -1
	sd	t5, 40(t6)		/* trap_epc */
.endm
/* after EXPECT_TRAP: every allowed trap happened and the last had `cause` */
.macro CHECK_TRAP cause
	ASSERT_MEM trap_expect, 0
	ASSERT_MEM trap_cause, \cause
.endm
/* after EXPECT_TRAP: no trap happened (clears the allowance) */
.macro CHECK_NO_TRAP count=1
	ASSERT_MEM trap_expect, \count
	la	t6, trap_expect
	sd	zero, 0(t6)
.endm
.macro CHECK_TVAL val
	ASSERT_MEM trap_tval, \val
.endm
.macro CHECK_TVAL_REG reg
	ld	t5, trap_tval
	ASSERT_REQ t5, \reg
.endm
.macro CHECK_EPC label
	la	t6, \label
	ld	t5, trap_epc
	ASSERT_REQ t5, t6
.endm
/* 3 = taken by the M-mode handler, 1 = by the S-mode handler */
.macro CHECK_LEVEL lvl
	ASSERT_MEM trap_level, \lvl
.endm
/* the next exception returns to `label` instead of skipping the instruction */
.macro SET_RESUME label
	la	t6, \label
	la	t5, trap_resume
	sd	t6, 0(t5)
.endm
/* ... and continues there in M-mode */
.macro SET_RESUME_M label
	SET_RESUME \label
	li	t6, 1
	la	t5, trap_resume_m
	sd	t6, 0(t5)
.endm

/* ---- privilege changes ---- */
/* from M-mode: continue at label in mode (PRV_U, PRV_S or PRV_M) via mret */
.macro GOTO_MODE mode, label
	li	t6, MSTATUS_MPP
	csrc	mstatus, t6
	li	t6, (\mode) << 11
	csrs	mstatus, t6
	la	t6, \label
	csrw	mepc, t6
	mret
.endm
/* from any mode: continue at label in M-mode (clobbers a6, a7) */
.macro GOTO_M label
	la	a6, \label
	li	a7, MAGIC_GOTO_M
	ecall
.endm

/* ---- misc ---- */
.macro FP_ON
	li	t6, MSTATUS_FS
	csrs	mstatus, t6
.endm

#endif
