/*
 * start.S - entry of the SMP litmus guest: every hart arrives here (QEMU's
 * and godwit's boot ROM jump to the ELF entry with a0 = mhartid, a1 = the
 * device tree), takes a stack of its own and calls main(hartid, fdt).
 * Harts beyond LITMUS_MAX_HARTS park in WFI.
 */
#define LITMUS_MAX_HARTS 8
#define STACK_SIZE 8192
	.section .text.start
	.globl _start
_start:
	li t0, LITMUS_MAX_HARTS
	bgeu a0, t0, 2f
	la sp, stacks
	addi t0, a0, 1
	li t1, STACK_SIZE
	mul t0, t0, t1
	add sp, sp, t0
	call main
2:	wfi
	j 2b

	.bss
	.align 4
stacks:
	.space STACK_SIZE * LITMUS_MAX_HARTS
