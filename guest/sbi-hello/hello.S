/*
 * hello.S - a minimal S-mode payload for OpenSBI (fw_jump/fw_dynamic): prints
 * through the SBI legacy console, checks that it runs in S-mode with the
 * time CSR readable and advancing, then powers off through the SBI system
 * reset extension. Exercises firmware, privilege transitions and SBI calls
 * end to end; used by tests/boot/run.sh on godwit and QEMU alike.
 */
	.section .text.start
	.globl _start
_start:
	la	s0, msg_hello
	call	puts
	/* in S-mode, sstatus is readable; mstatus would trap */
	csrr	t0, sstatus
	/* time must be readable (OpenSBI sets mcounteren.TM) and advance */
	rdtime	s1
	li	t1, 1000000
1:	addi	t1, t1, -1
	bnez	t1, 1b
	rdtime	s2
	bgeu	s1, s2, fail
	la	s0, msg_time
	call	puts
	/* SBI SRST: shutdown, no reason */
	li	a7, 0x53525354
	li	a6, 0
	li	a0, 0
	li	a1, 0
	ecall
fail:
	la	s0, msg_fail
	call	puts
	li	a7, 0x53525354
	li	a6, 0
	li	a0, 0
	li	a1, 1		/* system failure */
	ecall
2:	j	2b

/* puts(s0): legacy SBI console putchar (EID 1) per byte */
puts:
	lbu	a0, 0(s0)
	beqz	a0, 3f
	li	a7, 1
	ecall
	addi	s0, s0, 1
	j	puts
3:	ret

	.section .rodata
msg_hello:	.asciz "sbi-hello: running in S-mode\n"
msg_time:	.asciz "sbi-hello: time advances; shutting down\n"
msg_fail:	.asciz "sbi-hello: FAIL: time does not advance\n"
