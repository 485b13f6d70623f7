/*
 * fp_arith_s.S - single-precision arithmetic: fadd/fsub/fmul/fdiv/fsqrt and
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
	FPS2 1, fadd.s, rne, 1, 0x1, 0x3f800000, 0x3f800000, 0x33800000	/* add ONE EPSH  */
	FPS2 2, fadd.s, dyn, 0, 0x1, 0x3f800000, 0x3f800000, 0x33800000
	FPS2 3, fadd.s, rtz, 2, 0x1, 0x3f800000, 0x3f800000, 0x33800000	/* add ONE EPSH  */
	FPS2 4, fadd.s, dyn, 1, 0x1, 0x3f800000, 0x3f800000, 0x33800000
	FPS2 5, fadd.s, rdn, 3, 0x1, 0x3f800000, 0x3f800000, 0x33800000	/* add ONE EPSH  */
	FPS2 6, fadd.s, dyn, 2, 0x1, 0x3f800000, 0x3f800000, 0x33800000
	FPS2 7, fadd.s, rup, 4, 0x1, 0x3f800001, 0x3f800000, 0x33800000	/* add ONE EPSH  */
	FPS2 8, fadd.s, dyn, 3, 0x1, 0x3f800001, 0x3f800000, 0x33800000
	FPS2 9, fadd.s, rmm, 0, 0x1, 0x3f800001, 0x3f800000, 0x33800000	/* add ONE EPSH  */
	FPS2 10, fadd.s, dyn, 4, 0x1, 0x3f800001, 0x3f800000, 0x33800000
	FPS2 11, fadd.s, rne, 1, 0x1, 0x3f800002, 0x3f800000, 0x34400000	/* add ONE EPS3  */
	FPS2 12, fadd.s, dyn, 0, 0x1, 0x3f800002, 0x3f800000, 0x34400000
	FPS2 13, fadd.s, rtz, 2, 0x1, 0x3f800001, 0x3f800000, 0x34400000	/* add ONE EPS3  */
	FPS2 14, fadd.s, dyn, 1, 0x1, 0x3f800001, 0x3f800000, 0x34400000
	FPS2 15, fadd.s, rdn, 3, 0x1, 0x3f800001, 0x3f800000, 0x34400000	/* add ONE EPS3  */
	FPS2 16, fadd.s, dyn, 2, 0x1, 0x3f800001, 0x3f800000, 0x34400000
	FPS2 17, fadd.s, rup, 4, 0x1, 0x3f800002, 0x3f800000, 0x34400000	/* add ONE EPS3  */
	FPS2 18, fadd.s, dyn, 3, 0x1, 0x3f800002, 0x3f800000, 0x34400000
	FPS2 19, fadd.s, rmm, 0, 0x1, 0x3f800002, 0x3f800000, 0x34400000	/* add ONE EPS3  */
	FPS2 20, fadd.s, dyn, 4, 0x1, 0x3f800002, 0x3f800000, 0x34400000
	FPS2 21, fadd.s, rne, 1, 0x0, 0xbf7ffffd, 0xbf800000, 0x34400000	/* add M1 EPS3  */
	FPS2 22, fadd.s, rdn, 3, 0x0, 0xbf7ffffd, 0xbf800000, 0x34400000	/* add M1 EPS3  */
	FPS2 23, fadd.s, rup, 4, 0x0, 0xbf7ffffd, 0xbf800000, 0x34400000	/* add M1 EPS3  */
	FPS2 24, fadd.s, rmm, 0, 0x0, 0xbf7ffffd, 0xbf800000, 0x34400000	/* add M1 EPS3  */
	FPS2 25, fadd.s, rne, 1, 0x1, 0x3eddddde, 0x3dcccccd, 0x3eaaaaab	/* add TENTH THIRD  */
	FPS2 26, fadd.s, rtz, 2, 0x1, 0x3eddddde, 0x3dcccccd, 0x3eaaaaab	/* add TENTH THIRD  */
	FPS2 27, fadd.s, rne, 1, 0x5, 0x7f800000, 0x7f7fffff, 0x7f7fffff	/* add MAX MAX  */
	FPS2 28, fadd.s, dyn, 0, 0x5, 0x7f800000, 0x7f7fffff, 0x7f7fffff
	FPS2 29, fadd.s, rtz, 2, 0x5, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff	/* add MAX MAX  */
	FPS2 30, fadd.s, dyn, 1, 0x5, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff
	FPS2 31, fadd.s, rdn, 3, 0x5, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff	/* add MAX MAX  */
	FPS2 32, fadd.s, dyn, 2, 0x5, 0x7f7fffff, 0x7f7fffff, 0x7f7fffff
	FPS2 33, fadd.s, rup, 4, 0x5, 0x7f800000, 0x7f7fffff, 0x7f7fffff	/* add MAX MAX  */
	FPS2 34, fadd.s, dyn, 3, 0x5, 0x7f800000, 0x7f7fffff, 0x7f7fffff
	FPS2 35, fadd.s, rmm, 0, 0x5, 0x7f800000, 0x7f7fffff, 0x7f7fffff	/* add MAX MAX  */
	FPS2 36, fadd.s, dyn, 4, 0x5, 0x7f800000, 0x7f7fffff, 0x7f7fffff
	FPS2 37, fadd.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0xff800000	/* add PINF NINF  */
	FPS2 38, fadd.s, rne, 1, 0x10, 0x7fc00000, 0x7f800001, 0x3f800000	/* add SNAN ONE  */
	FPS2 39, fadd.s, rne, 1, 0x0, 0x7fc00000, 0x7fc00000, 0x3f800000	/* add QNAN ONE  */
	FPS2 40, fadd.s, rne, 1, 0x0, 0x7fc00000, 0xffc12345, 0x7f800000	/* add NQNAN PINF  */
	FPS2 41, fadd.s, rne, 1, 0x0, 0x0, 0x3f800000, 0xbf800000	/* add ONE M1  */
	FPS2 42, fadd.s, rdn, 3, 0x0, 0x80000000, 0x3f800000, 0xbf800000	/* add ONE M1  */
	FPS2 43, fadd.s, rne, 1, 0x0, 0x80000000, 0x80000000, 0x80000000	/* add NZ NZ  */
	FPS2 44, fadd.s, rne, 1, 0x0, 0x0, 0x0, 0x80000000	/* add PZ NZ  */
	FPS2 45, fadd.s, rdn, 3, 0x0, 0x80000000, 0x0, 0x80000000	/* add PZ NZ  */
	FPS2 46, fadd.s, rne, 1, 0x0, 0x2, 0x1, 0x1	/* add MINS MINS  */
	FPS2 47, fadd.s, rne, 1, 0x0, 0x7f800000, 0x7f800000, 0x3f800000	/* add PINF ONE  */
	FPS2 48, fadd.s, rne, 1, 0x0, 0xffffff, 0x800000, 0x7fffff	/* add MINN MAXS  */
	FPS2 49, fsub.s, rne, 1, 0x0, 0x3f7fffff, 0x3f800000, 0x33800000	/* sub ONE EPSH  */
	FPS2 50, fsub.s, rtz, 2, 0x0, 0x3f7fffff, 0x3f800000, 0x33800000	/* sub ONE EPSH  */
	FPS2 51, fsub.s, rdn, 3, 0x0, 0x3f7fffff, 0x3f800000, 0x33800000	/* sub ONE EPSH  */
	FPS2 52, fsub.s, rmm, 0, 0x0, 0x3f7fffff, 0x3f800000, 0x33800000	/* sub ONE EPSH  */
	FPS2 53, fsub.s, rne, 1, 0x0, 0x0, 0x40400000, 0x40400000	/* sub THREE THREE  */
	FPS2 54, fsub.s, rdn, 3, 0x0, 0x80000000, 0x40400000, 0x40400000	/* sub THREE THREE  */
	FPS2 55, fsub.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0x7f800000	/* sub PINF PINF  */
	FPS2 56, fsub.s, rne, 1, 0x0, 0xff800000, 0xff800000, 0x7f7fffff	/* sub NINF MAX  */
	FPS2 57, fsub.s, rne, 1, 0x0, 0x80000001, 0x800000, 0x800001	/* sub MINN MINN1  */
	FPS2 58, fsub.s, rne, 1, 0x1, 0x7149f2ca, 0x7149f2ca, 0xda24260	/* sub BIG SMALL  */
	FPS2 59, fsub.s, rup, 4, 0x1, 0x7149f2ca, 0x7149f2ca, 0xda24260	/* sub BIG SMALL  */
	FPS2 60, fmul.s, rne, 1, 0x1, 0x3f800000, 0x40400000, 0x3eaaaaab	/* mul THREE THIRD  */
	FPS2 61, fmul.s, rtz, 2, 0x1, 0x3f800000, 0x40400000, 0x3eaaaaab	/* mul THREE THIRD  */
	FPS2 62, fmul.s, rup, 4, 0x1, 0x3f800001, 0x40400000, 0x3eaaaaab	/* mul THREE THIRD  */
	FPS2 63, fmul.s, rne, 1, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000	/* mul MAX TWO  */
	FPS2 64, fmul.s, dyn, 0, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000
	FPS2 65, fmul.s, rtz, 2, 0x5, 0x7f7fffff, 0x7f7fffff, 0x40000000	/* mul MAX TWO  */
	FPS2 66, fmul.s, dyn, 1, 0x5, 0x7f7fffff, 0x7f7fffff, 0x40000000
	FPS2 67, fmul.s, rdn, 3, 0x5, 0x7f7fffff, 0x7f7fffff, 0x40000000	/* mul MAX TWO  */
	FPS2 68, fmul.s, dyn, 2, 0x5, 0x7f7fffff, 0x7f7fffff, 0x40000000
	FPS2 69, fmul.s, rup, 4, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000	/* mul MAX TWO  */
	FPS2 70, fmul.s, dyn, 3, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000
	FPS2 71, fmul.s, rmm, 0, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000	/* mul MAX TWO  */
	FPS2 72, fmul.s, dyn, 4, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000
	FPS2 73, fmul.s, rne, 1, 0x0, 0x400000, 0x800000, 0x3f000000	/* mul MINN HALF  */
	FPS2 74, fmul.s, rne, 1, 0x3, 0x2aaaab, 0x800000, 0x3eaaaaab	/* mul MINN THIRD  */
	FPS2 75, fmul.s, rup, 4, 0x3, 0x2aaaab, 0x800000, 0x3eaaaaab	/* mul MINN THIRD  */
	FPS2 76, fmul.s, rne, 1, 0x3, 0x0, 0x1, 0x3f000000	/* mul MINS HALF  */
	FPS2 77, fmul.s, rup, 4, 0x3, 0x1, 0x1, 0x3f000000	/* mul MINS HALF  */
	FPS2 78, fmul.s, rmm, 0, 0x3, 0x1, 0x1, 0x3f000000	/* mul MINS HALF  */
	FPS2 79, fmul.s, rne, 1, 0x1, 0x800000, 0x800001, 0x3f7ffffe	/* mul MINN1 ONEM2  */
	FPS2 80, fmul.s, dyn, 0, 0x1, 0x800000, 0x800001, 0x3f7ffffe
	FPS2 81, fmul.s, rtz, 2, 0x3, 0x7fffff, 0x800001, 0x3f7ffffe	/* mul MINN1 ONEM2  */
	FPS2 82, fmul.s, dyn, 1, 0x3, 0x7fffff, 0x800001, 0x3f7ffffe
	FPS2 83, fmul.s, rdn, 3, 0x3, 0x7fffff, 0x800001, 0x3f7ffffe	/* mul MINN1 ONEM2  */
	FPS2 84, fmul.s, dyn, 2, 0x3, 0x7fffff, 0x800001, 0x3f7ffffe
	FPS2 85, fmul.s, rup, 4, 0x1, 0x800000, 0x800001, 0x3f7ffffe	/* mul MINN1 ONEM2  */
	FPS2 86, fmul.s, dyn, 3, 0x1, 0x800000, 0x800001, 0x3f7ffffe
	FPS2 87, fmul.s, rmm, 0, 0x1, 0x800000, 0x800001, 0x3f7ffffe	/* mul MINN1 ONEM2  */
	FPS2 88, fmul.s, dyn, 4, 0x1, 0x800000, 0x800001, 0x3f7ffffe
	FPS2 89, fmul.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0x0	/* mul PINF PZ  */
	FPS2 90, fmul.s, rne, 1, 0x0, 0x80000000, 0x80000000, 0x41200000	/* mul NZ TEN  */
	FPS2 91, fmul.s, rne, 1, 0x0, 0x7f800000, 0xff800000, 0xc0000000	/* mul NINF NEG2  */
	FPS2 92, fmul.s, rne, 1, 0x10, 0x7fc00000, 0x7f800001, 0x0	/* mul SNAN PZ  */
	FPS2 93, fmul.s, rne, 1, 0x3, 0x0, 0xda24260, 0xda24260	/* mul SMALL SMALL  */
	FPS2 94, fmul.s, rup, 4, 0x3, 0x1, 0xda24260, 0xda24260	/* mul SMALL SMALL  */
	FPS2 95, fmul.s, rne, 1, 0x1, 0x3f800000, 0x3dcccccd, 0x41200000	/* mul TENTH TEN  */
	FPS2 96, fmul.s, rtz, 2, 0x1, 0x3f800000, 0x3dcccccd, 0x41200000	/* mul TENTH TEN  */
	FPS2 97, fdiv.s, rne, 1, 0x1, 0x3eaaaaab, 0x3f800000, 0x40400000	/* div ONE THREE  */
	FPS2 98, fdiv.s, dyn, 0, 0x1, 0x3eaaaaab, 0x3f800000, 0x40400000
	FPS2 99, fdiv.s, rtz, 2, 0x1, 0x3eaaaaaa, 0x3f800000, 0x40400000	/* div ONE THREE  */
	FPS2 100, fdiv.s, dyn, 1, 0x1, 0x3eaaaaaa, 0x3f800000, 0x40400000
	FPS2 101, fdiv.s, rdn, 3, 0x1, 0x3eaaaaaa, 0x3f800000, 0x40400000	/* div ONE THREE  */
	FPS2 102, fdiv.s, dyn, 2, 0x1, 0x3eaaaaaa, 0x3f800000, 0x40400000
	FPS2 103, fdiv.s, rup, 4, 0x1, 0x3eaaaaab, 0x3f800000, 0x40400000	/* div ONE THREE  */
	FPS2 104, fdiv.s, dyn, 3, 0x1, 0x3eaaaaab, 0x3f800000, 0x40400000
	FPS2 105, fdiv.s, rmm, 0, 0x1, 0x3eaaaaab, 0x3f800000, 0x40400000	/* div ONE THREE  */
	FPS2 106, fdiv.s, dyn, 4, 0x1, 0x3eaaaaab, 0x3f800000, 0x40400000
	FPS2 107, fdiv.s, rne, 1, 0x1, 0xbeaaaaab, 0xbf800000, 0x40400000	/* div M1 THREE  */
	FPS2 108, fdiv.s, rtz, 2, 0x1, 0xbeaaaaaa, 0xbf800000, 0x40400000	/* div M1 THREE  */
	FPS2 109, fdiv.s, rdn, 3, 0x1, 0xbeaaaaab, 0xbf800000, 0x40400000	/* div M1 THREE  */
	FPS2 110, fdiv.s, rup, 4, 0x1, 0xbeaaaaaa, 0xbf800000, 0x40400000	/* div M1 THREE  */
	FPS2 111, fdiv.s, rne, 1, 0x8, 0x7f800000, 0x3f800000, 0x0	/* div ONE PZ  */
	FPS2 112, fdiv.s, rne, 1, 0x8, 0xff800000, 0xbf800000, 0x0	/* div M1 PZ  */
	FPS2 113, fdiv.s, rne, 1, 0x8, 0xff800000, 0x3f800000, 0x80000000	/* div ONE NZ  */
	FPS2 114, fdiv.s, rne, 1, 0x10, 0x7fc00000, 0x0, 0x0	/* div PZ PZ  */
	FPS2 115, fdiv.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0xff800000	/* div PINF NINF  */
	FPS2 116, fdiv.s, rne, 1, 0x0, 0x0, 0x0, 0x3f800000	/* div PZ ONE  */
	FPS2 117, fdiv.s, rne, 1, 0x5, 0x7f800000, 0x7f7fffff, 0x3f000000	/* div MAX HALF  */
	FPS2 118, fdiv.s, rtz, 2, 0x5, 0x7f7fffff, 0x7f7fffff, 0x3f000000	/* div MAX HALF  */
	FPS2 119, fdiv.s, rne, 1, 0x3, 0x0, 0x1, 0x40000000	/* div MINS TWO  */
	FPS2 120, fdiv.s, rup, 4, 0x3, 0x1, 0x1, 0x40000000	/* div MINS TWO  */
	FPS2 121, fdiv.s, rne, 1, 0x0, 0x40200000, 0x41200000, 0x40800000	/* div TEN FOUR  */
	FPS2 122, fdiv.s, rne, 1, 0x0, 0x0, 0x3f800000, 0x7f800000	/* div ONE PINF  */
	FPS2 123, fdiv.s, rne, 1, 0x0, 0x7fc00000, 0x7fc00000, 0x0	/* div QNAN PZ  */
	FPS2 124, fdiv.s, rne, 1, 0x3, 0x2aaaab, 0x800000, 0x40400000	/* div MINN THREE  */
	FPS1 125, fsqrt.s, rne, 1, 0x1, 0x3fb504f3, 0x40000000	/* sqrt TWO   */
	FPS1 126, fsqrt.s, dyn, 0, 0x1, 0x3fb504f3, 0x40000000
	FPS1 127, fsqrt.s, rtz, 2, 0x1, 0x3fb504f3, 0x40000000	/* sqrt TWO   */
	FPS1 128, fsqrt.s, dyn, 1, 0x1, 0x3fb504f3, 0x40000000
	FPS1 129, fsqrt.s, rdn, 3, 0x1, 0x3fb504f3, 0x40000000	/* sqrt TWO   */
	FPS1 130, fsqrt.s, dyn, 2, 0x1, 0x3fb504f3, 0x40000000
	FPS1 131, fsqrt.s, rup, 4, 0x1, 0x3fb504f4, 0x40000000	/* sqrt TWO   */
	FPS1 132, fsqrt.s, dyn, 3, 0x1, 0x3fb504f4, 0x40000000
	FPS1 133, fsqrt.s, rmm, 0, 0x1, 0x3fb504f3, 0x40000000	/* sqrt TWO   */
	FPS1 134, fsqrt.s, dyn, 4, 0x1, 0x3fb504f3, 0x40000000
	FPS1 135, fsqrt.s, rne, 1, 0x0, 0x40000000, 0x40800000	/* sqrt FOUR   */
	FPS1 136, fsqrt.s, rne, 1, 0x10, 0x7fc00000, 0xbf800000	/* sqrt M1   */
	FPS1 137, fsqrt.s, rne, 1, 0x0, 0x80000000, 0x80000000	/* sqrt NZ   */
	FPS1 138, fsqrt.s, rne, 1, 0x0, 0x7f800000, 0x7f800000	/* sqrt PINF   */
	FPS1 139, fsqrt.s, rne, 1, 0x10, 0x7fc00000, 0xff800000	/* sqrt NINF   */
	FPS1 140, fsqrt.s, rne, 1, 0x1, 0x1a3504f3, 0x1	/* sqrt MINS   */
	FPS1 141, fsqrt.s, rup, 4, 0x1, 0x1a3504f4, 0x1	/* sqrt MINS   */
	FPS1 142, fsqrt.s, rne, 1, 0x1, 0x3f800000, 0x3f800001	/* sqrt ONEP   */
	FPS1 143, fsqrt.s, rtz, 2, 0x1, 0x3f800000, 0x3f800001	/* sqrt ONEP   */
	FPS1 144, fsqrt.s, rup, 4, 0x1, 0x3f800001, 0x3f800001	/* sqrt ONEP   */
	FPS1 145, fsqrt.s, rne, 1, 0x10, 0x7fc00000, 0x7f800001	/* sqrt SNAN   */
	FPS1 146, fsqrt.s, rne, 1, 0x1, 0x5f7fffff, 0x7f7fffff	/* sqrt MAX   */
	FPS3 147, fmadd.s, rne, 1, 0x0, 0x41200000, 0x40000000, 0x40400000, 0x40800000	/* madd TWO THREE FOUR */
	FPS3 148, fmadd.s, rne, 1, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* madd TENTH TEN M1 */
	FPS3 149, fmadd.s, dyn, 0, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000
	FPS3 150, fmadd.s, rtz, 2, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* madd TENTH TEN M1 */
	FPS3 151, fmadd.s, dyn, 1, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000
	FPS3 152, fmadd.s, rdn, 3, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* madd TENTH TEN M1 */
	FPS3 153, fmadd.s, dyn, 2, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000
	FPS3 154, fmadd.s, rup, 4, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* madd TENTH TEN M1 */
	FPS3 155, fmadd.s, dyn, 3, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000
	FPS3 156, fmadd.s, rmm, 0, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* madd TENTH TEN M1 */
	FPS3 157, fmadd.s, dyn, 4, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0xbf800000
	FPS3 158, fmadd.s, rne, 1, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000	/* madd ONEP ONEM M1 */
	FPS3 159, fmadd.s, dyn, 0, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000
	FPS3 160, fmadd.s, rtz, 2, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000	/* madd ONEP ONEM M1 */
	FPS3 161, fmadd.s, dyn, 1, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000
	FPS3 162, fmadd.s, rdn, 3, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000	/* madd ONEP ONEM M1 */
	FPS3 163, fmadd.s, dyn, 2, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000
	FPS3 164, fmadd.s, rup, 4, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000	/* madd ONEP ONEM M1 */
	FPS3 165, fmadd.s, dyn, 3, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000
	FPS3 166, fmadd.s, rmm, 0, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000	/* madd ONEP ONEM M1 */
	FPS3 167, fmadd.s, dyn, 4, 0x0, 0x337ffffe, 0x3f800001, 0x3f7fffff, 0xbf800000
	FPS3 168, fmadd.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0x0, 0x7fc00000	/* madd PINF PZ QNAN */
	FPS3 169, fmadd.s, rne, 1, 0x5, 0x7f800000, 0x7f7fffff, 0x40000000, 0x7f7fffff	/* madd MAX TWO MAX */
	FPS3 170, fmadd.s, rne, 1, 0x0, 0x0, 0x3f800000, 0xbf800000, 0x3f800000	/* madd ONE M1 ONE */
	FPS3 171, fmadd.s, rdn, 3, 0x0, 0x80000000, 0x3f800000, 0xbf800000, 0x3f800000	/* madd ONE M1 ONE */
	FPS3 172, fmadd.s, rne, 1, 0x10, 0x7fc00000, 0x7f800001, 0x3f800000, 0x3f800000	/* madd SNAN ONE ONE */
	FPS3 173, fmadd.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0x3f800000, 0xff800000	/* madd PINF ONE NINF */
	FPS3 174, fmadd.s, rne, 1, 0x0, 0x400000, 0x800000, 0x3f000000, 0x0	/* madd MINN HALF PZ */
	FPS3 175, fmadd.s, rne, 1, 0x0, 0xff800000, 0x7f7fffff, 0x7f7fffff, 0xff800000	/* madd MAX MAX NINF */
	FPS3 176, fmadd.s, rne, 1, 0x0, 0x33000000, 0x3eaaaaab, 0x40400000, 0xbf800000	/* madd THIRD THREE M1 */
	FPS3 177, fmadd.s, rup, 4, 0x0, 0x33000000, 0x3eaaaaab, 0x40400000, 0xbf800000	/* madd THIRD THREE M1 */
	FPS3 178, fmsub.s, rne, 1, 0x0, 0x40000000, 0x40000000, 0x40400000, 0x40800000	/* msub TWO THREE FOUR */
	FPS3 179, fmsub.s, rne, 1, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* msub TENTH TEN ONE */
	FPS3 180, fmsub.s, rtz, 2, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* msub TENTH TEN ONE */
	FPS3 181, fmsub.s, rdn, 3, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* msub TENTH TEN ONE */
	FPS3 182, fmsub.s, rup, 4, 0x0, 0x32800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* msub TENTH TEN ONE */
	FPS3 183, fmsub.s, rne, 1, 0x10, 0x7fc00000, 0x7f800000, 0x3f800000, 0x7f800000	/* msub PINF ONE PINF */
	FPS3 184, fnmadd.s, rne, 1, 0x0, 0xc1200000, 0x40000000, 0x40400000, 0x40800000	/* nmadd TWO THREE FOUR */
	FPS3 185, fnmadd.s, rne, 1, 0x0, 0xb2800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* nmadd TENTH TEN M1 */
	FPS3 186, fnmadd.s, rdn, 3, 0x0, 0xb2800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* nmadd TENTH TEN M1 */
	FPS3 187, fnmadd.s, rup, 4, 0x0, 0xb2800000, 0x3dcccccd, 0x41200000, 0xbf800000	/* nmadd TENTH TEN M1 */
	FPS3 188, fnmadd.s, rne, 1, 0x0, 0x80000000, 0x0, 0x3f800000, 0x0	/* nmadd PZ ONE PZ */
	FPS3 189, fnmadd.s, rdn, 3, 0x0, 0x80000000, 0x0, 0x3f800000, 0x0	/* nmadd PZ ONE PZ */
	FPS3 190, fnmsub.s, rne, 1, 0x0, 0xc0000000, 0x40000000, 0x40400000, 0x40800000	/* nmsub TWO THREE FOUR */
	FPS3 191, fnmsub.s, rne, 1, 0x0, 0xb2800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* nmsub TENTH TEN ONE */
	FPS3 192, fnmsub.s, rdn, 3, 0x0, 0xb2800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* nmsub TENTH TEN ONE */
	FPS3 193, fnmsub.s, rup, 4, 0x0, 0xb2800000, 0x3dcccccd, 0x41200000, 0x3f800000	/* nmsub TENTH TEN ONE */
	FPS3 194, fnmsub.s, rne, 1, 0x0, 0x0, 0x3f800000, 0x3f800000, 0x3f800000	/* nmsub ONE ONE ONE */
	FPS3 195, fnmsub.s, rdn, 3, 0x0, 0x80000000, 0x3f800000, 0x3f800000, 0x3f800000	/* nmsub ONE ONE ONE */
	TEST_END
