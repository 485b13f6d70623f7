/*
 * decode.h - decoded instruction slots and the operation list shared by the
 * decoder and the interpreter.
 *
 * Invariants:
 *  - Decoding never fails: anything that is not a valid RV64GC instruction
 *    becomes OP_ILLEGAL; `raw` always holds the instruction bits, so the
 *    interpreter can report them in mtval.
 *  - rd == 0 is rewritten to 32 (the sink register) for integer results.
 */
#ifndef GODWIT_CPU_DECODE_H
#define GODWIT_CPU_DECODE_H

#include <stdint.h>

#define DECODE_OPS(X)                                                      \
	X(DECODE) X(ILLEGAL) X(CROSS) X(PAGE_END)                          \
	X(BEQ_L) X(BNE_L) X(BLT_L) X(BGE_L) X(BLTU_L) X(BGEU_L) X(JAL_L)   \
	X(LUI) X(AUIPC) X(JAL) X(JALR)                                     \
	X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                        \
	X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU)                       \
	X(SB) X(SH) X(SW) X(SD)                                            \
	X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI)                    \
	X(SLLI) X(SRLI) X(SRAI)                                            \
	X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR)     \
	X(AND)                                                             \
	X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW)                                \
	X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                            \
	X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI)      \
	X(SFENCE_VMA)                                                      \
	X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI)           \
	X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)    \
	X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                          \
	X(LR_W) X(SC_W) X(LR_D) X(SC_D)                                    \
	X(AMOSWAP_W) X(AMOADD_W) X(AMOXOR_W) X(AMOAND_W) X(AMOOR_W)        \
	X(AMOMIN_W) X(AMOMAX_W) X(AMOMINU_W) X(AMOMAXU_W)                  \
	X(AMOSWAP_D) X(AMOADD_D) X(AMOXOR_D) X(AMOAND_D) X(AMOOR_D)        \
	X(AMOMIN_D) X(AMOMAX_D) X(AMOMINU_D) X(AMOMAXU_D)                  \
	X(FLW) X(FSW) X(FLD) X(FSD)                                        \
	X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S)                      \
	X(FADD_S) X(FSUB_S) X(FMUL_S) X(FDIV_S) X(FSQRT_S)                 \
	X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(FMIN_S) X(FMAX_S)             \
	X(FCVT_W_S) X(FCVT_WU_S) X(FCVT_L_S) X(FCVT_LU_S)                  \
	X(FMV_X_W) X(FEQ_S) X(FLT_S) X(FLE_S) X(FCLASS_S)                  \
	X(FCVT_S_W) X(FCVT_S_WU) X(FCVT_S_L) X(FCVT_S_LU) X(FMV_W_X)       \
	X(FMADD_D) X(FMSUB_D) X(FNMSUB_D) X(FNMADD_D)                      \
	X(FADD_D) X(FSUB_D) X(FMUL_D) X(FDIV_D) X(FSQRT_D)                 \
	X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D) X(FMIN_D) X(FMAX_D)             \
	X(FCVT_W_D) X(FCVT_WU_D) X(FCVT_L_D) X(FCVT_LU_D)                  \
	X(FMV_X_D) X(FEQ_D) X(FLT_D) X(FLE_D) X(FCLASS_D)                  \
	X(FCVT_D_W) X(FCVT_D_WU) X(FCVT_D_L) X(FCVT_D_LU) X(FMV_D_X)       \
	X(FCVT_S_D) X(FCVT_D_S)

enum decode_op {
#define DECODE_ENUM(name) OP_##name,
	DECODE_OPS(DECODE_ENUM)
#undef DECODE_ENUM
	OP_COUNT
};

/* One decoded instruction. For FP ops rs3 holds the third source and rm the
 * rounding-mode field; for CSR ops imm holds the CSR number and rs1 the
 * register or the 5-bit immediate. */
struct dinsn {
	uint16_t op;
	uint8_t rd, rs1, rs2, rs3;
	uint8_t rm;
	uint8_t len; /* 2 or 4 */
	int32_t imm;
	uint32_t raw; /* instruction bits, for mtval on illegal instruction */
};


/* Decode one instruction. `lo` is the first 16-bit parcel, `hi` the second
 * (ignored for compressed instructions). */
void decode_insn(struct dinsn *d, uint32_t bits);
int decode_is_compressed(uint16_t lo);
const char *decode_op_name(int op);

#endif
