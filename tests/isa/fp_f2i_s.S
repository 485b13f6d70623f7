/*
 * fp_f2i_s.S - single precision to integer: fcvt.w/wu/l/lu.s in all rounding
 * modes (static and dynamic): saturation to the destination range with NV
 * (NaN -> largest positive, +/-inf, overflow, negative to unsigned), NX
 * for inexact in-range results, 32-bit results sign-extended (also .wu).
 * Expected values come from an exact reference model.
 */
#include "test.h"
#include "fp.h"

TEST_BEGIN
	FP_ON
	FCVTIS 1, fcvt.w.s, rne, 2, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 2, fcvt.w.s, rtz, 3, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 3, fcvt.w.s, rdn, 4, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 4, fcvt.w.s, rup, 0, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 5, fcvt.w.s, rmm, 1, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 6, fcvt.w.s, rne, 2, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 */
	FCVTIS 7, fcvt.w.s, rtz, 3, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 */
	FCVTIS 8, fcvt.w.s, rdn, 4, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 */
	FCVTIS 9, fcvt.w.s, rup, 0, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 */
	FCVTIS 10, fcvt.w.s, rmm, 1, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 */
	FCVTIS 11, fcvt.w.s, rne, 2, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 12, fcvt.w.s, rtz, 3, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 13, fcvt.w.s, rdn, 4, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 14, fcvt.w.s, rup, 0, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 15, fcvt.w.s, rmm, 1, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 16, fcvt.w.s, rne, 2, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 17, fcvt.w.s, rtz, 3, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 18, fcvt.w.s, rdn, 4, 0x1, 0xffffffffffffffff, 0xbf000000	/* -0.5 */
	FCVTIS 19, fcvt.w.s, rup, 0, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 20, fcvt.w.s, rmm, 1, 0x1, 0xffffffffffffffff, 0xbf000000	/* -0.5 */
	FCVTIS 21, fcvt.w.s, rne, 2, 0x1, 0x0, 0x3dcccccd	/* 0.1 */
	FCVTIS 22, fcvt.w.s, rup, 0, 0x1, 0x1, 0x3dcccccd	/* 0.1 */
	FCVTIS 23, fcvt.w.s, rne, 2, 0x0, 0x0, 0x80000000	/* -0 */
	FCVTIS 24, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x7fc00000	/* qNaN */
	FCVTIS 25, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x7f800001	/* sNaN */
	FCVTIS 26, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0xffc12345	/* -qNaN */
	FCVTIS 27, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x7f800000	/* +inf */
	FCVTIS 28, fcvt.w.s, rne, 2, 0x10, 0xffffffff80000000, 0xff800000	/* -inf */
	FCVTIS 29, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x4f000000	/* 2^31 */
	FCVTIS 30, fcvt.w.s, rne, 2, 0x0, 0xffffffff80000000, 0xcf000000	/* -2^31 */
	FCVTIS 31, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x4f800000	/* 2^32 */
	FCVTIS 32, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x5f000000	/* 2^63 */
	FCVTIS 33, fcvt.w.s, rne, 2, 0x10, 0xffffffff80000000, 0xdf000000	/* -2^63 */
	FCVTIS 34, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x5f800000	/* 2^64 */
	FCVTIS 35, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x7f7fffff	/* max */
	FCVTIS 36, fcvt.w.s, rne, 2, 0x10, 0xffffffff80000000, 0xff7fffff	/* -max */
	FCVTIS 37, fcvt.w.s, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTIS 38, fcvt.w.s, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTIS 39, fcvt.w.s, rne, 2, 0x0, 0xffffffffffffffff, 0xbf800000	/* -1 */
	FCVTIS 40, fcvt.w.s, rne, 2, 0x0, 0x3b9aca00, 0x4e6e6b28	/* 1e9 */
	FCVTIS 41, fcvt.w.s, rne, 2, 0x0, 0x7fffff80, 0x4effffff	/* 2^31-128 */
	FCVTIS 42, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x4f7fffff	/* 2^32-256 */
	FCVTIS 43, fcvt.w.s, rne, 2, 0x10, 0x7fffffff, 0x5effffff	/* 2^63-2^39 */
	FCVTIS 44, fcvt.w.s, dyn, 1, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 45, fcvt.w.s, dyn, 2, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 46, fcvt.w.s, dyn, 3, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 47, fcvt.w.s, dyn, 4, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 48, fcvt.wu.s, rne, 2, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 49, fcvt.wu.s, rtz, 3, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 50, fcvt.wu.s, rdn, 4, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 51, fcvt.wu.s, rup, 0, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 52, fcvt.wu.s, rmm, 1, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 53, fcvt.wu.s, rne, 2, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 54, fcvt.wu.s, rtz, 3, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 55, fcvt.wu.s, rdn, 4, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 56, fcvt.wu.s, rup, 0, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 57, fcvt.wu.s, rmm, 1, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 58, fcvt.wu.s, rne, 2, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 59, fcvt.wu.s, rtz, 3, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 60, fcvt.wu.s, rdn, 4, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 61, fcvt.wu.s, rup, 0, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 62, fcvt.wu.s, rmm, 1, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 63, fcvt.wu.s, rne, 2, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 64, fcvt.wu.s, rtz, 3, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 65, fcvt.wu.s, rdn, 4, 0x10, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 66, fcvt.wu.s, rup, 0, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 67, fcvt.wu.s, rmm, 1, 0x10, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 68, fcvt.wu.s, rne, 2, 0x1, 0x0, 0x3dcccccd	/* 0.1 */
	FCVTIS 69, fcvt.wu.s, rup, 0, 0x1, 0x1, 0x3dcccccd	/* 0.1 */
	FCVTIS 70, fcvt.wu.s, rne, 2, 0x0, 0x0, 0x80000000	/* -0 */
	FCVTIS 71, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7fc00000	/* qNaN */
	FCVTIS 72, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7f800001	/* sNaN */
	FCVTIS 73, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0xffc12345	/* -qNaN */
	FCVTIS 74, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7f800000	/* +inf */
	FCVTIS 75, fcvt.wu.s, rne, 2, 0x10, 0x0, 0xff800000	/* -inf */
	FCVTIS 76, fcvt.wu.s, rne, 2, 0x0, 0xffffffff80000000, 0x4f000000	/* 2^31 */
	FCVTIS 77, fcvt.wu.s, rne, 2, 0x10, 0x0, 0xcf000000	/* -2^31 */
	FCVTIS 78, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x4f800000	/* 2^32 */
	FCVTIS 79, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x5f000000	/* 2^63 */
	FCVTIS 80, fcvt.wu.s, rne, 2, 0x10, 0x0, 0xdf000000	/* -2^63 */
	FCVTIS 81, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x5f800000	/* 2^64 */
	FCVTIS 82, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7f7fffff	/* max */
	FCVTIS 83, fcvt.wu.s, rne, 2, 0x10, 0x0, 0xff7fffff	/* -max */
	FCVTIS 84, fcvt.wu.s, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTIS 85, fcvt.wu.s, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTIS 86, fcvt.wu.s, rne, 2, 0x10, 0x0, 0xbf800000	/* -1 */
	FCVTIS 87, fcvt.wu.s, rne, 2, 0x0, 0x3b9aca00, 0x4e6e6b28	/* 1e9 */
	FCVTIS 88, fcvt.wu.s, rne, 2, 0x0, 0x7fffff80, 0x4effffff	/* 2^31-128 */
	FCVTIS 89, fcvt.wu.s, rne, 2, 0x0, 0xffffffffffffff00, 0x4f7fffff	/* 2^32-256 */
	FCVTIS 90, fcvt.wu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x5effffff	/* 2^63-2^39 */
	FCVTIS 91, fcvt.wu.s, dyn, 1, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 92, fcvt.wu.s, dyn, 2, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 93, fcvt.wu.s, dyn, 3, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 94, fcvt.wu.s, dyn, 4, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 95, fcvt.l.s, rne, 2, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 96, fcvt.l.s, rtz, 3, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 97, fcvt.l.s, rdn, 4, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 98, fcvt.l.s, rup, 0, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 99, fcvt.l.s, rmm, 1, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 100, fcvt.l.s, rne, 2, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 */
	FCVTIS 101, fcvt.l.s, rtz, 3, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 */
	FCVTIS 102, fcvt.l.s, rdn, 4, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 */
	FCVTIS 103, fcvt.l.s, rup, 0, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 */
	FCVTIS 104, fcvt.l.s, rmm, 1, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 */
	FCVTIS 105, fcvt.l.s, rne, 2, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 106, fcvt.l.s, rtz, 3, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 107, fcvt.l.s, rdn, 4, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 108, fcvt.l.s, rup, 0, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 109, fcvt.l.s, rmm, 1, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 110, fcvt.l.s, rne, 2, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 111, fcvt.l.s, rtz, 3, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 112, fcvt.l.s, rdn, 4, 0x1, 0xffffffffffffffff, 0xbf000000	/* -0.5 */
	FCVTIS 113, fcvt.l.s, rup, 0, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 114, fcvt.l.s, rmm, 1, 0x1, 0xffffffffffffffff, 0xbf000000	/* -0.5 */
	FCVTIS 115, fcvt.l.s, rne, 2, 0x1, 0x0, 0x3dcccccd	/* 0.1 */
	FCVTIS 116, fcvt.l.s, rup, 0, 0x1, 0x1, 0x3dcccccd	/* 0.1 */
	FCVTIS 117, fcvt.l.s, rne, 2, 0x0, 0x0, 0x80000000	/* -0 */
	FCVTIS 118, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0x7fc00000	/* qNaN */
	FCVTIS 119, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0x7f800001	/* sNaN */
	FCVTIS 120, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0xffc12345	/* -qNaN */
	FCVTIS 121, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0x7f800000	/* +inf */
	FCVTIS 122, fcvt.l.s, rne, 2, 0x10, 0x8000000000000000, 0xff800000	/* -inf */
	FCVTIS 123, fcvt.l.s, rne, 2, 0x0, 0x80000000, 0x4f000000	/* 2^31 */
	FCVTIS 124, fcvt.l.s, rne, 2, 0x0, 0xffffffff80000000, 0xcf000000	/* -2^31 */
	FCVTIS 125, fcvt.l.s, rne, 2, 0x0, 0x100000000, 0x4f800000	/* 2^32 */
	FCVTIS 126, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0x5f000000	/* 2^63 */
	FCVTIS 127, fcvt.l.s, rne, 2, 0x0, 0x8000000000000000, 0xdf000000	/* -2^63 */
	FCVTIS 128, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0x5f800000	/* 2^64 */
	FCVTIS 129, fcvt.l.s, rne, 2, 0x10, 0x7fffffffffffffff, 0x7f7fffff	/* max */
	FCVTIS 130, fcvt.l.s, rne, 2, 0x10, 0x8000000000000000, 0xff7fffff	/* -max */
	FCVTIS 131, fcvt.l.s, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTIS 132, fcvt.l.s, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTIS 133, fcvt.l.s, rne, 2, 0x0, 0xffffffffffffffff, 0xbf800000	/* -1 */
	FCVTIS 134, fcvt.l.s, rne, 2, 0x0, 0x3b9aca00, 0x4e6e6b28	/* 1e9 */
	FCVTIS 135, fcvt.l.s, rne, 2, 0x0, 0x7fffff80, 0x4effffff	/* 2^31-128 */
	FCVTIS 136, fcvt.l.s, rne, 2, 0x0, 0xffffff00, 0x4f7fffff	/* 2^32-256 */
	FCVTIS 137, fcvt.l.s, rne, 2, 0x0, 0x7fffff8000000000, 0x5effffff	/* 2^63-2^39 */
	FCVTIS 138, fcvt.l.s, dyn, 1, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 139, fcvt.l.s, dyn, 2, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 140, fcvt.l.s, dyn, 3, 0x1, 0xffffffffffffffff, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 141, fcvt.l.s, dyn, 4, 0x1, 0xfffffffffffffffe, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 142, fcvt.lu.s, rne, 2, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 143, fcvt.lu.s, rtz, 3, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 144, fcvt.lu.s, rdn, 4, 0x1, 0x1, 0x3fc00000	/* 1.5 */
	FCVTIS 145, fcvt.lu.s, rup, 0, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 146, fcvt.lu.s, rmm, 1, 0x1, 0x2, 0x3fc00000	/* 1.5 */
	FCVTIS 147, fcvt.lu.s, rne, 2, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 148, fcvt.lu.s, rtz, 3, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 149, fcvt.lu.s, rdn, 4, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 150, fcvt.lu.s, rup, 0, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 151, fcvt.lu.s, rmm, 1, 0x10, 0x0, 0xbfc00000	/* -1.5 */
	FCVTIS 152, fcvt.lu.s, rne, 2, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 153, fcvt.lu.s, rtz, 3, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 154, fcvt.lu.s, rdn, 4, 0x1, 0x2, 0x40200000	/* 2.5 */
	FCVTIS 155, fcvt.lu.s, rup, 0, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 156, fcvt.lu.s, rmm, 1, 0x1, 0x3, 0x40200000	/* 2.5 */
	FCVTIS 157, fcvt.lu.s, rne, 2, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 158, fcvt.lu.s, rtz, 3, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 159, fcvt.lu.s, rdn, 4, 0x10, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 160, fcvt.lu.s, rup, 0, 0x1, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 161, fcvt.lu.s, rmm, 1, 0x10, 0x0, 0xbf000000	/* -0.5 */
	FCVTIS 162, fcvt.lu.s, rne, 2, 0x1, 0x0, 0x3dcccccd	/* 0.1 */
	FCVTIS 163, fcvt.lu.s, rup, 0, 0x1, 0x1, 0x3dcccccd	/* 0.1 */
	FCVTIS 164, fcvt.lu.s, rne, 2, 0x0, 0x0, 0x80000000	/* -0 */
	FCVTIS 165, fcvt.lu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7fc00000	/* qNaN */
	FCVTIS 166, fcvt.lu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7f800001	/* sNaN */
	FCVTIS 167, fcvt.lu.s, rne, 2, 0x10, 0xffffffffffffffff, 0xffc12345	/* -qNaN */
	FCVTIS 168, fcvt.lu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7f800000	/* +inf */
	FCVTIS 169, fcvt.lu.s, rne, 2, 0x10, 0x0, 0xff800000	/* -inf */
	FCVTIS 170, fcvt.lu.s, rne, 2, 0x0, 0x80000000, 0x4f000000	/* 2^31 */
	FCVTIS 171, fcvt.lu.s, rne, 2, 0x10, 0x0, 0xcf000000	/* -2^31 */
	FCVTIS 172, fcvt.lu.s, rne, 2, 0x0, 0x100000000, 0x4f800000	/* 2^32 */
	FCVTIS 173, fcvt.lu.s, rne, 2, 0x0, 0x8000000000000000, 0x5f000000	/* 2^63 */
	FCVTIS 174, fcvt.lu.s, rne, 2, 0x10, 0x0, 0xdf000000	/* -2^63 */
	FCVTIS 175, fcvt.lu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x5f800000	/* 2^64 */
	FCVTIS 176, fcvt.lu.s, rne, 2, 0x10, 0xffffffffffffffff, 0x7f7fffff	/* max */
	FCVTIS 177, fcvt.lu.s, rne, 2, 0x10, 0x0, 0xff7fffff	/* -max */
	FCVTIS 178, fcvt.lu.s, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTIS 179, fcvt.lu.s, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTIS 180, fcvt.lu.s, rne, 2, 0x10, 0x0, 0xbf800000	/* -1 */
	FCVTIS 181, fcvt.lu.s, rne, 2, 0x0, 0x3b9aca00, 0x4e6e6b28	/* 1e9 */
	FCVTIS 182, fcvt.lu.s, rne, 2, 0x0, 0x7fffff80, 0x4effffff	/* 2^31-128 */
	FCVTIS 183, fcvt.lu.s, rne, 2, 0x0, 0xffffff00, 0x4f7fffff	/* 2^32-256 */
	FCVTIS 184, fcvt.lu.s, rne, 2, 0x0, 0x7fffff8000000000, 0x5effffff	/* 2^63-2^39 */
	FCVTIS 185, fcvt.lu.s, dyn, 1, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 186, fcvt.lu.s, dyn, 2, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 187, fcvt.lu.s, dyn, 3, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	FCVTIS 188, fcvt.lu.s, dyn, 4, 0x10, 0x0, 0xbfc00000	/* -1.5 dyn */
	TEST_END
