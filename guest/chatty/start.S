/* start.S - entry of the chatty guest: a stack, then main (never returns). */
	.section .text.start
	.globl _start
_start:
	la sp, stack_top
	call main
1:	wfi
	j 1b

	.bss
	.align 4
	.space 4096
stack_top:
