/*
 * hart.c - hart reset, TLB maintenance, interrupt-pending view, the
 * mcycle/minstret counters.
 *
 * Invariants: a TLB entry is either empty (tag ~0) or valid for the current
 * translation context; see hart.h. hw_ip is the one field other threads
 * write (atomically). A counter's value is its stored base
 * plus, unless mcountinhibit stops it, the instructions the running slice
 * has retired (h->slice - h->budget); the interpreter adds the slice to the
 * counting bases when it returns. One instruction is one cycle.
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

static void clear_r(struct hart *h)
{
	for (int i = 0; i < HART_TLB_SIZE; i++) {
		h->tlb_r[i].tag = ~0ull;
		h->tlb_r[i].ppn = ~0ull;
	}
	h->salt_r = 0;
}

static void clear_x(struct hart *h)
{
	for (int i = 0; i < HART_TLB_SIZE; i++) {
		h->tlb_x[i].tag = ~0ull;
		h->tlb_x[i].ppn = ~0ull;
	}
	h->salt_x = 0;
}

void hart_tlb_flush_code(struct hart *h)
{
	h->salt_x += HART_TLB_SALT_STEP;
	if (h->salt_x >= HART_TLB_SALT_LIMIT)
		clear_x(h);
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
	hart_tlb_flush_code(h);
	h->salt_r += HART_TLB_SALT_STEP;
	if (h->salt_r >= HART_TLB_SALT_LIMIT)
		clear_r(h);
}

/* Another thread drops entries of a hart that may be running: one atomic
 * store of the tag per entry (the owner's next lookup misses). */
void hart_tlb_drop_write_ppn(struct hart *h, uint64_t ppn)
{
	for (int i = 0; i < HART_TLB_SIZE; i++)
		if (__atomic_load_n(&h->tlb_w[i].ppn, __ATOMIC_RELAXED) == ppn)
			__atomic_store_n(&h->tlb_w[i].tag, ~0ull, __ATOMIC_RELAXED);
}

void hart_reset(struct hart *h, struct machine *m, uint64_t pc)
{
	memset(&h->s, 0, sizeof(h->s));
	h->m = m;
	__atomic_store_n(&h->hw_ip, 0, __ATOMIC_RELAXED);
	h->budget = 0;
	h->slice = 0;
	h->s.pc = pc;
	h->s.priv = PRV_M;
	h->s.mstatus = (2ull << 32) | (2ull << 34); /* UXL = SXL = 64-bit */
	clear_w(h);
	clear_r(h);
	clear_x(h);
	hart_trig_reset(h);
}

uint64_t hart_mip(const struct hart *h)
{
	return h->s.mip | __atomic_load_n(&h->hw_ip, __ATOMIC_RELAXED);
}

/* Devices on any thread drive these lines; a line that rises wakes the
 * hart if it sleeps in WFI. */
void hart_set_hw_irq(struct hart *h, uint64_t bit, bool level)
{
	uint64_t old;

	if (level) {
		old = __atomic_fetch_or(&h->hw_ip, bit, __ATOMIC_SEQ_CST);
		if (!(old & bit) && h->wait_inited)
			hart_kick(h);
	} else if (__atomic_load_n(&h->hw_ip, __ATOMIC_RELAXED) & bit) {
		__atomic_fetch_and(&h->hw_ip, ~bit, __ATOMIC_SEQ_CST);
	}
}

/* Instructions the running slice has retired so far (0 outside hart_run;
 * the interpreter keeps h->budget current before slow calls). */
static uint64_t slice_retired(const struct hart *h)
{
	return (uint64_t)(h->slice - h->budget);
}

/* ... and once the instruction now executing (a CSR write) retires */
static uint64_t slice_retired_after(const struct hart *h)
{
	return slice_retired(h) + (h->slice != 0);
}

static uint64_t *counter_base(struct hart *h, uint64_t inhibit_bit)
{
	return inhibit_bit == MCOUNTINHIBIT_CY ? &h->s.mcycle : &h->s.minstret;
}

/* mcycle (MCOUNTINHIBIT_CY) or minstret (MCOUNTINHIBIT_IR) as a CSR read
 * sees it: the reading instruction has not retired yet. */
uint64_t hart_counter(const struct hart *h, uint64_t inhibit_bit)
{
	uint64_t base = inhibit_bit == MCOUNTINHIBIT_CY ? h->s.mcycle : h->s.minstret;

	if (h->s.mcountinhibit & inhibit_bit)
		return base;
	return base + slice_retired(h);
}

uint64_t hart_instret(const struct hart *h)
{
	return hart_counter(h, MCOUNTINHIBIT_IR);
}

/* A CSR write of the counter takes effect after the writing instruction
 * has retired, so that instruction does not count: the next read returns
 * val (privileged spec, "Machine Counter/Timers"). */
void hart_counter_write(struct hart *h, uint64_t inhibit_bit, uint64_t val)
{
	if (!(h->s.mcountinhibit & inhibit_bit))
		val -= slice_retired_after(h);
	*counter_base(h, inhibit_bit) = val;
}

/* The writing instruction still counts under the old inhibit bits. */
void hart_set_mcountinhibit(struct hart *h, uint64_t val)
{
	static const uint64_t bits[2] = { MCOUNTINHIBIT_CY, MCOUNTINHIBIT_IR };
	uint64_t old = h->s.mcountinhibit;

	for (int i = 0; i < 2; i++) {
		uint64_t b = bits[i], *base = counter_base(h, b);

		if (!(old & b) && (val & b))
			*base += slice_retired_after(h); /* freeze */
		else if ((old & b) && !(val & b))
			*base -= slice_retired_after(h); /* resume */
	}
	h->s.mcountinhibit = val;
}
