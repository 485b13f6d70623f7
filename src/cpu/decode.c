/*
 * decode.c - RV64GC instruction decoder: raw bits to struct dinsn.
 *
 * Compressed instructions are expanded to the operation of their 32-bit
 * equivalent with len = 2, so the interpreter has one handler per operation.
 * Invariant: every bit pattern decodes to something; reserved and unknown
 * encodings become OP_ILLEGAL carrying the raw bits.
 */
#include "cpu/decode.h"

#include <string.h>

static const char *const op_names[] = {
#define DECODE_NAME(name) #name,
	DECODE_OPS(DECODE_NAME)
#undef DECODE_NAME
};

const char *decode_op_name(int op)
{
	if (op < 0 || op >= OP_COUNT)
		return "?";
	return op_names[op];
}

int decode_is_compressed(uint16_t lo)
{
	return (lo & 3) != 3;
}

static inline uint32_t bits_at(uint32_t v, int hi, int lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t v, int width)
{
	return (int32_t)(v << (32 - width)) >> (32 - width);
}

static void set(struct dinsn *d, int op, int rd, int rs1, int rs2, int32_t imm)
{
	d->op = (uint16_t)op;
	d->rd = (uint8_t)rd;
	d->rs1 = (uint8_t)rs1;
	d->rs2 = (uint8_t)rs2;
	d->imm = imm;
}

/* Integer destination: writes to x0 go to the sink register. */
static inline int ird(int rd)
{
	return rd == 0 ? 32 : rd;
}

static void illegal(struct dinsn *d)
{
	set(d, OP_ILLEGAL, 0, 0, 0, 0);
}

static void decode_load(struct dinsn *d, uint32_t b, int rd, int rs1, int f3)
{
	static const uint8_t ops[8] = { OP_LB, OP_LH, OP_LW, OP_LD,
					OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL };
	set(d, ops[f3], ird(rd), rs1, 0, (int32_t)b >> 20);
}

static void decode_store(struct dinsn *d, uint32_t b, int rs1, int rs2, int f3)
{
	int32_t imm = sext((bits_at(b, 31, 25) << 5) | bits_at(b, 11, 7), 12);
	static const uint8_t ops[8] = { OP_SB, OP_SH, OP_SW, OP_SD,
					OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
					OP_ILLEGAL };
	set(d, ops[f3], 0, rs1, rs2, imm);
}

static void decode_branch(struct dinsn *d, uint32_t b, int rs1, int rs2, int f3)
{
	static const uint8_t ops[8] = { OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL,
					OP_BLT, OP_BGE, OP_BLTU, OP_BGEU };
	uint32_t imm = (bits_at(b, 31, 31) << 12) | (bits_at(b, 7, 7) << 11) |
		       (bits_at(b, 30, 25) << 5) | (bits_at(b, 11, 8) << 1);
	set(d, ops[f3], 0, rs1, rs2, sext(imm, 13));
}

static void decode_opimm(struct dinsn *d, uint32_t b, int rd, int rs1, int f3)
{
	int32_t imm = (int32_t)b >> 20;
	int shamt = (int)bits_at(b, 25, 20);
	uint32_t f6 = bits_at(b, 31, 26);
	static const uint8_t ops[8] = { OP_ADDI, OP_SLLI, OP_SLTI, OP_SLTIU,
					OP_XORI, OP_SRLI, OP_ORI, OP_ANDI };
	int op = ops[f3];

	if (f3 == 1) {
		if (f6 != 0)
			goto bad;
		imm = shamt;
	} else if (f3 == 5) {
		if (f6 == 0x10)
			op = OP_SRAI;
		else if (f6 != 0)
			goto bad;
		imm = shamt;
	}
	set(d, op, ird(rd), rs1, 0, imm);
	return;
bad:
	illegal(d);
}

static void decode_opimm32(struct dinsn *d, uint32_t b, int rd, int rs1, int f3)
{
	uint32_t f7 = bits_at(b, 31, 25);
	int shamt = (int)bits_at(b, 24, 20);

	if (f3 == 0)
		set(d, OP_ADDIW, ird(rd), rs1, 0, (int32_t)b >> 20);
	else if (f3 == 1 && f7 == 0)
		set(d, OP_SLLIW, ird(rd), rs1, 0, shamt);
	else if (f3 == 5 && f7 == 0)
		set(d, OP_SRLIW, ird(rd), rs1, 0, shamt);
	else if (f3 == 5 && f7 == 0x20)
		set(d, OP_SRAIW, ird(rd), rs1, 0, shamt);
	else
		illegal(d);
}

static void decode_op(struct dinsn *d, uint32_t b, int rd, int rs1, int rs2, int f3)
{
	static const uint8_t base[8] = { OP_ADD, OP_SLL, OP_SLT, OP_SLTU,
					 OP_XOR, OP_SRL, OP_OR, OP_AND };
	static const uint8_t muldiv[8] = { OP_MUL, OP_MULH, OP_MULHSU,
					   OP_MULHU, OP_DIV, OP_DIVU, OP_REM,
					   OP_REMU };
	uint32_t f7 = bits_at(b, 31, 25);
	int op;

	if (f7 == 0)
		op = base[f3];
	else if (f7 == 1)
		op = muldiv[f3];
	else if (f7 == 0x20 && f3 == 0)
		op = OP_SUB;
	else if (f7 == 0x20 && f3 == 5)
		op = OP_SRA;
	else
		op = OP_ILLEGAL;
	set(d, op, ird(rd), rs1, rs2, 0);
}

static void decode_op32(struct dinsn *d, uint32_t b, int rd, int rs1, int rs2, int f3)
{
	uint32_t f7 = bits_at(b, 31, 25);
	int op = OP_ILLEGAL;

	if (f7 == 0) {
		if (f3 == 0)
			op = OP_ADDW;
		else if (f3 == 1)
			op = OP_SLLW;
		else if (f3 == 5)
			op = OP_SRLW;
	} else if (f7 == 0x20) {
		if (f3 == 0)
			op = OP_SUBW;
		else if (f3 == 5)
			op = OP_SRAW;
	} else if (f7 == 1) {
		static const uint8_t ops[8] = { OP_MULW, OP_ILLEGAL,
						OP_ILLEGAL, OP_ILLEGAL,
						OP_DIVW, OP_DIVUW, OP_REMW,
						OP_REMUW };
		op = ops[f3];
	}
	set(d, op, ird(rd), rs1, rs2, 0);
}

static void decode_system(struct dinsn *d, uint32_t b, int rd, int rs1, int rs2, int f3)
{
	static const uint8_t csr_ops[8] = { OP_ILLEGAL, OP_CSRRW, OP_CSRRS,
					    OP_CSRRC, OP_ILLEGAL, OP_CSRRWI,
					    OP_CSRRSI, OP_CSRRCI };
	if (f3 != 0) {
		set(d, csr_ops[f3], ird(rd), rs1, 0, (int32_t)(b >> 20));
		return;
	}
	switch (b) {
	case 0x00000073: set(d, OP_ECALL, 0, 0, 0, 0); return;
	case 0x00100073: set(d, OP_EBREAK, 0, 0, 0, 0); return;
	case 0x30200073: set(d, OP_MRET, 0, 0, 0, 0); return;
	case 0x10200073: set(d, OP_SRET, 0, 0, 0, 0); return;
	case 0x10500073: set(d, OP_WFI, 0, 0, 0, 0); return;
	default: break;
	}
	if (bits_at(b, 31, 25) == 0x09 && rd == 0)
		set(d, OP_SFENCE_VMA, 0, rs1, rs2, 0);
	else
		illegal(d);
}

static void decode_amo(struct dinsn *d, uint32_t b, int rd, int rs1, int rs2, int f3)
{
	uint32_t f5 = bits_at(b, 31, 27);
	int w = (f3 == 2);
	int op;

	if (f3 != 2 && f3 != 3) {
		illegal(d);
		return;
	}
	switch (f5) {
	case 0x02: op = rs2 ? OP_ILLEGAL : (w ? OP_LR_W : OP_LR_D); break;
	case 0x03: op = w ? OP_SC_W : OP_SC_D; break;
	case 0x01: op = w ? OP_AMOSWAP_W : OP_AMOSWAP_D; break;
	case 0x00: op = w ? OP_AMOADD_W : OP_AMOADD_D; break;
	case 0x04: op = w ? OP_AMOXOR_W : OP_AMOXOR_D; break;
	case 0x0c: op = w ? OP_AMOAND_W : OP_AMOAND_D; break;
	case 0x08: op = w ? OP_AMOOR_W : OP_AMOOR_D; break;
	case 0x10: op = w ? OP_AMOMIN_W : OP_AMOMIN_D; break;
	case 0x14: op = w ? OP_AMOMAX_W : OP_AMOMAX_D; break;
	case 0x18: op = w ? OP_AMOMINU_W : OP_AMOMINU_D; break;
	case 0x1c: op = w ? OP_AMOMAXU_W : OP_AMOMAXU_D; break;
	default: op = OP_ILLEGAL; break;
	}
	set(d, op, ird(rd), rs1, rs2, 0);
}

/* OP-FP (0x53). Integer-destination forms get the x0 sink. */
static void decode_opfp(struct dinsn *d, uint32_t b, int rd, int rs1, int rs2, int f3)
{
	uint32_t f7 = bits_at(b, 31, 25);
	int dbl = f7 & 1;
	int op = OP_ILLEGAL;
	int int_rd = 0;

	d->rm = (uint8_t)f3;
	switch (f7 & ~1u) {
	case 0x00: op = dbl ? OP_FADD_D : OP_FADD_S; break;
	case 0x04: op = dbl ? OP_FSUB_D : OP_FSUB_S; break;
	case 0x08: op = dbl ? OP_FMUL_D : OP_FMUL_S; break;
	case 0x0c: op = dbl ? OP_FDIV_D : OP_FDIV_S; break;
	case 0x2c:
		if (rs2 == 0)
			op = dbl ? OP_FSQRT_D : OP_FSQRT_S;
		break;
	case 0x10:
		if (f3 <= 2)
			op = (dbl ? OP_FSGNJ_D : OP_FSGNJ_S) + f3;
		break;
	case 0x14:
		if (f3 <= 1)
			op = (dbl ? OP_FMIN_D : OP_FMIN_S) + f3;
		break;
	case 0x20:
		if (!dbl && rs2 == 1)
			op = OP_FCVT_S_D;
		else if (dbl && rs2 == 0)
			op = OP_FCVT_D_S;
		break;
	case 0x50:
		int_rd = 1;
		if (f3 == 2)
			op = dbl ? OP_FEQ_D : OP_FEQ_S;
		else if (f3 == 1)
			op = dbl ? OP_FLT_D : OP_FLT_S;
		else if (f3 == 0)
			op = dbl ? OP_FLE_D : OP_FLE_S;
		break;
	case 0x60:
		int_rd = 1;
		if (rs2 <= 3)
			op = (dbl ? OP_FCVT_W_D : OP_FCVT_W_S) + rs2;
		break;
	case 0x68:
		if (rs2 <= 3)
			op = (dbl ? OP_FCVT_D_W : OP_FCVT_S_W) + rs2;
		break;
	case 0x70:
		int_rd = 1;
		if (rs2 == 0 && f3 == 0)
			op = dbl ? OP_FMV_X_D : OP_FMV_X_W;
		else if (rs2 == 0 && f3 == 1)
			op = dbl ? OP_FCLASS_D : OP_FCLASS_S;
		break;
	case 0x78:
		if (rs2 == 0 && f3 == 0)
			op = dbl ? OP_FMV_D_X : OP_FMV_W_X;
		break;
	default:
		break;
	}
	if (f7 & 2) /* fmt 2/3 (H, Q) are not implemented */
		op = OP_ILLEGAL;
	set(d, op, int_rd ? ird(rd) : rd, rs1, rs2, 0);
}

static void decode_fma(struct dinsn *d, uint32_t b, int opcode, int rd, int rs1, int rs2, int f3)
{
	uint32_t fmt = bits_at(b, 26, 25);
	int idx = (opcode >> 2) & 3; /* 0x43,0x47,0x4b,0x4f -> 0..3 */

	if (fmt > 1) {
		illegal(d);
		return;
	}
	set(d, (fmt ? OP_FMADD_D : OP_FMADD_S) + idx, rd, rs1, rs2, 0);
	d->rs3 = (uint8_t)bits_at(b, 31, 27);
	d->rm = (uint8_t)f3;
}

static void decode32(struct dinsn *d, uint32_t b)
{
	int opcode = (int)(b & 0x7f);
	int rd = (int)bits_at(b, 11, 7), rs1 = (int)bits_at(b, 19, 15);
	int rs2 = (int)bits_at(b, 24, 20), f3 = (int)bits_at(b, 14, 12);

	switch (opcode) {
	case 0x37: set(d, OP_LUI, ird(rd), 0, 0, (int32_t)(b & 0xfffff000)); break;
	case 0x17: set(d, OP_AUIPC, ird(rd), 0, 0, (int32_t)(b & 0xfffff000)); break;
	case 0x6f: {
		uint32_t imm = (bits_at(b, 31, 31) << 20) | (bits_at(b, 19, 12) << 12) |
			       (bits_at(b, 20, 20) << 11) | (bits_at(b, 30, 21) << 1);
		set(d, OP_JAL, ird(rd), 0, 0, sext(imm, 21));
		break;
	}
	case 0x67:
		if (f3 == 0)
			set(d, OP_JALR, ird(rd), rs1, 0, (int32_t)b >> 20);
		else
			illegal(d);
		break;
	case 0x63: decode_branch(d, b, rs1, rs2, f3); break;
	case 0x03: decode_load(d, b, rd, rs1, f3); break;
	case 0x23: decode_store(d, b, rs1, rs2, f3); break;
	case 0x13: decode_opimm(d, b, rd, rs1, f3); break;
	case 0x1b: decode_opimm32(d, b, rd, rs1, f3); break;
	case 0x33: decode_op(d, b, rd, rs1, rs2, f3); break;
	case 0x3b: decode_op32(d, b, rd, rs1, rs2, f3); break;
	case 0x0f:
		if (f3 == 0)
			set(d, OP_FENCE, 0, 0, 0, 0);
		else if (f3 == 1)
			set(d, OP_FENCE_I, 0, 0, 0, 0);
		else
			illegal(d);
		break;
	case 0x73: decode_system(d, b, rd, rs1, rs2, f3); break;
	case 0x2f: decode_amo(d, b, rd, rs1, rs2, f3); break;
	case 0x07:
		if (f3 == 2 || f3 == 3)
			set(d, f3 == 2 ? OP_FLW : OP_FLD, rd, rs1, 0, (int32_t)b >> 20);
		else
			illegal(d);
		break;
	case 0x27:
		if (f3 == 2 || f3 == 3)
			set(d, f3 == 2 ? OP_FSW : OP_FSD, 0, rs1, rs2,
			    sext((bits_at(b, 31, 25) << 5) | (uint32_t)rd, 12));
		else
			illegal(d);
		break;
	case 0x43: case 0x47: case 0x4b: case 0x4f:
		decode_fma(d, b, opcode, rd, rs1, rs2, f3);
		break;
	case 0x53: decode_opfp(d, b, rd, rs1, rs2, f3); break;
	default: illegal(d); break;
	}
}

/* Quadrant 0: stack-pointer based immediates and register-based loads/stores. */
static void decode_c0(struct dinsn *d, uint32_t c)
{
	int rdp = 8 + (int)bits_at(c, 4, 2), rs1p = 8 + (int)bits_at(c, 9, 7);
	int f3 = (int)bits_at(c, 15, 13);
	uint32_t off_w = (bits_at(c, 12, 10) << 3) | (bits_at(c, 6, 6) << 2) |
			 (bits_at(c, 5, 5) << 6);
	uint32_t off_d = (bits_at(c, 12, 10) << 3) | (bits_at(c, 6, 5) << 6);

	switch (f3) {
	case 0: {
		uint32_t imm = (bits_at(c, 12, 11) << 4) | (bits_at(c, 10, 7) << 6) |
			       (bits_at(c, 6, 6) << 2) | (bits_at(c, 5, 5) << 3);
		if (imm == 0)
			illegal(d);
		else
			set(d, OP_ADDI, rdp, 2, 0, (int32_t)imm);
		break;
	}
	case 1: set(d, OP_FLD, rdp, rs1p, 0, (int32_t)off_d); break;
	case 2: set(d, OP_LW, rdp, rs1p, 0, (int32_t)off_w); break;
	case 3: set(d, OP_LD, rdp, rs1p, 0, (int32_t)off_d); break;
	case 5: set(d, OP_FSD, 0, rs1p, rdp, (int32_t)off_d); break;
	case 6: set(d, OP_SW, 0, rs1p, rdp, (int32_t)off_w); break;
	case 7: set(d, OP_SD, 0, rs1p, rdp, (int32_t)off_d); break;
	default: illegal(d); break;
	}
}

static void decode_c1_alu(struct dinsn *d, uint32_t c)
{
	int r = 8 + (int)bits_at(c, 9, 7), rs2 = 8 + (int)bits_at(c, 4, 2);
	uint32_t shamt = (bits_at(c, 12, 12) << 5) | bits_at(c, 6, 2);
	static const uint8_t reg_ops[8] = { OP_SUB, OP_XOR, OP_OR, OP_AND,
					    OP_SUBW, OP_ADDW, OP_ILLEGAL,
					    OP_ILLEGAL };

	switch (bits_at(c, 11, 10)) {
	case 0: set(d, OP_SRLI, r, r, 0, (int32_t)shamt); break;
	case 1: set(d, OP_SRAI, r, r, 0, (int32_t)shamt); break;
	case 2: set(d, OP_ANDI, r, r, 0, sext(shamt, 6)); break;
	default:
		set(d, reg_ops[(bits_at(c, 12, 12) << 2) | bits_at(c, 6, 5)], r, r,
		    rs2, 0);
		break;
	}
}

static void decode_c1(struct dinsn *d, uint32_t c)
{
	int rd = (int)bits_at(c, 11, 7), rs1p = 8 + (int)bits_at(c, 9, 7);
	int32_t imm6 = sext((bits_at(c, 12, 12) << 5) | bits_at(c, 6, 2), 6);
	uint32_t boff = (bits_at(c, 12, 12) << 8) | (bits_at(c, 11, 10) << 3) |
			(bits_at(c, 6, 5) << 6) | (bits_at(c, 4, 3) << 1) |
			(bits_at(c, 2, 2) << 5);

	switch (bits_at(c, 15, 13)) {
	case 0: set(d, OP_ADDI, ird(rd), rd, 0, imm6); break;
	case 1:
		if (rd == 0)
			illegal(d);
		else
			set(d, OP_ADDIW, rd, rd, 0, imm6);
		break;
	case 2: set(d, OP_ADDI, ird(rd), 0, 0, imm6); break;
	case 3:
		if (rd == 2) {
			uint32_t v = (bits_at(c, 12, 12) << 9) | (bits_at(c, 6, 6) << 4) |
				     (bits_at(c, 5, 5) << 6) | (bits_at(c, 4, 3) << 7) |
				     (bits_at(c, 2, 2) << 5);
			if (v == 0)
				illegal(d);
			else
				set(d, OP_ADDI, 2, 2, 0, sext(v, 10));
		} else {
			if (imm6 == 0)
				illegal(d);
			else
				set(d, OP_LUI, ird(rd), 0, 0, (int32_t)((uint32_t)imm6 << 12));
		}
		break;
	case 4: decode_c1_alu(d, c); break;
	case 5: {
		uint32_t v = (bits_at(c, 12, 12) << 11) | (bits_at(c, 11, 11) << 4) |
			     (bits_at(c, 10, 9) << 8) | (bits_at(c, 8, 8) << 10) |
			     (bits_at(c, 7, 7) << 6) | (bits_at(c, 6, 6) << 7) |
			     (bits_at(c, 5, 3) << 1) | (bits_at(c, 2, 2) << 5);
		set(d, OP_JAL, 32, 0, 0, sext(v, 12));
		break;
	}
	case 6: set(d, OP_BEQ, 0, rs1p, 0, sext(boff, 9)); break;
	default: set(d, OP_BNE, 0, rs1p, 0, sext(boff, 9)); break;
	}
}

static void decode_c2(struct dinsn *d, uint32_t c)
{
	int rd = (int)bits_at(c, 11, 7), rs2 = (int)bits_at(c, 6, 2);
	uint32_t ld_d = (bits_at(c, 12, 12) << 5) | (bits_at(c, 6, 5) << 3) |
			(bits_at(c, 4, 2) << 6);
	uint32_t ld_w = (bits_at(c, 12, 12) << 5) | (bits_at(c, 6, 4) << 2) |
			(bits_at(c, 3, 2) << 6);
	uint32_t st_d = (bits_at(c, 12, 10) << 3) | (bits_at(c, 9, 7) << 6);
	uint32_t st_w = (bits_at(c, 12, 9) << 2) | (bits_at(c, 8, 7) << 6);

	switch (bits_at(c, 15, 13)) {
	case 0:
		set(d, OP_SLLI, ird(rd), rd, 0,
		    (int32_t)((bits_at(c, 12, 12) << 5) | bits_at(c, 6, 2)));
		break;
	case 1: set(d, OP_FLD, rd, 2, 0, (int32_t)ld_d); break;
	case 2:
		if (rd == 0)
			illegal(d);
		else
			set(d, OP_LW, rd, 2, 0, (int32_t)ld_w);
		break;
	case 3:
		if (rd == 0)
			illegal(d);
		else
			set(d, OP_LD, rd, 2, 0, (int32_t)ld_d);
		break;
	case 4:
		if (!bits_at(c, 12, 12)) {
			if (rs2 == 0) {
				if (rd == 0)
					illegal(d);
				else
					set(d, OP_JALR, 32, rd, 0, 0);
			} else {
				set(d, OP_ADD, ird(rd), 0, rs2, 0);
			}
		} else if (rs2 == 0) {
			if (rd == 0)
				set(d, OP_EBREAK, 0, 0, 0, 0);
			else
				set(d, OP_JALR, 1, rd, 0, 0);
		} else {
			set(d, OP_ADD, ird(rd), rd, rs2, 0);
		}
		break;
	case 5: set(d, OP_FSD, 0, 2, rs2, (int32_t)st_d); break;
	case 6: set(d, OP_SW, 0, 2, rs2, (int32_t)st_w); break;
	default: set(d, OP_SD, 0, 2, rs2, (int32_t)st_d); break;
	}
}

void decode_insn(struct dinsn *d, uint32_t bits)
{
	memset(d, 0, sizeof(*d));
	if (decode_is_compressed((uint16_t)bits)) {
		uint32_t c = bits & 0xffff;
		d->len = 2;
		d->raw = c;
		switch (c & 3) {
		case 0: decode_c0(d, c); break;
		case 1: decode_c1(d, c); break;
		default: decode_c2(d, c); break;
		}
	} else {
		d->len = 4;
		d->raw = bits;
		if ((bits & 0x1f) == 0x1f) /* 48-bit and longer encodings */
			illegal(d);
		else
			decode32(d, bits);
	}
}
