/*
 * start.S - entry of the migtest guest: a0 = hartid, a1 = device tree (as
 * QEMU's and godwit's reset code pass them with -bios none). Hart 0 runs
 * main; any other hart waits in WFI for a CLINT software interrupt (hart 0
 * sends it once .bss is clear) and then runs harts_main (harts.c) on a
 * stack of its own; harts past MT_MAX_HARTS park for good. Interrupts stay
 * globally off (mstatus.MIE = 0)
 * for the whole run: WFI still wakes on a pending enabled interrupt, so the
 * program polls instead of taking interrupt traps. Any trap is therefore a
 * bug: it is reported on the UART (main.c: mt_trap) and the hart parks.
 */
	.section .text.start
	.globl _start
_start:
	csrw mie, zero
	csrci mstatus, 8
	la t0, trap_entry
	csrw mtvec, t0
	bnez a0, secondary
	la sp, stack_top
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	call main
park:
	wfi
	j park

secondary:
	li t0, 8			/* MT_MAX_HARTS */
	bgeu a0, t0, park
	li t0, 8			/* MIP_MSIP: WFI wakes on it, no trap (MIE = 0) */
	csrw mie, t0
3:	wfi
	csrr t0, mip
	andi t0, t0, 8
	beqz t0, 3b
	la sp, hart_stacks
	addi t0, a0, 1
	slli t0, t0, 12			/* 4 KiB each */
	add sp, sp, t0
	call harts_main
	j park

	.align 2
trap_entry:
	la sp, trap_stack_top
	csrr a0, mcause
	csrr a1, mepc
	csrr a2, mtval
	call mt_trap
	j park

	.bss
	.align 4
	.space 16384
stack_top:
	.space 2048
trap_stack_top:
	.align 4
hart_stacks:
	.space 4096 * 8
