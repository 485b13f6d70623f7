/*
 * fp_f2i_d.S - double precision to integer: fcvt.w/wu/l/lu.d in all rounding
 * modes (static and dynamic): saturation to the destination range with NV
 * (NaN -> largest positive, +/-inf, overflow, negative to unsigned), NX
 * for inexact in-range results, 32-bit results sign-extended (also .wu).
 * Expected values come from an exact reference model.
 */
#include "test.h"
#include "fp.h"

TEST_BEGIN
	FP_ON
	FCVTID 1, fcvt.w.d, rne, 2, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 2, fcvt.w.d, rtz, 3, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 3, fcvt.w.d, rdn, 4, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 4, fcvt.w.d, rup, 0, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 5, fcvt.w.d, rmm, 1, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 6, fcvt.w.d, rne, 2, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 */
	FCVTID 7, fcvt.w.d, rtz, 3, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 */
	FCVTID 8, fcvt.w.d, rdn, 4, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 */
	FCVTID 9, fcvt.w.d, rup, 0, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 */
	FCVTID 10, fcvt.w.d, rmm, 1, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 */
	FCVTID 11, fcvt.w.d, rne, 2, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 12, fcvt.w.d, rtz, 3, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 13, fcvt.w.d, rdn, 4, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 14, fcvt.w.d, rup, 0, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 15, fcvt.w.d, rmm, 1, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 16, fcvt.w.d, rne, 2, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 17, fcvt.w.d, rtz, 3, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 18, fcvt.w.d, rdn, 4, 0x1, 0xffffffffffffffff, 0xbfe0000000000000	/* -0.5 */
	FCVTID 19, fcvt.w.d, rup, 0, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 20, fcvt.w.d, rmm, 1, 0x1, 0xffffffffffffffff, 0xbfe0000000000000	/* -0.5 */
	FCVTID 21, fcvt.w.d, rne, 2, 0x1, 0x0, 0x3fb999999999999a	/* 0.1 */
	FCVTID 22, fcvt.w.d, rup, 0, 0x1, 0x1, 0x3fb999999999999a	/* 0.1 */
	FCVTID 23, fcvt.w.d, rne, 2, 0x0, 0x0, 0x8000000000000000	/* -0 */
	FCVTID 24, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x7ff8000000000000	/* qNaN */
	FCVTID 25, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x7ff0000000000001	/* sNaN */
	FCVTID 26, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0xfff8000000001234	/* -qNaN */
	FCVTID 27, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x7ff0000000000000	/* +inf */
	FCVTID 28, fcvt.w.d, rne, 2, 0x10, 0xffffffff80000000, 0xfff0000000000000	/* -inf */
	FCVTID 29, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x41e0000000000000	/* 2^31 */
	FCVTID 30, fcvt.w.d, rne, 2, 0x0, 0xffffffff80000000, 0xc1e0000000000000	/* -2^31 */
	FCVTID 31, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x41f0000000000000	/* 2^32 */
	FCVTID 32, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x43e0000000000000	/* 2^63 */
	FCVTID 33, fcvt.w.d, rne, 2, 0x10, 0xffffffff80000000, 0xc3e0000000000000	/* -2^63 */
	FCVTID 34, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x43f0000000000000	/* 2^64 */
	FCVTID 35, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x7fefffffffffffff	/* max */
	FCVTID 36, fcvt.w.d, rne, 2, 0x10, 0xffffffff80000000, 0xffefffffffffffff	/* -max */
	FCVTID 37, fcvt.w.d, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTID 38, fcvt.w.d, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTID 39, fcvt.w.d, rne, 2, 0x0, 0xffffffffffffffff, 0xbff0000000000000	/* -1 */
	FCVTID 40, fcvt.w.d, rne, 2, 0x0, 0x3b9aca00, 0x41cdcd6500000000	/* 1e9 */
	FCVTID 41, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x41dfffffffe00000	/* 2^31-0.5 */
	FCVTID 42, fcvt.w.d, rne, 2, 0x10, 0xffffffff80000000, 0xc1e0000000200000	/* -2^31-1 */
	FCVTID 43, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x41effffffff00000	/* 2^32-0.5 */
	FCVTID 44, fcvt.w.d, rne, 2, 0x10, 0x7fffffff, 0x43dfffffffffffff	/* 2^63-1024 */
	FCVTID 45, fcvt.w.d, dyn, 1, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 46, fcvt.w.d, dyn, 2, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 47, fcvt.w.d, dyn, 3, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 48, fcvt.w.d, dyn, 4, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 49, fcvt.wu.d, rne, 2, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 50, fcvt.wu.d, rtz, 3, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 51, fcvt.wu.d, rdn, 4, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 52, fcvt.wu.d, rup, 0, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 53, fcvt.wu.d, rmm, 1, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 54, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 55, fcvt.wu.d, rtz, 3, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 56, fcvt.wu.d, rdn, 4, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 57, fcvt.wu.d, rup, 0, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 58, fcvt.wu.d, rmm, 1, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 59, fcvt.wu.d, rne, 2, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 60, fcvt.wu.d, rtz, 3, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 61, fcvt.wu.d, rdn, 4, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 62, fcvt.wu.d, rup, 0, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 63, fcvt.wu.d, rmm, 1, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 64, fcvt.wu.d, rne, 2, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 65, fcvt.wu.d, rtz, 3, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 66, fcvt.wu.d, rdn, 4, 0x10, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 67, fcvt.wu.d, rup, 0, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 68, fcvt.wu.d, rmm, 1, 0x10, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 69, fcvt.wu.d, rne, 2, 0x1, 0x0, 0x3fb999999999999a	/* 0.1 */
	FCVTID 70, fcvt.wu.d, rup, 0, 0x1, 0x1, 0x3fb999999999999a	/* 0.1 */
	FCVTID 71, fcvt.wu.d, rne, 2, 0x0, 0x0, 0x8000000000000000	/* -0 */
	FCVTID 72, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7ff8000000000000	/* qNaN */
	FCVTID 73, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7ff0000000000001	/* sNaN */
	FCVTID 74, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0xfff8000000001234	/* -qNaN */
	FCVTID 75, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7ff0000000000000	/* +inf */
	FCVTID 76, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xfff0000000000000	/* -inf */
	FCVTID 77, fcvt.wu.d, rne, 2, 0x0, 0xffffffff80000000, 0x41e0000000000000	/* 2^31 */
	FCVTID 78, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xc1e0000000000000	/* -2^31 */
	FCVTID 79, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x41f0000000000000	/* 2^32 */
	FCVTID 80, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x43e0000000000000	/* 2^63 */
	FCVTID 81, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xc3e0000000000000	/* -2^63 */
	FCVTID 82, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x43f0000000000000	/* 2^64 */
	FCVTID 83, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7fefffffffffffff	/* max */
	FCVTID 84, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xffefffffffffffff	/* -max */
	FCVTID 85, fcvt.wu.d, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTID 86, fcvt.wu.d, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTID 87, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xbff0000000000000	/* -1 */
	FCVTID 88, fcvt.wu.d, rne, 2, 0x0, 0x3b9aca00, 0x41cdcd6500000000	/* 1e9 */
	FCVTID 89, fcvt.wu.d, rne, 2, 0x1, 0xffffffff80000000, 0x41dfffffffe00000	/* 2^31-0.5 */
	FCVTID 90, fcvt.wu.d, rne, 2, 0x10, 0x0, 0xc1e0000000200000	/* -2^31-1 */
	FCVTID 91, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x41effffffff00000	/* 2^32-0.5 */
	FCVTID 92, fcvt.wu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x43dfffffffffffff	/* 2^63-1024 */
	FCVTID 93, fcvt.wu.d, dyn, 1, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 94, fcvt.wu.d, dyn, 2, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 95, fcvt.wu.d, dyn, 3, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 96, fcvt.wu.d, dyn, 4, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 97, fcvt.l.d, rne, 2, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 98, fcvt.l.d, rtz, 3, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 99, fcvt.l.d, rdn, 4, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 100, fcvt.l.d, rup, 0, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 101, fcvt.l.d, rmm, 1, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 102, fcvt.l.d, rne, 2, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 */
	FCVTID 103, fcvt.l.d, rtz, 3, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 */
	FCVTID 104, fcvt.l.d, rdn, 4, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 */
	FCVTID 105, fcvt.l.d, rup, 0, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 */
	FCVTID 106, fcvt.l.d, rmm, 1, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 */
	FCVTID 107, fcvt.l.d, rne, 2, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 108, fcvt.l.d, rtz, 3, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 109, fcvt.l.d, rdn, 4, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 110, fcvt.l.d, rup, 0, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 111, fcvt.l.d, rmm, 1, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 112, fcvt.l.d, rne, 2, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 113, fcvt.l.d, rtz, 3, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 114, fcvt.l.d, rdn, 4, 0x1, 0xffffffffffffffff, 0xbfe0000000000000	/* -0.5 */
	FCVTID 115, fcvt.l.d, rup, 0, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 116, fcvt.l.d, rmm, 1, 0x1, 0xffffffffffffffff, 0xbfe0000000000000	/* -0.5 */
	FCVTID 117, fcvt.l.d, rne, 2, 0x1, 0x0, 0x3fb999999999999a	/* 0.1 */
	FCVTID 118, fcvt.l.d, rup, 0, 0x1, 0x1, 0x3fb999999999999a	/* 0.1 */
	FCVTID 119, fcvt.l.d, rne, 2, 0x0, 0x0, 0x8000000000000000	/* -0 */
	FCVTID 120, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0x7ff8000000000000	/* qNaN */
	FCVTID 121, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0x7ff0000000000001	/* sNaN */
	FCVTID 122, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0xfff8000000001234	/* -qNaN */
	FCVTID 123, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0x7ff0000000000000	/* +inf */
	FCVTID 124, fcvt.l.d, rne, 2, 0x10, 0x8000000000000000, 0xfff0000000000000	/* -inf */
	FCVTID 125, fcvt.l.d, rne, 2, 0x0, 0x80000000, 0x41e0000000000000	/* 2^31 */
	FCVTID 126, fcvt.l.d, rne, 2, 0x0, 0xffffffff80000000, 0xc1e0000000000000	/* -2^31 */
	FCVTID 127, fcvt.l.d, rne, 2, 0x0, 0x100000000, 0x41f0000000000000	/* 2^32 */
	FCVTID 128, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0x43e0000000000000	/* 2^63 */
	FCVTID 129, fcvt.l.d, rne, 2, 0x0, 0x8000000000000000, 0xc3e0000000000000	/* -2^63 */
	FCVTID 130, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0x43f0000000000000	/* 2^64 */
	FCVTID 131, fcvt.l.d, rne, 2, 0x10, 0x7fffffffffffffff, 0x7fefffffffffffff	/* max */
	FCVTID 132, fcvt.l.d, rne, 2, 0x10, 0x8000000000000000, 0xffefffffffffffff	/* -max */
	FCVTID 133, fcvt.l.d, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTID 134, fcvt.l.d, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTID 135, fcvt.l.d, rne, 2, 0x0, 0xffffffffffffffff, 0xbff0000000000000	/* -1 */
	FCVTID 136, fcvt.l.d, rne, 2, 0x0, 0x3b9aca00, 0x41cdcd6500000000	/* 1e9 */
	FCVTID 137, fcvt.l.d, rne, 2, 0x1, 0x80000000, 0x41dfffffffe00000	/* 2^31-0.5 */
	FCVTID 138, fcvt.l.d, rne, 2, 0x0, 0xffffffff7fffffff, 0xc1e0000000200000	/* -2^31-1 */
	FCVTID 139, fcvt.l.d, rne, 2, 0x1, 0x100000000, 0x41effffffff00000	/* 2^32-0.5 */
	FCVTID 140, fcvt.l.d, rne, 2, 0x0, 0x7ffffffffffffc00, 0x43dfffffffffffff	/* 2^63-1024 */
	FCVTID 141, fcvt.l.d, dyn, 1, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 142, fcvt.l.d, dyn, 2, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 143, fcvt.l.d, dyn, 3, 0x1, 0xffffffffffffffff, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 144, fcvt.l.d, dyn, 4, 0x1, 0xfffffffffffffffe, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 145, fcvt.lu.d, rne, 2, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 146, fcvt.lu.d, rtz, 3, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 147, fcvt.lu.d, rdn, 4, 0x1, 0x1, 0x3ff8000000000000	/* 1.5 */
	FCVTID 148, fcvt.lu.d, rup, 0, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 149, fcvt.lu.d, rmm, 1, 0x1, 0x2, 0x3ff8000000000000	/* 1.5 */
	FCVTID 150, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 151, fcvt.lu.d, rtz, 3, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 152, fcvt.lu.d, rdn, 4, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 153, fcvt.lu.d, rup, 0, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 154, fcvt.lu.d, rmm, 1, 0x10, 0x0, 0xbff8000000000000	/* -1.5 */
	FCVTID 155, fcvt.lu.d, rne, 2, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 156, fcvt.lu.d, rtz, 3, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 157, fcvt.lu.d, rdn, 4, 0x1, 0x2, 0x4004000000000000	/* 2.5 */
	FCVTID 158, fcvt.lu.d, rup, 0, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 159, fcvt.lu.d, rmm, 1, 0x1, 0x3, 0x4004000000000000	/* 2.5 */
	FCVTID 160, fcvt.lu.d, rne, 2, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 161, fcvt.lu.d, rtz, 3, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 162, fcvt.lu.d, rdn, 4, 0x10, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 163, fcvt.lu.d, rup, 0, 0x1, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 164, fcvt.lu.d, rmm, 1, 0x10, 0x0, 0xbfe0000000000000	/* -0.5 */
	FCVTID 165, fcvt.lu.d, rne, 2, 0x1, 0x0, 0x3fb999999999999a	/* 0.1 */
	FCVTID 166, fcvt.lu.d, rup, 0, 0x1, 0x1, 0x3fb999999999999a	/* 0.1 */
	FCVTID 167, fcvt.lu.d, rne, 2, 0x0, 0x0, 0x8000000000000000	/* -0 */
	FCVTID 168, fcvt.lu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7ff8000000000000	/* qNaN */
	FCVTID 169, fcvt.lu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7ff0000000000001	/* sNaN */
	FCVTID 170, fcvt.lu.d, rne, 2, 0x10, 0xffffffffffffffff, 0xfff8000000001234	/* -qNaN */
	FCVTID 171, fcvt.lu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7ff0000000000000	/* +inf */
	FCVTID 172, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xfff0000000000000	/* -inf */
	FCVTID 173, fcvt.lu.d, rne, 2, 0x0, 0x80000000, 0x41e0000000000000	/* 2^31 */
	FCVTID 174, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xc1e0000000000000	/* -2^31 */
	FCVTID 175, fcvt.lu.d, rne, 2, 0x0, 0x100000000, 0x41f0000000000000	/* 2^32 */
	FCVTID 176, fcvt.lu.d, rne, 2, 0x0, 0x8000000000000000, 0x43e0000000000000	/* 2^63 */
	FCVTID 177, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xc3e0000000000000	/* -2^63 */
	FCVTID 178, fcvt.lu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x43f0000000000000	/* 2^64 */
	FCVTID 179, fcvt.lu.d, rne, 2, 0x10, 0xffffffffffffffff, 0x7fefffffffffffff	/* max */
	FCVTID 180, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xffefffffffffffff	/* -max */
	FCVTID 181, fcvt.lu.d, rne, 2, 0x1, 0x0, 0x1	/* minsub */
	FCVTID 182, fcvt.lu.d, rup, 0, 0x1, 0x1, 0x1	/* minsub */
	FCVTID 183, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xbff0000000000000	/* -1 */
	FCVTID 184, fcvt.lu.d, rne, 2, 0x0, 0x3b9aca00, 0x41cdcd6500000000	/* 1e9 */
	FCVTID 185, fcvt.lu.d, rne, 2, 0x1, 0x80000000, 0x41dfffffffe00000	/* 2^31-0.5 */
	FCVTID 186, fcvt.lu.d, rne, 2, 0x10, 0x0, 0xc1e0000000200000	/* -2^31-1 */
	FCVTID 187, fcvt.lu.d, rne, 2, 0x1, 0x100000000, 0x41effffffff00000	/* 2^32-0.5 */
	FCVTID 188, fcvt.lu.d, rne, 2, 0x0, 0x7ffffffffffffc00, 0x43dfffffffffffff	/* 2^63-1024 */
	FCVTID 189, fcvt.lu.d, dyn, 1, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 190, fcvt.lu.d, dyn, 2, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 191, fcvt.lu.d, dyn, 3, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	FCVTID 192, fcvt.lu.d, dyn, 4, 0x10, 0x0, 0xbff8000000000000	/* -1.5 dyn */
	TEST_END
