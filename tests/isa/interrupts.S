/*
 * interrupts.S - CLINT and interrupts: msip and mtimecmp drive mip.MSIP /
 * mip.MTIP, mtime advances, machine software and timer interrupts are taken
 * (bounded waits), masking by mstatus.MIE and mie, M interrupts in S-mode
 * regardless of MIE, supervisor software interrupt set by M in mip.SSIP
 * (to M when not delegated, to S when delegated; never taken in M when
 * delegated; taken in U even with SIE = 0), sie/sip views, priority (MSI
 * before MTI; an M interrupt before a delegated S one; MTI vs SSI both to
 * M: either order, see case 26), WFI returning with an interrupt pending
 * while globally disabled.
 */
#include "test.h"

#define WAIT_ITERS 2000000

/* spin at most WAIT_ITERS iterations until trap_expect reaches 0 */
.macro WAIT_TRAP
	li	t4, WAIT_ITERS
.Lw\@:	ld	t5, trap_expect
	beqz	t5, .Ld\@
	addi	t4, t4, -1
	bnez	t4, .Lw\@
.Ld\@:
.endm
/* spin at most WAIT_ITERS iterations until (mip & mask) == val */
.macro WAIT_MIP mask, val
	li	t4, WAIT_ITERS
.Lw\@:	csrr	t5, mip
	li	t6, \mask
	and	t5, t5, t6
	li	t6, \val
	beq	t5, t6, .Ld\@
	addi	t4, t4, -1
	bnez	t4, .Lw\@
	j	test_fail
.Ld\@:
.endm
/* a short stretch of work during which no interrupt may be taken */
.macro SPIN n=1000
	li	t4, \n
.Ls\@:	addi	t4, t4, -1
	bnez	t4, .Ls\@
.endm
.macro MSIP_SET
	li	t5, CLINT_MSIP
	li	t6, 1
	sw	t6, 0(t5)
.endm
.macro MSIP_CLEAR
	li	t5, CLINT_MSIP
	sw	zero, 0(t5)
.endm
.macro TIMER_NOW
	li	t5, CLINT_MTIMECMP
	sd	zero, 0(t5)
.endm
.macro TIMER_OFF
	li	t5, CLINT_MTIMECMP
	li	t6, -1
	sd	t6, 0(t5)
.endm
/* everything off between cases */
.macro QUIET
	csrci	mstatus, MSTATUS_MIE | MSTATUS_SIE
	csrw	mie, zero
	csrw	mideleg, zero
	MSIP_CLEAR
	TIMER_OFF
	li	t5, MIP_SSIP
	csrc	mip, t5
.endm

TEST_BEGIN
	li	a7, 0
	QUIET
	/* ---- pending bits follow the CLINT ---- */
	TEST_CASE 1
	MSIP_SET
	WAIT_MIP MIP_MSIP, MIP_MSIP
	li	a1, CLINT_MSIP
	lw	a0, 0(a1)
	ASSERT_EQ a0, 1
	TEST_CASE 2
	MSIP_CLEAR
	WAIT_MIP MIP_MSIP, 0
	TEST_CASE 3
	TIMER_NOW
	WAIT_MIP MIP_MTIP, MIP_MTIP
	TEST_CASE 4
	TIMER_OFF
	WAIT_MIP MIP_MTIP, 0
	TEST_CASE 5			/* mtime advances */
	li	a1, CLINT_MTIME
	ld	a2, 0(a1)
	li	t4, WAIT_ITERS
1:	ld	a3, 0(a1)
	bne	a3, a2, 2f
	addi	t4, t4, -1
	bnez	t4, 1b
	j	test_fail
2:	bltu	a3, a2, test_fail
	TEST_CASE 6			/* mtimecmp reads back */
	li	a1, CLINT_MTIMECMP
	li	a2, 0x123456789abc
	sd	a2, 0(a1)
	ld	a0, 0(a1)
	TIMER_OFF
	ASSERT_EQ a0, 0x123456789abc
	TEST_CASE 7			/* a future deadline is not pending yet */
	li	a1, CLINT_MTIME
	ld	a2, 0(a1)
	li	a3, 10000000		/* one second at 10 MHz */
	add	a2, a2, a3
	li	a1, CLINT_MTIMECMP
	sd	a2, 0(a1)
	csrr	a0, mip
	TIMER_OFF
	ASSERT_MASKED a0, MIP_MTIP, 0

	/* ---- machine software interrupt ---- */
	TEST_CASE 8			/* masked by mstatus.MIE = 0 */
	li	a1, MIP_MSIP
	csrw	mie, a1
	EXPECT_TRAP
	MSIP_SET
	SPIN
	CHECK_NO_TRAP
	TEST_CASE 9			/* taken once MIE = 1 */
	EXPECT_TRAP
	csrsi	mstatus, MSTATUS_MIE
	WAIT_TRAP
	csrci	mstatus, MSTATUS_MIE
	CHECK_TRAP (1 << 63) | IRQ_M_SOFT
	CHECK_LEVEL 3
	ld	a0, trap_status		/* MPIE = 1, MPP = M */
	ASSERT_MASKED a0, MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_M
	csrr	a0, mcause
	ASSERT_EQ a0, (1 << 63) | IRQ_M_SOFT
	QUIET
	TEST_CASE 10			/* masked by mie.MSIE = 0 */
	csrw	mie, zero
	csrsi	mstatus, MSTATUS_MIE
	EXPECT_TRAP
	MSIP_SET
	SPIN
	CHECK_NO_TRAP
	QUIET
	TEST_CASE 11			/* mepc = the interrupted instruction */
	li	a1, MIP_MSIP
	csrw	mie, a1
	MSIP_SET
	WAIT_MIP MIP_MSIP, MIP_MSIP
	EXPECT_TRAP
	csrsi	mstatus, MSTATUS_MIE
1:	nop
	nop
	WAIT_TRAP
	QUIET
	CHECK_TRAP (1 << 63) | IRQ_M_SOFT
	ld	a0, trap_epc		/* right after csrsi (or a nop after) */
	la	a1, 1b
	bltu	a0, a1, test_fail
	addi	a1, a1, 8
	bgtu	a0, a1, test_fail

	/* ---- machine timer interrupt ---- */
	TEST_CASE 12			/* a deadline in the near future */
	li	a1, CLINT_MTIME
	ld	a2, 0(a1)
	addi	a2, a2, 1000		/* 100 us at 10 MHz */
	li	a1, CLINT_MTIMECMP
	sd	a2, 0(a1)
	li	a1, MIP_MTIP
	csrw	mie, a1
	EXPECT_TRAP
	csrsi	mstatus, MSTATUS_MIE
	li	t4, 50000000		/* bounded: a long time, then fail */
1:	ld	t5, trap_expect
	beqz	t5, 2f
	addi	t4, t4, -1
	bnez	t4, 1b
2:	csrci	mstatus, MSTATUS_MIE
	li	a1, CLINT_MTIME		/* not taken before the deadline */
	ld	a3, 0(a1)
	TIMER_OFF
	CHECK_TRAP (1 << 63) | IRQ_M_TIMER
	bltu	a3, a2, test_fail
	QUIET
	TEST_CASE 13			/* masked by mie.MTIE = 0 while pending */
	TIMER_NOW
	WAIT_MIP MIP_MTIP, MIP_MTIP
	csrsi	mstatus, MSTATUS_MIE
	EXPECT_TRAP
	SPIN
	CHECK_NO_TRAP
	TEST_CASE 14			/* then taken when MTIE is set */
	EXPECT_TRAP
	li	a1, MIP_MTIP
	csrs	mie, a1
	WAIT_TRAP
	CHECK_TRAP (1 << 63) | IRQ_M_TIMER
	QUIET

	/* ---- M interrupts in S-mode ignore mstatus.MIE ---- */
	TEST_CASE 15
	li	a1, MIP_MSIP
	csrw	mie, a1
	MSIP_SET
	WAIT_MIP MIP_MSIP, MIP_MSIP
	EXPECT_TRAP
	GOTO_MODE PRV_S, 1f		/* MIE = 0 here */
1:	WAIT_TRAP
	CHECK_TRAP (1 << 63) | IRQ_M_SOFT
	CHECK_LEVEL 3
	ld	a0, trap_status
	ASSERT_MASKED a0, MSTATUS_MPP, MSTATUS_MPP_S
	GOTO_M 2f
2:	QUIET
	TEST_CASE 16			/* same for U-mode and the timer */
	li	a1, MIP_MTIP
	csrw	mie, a1
	TIMER_NOW
	EXPECT_TRAP
	GOTO_MODE PRV_U, 1f
1:	WAIT_TRAP
	CHECK_TRAP (1 << 63) | IRQ_M_TIMER
	CHECK_LEVEL 3
	GOTO_M 2f
2:	QUIET

	/* ---- supervisor software interrupt ---- */
	TEST_CASE 17			/* mip.SSIP is writable by M */
	li	a1, MIP_SSIP
	csrs	mip, a1
	csrr	a0, mip
	csrc	mip, a1
	csrr	a2, mip
	ASSERT_MASKED a0, MIP_SSIP, MIP_SSIP
	ASSERT_MASKED a2, MIP_SSIP, 0
	TEST_CASE 18			/* not delegated: taken by M in M */
	li	a1, MIP_SSIP
	csrw	mie, a1
	csrs	mip, a1
	EXPECT_TRAP
	csrsi	mstatus, MSTATUS_MIE
	WAIT_TRAP
	CHECK_TRAP (1 << 63) | IRQ_S_SOFT
	CHECK_LEVEL 3
	QUIET
	TEST_CASE 19			/* delegated: taken by S in S, sepc */
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	csrw	mie, a1
	csrs	mip, a1
	EXPECT_TRAP
	GOTO_MODE PRV_S, 1f
1:	csrsi	sstatus, MSTATUS_SIE
2:	WAIT_TRAP
	csrci	sstatus, MSTATUS_SIE
	CHECK_TRAP (1 << 63) | IRQ_S_SOFT
	CHECK_LEVEL 1
	ld	a0, trap_status		/* sstatus: SPP = S, SPIE = 1 */
	ASSERT_MASKED a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE
	csrr	a0, scause
	ASSERT_EQ a0, (1 << 63) | IRQ_S_SOFT
	li	a1, MIP_SSIP		/* S clears its own pending bit */
	csrc	sip, a1
	csrr	a0, sip
	ASSERT_MASKED a0, MIP_SSIP, 0
	GOTO_M 3f
3:	csrr	a0, mip
	ASSERT_MASKED a0, MIP_SSIP, 0
	QUIET
	TEST_CASE 20			/* delegated: never taken in M */
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	csrw	mie, a1
	csrs	mip, a1
	csrsi	mstatus, MSTATUS_MIE | MSTATUS_SIE
	EXPECT_TRAP
	SPIN
	CHECK_NO_TRAP
	QUIET
	TEST_CASE 21			/* delegated: taken in U even if SIE = 0 */
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	csrw	mie, a1
	csrs	mip, a1
	EXPECT_TRAP
	GOTO_MODE PRV_U, 1f
1:	WAIT_TRAP
	CHECK_TRAP (1 << 63) | IRQ_S_SOFT
	CHECK_LEVEL 1
	ld	a0, trap_status
	ASSERT_MASKED a0, MSTATUS_SPP, 0
	GOTO_M 2f
2:	QUIET
	TEST_CASE 22			/* delegated but SIE = 0 in S: not taken */
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	csrw	mie, a1
	csrs	mip, a1
	EXPECT_TRAP
	GOTO_MODE PRV_S, 1f
1:	SPIN
	CHECK_NO_TRAP
	GOTO_M 2f
2:	QUIET
	TEST_CASE 23			/* sie / sip show delegated bits only */
	li	a1, MIP_SSIP | MIP_MSIP
	csrw	mie, a1
	csrs	mip, a1			/* only SSIP is writable */
	csrr	a0, sie
	csrr	a2, sip
	ASSERT_MASKED a0, MIP_SSIP | MIP_MSIP, 0
	ASSERT_MASKED a2, MIP_SSIP | MIP_MSIP, 0
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	csrr	a0, sie
	csrr	a2, sip
	ASSERT_MASKED a0, MIP_SSIP | MIP_MSIP, MIP_SSIP
	ASSERT_MASKED a2, MIP_SSIP | MIP_MSIP, MIP_SSIP
	TEST_CASE 24			/* sie writes reach mie for delegated bits */
	csrw	mie, zero
	li	a1, MIP_SSIP
	csrs	sie, a1
	csrr	a0, mie
	ASSERT_MASKED a0, MIP_SSIP, MIP_SSIP
	QUIET

	/* ---- priority ---- */
	TEST_CASE 25			/* MSI before MTI */
	li	a1, MIP_MSIP | MIP_MTIP
	csrw	mie, a1
	MSIP_SET
	TIMER_NOW
	WAIT_MIP MIP_MSIP | MIP_MTIP, MIP_MSIP | MIP_MTIP
	EXPECT_TRAP 2
	csrsi	mstatus, MSTATUS_MIE
	WAIT_TRAP
	QUIET
	CHECK_TRAP (1 << 63) | IRQ_M_TIMER
	ASSERT_MEM trap_prev_cause, (1 << 63) | IRQ_M_SOFT
	TEST_CASE 26			/* MTI and SSI both pending, both to M: both
					 * are taken, one after the other. The spec
					 * orders MTI first; QEMU 7.2 (no AIA) takes
					 * the lowest number first, so either order
					 * is accepted. */
	li	a1, MIP_SSIP | MIP_MTIP
	csrw	mie, a1
	csrs	mip, a1
	TIMER_NOW
	WAIT_MIP MIP_MTIP, MIP_MTIP
	EXPECT_TRAP 2
	csrsi	mstatus, MSTATUS_MIE
	WAIT_TRAP
	QUIET
	ASSERT_MEM trap_expect, 0
	ld	a0, trap_cause
	ld	a1, trap_prev_cause
	li	a2, (1 << 63) | IRQ_M_TIMER
	li	a3, (1 << 63) | IRQ_S_SOFT
	bne	a0, a3, 1f
	ASSERT_REQ a1, a2		/* MTI, SSI */
	j	2f
1:	ASSERT_REQ a0, a2		/* SSI, MTI */
	ASSERT_REQ a1, a3
2:	TEST_CASE 27			/* MSI before MTI with SSI also pending */
	li	a1, MIP_SSIP | MIP_MSIP | MIP_MTIP
	csrw	mie, a1
	li	a1, MIP_SSIP
	csrs	mip, a1
	MSIP_SET
	WAIT_MIP MIP_MSIP, MIP_MSIP
	TIMER_NOW
	WAIT_MIP MIP_MTIP, MIP_MTIP
	EXPECT_TRAP 3
	csrsi	mstatus, MSTATUS_MIE
	WAIT_TRAP
	QUIET
	ASSERT_MEM trap_expect, 0
	ld	a0, trap_cause		/* last two: MSI then MTI, or MTI, SSI */
	ld	a1, trap_prev_cause
	li	a2, (1 << 63) | IRQ_M_TIMER
	li	a3, (1 << 63) | IRQ_S_SOFT
	li	a4, (1 << 63) | IRQ_M_SOFT
	bne	a0, a3, 1f
	ASSERT_REQ a1, a2		/* spec: MSI, MTI, SSI */
	j	2f
1:	ASSERT_REQ a0, a2		/* QEMU 7.2: SSI, MSI, MTI */
	ASSERT_REQ a1, a4
2:
	TEST_CASE 28			/* an M interrupt preempts S before a
					 * delegated S interrupt */
	li	a1, MIP_SSIP
	csrw	mideleg, a1
	li	a1, MIP_SSIP | MIP_MSIP
	csrw	mie, a1
	li	a1, MIP_SSIP
	csrs	mip, a1
	MSIP_SET
	WAIT_MIP MIP_MSIP, MIP_MSIP
	EXPECT_TRAP 2
	GOTO_MODE PRV_S, 1f
1:	csrsi	sstatus, MSTATUS_SIE
	WAIT_TRAP
	csrci	sstatus, MSTATUS_SIE
	CHECK_TRAP (1 << 63) | IRQ_S_SOFT
	CHECK_LEVEL 1
	ASSERT_MEM trap_prev_cause, (1 << 63) | IRQ_M_SOFT
	li	a1, MIP_SSIP
	csrc	sip, a1
	GOTO_M 2f
2:	QUIET

	/* ---- WFI ---- */
	TEST_CASE 29			/* returns with MSI pending, MIE = 0 */
	li	a1, MIP_MSIP
	csrw	mie, a1
	MSIP_SET
	WAIT_MIP MIP_MSIP, MIP_MSIP
	EXPECT_TRAP
	wfi
	CHECK_NO_TRAP
	TEST_CASE 30			/* and the interrupt is taken on MIE = 1 */
	EXPECT_TRAP
	csrsi	mstatus, MSTATUS_MIE
	WAIT_TRAP
	CHECK_TRAP (1 << 63) | IRQ_M_SOFT
	QUIET
	TEST_CASE 31			/* returns with MTI pending, MIE = 0 */
	li	a1, MIP_MTIP
	csrw	mie, a1
	TIMER_NOW
	WAIT_MIP MIP_MTIP, MIP_MTIP
	EXPECT_TRAP
	wfi
	CHECK_NO_TRAP
	QUIET
	TEST_END
