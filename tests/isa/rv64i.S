/*
 * rv64i.S - RV64I: register/immediate ALU ops (incl. W forms and edge shift
 * amounts), LUI/AUIPC, all six branches, JAL/JALR, loads and stores of every
 * width, misaligned accesses (data or a misaligned trap), FENCE, FENCE.I
 * with self-modifying code.
 */
#include "test.h"

/* branch taken / not taken */
.macro TEST_BR_TAKEN n, op, v1, v2
	TEST_CASE \n
	li	a1, \v1
	li	a2, \v2
	\op	a1, a2, .Lt\@
	j	test_fail
.Lt\@:
.endm
.macro TEST_BR_NOT n, op, v1, v2
	TEST_CASE \n
	li	a1, \v1
	li	a2, \v2
	\op	a1, a2, .Lt\@
	j	.Ln\@
.Lt\@:	j	test_fail
.Ln\@:
.endm
/* load from ldata + off: a0 = result */
.macro TEST_LD n, op, off, exp
	TEST_CASE \n
	la	a1, ldata
	\op	a0, \off(a1)
	ASSERT_EQ a0, \exp
.endm
/* sd init at sdata, then op val at sdata+off, then the dword must be exp */
.macro TEST_ST n, op, init, off, val, exp
	TEST_CASE \n
	la	a1, sdata
	li	a2, \init
	sd	a2, 0(a1)
	li	a3, \val
	\op	a3, \off(a1)
	ld	a0, 0(a1)
	ASSERT_EQ a0, \exp
.endm
/* misaligned load: either the data or a misaligned-load trap, tval = addr */
.macro TEST_MIS_LD n, op, off, exp
	TEST_CASE \n
	la	a1, ldata
	addi	a1, a1, \off
	li	a0, 0x5a5a
	EXPECT_TRAP
	\op	a0, 0(a1)
	ld	t5, trap_expect
	bnez	t5, .Lnotrap\@
	ASSERT_MEM trap_cause, CAUSE_MISALIGNED_LOAD
	CHECK_TVAL_REG a1
	ASSERT_EQ a0, 0x5a5a
	j	.Ldone\@
.Lnotrap\@:
	CHECK_NO_TRAP
	ASSERT_EQ a0, \exp
.Ldone\@:
.endm
/* misaligned store of val at sdata+off over init: either the dword becomes
 * exp, or a misaligned-store trap with tval = addr and memory unchanged */
.macro TEST_MIS_ST n, op, init, off, val, exp
	TEST_CASE \n
	la	a1, sdata
	li	a2, \init
	sd	a2, 0(a1)
	sd	a2, 8(a1)
	addi	a4, a1, \off
	li	a3, \val
	EXPECT_TRAP
	\op	a3, 0(a4)
	ld	a0, 0(a1)
	ld	t5, trap_expect
	bnez	t5, .Lnotrap\@
	ASSERT_MEM trap_cause, CAUSE_MISALIGNED_STORE
	CHECK_TVAL_REG a4
	ASSERT_EQ a0, \init
	j	.Ldone\@
.Lnotrap\@:
	CHECK_NO_TRAP
	ASSERT_EQ a0, \exp
.Ldone\@:
.endm

TEST_BEGIN
	/* ---- ALU, generated from a reference model ---- */
	TEST_RR 1, add, 0x3, 0x1, 0x2
	TEST_RR 2, add, 0x8000000000000000, 0x7fffffffffffffff, 0x1
	TEST_RR 3, add, 0x0, 0xffffffffffffffff, 0x1
	TEST_RR 4, add, 0x100000000, 0x80000000, 0x80000000
	TEST_RR 5, add, 0xfffffffffffffff4, 0xfffffffffffffffb, 0xfffffffffffffff9
	TEST_RR 6, sub, 0xfffffffffffffffe, 0x3, 0x5
	TEST_RR 7, sub, 0xffffffffffffffff, 0x0, 0x1
	TEST_RR 8, sub, 0x7fffffffffffffff, 0x8000000000000000, 0x1
	TEST_RR 9, sub, 0x0, 0xffffffffffffffff, 0xffffffffffffffff
	TEST_RR 10, sll, 0x1, 0x1, 0x0
	TEST_RR 11, sll, 0x8000000000000000, 0x1, 0x3f
	TEST_RR 12, sll, 0x123, 0x123, 0x40
	TEST_RR 13, sll, 0x246, 0x123, 0x41
	TEST_RR 14, sll, 0xffffffff80000000, 0xffffffffffffffff, 0x1f
	TEST_RR 15, sll, 0x0, 0xf0f0, 0xffffffffffffffff
	TEST_RR 16, srl, 0x1, 0x8000000000000000, 0x3f
	TEST_RR 17, srl, 0xffffffffffffffff, 0xffffffffffffffff, 0x0
	TEST_RR 18, srl, 0x7fffffffffffffff, 0xffffffffffffffff, 0x1
	TEST_RR 19, srl, 0xffffffffffffffff, 0xffffffffffffffff, 0x40
	TEST_RR 20, srl, 0x123456789abcdef, 0x123456789abcdef0, 0x44
	TEST_RR 21, sra, 0xffffffffffffffff, 0x8000000000000000, 0x3f
	TEST_RR 22, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0xd
	TEST_RR 23, sra, 0xc000000000000000, 0x8000000000000000, 0x1
	TEST_RR 24, sra, 0x7, 0x7ff0000000000000, 0x3c
	TEST_RR 25, sra, 0xfffffffffffffff0, 0xffffffffffffff00, 0x44
	TEST_RR 26, slt, 0x1, 0x1, 0x2
	TEST_RR 27, slt, 0x0, 0x2, 0x1
	TEST_RR 28, slt, 0x1, 0xffffffffffffffff, 0x1
	TEST_RR 29, slt, 0x0, 0x1, 0xffffffffffffffff
	TEST_RR 30, slt, 0x0, 0x5, 0x5
	TEST_RR 31, slt, 0x1, 0x8000000000000000, 0x7fffffffffffffff
	TEST_RR 32, sltu, 0x1, 0x1, 0x2
	TEST_RR 33, sltu, 0x0, 0x2, 0x1
	TEST_RR 34, sltu, 0x0, 0xffffffffffffffff, 0x1
	TEST_RR 35, sltu, 0x1, 0x1, 0xffffffffffffffff
	TEST_RR 36, sltu, 0x0, 0x5, 0x5
	TEST_RR 37, sltu, 0x1, 0x0, 0xffffffffffffffff
	TEST_RR 38, xor, 0xf0f0f0f0f0f0f0f0, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0
	TEST_RR 39, xor, 0xffffffffffffaaaa, 0xffffffffffffffff, 0x5555
	TEST_RR 40, or, 0xfff0fff0fff0fff0, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0
	TEST_RR 41, or, 0x0, 0x0, 0x0
	TEST_RR 42, and, 0xf000f000f000f00, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0
	TEST_RR 43, and, 0x1234, 0xffffffffffffffff, 0x1234
	TEST_RR 44, addw, 0xffffffff80000000, 0x7fffffff, 0x1
	TEST_RR 45, addw, 0x0, 0xffffffffffffffff, 0x1
	TEST_RR 46, addw, 0x0, 0x1ffffffff, 0x1
	TEST_RR 47, addw, 0x33456789, 0x123456789, 0x10000000
	TEST_RR 48, subw, 0xffffffffffffffff, 0x0, 0x1
	TEST_RR 49, subw, 0x7fffffff, 0x80000000, 0x1
	TEST_RR 50, subw, 0x0, 0x100000000, 0x0
	TEST_RR 51, sllw, 0xffffffff80000000, 0x1, 0x1f
	TEST_RR 52, sllw, 0x1, 0x1, 0x20
	TEST_RR 53, sllw, 0x6, 0x3, 0x21
	TEST_RR 54, sllw, 0x2, 0xffffffff80000001, 0x1
	TEST_RR 55, sllw, 0x0, 0x12345678, 0xffffffffffffffff
	TEST_RR 56, srlw, 0x1, 0x80000000, 0x1f
	TEST_RR 57, srlw, 0xffffffffffffffff, 0xffffffffffffffff, 0x0
	TEST_RR 58, srlw, 0x7fffffff, 0xffffffffffffffff, 0x1
	TEST_RR 59, srlw, 0x1, 0xffffffff00000010, 0x4
	TEST_RR 60, srlw, 0xffffffff80000000, 0x80000000, 0x20
	TEST_RR 61, sraw, 0xffffffffffffffff, 0x80000000, 0x1f
	TEST_RR 62, sraw, 0xffffffffc0000000, 0x80000000, 0x1
	TEST_RR 63, sraw, 0x7fffffff, 0x7fffffff, 0x20
	TEST_RR 64, sraw, 0x7fffffff, 0xffffffff7fffffff, 0x0
	TEST_RR 65, sraw, 0xfffffffff8765432, 0x87654321, 0x24
	TEST_RI 66, addi, 0x800, 0x1, 2047
	TEST_RI 67, addi, 0xfffffffffffff801, 0x1, -2048
	TEST_RI 68, addi, 0x8000000000000000, 0x7fffffffffffffff, 1
	TEST_RI 69, addi, 0x0, 0xffffffffffffffff, 1
	TEST_RI 70, slti, 0x1, 0xffffffffffffffff, 0
	TEST_RI 71, slti, 0x0, 0x0, -1
	TEST_RI 72, slti, 0x0, 0x5, 5
	TEST_RI 73, slti, 0x1, 0x4, 5
	TEST_RI 74, sltiu, 0x1, 0x0, 1
	TEST_RI 75, sltiu, 0x0, 0x1, 1
	TEST_RI 76, sltiu, 0x1, 0x5, -1
	TEST_RI 77, sltiu, 0x1, 0xfffffffffffffffe, -1
	TEST_RI 78, xori, 0xffffffffff00ff00, 0xff00ff, -1
	TEST_RI 79, xori, 0x15cb, 0x1234, 2047
	TEST_RI 80, ori, 0xffffffffffffff00, 0xff00, -2048
	TEST_RI 81, ori, 0x555, 0x0, 1365
	TEST_RI 82, andi, 0xfffffffffffff800, 0xffffffffffffffff, -2048
	TEST_RI 83, andi, 0x7f0, 0xffff, 2032
	TEST_RI 84, slli, 0x8000000000000000, 0x1, 63
	TEST_RI 85, slli, 0x123, 0x123, 0
	TEST_RI 86, slli, 0xffffffff00000000, 0xffffffffffffffff, 32
	TEST_RI 87, srli, 0x1, 0xffffffffffffffff, 63
	TEST_RI 88, srli, 0xffffffffffffffff, 0xffffffffffffffff, 0
	TEST_RI 89, srli, 0x80000000, 0x8000000000000000, 32
	TEST_RI 90, srai, 0xffffffffffffffff, 0x8000000000000000, 63
	TEST_RI 91, srai, 0x8000000000000000, 0x8000000000000000, 0
	TEST_RI 92, srai, 0x1, 0x4000000000000000, 62
	TEST_RI 93, srai, 0xfffffffffffffffe, 0xfffffffffffffff8, 2
	TEST_RI 94, addiw, 0xffffffff80000000, 0x7fffffff, 1
	TEST_RI 95, addiw, 0xffffffffffffffff, 0xffffffff, 0
	TEST_RI 96, addiw, 0x1, 0x12345678ffffffff, 2
	TEST_RI 97, slliw, 0xffffffff80000000, 0x1, 31
	TEST_RI 98, slliw, 0xffffffffffffffff, 0xffffffff, 0
	TEST_RI 99, slliw, 0x2, 0x80000001, 1
	TEST_RI 100, srliw, 0x1, 0x80000000, 31
	TEST_RI 101, srliw, 0xffffffff80000000, 0xffffffff80000000, 0
	TEST_RI 102, srliw, 0x7fffffff, 0xffffffffffffffff, 1
	TEST_RI 103, sraiw, 0xffffffffffffffff, 0x80000000, 31
	TEST_RI 104, sraiw, 0xffffffff80000000, 0x80000000, 0
	TEST_RI 105, sraiw, 0x1, 0x7fffffff, 30
	TEST_RI 106, sraiw, 0xfffffffff8000000, 0x123480000000, 4
	TEST_RR_SAME 107, add, 0x246, 0x123
	TEST_RR_SAME 108, sub, 0, 0x123
	TEST_RR_SAME 109, sll, 0x18, 3
	TEST_RI_SAME 110, addiw, 0x7fffffff, 0x7ffffffe, 1

	/* ---- x0 ---- */
	TEST_CASE 111
	li	t0, 5
	add	x0, t0, t0
	addi	x0, x0, 1
	lui	x0, 0x12345
	mv	a0, x0
	ASSERT_EQ a0, 0

	/* ---- LUI / AUIPC ---- */
	TEST_CASE 112
	lui	a0, 0x12345
	ASSERT_EQ a0, 0x12345000
	TEST_CASE 113
	lui	a0, 0x80000
	ASSERT_EQ a0, 0xffffffff80000000
	TEST_CASE 114
	lui	a0, 0xfffff
	ASSERT_EQ a0, -4096
	TEST_CASE 115
	la	a1, 1f
1:	auipc	a0, 0
	ASSERT_REQ a0, a1
	TEST_CASE 116
	la	a1, 1f
1:	auipc	a0, 1
	sub	a0, a0, a1
	ASSERT_EQ a0, 0x1000
	TEST_CASE 117
	la	a1, 1f
1:	auipc	a0, 0xfffff
	sub	a0, a0, a1
	ASSERT_EQ a0, -0x1000

	/* ---- branches ---- */
	TEST_BR_TAKEN 118, beq, 5, 5
	TEST_BR_NOT   119, beq, 5, 6
	TEST_BR_TAKEN 120, bne, -1, 1
	TEST_BR_NOT   121, bne, -1, -1
	TEST_BR_TAKEN 122, blt, -1, 1
	TEST_BR_NOT   123, blt, 1, -1
	TEST_BR_NOT   124, blt, 7, 7
	TEST_BR_TAKEN 125, bge, 1, -1
	TEST_BR_TAKEN 126, bge, 7, 7
	TEST_BR_NOT   127, bge, 0x8000000000000000, 0x7fffffffffffffff
	TEST_BR_TAKEN 128, bltu, 1, -1
	TEST_BR_NOT   129, bltu, -1, 1
	TEST_BR_NOT   130, bltu, 3, 3
	TEST_BR_TAKEN 131, bgeu, -1, 1
	TEST_BR_TAKEN 132, bgeu, 3, 3
	TEST_BR_NOT   133, bgeu, 0, 0x8000000000000000
	TEST_CASE 134			/* backward branch loop */
	li	a0, 0
	li	a1, 10
1:	addi	a0, a0, 3
	addi	a1, a1, -1
	bnez	a1, 1b
	ASSERT_EQ a0, 30

	/* ---- JAL / JALR ---- */
	TEST_CASE 135
	la	a1, 2f
	jal	a0, 1f
2:	j	test_fail
1:	ASSERT_REQ a0, a1
	TEST_CASE 136			/* rd = ra, return with ret */
	li	a0, 0
	jal	ra, jal_sub
	ASSERT_EQ a0, 42
	TEST_CASE 137			/* jalr link and target */
	la	a1, 1f
	la	a2, 2f
	jalr	a0, 0(a1)
2:	j	test_fail
1:	ASSERT_REQ a0, a2
	TEST_CASE 138			/* jalr with offset, rd = x0 */
	la	a1, 1f - 64
	jalr	x0, 64(a1)
	j	test_fail
1:
	TEST_CASE 139			/* target bit 0 is cleared (register) */
	la	a1, 1f
	addi	a1, a1, 1
	jalr	x0, 0(a1)
	j	test_fail
	.balign 4
1:
	TEST_CASE 140			/* target bit 0 is cleared (offset) */
	la	a1, 1f
	jalr	x0, 1(a1)
	j	test_fail
	.balign 4
1:
	TEST_CASE 141			/* rd == rs1: target uses the old value */
	la	a0, 1f
	la	a2, 2f
	jalr	a0, 0(a0)
2:	j	test_fail
1:	ASSERT_REQ a0, a2
	TEST_CASE 142			/* negative jalr offset */
	la	a1, 1f + 100
	jalr	x0, -100(a1)
	j	test_fail
1:
	TEST_CASE 143			/* jal backwards */
	j	2f
1:	j	3f
2:	j	1b
3:

	/* ---- loads (ldata = 81 02 83 04 85 86 87 88 ...) ---- */
	TEST_LD 144, lb, 0, 0xffffffffffffff81
	TEST_LD 145, lb, 1, 0x02
	TEST_LD 146, lbu, 0, 0x81
	TEST_LD 147, lbu, 7, 0x88
	TEST_LD 148, lh, 0, 0x0281
	TEST_LD 149, lh, 4, 0xffffffffffff8685
	TEST_LD 150, lhu, 4, 0x8685
	TEST_LD 151, lhu, 2, 0x0483
	TEST_LD 152, lw, 0, 0x04830281
	TEST_LD 153, lw, 4, 0xffffffff88878685
	TEST_LD 154, lwu, 4, 0x88878685
	TEST_LD 155, lwu, 0, 0x04830281
	TEST_LD 156, ld, 0, 0x8887868504830281
	TEST_LD 157, ld, 8, 0x0123456789abcdef
	TEST_CASE 158			/* negative offset */
	la	a1, ldata + 8
	lw	a0, -4(a1)
	ASSERT_EQ a0, 0xffffffff88878685
	TEST_CASE 159			/* rd == rs1 */
	la	a0, ldata
	ld	a0, 8(a0)
	ASSERT_EQ a0, 0x0123456789abcdef
	TEST_CASE 160			/* load into x0 is discarded */
	la	a1, ldata
	ld	x0, 0(a1)
	mv	a0, x0
	ASSERT_EQ a0, 0

	/* ---- stores ---- */
	TEST_ST 161, sb, -1, 1, 0x1200, 0xffffffffffff00ff
	TEST_ST 162, sb, 0, 7, 0xab, 0xab00000000000000
	TEST_ST 163, sh, -1, 2, 0x12345678, 0xffffffff5678ffff
	TEST_ST 164, sh, 0, 6, 0x8001, 0x8001000000000000
	TEST_ST 165, sw, -1, 0, 0x0123456789abcdef, 0xffffffff89abcdef
	TEST_ST 166, sw, 0, 4, 0x80000000, 0x8000000000000000
	TEST_ST 167, sd, 0, 0, 0x0123456789abcdef, 0x0123456789abcdef
	TEST_CASE 168			/* negative offset, x0 source */
	la	a1, sdata + 16
	li	a2, -1
	sd	a2, -16(a1)
	sw	x0, -12(a1)
	ld	a0, -16(a1)
	ASSERT_EQ a0, 0x00000000ffffffff
	TEST_CASE 169			/* store then load every byte back */
	la	a1, sdata
	li	a2, 0x1122334455667788
	sd	a2, 0(a1)
	lbu	a0, 0(a1)
	ASSERT_EQ a0, 0x88
	lbu	a0, 7(a1)
	ASSERT_EQ a0, 0x11
	lhu	a0, 6(a1)
	ASSERT_EQ a0, 0x1122

	/* ---- misaligned: data or a misaligned trap with tval = address ---- */
	TEST_MIS_LD 170, lh, 1, 0xffffffffffff8302
	TEST_MIS_LD 171, lhu, 3, 0x8504
	TEST_MIS_LD 172, lw, 1, 0xffffffff85048302
	TEST_MIS_LD 173, lw, 2, 0xffffffff86850483
	TEST_MIS_LD 174, lwu, 3, 0x87868504
	TEST_MIS_LD 175, ld, 1, 0xef88878685048302
	TEST_MIS_LD 176, ld, 4, 0x89abcdef88878685
	TEST_MIS_ST 177, sh, 0, 1, 0xbeef, 0x0000000000beef00
	TEST_MIS_ST 178, sw, 0, 2, 0xdeadbeef, 0x0000deadbeef0000
	TEST_MIS_ST 179, sd, 0, 3, 0x1122334455667788, 0x4455667788000000
	TEST_MIS_ST 180, sw, -1, 7, 0, 0x00ffffffffffffff

	/* ---- FENCE ---- */
	TEST_CASE 181
	la	a1, sdata
	li	a2, 77
	sd	a2, 0(a1)
	fence
	fence	rw, rw
	fence	w, r
	fence	iorw, iorw
	fence.tso
	ld	a0, 0(a1)
	ASSERT_EQ a0, 77

	/* ---- FENCE.I with self-modifying code ---- */
	TEST_CASE 182
	call	smc_func
	ASSERT_EQ a0, 1
	TEST_CASE 183
	la	a1, smc_func
	li	a2, 0x00200513		/* addi a0, zero, 2 */
	sw	a2, 0(a1)
	fence.i
	call	smc_func
	ASSERT_EQ a0, 2
	TEST_CASE 184
	la	a1, smc_func
	li	a2, 0x00300513		/* addi a0, zero, 3 */
	sw	a2, 0(a1)
	fence.i
	call	smc_func
	ASSERT_EQ a0, 3
	TEST_CASE 185			/* patch code that is about to run inline */
	la	a1, 1f
	li	a2, 0x06300513		/* addi a0, zero, 99 */
	sw	a2, 0(a1)
	fence.i
	.option push
	.option norvc
1:	addi	a0, zero, 7
	.option pop
	ASSERT_EQ a0, 99
	TEST_END

jal_sub:
	li	a0, 42
	ret

	.option push
	.option norvc
	.balign 4
smc_func:
	addi	a0, zero, 1
	ret
	.option pop

	.data
	.balign 8
ldata:	.byte 0x81, 0x02, 0x83, 0x04, 0x85, 0x86, 0x87, 0x88
	.dword 0x0123456789abcdef
sdata:	.dword 0, 0, 0
