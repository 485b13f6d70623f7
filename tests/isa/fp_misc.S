/*
 * fp_misc.S - FP state and encodings: mstatus.FS = Off makes FP
 * instructions and FP CSRs illegal, FP writes make FS Dirty (and SD set),
 * fcsr/frm/fflags aliasing and sticky flags, reserved static rm (5, 6) and
 * dynamic rm with frm = 5..7 illegal, NaN boxing (fmv.w.x/flw box; an
 * improperly boxed single reads as the canonical NaN; fmv.x.w and fsw move
 * the low bits unchanged), FP loads/stores, fmv sign extension.
 */
#include "test.h"
#include "fp.h"

.macro EXPECT_ILLEGAL insn:vararg
	EXPECT_TRAP
	\insn
	CHECK_TRAP CAUSE_ILLEGAL
.endm
.macro EXPECT_OK insn:vararg
	EXPECT_TRAP
	\insn
	CHECK_NO_TRAP
.endm
#define UNBOXED_ONE 0x000000003f800000	/* 1.0f without the NaN box */

TEST_BEGIN
	FP_ON
	/* ---- FS = Off ---- */
	TEST_CASE 1
	li	a1, MSTATUS_FS
	csrc	mstatus, a1
	EXPECT_ILLEGAL fadd.s fa0, fa1, fa2
	EXPECT_ILLEGAL fadd.d fa0, fa1, fa2
	EXPECT_ILLEGAL fmv.x.w a0, fa0
	EXPECT_ILLEGAL fmv.d.x fa0, a0
	EXPECT_ILLEGAL fcvt.s.w fa0, a0
	EXPECT_ILLEGAL fsgnj.d fa0, fa1, fa1
	TEST_CASE 2
	la	a2, fbuf
	EXPECT_ILLEGAL flw fa0, 0(a2)
	EXPECT_ILLEGAL fsd fa0, 0(a2)
	EXPECT_ILLEGAL c.fld fa0, 0(a2)
	EXPECT_ILLEGAL c.fsdsp fa0, 0(sp)
	TEST_CASE 3
	EXPECT_ILLEGAL csrr a0, fcsr
	EXPECT_ILLEGAL csrr a0, frm
	EXPECT_ILLEGAL csrw fflags, zero
	TEST_CASE 4			/* in S-mode too */
	GOTO_MODE PRV_S, 1f
1:	EXPECT_ILLEGAL fmul.d fa0, fa1, fa2
	EXPECT_ILLEGAL csrr a0, fflags
	GOTO_M 2f
2:	li	a1, MSTATUS_FS
	csrs	mstatus, a1
	EXPECT_OK fadd.s fa0, fa1, fa2

	/* ---- FS becomes Dirty ---- */
	TEST_CASE 5			/* an FP arithmetic write */
	li	a1, MSTATUS_FS
	csrc	mstatus, a1
	li	a1, MSTATUS_FS_INIT
	csrs	mstatus, a1
	fadd.d	fa0, fa1, fa2
	csrr	a0, mstatus
	ASSERT_MASKED a0, MSTATUS_FS, MSTATUS_FS_DIRTY
	srli	a0, a0, MSTATUS_SD_SHIFT
	ASSERT_EQ a0, 1
	TEST_CASE 6			/* an FP load */
	li	a1, MSTATUS_FS
	csrc	mstatus, a1
	li	a1, MSTATUS_FS_CLEAN
	csrs	mstatus, a1
	la	a2, fbuf
	fld	fa3, 0(a2)
	csrr	a0, mstatus
	ASSERT_MASKED a0, MSTATUS_FS, MSTATUS_FS_DIRTY
	TEST_CASE 7			/* an fcsr write */
	li	a1, MSTATUS_FS
	csrc	mstatus, a1
	li	a1, MSTATUS_FS_CLEAN
	csrs	mstatus, a1
	csrwi	fflags, 1
	csrr	a0, mstatus
	ASSERT_MASKED a0, MSTATUS_FS, MSTATUS_FS_DIRTY
	TEST_CASE 8			/* sstatus shows FS and SD */
	csrr	a0, sstatus
	ASSERT_MASKED a0, MSTATUS_FS, MSTATUS_FS_DIRTY
	srli	a0, a0, MSTATUS_SD_SHIFT
	ASSERT_EQ a0, 1

	/* ---- fcsr / frm / fflags ---- */
	TEST_CASE 9
	li	a1, 0xff
	csrw	fcsr, a1
	csrr	a0, frm
	ASSERT_EQ a0, 7
	csrr	a0, fflags
	ASSERT_EQ a0, 0x1f
	TEST_CASE 10			/* bits above 7 read as zero */
	li	a1, -1
	csrw	fcsr, a1
	csrr	a0, fcsr
	ASSERT_EQ a0, 0xff
	TEST_CASE 11
	csrwi	fcsr, 0
	csrwi	frm, 3
	csrr	a0, fcsr
	ASSERT_EQ a0, 0x60
	csrwi	fflags, 0x15
	csrr	a0, fcsr
	ASSERT_EQ a0, 0x75
	TEST_CASE 12			/* fflags writes keep frm, frm keeps fflags */
	li	a1, 0xffffffff
	csrw	fflags, a1
	csrr	a0, fcsr
	ASSERT_EQ a0, 0x7f
	csrwi	frm, 1
	csrr	a0, fcsr
	ASSERT_EQ a0, 0x3f
	TEST_CASE 13			/* swap forms */
	li	a1, 0x42
	fscsr	a2, a1
	ASSERT_EQ a2, 0x3f
	fsrmi	a2, 4
	ASSERT_EQ a2, 2
	fsflagsi a2, 0x10
	ASSERT_EQ a2, 2
	frcsr	a0
	ASSERT_EQ a0, 0x90
	TEST_CASE 14			/* flags accrue */
	csrwi	fcsr, 0
	FLOAD_S	fa1, 0x3f800000		/* 1 */
	FLOAD_S	fa2, 0x40400000		/* 3 */
	fdiv.s	fa0, fa1, fa2		/* NX */
	FLOAD_S	fa3, 0
	fdiv.s	fa0, fa1, fa3		/* DZ */
	frflags	a0
	ASSERT_EQ a0, FFLAG_NX | FFLAG_DZ
	fadd.s	fa0, fa1, fa1		/* exact: nothing cleared */
	frflags	a0
	ASSERT_EQ a0, FFLAG_NX | FFLAG_DZ

	/* ---- rounding-mode encodings ---- */
	TEST_CASE 15			/* static rm 5 and 6 are reserved */
	csrwi	fcsr, 0
	EXPECT_ILLEGAL .word 0x00c5d553		/* fadd.s  fa0, fa1, fa2, rm=5 */
	EXPECT_ILLEGAL .word 0x00c5e553		/* fadd.s  fa0, fa1, fa2, rm=6 */
	EXPECT_ILLEGAL .word 0x12c5d553		/* fmul.d  fa0, fa1, fa2, rm=5 */
	EXPECT_ILLEGAL .word 0xc005e553		/* fcvt.w.s a0, fa1, rm=6 */
	EXPECT_ILLEGAL .word 0x5a05d553		/* fsqrt.d fa0, fa1, rm=5 */
	EXPECT_ILLEGAL .word 0x68c5e543		/* fmadd.s fa0, fa1, fa2, fa3, rm=6 */
	TEST_CASE 16			/* dyn with frm = 5, 6, 7 is illegal */
	csrwi	frm, 5
	EXPECT_ILLEGAL fadd.s fa0, fa1, fa2, dyn
	csrwi	frm, 6
	EXPECT_ILLEGAL fmul.d fa0, fa1, fa2, dyn
	csrwi	frm, 7
	EXPECT_ILLEGAL fcvt.l.d a0, fa1, dyn
	EXPECT_ILLEGAL fmadd.d fa0, fa1, fa2, fa3, dyn
	EXPECT_ILLEGAL fsqrt.s fa0, fa1, dyn
	TEST_CASE 17			/* ... but static modes and ops without
					 * rounding still work */
	csrwi	frm, 7
	EXPECT_OK fadd.s fa0, fa1, fa2, rne
	EXPECT_OK fsgnj.d fa0, fa1, fa2
	EXPECT_OK fmin.s fa0, fa1, fa2
	EXPECT_OK feq.d a0, fa1, fa2
	EXPECT_OK fmv.x.d a0, fa1
	EXPECT_OK fclass.s a0, fa1
	csrwi	frm, 0
	TEST_CASE 18			/* a trapped op leaves rd and fflags */
	FLOAD_S	fa0, 0x12345678
	FLOAD_S	fa1, 0x3f800000
	FLOAD_S	fa2, 0x40400000
	li	a1, 7 << 5
	csrw	fcsr, a1
	EXPECT_ILLEGAL fdiv.s fa0, fa1, fa2, dyn
	fmv.x.w	a0, fa0
	ASSERT_EQ a0, 0x12345678
	frflags	a0
	ASSERT_EQ a0, 0
	csrwi	fcsr, 0

	/* ---- NaN boxing ---- */
	TEST_CASE 19			/* fmv.w.x boxes */
	li	a1, 0x40490fdb
	fmv.w.x	fa0, a1
	fmv.x.d	a0, fa0
	ASSERT_EQ a0, 0xffffffff40490fdb
	TEST_CASE 20			/* flw boxes */
	la	a2, fbuf
	li	a1, 0x11111111c0000000
	sd	a1, 0(a2)
	flw	fa0, 0(a2)
	fmv.x.d	a0, fa0
	ASSERT_EQ a0, 0xffffffffc0000000
	TEST_CASE 21			/* arithmetic results are boxed */
	FLOAD_D	fa1, 0x4000000000000000
	FLOAD_D	fa2, 0x4000000000000000
	fcvt.s.d fa0, fa1
	fmv.x.d	a0, fa0
	ASSERT_EQ a0, 0xffffffff40000000
	TEST_CASE 22			/* unboxed input = canonical NaN (quiet) */
	FLOAD_D	fa1, UNBOXED_ONE
	FLOAD_S	fa2, 0x3f800000
	csrwi	fflags, 0
	fadd.s	fa0, fa1, fa2
	FCHECK_S 0x7fc00000, 0
	TEST_CASE 23
	FLOAD_D	fa1, UNBOXED_ONE
	fclass.s a0, fa1
	ASSERT_EQ a0, 0x200
	TEST_CASE 24			/* almost boxed is still not boxed */
	FLOAD_D	fa1, 0xfffffffe3f800000
	fclass.s a0, fa1
	ASSERT_EQ a0, 0x200
	TEST_CASE 25
	FLOAD_D	fa1, UNBOXED_ONE
	FLOAD_S	fa2, 0x3f800000
	csrwi	fflags, 0
	fmax.s	fa0, fa1, fa2		/* NaN operand: the other one */
	FCHECK_S 0x3f800000, 0
	TEST_CASE 26
	FLOAD_D	fa1, UNBOXED_ONE
	FLOAD_S	fa2, 0x3f800000
	csrwi	fflags, 0
	feq.s	a0, fa1, fa2		/* quiet compare: no NV */
	XCHECK	0, 0
	flt.s	a0, fa2, fa1		/* signaling compare: NV */
	XCHECK	0, FFLAG_NV
	TEST_CASE 27			/* sign injection sees the canonical NaN */
	FLOAD_D	fa1, UNBOXED_ONE
	FLOAD_S	fa2, 0xbf800000
	csrwi	fflags, 0
	fsgnj.s	fa0, fa1, fa2
	FCHECK_S 0xffc00000, 0
	TEST_CASE 28
	FLOAD_D	fa1, UNBOXED_ONE
	FLOAD_S	fa2, 0x3f800000
	fsgnjn.s fa0, fa2, fa1		/* sign source unboxed: canonical NaN's */
	FCHECK_S 0xbf800000, 0
	TEST_CASE 29			/* fcvt.d.s of an unboxed value */
	FLOAD_D	fa1, UNBOXED_ONE
	csrwi	fflags, 0
	fcvt.d.s fa0, fa1
	FCHECK_D 0x7ff8000000000000, 0
	TEST_CASE 30			/* fmv.x.w moves the low bits unchanged */
	FLOAD_D	fa1, 0x12345678bf800000
	fmv.x.w	a0, fa1
	ASSERT_EQ a0, 0xffffffffbf800000
	TEST_CASE 31			/* fsw stores the low bits unchanged */
	FLOAD_D	fa1, 0x123456783f800000
	la	a2, fbuf
	sd	zero, 0(a2)
	fsw	fa1, 4(a2)
	ld	a0, 0(a2)
	ASSERT_EQ a0, 0x3f80000000000000
	TEST_CASE 32			/* fsd of a single stores the box */
	FLOAD_S	fa1, 0x3f800000
	la	a2, fbuf
	fsd	fa1, 8(a2)
	ld	a0, 8(a2)
	ASSERT_EQ a0, 0xffffffff3f800000
	TEST_CASE 33			/* canonical NaN, not the input payload */
	FLOAD_S	fa1, 0xffc12345
	FLOAD_S	fa2, 0x3f800000
	csrwi	fflags, 0
	fmul.s	fa0, fa1, fa2
	FCHECK_S 0x7fc00000, 0
	TEST_CASE 34
	FLOAD_D	fa1, 0x7ff4000000000abc	/* signaling, payload */
	csrwi	fflags, 0
	fsqrt.d	fa0, fa1
	FCHECK_D 0x7ff8000000000000, FFLAG_NV

	/* ---- moves, loads and stores ---- */
	TEST_CASE 35			/* fmv.x.w sign-extends */
	li	a1, 0x80000000
	fmv.w.x	fa0, a1
	fmv.x.w	a0, fa0
	ASSERT_EQ a0, 0xffffffff80000000
	TEST_CASE 36
	li	a1, 0x8123456789abcdef
	fmv.d.x	fa5, a1
	fmv.x.d	a0, fa5
	ASSERT_EQ a0, 0x8123456789abcdef
	TEST_CASE 37			/* fld/fsd with offsets, all registers */
	la	a2, fbuf + 64
	li	a1, 0x0102030405060708
	sd	a1, -8(a2)
	fld	ft11, -8(a2)
	fsd	ft11, 16(a2)
	ld	a0, 16(a2)
	ASSERT_EQ a0, 0x0102030405060708
	TEST_CASE 38
	csrwi	fflags, 0
	la	a2, fbuf
	li	a1, 0x7f800001		/* sNaN bits: no conversion on move */
	sw	a1, 0(a2)
	flw	fs11, 0(a2)
	fsw	fs11, 12(a2)
	lwu	a0, 12(a2)
	ASSERT_EQ a0, 0x7f800001
	frflags	a0
	ASSERT_EQ a0, 0
	TEST_CASE 39			/* fmv/fneg/fabs pseudo-ops keep NaNs */
	csrwi	fflags, 0
	FLOAD_D	fa1, 0x7ff0000000000001
	fneg.d	fa0, fa1
	fmv.x.d	a0, fa0
	ASSERT_EQ a0, 0xfff0000000000001
	fabs.d	fa0, fa0
	fmv.x.d	a0, fa0
	ASSERT_EQ a0, 0x7ff0000000000001
	frflags	a0
	ASSERT_EQ a0, 0
	TEST_END

	.data
	.balign 16
fbuf:	.space 128
