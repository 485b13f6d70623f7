/*
 * fp_arith_d.S - double-precision arithmetic: fadd/fsub/fmul/fdiv/fsqrt and
 * fmadd/fmsub/fnmadd/fnmsub in all five rounding modes, both as a static rm
 * (with frm set to another mode) and through frm (dyn); exact fflags after
 * each (NX, UF with tininess after rounding, OF, DZ, NV); canonical NaN
 * results; signed zeros. Expected values come from an exact rational
 * reference model (cross-checked against x86 hardware for RNE/RTZ/RDN/RUP).
 */
#include "test.h"
#include "fp.h"

TEST_BEGIN
	FP_ON
	FPD2 1, fadd.d, rne, 1, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000	/* add ONE EPSH  */
	FPD2 2, fadd.d, dyn, 0, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000
	FPD2 3, fadd.d, rtz, 2, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000	/* add ONE EPSH  */
	FPD2 4, fadd.d, dyn, 1, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000
	FPD2 5, fadd.d, rdn, 3, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000	/* add ONE EPSH  */
	FPD2 6, fadd.d, dyn, 2, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca0000000000000
	FPD2 7, fadd.d, rup, 4, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca0000000000000	/* add ONE EPSH  */
	FPD2 8, fadd.d, dyn, 3, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca0000000000000
	FPD2 9, fadd.d, rmm, 0, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca0000000000000	/* add ONE EPSH  */
	FPD2 10, fadd.d, dyn, 4, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca0000000000000
	FPD2 11, fadd.d, rne, 1, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000	/* add ONE EPS3  */
	FPD2 12, fadd.d, dyn, 0, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000
	FPD2 13, fadd.d, rtz, 2, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca8000000000000	/* add ONE EPS3  */
	FPD2 14, fadd.d, dyn, 1, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca8000000000000
	FPD2 15, fadd.d, rdn, 3, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca8000000000000	/* add ONE EPS3  */
	FPD2 16, fadd.d, dyn, 2, 0x1, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ca8000000000000
	FPD2 17, fadd.d, rup, 4, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000	/* add ONE EPS3  */
	FPD2 18, fadd.d, dyn, 3, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000
	FPD2 19, fadd.d, rmm, 0, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000	/* add ONE EPS3  */
	FPD2 20, fadd.d, dyn, 4, 0x1, 0x3ff0000000000001, 0x3ff0000000000000, 0x3ca8000000000000
	FPD2 21, fadd.d, rne, 1, 0x1, 0xbfeffffffffffffe, 0xbff0000000000000, 0x3ca8000000000000	/* add M1 EPS3  */
	FPD2 22, fadd.d, rdn, 3, 0x1, 0xbfefffffffffffff, 0xbff0000000000000, 0x3ca8000000000000	/* add M1 EPS3  */
	FPD2 23, fadd.d, rup, 4, 0x1, 0xbfeffffffffffffe, 0xbff0000000000000, 0x3ca8000000000000	/* add M1 EPS3  */
	FPD2 24, fadd.d, rmm, 0, 0x1, 0xbfefffffffffffff, 0xbff0000000000000, 0x3ca8000000000000	/* add M1 EPS3  */
	FPD2 25, fadd.d, rne, 1, 0x1, 0x3fdbbbbbbbbbbbbc, 0x3fb999999999999a, 0x3fd5555555555555	/* add TENTH THIRD  */
	FPD2 26, fadd.d, rtz, 2, 0x1, 0x3fdbbbbbbbbbbbbb, 0x3fb999999999999a, 0x3fd5555555555555	/* add TENTH THIRD  */
	FPD2 27, fadd.d, rne, 1, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff	/* add MAX MAX  */
	FPD2 28, fadd.d, dyn, 0, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff
	FPD2 29, fadd.d, rtz, 2, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff	/* add MAX MAX  */
	FPD2 30, fadd.d, dyn, 1, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff
	FPD2 31, fadd.d, rdn, 3, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff	/* add MAX MAX  */
	FPD2 32, fadd.d, dyn, 2, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff
	FPD2 33, fadd.d, rup, 4, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff	/* add MAX MAX  */
	FPD2 34, fadd.d, dyn, 3, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff
	FPD2 35, fadd.d, rmm, 0, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff	/* add MAX MAX  */
	FPD2 36, fadd.d, dyn, 4, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff
	FPD2 37, fadd.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0xfff0000000000000	/* add PINF NINF  */
	FPD2 38, fadd.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000001, 0x3ff0000000000000	/* add SNAN ONE  */
	FPD2 39, fadd.d, rne, 1, 0x0, 0x7ff8000000000000, 0x7ff8000000000000, 0x3ff0000000000000	/* add QNAN ONE  */
	FPD2 40, fadd.d, rne, 1, 0x0, 0x7ff8000000000000, 0xfff8000000001234, 0x7ff0000000000000	/* add NQNAN PINF  */
	FPD2 41, fadd.d, rne, 1, 0x0, 0x0, 0x3ff0000000000000, 0xbff0000000000000	/* add ONE M1  */
	FPD2 42, fadd.d, rdn, 3, 0x0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000	/* add ONE M1  */
	FPD2 43, fadd.d, rne, 1, 0x0, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000	/* add NZ NZ  */
	FPD2 44, fadd.d, rne, 1, 0x0, 0x0, 0x0, 0x8000000000000000	/* add PZ NZ  */
	FPD2 45, fadd.d, rdn, 3, 0x0, 0x8000000000000000, 0x0, 0x8000000000000000	/* add PZ NZ  */
	FPD2 46, fadd.d, rne, 1, 0x0, 0x2, 0x1, 0x1	/* add MINS MINS  */
	FPD2 47, fadd.d, rne, 1, 0x0, 0x7ff0000000000000, 0x7ff0000000000000, 0x3ff0000000000000	/* add PINF ONE  */
	FPD2 48, fadd.d, rne, 1, 0x0, 0x1fffffffffffff, 0x10000000000000, 0xfffffffffffff	/* add MINN MAXS  */
	FPD2 49, fsub.d, rne, 1, 0x0, 0x3fefffffffffffff, 0x3ff0000000000000, 0x3ca0000000000000	/* sub ONE EPSH  */
	FPD2 50, fsub.d, rtz, 2, 0x0, 0x3fefffffffffffff, 0x3ff0000000000000, 0x3ca0000000000000	/* sub ONE EPSH  */
	FPD2 51, fsub.d, rdn, 3, 0x0, 0x3fefffffffffffff, 0x3ff0000000000000, 0x3ca0000000000000	/* sub ONE EPSH  */
	FPD2 52, fsub.d, rmm, 0, 0x0, 0x3fefffffffffffff, 0x3ff0000000000000, 0x3ca0000000000000	/* sub ONE EPSH  */
	FPD2 53, fsub.d, rne, 1, 0x0, 0x0, 0x4008000000000000, 0x4008000000000000	/* sub THREE THREE  */
	FPD2 54, fsub.d, rdn, 3, 0x0, 0x8000000000000000, 0x4008000000000000, 0x4008000000000000	/* sub THREE THREE  */
	FPD2 55, fsub.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0x7ff0000000000000	/* sub PINF PINF  */
	FPD2 56, fsub.d, rne, 1, 0x0, 0xfff0000000000000, 0xfff0000000000000, 0x7fefffffffffffff	/* sub NINF MAX  */
	FPD2 57, fsub.d, rne, 1, 0x0, 0x8000000000000001, 0x10000000000000, 0x10000000000001	/* sub MINN MINN1  */
	FPD2 58, fsub.d, rne, 1, 0x1, 0x7e37e43c8800759c, 0x7e37e43c8800759c, 0x1a56e1fc2f8f359	/* sub BIG SMALL  */
	FPD2 59, fsub.d, rup, 4, 0x1, 0x7e37e43c8800759c, 0x7e37e43c8800759c, 0x1a56e1fc2f8f359	/* sub BIG SMALL  */
	FPD2 60, fmul.d, rne, 1, 0x1, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555	/* mul THREE THIRD  */
	FPD2 61, fmul.d, rtz, 2, 0x1, 0x3fefffffffffffff, 0x4008000000000000, 0x3fd5555555555555	/* mul THREE THIRD  */
	FPD2 62, fmul.d, rup, 4, 0x1, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555	/* mul THREE THIRD  */
	FPD2 63, fmul.d, rne, 1, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000	/* mul MAX TWO  */
	FPD2 64, fmul.d, dyn, 0, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000
	FPD2 65, fmul.d, rtz, 2, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x4000000000000000	/* mul MAX TWO  */
	FPD2 66, fmul.d, dyn, 1, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x4000000000000000
	FPD2 67, fmul.d, rdn, 3, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x4000000000000000	/* mul MAX TWO  */
	FPD2 68, fmul.d, dyn, 2, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x4000000000000000
	FPD2 69, fmul.d, rup, 4, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000	/* mul MAX TWO  */
	FPD2 70, fmul.d, dyn, 3, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000
	FPD2 71, fmul.d, rmm, 0, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000	/* mul MAX TWO  */
	FPD2 72, fmul.d, dyn, 4, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000
	FPD2 73, fmul.d, rne, 1, 0x0, 0x8000000000000, 0x10000000000000, 0x3fe0000000000000	/* mul MINN HALF  */
	FPD2 74, fmul.d, rne, 1, 0x3, 0x5555555555555, 0x10000000000000, 0x3fd5555555555555	/* mul MINN THIRD  */
	FPD2 75, fmul.d, rup, 4, 0x3, 0x5555555555556, 0x10000000000000, 0x3fd5555555555555	/* mul MINN THIRD  */
	FPD2 76, fmul.d, rne, 1, 0x3, 0x0, 0x1, 0x3fe0000000000000	/* mul MINS HALF  */
	FPD2 77, fmul.d, rup, 4, 0x3, 0x1, 0x1, 0x3fe0000000000000	/* mul MINS HALF  */
	FPD2 78, fmul.d, rmm, 0, 0x3, 0x1, 0x1, 0x3fe0000000000000	/* mul MINS HALF  */
	FPD2 79, fmul.d, rne, 1, 0x1, 0x10000000000000, 0x10000000000001, 0x3feffffffffffffe	/* mul MINN1 ONEM2  */
	FPD2 80, fmul.d, dyn, 0, 0x1, 0x10000000000000, 0x10000000000001, 0x3feffffffffffffe
	FPD2 81, fmul.d, rtz, 2, 0x3, 0xfffffffffffff, 0x10000000000001, 0x3feffffffffffffe	/* mul MINN1 ONEM2  */
	FPD2 82, fmul.d, dyn, 1, 0x3, 0xfffffffffffff, 0x10000000000001, 0x3feffffffffffffe
	FPD2 83, fmul.d, rdn, 3, 0x3, 0xfffffffffffff, 0x10000000000001, 0x3feffffffffffffe	/* mul MINN1 ONEM2  */
	FPD2 84, fmul.d, dyn, 2, 0x3, 0xfffffffffffff, 0x10000000000001, 0x3feffffffffffffe
	FPD2 85, fmul.d, rup, 4, 0x1, 0x10000000000000, 0x10000000000001, 0x3feffffffffffffe	/* mul MINN1 ONEM2  */
	FPD2 86, fmul.d, dyn, 3, 0x1, 0x10000000000000, 0x10000000000001, 0x3feffffffffffffe
	FPD2 87, fmul.d, rmm, 0, 0x1, 0x10000000000000, 0x10000000000001, 0x3feffffffffffffe	/* mul MINN1 ONEM2  */
	FPD2 88, fmul.d, dyn, 4, 0x1, 0x10000000000000, 0x10000000000001, 0x3feffffffffffffe
	FPD2 89, fmul.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0x0	/* mul PINF PZ  */
	FPD2 90, fmul.d, rne, 1, 0x0, 0x8000000000000000, 0x8000000000000000, 0x4024000000000000	/* mul NZ TEN  */
	FPD2 91, fmul.d, rne, 1, 0x0, 0x7ff0000000000000, 0xfff0000000000000, 0xc000000000000000	/* mul NINF NEG2  */
	FPD2 92, fmul.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000001, 0x0	/* mul SNAN PZ  */
	FPD2 93, fmul.d, rne, 1, 0x3, 0x0, 0x1a56e1fc2f8f359, 0x1a56e1fc2f8f359	/* mul SMALL SMALL  */
	FPD2 94, fmul.d, rup, 4, 0x3, 0x1, 0x1a56e1fc2f8f359, 0x1a56e1fc2f8f359	/* mul SMALL SMALL  */
	FPD2 95, fmul.d, rne, 1, 0x1, 0x3ff0000000000000, 0x3fb999999999999a, 0x4024000000000000	/* mul TENTH TEN  */
	FPD2 96, fmul.d, rtz, 2, 0x1, 0x3ff0000000000000, 0x3fb999999999999a, 0x4024000000000000	/* mul TENTH TEN  */
	FPD2 97, fdiv.d, rne, 1, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000	/* div ONE THREE  */
	FPD2 98, fdiv.d, dyn, 0, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000
	FPD2 99, fdiv.d, rtz, 2, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000	/* div ONE THREE  */
	FPD2 100, fdiv.d, dyn, 1, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000
	FPD2 101, fdiv.d, rdn, 3, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000	/* div ONE THREE  */
	FPD2 102, fdiv.d, dyn, 2, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000
	FPD2 103, fdiv.d, rup, 4, 0x1, 0x3fd5555555555556, 0x3ff0000000000000, 0x4008000000000000	/* div ONE THREE  */
	FPD2 104, fdiv.d, dyn, 3, 0x1, 0x3fd5555555555556, 0x3ff0000000000000, 0x4008000000000000
	FPD2 105, fdiv.d, rmm, 0, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000	/* div ONE THREE  */
	FPD2 106, fdiv.d, dyn, 4, 0x1, 0x3fd5555555555555, 0x3ff0000000000000, 0x4008000000000000
	FPD2 107, fdiv.d, rne, 1, 0x1, 0xbfd5555555555555, 0xbff0000000000000, 0x4008000000000000	/* div M1 THREE  */
	FPD2 108, fdiv.d, rtz, 2, 0x1, 0xbfd5555555555555, 0xbff0000000000000, 0x4008000000000000	/* div M1 THREE  */
	FPD2 109, fdiv.d, rdn, 3, 0x1, 0xbfd5555555555556, 0xbff0000000000000, 0x4008000000000000	/* div M1 THREE  */
	FPD2 110, fdiv.d, rup, 4, 0x1, 0xbfd5555555555555, 0xbff0000000000000, 0x4008000000000000	/* div M1 THREE  */
	FPD2 111, fdiv.d, rne, 1, 0x8, 0x7ff0000000000000, 0x3ff0000000000000, 0x0	/* div ONE PZ  */
	FPD2 112, fdiv.d, rne, 1, 0x8, 0xfff0000000000000, 0xbff0000000000000, 0x0	/* div M1 PZ  */
	FPD2 113, fdiv.d, rne, 1, 0x8, 0xfff0000000000000, 0x3ff0000000000000, 0x8000000000000000	/* div ONE NZ  */
	FPD2 114, fdiv.d, rne, 1, 0x10, 0x7ff8000000000000, 0x0, 0x0	/* div PZ PZ  */
	FPD2 115, fdiv.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0xfff0000000000000	/* div PINF NINF  */
	FPD2 116, fdiv.d, rne, 1, 0x0, 0x0, 0x0, 0x3ff0000000000000	/* div PZ ONE  */
	FPD2 117, fdiv.d, rne, 1, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x3fe0000000000000	/* div MAX HALF  */
	FPD2 118, fdiv.d, rtz, 2, 0x5, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x3fe0000000000000	/* div MAX HALF  */
	FPD2 119, fdiv.d, rne, 1, 0x3, 0x0, 0x1, 0x4000000000000000	/* div MINS TWO  */
	FPD2 120, fdiv.d, rup, 4, 0x3, 0x1, 0x1, 0x4000000000000000	/* div MINS TWO  */
	FPD2 121, fdiv.d, rne, 1, 0x0, 0x4004000000000000, 0x4024000000000000, 0x4010000000000000	/* div TEN FOUR  */
	FPD2 122, fdiv.d, rne, 1, 0x0, 0x0, 0x3ff0000000000000, 0x7ff0000000000000	/* div ONE PINF  */
	FPD2 123, fdiv.d, rne, 1, 0x0, 0x7ff8000000000000, 0x7ff8000000000000, 0x0	/* div QNAN PZ  */
	FPD2 124, fdiv.d, rne, 1, 0x3, 0x5555555555555, 0x10000000000000, 0x4008000000000000	/* div MINN THREE  */
	FPD1 125, fsqrt.d, rne, 1, 0x1, 0x3ff6a09e667f3bcd, 0x4000000000000000	/* sqrt TWO   */
	FPD1 126, fsqrt.d, dyn, 0, 0x1, 0x3ff6a09e667f3bcd, 0x4000000000000000
	FPD1 127, fsqrt.d, rtz, 2, 0x1, 0x3ff6a09e667f3bcc, 0x4000000000000000	/* sqrt TWO   */
	FPD1 128, fsqrt.d, dyn, 1, 0x1, 0x3ff6a09e667f3bcc, 0x4000000000000000
	FPD1 129, fsqrt.d, rdn, 3, 0x1, 0x3ff6a09e667f3bcc, 0x4000000000000000	/* sqrt TWO   */
	FPD1 130, fsqrt.d, dyn, 2, 0x1, 0x3ff6a09e667f3bcc, 0x4000000000000000
	FPD1 131, fsqrt.d, rup, 4, 0x1, 0x3ff6a09e667f3bcd, 0x4000000000000000	/* sqrt TWO   */
	FPD1 132, fsqrt.d, dyn, 3, 0x1, 0x3ff6a09e667f3bcd, 0x4000000000000000
	FPD1 133, fsqrt.d, rmm, 0, 0x1, 0x3ff6a09e667f3bcd, 0x4000000000000000	/* sqrt TWO   */
	FPD1 134, fsqrt.d, dyn, 4, 0x1, 0x3ff6a09e667f3bcd, 0x4000000000000000
	FPD1 135, fsqrt.d, rne, 1, 0x0, 0x4000000000000000, 0x4010000000000000	/* sqrt FOUR   */
	FPD1 136, fsqrt.d, rne, 1, 0x10, 0x7ff8000000000000, 0xbff0000000000000	/* sqrt M1   */
	FPD1 137, fsqrt.d, rne, 1, 0x0, 0x8000000000000000, 0x8000000000000000	/* sqrt NZ   */
	FPD1 138, fsqrt.d, rne, 1, 0x0, 0x7ff0000000000000, 0x7ff0000000000000	/* sqrt PINF   */
	FPD1 139, fsqrt.d, rne, 1, 0x10, 0x7ff8000000000000, 0xfff0000000000000	/* sqrt NINF   */
	FPD1 140, fsqrt.d, rne, 1, 0x0, 0x1e60000000000000, 0x1	/* sqrt MINS   */
	FPD1 141, fsqrt.d, rup, 4, 0x0, 0x1e60000000000000, 0x1	/* sqrt MINS   */
	FPD1 142, fsqrt.d, rne, 1, 0x1, 0x3ff0000000000000, 0x3ff0000000000001	/* sqrt ONEP   */
	FPD1 143, fsqrt.d, rtz, 2, 0x1, 0x3ff0000000000000, 0x3ff0000000000001	/* sqrt ONEP   */
	FPD1 144, fsqrt.d, rup, 4, 0x1, 0x3ff0000000000001, 0x3ff0000000000001	/* sqrt ONEP   */
	FPD1 145, fsqrt.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000001	/* sqrt SNAN   */
	FPD1 146, fsqrt.d, rne, 1, 0x1, 0x5fefffffffffffff, 0x7fefffffffffffff	/* sqrt MAX   */
	FPD3 147, fmadd.d, rne, 1, 0x0, 0x4024000000000000, 0x4000000000000000, 0x4008000000000000, 0x4010000000000000	/* madd TWO THREE FOUR */
	FPD3 148, fmadd.d, rne, 1, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* madd TENTH TEN M1 */
	FPD3 149, fmadd.d, dyn, 0, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000
	FPD3 150, fmadd.d, rtz, 2, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* madd TENTH TEN M1 */
	FPD3 151, fmadd.d, dyn, 1, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000
	FPD3 152, fmadd.d, rdn, 3, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* madd TENTH TEN M1 */
	FPD3 153, fmadd.d, dyn, 2, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000
	FPD3 154, fmadd.d, rup, 4, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* madd TENTH TEN M1 */
	FPD3 155, fmadd.d, dyn, 3, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000
	FPD3 156, fmadd.d, rmm, 0, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* madd TENTH TEN M1 */
	FPD3 157, fmadd.d, dyn, 4, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000
	FPD3 158, fmadd.d, rne, 1, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000	/* madd ONEP ONEM M1 */
	FPD3 159, fmadd.d, dyn, 0, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000
	FPD3 160, fmadd.d, rtz, 2, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000	/* madd ONEP ONEM M1 */
	FPD3 161, fmadd.d, dyn, 1, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000
	FPD3 162, fmadd.d, rdn, 3, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000	/* madd ONEP ONEM M1 */
	FPD3 163, fmadd.d, dyn, 2, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000
	FPD3 164, fmadd.d, rup, 4, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000	/* madd ONEP ONEM M1 */
	FPD3 165, fmadd.d, dyn, 3, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000
	FPD3 166, fmadd.d, rmm, 0, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000	/* madd ONEP ONEM M1 */
	FPD3 167, fmadd.d, dyn, 4, 0x0, 0x3c9ffffffffffffe, 0x3ff0000000000001, 0x3fefffffffffffff, 0xbff0000000000000
	FPD3 168, fmadd.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0x0, 0x7ff8000000000000	/* madd PINF PZ QNAN */
	FPD3 169, fmadd.d, rne, 1, 0x5, 0x7ff0000000000000, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff	/* madd MAX TWO MAX */
	FPD3 170, fmadd.d, rne, 1, 0x0, 0x0, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000000	/* madd ONE M1 ONE */
	FPD3 171, fmadd.d, rdn, 3, 0x0, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000000	/* madd ONE M1 ONE */
	FPD3 172, fmadd.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000	/* madd SNAN ONE ONE */
	FPD3 173, fmadd.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000	/* madd PINF ONE NINF */
	FPD3 174, fmadd.d, rne, 1, 0x0, 0x8000000000000, 0x10000000000000, 0x3fe0000000000000, 0x0	/* madd MINN HALF PZ */
	FPD3 175, fmadd.d, rne, 1, 0x0, 0xfff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0xfff0000000000000	/* madd MAX MAX NINF */
	FPD3 176, fmadd.d, rne, 1, 0x0, 0xbc90000000000000, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000	/* madd THIRD THREE M1 */
	FPD3 177, fmadd.d, rup, 4, 0x0, 0xbc90000000000000, 0x3fd5555555555555, 0x4008000000000000, 0xbff0000000000000	/* madd THIRD THREE M1 */
	FPD3 178, fmsub.d, rne, 1, 0x0, 0x4000000000000000, 0x4000000000000000, 0x4008000000000000, 0x4010000000000000	/* msub TWO THREE FOUR */
	FPD3 179, fmsub.d, rne, 1, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* msub TENTH TEN ONE */
	FPD3 180, fmsub.d, rtz, 2, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* msub TENTH TEN ONE */
	FPD3 181, fmsub.d, rdn, 3, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* msub TENTH TEN ONE */
	FPD3 182, fmsub.d, rup, 4, 0x0, 0x3c90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* msub TENTH TEN ONE */
	FPD3 183, fmsub.d, rne, 1, 0x10, 0x7ff8000000000000, 0x7ff0000000000000, 0x3ff0000000000000, 0x7ff0000000000000	/* msub PINF ONE PINF */
	FPD3 184, fnmadd.d, rne, 1, 0x0, 0xc024000000000000, 0x4000000000000000, 0x4008000000000000, 0x4010000000000000	/* nmadd TWO THREE FOUR */
	FPD3 185, fnmadd.d, rne, 1, 0x0, 0xbc90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* nmadd TENTH TEN M1 */
	FPD3 186, fnmadd.d, rdn, 3, 0x0, 0xbc90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* nmadd TENTH TEN M1 */
	FPD3 187, fnmadd.d, rup, 4, 0x0, 0xbc90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0xbff0000000000000	/* nmadd TENTH TEN M1 */
	FPD3 188, fnmadd.d, rne, 1, 0x0, 0x8000000000000000, 0x0, 0x3ff0000000000000, 0x0	/* nmadd PZ ONE PZ */
	FPD3 189, fnmadd.d, rdn, 3, 0x0, 0x8000000000000000, 0x0, 0x3ff0000000000000, 0x0	/* nmadd PZ ONE PZ */
	FPD3 190, fnmsub.d, rne, 1, 0x0, 0xc000000000000000, 0x4000000000000000, 0x4008000000000000, 0x4010000000000000	/* nmsub TWO THREE FOUR */
	FPD3 191, fnmsub.d, rne, 1, 0x0, 0xbc90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* nmsub TENTH TEN ONE */
	FPD3 192, fnmsub.d, rdn, 3, 0x0, 0xbc90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* nmsub TENTH TEN ONE */
	FPD3 193, fnmsub.d, rup, 4, 0x0, 0xbc90000000000000, 0x3fb999999999999a, 0x4024000000000000, 0x3ff0000000000000	/* nmsub TENTH TEN ONE */
	FPD3 194, fnmsub.d, rne, 1, 0x0, 0x0, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000	/* nmsub ONE ONE ONE */
	FPD3 195, fnmsub.d, rdn, 3, 0x0, 0x8000000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0x3ff0000000000000	/* nmsub ONE ONE ONE */
	TEST_END
