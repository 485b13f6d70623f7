/*
 * exec.c - the interpreter: runs decoded slots (dpage.h) with computed-goto
 * dispatch, each slot holding its handler's address.
 *
 * The common path makes no function calls and keeps no pc: a handler works
 * on locals (the slot pointer d, budget) and steps d to the next slot; pc is
 * derived from d when an instruction needs it (PC). Loads and stores hit the
 * host-pointer TLBs inline; misses, MMIO, CSRs, traps and anything else rare
 * leave through a slow-path function after SYNC().
 *
 * Invariants:
 *  - Between reloads, page_va/slot_base/code_host describe the page holding
 *    the current instruction and d points at its slot, so
 *    PC == page_va + (d - slot_base) / 8.
 *  - Any slow call that may change translation, privilege or decoded code
 *    is followed by `goto reload`, never by NEXT, because d may be stale
 *    afterwards (SYNC() saved the pc first).
 *  - budget counts instructions still allowed in this slice; every retired
 *    instruction decrements it exactly once. h->slice - budget is always
 *    what the slice has retired: to run one instruction alone (one that
 *    crosses a page, or any while an execute trigger may fire in the page)
 *    the rest of the budget is parked, taken out of both, and put back at
 *    the next reload.
 *  - Execute triggers are checked at reload, before the fetch; a page where
 *    one may fire runs one instruction per reload.
 */
#include "cpu/hart.h"
#include "cpu/decode.h"
#include "cpu/dpage.h"
#include "cpu/fpu.h"
#include "machine/machine.h"

#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define PAGE_MASK (HART_PAGE_SIZE - 1)

static inline uint32_t unbox(uint64_t v)
{
	return (v >> 32) == 0xffffffffu ? (uint32_t)v : FPU_QNAN_S;
}

static inline uint64_t box(uint32_t v)
{
	return 0xffffffff00000000ull | v;
}

static inline uint64_t sext32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static uint64_t div64(int64_t a, int64_t b)
{
	if (b == 0)
		return ~0ull;
	if (a == INT64_MIN && b == -1)
		return (uint64_t)a;
	return (uint64_t)(a / b);
}

static uint64_t rem64(int64_t a, int64_t b)
{
	if (b == 0)
		return (uint64_t)a;
	if (a == INT64_MIN && b == -1)
		return 0;
	return (uint64_t)(a % b);
}

static uint64_t div32(int32_t a, int32_t b)
{
	if (b == 0)
		return ~0ull;
	if (a == INT32_MIN && b == -1)
		return sext32((uint32_t)a);
	return sext32((uint32_t)(a / b));
}

static uint64_t rem32(int32_t a, int32_t b)
{
	if (b == 0)
		return sext32((uint32_t)a);
	if (a == INT32_MIN && b == -1)
		return 0;
	return sext32((uint32_t)(a % b));
}

static const void *const *exec_labels; /* set by the first hart_run */

void exec_dpage_init(struct dpage *dp)
{
	for (int i = 0; i < DPAGE_SLOTS; i++)
		dp->slot[i].handler = exec_labels[OP_DECODE];
	dp->slot[DPAGE_SLOTS].handler = exec_labels[OP_PAGE_END];
}

/* Fill an execution slot from a decoded instruction at page offset `off`
 * (-1: not in a decoded page). Branches and JAL whose target lies in the same
 * page get the _L handlers, whose imm is the slot distance in bytes. */
static void make_slot(struct xslot *x, const struct dinsn *di,
		      const void *const *labels, int off)
{
	const void *handler = labels[di->op];
	int op = di->op;

	x->rd = di->rd;
	x->rs1 = di->rs1;
	x->rs2 = di->rs2;
	x->step = (uint8_t)(di->len * 8);
	if (off >= 0 && ((op >= OP_BEQ && op <= OP_BGEU) || op == OP_JAL) &&
	    off + di->imm >= 0 && off + di->imm < (int)HART_PAGE_SIZE) {
		handler = labels[op == OP_JAL ? OP_JAL_L : OP_BEQ_L + (op - OP_BEQ)];
		x->imm = di->imm * 8;
	} else if (di->op == OP_ILLEGAL) {
		x->imm = (int32_t)di->raw;
	} else if (di->op >= OP_FMADD_S) {
		x->imm = di->rs3 | (di->rm << 8);
	} else {
		x->imm = di->imm;
	}
	/* last: another hart running this page sees the decode handler or the
	 * whole slot (dpage.h) */
	__atomic_store_n(&x->handler, handler, __ATOMIC_RELEASE);
}

/* Entering hart_run: publish the code generation this hart has caught up
 * with, then look again, so a page retired meanwhile is either seen retired
 * here or not freed (machine/code.c). */
static void code_enter(struct hart *h)
{
	uint64_t g;

	do {
		g = __atomic_load_n(&h->m->code_gen, __ATOMIC_SEQ_CST);
		__atomic_store_n(&h->seen_gen, g, __ATOMIC_SEQ_CST);
	} while (__atomic_load_n(&h->m->code_gen, __ATOMIC_SEQ_CST) != g);
	if (g != h->x_gen) {
		hart_tlb_flush_code(h);
		h->x_gen = g;
	}
}

int64_t hart_run(struct hart *h, int64_t max_insns)
{
	static const void *const labels[OP_COUNT] = {
#define EXEC_LABEL(name) [OP_##name] = &&L_##name,
		DECODE_OPS(EXEC_LABEL)
#undef EXEC_LABEL
	};
	uint64_t *const X = h->s.x;
	uint64_t *const F = h->s.f;
	struct hart_code_entry *ce;
	struct dpage *dp = NULL;
	const uint8_t *code_host = NULL;
	const struct xslot *d = NULL;
	struct xslot tmp[3]; /* a page-crossing instruction, and room to step past it */
	uintptr_t slot_base = 0;
	uint64_t page_va = 0, npc, salt_r = 0, salt_w = 0;
	int64_t budget = max_insns, parked = 0, executed, reloads = 0;
	uint32_t rm;

	exec_labels = labels;
	h->slice = max_insns;
	h->budget = max_insns;
	code_enter(h);

#define PC (page_va + (((uintptr_t)d - slot_base) >> 3))
#define LEN (d->step >> 3)
#define DISPATCH() goto *d->handler
#define SYNC() do { h->s.pc = PC; h->budget = budget; } while (0)
#define NEXT()                                                             \
	do {                                                               \
		d = (const struct xslot *)((const char *)d + d->step);     \
		if (unlikely(--budget <= 0))                               \
			goto out;                                          \
		DISPATCH();                                                \
	} while (0)
#define JUMP(target)                                                       \
	do {                                                               \
		npc = (target);                                            \
		if (unlikely(--budget <= 0))                               \
			goto out_npc;                                      \
		if (likely((npc ^ page_va) < HART_PAGE_SIZE)) {            \
			d = (const struct xslot *)(slot_base + ((npc & PAGE_MASK) << 3)); \
			DISPATCH();                                        \
		}                                                          \
		goto out_npc;                                              \
	} while (0)
	/* retire the current instruction and leave the block */
#define END_BLOCK() do { npc = PC + LEN; budget--; goto out_npc; } while (0)
	/* after a slow call that may have freed the page: SYNC() saved pc */
#define END_BLOCK_L(len) do { h->s.pc += (len); budget--; goto reload; } while (0)
	/* run the next instruction alone: park the rest of the budget */
#define PARK()                                                             \
	do {                                                               \
		if (!parked) {                                             \
			parked = budget - 1;                               \
			budget = 1;                                        \
			h->slice -= parked;                                \
		}                                                          \
	} while (0)
#define TRAP(cause, tval)                                                  \
	do {                                                               \
		SYNC();                                                    \
		hart_raise(h, (cause), (tval));                            \
		goto reload;                                               \
	} while (0)

#define LOAD(ctype, size)                                                  \
	do {                                                               \
		uint64_t a_ = X[d->rs1] + (uint64_t)(int64_t)d->imm, v_;   \
		const struct hart_tlb_entry *e_ =                          \
			&h->tlb_r[(a_ >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)]; \
		if (likely(e_->tag == ((a_ & (~PAGE_MASK | (size - 1))) | salt_r))) { \
			ctype t_;                                          \
			memcpy(&t_, (void *)(e_->addend + (uintptr_t)a_), size); \
			X[d->rd] = (uint64_t)(int64_t)t_;                  \
			NEXT();                                            \
		}                                                          \
		SYNC();                                                    \
		if (hart_load_slow(h, a_, size, &v_))                      \
			goto reload;                                       \
		X[d->rd] = (uint64_t)(int64_t)(ctype)v_;                   \
		NEXT();                                                    \
	} while (0)
#define STORE_V(size, value)                                               \
	do {                                                               \
		uint64_t a_ = X[d->rs1] + (uint64_t)(int64_t)d->imm;       \
		uint64_t v_ = (value);                                     \
		const struct hart_tlb_entry *e_ =                          \
			&h->tlb_w[(a_ >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)]; \
		uint32_t sl_ = LEN;                                        \
		int r_;                                                    \
		if (likely(e_->tag == ((a_ & (~PAGE_MASK | (size - 1))) | salt_w))) { \
			memcpy((void *)(e_->addend + (uintptr_t)a_), &v_, size); \
			NEXT();                                            \
		}                                                          \
		SYNC();                                                    \
		r_ = hart_store_slow(h, a_, size, v_);                     \
		if (r_ < 0)                                                \
			goto reload;                                       \
		if (r_ > 0)                                                \
			END_BLOCK_L(sl_);                                  \
		NEXT();                                                    \
	} while (0)
#define STORE(size) STORE_V(size, X[d->rs2])

	/* AMOs are host atomics (a compare-and-swap loop computing expr from
	 * the old value o_), so they are atomic against every other hart */
#define AMO(ctype, size, expr)                                             \
	do {                                                               \
		uint64_t a_ = X[d->rs1];                                   \
		ctype s_ = (ctype)X[d->rs2], o_, w_;                       \
		uint8_t *p_;                                               \
		uint32_t al_ = LEN, rd_ = d->rd;                           \
		int r_;                                                    \
		SYNC();                                                    \
		r_ = hart_amo_addr(h, a_, size, TRIG_LOAD | TRIG_STORE, &p_); \
		if (r_ < 0)                                                \
			goto reload;                                       \
		o_ = __atomic_load_n((ctype *)p_, __ATOMIC_RELAXED);       \
		do {                                                       \
			w_ = (expr);                                       \
		} while (!__atomic_compare_exchange_n((ctype *)p_, &o_, w_, true, \
						      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)); \
		X[rd_] = (uint64_t)(int64_t)o_;                            \
		if (r_ > 0)                                                \
			END_BLOCK_L(al_);                                  \
		NEXT();                                                    \
	} while (0)
	/* LR keeps the address and the value it read; SC is a compare-and-swap
	 * against that value, so any other hart's store that changed the word
	 * since makes it fail (docs/vmm.md: one writing the same value does
	 * not, as on QEMU) */
#define LR(ctype, size)                                                    \
	do {                                                               \
		uint64_t a_ = X[d->rs1];                                   \
		uint8_t *p_;                                               \
		ctype v_;                                                  \
		SYNC();                                                    \
		if (hart_amo_addr(h, a_, size, TRIG_LOAD, &p_) < 0)        \
			goto reload;                                       \
		/* as an AMO: no earlier store may pass it (x86 would) */  \
		if (h->m->n_harts > 1)                                     \
			__atomic_thread_fence(__ATOMIC_SEQ_CST);           \
		v_ = __atomic_load_n((ctype *)p_, __ATOMIC_SEQ_CST);       \
		X[d->rd] = (uint64_t)(int64_t)v_;                          \
		h->s.resv_addr = a_;                                       \
		h->s.resv_val = (uint64_t)(int64_t)v_;                     \
		h->s.resv_valid = 1;                                       \
		NEXT();                                                    \
	} while (0)
#define SC(ctype, size)                                                    \
	do {                                                               \
		uint64_t a_ = X[d->rs1], v_ = X[d->rs2];                   \
		uint32_t sl_ = LEN, rd_ = d->rd;                           \
		uint8_t *p_;                                               \
		int r_;                                                    \
		SYNC();                                                    \
		r_ = hart_amo_addr(h, a_, size, TRIG_STORE, &p_);          \
		if (r_ < 0)                                                \
			goto reload;                                       \
		X[rd_] = 1;                                                \
		if (h->s.resv_valid && h->s.resv_addr == a_) {             \
			ctype e_ = (ctype)h->s.resv_val;                   \
			if (__atomic_compare_exchange_n((ctype *)p_, &e_, (ctype)v_, false, \
							__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) \
				X[rd_] = 0;                                \
		}                                                          \
		h->s.resv_valid = 0;                                       \
		if (r_ > 0)                                                \
			END_BLOCK_L(sl_);                                  \
		NEXT();                                                    \
	} while (0)

#define FP_ON() do { if (unlikely(!(h->s.mstatus & MSTATUS_FS))) goto illegal; } while (0)
#define FP_RM()                                                            \
	do {                                                               \
		FP_ON();                                                   \
		rm = (uint32_t)d->imm >> 8;                                \
		if (rm == 7)                                               \
			rm = h->s.frm;                                     \
		if (unlikely(rm > 4))                                      \
			goto illegal;                                      \
	} while (0)
#define FP_DIRTY() (h->s.mstatus |= MSTATUS_FS)
#define FFL (&h->s.fflags)
#define RS3 ((uint32_t)d->imm & 31)
#define FS1 unbox(F[d->rs1])
#define FS2 unbox(F[d->rs2])
#define FS3 unbox(F[RS3])
#define FSET_S(v) do { F[d->rd] = box(v); FP_DIRTY(); NEXT(); } while (0)
#define FSET_D(v) do { F[d->rd] = (v); FP_DIRTY(); NEXT(); } while (0)
	/* integer result of an FP op: FS becomes dirty only if fflags changed */
#define XSET_FP(v)                                                         \
	do {                                                               \
		uint32_t f0_ = h->s.fflags;                                \
		X[d->rd] = (v);                                            \
		if (h->s.fflags != f0_)                                    \
			FP_DIRTY();                                        \
		NEXT();                                                    \
	} while (0)
#define SIGN_S 0x80000000u
#define SIGN_D 0x8000000000000000ull

reload:
	if (unlikely(parked)) {
		budget += parked;
		h->slice += parked;
		parked = 0;
	}
	if (h->s.wfi) {
		if (!hart_interrupt_pending(h))
			goto done;
		h->s.wfi = 0;
	}
	/* traps retire nothing, so a guest trapping forever (a vector on a
	 * faulting instruction) is bounded by counting reloads as well */
	if (budget <= 0 || __atomic_load_n(&h->m->gate, __ATOMIC_RELAXED) ||
	    ++reloads > max_insns)
		goto done;
	{
		/* another hart retired decoded pages: drop this hart's code
		 * TLB and say so (machine/code.c) */
		uint64_t g = __atomic_load_n(&h->m->code_gen, __ATOMIC_ACQUIRE);

		if (unlikely(g != h->x_gen)) {
			hart_tlb_flush_code(h);
			h->x_gen = g;
			__atomic_store_n(&h->seen_gen, g, __ATOMIC_RELEASE);
		}
	}
	if (hart_interrupt_pending(h)) {
		h->budget = budget;
		hart_check_interrupts(h);
	}
	npc = h->s.pc;
	if (unlikely(h->trig_armed & TRIG_EXEC)) {
		int t;

		h->budget = budget;
		t = hart_trig_fetch(h, npc);
		if (t < 0)
			goto reload;
		if (t > 0)
			PARK();
	}
	ce = &h->tlb_x[(npc >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];
	if (unlikely(ce->tag != ((npc & ~PAGE_MASK) | h->salt_x))) {
		h->budget = budget;
		if (hart_fetch_page(h, npc, &ce))
			goto reload;
	}
	/* flushes happen only in slow paths, which all come back through here */
	salt_r = h->salt_r;
	salt_w = h->salt_w;
	dp = ce->dp;
	code_host = ce->host;
	page_va = npc & ~PAGE_MASK;
	slot_base = (uintptr_t)dp->slot;
	d = &dp->slot[(npc & PAGE_MASK) >> 1];
	DISPATCH();

L_DECODE: {
	uint32_t off = (uint32_t)(PC & PAGE_MASK), bits;
	struct dinsn di;
	uint16_t lo;

	memcpy(&lo, code_host + off, 2);
	if (!decode_is_compressed(lo) && off == PAGE_MASK - 1) {
		((struct xslot *)d)->handler = &&L_CROSS;
		goto cross;
	}
	bits = lo;
	if (!decode_is_compressed(lo))
		memcpy(&bits, code_host + off, 4);
	decode_insn(&di, bits);
	make_slot((struct xslot *)d, &di, labels, (int)off);
	DISPATCH();
}
L_CROSS:
cross: {
	uint64_t pc = PC;
	struct dinsn di;
	uint16_t lo, hi;

	memcpy(&lo, code_host + (pc & PAGE_MASK), 2);
	SYNC();
	if (hart_fetch_u16(h, pc + 2, &hi))
		goto reload;
	decode_insn(&di, lo | ((uint32_t)hi << 16));
	make_slot(&tmp[0], &di, labels, -1);
	/* keep PC valid for the temporary slot */
	slot_base = (uintptr_t)&tmp[0] - ((pc & PAGE_MASK) << 3);
	d = &tmp[0];
	PARK();
	DISPATCH();
}
L_PAGE_END: /* sequential flow left the page; d already stepped past it */
	goto out;
L_ILLEGAL:
	TRAP(CAUSE_ILLEGAL_INSN, (uint32_t)d->imm);
illegal: {
	/* illegal in the current state: report its bits (0, as the spec
	 * allows, for one that crosses a page) */
	uint32_t raw = 0;
	if (d != &tmp[0]) {
		memcpy(&raw, code_host + (PC & PAGE_MASK), LEN);
	}
	TRAP(CAUSE_ILLEGAL_INSN, raw);
}

L_LUI: X[d->rd] = (uint64_t)(int64_t)d->imm; NEXT();
L_AUIPC: X[d->rd] = PC + (uint64_t)(int64_t)d->imm; NEXT();
L_JAL: {
	uint64_t pc = PC;
	X[d->rd] = pc + LEN;
	JUMP(pc + (uint64_t)(int64_t)d->imm);
}
L_JALR: {
	uint64_t t = (X[d->rs1] + (uint64_t)(int64_t)d->imm) & ~1ull;
	X[d->rd] = PC + LEN;
	JUMP(t);
}
#define BRANCH(cond) do { if (cond) JUMP(PC + (uint64_t)(int64_t)d->imm); NEXT(); } while (0)
	/* same-page forms: imm is the distance in slot bytes */
#define LOCAL_JUMP()                                                       \
	do {                                                               \
		d = (const struct xslot *)((const char *)d + d->imm);      \
		if (unlikely(--budget <= 0))                               \
			goto out;                                          \
		DISPATCH();                                                \
	} while (0)
#define BRANCH_L(cond) do { if (cond) LOCAL_JUMP(); NEXT(); } while (0)
L_BEQ_L: BRANCH_L(X[d->rs1] == X[d->rs2]);
L_BNE_L: BRANCH_L(X[d->rs1] != X[d->rs2]);
L_BLT_L: BRANCH_L((int64_t)X[d->rs1] < (int64_t)X[d->rs2]);
L_BGE_L: BRANCH_L((int64_t)X[d->rs1] >= (int64_t)X[d->rs2]);
L_BLTU_L: BRANCH_L(X[d->rs1] < X[d->rs2]);
L_BGEU_L: BRANCH_L(X[d->rs1] >= X[d->rs2]);
L_JAL_L: X[d->rd] = PC + LEN; LOCAL_JUMP();
L_BEQ: BRANCH(X[d->rs1] == X[d->rs2]);
L_BNE: BRANCH(X[d->rs1] != X[d->rs2]);
L_BLT: BRANCH((int64_t)X[d->rs1] < (int64_t)X[d->rs2]);
L_BGE: BRANCH((int64_t)X[d->rs1] >= (int64_t)X[d->rs2]);
L_BLTU: BRANCH(X[d->rs1] < X[d->rs2]);
L_BGEU: BRANCH(X[d->rs1] >= X[d->rs2]);

L_LB: LOAD(int8_t, 1);
L_LH: LOAD(int16_t, 2);
L_LW: LOAD(int32_t, 4);
L_LD: LOAD(int64_t, 8);
L_LBU: LOAD(uint8_t, 1);
L_LHU: LOAD(uint16_t, 2);
L_LWU: LOAD(uint32_t, 4);
L_SB: STORE(1);
L_SH: STORE(2);
L_SW: STORE(4);
L_SD: STORE(8);

#define IMM ((uint64_t)(int64_t)d->imm)
#define RS1 X[d->rs1]
#define RS2 X[d->rs2]
L_ADDI: X[d->rd] = RS1 + IMM; NEXT();
L_SLTI: X[d->rd] = (int64_t)RS1 < (int64_t)IMM; NEXT();
L_SLTIU: X[d->rd] = RS1 < IMM; NEXT();
L_XORI: X[d->rd] = RS1 ^ IMM; NEXT();
L_ORI: X[d->rd] = RS1 | IMM; NEXT();
L_ANDI: X[d->rd] = RS1 & IMM; NEXT();
L_SLLI: X[d->rd] = RS1 << d->imm; NEXT();
L_SRLI: X[d->rd] = RS1 >> d->imm; NEXT();
L_SRAI: X[d->rd] = (uint64_t)((int64_t)RS1 >> d->imm); NEXT();
L_ADD: X[d->rd] = RS1 + RS2; NEXT();
L_SUB: X[d->rd] = RS1 - RS2; NEXT();
L_SLL: X[d->rd] = RS1 << (RS2 & 63); NEXT();
L_SLT: X[d->rd] = (int64_t)RS1 < (int64_t)RS2; NEXT();
L_SLTU: X[d->rd] = RS1 < RS2; NEXT();
L_XOR: X[d->rd] = RS1 ^ RS2; NEXT();
L_SRL: X[d->rd] = RS1 >> (RS2 & 63); NEXT();
L_SRA: X[d->rd] = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT();
L_OR: X[d->rd] = RS1 | RS2; NEXT();
L_AND: X[d->rd] = RS1 & RS2; NEXT();
L_ADDIW: X[d->rd] = sext32(RS1 + IMM); NEXT();
L_SLLIW: X[d->rd] = sext32((uint32_t)RS1 << d->imm); NEXT();
L_SRLIW: X[d->rd] = sext32((uint32_t)RS1 >> d->imm); NEXT();
L_SRAIW: X[d->rd] = (uint64_t)(int64_t)((int32_t)RS1 >> d->imm); NEXT();
L_ADDW: X[d->rd] = sext32(RS1 + RS2); NEXT();
L_SUBW: X[d->rd] = sext32(RS1 - RS2); NEXT();
L_SLLW: X[d->rd] = sext32((uint32_t)RS1 << (RS2 & 31)); NEXT();
L_SRLW: X[d->rd] = sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT();
L_SRAW: X[d->rd] = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); NEXT();

L_MUL: X[d->rd] = RS1 * RS2; NEXT();
L_MULH: X[d->rd] = (uint64_t)(((__int128)(int64_t)RS1 * (__int128)(int64_t)RS2) >> 64); NEXT();
L_MULHSU: X[d->rd] = (uint64_t)(((__int128)(int64_t)RS1 * (__int128)RS2) >> 64); NEXT();
L_MULHU: X[d->rd] = (uint64_t)(((unsigned __int128)RS1 * RS2) >> 64); NEXT();
L_DIV: X[d->rd] = div64((int64_t)RS1, (int64_t)RS2); NEXT();
L_DIVU: X[d->rd] = RS2 ? RS1 / RS2 : ~0ull; NEXT();
L_REM: X[d->rd] = rem64((int64_t)RS1, (int64_t)RS2); NEXT();
L_REMU: X[d->rd] = RS2 ? RS1 % RS2 : RS1; NEXT();
L_MULW: X[d->rd] = sext32(RS1 * RS2); NEXT();
L_DIVW: X[d->rd] = div32((int32_t)RS1, (int32_t)RS2); NEXT();
L_DIVUW: X[d->rd] = (uint32_t)RS2 ? sext32((uint32_t)RS1 / (uint32_t)RS2) : ~0ull; NEXT();
L_REMW: X[d->rd] = rem32((int32_t)RS1, (int32_t)RS2); NEXT();
L_REMUW: X[d->rd] = sext32((uint32_t)RS2 ? (uint32_t)RS1 % (uint32_t)RS2 : (uint32_t)RS1); NEXT();

L_FENCE: /* the host orders everything but a store before a later load */
	if (h->m->n_harts > 1)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	NEXT();
	/* stores already retired the decoded code they hit; the reload picks
	 * up pages another hart retired (code_gen) */
L_FENCE_I: END_BLOCK();
L_ECALL: TRAP(h->s.priv == PRV_M ? CAUSE_ECALL_M
			       : h->s.priv == PRV_S ? CAUSE_ECALL_S : CAUSE_ECALL_U, 0);
L_EBREAK: TRAP(CAUSE_BREAKPOINT, PC);
L_MRET:
	SYNC();
	if (hart_mret(h))
		goto illegal;
	budget--;
	goto reload;
L_SRET:
	SYNC();
	if (hart_sret(h))
		goto illegal;
	budget--;
	goto reload;
L_WFI:
	if (h->s.priv == PRV_U ||
	    (h->s.priv == PRV_S && (h->s.mstatus & MSTATUS_TW)))
		goto illegal;
	SYNC();
	h->s.pc += LEN;
	budget--;
	if (!hart_interrupt_pending(h))
		h->s.wfi = 1;
	goto reload;
L_SFENCE_VMA:
	if (h->s.priv == PRV_U ||
	    (h->s.priv == PRV_S && (h->s.mstatus & MSTATUS_TVM)))
		goto illegal;
	hart_tlb_flush(h);
	END_BLOCK();

	/* b_ is the value a read-modify-write builds on: for mip/sip only the
	 * software-writable bits, never the device-driven levels (SEIP) */
#define CSR_OP(src, do_write, newval)                                      \
	do {                                                               \
		uint64_t s_ = (src), o_ = 0, b_;                           \
		uint32_t c_ = (uint32_t)d->imm & 0xfff;                    \
		SYNC();                                                    \
		if (hart_csr_read(h, c_, &o_))                             \
			goto illegal;                                      \
		b_ = hart_csr_rmw_base(h, c_, o_);                         \
		(void)b_;                                                  \
		if ((do_write) && hart_csr_write(h, c_, (newval)))         \
			goto illegal;                                      \
		X[d->rd] = o_;                                             \
		END_BLOCK();                                               \
	} while (0)
L_CSRRW:
	if (d->rd == 32) { /* no read side effects when rd is x0 */
		SYNC();
		if (hart_csr_write(h, (uint32_t)d->imm & 0xfff, RS1))
			goto illegal;
		END_BLOCK();
	}
	CSR_OP(RS1, 1, s_);
L_CSRRS: CSR_OP(RS1, d->rs1 != 0, b_ | s_);
L_CSRRC: CSR_OP(RS1, d->rs1 != 0, b_ & ~s_);
L_CSRRWI:
	if (d->rd == 32) {
		SYNC();
		if (hart_csr_write(h, (uint32_t)d->imm & 0xfff, d->rs1))
			goto illegal;
		END_BLOCK();
	}
	CSR_OP(d->rs1, 1, s_);
L_CSRRSI: CSR_OP(d->rs1, d->rs1 != 0, b_ | s_);
L_CSRRCI: CSR_OP(d->rs1, d->rs1 != 0, b_ & ~s_);

L_LR_W: LR(int32_t, 4);
L_LR_D: LR(int64_t, 8);
L_SC_W: SC(int32_t, 4);
L_SC_D: SC(int64_t, 8);
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
L_AMOSWAP_W: AMO(int32_t, 4, s_);
L_AMOADD_W: AMO(int32_t, 4, (int32_t)((uint32_t)o_ + (uint32_t)s_));
L_AMOXOR_W: AMO(int32_t, 4, o_ ^ s_);
L_AMOAND_W: AMO(int32_t, 4, o_ & s_);
L_AMOOR_W: AMO(int32_t, 4, o_ | s_);
L_AMOMIN_W: AMO(int32_t, 4, MIN(o_, s_));
L_AMOMAX_W: AMO(int32_t, 4, MAX(o_, s_));
L_AMOMINU_W: AMO(int32_t, 4, (int32_t)MIN((uint32_t)o_, (uint32_t)s_));
L_AMOMAXU_W: AMO(int32_t, 4, (int32_t)MAX((uint32_t)o_, (uint32_t)s_));
L_AMOSWAP_D: AMO(int64_t, 8, s_);
L_AMOADD_D: AMO(int64_t, 8, (int64_t)((uint64_t)o_ + (uint64_t)s_));
L_AMOXOR_D: AMO(int64_t, 8, o_ ^ s_);
L_AMOAND_D: AMO(int64_t, 8, o_ & s_);
L_AMOOR_D: AMO(int64_t, 8, o_ | s_);
L_AMOMIN_D: AMO(int64_t, 8, MIN(o_, s_));
L_AMOMAX_D: AMO(int64_t, 8, MAX(o_, s_));
L_AMOMINU_D: AMO(int64_t, 8, (int64_t)MIN((uint64_t)o_, (uint64_t)s_));
L_AMOMAXU_D: AMO(int64_t, 8, (int64_t)MAX((uint64_t)o_, (uint64_t)s_));

	/* FP loads/stores: rd/rs2 name F registers */
L_FLW: {
	uint64_t a = RS1 + IMM, v;
	FP_ON();
	SYNC();
	if (hart_load_slow(h, a, 4, &v))
		goto reload;
	F[d->rd] = box((uint32_t)v);
	FP_DIRTY();
	NEXT();
}
L_FLD: {
	uint64_t a = RS1 + IMM, v;
	const struct hart_tlb_entry *e = &h->tlb_r[(a >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];
	FP_ON();
	if (likely(e->tag == ((a & (~PAGE_MASK | 7)) | salt_r))) {
		memcpy(&v, (void *)(e->addend + (uintptr_t)a), 8);
	} else {
		SYNC();
		if (hart_load_slow(h, a, 8, &v))
			goto reload;
	}
	F[d->rd] = v;
	FP_DIRTY();
	NEXT();
}
L_FSW: FP_ON(); STORE_V(4, (uint32_t)F[d->rs2]);
L_FSD: FP_ON(); STORE_V(8, F[d->rs2]);

L_FMADD_S: FP_RM(); FSET_S(fpu_fma_s(FS1, FS2, FS3, (int)rm, FFL));
L_FMSUB_S: FP_RM(); FSET_S(fpu_fma_s(FS1, FS2, FS3 ^ SIGN_S, (int)rm, FFL));
L_FNMSUB_S: FP_RM(); FSET_S(fpu_fma_s(FS1 ^ SIGN_S, FS2, FS3, (int)rm, FFL));
L_FNMADD_S: FP_RM(); FSET_S(fpu_fma_s(FS1 ^ SIGN_S, FS2, FS3 ^ SIGN_S, (int)rm, FFL));
L_FADD_S: FP_RM(); FSET_S(fpu_add_s(FS1, FS2, (int)rm, FFL));
L_FSUB_S: FP_RM(); FSET_S(fpu_sub_s(FS1, FS2, (int)rm, FFL));
L_FMUL_S: FP_RM(); FSET_S(fpu_mul_s(FS1, FS2, (int)rm, FFL));
L_FDIV_S: FP_RM(); FSET_S(fpu_div_s(FS1, FS2, (int)rm, FFL));
L_FSQRT_S: FP_RM(); FSET_S(fpu_sqrt_s(FS1, (int)rm, FFL));
L_FSGNJ_S: FP_ON(); FSET_S((FS1 & ~SIGN_S) | (FS2 & SIGN_S));
L_FSGNJN_S: FP_ON(); FSET_S((FS1 & ~SIGN_S) | (~FS2 & SIGN_S));
L_FSGNJX_S: FP_ON(); FSET_S(FS1 ^ (FS2 & SIGN_S));
L_FMIN_S: FP_ON(); FSET_S(fpu_min_s(FS1, FS2, FFL));
L_FMAX_S: FP_ON(); FSET_S(fpu_max_s(FS1, FS2, FFL));
L_FCVT_W_S: FP_RM(); XSET_FP(sext32((uint32_t)fpu_s_to_i32(FS1, (int)rm, FFL)));
L_FCVT_WU_S: FP_RM(); XSET_FP(sext32(fpu_s_to_u32(FS1, (int)rm, FFL)));
L_FCVT_L_S: FP_RM(); XSET_FP((uint64_t)fpu_s_to_i64(FS1, (int)rm, FFL));
L_FCVT_LU_S: FP_RM(); XSET_FP(fpu_s_to_u64(FS1, (int)rm, FFL));
L_FMV_X_W: FP_ON(); X[d->rd] = sext32(F[d->rs1]); NEXT();
L_FEQ_S: FP_ON(); XSET_FP((uint64_t)fpu_eq_s(FS1, FS2, FFL));
L_FLT_S: FP_ON(); XSET_FP((uint64_t)fpu_lt_s(FS1, FS2, FFL));
L_FLE_S: FP_ON(); XSET_FP((uint64_t)fpu_le_s(FS1, FS2, FFL));
L_FCLASS_S: FP_ON(); X[d->rd] = fpu_class_s(FS1); NEXT();
L_FCVT_S_W: FP_RM(); FSET_S(fpu_i32_to_s((int32_t)RS1, (int)rm, FFL));
L_FCVT_S_WU: FP_RM(); FSET_S(fpu_u32_to_s((uint32_t)RS1, (int)rm, FFL));
L_FCVT_S_L: FP_RM(); FSET_S(fpu_i64_to_s((int64_t)RS1, (int)rm, FFL));
L_FCVT_S_LU: FP_RM(); FSET_S(fpu_u64_to_s(RS1, (int)rm, FFL));
L_FMV_W_X: FP_ON(); FSET_S((uint32_t)RS1);

#define FD1 F[d->rs1]
#define FD2 F[d->rs2]
#define FD3 F[RS3]
L_FMADD_D: FP_RM(); FSET_D(fpu_fma_d(FD1, FD2, FD3, (int)rm, FFL));
L_FMSUB_D: FP_RM(); FSET_D(fpu_fma_d(FD1, FD2, FD3 ^ SIGN_D, (int)rm, FFL));
L_FNMSUB_D: FP_RM(); FSET_D(fpu_fma_d(FD1 ^ SIGN_D, FD2, FD3, (int)rm, FFL));
L_FNMADD_D: FP_RM(); FSET_D(fpu_fma_d(FD1 ^ SIGN_D, FD2, FD3 ^ SIGN_D, (int)rm, FFL));
L_FADD_D: FP_RM(); FSET_D(fpu_add_d(FD1, FD2, (int)rm, FFL));
L_FSUB_D: FP_RM(); FSET_D(fpu_sub_d(FD1, FD2, (int)rm, FFL));
L_FMUL_D: FP_RM(); FSET_D(fpu_mul_d(FD1, FD2, (int)rm, FFL));
L_FDIV_D: FP_RM(); FSET_D(fpu_div_d(FD1, FD2, (int)rm, FFL));
L_FSQRT_D: FP_RM(); FSET_D(fpu_sqrt_d(FD1, (int)rm, FFL));
L_FSGNJ_D: FP_ON(); FSET_D((FD1 & ~SIGN_D) | (FD2 & SIGN_D));
L_FSGNJN_D: FP_ON(); FSET_D((FD1 & ~SIGN_D) | (~FD2 & SIGN_D));
L_FSGNJX_D: FP_ON(); FSET_D(FD1 ^ (FD2 & SIGN_D));
L_FMIN_D: FP_ON(); FSET_D(fpu_min_d(FD1, FD2, FFL));
L_FMAX_D: FP_ON(); FSET_D(fpu_max_d(FD1, FD2, FFL));
L_FCVT_W_D: FP_RM(); XSET_FP(sext32((uint32_t)fpu_d_to_i32(FD1, (int)rm, FFL)));
L_FCVT_WU_D: FP_RM(); XSET_FP(sext32(fpu_d_to_u32(FD1, (int)rm, FFL)));
L_FCVT_L_D: FP_RM(); XSET_FP((uint64_t)fpu_d_to_i64(FD1, (int)rm, FFL));
L_FCVT_LU_D: FP_RM(); XSET_FP(fpu_d_to_u64(FD1, (int)rm, FFL));
L_FMV_X_D: FP_ON(); X[d->rd] = FD1; NEXT();
L_FEQ_D: FP_ON(); XSET_FP((uint64_t)fpu_eq_d(FD1, FD2, FFL));
L_FLT_D: FP_ON(); XSET_FP((uint64_t)fpu_lt_d(FD1, FD2, FFL));
L_FLE_D: FP_ON(); XSET_FP((uint64_t)fpu_le_d(FD1, FD2, FFL));
L_FCLASS_D: FP_ON(); X[d->rd] = fpu_class_d(FD1); NEXT();
L_FCVT_D_W: FP_RM(); FSET_D(fpu_i32_to_d((int32_t)RS1, (int)rm, FFL));
L_FCVT_D_WU: FP_RM(); FSET_D(fpu_u32_to_d((uint32_t)RS1, (int)rm, FFL));
L_FCVT_D_L: FP_RM(); FSET_D(fpu_i64_to_d((int64_t)RS1, (int)rm, FFL));
L_FCVT_D_LU: FP_RM(); FSET_D(fpu_u64_to_d(RS1, (int)rm, FFL));
L_FMV_D_X: FP_ON(); FSET_D(RS1);
L_FCVT_S_D: FP_RM(); FSET_S(fpu_d_to_s(FD1, (int)rm, FFL));
L_FCVT_D_S: FP_RM(); FSET_D(fpu_s_to_d(FS1, FFL));

out:
	h->s.pc = PC;
	goto reload;
out_npc:
	h->s.pc = npc;
	goto reload;
done:
	__atomic_store_n(&h->seen_gen, HART_QUIESCENT, __ATOMIC_RELEASE);
	h->budget = budget;
	executed = h->slice - budget;
	if (!(h->s.mcountinhibit & MCOUNTINHIBIT_IR))
		h->s.minstret += (uint64_t)executed;
	if (!(h->s.mcountinhibit & MCOUNTINHIBIT_CY))
		h->s.mcycle += (uint64_t)executed;
	h->slice = 0;
	h->budget = 0;
	return executed;
}
