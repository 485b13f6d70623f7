/*
 * sdtrig.S - debug triggers (Sdtrig): tinfo lists mcontrol (2) and
 * mcontrol6 (6), tselect is WARL, an unsupported type does not stick,
 * execute / load / store address triggers raise a breakpoint (cause 3)
 * before the instruction or access in the modes they are enabled for and
 * not in others, NAPOT when the hart keeps match = 1, and, where tcontrol
 * exists, M-mode triggers only with MTE set, a trap into M clearing MTE
 * (its handler does not trigger again) and mret restoring it.
 *
 * QEMU 7.2 deviations, accepted where they show:
 *  - tval of a trigger's breakpoint is 0; the spec wants the instruction's
 *    or the access's virtual address (the only value godwit gives).
 *  - tdata1 written with an unsupported type keeps its old value instead
 *    of reading back type 15 ("exists but disabled"); both tell the reader
 *    the type did not take. (It also ignores a write of 0, which debuggers
 *    use to clear a trigger; this test clears triggers by writing an
 *    mcontrol with no mode bits instead.)
 *  - there is no tcontrol (illegal instruction), which the spec allows:
 *    then M-mode triggers always fire, and the MTE cases are skipped.
 * Triggers fire in the trap handlers only if a case arms one in M-mode.
 */
#include "test.h"

#define CSR_TSELECT	0x7a0
#define CSR_TDATA1	0x7a1
#define CSR_TDATA2	0x7a2
#define CSR_TINFO	0x7a4
#define CSR_TCONTROL	0x7a5
#define T_LOAD		(1 << 0)
#define T_STORE		(1 << 1)
#define T_EXEC		(1 << 2)
#define T_U		(1 << 3)
#define T_S		(1 << 4)
#define T_M		(1 << 6)
#define T_NAPOT		(1 << 7)
#define MCONTROL	(2 << 60)
#define MCONTROL6	(6 << 60)
#define TYPE_MASK	(0xf << 60)

/* trigger 0 := type | bits, tdata2 := address of label + off */
.macro ARM type_bits, label, off=0
	csrw	CSR_TSELECT, zero
	li	t0, MCONTROL		/* off while tdata2 changes */
	csrw	CSR_TDATA1, t0
	la	t0, \label
	addi	t0, t0, \off
	csrw	CSR_TDATA2, t0
	li	t0, \type_bits
	csrw	CSR_TDATA1, t0
.endm
.macro DISARM
	csrw	CSR_TSELECT, zero
	li	t0, MCONTROL
	csrw	CSR_TDATA1, t0
.endm
/* after a trigger's breakpoint: cause 3, epc at label, tval = the
 * address (tv + off, tv defaulting to label) or 0 (QEMU 7.2) */
.macro CHECK_BREAK label, tv=0, off=0
	CHECK_TRAP CAUSE_BREAKPOINT
	CHECK_EPC \label
	ld	t5, trap_tval
	beqz	t5, .Lok\@
	.ifc \tv,0
	la	t6, \label
	.else
	la	t6, \tv
	.endif
	addi	t6, t6, \off
	ASSERT_REQ t5, t6
.Lok\@:
.endm

TEST_BEGIN
	TEST_CASE 1			/* tinfo: types 2 and 6 */
	csrr	a0, CSR_TINFO
	ASSERT_MASKED a0, 0x44, 0x44
	TEST_CASE 2			/* at least two triggers; tselect WARL */
	li	a1, 1
	csrw	CSR_TSELECT, a1
	ASSERT_CSR CSR_TSELECT, 1
	li	a1, 0x7fffffff
	csrw	CSR_TSELECT, a1
	csrr	a0, CSR_TSELECT
	ASSERT_NE a0, 0x7fffffff
	csrw	CSR_TSELECT, zero
	ASSERT_CSR CSR_TSELECT, 0
	TEST_CASE 3			/* type 7 is not in tinfo and does not
					 * stick: 15, or (QEMU) the old value */
	csrr	a0, CSR_TINFO
	ASSERT_MASKED a0, 0x80, 0
	li	a1, MCONTROL | T_U | T_LOAD
	csrw	CSR_TDATA1, a1
	csrr	a2, CSR_TDATA1
	li	a1, (7 << 60) | T_U | T_LOAD
	csrw	CSR_TDATA1, a1
	csrr	a0, CSR_TDATA1
	beq	a0, a2, 1f
	li	t0, TYPE_MASK
	and	a0, a0, t0
	ASSERT_EQ a0, 15 << 60
1:	DISARM

	/* ---- execute ---- */
	TEST_CASE 4			/* U-only trigger: not in M */
	ARM	MCONTROL | T_U | T_EXEC, bump
	li	a0, 0
	EXPECT_TRAP
	call	bump
	CHECK_NO_TRAP
	ASSERT_EQ a0, 1
	TEST_CASE 5			/* ... but in U, before the instruction */
	GOTO_MODE PRV_U, 1f
1:	li	a0, 0
	EXPECT_TRAP
	call	bump			/* the handler skips bump's addi */
	GOTO_M	2f
2:	ASSERT_EQ a0, 0
	CHECK_BREAK bump
	CHECK_LEVEL 3
	TEST_CASE 6			/* mcontrol6, S: fires in S, not in U */
	ARM	MCONTROL6 | T_S | T_EXEC, bump
	GOTO_MODE PRV_U, 1f
1:	li	a0, 0
	EXPECT_TRAP
	call	bump
	GOTO_M	2f
2:	CHECK_NO_TRAP
	ASSERT_EQ a0, 1
	TEST_CASE 7
	GOTO_MODE PRV_S, 1f
1:	li	a0, 0
	EXPECT_TRAP
	call	bump
	GOTO_M	2f
2:	ASSERT_EQ a0, 0
	CHECK_BREAK bump
	TEST_CASE 8			/* a loop reaching the trigger from
					 * inside its own page */
	ARM	MCONTROL | T_S | T_EXEC, loop_hit
	GOTO_MODE PRV_S, 1f
1:	li	a0, 0
	li	a1, 20
	EXPECT_TRAP
loop:	addi	a0, a0, 1
	bne	a0, a1, loop
loop_hit:
	addi	a0, a0, 100
	GOTO_M	2f
2:	ASSERT_EQ a0, 20
	CHECK_BREAK loop_hit
	DISARM

	/* ---- loads and stores ---- */
	TEST_CASE 9			/* S load trigger on data+8 */
	ARM	MCONTROL | T_S | T_LOAD, data, 8
	GOTO_MODE PRV_S, 1f
1:	la	a1, data
	EXPECT_TRAP
	ld	a2, 0(a1)		/* same page, other doublewords: no */
	ld	a2, 16(a1)
	sd	a2, 8(a1)		/* a store: no */
	li	a3, 0x55
ld_hit:	ld	a3, 8(a1)
	GOTO_M	2f
2:	ASSERT_EQ a3, 0x55		/* skipped: never loaded */
	CHECK_BREAK ld_hit, data, 8
	TEST_CASE 10			/* mcontrol6 U store trigger on data+24 */
	ARM	MCONTROL6 | T_U | T_STORE, data, 24
	la	a1, data
	li	a2, 0x1111
	sd	a2, 24(a1)		/* M: not enabled */
	GOTO_MODE PRV_U, 1f
1:	la	a1, data
	li	a2, 0x2222
	EXPECT_TRAP
	ld	a3, 24(a1)		/* a load: no */
	sd	a2, 32(a1)
st_hit:	sd	a2, 24(a1)
	GOTO_M	2f
2:	CHECK_BREAK st_hit, data, 24
	la	a1, data
	ld	a0, 24(a1)
	ASSERT_EQ a0, 0x1111		/* before the store: memory unchanged */
	ld	a0, 32(a1)
	ASSERT_EQ a0, 0x2222
	TEST_CASE 11			/* a wider access covering the address */
	ARM	MCONTROL6 | T_U | T_STORE, data, 26
	GOTO_MODE PRV_U, 1f
1:	la	a1, data
	EXPECT_TRAP
st_hit2: sd	zero, 24(a1)
	GOTO_M	2f
2:	CHECK_BREAK st_hit2, data, 24
	TEST_CASE 12			/* AMOs are loads and stores */
	ARM	MCONTROL | T_S | T_LOAD, data, 40
	GOTO_MODE PRV_S, 1f
1:	la	a1, data
	addi	a1, a1, 40
	li	a2, 1
	EXPECT_TRAP
amo_hit: amoadd.d a3, a2, (a1)
	GOTO_M	2f
2:	CHECK_BREAK amo_hit, data, 40
	TEST_CASE 13			/* NAPOT (16 bytes at data+64), if the
					 * hart keeps match = 1 */
	ARM	MCONTROL | T_S | T_LOAD | T_NAPOT, data, 64 + 7
	csrr	a0, CSR_TDATA1
	andi	a0, a0, 0xf << 7
	li	t0, T_NAPOT
	bne	a0, t0, 3f
	GOTO_MODE PRV_S, 1f
1:	la	a1, data
	EXPECT_TRAP
	ld	a2, 80(a1)		/* just past it: no */
	ld	a2, 56(a1)		/* just before it: no */
napot_hit:
	lw	a2, 76(a1)
	GOTO_M	2f
2:	CHECK_BREAK napot_hit, data, 76
3:	DISARM

	/* ---- M-mode and tcontrol (only if tcontrol exists) ---- */
	TEST_CASE 14
	EXPECT_TRAP
	csrr	a0, CSR_TCONTROL
	ld	t0, trap_expect
	beqz	t0, tcontrol_absent	/* it trapped */
	CHECK_NO_TRAP
	ASSERT_MASKED a0, 0x77, 0	/* only MTE/MPTE defined */
	csrw	CSR_TCONTROL, zero
	TEST_CASE 15			/* MTE = 0: M triggers do not fire */
	ARM	MCONTROL | T_M | T_EXEC, bump
	li	a0, 0
	EXPECT_TRAP
	call	bump
	CHECK_NO_TRAP
	ASSERT_EQ a0, 1
	TEST_CASE 16			/* MTE = 1: they do; the trap saved MTE
					 * in MPTE, mret restored it */
	csrwi	CSR_TCONTROL, 8
	li	a0, 0
	EXPECT_TRAP
	call	bump
	ASSERT_EQ a0, 0
	CHECK_BREAK bump
	ASSERT_CSR CSR_TCONTROL, 0x88
	TEST_CASE 17			/* a trigger on the M handler's entry does
					 * not fire inside it (MTE is 0 there) */
	ARM	MCONTROL6 | T_M | T_EXEC, trap_entry
	EXPECT_TRAP
	li	a7, 0
	ecall
	CHECK_TRAP CAUSE_MACHINE_ECALL
	ASSERT_CSR CSR_TCONTROL, 0x88
	DISARM
	csrw	CSR_TCONTROL, zero
tcontrol_absent:
	DISARM
	TEST_END

bump:	addi	a0, a0, 1
	ret

	.data
	.balign 4096
data:	.fill 128, 8, 0
