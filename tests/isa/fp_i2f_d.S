/*
 * fp_i2f_d.S - integer to double precision: fcvt.d.w/wu/l/lu (only the low 32
 * bits of the source for .w/.wu) in all rounding modes with NX where the
 * value is not representable, and fcvt.d.s (exact; NaNs canonical, sNaN sets NV).
 */
#include "test.h"
#include "fp.h"

TEST_BEGIN
	FP_ON
	FCVTDIX 1, fcvt.d.w, 0x0, 0x0, 0x0	/* 0 */
	FCVTDIX 2, fcvt.d.w, 0x0, 0x3ff0000000000000, 0x1	/* 1 */
	FCVTDIX 3, fcvt.d.w, 0x0, 0xbff0000000000000, 0xffffffffffffffff	/* -1 */
	FCVTDIX 4, fcvt.d.w, 0x0, 0x4170000010000000, 0x1000001	/* 16777217 */
	FCVTDIX 5, fcvt.d.w, 0x0, 0x41dfffffffc00000, 0x7fffffff	/* 2147483647 */
	FCVTDIX 6, fcvt.d.w, 0x0, 0xc1e0000000000000, 0xffffffff80000000	/* -2147483648 */
	FCVTDIX 7, fcvt.d.w, 0x0, 0xbff0000000000000, 0xffffffff	/* -1 */
	FCVTDIX 8, fcvt.d.w, 0x0, 0xbff0000000000000, 0x7fffffffffffffff	/* -1 */
	FCVTDIX 9, fcvt.d.w, 0x0, 0x0, 0x8000000000000000	/* 0 */
	FCVTDIX 10, fcvt.d.w, 0x0, 0xbff0000000000000, 0xffffffffffffffff	/* -1 */
	FCVTDIX 11, fcvt.d.w, 0x0, 0xc1dbd50c84400000, 0x1234567890abcdef	/* -1867788817 */
	FCVTDIX 12, fcvt.d.w, 0x0, 0x4014000000000000, 0xffffffff00000005	/* 5 */
	FCVTDIX 13, fcvt.d.w, 0x0, 0x4008000000000000, 0x100000003	/* 3 */
	FCVTDIX 14, fcvt.d.w, 0x0, 0x3ff0000000000000, 0x20000000000001	/* 1 */
	FCVTDIX 15, fcvt.d.w, 0x0, 0xbff0000000000000, 0xffdfffffffffffff	/* -1 */
	FCVTDIX 16, fcvt.d.wu, 0x0, 0x0, 0x0	/* 0 */
	FCVTDIX 17, fcvt.d.wu, 0x0, 0x3ff0000000000000, 0x1	/* 1 */
	FCVTDIX 18, fcvt.d.wu, 0x0, 0x41efffffffe00000, 0xffffffffffffffff	/* 4294967295 */
	FCVTDIX 19, fcvt.d.wu, 0x0, 0x4170000010000000, 0x1000001	/* 16777217 */
	FCVTDIX 20, fcvt.d.wu, 0x0, 0x41dfffffffc00000, 0x7fffffff	/* 2147483647 */
	FCVTDIX 21, fcvt.d.wu, 0x0, 0x41e0000000000000, 0xffffffff80000000	/* 2147483648 */
	FCVTDIX 22, fcvt.d.wu, 0x0, 0x41efffffffe00000, 0xffffffff	/* 4294967295 */
	FCVTDIX 23, fcvt.d.wu, 0x0, 0x41efffffffe00000, 0x7fffffffffffffff	/* 4294967295 */
	FCVTDIX 24, fcvt.d.wu, 0x0, 0x0, 0x8000000000000000	/* 0 */
	FCVTDIX 25, fcvt.d.wu, 0x0, 0x41efffffffe00000, 0xffffffffffffffff	/* 4294967295 */
	FCVTDIX 26, fcvt.d.wu, 0x0, 0x41e21579bde00000, 0x1234567890abcdef	/* 2427178479 */
	FCVTDIX 27, fcvt.d.wu, 0x0, 0x4014000000000000, 0xffffffff00000005	/* 5 */
	FCVTDIX 28, fcvt.d.wu, 0x0, 0x4008000000000000, 0x100000003	/* 3 */
	FCVTDIX 29, fcvt.d.wu, 0x0, 0x3ff0000000000000, 0x20000000000001	/* 1 */
	FCVTDIX 30, fcvt.d.wu, 0x0, 0x41efffffffe00000, 0xffdfffffffffffff	/* 4294967295 */
	FCVTDI 31, fcvt.d.l, rne, 2, 0x0, 0x0, 0x0	/* 0 */
	FCVTDI 32, fcvt.d.l, rne, 2, 0x0, 0x3ff0000000000000, 0x1	/* 1 */
	FCVTDI 33, fcvt.d.l, rne, 2, 0x0, 0xbff0000000000000, 0xffffffffffffffff	/* -1 */
	FCVTDI 34, fcvt.d.l, rne, 2, 0x0, 0x4170000010000000, 0x1000001	/* 16777217 */
	FCVTDI 35, fcvt.d.l, rne, 2, 0x0, 0x41dfffffffc00000, 0x7fffffff	/* 2147483647 */
	FCVTDI 36, fcvt.d.l, rne, 2, 0x0, 0xc1e0000000000000, 0xffffffff80000000	/* -2147483648 */
	FCVTDI 37, fcvt.d.l, rne, 2, 0x0, 0x41efffffffe00000, 0xffffffff	/* 4294967295 */
	FCVTDI 38, fcvt.d.l, rne, 2, 0x1, 0x43e0000000000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 39, fcvt.d.l, rtz, 3, 0x1, 0x43dfffffffffffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 40, fcvt.d.l, rdn, 4, 0x1, 0x43dfffffffffffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 41, fcvt.d.l, rup, 0, 0x1, 0x43e0000000000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 42, fcvt.d.l, rmm, 1, 0x1, 0x43e0000000000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 43, fcvt.d.l, rne, 2, 0x0, 0xc3e0000000000000, 0x8000000000000000	/* -9223372036854775808 */
	FCVTDI 44, fcvt.d.l, rne, 2, 0x0, 0xbff0000000000000, 0xffffffffffffffff	/* -1 */
	FCVTDI 45, fcvt.d.l, rne, 2, 0x1, 0x43b234567890abce, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 46, fcvt.d.l, rtz, 3, 0x1, 0x43b234567890abcd, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 47, fcvt.d.l, rdn, 4, 0x1, 0x43b234567890abcd, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 48, fcvt.d.l, rup, 0, 0x1, 0x43b234567890abce, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 49, fcvt.d.l, rmm, 1, 0x1, 0x43b234567890abce, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 50, fcvt.d.l, rne, 2, 0x0, 0xc1efffffff600000, 0xffffffff00000005	/* -4294967291 */
	FCVTDI 51, fcvt.d.l, rne, 2, 0x0, 0x41f0000000300000, 0x100000003	/* 4294967299 */
	FCVTDI 52, fcvt.d.l, rne, 2, 0x1, 0x4340000000000000, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 53, fcvt.d.l, rtz, 3, 0x1, 0x4340000000000000, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 54, fcvt.d.l, rdn, 4, 0x1, 0x4340000000000000, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 55, fcvt.d.l, rup, 0, 0x1, 0x4340000000000001, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 56, fcvt.d.l, rmm, 1, 0x1, 0x4340000000000001, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 57, fcvt.d.l, rne, 2, 0x1, 0xc340000000000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTDI 58, fcvt.d.l, rtz, 3, 0x1, 0xc340000000000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTDI 59, fcvt.d.l, rdn, 4, 0x1, 0xc340000000000001, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTDI 60, fcvt.d.l, rup, 0, 0x1, 0xc340000000000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTDI 61, fcvt.d.l, rmm, 1, 0x1, 0xc340000000000001, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTDI 62, fcvt.d.l, dyn, 2, 0x1, 0x43dfffffffffffff, 0x7fffffffffffffff	/* dyn rdn */
	FCVTDI 63, fcvt.d.lu, rne, 2, 0x0, 0x0, 0x0	/* 0 */
	FCVTDI 64, fcvt.d.lu, rne, 2, 0x0, 0x3ff0000000000000, 0x1	/* 1 */
	FCVTDI 65, fcvt.d.lu, rne, 2, 0x1, 0x43f0000000000000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 66, fcvt.d.lu, rtz, 3, 0x1, 0x43efffffffffffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 67, fcvt.d.lu, rdn, 4, 0x1, 0x43efffffffffffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 68, fcvt.d.lu, rup, 0, 0x1, 0x43f0000000000000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 69, fcvt.d.lu, rmm, 1, 0x1, 0x43f0000000000000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 70, fcvt.d.lu, rne, 2, 0x0, 0x4170000010000000, 0x1000001	/* 16777217 */
	FCVTDI 71, fcvt.d.lu, rne, 2, 0x0, 0x41dfffffffc00000, 0x7fffffff	/* 2147483647 */
	FCVTDI 72, fcvt.d.lu, rne, 2, 0x0, 0x43effffffff00000, 0xffffffff80000000	/* 18446744071562067968 */
	FCVTDI 73, fcvt.d.lu, rne, 2, 0x0, 0x41efffffffe00000, 0xffffffff	/* 4294967295 */
	FCVTDI 74, fcvt.d.lu, rne, 2, 0x1, 0x43e0000000000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 75, fcvt.d.lu, rtz, 3, 0x1, 0x43dfffffffffffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 76, fcvt.d.lu, rdn, 4, 0x1, 0x43dfffffffffffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 77, fcvt.d.lu, rup, 0, 0x1, 0x43e0000000000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 78, fcvt.d.lu, rmm, 1, 0x1, 0x43e0000000000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTDI 79, fcvt.d.lu, rne, 2, 0x0, 0x43e0000000000000, 0x8000000000000000	/* 9223372036854775808 */
	FCVTDI 80, fcvt.d.lu, rne, 2, 0x1, 0x43f0000000000000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 81, fcvt.d.lu, rtz, 3, 0x1, 0x43efffffffffffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 82, fcvt.d.lu, rdn, 4, 0x1, 0x43efffffffffffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 83, fcvt.d.lu, rup, 0, 0x1, 0x43f0000000000000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 84, fcvt.d.lu, rmm, 1, 0x1, 0x43f0000000000000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTDI 85, fcvt.d.lu, rne, 2, 0x1, 0x43b234567890abce, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 86, fcvt.d.lu, rtz, 3, 0x1, 0x43b234567890abcd, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 87, fcvt.d.lu, rdn, 4, 0x1, 0x43b234567890abcd, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 88, fcvt.d.lu, rup, 0, 0x1, 0x43b234567890abce, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 89, fcvt.d.lu, rmm, 1, 0x1, 0x43b234567890abce, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTDI 90, fcvt.d.lu, rne, 2, 0x1, 0x43efffffffe00000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTDI 91, fcvt.d.lu, rtz, 3, 0x1, 0x43efffffffe00000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTDI 92, fcvt.d.lu, rdn, 4, 0x1, 0x43efffffffe00000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTDI 93, fcvt.d.lu, rup, 0, 0x1, 0x43efffffffe00001, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTDI 94, fcvt.d.lu, rmm, 1, 0x1, 0x43efffffffe00000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTDI 95, fcvt.d.lu, rne, 2, 0x0, 0x41f0000000300000, 0x100000003	/* 4294967299 */
	FCVTDI 96, fcvt.d.lu, rne, 2, 0x1, 0x4340000000000000, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 97, fcvt.d.lu, rtz, 3, 0x1, 0x4340000000000000, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 98, fcvt.d.lu, rdn, 4, 0x1, 0x4340000000000000, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 99, fcvt.d.lu, rup, 0, 0x1, 0x4340000000000001, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 100, fcvt.d.lu, rmm, 1, 0x1, 0x4340000000000001, 0x20000000000001	/* 9007199254740993 */
	FCVTDI 101, fcvt.d.lu, rne, 2, 0x1, 0x43effc0000000000, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTDI 102, fcvt.d.lu, rtz, 3, 0x1, 0x43effbffffffffff, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTDI 103, fcvt.d.lu, rdn, 4, 0x1, 0x43effbffffffffff, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTDI 104, fcvt.d.lu, rup, 0, 0x1, 0x43effc0000000000, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTDI 105, fcvt.d.lu, rmm, 1, 0x1, 0x43effc0000000000, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTDI 106, fcvt.d.lu, dyn, 2, 0x1, 0x43dfffffffffffff, 0x7fffffffffffffff	/* dyn rdn */
	FCVTDS 107, 0x0, 0x3fb99999a0000000, 0x3dcccccd	/* 0.1 */
	FCVTDS 108, 0x0, 0x7ff8000000000000, 0x7fc00000	/* qNaN */
	FCVTDS 109, 0x10, 0x7ff8000000000000, 0x7f800001	/* sNaN */
	FCVTDS 110, 0x0, 0x7ff8000000000000, 0xffc12345	/* -qNaN */
	FCVTDS 111, 0x0, 0xfff0000000000000, 0xff800000	/* -inf */
	FCVTDS 112, 0x0, 0x8000000000000000, 0x80000000	/* -0 */
	FCVTDS 113, 0x0, 0x36a0000000000000, 0x1	/* minsub */
	FCVTDS 114, 0x0, 0x47efffffe0000000, 0x7f7fffff	/* max */
	FCVTDS 115, 0x0, 0xbff8000000000000, 0xbfc00000	/* -1.5 */
	TEST_END
