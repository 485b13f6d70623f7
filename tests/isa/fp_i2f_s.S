/*
 * fp_i2f_s.S - integer to single precision: fcvt.s.w/wu/l/lu (only the low 32
 * bits of the source for .w/.wu) in all rounding modes with NX where the
 * value is not representable, and fcvt.s.d (rounding, OF, UF, NaNs canonical, sNaN sets NV).
 */
#include "test.h"
#include "fp.h"

TEST_BEGIN
	FP_ON
	FCVTSI 1, fcvt.s.w, rne, 2, 0x0, 0x0, 0x0	/* 0 */
	FCVTSI 2, fcvt.s.w, rne, 2, 0x0, 0x3f800000, 0x1	/* 1 */
	FCVTSI 3, fcvt.s.w, rne, 2, 0x0, 0xbf800000, 0xffffffffffffffff	/* -1 */
	FCVTSI 4, fcvt.s.w, rne, 2, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 5, fcvt.s.w, rtz, 3, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 6, fcvt.s.w, rdn, 4, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 7, fcvt.s.w, rup, 0, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 8, fcvt.s.w, rmm, 1, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 9, fcvt.s.w, rne, 2, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 10, fcvt.s.w, rtz, 3, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 11, fcvt.s.w, rdn, 4, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 12, fcvt.s.w, rup, 0, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 13, fcvt.s.w, rmm, 1, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 14, fcvt.s.w, rne, 2, 0x0, 0xcf000000, 0xffffffff80000000	/* -2147483648 */
	FCVTSI 15, fcvt.s.w, rne, 2, 0x0, 0xbf800000, 0xffffffff	/* -1 */
	FCVTSI 16, fcvt.s.w, rne, 2, 0x0, 0xbf800000, 0x7fffffffffffffff	/* -1 */
	FCVTSI 17, fcvt.s.w, rne, 2, 0x0, 0x0, 0x8000000000000000	/* 0 */
	FCVTSI 18, fcvt.s.w, rne, 2, 0x0, 0xbf800000, 0xffffffffffffffff	/* -1 */
	FCVTSI 19, fcvt.s.w, rne, 2, 0x1, 0xcedea864, 0x1234567890abcdef	/* -1867788817 */
	FCVTSI 20, fcvt.s.w, rtz, 3, 0x1, 0xcedea864, 0x1234567890abcdef	/* -1867788817 */
	FCVTSI 21, fcvt.s.w, rdn, 4, 0x1, 0xcedea865, 0x1234567890abcdef	/* -1867788817 */
	FCVTSI 22, fcvt.s.w, rup, 0, 0x1, 0xcedea864, 0x1234567890abcdef	/* -1867788817 */
	FCVTSI 23, fcvt.s.w, rmm, 1, 0x1, 0xcedea864, 0x1234567890abcdef	/* -1867788817 */
	FCVTSI 24, fcvt.s.w, rne, 2, 0x0, 0x40a00000, 0xffffffff00000005	/* 5 */
	FCVTSI 25, fcvt.s.w, rne, 2, 0x0, 0x40400000, 0x100000003	/* 3 */
	FCVTSI 26, fcvt.s.w, rne, 2, 0x0, 0x3f800000, 0x20000000000001	/* 1 */
	FCVTSI 27, fcvt.s.w, rne, 2, 0x0, 0xbf800000, 0xffdfffffffffffff	/* -1 */
	FCVTSI 28, fcvt.s.w, dyn, 2, 0x1, 0x4effffff, 0x7fffffff	/* dyn rdn */
	FCVTSI 29, fcvt.s.wu, rne, 2, 0x0, 0x0, 0x0	/* 0 */
	FCVTSI 30, fcvt.s.wu, rne, 2, 0x0, 0x3f800000, 0x1	/* 1 */
	FCVTSI 31, fcvt.s.wu, rne, 2, 0x1, 0x4f800000, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 32, fcvt.s.wu, rtz, 3, 0x1, 0x4f7fffff, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 33, fcvt.s.wu, rdn, 4, 0x1, 0x4f7fffff, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 34, fcvt.s.wu, rup, 0, 0x1, 0x4f800000, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 35, fcvt.s.wu, rmm, 1, 0x1, 0x4f800000, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 36, fcvt.s.wu, rne, 2, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 37, fcvt.s.wu, rtz, 3, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 38, fcvt.s.wu, rdn, 4, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 39, fcvt.s.wu, rup, 0, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 40, fcvt.s.wu, rmm, 1, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 41, fcvt.s.wu, rne, 2, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 42, fcvt.s.wu, rtz, 3, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 43, fcvt.s.wu, rdn, 4, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 44, fcvt.s.wu, rup, 0, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 45, fcvt.s.wu, rmm, 1, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 46, fcvt.s.wu, rne, 2, 0x0, 0x4f000000, 0xffffffff80000000	/* 2147483648 */
	FCVTSI 47, fcvt.s.wu, rne, 2, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 48, fcvt.s.wu, rtz, 3, 0x1, 0x4f7fffff, 0xffffffff	/* 4294967295 */
	FCVTSI 49, fcvt.s.wu, rdn, 4, 0x1, 0x4f7fffff, 0xffffffff	/* 4294967295 */
	FCVTSI 50, fcvt.s.wu, rup, 0, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 51, fcvt.s.wu, rmm, 1, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 52, fcvt.s.wu, rne, 2, 0x1, 0x4f800000, 0x7fffffffffffffff	/* 4294967295 */
	FCVTSI 53, fcvt.s.wu, rtz, 3, 0x1, 0x4f7fffff, 0x7fffffffffffffff	/* 4294967295 */
	FCVTSI 54, fcvt.s.wu, rdn, 4, 0x1, 0x4f7fffff, 0x7fffffffffffffff	/* 4294967295 */
	FCVTSI 55, fcvt.s.wu, rup, 0, 0x1, 0x4f800000, 0x7fffffffffffffff	/* 4294967295 */
	FCVTSI 56, fcvt.s.wu, rmm, 1, 0x1, 0x4f800000, 0x7fffffffffffffff	/* 4294967295 */
	FCVTSI 57, fcvt.s.wu, rne, 2, 0x0, 0x0, 0x8000000000000000	/* 0 */
	FCVTSI 58, fcvt.s.wu, rne, 2, 0x1, 0x4f800000, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 59, fcvt.s.wu, rtz, 3, 0x1, 0x4f7fffff, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 60, fcvt.s.wu, rdn, 4, 0x1, 0x4f7fffff, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 61, fcvt.s.wu, rup, 0, 0x1, 0x4f800000, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 62, fcvt.s.wu, rmm, 1, 0x1, 0x4f800000, 0xffffffffffffffff	/* 4294967295 */
	FCVTSI 63, fcvt.s.wu, rne, 2, 0x1, 0x4f10abce, 0x1234567890abcdef	/* 2427178479 */
	FCVTSI 64, fcvt.s.wu, rtz, 3, 0x1, 0x4f10abcd, 0x1234567890abcdef	/* 2427178479 */
	FCVTSI 65, fcvt.s.wu, rdn, 4, 0x1, 0x4f10abcd, 0x1234567890abcdef	/* 2427178479 */
	FCVTSI 66, fcvt.s.wu, rup, 0, 0x1, 0x4f10abce, 0x1234567890abcdef	/* 2427178479 */
	FCVTSI 67, fcvt.s.wu, rmm, 1, 0x1, 0x4f10abce, 0x1234567890abcdef	/* 2427178479 */
	FCVTSI 68, fcvt.s.wu, rne, 2, 0x0, 0x40a00000, 0xffffffff00000005	/* 5 */
	FCVTSI 69, fcvt.s.wu, rne, 2, 0x0, 0x40400000, 0x100000003	/* 3 */
	FCVTSI 70, fcvt.s.wu, rne, 2, 0x0, 0x3f800000, 0x20000000000001	/* 1 */
	FCVTSI 71, fcvt.s.wu, rne, 2, 0x1, 0x4f800000, 0xffdfffffffffffff	/* 4294967295 */
	FCVTSI 72, fcvt.s.wu, rtz, 3, 0x1, 0x4f7fffff, 0xffdfffffffffffff	/* 4294967295 */
	FCVTSI 73, fcvt.s.wu, rdn, 4, 0x1, 0x4f7fffff, 0xffdfffffffffffff	/* 4294967295 */
	FCVTSI 74, fcvt.s.wu, rup, 0, 0x1, 0x4f800000, 0xffdfffffffffffff	/* 4294967295 */
	FCVTSI 75, fcvt.s.wu, rmm, 1, 0x1, 0x4f800000, 0xffdfffffffffffff	/* 4294967295 */
	FCVTSI 76, fcvt.s.wu, dyn, 2, 0x1, 0x4effffff, 0x7fffffff	/* dyn rdn */
	FCVTSI 77, fcvt.s.l, rne, 2, 0x0, 0x0, 0x0	/* 0 */
	FCVTSI 78, fcvt.s.l, rne, 2, 0x0, 0x3f800000, 0x1	/* 1 */
	FCVTSI 79, fcvt.s.l, rne, 2, 0x0, 0xbf800000, 0xffffffffffffffff	/* -1 */
	FCVTSI 80, fcvt.s.l, rne, 2, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 81, fcvt.s.l, rtz, 3, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 82, fcvt.s.l, rdn, 4, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 83, fcvt.s.l, rup, 0, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 84, fcvt.s.l, rmm, 1, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 85, fcvt.s.l, rne, 2, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 86, fcvt.s.l, rtz, 3, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 87, fcvt.s.l, rdn, 4, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 88, fcvt.s.l, rup, 0, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 89, fcvt.s.l, rmm, 1, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 90, fcvt.s.l, rne, 2, 0x0, 0xcf000000, 0xffffffff80000000	/* -2147483648 */
	FCVTSI 91, fcvt.s.l, rne, 2, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 92, fcvt.s.l, rtz, 3, 0x1, 0x4f7fffff, 0xffffffff	/* 4294967295 */
	FCVTSI 93, fcvt.s.l, rdn, 4, 0x1, 0x4f7fffff, 0xffffffff	/* 4294967295 */
	FCVTSI 94, fcvt.s.l, rup, 0, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 95, fcvt.s.l, rmm, 1, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 96, fcvt.s.l, rne, 2, 0x1, 0x5f000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 97, fcvt.s.l, rtz, 3, 0x1, 0x5effffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 98, fcvt.s.l, rdn, 4, 0x1, 0x5effffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 99, fcvt.s.l, rup, 0, 0x1, 0x5f000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 100, fcvt.s.l, rmm, 1, 0x1, 0x5f000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 101, fcvt.s.l, rne, 2, 0x0, 0xdf000000, 0x8000000000000000	/* -9223372036854775808 */
	FCVTSI 102, fcvt.s.l, rne, 2, 0x0, 0xbf800000, 0xffffffffffffffff	/* -1 */
	FCVTSI 103, fcvt.s.l, rne, 2, 0x1, 0x5d91a2b4, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 104, fcvt.s.l, rtz, 3, 0x1, 0x5d91a2b3, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 105, fcvt.s.l, rdn, 4, 0x1, 0x5d91a2b3, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 106, fcvt.s.l, rup, 0, 0x1, 0x5d91a2b4, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 107, fcvt.s.l, rmm, 1, 0x1, 0x5d91a2b4, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 108, fcvt.s.l, rne, 2, 0x1, 0xcf800000, 0xffffffff00000005	/* -4294967291 */
	FCVTSI 109, fcvt.s.l, rtz, 3, 0x1, 0xcf7fffff, 0xffffffff00000005	/* -4294967291 */
	FCVTSI 110, fcvt.s.l, rdn, 4, 0x1, 0xcf800000, 0xffffffff00000005	/* -4294967291 */
	FCVTSI 111, fcvt.s.l, rup, 0, 0x1, 0xcf7fffff, 0xffffffff00000005	/* -4294967291 */
	FCVTSI 112, fcvt.s.l, rmm, 1, 0x1, 0xcf800000, 0xffffffff00000005	/* -4294967291 */
	FCVTSI 113, fcvt.s.l, rne, 2, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 114, fcvt.s.l, rtz, 3, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 115, fcvt.s.l, rdn, 4, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 116, fcvt.s.l, rup, 0, 0x1, 0x4f800001, 0x100000003	/* 4294967299 */
	FCVTSI 117, fcvt.s.l, rmm, 1, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 118, fcvt.s.l, rne, 2, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 119, fcvt.s.l, rtz, 3, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 120, fcvt.s.l, rdn, 4, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 121, fcvt.s.l, rup, 0, 0x1, 0x5a000001, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 122, fcvt.s.l, rmm, 1, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 123, fcvt.s.l, rne, 2, 0x1, 0xda000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTSI 124, fcvt.s.l, rtz, 3, 0x1, 0xda000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTSI 125, fcvt.s.l, rdn, 4, 0x1, 0xda000001, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTSI 126, fcvt.s.l, rup, 0, 0x1, 0xda000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTSI 127, fcvt.s.l, rmm, 1, 0x1, 0xda000000, 0xffdfffffffffffff	/* -9007199254740993 */
	FCVTSI 128, fcvt.s.l, dyn, 2, 0x1, 0x5effffff, 0x7fffffffffffffff	/* dyn rdn */
	FCVTSI 129, fcvt.s.lu, rne, 2, 0x0, 0x0, 0x0	/* 0 */
	FCVTSI 130, fcvt.s.lu, rne, 2, 0x0, 0x3f800000, 0x1	/* 1 */
	FCVTSI 131, fcvt.s.lu, rne, 2, 0x1, 0x5f800000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 132, fcvt.s.lu, rtz, 3, 0x1, 0x5f7fffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 133, fcvt.s.lu, rdn, 4, 0x1, 0x5f7fffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 134, fcvt.s.lu, rup, 0, 0x1, 0x5f800000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 135, fcvt.s.lu, rmm, 1, 0x1, 0x5f800000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 136, fcvt.s.lu, rne, 2, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 137, fcvt.s.lu, rtz, 3, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 138, fcvt.s.lu, rdn, 4, 0x1, 0x4b800000, 0x1000001	/* 16777217 */
	FCVTSI 139, fcvt.s.lu, rup, 0, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 140, fcvt.s.lu, rmm, 1, 0x1, 0x4b800001, 0x1000001	/* 16777217 */
	FCVTSI 141, fcvt.s.lu, rne, 2, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 142, fcvt.s.lu, rtz, 3, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 143, fcvt.s.lu, rdn, 4, 0x1, 0x4effffff, 0x7fffffff	/* 2147483647 */
	FCVTSI 144, fcvt.s.lu, rup, 0, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 145, fcvt.s.lu, rmm, 1, 0x1, 0x4f000000, 0x7fffffff	/* 2147483647 */
	FCVTSI 146, fcvt.s.lu, rne, 2, 0x1, 0x5f800000, 0xffffffff80000000	/* 18446744071562067968 */
	FCVTSI 147, fcvt.s.lu, rtz, 3, 0x1, 0x5f7fffff, 0xffffffff80000000	/* 18446744071562067968 */
	FCVTSI 148, fcvt.s.lu, rdn, 4, 0x1, 0x5f7fffff, 0xffffffff80000000	/* 18446744071562067968 */
	FCVTSI 149, fcvt.s.lu, rup, 0, 0x1, 0x5f800000, 0xffffffff80000000	/* 18446744071562067968 */
	FCVTSI 150, fcvt.s.lu, rmm, 1, 0x1, 0x5f800000, 0xffffffff80000000	/* 18446744071562067968 */
	FCVTSI 151, fcvt.s.lu, rne, 2, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 152, fcvt.s.lu, rtz, 3, 0x1, 0x4f7fffff, 0xffffffff	/* 4294967295 */
	FCVTSI 153, fcvt.s.lu, rdn, 4, 0x1, 0x4f7fffff, 0xffffffff	/* 4294967295 */
	FCVTSI 154, fcvt.s.lu, rup, 0, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 155, fcvt.s.lu, rmm, 1, 0x1, 0x4f800000, 0xffffffff	/* 4294967295 */
	FCVTSI 156, fcvt.s.lu, rne, 2, 0x1, 0x5f000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 157, fcvt.s.lu, rtz, 3, 0x1, 0x5effffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 158, fcvt.s.lu, rdn, 4, 0x1, 0x5effffff, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 159, fcvt.s.lu, rup, 0, 0x1, 0x5f000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 160, fcvt.s.lu, rmm, 1, 0x1, 0x5f000000, 0x7fffffffffffffff	/* 9223372036854775807 */
	FCVTSI 161, fcvt.s.lu, rne, 2, 0x0, 0x5f000000, 0x8000000000000000	/* 9223372036854775808 */
	FCVTSI 162, fcvt.s.lu, rne, 2, 0x1, 0x5f800000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 163, fcvt.s.lu, rtz, 3, 0x1, 0x5f7fffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 164, fcvt.s.lu, rdn, 4, 0x1, 0x5f7fffff, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 165, fcvt.s.lu, rup, 0, 0x1, 0x5f800000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 166, fcvt.s.lu, rmm, 1, 0x1, 0x5f800000, 0xffffffffffffffff	/* 18446744073709551615 */
	FCVTSI 167, fcvt.s.lu, rne, 2, 0x1, 0x5d91a2b4, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 168, fcvt.s.lu, rtz, 3, 0x1, 0x5d91a2b3, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 169, fcvt.s.lu, rdn, 4, 0x1, 0x5d91a2b3, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 170, fcvt.s.lu, rup, 0, 0x1, 0x5d91a2b4, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 171, fcvt.s.lu, rmm, 1, 0x1, 0x5d91a2b4, 0x1234567890abcdef	/* 1311768467294899695 */
	FCVTSI 172, fcvt.s.lu, rne, 2, 0x1, 0x5f800000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTSI 173, fcvt.s.lu, rtz, 3, 0x1, 0x5f7fffff, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTSI 174, fcvt.s.lu, rdn, 4, 0x1, 0x5f7fffff, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTSI 175, fcvt.s.lu, rup, 0, 0x1, 0x5f800000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTSI 176, fcvt.s.lu, rmm, 1, 0x1, 0x5f800000, 0xffffffff00000005	/* 18446744069414584325 */
	FCVTSI 177, fcvt.s.lu, rne, 2, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 178, fcvt.s.lu, rtz, 3, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 179, fcvt.s.lu, rdn, 4, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 180, fcvt.s.lu, rup, 0, 0x1, 0x4f800001, 0x100000003	/* 4294967299 */
	FCVTSI 181, fcvt.s.lu, rmm, 1, 0x1, 0x4f800000, 0x100000003	/* 4294967299 */
	FCVTSI 182, fcvt.s.lu, rne, 2, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 183, fcvt.s.lu, rtz, 3, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 184, fcvt.s.lu, rdn, 4, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 185, fcvt.s.lu, rup, 0, 0x1, 0x5a000001, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 186, fcvt.s.lu, rmm, 1, 0x1, 0x5a000000, 0x20000000000001	/* 9007199254740993 */
	FCVTSI 187, fcvt.s.lu, rne, 2, 0x1, 0x5f7fe000, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTSI 188, fcvt.s.lu, rtz, 3, 0x1, 0x5f7fdfff, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTSI 189, fcvt.s.lu, rdn, 4, 0x1, 0x5f7fdfff, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTSI 190, fcvt.s.lu, rup, 0, 0x1, 0x5f7fe000, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTSI 191, fcvt.s.lu, rmm, 1, 0x1, 0x5f7fe000, 0xffdfffffffffffff	/* 18437736874454810623 */
	FCVTSI 192, fcvt.s.lu, dyn, 2, 0x1, 0x5effffff, 0x7fffffffffffffff	/* dyn rdn */
	FCVTSD 193, rne, 2, 0x1, 0x3dcccccd, 0x3fb999999999999a	/* 0.1 */
	FCVTSD 194, rtz, 3, 0x1, 0x3dcccccc, 0x3fb999999999999a	/* 0.1 */
	FCVTSD 195, rdn, 4, 0x1, 0x3dcccccc, 0x3fb999999999999a	/* 0.1 */
	FCVTSD 196, rup, 0, 0x1, 0x3dcccccd, 0x3fb999999999999a	/* 0.1 */
	FCVTSD 197, rmm, 1, 0x1, 0x3dcccccd, 0x3fb999999999999a	/* 0.1 */
	FCVTSD 198, rne, 2, 0x5, 0x7f800000, 0x7e37e43c8800759c	/* 1e300 */
	FCVTSD 199, rtz, 3, 0x5, 0x7f7fffff, 0x7e37e43c8800759c	/* 1e300 */
	FCVTSD 200, rdn, 4, 0x5, 0x7f7fffff, 0x7e37e43c8800759c	/* 1e300 */
	FCVTSD 201, rup, 0, 0x5, 0x7f800000, 0x7e37e43c8800759c	/* 1e300 */
	FCVTSD 202, rmm, 1, 0x5, 0x7f800000, 0x7e37e43c8800759c	/* 1e300 */
	FCVTSD 203, rne, 2, 0x5, 0xff800000, 0xfe37e43c8800759c	/* -1e300 */
	FCVTSD 204, rtz, 3, 0x5, 0xff7fffff, 0xfe37e43c8800759c	/* -1e300 */
	FCVTSD 205, rdn, 4, 0x5, 0xff800000, 0xfe37e43c8800759c	/* -1e300 */
	FCVTSD 206, rup, 0, 0x5, 0xff7fffff, 0xfe37e43c8800759c	/* -1e300 */
	FCVTSD 207, rmm, 1, 0x5, 0xff800000, 0xfe37e43c8800759c	/* -1e300 */
	FCVTSD 208, rne, 2, 0x3, 0x0, 0x1a56e1fc2f8f359	/* 1e-300 */
	FCVTSD 209, rtz, 3, 0x3, 0x0, 0x1a56e1fc2f8f359	/* 1e-300 */
	FCVTSD 210, rdn, 4, 0x3, 0x0, 0x1a56e1fc2f8f359	/* 1e-300 */
	FCVTSD 211, rup, 0, 0x3, 0x1, 0x1a56e1fc2f8f359	/* 1e-300 */
	FCVTSD 212, rmm, 1, 0x3, 0x0, 0x1a56e1fc2f8f359	/* 1e-300 */
	FCVTSD 213, rne, 2, 0x0, 0x7fc00000, 0x7ff8000000000000	/* qNaN */
	FCVTSD 214, rne, 2, 0x10, 0x7fc00000, 0x7ff0000000000001	/* sNaN */
	FCVTSD 215, rne, 2, 0x0, 0x7fc00000, 0xfff8000000001234	/* -qNaN */
	FCVTSD 216, rne, 2, 0x0, 0x7f800000, 0x7ff0000000000000	/* +inf */
	FCVTSD 217, rne, 2, 0x0, 0x80000000, 0x8000000000000000	/* -0 */
	FCVTSD 218, rne, 2, 0x3, 0x0, 0xfffffffffffff	/* maxsub */
	FCVTSD 219, rne, 2, 0x1, 0x3f800000, 0x3ff0000010000000	/* 1+2^-24 */
	FCVTSD 220, rtz, 3, 0x1, 0x3f800000, 0x3ff0000010000000	/* 1+2^-24 */
	FCVTSD 221, rdn, 4, 0x1, 0x3f800000, 0x3ff0000010000000	/* 1+2^-24 */
	FCVTSD 222, rup, 0, 0x1, 0x3f800001, 0x3ff0000010000000	/* 1+2^-24 */
	FCVTSD 223, rmm, 1, 0x1, 0x3f800001, 0x3ff0000010000000	/* 1+2^-24 */
	FCVTSD 224, rne, 2, 0x1, 0xbf800000, 0xbff0000010000000	/* -1-2^-24 */
	FCVTSD 225, rtz, 3, 0x1, 0xbf800000, 0xbff0000010000000	/* -1-2^-24 */
	FCVTSD 226, rdn, 4, 0x1, 0xbf800001, 0xbff0000010000000	/* -1-2^-24 */
	FCVTSD 227, rup, 0, 0x1, 0xbf800000, 0xbff0000010000000	/* -1-2^-24 */
	FCVTSD 228, rmm, 1, 0x1, 0xbf800001, 0xbff0000010000000	/* -1-2^-24 */
	FCVTSD 229, rne, 2, 0x5, 0x7f800000, 0x47effffff0000000	/* fltmax+ */
	FCVTSD 230, rne, 2, 0x0, 0x1, 0x36a0000000000000	/* minsub_s */
	FCVTSD 231, rne, 2, 0x3, 0x0, 0x3690000000000000	/* 2^-150 */
	FCVTSD 232, rtz, 3, 0x3, 0x0, 0x3690000000000000	/* 2^-150 */
	FCVTSD 233, rdn, 4, 0x3, 0x0, 0x3690000000000000	/* 2^-150 */
	FCVTSD 234, rup, 0, 0x3, 0x1, 0x3690000000000000	/* 2^-150 */
	FCVTSD 235, rmm, 1, 0x3, 0x1, 0x3690000000000000	/* 2^-150 */
	FCVTSD 236, dyn, 3, 0x1, 0x3dcccccd, 0x3fb999999999999a	/* 0.1 dyn rup */
	TEST_END
