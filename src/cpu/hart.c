/*
 * hart.c - hart reset, TLB maintenance, interrupt-pending view.
 *
 * Invariant: a TLB entry is either empty (tag ~0) or valid for the current
 * translation context; see hart.h.
 */
#include "cpu/hart.h"

#include <string.h>

static void clear_w(struct hart *h)
{
	for (int i = 0; i < HART_TLB_SIZE; i++) {
		h->tlb_w[i].tag = ~0ull;
		h->tlb_w[i].ppn = ~0ull;
	}
	h->salt_w = 0;
}

static void clear_rx(struct hart *h)
{
	for (int i = 0; i < HART_TLB_SIZE; i++) {
		h->tlb_r[i].tag = ~0ull;
		h->tlb_r[i].ppn = ~0ull;
		h->tlb_x[i].tag = ~0ull;
		h->tlb_x[i].ppn = ~0ull;
	}
	h->salt_r = 0;
}

void hart_tlb_flush_write(struct hart *h)
{
	h->salt_w += HART_TLB_SALT_STEP;
	if (h->salt_w >= HART_TLB_SALT_LIMIT)
		clear_w(h);
}

void hart_tlb_flush(struct hart *h)
{
	hart_tlb_flush_write(h);
	h->salt_r += HART_TLB_SALT_STEP;
	if (h->salt_r >= HART_TLB_SALT_LIMIT)
		clear_rx(h);
}

/* Drop every entry that maps guest physical page ppn (code invalidation,
 * or a page becoming code and losing its write entries). */
void hart_tlb_drop_ppn(struct hart *h, uint64_t ppn)
{
	for (int i = 0; i < HART_TLB_SIZE; i++) {
		if (h->tlb_w[i].ppn == ppn)
			h->tlb_w[i].tag = ~0ull;
		if (h->tlb_x[i].ppn == ppn)
			h->tlb_x[i].tag = ~0ull;
	}
}

void hart_reset(struct hart *h, struct machine *m, uint64_t pc)
{
	memset(&h->s, 0, sizeof(h->s));
	h->m = m;
	h->hw_ip = 0;
	h->budget = 0;
	h->slice = 0;
	h->s.pc = pc;
	h->s.priv = PRV_M;
	h->s.mstatus = (2ull << 32) | (2ull << 34); /* UXL = SXL = 64-bit */
	clear_w(h);
	clear_rx(h);
}

uint64_t hart_mip(const struct hart *h)
{
	return h->s.mip | h->hw_ip;
}

void hart_set_hw_irq(struct hart *h, uint64_t bit, bool level)
{
	if (level)
		h->hw_ip |= bit;
	else
		h->hw_ip &= ~bit;
}

/* Instructions retired, including the part of the running slice already
 * executed (the interpreter keeps h->budget current before slow calls). */
uint64_t hart_instret(const struct hart *h)
{
	return h->s.minstret + (uint64_t)(h->slice - h->budget);
}
