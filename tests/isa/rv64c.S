/*
 * rv64c.S - C extension: every RV64C instruction class written with explicit
 * c.* mnemonics (so each is a 16-bit encoding): c.li/c.lui/c.addi/c.addiw/
 * c.addi16sp/c.addi4spn, shifts and c.andi, register ops incl. W forms,
 * c.lw/c.ld/c.sw/c.sd and the sp-relative forms, c.fld/c.fsd/c.fldsp/c.fsdsp,
 * c.j/c.jr/c.jalr/c.beqz/c.bnez, c.nop, c.ebreak; the all-zero halfword and
 * c.addi4spn with a zero immediate are illegal (cause 2).
 */
#include "test.h"
	.option rvc

TEST_BEGIN
	FP_ON
	TEST_CASE 1
	c.li	a0, -32
	ASSERT_EQ a0, -32
	TEST_CASE 2
	c.li	a0, 31
	ASSERT_EQ a0, 31
	TEST_CASE 3
	c.lui	a0, 0x1f
	ASSERT_EQ a0, 0x1f000
	TEST_CASE 4
	c.lui	a0, 0xfffe0		/* nzimm = -32 << 12, sign-extended */
	ASSERT_EQ a0, 0xfffffffffffe0000
	TEST_CASE 5
	li	a0, 100
	c.addi	a0, -1
	ASSERT_EQ a0, 99
	TEST_CASE 6
	li	a0, -100
	c.addi	a0, 31
	ASSERT_EQ a0, -69
	TEST_CASE 7
	li	a0, 0x7fffffff
	c.addiw	a0, 1
	ASSERT_EQ a0, 0xffffffff80000000
	TEST_CASE 8			/* c.addiw rd, 0 = sext.w */
	li	a0, 0x1234567887654321
	c.addiw	a0, 0
	ASSERT_EQ a0, 0xffffffff87654321
	TEST_CASE 9
	mv	a2, sp
	c.addi16sp sp, -64
	sub	a0, a2, sp
	c.addi16sp sp, 496
	sub	a1, sp, a2
	c.addi16sp sp, -432
	ASSERT_EQ a0, 64
	ASSERT_EQ a1, 432
	ASSERT_REQ sp, a2
	TEST_CASE 10
	c.addi4spn a0, sp, 16
	sub	a0, a0, sp
	ASSERT_EQ a0, 16
	TEST_CASE 11
	c.addi4spn a1, sp, 1020
	sub	a1, a1, sp
	ASSERT_EQ a1, 1020

	/* shifts and c.andi (x8..x15) */
	TEST_CASE 12
	li	a0, 3
	c.slli	a0, 63
	ASSERT_EQ a0, 0x8000000000000000
	TEST_CASE 13
	li	s1, -1
	c.srli	s1, 60
	ASSERT_EQ s1, 15
	TEST_CASE 14
	li	a5, 0x8000000000000000
	c.srai	a5, 63
	ASSERT_EQ a5, -1
	TEST_CASE 15
	li	a4, 0xff0
	c.andi	a4, -16
	ASSERT_EQ a4, 0xff0
	TEST_CASE 16
	li	a4, -1
	c.andi	a4, 21
	ASSERT_EQ a4, 21
	TEST_CASE 17
	li	a0, 0x123
	c.slli	a0, 1
	ASSERT_EQ a0, 0x246

	/* register-register */
	TEST_CASE 18
	li	a1, 0x1234
	c.mv	a0, a1
	ASSERT_EQ a0, 0x1234
	TEST_CASE 19
	li	t0, 5
	li	t1, 7
	c.add	t0, t1
	ASSERT_EQ t0, 12
	TEST_CASE 20
	li	a0, 10
	li	a1, 3
	c.sub	a0, a1
	ASSERT_EQ a0, 7
	TEST_CASE 21
	li	a0, 0xff00
	li	a1, 0x0ff0
	c.and	a0, a1
	ASSERT_EQ a0, 0x0f00
	TEST_CASE 22
	li	a0, 0xff00
	li	a1, 0x0ff0
	c.or	a0, a1
	ASSERT_EQ a0, 0xfff0
	TEST_CASE 23
	li	a0, 0xff00
	li	a1, 0x0ff0
	c.xor	a0, a1
	ASSERT_EQ a0, 0xf0f0
	TEST_CASE 24
	li	a0, 0x7fffffff
	li	a1, 1
	c.addw	a0, a1
	ASSERT_EQ a0, 0xffffffff80000000
	TEST_CASE 25
	li	a0, 0x100000000
	li	a1, 1
	c.subw	a0, a1
	ASSERT_EQ a0, -1

	/* loads and stores */
	TEST_CASE 26
	la	a1, cdata
	c.lw	a0, 4(a1)
	ASSERT_EQ a0, 0xffffffff89abcdef
	TEST_CASE 27
	la	a1, cdata
	c.ld	a0, 8(a1)
	ASSERT_EQ a0, 0x1122334455667788
	TEST_CASE 28
	la	a1, cdata
	c.lw	a0, 0(a1)
	ASSERT_EQ a0, 0x01234567
	TEST_CASE 29
	la	a1, cbuf
	li	a2, -1
	sd	a2, 0(a1)
	li	a3, 0x12345678
	c.sw	a3, 4(a1)
	ld	a0, 0(a1)
	ASSERT_EQ a0, 0x12345678ffffffff
	TEST_CASE 30
	la	a1, cbuf
	li	a3, 0x0102030405060708
	c.sd	a3, 248(a1)
	ld	a0, 248(a1)
	ASSERT_EQ a0, 0x0102030405060708
	TEST_CASE 31
	la	a1, cbuf
	li	a3, 0xa5a5
	c.sw	a3, 124(a1)
	c.lw	a0, 124(a1)
	ASSERT_EQ a0, 0xa5a5
	TEST_CASE 32			/* sp-relative */
	c.addi16sp sp, -256
	li	a3, 0x8765432112345678
	c.sdsp	a3, 248(sp)
	c.ldsp	a0, 248(sp)
	li	a4, 0xfedcba98
	c.swsp	a4, 12(sp)
	c.lwsp	a1, 12(sp)
	c.addi16sp sp, 256
	ASSERT_EQ a0, 0x8765432112345678
	ASSERT_EQ a1, 0xfffffffffedcba98

	/* FP loads and stores */
	TEST_CASE 33
	la	a1, cdata
	c.fld	fa0, 8(a1)
	fmv.x.d	a0, fa0
	ASSERT_EQ a0, 0x1122334455667788
	TEST_CASE 34
	la	a1, cbuf
	li	a2, 0x400921fb54442d18
	fmv.d.x	fa1, a2
	c.fsd	fa1, 16(a1)
	ld	a0, 16(a1)
	ASSERT_EQ a0, 0x400921fb54442d18
	TEST_CASE 35
	c.addi16sp sp, -32
	li	a2, 0xc000000000000000
	fmv.d.x	fa2, a2
	c.fsdsp	fa2, 8(sp)
	c.fldsp	fa3, 8(sp)
	ld	a1, 8(sp)
	c.addi16sp sp, 32
	fmv.x.d	a0, fa3
	ASSERT_EQ a0, 0xc000000000000000
	ASSERT_EQ a1, 0xc000000000000000

	/* control transfer */
	TEST_CASE 36
	c.j	1f
	j	test_fail
1:
	TEST_CASE 37			/* backward c.j */
	j	2f
1:	c.j	3f
2:	c.j	1b
3:
	TEST_CASE 38
	la	a1, 1f
	c.jr	a1
	j	test_fail
1:
	TEST_CASE 39			/* c.jalr links pc + 2 */
	la	a1, 1f
	la	a2, 2f
	c.jalr	a1
2:	j	test_fail
1:	ASSERT_REQ ra, a2
	TEST_CASE 40			/* c.jalr to a subroutine and back */
	la	a1, c_sub
	li	a0, 0
	c.jalr	a1
	ASSERT_EQ a0, 55
	TEST_CASE 41
	li	a0, 0
	c.beqz	a0, 1f
	j	test_fail
1:
	TEST_CASE 42
	li	a0, 1
	c.beqz	a0, 1f
	c.j	2f
1:	j	test_fail
2:
	TEST_CASE 43
	li	a0, -5
	c.bnez	a0, 1f
	j	test_fail
1:
	TEST_CASE 44
	li	a0, 0
	c.bnez	a0, 1f
	c.j	2f
1:	j	test_fail
2:
	TEST_CASE 45			/* backward c.bnez loop */
	li	a0, 6
	li	a1, 0
1:	c.addi	a1, 2
	c.addi	a0, -1
	c.bnez	a0, 1b
	ASSERT_EQ a1, 12
	TEST_CASE 46
	c.nop
	c.nop
	li	a0, 1
	ASSERT_EQ a0, 1

	/* c.ebreak and illegal encodings */
	TEST_CASE 47
	EXPECT_TRAP
1:	c.ebreak
	CHECK_TRAP CAUSE_BREAKPOINT
	CHECK_EPC 1b
	ld	t5, trap_tval		/* 0 or the pc */
	beqz	t5, 2f
	la	t6, 1b
	ASSERT_REQ t5, t6
2:
	TEST_CASE 48			/* a 32-bit instruction at pc % 4 == 2 */
	.balign 4
	c.nop
	.option push
	.option norvc
	addi	a0, zero, 0x2a
	.option pop
	ASSERT_EQ a0, 0x2a
	TEST_CASE 49
	EXPECT_TRAP
1:	.2byte	0x0000
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_EPC 1b
	CHECK_TVAL 0
	TEST_CASE 50			/* c.addi4spn with nzuimm = 0 is reserved */
	EXPECT_TRAP
1:	.2byte	0x0004
	CHECK_TRAP CAUSE_ILLEGAL
	CHECK_EPC 1b
	ld	t5, trap_tval		/* 0 or the instruction bits */
	beqz	t5, 2f
	ASSERT_EQ t5, 0x0004
2:
	TEST_END

c_sub:
	c.li	a0, 31
	c.addi	a0, 24
	c.jr	ra

	.data
	.balign 8
cdata:	.word 0x01234567, 0x89abcdef
	.dword 0x1122334455667788
	.balign 8
cbuf:	.space 256
