/*
 * start.S - entry of the godwit benchmark ELFs at 0x80000000, entered in
 * M-mode with a0 = hartid, a1 = dtb (QEMU virt -bios none convention):
 * parks every hart but 0, sets up gp/sp, clears .bss, installs the trap
 * handler, enables the FPU (mstatus.FS) and calls bench_main(hartid, dtb).
 */
	.section .text.init, "ax", @progbits
	.globl _start
_start:
	csrr	t0, mhartid
	bnez	t0, park
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, trap_entry
	csrw	mtvec, t0
	csrw	mie, zero
	li	t0, 1 << 13		/* mstatus.FS = Initial */
	csrs	mstatus, t0
	call	bench_main
park:
	wfi
	j	park

	.balign	4
trap_entry:
	la	sp, __stack_top
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	call	bench_trap
	j	park
