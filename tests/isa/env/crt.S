/*
 * crt.S - start-up, HTIF reporting and trap handling for the ISA tests.
 *
 * _start (M-mode, entry at 0x80000000): parks every hart but hart 0, opens
 * PMP entry 0 to everything (NAPOT, RWX) so S and U may run, installs the
 * M and S trap handlers, clears .bss, turns FP on (FS=Initial) and calls
 * test_main. A test ends with `j test_pass` / `j test_fail` (gp = case
 * number), or test_main returns: 0 = pass, else the failing case number.
 *
 * Trap handlers (trap_entry for M, s_trap_entry for S; both save every
 * register on their own stack via mscratch/sscratch):
 *  - `ecall` with a7 == MAGIC_GOTO_M: continue at a6 in M-mode with a7
 *    cleared (an S-level handler passes it on with an ecall of its own).
 *    Nothing is recorded.
 *  - otherwise the trap is recorded in trap_info (cause, previous cause,
 *    tval, epc, status at entry, level 3 = M / 1 = S, count). A trap is
 *    only allowed while trap_expect > 0 (it is decremented); any other trap
 *    prints its cause and fails the current case.
 *  - interrupts: the enable bit of that interrupt is cleared in mie (M) or
 *    sie (S) and the handler returns to the interrupted instruction.
 *  - exceptions: if trap_resume is set, return there (and, if trap_resume_m
 *    is set too, in M-mode); both are cleared. Otherwise the trapping
 *    instruction is skipped: its length is read from memory at xepc as the
 *    trapping mode would read it (M: MPRV+MXR; S: SUM+MXR). Fetch faults
 *    (causes 1 and 12) cannot be skipped and need trap_resume.
 */
#include "encoding.h"

#define FRAME 256
#define TI_EXPECT	0
#define TI_COUNT	8
#define TI_CAUSE	16
#define TI_PREV		24
#define TI_TVAL		32
#define TI_EPC		40
#define TI_STATUS	48
#define TI_LEVEL	56
#define TI_RESUME	64
#define TI_RESUME_M	72
#define TI_CUR_TEST	80

	.option norvc

	.section .text.init, "ax", @progbits
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	la	t0, boot_a0
	sd	a0, 0(t0)
	sd	a1, 8(t0)
	la	sp, stack_top
	/* PMP: entry 0 = whole address space, RWX (skipped if absent) */
	la	t0, 1f
	csrw	mtvec, t0
	li	t0, -1
	srli	t0, t0, 10
	csrw	pmpaddr0, t0
	li	t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
	csrw	pmpcfg0, t0
	.balign 4
1:	la	t0, trap_entry
	csrw	mtvec, t0
	la	t0, mtrap_stack_top
	csrw	mscratch, t0
	la	t0, s_trap_entry
	csrw	stvec, t0
	la	t0, strap_stack_top
	csrw	sscratch, t0
	csrw	mie, zero
	csrw	mideleg, zero
	csrw	medeleg, zero
	csrw	satp, zero
	li	t0, MSTATUS_FS_INIT
	csrw	mstatus, t0
	csrw	fcsr, zero
	la	t0, __bss_start
	la	t1, __bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	2b
3:	li	gp, 0
	li	tp, 0
	call	test_main
	beqz	a0, test_pass
	mv	gp, a0
	j	test_fail

park:	wfi
	j	park

	.text
/* test_pass / test_fail: callable from any mode (they get to M-mode with
 * the magic ecall first); test_fail reports case gp. */
	.globl test_pass, test_fail, test_pass_m, test_fail_m
test_pass:
	li	a7, MAGIC_GOTO_M
	la	a6, test_pass_m
	ecall
test_pass_m:
	la	t0, tohost
	li	t1, 1
	sd	t1, 0(t0)
1:	wfi
	j	1b

test_fail:
	li	a7, MAGIC_GOTO_M
	la	a6, test_fail_m
	ecall
test_fail_m:
	la	sp, stack_top
	li	t0, 1
	bltu	gp, t0, 1f
	li	t0, 255
	bltu	gp, t0, 2f
1:	li	gp, 255			/* no valid case number: report 255 */
2:	la	a0, msg_fail
	call	htif_puts
	mv	a0, gp
	call	htif_putdec
	li	a0, '\n'
	call	htif_putc
	slli	t1, gp, 1
	ori	t1, t1, 1
	la	t0, tohost
	sd	t1, 0(t0)
3:	wfi
	j	3b

/* ---- HTIF console (C ABI; bounded waits) ---- */
	.globl htif_putc, htif_puts, htif_puthex, htif_putdec
htif_putc:
	la	t0, tohost
	andi	a0, a0, 0xff
	li	t1, (1 << 56) | (1 << 48)
	or	t1, t1, a0
	sd	t1, 0(t0)
	li	t2, 1000000
1:	ld	t1, 0(t0)
	beqz	t1, 2f
	addi	t2, t2, -1
	bnez	t2, 1b
2:	sd	zero, 8(t0)		/* fromhost */
	ret

htif_puts:
	addi	sp, sp, -16
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	mv	s0, a0
1:	lbu	a0, 0(s0)
	beqz	a0, 2f
	call	htif_putc
	addi	s0, s0, 1
	j	1b
2:	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 16
	ret

htif_puthex:
	addi	sp, sp, -32
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	mv	s0, a0
	li	s1, 60
1:	srl	a0, s0, s1
	andi	a0, a0, 15
	li	t0, 10
	bltu	a0, t0, 2f
	addi	a0, a0, 'a' - '0' - 10
2:	addi	a0, a0, '0'
	call	htif_putc
	addi	s1, s1, -4
	bgez	s1, 1b
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	addi	sp, sp, 32
	ret

htif_putdec:			/* a0 unsigned, < 10^20 */
	addi	sp, sp, -48
	sd	ra, 32(sp)
	sd	s0, 40(sp)
	mv	s0, sp			/* digits stored downwards from sp+32 */
	addi	t3, sp, 32
	li	t4, 10
1:	remu	t5, a0, t4
	divu	a0, a0, t4
	addi	t3, t3, -1
	addi	t5, t5, '0'
	sb	t5, 0(t3)
	bnez	a0, 1b
	mv	s0, t3
2:	addi	t6, sp, 32
	bgeu	s0, t6, 3f
	lbu	a0, 0(s0)
	call	htif_putc
	addi	s0, s0, 1
	j	2b
3:	ld	ra, 32(sp)
	ld	s0, 40(sp)
	addi	sp, sp, 48
	ret

/* ---- trap handlers ---- */
.macro SAVE_REGS
	sd	x1, 1*8(sp)
	sd	x3, 3*8(sp)
	sd	x4, 4*8(sp)
	sd	x5, 5*8(sp)
	sd	x6, 6*8(sp)
	sd	x7, 7*8(sp)
	sd	x8, 8*8(sp)
	sd	x9, 9*8(sp)
	sd	x10, 10*8(sp)
	sd	x11, 11*8(sp)
	sd	x12, 12*8(sp)
	sd	x13, 13*8(sp)
	sd	x14, 14*8(sp)
	sd	x15, 15*8(sp)
	sd	x16, 16*8(sp)
	sd	x17, 17*8(sp)
	sd	x18, 18*8(sp)
	sd	x19, 19*8(sp)
	sd	x20, 20*8(sp)
	sd	x21, 21*8(sp)
	sd	x22, 22*8(sp)
	sd	x23, 23*8(sp)
	sd	x24, 24*8(sp)
	sd	x25, 25*8(sp)
	sd	x26, 26*8(sp)
	sd	x27, 27*8(sp)
	sd	x28, 28*8(sp)
	sd	x29, 29*8(sp)
	sd	x30, 30*8(sp)
	sd	x31, 31*8(sp)
.endm
.macro RESTORE_REGS
	ld	x1, 1*8(sp)
	ld	x3, 3*8(sp)
	ld	x4, 4*8(sp)
	ld	x5, 5*8(sp)
	ld	x6, 6*8(sp)
	ld	x7, 7*8(sp)
	ld	x8, 8*8(sp)
	ld	x9, 9*8(sp)
	ld	x10, 10*8(sp)
	ld	x11, 11*8(sp)
	ld	x12, 12*8(sp)
	ld	x13, 13*8(sp)
	ld	x14, 14*8(sp)
	ld	x15, 15*8(sp)
	ld	x16, 16*8(sp)
	ld	x17, 17*8(sp)
	ld	x18, 18*8(sp)
	ld	x19, 19*8(sp)
	ld	x20, 20*8(sp)
	ld	x21, 21*8(sp)
	ld	x22, 22*8(sp)
	ld	x23, 23*8(sp)
	ld	x24, 24*8(sp)
	ld	x25, 25*8(sp)
	ld	x26, 26*8(sp)
	ld	x27, 27*8(sp)
	ld	x28, 28*8(sp)
	ld	x29, 29*8(sp)
	ld	x30, 30*8(sp)
	ld	x31, 31*8(sp)
.endm

/* a0 = 1 if cause s0 is an ecall carrying the magic in saved a7 */
.macro IS_MAGIC_ECALL
	li	a0, 0
	li	t0, CAUSE_USER_ECALL
	beq	s0, t0, 91f
	li	t0, CAUSE_SUPERVISOR_ECALL
	beq	s0, t0, 91f
	li	t0, CAUSE_MACHINE_ECALL
	bne	s0, t0, 92f
91:	ld	t0, 17*8(sp)
	li	t1, MAGIC_GOTO_M
	bne	t0, t1, 92f
	li	a0, 1
92:
.endm

/* record trap s0..s3 (cause, epc, tval, status) at level t0 into s4 */
.macro RECORD_TRAP
	ld	t1, TI_CAUSE(s4)
	sd	t1, TI_PREV(s4)
	sd	s0, TI_CAUSE(s4)
	sd	s1, TI_EPC(s4)
	sd	s2, TI_TVAL(s4)
	sd	s3, TI_STATUS(s4)
	sd	t0, TI_LEVEL(s4)
	ld	t1, TI_COUNT(s4)
	addi	t1, t1, 1
	sd	t1, TI_COUNT(s4)
.endm

	.balign 256
	.globl trap_entry
trap_entry:
	csrrw	sp, mscratch, sp
	addi	sp, sp, -FRAME
	SAVE_REGS
	csrr	t0, mscratch
	sd	t0, 2*8(sp)
	li	t0, MSTATUS_MPRV
	csrrc	s3, mstatus, t0		/* handler accesses untranslated */
	csrr	s0, mcause
	csrr	s1, mepc
	csrr	s2, mtval
	IS_MAGIC_ECALL
	beqz	a0, 1f
	ld	t0, 16*8(sp)		/* a6: where to go on in M-mode */
	csrw	mepc, t0
	sd	zero, 17*8(sp)		/* a7 = 0: a later ecall is a plain one */
	li	t0, MSTATUS_MPP
	csrs	mstatus, t0
	j	m_restore
1:	la	s4, trap_info
	li	t0, 3
	RECORD_TRAP
	ld	t1, TI_EXPECT(s4)
	beqz	t1, m_unexpected
	addi	t1, t1, -1
	sd	t1, TI_EXPECT(s4)
	bgez	s0, 2f
	andi	t1, s0, 63		/* interrupt: mask it and return */
	li	t2, 1
	sll	t2, t2, t1
	csrc	mie, t2
	j	m_restore_mprv
2:	ld	t1, TI_RESUME(s4)
	beqz	t1, 3f
	csrw	mepc, t1
	sd	zero, TI_RESUME(s4)
	ld	t1, TI_RESUME_M(s4)
	beqz	t1, m_restore_mprv
	sd	zero, TI_RESUME_M(s4)
	li	t1, MSTATUS_MPP
	csrs	mstatus, t1
	j	m_restore		/* back to M: MPRV stays off */
3:	li	t1, CAUSE_FETCH_ACCESS
	beq	s0, t1, m_unexpected
	li	t1, CAUSE_FETCH_PAGE_FAULT
	beq	s0, t1, m_unexpected
	csrr	t3, mstatus
	li	t1, MSTATUS_MPRV | MSTATUS_MXR
	csrs	mstatus, t1
	lhu	t2, 0(s1)
	csrw	mstatus, t3
	andi	t2, t2, 3
	li	t1, 3
	addi	s1, s1, 2
	bne	t2, t1, 4f
	addi	s1, s1, 2
4:	csrw	mepc, s1
m_restore_mprv:
	li	t1, MSTATUS_MPRV
	and	t1, s3, t1
	csrs	mstatus, t1
m_restore:
	RESTORE_REGS
	addi	sp, sp, FRAME
	csrrw	sp, mscratch, sp
	mret

m_unexpected:
	la	a0, msg_mtrap
	li	a1, 'm'
	j	unexpected_report

	.balign 4
	.globl s_trap_entry
s_trap_entry:
	csrrw	sp, sscratch, sp
	addi	sp, sp, -FRAME
	SAVE_REGS
	csrr	t0, sscratch
	sd	t0, 2*8(sp)
	csrr	s0, scause
	csrr	s1, sepc
	csrr	s2, stval
	csrr	s3, sstatus
	IS_MAGIC_ECALL
	beqz	a0, 1f
	RESTORE_REGS			/* pass it on to M-mode */
	addi	sp, sp, FRAME
	csrrw	sp, sscratch, sp
	ecall
1:	la	s4, trap_info
	li	t0, 1
	RECORD_TRAP
	ld	t1, TI_EXPECT(s4)
	beqz	t1, s_unexpected
	addi	t1, t1, -1
	sd	t1, TI_EXPECT(s4)
	bgez	s0, 2f
	andi	t1, s0, 63
	li	t2, 1
	sll	t2, t2, t1
	csrc	sie, t2
	j	s_restore
2:	ld	t1, TI_RESUME(s4)
	beqz	t1, 3f
	csrw	sepc, t1
	sd	zero, TI_RESUME(s4)
	j	s_restore
3:	li	t1, CAUSE_FETCH_ACCESS
	beq	s0, t1, s_unexpected
	li	t1, CAUSE_FETCH_PAGE_FAULT
	beq	s0, t1, s_unexpected
	li	t1, MSTATUS_SUM | MSTATUS_MXR
	csrs	sstatus, t1
	lhu	t2, 0(s1)
	csrw	sstatus, s3
	andi	t2, t2, 3
	li	t1, 3
	addi	s1, s1, 2
	bne	t2, t1, 4f
	addi	s1, s1, 2
4:	csrw	sepc, s1
s_restore:
	RESTORE_REGS
	addi	sp, sp, FRAME
	csrrw	sp, sscratch, sp
	sret

s_unexpected:			/* report from M-mode; s0..s3 survive the ecall */
	ld	gp, 3*8(sp)
	la	a6, s_unexpected_m
	li	a7, MAGIC_GOTO_M
	ecall
s_unexpected_m:
	la	sp, stack_top
	addi	sp, sp, -FRAME
	sd	gp, 3*8(sp)
	la	a0, msg_strap
	li	a1, 's'
	/* fall through */

/* a0 = title; s0 = cause, s1 = epc, s2 = tval; saved gp at 3*8(sp) */
unexpected_report:
	ld	gp, 3*8(sp)
	ld	t0, trap_info + TI_CUR_TEST
	beqz	t0, 1f
	mv	gp, t0
1:	la	sp, stack_top
	call	htif_puts
	mv	a0, s0
	call	htif_puthex
	la	a0, msg_epc
	call	htif_puts
	mv	a0, s1
	call	htif_puthex
	la	a0, msg_tval
	call	htif_puts
	mv	a0, s2
	call	htif_puthex
	li	a0, '\n'
	call	htif_putc
	j	test_fail_m

	.section .rodata
msg_fail:	.asciz "ISA-TEST FAIL case "
msg_mtrap:	.asciz "unexpected M-mode trap: mcause="
msg_strap:	.asciz "unexpected S-mode trap: scause="
msg_epc:	.asciz " epc="
msg_tval:	.asciz " tval="

	.data
	.balign 8
	.globl trap_info, trap_expect, trap_count, trap_cause, trap_prev_cause
	.globl trap_tval, trap_epc, trap_status, trap_level, trap_resume
	.globl trap_resume_m, cur_test, boot_a0, boot_a1
trap_info:
trap_expect:	.dword 0
trap_count:	.dword 0
trap_cause:	.dword TRAP_NONE
trap_prev_cause: .dword TRAP_NONE
trap_tval:	.dword 0
trap_epc:	.dword 0
trap_status:	.dword 0
trap_level:	.dword 0
trap_resume:	.dword 0
trap_resume_m:	.dword 0
cur_test:	.dword 0
boot_a0:	.dword 0
boot_a1:	.dword 0

	.section .tohost, "aw", @progbits
	.balign 64
	.globl tohost, fromhost
	.type tohost, @object
	.size tohost, 8
tohost:		.dword 0
	.type fromhost, @object
	.size fromhost, 8
fromhost:	.dword 0

	.bss
	.balign 16
	.space 16384
	.globl stack_top
stack_top:
	.space 4096
	.globl mtrap_stack_top, strap_stack_top
mtrap_stack_top:
	.space 4096
strap_stack_top:
