/*
 * trap.c - exceptions, interrupts, delegation and xRET.
 *
 * Invariants: a trap always lands in M or S mode with the previous privilege
 * and interrupt-enable saved in mstatus (MPP/MPIE or SPP/SPIE); interrupts
 * headed for M are taken before those headed for S, each in the priority
 * order MEI, MSI, MTI, SEI, SSI, STI. A trap into M-mode saves
 * tcontrol.MTE in MPTE and clears it, mret restores it (Sdtrig), flushing
 * the TLBs when that changes whether M-mode triggers can fire.
 */
#include "cpu/hart.h"

static void set_priv(struct hart *h, uint32_t priv)
{
	if (h->s.priv != priv) {
		h->s.priv = priv;
		hart_tlb_flush(h);
	}
}

void hart_raise(struct hart *h, uint64_t cause, uint64_t tval)
{
	bool irq = (cause & CAUSE_INTERRUPT) != 0;
	uint64_t code = cause & ~CAUSE_INTERRUPT;
	uint64_t deleg = irq ? h->s.mideleg : h->s.medeleg;
	uint64_t st = h->s.mstatus;

	h->s.wfi = 0;
	if (h->s.priv <= PRV_S && code < 64 && ((deleg >> code) & 1)) {
		h->s.scause = cause;
		h->s.sepc = h->s.pc;
		h->s.stval = tval;
		st &= ~(MSTATUS_SPIE | MSTATUS_SPP);
		if (st & MSTATUS_SIE)
			st |= MSTATUS_SPIE;
		if (h->s.priv == PRV_S)
			st |= MSTATUS_SPP;
		st &= ~MSTATUS_SIE;
		h->s.mstatus = st;
		h->s.pc = h->s.stvec & ~3ull;
		if (irq && (h->s.stvec & 1))
			h->s.pc += 4 * code;
		set_priv(h, PRV_S);
	} else {
		h->s.mcause = cause;
		h->s.mepc = h->s.pc;
		h->s.mtval = tval;
		st &= ~(MSTATUS_MPIE | MSTATUS_MPP);
		if (st & MSTATUS_MIE)
			st |= MSTATUS_MPIE;
		st |= (uint64_t)h->s.priv << MSTATUS_MPP_SHIFT;
		st &= ~MSTATUS_MIE;
		h->s.mstatus = st;
		h->s.pc = h->s.mtvec & ~3ull;
		if (irq && (h->s.mtvec & 1))
			h->s.pc += 4 * code;
		/* with MPRV set, the new MPP changes how M-mode loads translate */
		if (st & MSTATUS_MPRV)
			hart_tlb_flush(h);
		if (h->s.tcontrol & TCONTROL_MTE) {
			h->s.tcontrol = TCONTROL_MPTE;
			hart_tlb_flush(h);
		} else {
			h->s.tcontrol = 0;
		}
		set_priv(h, PRV_M);
	}
}

/* Pending, enabled interrupts that may be taken now: those headed for M
 * (not delegated) in *m, those headed for S in *s. */
static void takeable(const struct hart *h, uint64_t *m, uint64_t *s)
{
	uint64_t pend = hart_mip(h) & h->s.mie;

	*m = *s = 0;
	if (!pend)
		return;
	if (h->s.priv < PRV_M || (h->s.mstatus & MSTATUS_MIE))
		*m = pend & ~h->s.mideleg;
	if (h->s.priv < PRV_S ||
	    (h->s.priv == PRV_S && (h->s.mstatus & MSTATUS_SIE)))
		*s = pend & h->s.mideleg;
}

bool hart_interrupt_pending(const struct hart *h)
{
	return (hart_mip(h) & h->s.mie) != 0;
}

/* Take the highest-priority takeable interrupt, if any: interrupts headed
 * for M before those headed for S, each set in the order MEI, MSI, MTI, SEI,
 * SSI, STI. */
bool hart_check_interrupts(struct hart *h)
{
	static const uint8_t order[] = { 11, 3, 7, 9, 1, 5 };
	uint64_t sets[2];

	takeable(h, &sets[0], &sets[1]);
	for (int k = 0; k < 2; k++) {
		for (unsigned i = 0; i < sizeof(order); i++) {
			if (sets[k] & (1ull << order[i])) {
				hart_raise(h, CAUSE_INTERRUPT | order[i], 0);
				return true;
			}
		}
	}
	return false;
}

int hart_mret(struct hart *h)
{
	uint64_t st = h->s.mstatus;
	uint32_t mpp = (uint32_t)((st & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);

	if (h->s.priv != PRV_M)
		return -1;
	st &= ~MSTATUS_MIE;
	if (st & MSTATUS_MPIE)
		st |= MSTATUS_MIE;
	st |= MSTATUS_MPIE;
	st &= ~MSTATUS_MPP; /* MPP = U, the least-privileged mode */
	if (mpp != PRV_M)
		st &= ~MSTATUS_MPRV;
	h->s.mstatus = st;
	h->s.pc = h->s.mepc;
	if (h->s.tcontrol & TCONTROL_MPTE)
		h->s.tcontrol |= TCONTROL_MTE;
	else
		h->s.tcontrol &= ~TCONTROL_MTE;
	set_priv(h, mpp);
	hart_tlb_flush(h); /* MPRV or tcontrol.MTE may have changed */
	return 0;
}

int hart_sret(struct hart *h)
{
	uint64_t st = h->s.mstatus;
	uint32_t spp = (st & MSTATUS_SPP) ? PRV_S : PRV_U;

	if (h->s.priv < PRV_S ||
	    (h->s.priv == PRV_S && (st & MSTATUS_TSR)))
		return -1;
	st &= ~MSTATUS_SIE;
	if (st & MSTATUS_SPIE)
		st |= MSTATUS_SIE;
	st |= MSTATUS_SPIE;
	st &= ~MSTATUS_SPP;
	st &= ~MSTATUS_MPRV;
	h->s.mstatus = st;
	h->s.pc = h->s.sepc;
	set_priv(h, spp);
	hart_tlb_flush(h);
	return 0;
}
