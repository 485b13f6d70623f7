/*
 * test_decode.c - decode_insn on hand-assembled encodings of every RV64GC
 * format and class, plus small end-to-end interpreter runs.
 *
 * Every constant was cross-checked with riscv64-unknown-elf-as and
 * `objdump -M no-aliases`; the assembly is in the comment next to it.
 * Reserved encodings were built by flipping fields of a valid encoding.
 */
#include "unit_machine.h"

/* ---------------------------------------------------------------- helpers */

static struct dinsn dec(uint32_t bits)
{
	struct dinsn d;

	memset(&d, 0xa5, sizeof(d)); /* decode_insn must set every field */
	decode_insn(&d, bits);
	return d;
}

static void check_common(const struct dinsn *d, uint32_t bits, const char *file,
			 int line)
{
	unsigned len = (bits & 3) == 3 ? 4 : 2;
	uint32_t raw = len == 4 ? bits : (bits & 0xffff);

	if (d->len != len || d->raw != raw) {
		print_error("%s:%d: 0x%08x: len=%u raw=0x%x, expected len=%u raw=0x%x\n",
			    file, line, bits, d->len, d->raw, len, raw);
		_fail(file, line);
	}
}

static void expect_(uint32_t bits, int op, int rd, int rs1, int rs2,
		    int32_t imm, const char *file, int line)
{
	struct dinsn d = dec(bits);

	check_common(&d, bits, file, line);
	if (d.op != op || d.rd != rd || d.rs1 != rs1 || d.rs2 != rs2 ||
	    d.imm != imm) {
		print_error("%s:%d: 0x%08x decoded to %s rd=%u rs1=%u rs2=%u imm=%d (0x%x),\n"
			    "    expected %s rd=%d rs1=%d rs2=%d imm=%d (0x%x)\n",
			    file, line, bits, decode_op_name(d.op), d.rd, d.rs1,
			    d.rs2, d.imm, (uint32_t)d.imm, decode_op_name(op),
			    rd, rs1, rs2, imm, (uint32_t)imm);
		_fail(file, line);
	}
}

static void expect_fp_(uint32_t bits, int op, int rd, int rs1, int rs2,
		       int rs3, int rm, const char *file, int line)
{
	struct dinsn d = dec(bits);

	check_common(&d, bits, file, line);
	if (d.op != op || d.rd != rd || d.rs1 != rs1 || d.rs2 != rs2 ||
	    d.rs3 != rs3 || d.rm != rm) {
		print_error("%s:%d: 0x%08x decoded to %s rd=%u rs1=%u rs2=%u rs3=%u rm=%u,\n"
			    "    expected %s rd=%d rs1=%d rs2=%d rs3=%d rm=%d\n",
			    file, line, bits, decode_op_name(d.op), d.rd, d.rs1,
			    d.rs2, d.rs3, d.rm, decode_op_name(op), rd, rs1,
			    rs2, rs3, rm);
		_fail(file, line);
	}
}

static void expect_illegal_(uint32_t bits, const char *file, int line)
{
	struct dinsn d = dec(bits);

	check_common(&d, bits, file, line);
	if (d.op != OP_ILLEGAL) {
		print_error("%s:%d: 0x%08x decoded to %s, expected ILLEGAL\n",
			    file, line, bits, decode_op_name(d.op));
		_fail(file, line);
	}
}

/* EXPECT(bits, OP, rd, rs1, rs2, imm): also checks len and raw. */
#define EXPECT(bits, op, rd, rs1, rs2, imm) \
	expect_(bits, OP_##op, rd, rs1, rs2, imm, __FILE__, __LINE__)
#define EXPECT_FP(bits, op, rd, rs1, rs2, rs3, rm) \
	expect_fp_(bits, OP_##op, rd, rs1, rs2, rs3, rm, __FILE__, __LINE__)
#define EXPECT_ILLEGAL(bits) expect_illegal_(bits, __FILE__, __LINE__)

/* ------------------------------------------------------ 32-bit encodings */

static void test_decode_lui_auipc_u_immediates(void **state)
{
	(void)state;
	EXPECT(0x80000537, LUI, 10, 0, 0, INT32_MIN); /* lui a0,0x80000 */
	EXPECT(0xffffffb7, LUI, 31, 0, 0, -4096);      /* lui t6,0xfffff */
	EXPECT(0x12345097, AUIPC, 1, 0, 0, 0x12345000); /* auipc ra,0x12345 */
	EXPECT(0x12345037, LUI, 32, 0, 0, 0x12345000); /* lui zero,0x12345 */
	EXPECT(0xfffff017, AUIPC, 32, 0, 0, -4096);    /* auipc zero,0xfffff */
}

static void test_decode_jal_jalr_extreme_offsets(void **state)
{
	(void)state;
	EXPECT(0x7ffff0ef, JAL, 1, 0, 0, 0xffffe);    /* jal ra,.+0xffffe (1 MiB - 2) */
	EXPECT(0x8000006f, JAL, 32, 0, 0, -0x100000); /* jal zero,.-0x100000 */
	EXPECT(0x0000006f, JAL, 32, 0, 0, 0);         /* jal zero,. */
	EXPECT(0x80008067, JALR, 32, 1, 0, -2048);    /* jalr zero,-2048(ra) */
	EXPECT(0x7ff58567, JALR, 10, 11, 0, 2047);    /* jalr a0,2047(a1) */
	EXPECT_ILLEGAL(0x00059067);                   /* jalr zero,0(a1) with funct3=1 */
}

static void test_decode_branch_b_immediates(void **state)
{
	(void)state;
	EXPECT(0x80b50063, BEQ, 0, 10, 11, -4096); /* beq a0,a1,.-4096 */
	EXPECT(0x7e941fe3, BNE, 0, 8, 9, 4094);    /* bne s0,s1,.+4094 */
	EXPECT(0xfe62cfe3, BLT, 0, 5, 6, -2);      /* blt t0,t1,.-2 */
	EXPECT(0x00d650e3, BGE, 0, 12, 13, 2048);  /* bge a2,a3,.+2048 */
	EXPECT(0x01efe463, BLTU, 0, 31, 30, 8);    /* bltu t6,t5,.+8 */
	EXPECT(0xfe20f8e3, BGEU, 0, 1, 2, -16);    /* bgeu ra,sp,.-16 */
	EXPECT_ILLEGAL(0x00b52063);                /* branch funct3=2 */
	EXPECT_ILLEGAL(0x00b53063);                /* branch funct3=3 */
}

static void test_decode_loads_stores_i_s_immediates(void **state)
{
	(void)state;
	EXPECT(0x80010503, LB, 10, 2, 0, -2048);  /* lb a0,-2048(sp) */
	EXPECT(0x7ff19583, LH, 11, 3, 0, 2047);   /* lh a1,2047(gp) */
	EXPECT(0x00452003, LW, 32, 10, 0, 4);     /* lw zero,4(a0) */
	EXPECT(0xff843d83, LD, 27, 8, 0, -8);     /* ld s11,-8(s0) */
	EXPECT(0x0006c603, LBU, 12, 13, 0, 0);    /* lbu a2,0(a3) */
	EXPECT(0x0017d703, LHU, 14, 15, 0, 1);    /* lhu a4,1(a5) */
	EXPECT(0xfff8e803, LWU, 16, 17, 0, -1);   /* lwu a6,-1(a7) */
	EXPECT(0x80a10023, SB, 0, 2, 10, -2048);  /* sb a0,-2048(sp) */
	EXPECT(0x7e531fa3, SH, 0, 6, 5, 2047);    /* sh t0,2047(t1) */
	EXPECT(0xfe112e23, SW, 0, 2, 1, -4);      /* sw ra,-4(sp) */
	EXPECT(0x00993423, SD, 0, 18, 9, 8);      /* sd s1,8(s2) */
	EXPECT_ILLEGAL(0x0005f503);               /* load funct3=7 */
	EXPECT_ILLEGAL(0x00a5c023);               /* store funct3=4 */
}

static void test_decode_op_imm_and_shift_amounts(void **state)
{
	(void)state;
	EXPECT(0x00000013, ADDI, 32, 0, 0, 0);       /* addi zero,zero,0 (nop) */
	EXPECT(0xfff58513, ADDI, 10, 11, 0, -1);     /* addi a0,a1,-1 */
	EXPECT(0x8005a513, SLTI, 10, 11, 0, -2048);  /* slti a0,a1,-2048 */
	EXPECT(0x7ff5b513, SLTIU, 10, 11, 0, 2047);  /* sltiu a0,a1,2047 */
	EXPECT(0xfff5c513, XORI, 10, 11, 0, -1);     /* xori a0,a1,-1 */
	EXPECT(0x5555e513, ORI, 10, 11, 0, 0x555);   /* ori a0,a1,0x555 */
	EXPECT(0x7ff5f513, ANDI, 10, 11, 0, 2047);   /* andi a0,a1,2047 */
	EXPECT(0x03f59513, SLLI, 10, 11, 0, 63);     /* slli a0,a1,63 */
	EXPECT(0x0015d513, SRLI, 10, 11, 0, 1);      /* srli a0,a1,1 */
	EXPECT(0x43f5d513, SRAI, 10, 11, 0, 63);     /* srai a0,a1,63: imm is the shamt only */
	EXPECT(0x00529013, SLLI, 32, 5, 0, 5);       /* slli zero,t0,5 */
	EXPECT_ILLEGAL(0x04059513); /* slli a0,a1,0 with funct6=0x01 */
	EXPECT_ILLEGAL(0x40059513); /* slli a0,a1,0 with funct6=0x10 (no "slai") */
	EXPECT_ILLEGAL(0x0405d513); /* srli a0,a1,0 with funct6=0x01 */
	EXPECT_ILLEGAL(0x8015d513); /* srli a0,a1,1 with funct6=0x20 */
}

static void test_decode_word_forms(void **state)
{
	(void)state;
	EXPECT(0x8005851b, ADDIW, 10, 11, 0, -2048); /* addiw a0,a1,-2048 */
	EXPECT(0x01f5951b, SLLIW, 10, 11, 0, 31);    /* slliw a0,a1,31 */
	EXPECT(0x01f5d51b, SRLIW, 10, 11, 0, 31);    /* srliw a0,a1,31 */
	EXPECT(0x41f5d51b, SRAIW, 10, 11, 0, 31);    /* sraiw a0,a1,31 */
	EXPECT(0x00c5853b, ADDW, 10, 11, 12, 0);     /* addw a0,a1,a2 */
	EXPECT(0x40c5853b, SUBW, 10, 11, 12, 0);     /* subw a0,a1,a2 */
	EXPECT(0x00c5953b, SLLW, 10, 11, 12, 0);     /* sllw a0,a1,a2 */
	EXPECT(0x00c5d53b, SRLW, 10, 11, 12, 0);     /* srlw a0,a1,a2 */
	EXPECT(0x40c5d53b, SRAW, 10, 11, 12, 0);     /* sraw a0,a1,a2 */
	EXPECT_ILLEGAL(0x0205951b); /* slliw a0,a1,32: shamt[5] set is reserved */
	EXPECT_ILLEGAL(0x4205d51b); /* sraiw a0,a1,32 */
	EXPECT_ILLEGAL(0x0005a51b); /* OP-IMM-32 funct3=2 */
	EXPECT_ILLEGAL(0x00c5a53b); /* OP-32 funct3=2 */
	EXPECT_ILLEGAL(0x40c5953b); /* subw encoding with funct3=1 */
	EXPECT_ILLEGAL(0x02c5953b); /* "mulhw": M word form funct3=1 */
}

static void test_decode_r_type_and_m_extension(void **state)
{
	(void)state;
	EXPECT(0x00c58533, ADD, 10, 11, 12, 0);   /* add a0,a1,a2 */
	EXPECT(0x40c58533, SUB, 10, 11, 12, 0);   /* sub a0,a1,a2 */
	EXPECT(0x007312b3, SLL, 5, 6, 7, 0);      /* sll t0,t1,t2 */
	EXPECT(0x0149a933, SLT, 18, 19, 20, 0);   /* slt s2,s3,s4 */
	EXPECT(0x017b3ab3, SLTU, 21, 22, 23, 0);  /* sltu s5,s6,s7 */
	EXPECT(0x01accc33, XOR, 24, 25, 26, 0);   /* xor s8,s9,s10 */
	EXPECT(0x00c5d533, SRL, 10, 11, 12, 0);   /* srl a0,a1,a2 */
	EXPECT(0x40c5d533, SRA, 10, 11, 12, 0);   /* sra a0,a1,a2 */
	EXPECT(0x00c5e533, OR, 10, 11, 12, 0);    /* or a0,a1,a2 */
	EXPECT(0x00c5f533, AND, 10, 11, 12, 0);   /* and a0,a1,a2 */
	EXPECT(0x02c58533, MUL, 10, 11, 12, 0);   /* mul a0,a1,a2 */
	EXPECT(0x02c59533, MULH, 10, 11, 12, 0);  /* mulh a0,a1,a2 */
	EXPECT(0x02c5a533, MULHSU, 10, 11, 12, 0); /* mulhsu a0,a1,a2 */
	EXPECT(0x02c5b533, MULHU, 10, 11, 12, 0); /* mulhu a0,a1,a2 */
	EXPECT(0x02c5c533, DIV, 10, 11, 12, 0);   /* div a0,a1,a2 */
	EXPECT(0x02c5d533, DIVU, 10, 11, 12, 0);  /* divu a0,a1,a2 */
	EXPECT(0x02c5e533, REM, 10, 11, 12, 0);   /* rem a0,a1,a2 */
	EXPECT(0x02c5f533, REMU, 10, 11, 12, 0);  /* remu a0,a1,a2 */
	EXPECT(0x02c5853b, MULW, 10, 11, 12, 0);  /* mulw a0,a1,a2 */
	EXPECT(0x02c5c53b, DIVW, 10, 11, 12, 0);  /* divw a0,a1,a2 */
	EXPECT(0x02c5d53b, DIVUW, 10, 11, 12, 0); /* divuw a0,a1,a2 */
	EXPECT(0x02c5e53b, REMW, 10, 11, 12, 0);  /* remw a0,a1,a2 */
	EXPECT(0x02c5f53b, REMUW, 10, 11, 12, 0); /* remuw a0,a1,a2 */
	EXPECT(0x00c58033, ADD, 32, 11, 12, 0);   /* add zero,a1,a2 */
	EXPECT_ILLEGAL(0x80c58533); /* add with funct7=0x40 */
	EXPECT_ILLEGAL(0x40c59533); /* sub encoding with funct3=1 ("sla") */
}

static void test_decode_amo_aq_rl_and_lr_rs2(void **state)
{
	(void)state;
	EXPECT(0x1005a52f, LR_W, 10, 11, 0, 0);       /* lr.w a0,(a1) */
	EXPECT(0x160332af, LR_D, 5, 6, 0, 0);         /* lr.d.aqrl t0,(t1) */
	EXPECT(0x18c5a52f, SC_W, 10, 11, 12, 0);      /* sc.w a0,a2,(a1) */
	EXPECT(0x1ac5b02f, SC_D, 32, 11, 12, 0);      /* sc.d.rl zero,a2,(a1) */
	EXPECT(0x0cc5a52f, AMOSWAP_W, 10, 11, 12, 0); /* amoswap.w.aq a0,a2,(a1) */
	EXPECT(0x00c5b52f, AMOADD_D, 10, 11, 12, 0);  /* amoadd.d a0,a2,(a1) */
	EXPECT(0x20c5a52f, AMOXOR_W, 10, 11, 12, 0);  /* amoxor.w a0,a2,(a1) */
	EXPECT(0x66c5b52f, AMOAND_D, 10, 11, 12, 0);  /* amoand.d.aqrl a0,a2,(a1) */
	EXPECT(0x40c5a52f, AMOOR_W, 10, 11, 12, 0);   /* amoor.w a0,a2,(a1) */
	EXPECT(0x80c5b52f, AMOMIN_D, 10, 11, 12, 0);  /* amomin.d a0,a2,(a1) */
	EXPECT(0xa0c5a52f, AMOMAX_W, 10, 11, 12, 0);  /* amomax.w a0,a2,(a1) */
	EXPECT(0xc0c5b52f, AMOMINU_D, 10, 11, 12, 0); /* amominu.d a0,a2,(a1) */
	EXPECT(0xe0c5a02f, AMOMAXU_W, 32, 11, 12, 0); /* amomaxu.w zero,a2,(a1) */
	EXPECT_ILLEGAL(0x1015a52f); /* lr.w a0,(a1) with rs2=1 */
	EXPECT_ILLEGAL(0x162332af); /* lr.d.aqrl t0,(t1) with rs2=2 */
	EXPECT_ILLEGAL(0x0cc5952f); /* amoswap with funct3=1 */
	EXPECT_ILLEGAL(0x0cc5c52f); /* amoswap with funct3=4 (no .q) */
	EXPECT_ILLEGAL(0x28c5a52f); /* amo funct5=0x05 */
}

static void test_decode_csr_number_and_uimm(void **state)
{
	(void)state;
	EXPECT(0x30059573, CSRRW, 10, 11, 0, 0x300);  /* csrrw a0,mstatus,a1 */
	EXPECT(0x18002073, CSRRS, 32, 0, 0, 0x180);   /* csrrs zero,satp,zero */
	EXPECT(0xfff332f3, CSRRC, 5, 6, 0, 0xfff);    /* csrrc t0,0xfff,t1: csr is not sign-extended */
	EXPECT(0x340fd573, CSRRWI, 10, 31, 0, 0x340); /* csrrwi a0,mscratch,31: rs1 = uimm */
	EXPECT(0x10016573, CSRRSI, 10, 2, 0, 0x100);  /* csrrsi a0,sstatus,2 */
	EXPECT(0x30447073, CSRRCI, 32, 8, 0, 0x304);  /* csrrci zero,mie,8 */
	EXPECT_ILLEGAL(0x3005c573); /* csrrw a0,mstatus,a1 with funct3=4 */
}

static void test_decode_system_ops(void **state)
{
	(void)state;
	EXPECT(0x00000073, ECALL, 0, 0, 0, 0);
	EXPECT(0x00100073, EBREAK, 0, 0, 0, 0);
	EXPECT(0x30200073, MRET, 0, 0, 0, 0);
	EXPECT(0x10200073, SRET, 0, 0, 0, 0);
	EXPECT(0x10500073, WFI, 0, 0, 0, 0);
	EXPECT(0x12b50073, SFENCE_VMA, 0, 10, 11, 0); /* sfence.vma a0,a1 */
	EXPECT(0x12000073, SFENCE_VMA, 0, 0, 0, 0);   /* sfence.vma zero,zero */
	EXPECT(0x0330000f, FENCE, 0, 0, 0, 0);        /* fence rw,rw */
	EXPECT(0x0000100f, FENCE_I, 0, 0, 0, 0);      /* fence.i */
	EXPECT_ILLEGAL(0x00200073); /* uret (N extension, not implemented) */
	EXPECT_ILLEGAL(0x7b200073); /* dret */
	EXPECT_ILLEGAL(0x000000f3); /* ecall with rd=1 */
	EXPECT_ILLEGAL(0x12b500f3); /* sfence.vma a0,a1 with rd=1 */
	EXPECT_ILLEGAL(0x22000073); /* hfence.vvma (no H extension) */
	EXPECT_ILLEGAL(0x0000200f); /* MISC-MEM funct3=2 */
}

static void test_decode_fp_loads_stores_and_fused(void **state)
{
	(void)state;
	EXPECT(0xffc12507, FLW, 10, 2, 0, -4);     /* flw fa0,-4(sp) */
	EXPECT(0x7ff53007, FLD, 0, 10, 0, 2047);   /* fld ft0,2047(a0): f0 is not the sink */
	EXPECT(0x80b62027, FSW, 0, 12, 11, -2048); /* fsw fa1,-2048(a2) */
	EXPECT(0x01b13427, FSD, 0, 2, 27, 8);      /* fsd fs11,8(sp) */
	EXPECT_FP(0x68c58543, FMADD_S, 10, 11, 12, 13, 0);  /* fmadd.s fa0,fa1,fa2,fa3,rne */
	EXPECT_FP(0x1a209047, FMSUB_D, 0, 1, 2, 3, 1);      /* fmsub.d ft0,ft1,ft2,ft3,rtz */
	EXPECT_FP(0x9924f44b, FNMSUB_S, 8, 9, 18, 19, 7);   /* fnmsub.s fs0,fs1,fs2,fs3,dyn */
	EXPECT_FP(0xe3df4fcf, FNMADD_D, 31, 30, 29, 28, 4); /* fnmadd.d ft11,ft10,ft9,ft8,rmm */
	EXPECT_ILLEGAL(0x00051507); /* flh fa0,0(a0) (Zfh) */
	EXPECT_ILLEGAL(0x00a51027); /* fsh fa0,0(a0) (Zfh) */
	EXPECT_ILLEGAL(0x6cc58543); /* fmadd.h: fmt=2 */
	EXPECT_ILLEGAL(0x6ec58543); /* fmadd.q: fmt=3 */
}

static void test_decode_fp_arith_convert_move(void **state)
{
	(void)state;
	EXPECT_FP(0x00c5a553, FADD_S, 10, 11, 12, 0, 2); /* fadd.s fa0,fa1,fa2,rdn */
	EXPECT_FP(0x0ac5b553, FSUB_D, 10, 11, 12, 0, 3); /* fsub.d fa0,fa1,fa2,rup */
	EXPECT_FP(0x10c5f553, FMUL_S, 10, 11, 12, 0, 7); /* fmul.s fa0,fa1,fa2 (dyn) */
	EXPECT_FP(0x1ac5f553, FDIV_D, 10, 11, 12, 0, 7); /* fdiv.d fa0,fa1,fa2 */
	EXPECT_FP(0x5805f553, FSQRT_S, 10, 11, 0, 0, 7); /* fsqrt.s fa0,fa1 */
	EXPECT_FP(0x22c58553, FSGNJ_D, 10, 11, 12, 0, 0);  /* fsgnj.d fa0,fa1,fa2 */
	EXPECT_FP(0x20c59553, FSGNJN_S, 10, 11, 12, 0, 1); /* fsgnjn.s fa0,fa1,fa2 */
	EXPECT_FP(0x22c5a553, FSGNJX_D, 10, 11, 12, 0, 2); /* fsgnjx.d fa0,fa1,fa2 */
	EXPECT_FP(0x28c58553, FMIN_S, 10, 11, 12, 0, 0);   /* fmin.s fa0,fa1,fa2 */
	EXPECT_FP(0x2ac59553, FMAX_D, 10, 11, 12, 0, 1);   /* fmax.d fa0,fa1,fa2 */
	EXPECT_FP(0xc0059553, FCVT_W_S, 10, 11, 0, 0, 1);  /* fcvt.w.s a0,fa1,rtz */
	EXPECT_FP(0xc235f053, FCVT_LU_D, 32, 11, 3, 0, 7); /* fcvt.lu.d zero,fa1: integer rd -> sink */
	EXPECT_FP(0xd025f553, FCVT_S_L, 10, 11, 2, 0, 7);  /* fcvt.s.l fa0,a1 */
	EXPECT_FP(0xd2158553, FCVT_D_WU, 10, 11, 1, 0, 0); /* fcvt.d.wu fa0,a1 */
	EXPECT_FP(0xe0058553, FMV_X_W, 10, 11, 0, 0, 0);   /* fmv.x.w a0,fa1 */
	EXPECT_FP(0xe2058053, FMV_X_D, 32, 11, 0, 0, 0);   /* fmv.x.d zero,fa1 */
	EXPECT_FP(0xf0058553, FMV_W_X, 10, 11, 0, 0, 0);   /* fmv.w.x fa0,a1 */
	EXPECT_FP(0xf2000053, FMV_D_X, 0, 0, 0, 0, 0);     /* fmv.d.x ft0,zero: FP rd 0 stays 0 */
	EXPECT_FP(0xa0c5a553, FEQ_S, 10, 11, 12, 0, 2);    /* feq.s a0,fa1,fa2 */
	EXPECT_FP(0xa2c59553, FLT_D, 10, 11, 12, 0, 1);    /* flt.d a0,fa1,fa2 */
	EXPECT_FP(0xa0c58053, FLE_S, 32, 11, 12, 0, 0);    /* fle.s zero,fa1,fa2 */
	EXPECT_FP(0xe2059553, FCLASS_D, 10, 11, 0, 0, 1);  /* fclass.d a0,fa1 */
	EXPECT_FP(0x4015f553, FCVT_S_D, 10, 11, 1, 0, 7);  /* fcvt.s.d fa0,fa1 */
	EXPECT_FP(0x42058553, FCVT_D_S, 10, 11, 0, 0, 0);  /* fcvt.d.s fa0,fa1 */
	EXPECT_ILLEGAL(0x04c5a553); /* fadd.h: fmt=2 */
	EXPECT_ILLEGAL(0x06c5a553); /* fadd.q: fmt=3 */
	EXPECT_ILLEGAL(0xe4058553); /* fmv.x.h: fmt=2 */
	EXPECT_ILLEGAL(0x5815f553); /* fsqrt.s with rs2=1 */
	EXPECT_ILLEGAL(0xe005a553); /* fmv.x.w with funct3=2 */
	EXPECT_ILLEGAL(0x20c5b553); /* fsgnj.s with funct3=3 */
	EXPECT_ILLEGAL(0x28c5a553); /* fmin.s with funct3=2 */
	EXPECT_ILLEGAL(0xa0c5b553); /* feq.s with funct3=3 */
	EXPECT_ILLEGAL(0xc0459553); /* fcvt.w.s with rs2=4 */
	EXPECT_ILLEGAL(0x4005f553); /* "fcvt.s.s": funct7=0x20 rs2=0 */
	EXPECT_ILLEGAL(0x4215f553); /* "fcvt.d.d": funct7=0x21 rs2=1 */
}

static void test_decode_unknown_opcodes_and_long_encodings(void **state)
{
	(void)state;
	EXPECT_ILLEGAL(0xffffffff); /* 48-bit and longer: raw keeps all 32 bits */
	EXPECT_ILLEGAL(0x0000001f); /* 48-bit prefix */
	EXPECT_ILLEGAL(0x0000003f); /* 64-bit prefix */
	EXPECT_ILLEGAL(0x0000000b); /* custom-0 */
	EXPECT_ILLEGAL(0x00000057); /* OP-V */
	EXPECT_ILLEGAL(0x00000077); /* OP-P / reserved */
}

/* ---------------------------------------------------- compressed (RVC) */

static void test_decode_c0_quadrant(void **state)
{
	(void)state;
	EXPECT(0x1fe8, ADDI, 10, 2, 0, 1020); /* c.addi4spn a0,sp,1020 */
	EXPECT(0x0040, ADDI, 8, 2, 0, 4);     /* c.addi4spn s0,sp,4 */
	EXPECT_ILLEGAL(0x0004);               /* c.addi4spn s1,sp,0: zero imm is reserved */
	EXPECT(0x3ffc, FLD, 15, 15, 0, 248);  /* c.fld fa5,248(a5) */
	EXPECT(0x5de8, LW, 10, 11, 0, 124);   /* c.lw a0,124(a1) */
	EXPECT(0x7e64, LD, 9, 12, 0, 248);    /* c.ld s1,248(a2) */
	EXPECT(0xa480, FSD, 0, 9, 8, 8);      /* c.fsd fs0,8(s1) */
	EXPECT(0xc33c, SW, 0, 14, 15, 64);    /* c.sw a5,64(a4) */
	EXPECT(0xe154, SD, 0, 10, 13, 128);   /* c.sd a3,128(a0) */
	EXPECT_ILLEGAL(0x8000);               /* quadrant 0 funct3=4 reserved */
}

static void test_decode_c1_quadrant(void **state)
{
	(void)state;
	EXPECT(0x0001, ADDI, 32, 0, 0, 0);        /* c.nop */
	EXPECT(0x1501, ADDI, 10, 10, 0, -32);     /* c.addi a0,-32 */
	EXPECT(0x22fd, ADDIW, 5, 5, 0, 31);       /* c.addiw t0,31 */
	EXPECT_ILLEGAL(0x2001);                   /* c.addiw zero,0: rd=0 reserved */
	EXPECT(0x55fd, ADDI, 11, 0, 0, -1);       /* c.li a1,-1 */
	EXPECT(0x4015, ADDI, 32, 0, 0, 5);        /* c.li zero,5 (hint) */
	EXPECT(0x7101, ADDI, 2, 2, 0, -512);      /* c.addi16sp sp,-512 */
	EXPECT(0x617d, ADDI, 2, 2, 0, 496);       /* c.addi16sp sp,496 */
	EXPECT_ILLEGAL(0x6101);                   /* c.addi16sp sp,0: reserved */
	EXPECT(0x7781, LUI, 15, 0, 0, -131072);   /* c.lui a5,0xfffe0 */
	EXPECT(0x6305, LUI, 6, 0, 0, 4096);       /* c.lui t1,0x1 */
	EXPECT_ILLEGAL(0x6781);                   /* c.lui a5,0: reserved */
	EXPECT(0x917d, SRLI, 10, 10, 0, 63);      /* c.srli a0,0x3f */
	EXPECT(0x8485, SRAI, 9, 9, 0, 1);         /* c.srai s1,0x1 */
	EXPECT(0x9b81, ANDI, 15, 15, 0, -32);     /* c.andi a5,-32 */
	EXPECT(0x8c05, SUB, 8, 8, 9, 0);          /* c.sub s0,s1 */
	EXPECT(0x8d2d, XOR, 10, 10, 11, 0);       /* c.xor a0,a1 */
	EXPECT(0x8e55, OR, 12, 12, 13, 0);        /* c.or a2,a3 */
	EXPECT(0x8f7d, AND, 14, 14, 15, 0);       /* c.and a4,a5 */
	EXPECT(0x9c1d, SUBW, 8, 8, 15, 0);        /* c.subw s0,a5 */
	EXPECT(0x9d2d, ADDW, 10, 10, 11, 0);      /* c.addw a0,a1 */
	EXPECT_ILLEGAL(0x9c41);                   /* funct6=100111 funct2=10: reserved */
	EXPECT_ILLEGAL(0x9c61);                   /* funct6=100111 funct2=11: reserved */
	EXPECT(0xb001, JAL, 32, 0, 0, -2048);     /* c.j .-2048 */
	EXPECT(0xaffd, JAL, 32, 0, 0, 2046);      /* c.j .+2046 */
	EXPECT(0xd101, BEQ, 0, 10, 0, -256);      /* c.beqz a0,.-256 */
	EXPECT(0xecfd, BNE, 0, 9, 0, 254);        /* c.bnez s1,.+254 */
}

static void test_decode_c2_quadrant(void **state)
{
	(void)state;
	EXPECT(0x12fe, SLLI, 5, 5, 0, 63);    /* c.slli t0,0x3f */
	EXPECT(0x30fe, FLD, 1, 2, 0, 504);    /* c.fldsp ft1,504(sp) */
	EXPECT(0x2002, FLD, 0, 2, 0, 0);      /* c.fldsp ft0,0(sp): rd=0 is fine for FP */
	EXPECT(0x50fe, LW, 1, 2, 0, 252);     /* c.lwsp ra,252(sp) */
	EXPECT(0x7dfe, LD, 27, 2, 0, 504);    /* c.ldsp s11,504(sp) */
	EXPECT_ILLEGAL(0x4002);               /* c.lwsp zero,0(sp): reserved */
	EXPECT_ILLEGAL(0x6002);               /* c.ldsp zero,0(sp): reserved */
	EXPECT(0x8082, JALR, 32, 1, 0, 0);    /* c.jr ra */
	EXPECT_ILLEGAL(0x8002);               /* c.jr zero: reserved */
	EXPECT(0x852e, ADD, 10, 0, 11, 0);    /* c.mv a0,a1 */
	EXPECT(0x9002, EBREAK, 0, 0, 0, 0);   /* c.ebreak */
	EXPECT(0x9282, JALR, 1, 5, 0, 0);     /* c.jalr t0: links to ra */
	EXPECT(0x952e, ADD, 10, 10, 11, 0);   /* c.add a0,a1 */
	EXPECT(0xbfa6, FSD, 0, 2, 9, 504);    /* c.fsdsp fs1,504(sp) */
	EXPECT(0xdfaa, SW, 0, 2, 10, 252);    /* c.swsp a0,252(sp) */
	EXPECT(0xff86, SD, 0, 2, 1, 504);     /* c.sdsp ra,504(sp) */
}

static void test_decode_compressed_zero_halfword_and_high_bits(void **state)
{
	struct dinsn d;

	(void)state;
	/* the all-zero parcel is the canonical illegal instruction, raw = 0 */
	d = dec(0x00000000);
	assert_int_equal(d.op, OP_ILLEGAL);
	assert_int_equal(d.len, 2);
	assert_hex_equal(d.raw, 0);
	/* a compressed parcel ignores whatever follows it */
	d = dec(0xdead0001); /* c.nop, then garbage */
	assert_int_equal(d.op, OP_ADDI);
	assert_int_equal(d.len, 2);
	assert_hex_equal(d.raw, 0x0001);
	d = dec(0xffff0000); /* c.unimp followed by 0xffff */
	assert_int_equal(d.op, OP_ILLEGAL);
	assert_hex_equal(d.raw, 0);
	assert_true(decode_is_compressed(0x0000));
	assert_true(decode_is_compressed(0xfffe));
	assert_false(decode_is_compressed(0x0003));
	assert_false(decode_is_compressed(0xffff));
}

static int has_no_rd(int op)
{
	return (op >= OP_BEQ && op <= OP_BGEU) || (op >= OP_SB && op <= OP_SD) ||
	       (op >= OP_FENCE && op <= OP_SFENCE_VMA);
}

static void test_decode_rd_zero_sink_only_for_integer_results(void **state)
{
	struct dinsn d;

	(void)state;
	d = dec(0x00000537 & ~0xf80u); /* lui zero,0x0 */
	assert_int_equal(d.rd, 32);
	d = dec(0x1ac5b02f); /* sc.d.rl zero,a2,(a1) */
	assert_int_equal(d.rd, 32);
	d = dec(0xe0c5a02f); /* amomaxu.w zero,a2,(a1) */
	assert_int_equal(d.rd, 32);
	d = dec(0x18002073); /* csrrs zero,satp,zero */
	assert_int_equal(d.rd, 32);
	d = dec(0xa0c58053); /* fle.s zero,fa1,fa2 */
	assert_int_equal(d.rd, 32);
	d = dec(0x0000006f); /* jal zero,. */
	assert_int_equal(d.rd, 32);
	/* FP destinations: f0 is an ordinary register */
	d = dec(0x7ff53007); /* fld ft0,2047(a0) */
	assert_int_equal(d.rd, 0);
	d = dec(0x1a209047); /* fmsub.d ft0,ft1,ft2,ft3,rtz */
	assert_int_equal(d.rd, 0);
	d = dec(0xd0057053); /* fcvt.s.w ft0,a0 */
	assert_int_equal(d.op, OP_FCVT_S_W);
	assert_int_equal(d.rd, 0);
	d = dec(0x2002); /* c.fldsp ft0,0(sp) */
	assert_int_equal(d.rd, 0);
	/* no decoded instruction ever names x0 as an integer destination */
	for (uint32_t op = 0; op < 0x80; op += 4) {
		uint32_t bits = (op | 3) | (0x5a5a5u << 12); /* rd=0, other fields busy */
		d = dec(bits);
		if (d.op == OP_FLW || d.op == OP_FLD ||
		    (d.op >= OP_FMADD_S && d.op <= OP_FCVT_D_S))
			continue;
		/* only stores, branches, fences and system ops have no rd */
		if (d.op != OP_ILLEGAL && d.rd == 0 && !has_no_rd(d.op)) {
			print_error("0x%08x: %s has rd=0\n", bits, decode_op_name(d.op));
			fail();
		}
	}
}

static void test_decode_op_names(void **state)
{
	(void)state;
	assert_string_equal(decode_op_name(OP_DECODE), "DECODE");
	assert_string_equal(decode_op_name(OP_ADDI), "ADDI");
	assert_string_equal(decode_op_name(OP_AMOMAXU_D), "AMOMAXU_D");
	assert_string_equal(decode_op_name(OP_FCVT_D_S), "FCVT_D_S");
	assert_string_equal(decode_op_name(-1), "?");
	assert_string_equal(decode_op_name(OP_COUNT), "?");
	assert_int_equal(OP_DECODE, 0); /* zeroed slots mean "not decoded yet" */
}

/* ------------------------------------------------- end-to-end: hart_run */

#define HANDLER (UM_DRAM + 0x100)

static void install_wfi_handler(struct machine *m)
{
	um_w32(m, HANDLER, 0x10500073); /* wfi */
	m->harts[0].s.mtvec = HANDLER;
}

static void test_exec_loop_then_ecall_traps_to_m(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t prog[] = {
		0x00500093, /* addi ra,zero,5 */
		0x00000113, /* addi sp,zero,0 */
		0x00110133, /* 1: add sp,sp,ra */
		0xfff08093, /* addi ra,ra,-1 */
		0xfe009ce3, /* bne ra,zero,1b */
		0x00000073, /* ecall */
	};
	int64_t n;

	um_code(m, UM_DRAM, prog, 6);
	install_wfi_handler(m);
	h->s.pc = UM_DRAM;
	h->s.mstatus |= MSTATUS_MIE;
	n = hart_run(h, 1000);
	/* 2 + 5 * 3 retired, the ecall does not retire, then the wfi does */
	assert_int_equal(n, 18);
	assert_int_equal(hart_instret(h), 18);
	assert_int_equal(h->s.x[1], 0);
	assert_int_equal(h->s.x[2], 15);
	assert_int_equal(h->s.x[0], 0);
	assert_hex_equal(h->s.mcause, CAUSE_ECALL_M);
	assert_hex_equal(h->s.mepc, UM_DRAM + 0x14);
	assert_hex_equal(h->s.mtval, 0);
	assert_int_equal(h->s.priv, PRV_M);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, MSTATUS_MPP); /* came from M */
	assert_true(h->s.mstatus & MSTATUS_MPIE);
	assert_false(h->s.mstatus & MSTATUS_MIE);
	assert_hex_equal(h->s.pc, HANDLER + 4);
	assert_int_equal(h->s.wfi, 1);
}

static void test_exec_compressed_loop_then_illegal_reports_raw(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint8_t *p = um_ptr(m, UM_DRAM, 10);
	static const uint16_t prog[] = {
		0x4515, /* c.li a0,5 */
		0x157d, /* 1: c.addi a0,-1 */
		0xfd7d, /* c.bnez a0,1b */
		0x200f, 0x0000, /* .4byte 0x0000200f: MISC-MEM funct3=2, reserved */
	};
	int64_t n;

	memcpy(p, prog, sizeof(prog));
	install_wfi_handler(m);
	h->s.x[10] = 77;
	n = hart_run(h, 1000);
	assert_int_equal(n, 1 + 5 * 2 + 1);
	assert_int_equal(h->s.x[10], 0);
	assert_hex_equal(h->s.mcause, CAUSE_ILLEGAL_INSN);
	assert_hex_equal(h->s.mepc, UM_DRAM + 6);
	assert_hex_equal(h->s.mtval, 0x0000200f);
}

static void test_exec_mret_to_user_then_ecall_u(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t prog[] = {
		0x34159073, /* csrrw zero,mepc,a1 */
		0x30063073, /* csrrc zero,mstatus,a2   (MPP = U) */
		0x30200073, /* mret */
	};
	int64_t n;

	um_code(m, UM_DRAM, prog, 3);
	um_w32(m, UM_DRAM + 0x200, 0x00000073); /* user: ecall */
	install_wfi_handler(m);
	h->s.x[11] = UM_DRAM + 0x200;
	h->s.x[12] = MSTATUS_MPP;
	n = hart_run(h, 1000);
	assert_int_equal(n, 4); /* csrrw, csrrc, mret, wfi */
	assert_hex_equal(h->s.mcause, CAUSE_ECALL_U);
	assert_hex_equal(h->s.mepc, UM_DRAM + 0x200);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 0); /* trapped from U */
	assert_int_equal(h->s.priv, PRV_M);
}

static void test_exec_store_to_decoded_code_takes_effect(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t prog[] = {
		0x00200293, /* addi t0,zero,2 */
		0x00100613, /* 1: addi a2,zero,1   (rewritten by the sw below) */
		0x00b52223, /* sw a1,4(a0) */
		0x0000100f, /* fence.i */
		0xfff28293, /* addi t0,t0,-1 */
		0xfe0298e3, /* bne t0,zero,1b */
		0x00000073, /* ecall */
	};
	int64_t n;

	um_code(m, UM_DRAM, prog, 7);
	install_wfi_handler(m);
	h->s.x[10] = UM_DRAM;
	h->s.x[11] = 0x02a00613; /* addi a2,zero,42 */
	n = hart_run(h, 1000);
	/* first pass runs the old addi (decoded), the second the new one */
	assert_int_equal(h->s.x[12], 42);
	assert_hex_equal(um_r32(m, UM_DRAM + 4), 0x02a00613);
	assert_int_equal(n, 1 + 2 * 5 + 1);
	assert_hex_equal(h->s.mcause, CAUSE_ECALL_M);
	assert_hex_equal(h->s.mepc, UM_DRAM + 0x18);
}

static void test_exec_instruction_crossing_page_boundary(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint8_t *p = um_ptr(m, UM_DRAM + 0xff8, 14);
	static const uint8_t prog[] = {
		0x13, 0x05, 0x70, 0x00, /* ff8: addi a0,zero,7 */
		0x01, 0x00,             /* ffc: c.nop */
		0x13, 0x05, 0x55, 0x00, /* ffe: addi a0,a0,5  (crosses into the next page) */
		0x73, 0x00, 0x00, 0x00, /* 1002: ecall */
	};
	int64_t n;

	memcpy(p, prog, sizeof(prog));
	install_wfi_handler(m);
	h->s.pc = UM_DRAM + 0xff8;
	n = hart_run(h, 1000);
	assert_int_equal(h->s.x[10], 12);
	assert_int_equal(n, 3 + 1);
	assert_hex_equal(h->s.mcause, CAUSE_ECALL_M);
	assert_hex_equal(h->s.mepc, UM_DRAM + 0x1002);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_lui_auipc_u_immediates),
		cmocka_unit_test(test_decode_jal_jalr_extreme_offsets),
		cmocka_unit_test(test_decode_branch_b_immediates),
		cmocka_unit_test(test_decode_loads_stores_i_s_immediates),
		cmocka_unit_test(test_decode_op_imm_and_shift_amounts),
		cmocka_unit_test(test_decode_word_forms),
		cmocka_unit_test(test_decode_r_type_and_m_extension),
		cmocka_unit_test(test_decode_amo_aq_rl_and_lr_rs2),
		cmocka_unit_test(test_decode_csr_number_and_uimm),
		cmocka_unit_test(test_decode_system_ops),
		cmocka_unit_test(test_decode_fp_loads_stores_and_fused),
		cmocka_unit_test(test_decode_fp_arith_convert_move),
		cmocka_unit_test(test_decode_unknown_opcodes_and_long_encodings),
		cmocka_unit_test(test_decode_c0_quadrant),
		cmocka_unit_test(test_decode_c1_quadrant),
		cmocka_unit_test(test_decode_c2_quadrant),
		cmocka_unit_test(test_decode_compressed_zero_halfword_and_high_bits),
		cmocka_unit_test(test_decode_rd_zero_sink_only_for_integer_results),
		cmocka_unit_test(test_decode_op_names),
		cmocka_unit_test_setup_teardown(test_exec_loop_then_ecall_traps_to_m,
						um_setup, um_teardown),
		cmocka_unit_test_setup_teardown(test_exec_compressed_loop_then_illegal_reports_raw,
						um_setup, um_teardown),
		cmocka_unit_test_setup_teardown(test_exec_mret_to_user_then_ecall_u,
						um_setup, um_teardown),
		cmocka_unit_test_setup_teardown(test_exec_store_to_decoded_code_takes_effect,
						um_setup, um_teardown),
		cmocka_unit_test_setup_teardown(test_exec_instruction_crossing_page_boundary,
						um_setup, um_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
