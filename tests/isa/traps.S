/*
 * traps.S - exceptions, delegation and trap return: ECALL from U/S/M
 * (causes 8/9/11), EBREAK, illegal instructions (tval = bits or 0),
 * xRET in the wrong mode, medeleg delegation to S (scause/sepc/stval,
 * sstatus.SPP/SPIE/SIE), MRET/SRET restoring MPP/MPIE/SPP/SPIE, MPRV
 * cleared by MRET, mstatus.TSR/TW/TVM.
 */
#include "test.h"

.macro EXPECT_ILLEGAL insn:vararg
	EXPECT_TRAP
	\insn
	CHECK_TRAP CAUSE_ILLEGAL
.endm
/* mstatus field check in M-mode */
.macro ASSERT_MSTATUS mask, val
	csrr	a0, mstatus
	ASSERT_MASKED a0, \mask, \val
.endm
/* recorded status (mstatus or sstatus at handler entry) field check */
.macro ASSERT_TSTATUS mask, val
	ld	a0, trap_status
	ASSERT_MASKED a0, \mask, \val
.endm

TEST_BEGIN
	li	a7, 0
	/* ---- ECALL ---- */
	TEST_CASE 1
	EXPECT_TRAP
1:	ecall
	CHECK_TRAP CAUSE_MACHINE_ECALL
	CHECK_EPC 1b
	CHECK_TVAL 0
	CHECK_LEVEL 3
	ASSERT_TSTATUS MSTATUS_MPP, MSTATUS_MPP_M
	TEST_CASE 2
	GOTO_MODE PRV_S, 1f
1:	EXPECT_TRAP
	li	a7, 0
2:	ecall
	CHECK_TRAP CAUSE_SUPERVISOR_ECALL
	CHECK_EPC 2b
	CHECK_TVAL 0
	CHECK_LEVEL 3
	ASSERT_TSTATUS MSTATUS_MPP, MSTATUS_MPP_S
	GOTO_M 3f
3:	TEST_CASE 3
	GOTO_MODE PRV_U, 1f
1:	EXPECT_TRAP
	li	a7, 0
2:	ecall
	CHECK_TRAP CAUSE_USER_ECALL
	CHECK_EPC 2b
	CHECK_LEVEL 3
	ASSERT_TSTATUS MSTATUS_MPP, 0
	GOTO_M 3f
3:
	/* ---- EBREAK ---- */
	TEST_CASE 4
	EXPECT_TRAP
1:	ebreak
	CHECK_TRAP CAUSE_BREAKPOINT
	CHECK_EPC 1b
	ld	t5, trap_tval		/* 0 or the pc */
	beqz	t5, 2f
	la	t6, 1b
	ASSERT_REQ t5, t6
2:	TEST_CASE 5
	GOTO_MODE PRV_U, 1f
1:	EXPECT_TRAP
2:	ebreak
	CHECK_TRAP CAUSE_BREAKPOINT
	CHECK_EPC 2b
	GOTO_M 3f
3:
	/* ---- illegal instructions ---- */
	TEST_CASE 6			/* reserved major opcode */
	EXPECT_TRAP
1:	.word	0x0000006b
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_EPC 1b
	ld	t5, trap_tval
	beqz	t5, 2f
	ASSERT_EQ t5, 0x6b
2:	TEST_CASE 7			/* all-ones-ish 32-bit: OP with bad funct7 */
	EXPECT_TRAP
1:	.word	0x7e000033		/* add with funct7 = 0x3f */
	CHECK_TRAP CAUSE_ILLEGAL
	ld	t5, trap_tval
	beqz	t5, 2f
	ASSERT_EQ t5, 0x7e000033
2:	TEST_CASE 8			/* xRET from too low a mode */
	GOTO_MODE PRV_U, 1f
1:	EXPECT_ILLEGAL mret
	EXPECT_ILLEGAL sret
	EXPECT_ILLEGAL sfence.vma
	GOTO_M 2f
2:	GOTO_MODE PRV_S, 1f
1:	EXPECT_ILLEGAL mret
	GOTO_M 2f
2:
	/* ---- delegation ---- */
	TEST_CASE 9			/* medeleg / mideleg hold delegable bits */
	li	a1, (1 << 2) | (1 << 3) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
	csrw	medeleg, a1
	csrr	a0, medeleg
	csrw	medeleg, zero
	and	a0, a0, a1
	ASSERT_REQ a0, a1
	li	a1, MIP_SSIP | MIP_STIP | MIP_SEIP
	csrw	mideleg, a1
	csrr	a0, mideleg
	csrw	mideleg, zero
	ASSERT_MASKED a0, MIP_SSIP | MIP_STIP | MIP_SEIP | MIP_MSIP | MIP_MTIP | MIP_MEIP, MIP_SSIP | MIP_STIP | MIP_SEIP
	TEST_CASE 10			/* U ecall delegated to S */
	li	a1, 1 << CAUSE_USER_ECALL
	csrw	medeleg, a1
	GOTO_MODE PRV_U, 1f
1:	EXPECT_TRAP
	li	a7, 0
2:	ecall
	CHECK_TRAP CAUSE_USER_ECALL
	CHECK_LEVEL 1
	CHECK_EPC 2b
	CHECK_TVAL 0
	ASSERT_TSTATUS MSTATUS_SPP, 0
	GOTO_M 3f			/* through the S handler to M */
3:	csrr	a0, scause
	ASSERT_EQ a0, CAUSE_USER_ECALL
	TEST_CASE 11			/* U illegal delegated: stval = bits or 0 */
	li	a1, 1 << CAUSE_ILLEGAL
	csrw	medeleg, a1
	GOTO_MODE PRV_U, 1f
1:	EXPECT_TRAP
2:	.word	0x0000006b
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_LEVEL 1
	CHECK_EPC 2b
	ld	t5, trap_tval
	beqz	t5, 3f
	ASSERT_EQ t5, 0x6b
3:	GOTO_M 4f
4:	csrr	a0, stval
	beqz	a0, 5f
	ASSERT_EQ a0, 0x6b
5:	csrr	a0, sepc		/* the S handler stepped over it */
	la	a1, 2b + 4
	ASSERT_REQ a0, a1
	TEST_CASE 12			/* S trap delegated to S: SPP = 1,
					 * SPIE = old SIE, SIE = 0 */
	li	a1, 1 << CAUSE_BREAKPOINT
	csrw	medeleg, a1
	GOTO_MODE PRV_S, 1f
1:	csrsi	sstatus, MSTATUS_SIE	/* nothing is pending or enabled */
	EXPECT_TRAP
2:	ebreak
	CHECK_TRAP CAUSE_BREAKPOINT
	CHECK_LEVEL 1
	CHECK_EPC 2b
	ASSERT_TSTATUS MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE
	csrr	a0, sstatus		/* sret restored SIE from SPIE */
	ASSERT_MASKED a0, MSTATUS_SIE | MSTATUS_SPIE, MSTATUS_SIE | MSTATUS_SPIE
	csrci	sstatus, MSTATUS_SIE
	GOTO_M 3f
3:	TEST_CASE 13			/* a delegated cause from M stays in M */
	li	a1, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
	csrw	medeleg, a1
	EXPECT_TRAP
	.word	0x0000006b
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_LEVEL 3
	TEST_CASE 14			/* a non-delegated cause from U goes to M */
	li	a1, 1 << CAUSE_BREAKPOINT
	csrw	medeleg, a1
	GOTO_MODE PRV_U, 1f
1:	EXPECT_TRAP
	.word	0x0000006b
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_LEVEL 3
	GOTO_M 2f
2:	csrw	medeleg, zero

	/* ---- trap entry and MRET in M ---- */
	TEST_CASE 15			/* MIE -> MPIE on a trap, back on mret */
	csrw	mie, zero
	csrsi	mstatus, MSTATUS_MIE
	EXPECT_TRAP
	ecall
	CHECK_TRAP CAUSE_MACHINE_ECALL
	ASSERT_TSTATUS MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_M
	ASSERT_MSTATUS MSTATUS_MIE, MSTATUS_MIE
	csrci	mstatus, MSTATUS_MIE
	TEST_CASE 16			/* mret to M: MIE = MPIE, MPIE = 1, MPP = U */
	li	a1, MSTATUS_MPP | MSTATUS_MPIE
	csrc	mstatus, a1
	li	a1, MSTATUS_MPP_M
	csrs	mstatus, a1
	csrsi	mstatus, MSTATUS_MIE
	la	a1, 1f
	csrw	mepc, a1
	mret
	j	test_fail
1:	ASSERT_MSTATUS MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE
	TEST_CASE 17			/* mret to S, then S ecall proves S */
	li	a1, MSTATUS_MPP
	csrc	mstatus, a1
	li	a1, MSTATUS_MPP_S | MSTATUS_MPIE
	csrs	mstatus, a1
	la	a1, 1f
	csrw	mepc, a1
	mret
	j	test_fail
1:	EXPECT_TRAP
	li	a7, 0
	ecall
	CHECK_TRAP CAUSE_SUPERVISOR_ECALL
	GOTO_M 2f
2:	TEST_CASE 18			/* mret to a lower mode clears MPRV */
	li	a1, MSTATUS_MPP
	csrc	mstatus, a1
	li	a1, MSTATUS_MPP_S | MSTATUS_MPRV	/* satp is bare */
	csrs	mstatus, a1
	la	a1, 1f
	csrw	mepc, a1
	mret
1:	GOTO_M 2f
2:	ASSERT_MSTATUS MSTATUS_MPRV, 0
	TEST_CASE 19			/* mret to M keeps MPRV */
	li	a1, MSTATUS_MPP_M | MSTATUS_MPRV
	csrs	mstatus, a1
	la	a1, 1f
	csrw	mepc, a1
	mret
1:	csrr	a0, mstatus
	li	a1, MSTATUS_MPRV
	csrc	mstatus, a1
	ASSERT_MASKED a0, MSTATUS_MPRV, MSTATUS_MPRV

	/* ---- SRET ---- */
	TEST_CASE 20			/* S -> U: SIE = SPIE, SPIE = 1, SPP = U */
	GOTO_MODE PRV_S, 1f
1:	li	a1, MSTATUS_SPP
	csrc	sstatus, a1
	li	a1, MSTATUS_SPIE
	csrs	sstatus, a1
	la	a1, 2f
	csrw	sepc, a1
	sret
	j	test_fail
2:	EXPECT_TRAP			/* in U now */
	li	a7, 0
	ecall
	CHECK_TRAP CAUSE_USER_ECALL
	GOTO_M 3f
3:	ASSERT_MSTATUS MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SIE | MSTATUS_SPIE
	csrci	mstatus, MSTATUS_SIE
	TEST_CASE 21			/* sret with SPP = S, SPIE = 0 */
	GOTO_MODE PRV_S, 1f
1:	li	a1, MSTATUS_SPIE
	csrc	sstatus, a1
	li	a1, MSTATUS_SPP
	csrs	sstatus, a1
	csrsi	sstatus, MSTATUS_SIE
	la	a1, 2f
	csrw	sepc, a1
	sret
	j	test_fail
2:	EXPECT_TRAP
	li	a7, 0
	ecall
	CHECK_TRAP CAUSE_SUPERVISOR_ECALL
	GOTO_M 3f
3:	ASSERT_MSTATUS MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE
	TEST_CASE 22			/* sret from M is legal */
	li	a1, MSTATUS_SPP
	csrs	mstatus, a1
	la	a1, 1f
	csrw	sepc, a1
	sret
	j	test_fail
1:	EXPECT_TRAP
	li	a7, 0
	ecall
	CHECK_TRAP CAUSE_SUPERVISOR_ECALL
	GOTO_M 2f
2:
	/* ---- TSR / TW / TVM ---- */
	TEST_CASE 23			/* TSR: sret in S is illegal */
	li	a1, MSTATUS_TSR
	csrs	mstatus, a1
	GOTO_MODE PRV_S, 1f
1:	la	a1, 2f
	csrw	sepc, a1
	EXPECT_ILLEGAL sret
	GOTO_M 2f
2:	li	a1, MSTATUS_TSR
	csrc	mstatus, a1
	TEST_CASE 24			/* TW: wfi in S is illegal */
	li	a1, MSTATUS_TW
	csrs	mstatus, a1
	GOTO_MODE PRV_S, 1f
1:	EXPECT_ILLEGAL wfi
	GOTO_M 2f
2:	TEST_CASE 25			/* TW = 0: wfi in S returns once an
					 * interrupt is pending (even with SIE = 0) */
	li	a1, MSTATUS_TW | MSTATUS_SIE
	csrc	mstatus, a1
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	csrw	mie, a1
	csrs	mip, a1
	GOTO_MODE PRV_S, 1f
1:	csrci	sstatus, MSTATUS_SIE
	EXPECT_TRAP
	wfi
	CHECK_NO_TRAP
	li	a1, MIP_SSIP
	csrc	sip, a1
	GOTO_M 2f
2:	csrw	mie, zero
	csrw	mideleg, zero
	csrr	a0, mip
	ASSERT_MASKED a0, MIP_SSIP, 0
	TEST_CASE 26			/* TW does not affect M (wfi, MIE = 0) */
	csrci	mstatus, MSTATUS_MIE
	li	a1, MSTATUS_TW
	csrs	mstatus, a1
	li	a1, MIP_SSIP
	csrw	mie, a1
	csrs	mip, a1
	EXPECT_TRAP
	wfi
	CHECK_NO_TRAP
	csrc	mip, a1
	csrw	mie, zero
	li	a1, MSTATUS_TW
	csrc	mstatus, a1
	TEST_CASE 27			/* TVM: satp and sfence.vma are illegal in S */
	li	a1, MSTATUS_TVM
	csrs	mstatus, a1
	GOTO_MODE PRV_S, 1f
1:	EXPECT_ILLEGAL csrr a0, satp
	EXPECT_ILLEGAL csrw satp, zero
	EXPECT_ILLEGAL sfence.vma
	EXPECT_ILLEGAL sfence.vma a0, zero
	GOTO_M 2f
2:	TEST_CASE 28			/* TVM does not affect M */
	csrr	a0, satp
	sfence.vma
	li	a1, MSTATUS_TVM
	csrc	mstatus, a1
	TEST_CASE 29			/* TVM = 0: allowed in S */
	GOTO_MODE PRV_S, 1f
1:	EXPECT_TRAP
	csrr	a0, satp
	csrw	satp, zero
	sfence.vma
	CHECK_NO_TRAP
	GOTO_M 2f
2:	TEST_CASE 30			/* trap_status and mepc of an S illegal */
	GOTO_MODE PRV_S, 1f
1:	EXPECT_TRAP
2:	csrr	a0, mscratch
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_LEVEL 3
	CHECK_EPC 2b
	ASSERT_TSTATUS MSTATUS_MPP, MSTATUS_MPP_S
	GOTO_M 3f
3:	TEST_END
