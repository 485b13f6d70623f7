/* start.S - entry of the bare-metal demo guest: stack, trap vector, main. */
	.section .text.start
	.globl _start
_start:
	la sp, stack_top
	la t0, trap_entry
	csrw mtvec, t0
	call main
1:	wfi
	j 1b

	.align 2
trap_entry:
	/* only the machine timer interrupt is enabled: disarm it and return */
	addi sp, sp, -16
	sd t0, 0(sp)
	sd t1, 8(sp)
	li t0, 0x2004000
	li t1, -1
	sd t1, 0(t0)
	la t0, ticks
	ld t1, 0(t0)
	addi t1, t1, 1
	sd t1, 0(t0)
	ld t0, 0(sp)
	ld t1, 8(sp)
	addi sp, sp, 16
	mret

	.bss
	.align 4
	.space 8192
stack_top:
