/*
 * rv64a.S - A extension: every AMO*.W / AMO*.D (old value returned, .W
 * sign-extended, memory result, upper word untouched by .W), LR/SC success
 * and failure, reservation clearing, misaligned AMO/LR (must trap: a
 * misaligned or an access-fault cause is accepted).
 */
#include "test.h"

/* dword at amodata = init; op a0, val, (amodata); a0 == old; dword == mem */
.macro TEST_AMO n, op, init, val, mem, old
	TEST_CASE \n
	la	a1, amodata
	li	a2, \init
	sd	a2, 0(a1)
	li	a3, \val
	\op	a0, a3, (a1)
	ASSERT_EQ a0, \old
	ld	a4, 0(a1)
	ASSERT_EQ a4, \mem
.endm

/* op a0, a3, (amodata + off) must trap; memory stays intact. Accepted
 * causes: misaligned store/AMO (6) or store/AMO access fault (7) as the
 * spec says, and also misaligned load (4) / load access fault (5), which
 * QEMU 7.2 raises for AMOs. tval = the address for the misaligned causes. */
.macro TEST_AMO_MISALIGNED n, op, off
	TEST_CASE \n
	la	a1, amodata
	li	a2, 0x1122334455667788
	sd	a2, 0(a1)
	sd	a2, 8(a1)
	addi	a4, a1, \off
	li	a3, 1
	EXPECT_TRAP
	\op	a0, a3, (a4)
	ASSERT_MEM trap_expect, 0
	ld	t5, trap_cause
	li	t6, CAUSE_STORE_ACCESS
	beq	t5, t6, .Lac\@
	li	t6, CAUSE_LOAD_ACCESS
	beq	t5, t6, .Lac\@
	li	t6, CAUSE_MISALIGNED_LOAD
	beq	t5, t6, .Lmis\@
	ASSERT_EQ t5, CAUSE_MISALIGNED_STORE
.Lmis\@:
	CHECK_TVAL_REG a4
.Lac\@:
	ld	a0, 0(a1)
	ASSERT_EQ a0, 0x1122334455667788
	ld	a0, 8(a1)
	ASSERT_EQ a0, 0x1122334455667788
.endm

TEST_BEGIN
	TEST_AMO 1, amoswap.d, 0x123456789abcdef, 0x1111111111111111, 0x1111111111111111, 0x123456789abcdef
	TEST_AMO 2, amoswap.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000
	TEST_AMO 3, amoswap.d, 0xfffffffffffffffb, 0x3, 0x3, 0xfffffffffffffffb
	TEST_AMO 4, amoswap.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe11111111, 0xffffffff89abcdef
	TEST_AMO 5, amoswap.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabe7fffffff, 0xffffffff80000000
	TEST_AMO 6, amoswap.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabe00000003, 0xfffffffffffffffb
	TEST_AMO 7, amoadd.d, 0x123456789abcdef, 0x1111111111111111, 0x123456789abcdf00, 0x123456789abcdef
	TEST_AMO 8, amoadd.d, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff, 0x8000000000000000
	TEST_AMO 9, amoadd.d, 0xfffffffffffffffb, 0x3, 0xfffffffffffffffe, 0xfffffffffffffffb
	TEST_AMO 10, amoadd.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe9abcdf00, 0xffffffff89abcdef
	TEST_AMO 11, amoadd.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabeffffffff, 0xffffffff80000000
	TEST_AMO 12, amoadd.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabefffffffe, 0xfffffffffffffffb
	TEST_AMO 13, amoxor.d, 0x123456789abcdef, 0x1111111111111111, 0x1032547698badcfe, 0x123456789abcdef
	TEST_AMO 14, amoxor.d, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff, 0x8000000000000000
	TEST_AMO 15, amoxor.d, 0xfffffffffffffffb, 0x3, 0xfffffffffffffff8, 0xfffffffffffffffb
	TEST_AMO 16, amoxor.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe98badcfe, 0xffffffff89abcdef
	TEST_AMO 17, amoxor.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabeffffffff, 0xffffffff80000000
	TEST_AMO 18, amoxor.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabefffffff8, 0xfffffffffffffffb
	TEST_AMO 19, amoand.d, 0x123456789abcdef, 0x1111111111111111, 0x101010101010101, 0x123456789abcdef
	TEST_AMO 20, amoand.d, 0x8000000000000000, 0x7fffffffffffffff, 0x0, 0x8000000000000000
	TEST_AMO 21, amoand.d, 0xfffffffffffffffb, 0x3, 0x3, 0xfffffffffffffffb
	TEST_AMO 22, amoand.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe01010101, 0xffffffff89abcdef
	TEST_AMO 23, amoand.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabe00000000, 0xffffffff80000000
	TEST_AMO 24, amoand.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabe00000003, 0xfffffffffffffffb
	TEST_AMO 25, amoor.d, 0x123456789abcdef, 0x1111111111111111, 0x1133557799bbddff, 0x123456789abcdef
	TEST_AMO 26, amoor.d, 0x8000000000000000, 0x7fffffffffffffff, 0xffffffffffffffff, 0x8000000000000000
	TEST_AMO 27, amoor.d, 0xfffffffffffffffb, 0x3, 0xfffffffffffffffb, 0xfffffffffffffffb
	TEST_AMO 28, amoor.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe99bbddff, 0xffffffff89abcdef
	TEST_AMO 29, amoor.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabeffffffff, 0xffffffff80000000
	TEST_AMO 30, amoor.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabefffffffb, 0xfffffffffffffffb
	TEST_AMO 31, amomin.d, 0x123456789abcdef, 0x1111111111111111, 0x123456789abcdef, 0x123456789abcdef
	TEST_AMO 32, amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
	TEST_AMO 33, amomin.d, 0xfffffffffffffffb, 0x3, 0xfffffffffffffffb, 0xfffffffffffffffb
	TEST_AMO 34, amomin.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe89abcdef, 0xffffffff89abcdef
	TEST_AMO 35, amomin.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabe80000000, 0xffffffff80000000
	TEST_AMO 36, amomin.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabefffffffb, 0xfffffffffffffffb
	TEST_AMO 37, amomax.d, 0x123456789abcdef, 0x1111111111111111, 0x1111111111111111, 0x123456789abcdef
	TEST_AMO 38, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000
	TEST_AMO 39, amomax.d, 0xfffffffffffffffb, 0x3, 0x3, 0xfffffffffffffffb
	TEST_AMO 40, amomax.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe11111111, 0xffffffff89abcdef
	TEST_AMO 41, amomax.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabe7fffffff, 0xffffffff80000000
	TEST_AMO 42, amomax.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabe00000003, 0xfffffffffffffffb
	TEST_AMO 43, amominu.d, 0x123456789abcdef, 0x1111111111111111, 0x123456789abcdef, 0x123456789abcdef
	TEST_AMO 44, amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000
	TEST_AMO 45, amominu.d, 0xfffffffffffffffb, 0x3, 0x3, 0xfffffffffffffffb
	TEST_AMO 46, amominu.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe11111111, 0xffffffff89abcdef
	TEST_AMO 47, amominu.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabe7fffffff, 0xffffffff80000000
	TEST_AMO 48, amominu.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabe00000003, 0xfffffffffffffffb
	TEST_AMO 49, amomaxu.d, 0x123456789abcdef, 0x1111111111111111, 0x1111111111111111, 0x123456789abcdef
	TEST_AMO 50, amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000
	TEST_AMO 51, amomaxu.d, 0xfffffffffffffffb, 0x3, 0xfffffffffffffffb, 0xfffffffffffffffb
	TEST_AMO 52, amomaxu.w, 0xcafebabe89abcdef, 0xdead000011111111, 0xcafebabe89abcdef, 0xffffffff89abcdef
	TEST_AMO 53, amomaxu.w, 0xcafebabe80000000, 0xdead00007fffffff, 0xcafebabe80000000, 0xffffffff80000000
	TEST_AMO 54, amomaxu.w, 0xcafebabefffffffb, 0xdead000000000003, 0xcafebabefffffffb, 0xfffffffffffffffb
	/* ordering bits, rd = x0, rd = rs2 */
	TEST_AMO 55, amoadd.d.aq, 10, 5, 15, 10
	TEST_AMO 56, amoadd.w.rl, 0xcafebabe00000010, 5, 0xcafebabe00000015, 0x10
	TEST_AMO 57, amoor.d.aqrl, 0xf0, 0x0f, 0xff, 0xf0
	TEST_CASE 58
	la	a1, amodata
	li	a2, 100
	sd	a2, 0(a1)
	li	a3, 23
	amoadd.d x0, a3, (a1)
	ld	a0, 0(a1)
	ASSERT_EQ a0, 123
	TEST_CASE 59
	la	a1, amodata
	li	a2, 0x5555
	sd	a2, 0(a1)
	li	a3, 0x7777
	amoswap.d a3, a3, (a1)
	ASSERT_EQ a3, 0x5555
	ld	a0, 0(a1)
	ASSERT_EQ a0, 0x7777

	/* ---- LR / SC ---- */
	TEST_CASE 60			/* lr.d / sc.d success */
	la	a1, amodata
	li	a2, 41
	sd	a2, 0(a1)
	lr.d	a0, (a1)
	ASSERT_EQ a0, 41
	addi	a0, a0, 1
	sc.d	a4, a0, (a1)
	ASSERT_EQ a4, 0
	ld	a0, 0(a1)
	ASSERT_EQ a0, 42
	TEST_CASE 61			/* a second sc.d without a new lr fails */
	li	a0, 99
	sc.d	a4, a0, (a1)
	ASSERT_NE a4, 0
	ld	a0, 0(a1)
	ASSERT_EQ a0, 42
	TEST_CASE 62			/* lr.w sign-extends, sc.w success */
	la	a1, amodata
	li	a2, 0xcafebabe80000001
	sd	a2, 0(a1)
	lr.w	a0, (a1)
	ASSERT_EQ a0, 0xffffffff80000001
	li	a3, 0x12345678
	sc.w	a4, a3, (a1)
	ASSERT_EQ a4, 0
	ld	a0, 0(a1)
	ASSERT_EQ a0, 0xcafebabe12345678
	TEST_CASE 63			/* sc.w after a successful sc.w fails */
	li	a3, 0x1111
	sc.w	a4, a3, (a1)
	ASSERT_NE a4, 0
	ld	a0, 0(a1)
	ASSERT_EQ a0, 0xcafebabe12345678
	TEST_CASE 64			/* sc without any reservation fails */
	la	a1, amodata2
	li	a2, 7
	sd	a2, 0(a1)
	li	a3, 8
	sc.d	a4, a3, (a1)
	ASSERT_NE a4, 0
	ld	a0, 0(a1)
	ASSERT_EQ a0, 7
	TEST_CASE 65			/* sc to an address in another page fails */
	la	a1, amodata
	la	a2, amodata_far
	sd	zero, 0(a2)
	lr.d	a0, (a1)
	li	a3, 5
	sc.d	a4, a3, (a2)
	ASSERT_NE a4, 0
	ld	a0, 0(a2)
	ASSERT_EQ a0, 0
	sc.d	a4, a3, (a1)		/* whatever: clears the reservation */
	TEST_CASE 66			/* store to the reserved address: sc may
					 * succeed or fail; a following sc fails */
	la	a1, amodata
	lr.d	a0, (a1)
	li	a3, 0x66
	sd	a3, 0(a1)
	li	a3, 0x67
	sc.d	a4, a3, (a1)
	ld	a0, 0(a1)
	beqz	a4, 1f
	ASSERT_EQ a0, 0x66		/* failed: the plain store stays */
	j	2f
1:	ASSERT_EQ a0, 0x67		/* succeeded: sc's value */
2:	li	a3, 0x68
	sc.d	a4, a3, (a1)
	ASSERT_NE a4, 0
	TEST_CASE 67			/* bounded lr/sc retry loop: atomic add */
	la	a1, amodata
	li	a2, 1000
	sd	a2, 0(a1)
	li	a5, 20			/* 20 increments */
3:	li	a6, 100			/* retries per increment */
1:	lr.w.aq	a0, (a1)
	addiw	a0, a0, 3
	sc.w.rl	a4, a0, (a1)
	beqz	a4, 2f
	addi	a6, a6, -1
	bnez	a6, 1b
	j	test_fail
2:	addi	a5, a5, -1
	bnez	a5, 3b
	ld	a0, 0(a1)
	ASSERT_EQ a0, 1060
	TEST_CASE 68			/* lr.d of a value is not sign-changed */
	la	a1, amodata
	li	a2, 0x8000000000000000
	sd	a2, 0(a1)
	lr.d	a0, (a1)
	ASSERT_EQ a0, 0x8000000000000000
	sc.d	a4, a0, (a1)
	ASSERT_EQ a4, 0

	/* ---- misaligned: AMOs and LR must trap ---- */
	TEST_AMO_MISALIGNED 69, amoadd.w, 2
	TEST_AMO_MISALIGNED 70, amoswap.w, 1
	TEST_AMO_MISALIGNED 71, amoadd.d, 4
	TEST_AMO_MISALIGNED 72, amomaxu.d, 6
	TEST_CASE 73			/* lr.w misaligned */
	la	a1, amodata
	addi	a4, a1, 2
	li	a0, 0x77
	EXPECT_TRAP
	lr.w	a0, (a4)
	ASSERT_MEM trap_expect, 0
	ASSERT_EQ a0, 0x77
	ld	t5, trap_cause
	li	t6, CAUSE_LOAD_ACCESS
	beq	t5, t6, 1f
	ASSERT_EQ t5, CAUSE_MISALIGNED_LOAD
	CHECK_TVAL_REG a4
1:
	TEST_CASE 74			/* lr.d misaligned */
	la	a1, amodata
	addi	a4, a1, 4
	EXPECT_TRAP
	lr.d	a0, (a4)
	ASSERT_MEM trap_expect, 0
	ld	t5, trap_cause
	li	t6, CAUSE_LOAD_ACCESS
	beq	t5, t6, 1f
	ASSERT_EQ t5, CAUSE_MISALIGNED_LOAD
	CHECK_TVAL_REG a4
1:
	TEST_CASE 75			/* sc.d misaligned: a misaligned/access trap,
					 * or (no reservation there) a plain failure */
	la	a1, amodata
	li	a2, 0x1122334455667788
	sd	a2, 0(a1)
	sd	a2, 8(a1)
	addi	a4, a1, 4
	li	a3, 0
	EXPECT_TRAP
	li	a0, 0x5a
	sc.d	a0, a3, (a4)
	ld	t5, trap_expect
	beqz	t5, 1f
	CHECK_NO_TRAP
	ASSERT_NE a0, 0
	j	2f
1:	ld	t5, trap_cause
	li	t6, CAUSE_STORE_ACCESS
	beq	t5, t6, 2f
	ASSERT_EQ t5, CAUSE_MISALIGNED_STORE
2:	ld	a0, 0(a1)
	ASSERT_EQ a0, 0x1122334455667788
	ld	a0, 8(a1)
	ASSERT_EQ a0, 0x1122334455667788
	TEST_END

	.data
	.balign 64
amodata:	.dword 0, 0, 0, 0
amodata2:	.dword 0
	.balign 4096
amodata_far:	.dword 0
