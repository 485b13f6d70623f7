/*
 * trigger.c - debug triggers (Sdtrig of the RISC-V debug specification
 * 1.0): HART_NUM_TRIG address-match triggers of type 2 (mcontrol) or 6
 * (mcontrol6) that raise a breakpoint exception before an instruction
 * executes or before a load or store, with tval = the instruction's or the
 * access's virtual address; tselect, tdata1-3, tinfo and tcontrol.
 *
 * What a trigger can hold (everything else in tdata1 is WARL zero):
 * load/store/execute, the U/S/M mode bits, match 0 (equal), 1 (NAPOT),
 * 2 (>=) or 3 (<) on the address, and hit (set when it fires). action is
 * always 0 (breakpoint exception: there is no debug mode), timing "before",
 * select "address", size "any", no chaining; tdata3 (textra) reads 0.
 * A load or store matches when any byte it accesses is in the trigger's
 * range; an instruction when its address is. A type other than 2 and 6
 * written to tdata1 (0 included) reads back as type 15: the trigger exists
 * but is disabled. M-mode triggers fire only while tcontrol.MTE is set; a
 * trap into M-mode moves MTE to MPTE and clears it, mret restores it
 * (trap.c), so a handler does not trigger again.
 *
 * Invariants: every stored tdata1 equals hart_trig_legal_tdata1() of
 * itself; h->trig_armed is the union of the kinds of the triggers that have
 * a mode bit set (hart_trig_update after each change).
 */
#include "cpu/csr.h"
#include "cpu/hart.h"

#define TYPE_SHIFT 60
#define TYPE_MCONTROL 2ull
#define TYPE_MCONTROL6 6ull
#define TYPE_DISABLED 15ull
#define T_KINDS 7ull          /* load, store, execute */
#define T_U (1ull << 3)
#define T_S (1ull << 4)
#define T_M (1ull << 6)
#define T_MATCH_SHIFT 7
#define T_MATCH (15ull << T_MATCH_SHIFT)
#define MCONTROL_HIT (1ull << 20)
#define MCONTROL_MASKMAX (63ull << 53) /* NAPOT ranges up to 2^63 bytes */
#define MCONTROL6_HIT0 (1ull << 22)
#define TINFO_VERSION_1 (1ull << 24)
#define TINFO ((1ull << TYPE_MCONTROL) | (1ull << TYPE_MCONTROL6) | \
	       (1ull << TYPE_DISABLED) | TINFO_VERSION_1)
#define PAGE_MASK (HART_PAGE_SIZE - 1)

enum { MATCH_EQ = 0, MATCH_NAPOT = 1, MATCH_GE = 2, MATCH_LT = 3 };

static uint64_t type_of(uint64_t tdata1)
{
	return tdata1 >> TYPE_SHIFT;
}

static uint64_t hit_bit(uint64_t tdata1)
{
	return type_of(tdata1) == TYPE_MCONTROL ? MCONTROL_HIT : MCONTROL6_HIT0;
}

uint64_t hart_trig_legal_tdata1(uint64_t val)
{
	uint64_t type = type_of(val), out, match;

	if (type != TYPE_MCONTROL && type != TYPE_MCONTROL6)
		return TYPE_DISABLED << TYPE_SHIFT;
	out = (type << TYPE_SHIFT) | (val & (T_KINDS | T_U | T_S | T_M));
	match = (val & T_MATCH) >> T_MATCH_SHIFT;
	if (match <= MATCH_LT)
		out |= match << T_MATCH_SHIFT;
	out |= val & hit_bit(val);
	if (type == TYPE_MCONTROL)
		out |= MCONTROL_MASKMAX;
	return out;
}

void hart_trig_update(struct hart *h)
{
	uint32_t armed = 0;

	for (int i = 0; i < HART_NUM_TRIG; i++) {
		uint64_t t = h->s.tdata1[i];

		if (type_of(t) != TYPE_DISABLED && (t & (T_U | T_S | T_M)))
			armed |= (uint32_t)(t & T_KINDS);
	}
	h->trig_armed = armed;
}

void hart_trig_reset(struct hart *h)
{
	h->s.tselect = 0;
	h->s.tcontrol = 0;
	for (int i = 0; i < HART_NUM_TRIG; i++) {
		h->s.tdata1[i] = hart_trig_legal_tdata1(TYPE_MCONTROL6 << TYPE_SHIFT);
		h->s.tdata2[i] = 0;
	}
	hart_trig_update(h);
}

int hart_trig_csr_read(const struct hart *h, uint32_t csr, uint64_t *val)
{
	uint64_t i = h->s.tselect;

	switch (csr) {
	case CSR_TSELECT: *val = i; return 0;
	case CSR_TDATA1: *val = h->s.tdata1[i]; return 0;
	case CSR_TDATA2: *val = h->s.tdata2[i]; return 0;
	case CSR_TDATA3: *val = 0; return 0;
	case CSR_TINFO: *val = TINFO; return 0;
	case CSR_TCONTROL: *val = h->s.tcontrol; return 0;
	default: return -1;
	}
}

int hart_trig_csr_write(struct hart *h, uint32_t csr, uint64_t val)
{
	uint64_t i = h->s.tselect;

	switch (csr) {
	case CSR_TSELECT:
		if (val < HART_NUM_TRIG) /* else WARL: keep the old value */
			h->s.tselect = val;
		return 0;
	case CSR_TDATA1: h->s.tdata1[i] = hart_trig_legal_tdata1(val); break;
	case CSR_TDATA2: h->s.tdata2[i] = val; break;
	case CSR_TDATA3: return 0;
	case CSR_TINFO: return 0; /* read-only */
	case CSR_TCONTROL: h->s.tcontrol = val & (TCONTROL_MTE | TCONTROL_MPTE); break;
	default: return -1;
	}
	/* what may fire changed: drop TLB entries that would bypass a check */
	hart_trig_update(h);
	hart_tlb_flush(h);
	return 0;
}

static bool enabled_here(const struct hart *h, uint64_t t)
{
	switch (h->s.priv) {
	case PRV_M: return (t & T_M) && (h->s.tcontrol & TCONTROL_MTE);
	case PRV_S: return (t & T_S) != 0;
	default: return (t & T_U) != 0;
	}
}

/* The addresses trigger i matches, [*lo, *hi]; false if none. */
static bool trig_range(const struct hart *h, int i, uint64_t *lo, uint64_t *hi)
{
	uint64_t t2 = h->s.tdata2[i];
	uint64_t match = (h->s.tdata1[i] & T_MATCH) >> T_MATCH_SHIFT;

	switch (match) {
	case MATCH_NAPOT: {
		/* trailing ones: t of them select a range of 2^(t+1) bytes */
		int t = __builtin_ctzll(~t2 | (1ull << 63));
		uint64_t mask = (2ull << t) - 1;

		*lo = t2 & ~mask;
		*hi = *lo | mask;
		return true;
	}
	case MATCH_GE:
		*lo = t2;
		*hi = ~0ull;
		return true;
	case MATCH_LT:
		*lo = 0;
		*hi = t2 - 1;
		return t2 != 0;
	default:
		*lo = *hi = t2;
		return true;
	}
}

/* Triggers of these kinds that may fire for [lo, hi] in the current mode,
 * as a bit mask of trigger numbers. */
static unsigned matching(const struct hart *h, uint64_t lo, uint64_t hi,
			 unsigned kinds)
{
	unsigned hits = 0;

	for (int i = 0; i < HART_NUM_TRIG; i++) {
		uint64_t t = h->s.tdata1[i], tlo, thi;

		if (!(t & kinds) || type_of(t) == TYPE_DISABLED ||
		    !enabled_here(h, t) || !trig_range(h, i, &tlo, &thi))
			continue;
		if (tlo <= hi && lo <= thi)
			hits |= 1u << i;
	}
	return hits;
}

static void fire(struct hart *h, unsigned hits, uint64_t tval)
{
	for (int i = 0; i < HART_NUM_TRIG; i++)
		if (hits & (1u << i))
			h->s.tdata1[i] |= hit_bit(h->s.tdata1[i]);
	hart_raise(h, CAUSE_BREAKPOINT, tval);
}

int hart_trig_fetch(struct hart *h, uint64_t pc)
{
	unsigned hits = matching(h, pc, pc, TRIG_EXEC);
	uint64_t page = pc & ~PAGE_MASK;

	if (hits) {
		fire(h, hits, pc);
		return -1;
	}
	return matching(h, page, page | PAGE_MASK, TRIG_EXEC) != 0;
}

int hart_trig_access(struct hart *h, uint64_t va, int size, unsigned kinds)
{
	unsigned hits;

	if (!(h->trig_armed & kinds))
		return 0;
	/* an access wrapping around the address space matches both ends */
	hits = va + (uint64_t)(size - 1) < va
		       ? matching(h, va, ~0ull, kinds) | matching(h, 0, va + (uint64_t)(size - 1), kinds)
		       : matching(h, va, va + (uint64_t)(size - 1), kinds);
	if (!hits)
		return 0;
	fire(h, hits, va);
	return -1;
}

bool hart_trig_page(const struct hart *h, uint64_t va, unsigned kinds)
{
	uint64_t page = va & ~PAGE_MASK;

	if (!(h->trig_armed & kinds))
		return false;
	return matching(h, page, page | PAGE_MASK, kinds) != 0;
}
