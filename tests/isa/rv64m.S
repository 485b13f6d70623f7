/*
 * rv64m.S - M extension: mul/mulh/mulhsu/mulhu/mulw, div/divu/rem/remu and
 * the W forms, incl. division by zero and the INT_MIN / -1 overflow.
 * Expected values come from a reference model (two's complement, rounding
 * toward zero, RISC-V rules for x/0 and overflow).
 */
#include "test.h"

TEST_BEGIN
	TEST_RR 1, mul, 0x15, 0x3, 0x7
	TEST_RR 2, mul, 0xffffffffffffffeb, 0xfffffffffffffffd, 0x7
	TEST_RR 3, mul, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR 4, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 0x2
	TEST_RR 5, mul, 0xd77d742cce1833a9, 0x123456789, 0x987654321
	TEST_RR 6, mul, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
	TEST_RR 7, mulh, 0x0, 0x3, 0x7
	TEST_RR 8, mulh, 0xffffffffffffffff, 0xfffffffffffffffd, 0x7
	TEST_RR 9, mulh, 0x0, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR 10, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
	TEST_RR 11, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff
	TEST_RR 12, mulh, 0x0, 0x8000000000000000, 0xffffffffffffffff
	TEST_RR 13, mulh, 0xf6fa8b3175e0fb55, 0x123456789abcdef0, 0x8123456789abcdf0
	TEST_RR 14, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR 15, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
	TEST_RR 16, mulhsu, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
	TEST_RR 17, mulhsu, 0x7ffffffffffffffe, 0x7fffffffffffffff, 0xffffffffffffffff
	TEST_RR 18, mulhsu, 0x4, 0x5, 0xffffffffffffffff
	TEST_RR 19, mulhsu, 0xfffffffffffffffd, 0xfffffffffffffffb, 0x8000000000000000
	TEST_RR 20, mulhu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR 21, mulhu, 0x1, 0xffffffffffffffff, 0x2
	TEST_RR 22, mulhu, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000
	TEST_RR 23, mulhu, 0x121fa00ad77d7422, 0x123456789abcdef0, 0xfedcba9876543210
	TEST_RR 24, mulhu, 0x0, 0x7, 0x9
	TEST_RR 25, mulw, 0xfffffffffffffffe, 0x7fffffff, 0x2
	TEST_RR 26, mulw, 0x1, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR 27, mulw, 0x3, 0x100000001, 0x100000003
	TEST_RR 28, mulw, 0xffffffff80000000, 0x80000000, 0xffffffffffffffff
	TEST_RR 29, mulw, 0xffffffffe242d208, 0x12345678, 0x9abcdef
	TEST_RR 30, div, 0x3, 0x14, 0x6
	TEST_RR 31, div, 0xfffffffffffffffd, 0xffffffffffffffec, 0x6
	TEST_RR 32, div, 0xfffffffffffffffd, 0x14, 0xfffffffffffffffa
	TEST_RR 33, div, 0x3, 0xffffffffffffffec, 0xfffffffffffffffa
	TEST_RR 34, div, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
	TEST_RR 35, div, 0x8000000000000000, 0x8000000000000000, 0x1
	TEST_RR 36, div, 0xffffffffffffffff, 0x5, 0x0
	TEST_RR 37, div, 0xffffffffffffffff, 0xfffffffffffffffb, 0x0
	TEST_RR 38, div, 0xffffffffffffffff, 0x0, 0x0
	TEST_RR 39, divu, 0x3, 0x14, 0x6
	TEST_RR 40, divu, 0x2aaaaaaaaaaaaaa7, 0xffffffffffffffec, 0x6
	TEST_RR 41, divu, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
	TEST_RR 42, divu, 0xffffffffffffffff, 0x5, 0x0
	TEST_RR 43, divu, 0xffffffffffffffff, 0x0, 0x0
	TEST_RR 44, divu, 0x2aaaaaaaaaaaaaaa, 0x8000000000000000, 0x3
	TEST_RR 45, rem, 0x2, 0x14, 0x6
	TEST_RR 46, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0x6
	TEST_RR 47, rem, 0x2, 0x14, 0xfffffffffffffffa
	TEST_RR 48, rem, 0xfffffffffffffffe, 0xffffffffffffffec, 0xfffffffffffffffa
	TEST_RR 49, rem, 0x0, 0x8000000000000000, 0xffffffffffffffff
	TEST_RR 50, rem, 0x5, 0x5, 0x0
	TEST_RR 51, rem, 0xfffffffffffffffb, 0xfffffffffffffffb, 0x0
	TEST_RR 52, remu, 0x2, 0x14, 0x6
	TEST_RR 53, remu, 0x2, 0xffffffffffffffec, 0x6
	TEST_RR 54, remu, 0x5, 0x5, 0x0
	TEST_RR 55, remu, 0xffffffffffffffff, 0xffffffffffffffff, 0x0
	TEST_RR 56, remu, 0x2, 0x8000000000000000, 0x3
	TEST_RR 57, divw, 0x3, 0x14, 0x6
	TEST_RR 58, divw, 0xfffffffffffffffd, 0xffffffffffffffec, 0x6
	TEST_RR 59, divw, 0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff
	TEST_RR 60, divw, 0xffffffff80000000, 0x80000000, 0xffffffffffffffff
	TEST_RR 61, divw, 0xffffffffffffffff, 0x5, 0x0
	TEST_RR 62, divw, 0x3, 0x100000014, 0x6
	TEST_RR 63, divw, 0xffffffffffffffff, 0x12300000000, 0x0
	TEST_RR 64, divuw, 0x3, 0x14, 0x6
	TEST_RR 65, divuw, 0x2aaaaaa7, 0xffffffffffffffec, 0x6
	TEST_RR 66, divuw, 0xffffffff80000000, 0x80000000, 0x1
	TEST_RR 67, divuw, 0xffffffffffffffff, 0x5, 0x0
	TEST_RR 68, divuw, 0xffffffffffffffff, 0x1ffffffff, 0x1
	TEST_RR 69, divuw, 0x0, 0xfffffffe, 0xffffffff
	TEST_RR 70, remw, 0x2, 0x14, 0x6
	TEST_RR 71, remw, 0xfffffffffffffffe, 0xffffffffffffffec, 0x6
	TEST_RR 72, remw, 0x0, 0x80000000, 0xffffffffffffffff
	TEST_RR 73, remw, 0x5, 0x5, 0x0
	TEST_RR 74, remw, 0xfffffffffffffffb, 0x1fffffffb, 0x0
	TEST_RR 75, remw, 0xfffffffffffffffe, 0xffffffffffffffec, 0x100000006
	TEST_RR 76, remuw, 0x2, 0x14, 0x6
	TEST_RR 77, remuw, 0x2, 0xffffffffffffffec, 0x6
	TEST_RR 78, remuw, 0x5, 0x5, 0x0
	TEST_RR 79, remuw, 0xffffffff80000005, 0x80000005, 0x0
	TEST_RR 80, remuw, 0xf, 0x1ffffffff, 0x10
	TEST_RR_SAME 81, mul, 0x2710, 100
	TEST_RR_SAME 82, div, 1, -77
	TEST_RR_SAME 83, remu, 0, 0x123456789
	TEST_CASE 84			/* mulh + mul pair (full 128-bit product) */
	li	a1, 0xfedcba9876543210
	li	a2, 0x0123456789abcdef
	mulhu	a3, a1, a2
	mul	a4, a1, a2
	ASSERT_EQ a3, 0x0121fa00ad77d742
	ASSERT_EQ a4, 0x2236d88fe5618cf0
	TEST_CASE 85			/* div + rem pair */
	li	a1, -1000000007
	li	a2, 1000
	div	a3, a1, a2
	rem	a4, a1, a2
	ASSERT_EQ a3, -1000000
	ASSERT_EQ a4, -7
	TEST_CASE 86			/* results into x0 are discarded */
	li	a1, 6
	li	a2, 7
	mul	x0, a1, a2
	div	x0, a1, a2
	mv	a0, x0
	ASSERT_EQ a0, 0
	TEST_END
