/*
 * plic.c - SiFive PLIC, an M and an S context per hart (see plic.h), and
 * its migratable state (plic_vmstate, at the end).
 */
#include "devices/plic.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "cpu/hart.h"
#include "migration/vmstate.h"

static const uint64_t ctx_mip[2] = { MIP_MEIP, MIP_SEIP };

static int n_contexts(const struct plic *p)
{
	return 2 * p->n_harts;
}

/* Highest-priority source that is pending, enabled for ctx, not in service
 * and above the context's threshold; ties go to the lowest id. 0 if none. */
static int best_source(const struct plic *p, int ctx)
{
	uint32_t best_prio = p->s.threshold[ctx];
	int best = 0;

	for (int w = 0; w < PLIC_NUM_WORDS; w++) {
		uint32_t cand = p->s.pending[w] & p->s.enable[ctx][w] & ~p->s.claimed[w];

		while (cand) {
			int src = w * 32 + __builtin_ctz(cand);

			cand &= cand - 1;
			if (p->s.priority[src] > best_prio) {
				best_prio = p->s.priority[src];
				best = src;
			}
		}
	}
	return best;
}

void plic_update(struct plic *p)
{
	/* gateways: forward every asserted source that is not in service */
	for (int w = 0; w < PLIC_NUM_WORDS; w++)
		p->s.pending[w] |= p->s.level[w] & ~p->s.claimed[w];
	p->s.pending[0] &= ~1u; /* source 0 does not exist */
	for (int ctx = 0; p->harts && ctx < n_contexts(p); ctx++)
		hart_set_hw_irq(&p->harts[ctx / 2], ctx_mip[ctx % 2], best_source(p, ctx) != 0);
}

void plic_init(struct plic *p, struct hart *harts, int n_harts)
{
	memset(p, 0, sizeof(*p));
	p->harts = harts;
	p->n_harts = n_harts;
	plic_update(p);
}

void plic_set_irq(void *opaque, int irq, bool level)
{
	struct plic *p = opaque;
	uint32_t bit;
	int w;

	if (irq <= 0 || irq >= PLIC_NUM_SOURCES)
		return;
	w = irq / 32;
	bit = 1u << (irq % 32);
	if (level)
		p->s.level[w] |= bit;
	else
		p->s.level[w] &= ~bit;
	plic_update(p);
}

static uint32_t claim(struct plic *p, int ctx)
{
	int src = best_source(p, ctx);

	if (src) {
		p->s.pending[src / 32] &= ~(1u << (src % 32));
		p->s.claimed[src / 32] |= 1u << (src % 32);
	}
	plic_update(p);
	return (uint32_t)src;
}

static void complete(struct plic *p, int ctx, uint64_t val)
{
	uint32_t bit;
	int w;

	if (val == 0 || val >= PLIC_NUM_SOURCES)
		return;
	w = (int)val / 32;
	bit = 1u << (val % 32);
	if (!(p->s.enable[ctx][w] & bit))
		return; /* spec: silently ignored */
	p->s.claimed[w] &= ~bit;
	plic_update(p);
}

uint64_t plic_read(void *opaque, uint64_t off, int size)
{
	struct plic *p = opaque;

	if (size != 4 || (off & 3))
		return 0;
	if (off < PLIC_PRIORITY_BASE + 4 * PLIC_NUM_SOURCES)
		return p->s.priority[off / 4];
	if (off >= PLIC_PENDING_BASE && off < PLIC_PENDING_BASE + 4 * PLIC_NUM_WORDS)
		return p->s.pending[(off - PLIC_PENDING_BASE) / 4];
	if (off >= PLIC_ENABLE_BASE &&
	    off < PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (uint64_t)n_contexts(p)) {
		uint64_t ctx = (off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
		uint64_t w = (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;

		return w < PLIC_NUM_WORDS ? p->s.enable[ctx][w] : 0;
	}
	if (off >= PLIC_CONTEXT_BASE &&
	    off < PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (uint64_t)n_contexts(p)) {
		int ctx = (int)((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
		uint64_t reg = (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;

		if (reg == 0)
			return p->s.threshold[ctx];
		if (reg == 4)
			return claim(p, ctx);
	}
	return 0;
}

void plic_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct plic *p = opaque;
	uint32_t v = (uint32_t)val;

	if (size != 4 || (off & 3))
		return;
	if (off < PLIC_PRIORITY_BASE + 4 * PLIC_NUM_SOURCES) {
		if (off / 4 != 0)
			p->s.priority[off / 4] = v & PLIC_PRIO_MASK;
	} else if (off >= PLIC_ENABLE_BASE &&
		   off < PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (uint64_t)n_contexts(p)) {
		uint64_t ctx = (off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
		uint64_t w = (off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;

		if (w >= PLIC_NUM_WORDS)
			return;
		p->s.enable[ctx][w] = w == 0 ? v & ~1u : v;
	} else if (off >= PLIC_CONTEXT_BASE &&
		   off < PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (uint64_t)n_contexts(p)) {
		int ctx = (int)((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
		uint64_t reg = (off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;

		if (reg == 0) {
			if (v <= PLIC_PRIO_MASK) /* as QEMU: out-of-range ignored */
				p->s.threshold[ctx] = v;
		} else if (reg == 4) {
			complete(p, ctx, v);
			return;
		} else {
			return;
		}
	} else {
		return; /* pending bits are read-only; holes ignore writes */
	}
	plic_update(p);
}

bool plic_input(const struct plic *p, int irq)
{
	return irq > 0 && irq < PLIC_NUM_SOURCES &&
	       ((p->s.level[irq / 32] >> (irq % 32)) & 1);
}

/* ---- migration ------------------------------------------------------- */

static const struct vmstate_field plic_fields[] = {
	VMS_ARRAY(struct plic_state, priority, PLIC_PRIO_MASK),
	VMS_ARRAY(struct plic_state, pending, VMS_ANY),
	VMS_ARRAY(struct plic_state, claimed, VMS_ANY),
	VMS_ARRAY(struct plic_state, level, VMS_ANY),
	{ "enable", offsetof(struct plic_state, enable), 4,
	  PLIC_NUM_CONTEXTS * PLIC_NUM_WORDS, VMS_ANY },
	VMS_ARRAY(struct plic_state, threshold, PLIC_PRIO_MASK),
};

/* ctx: the wired sources (see plic.h). */
static int plic_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct plic_state *s = state;
	const struct plic_check_ctx *c = ctx;
	const uint32_t *wired = c->wired;
	const struct {
		const char *name;
		const uint32_t *bits;
	} sets[] = { { "pending", s->pending }, { "claimed", s->claimed }, { "level", s->level } };

	if (s->priority[0])
		return vmstate_fail(err, errlen, "priority[0] %" PRIu32 " set for the reserved source 0",
				    s->priority[0]);
	for (size_t k = 0; k < VMS_COUNT(sets); k++)
		for (int w = 0; w < PLIC_NUM_WORDS; w++)
			if (sets[k].bits[w] & ~wired[w])
				return vmstate_fail(err, errlen, "%s[%d] 0x%08" PRIx32 " has sources not wired on this machine (0x%08" PRIx32 ")",
						    sets[k].name, w, sets[k].bits[w], sets[k].bits[w] & ~wired[w]);
	for (int k = 0; k < PLIC_NUM_CONTEXTS; k++)
		if (s->enable[k][0] & 1)
			return vmstate_fail(err, errlen, "enable[%d][0] 0x%08" PRIx32 " enables the reserved source 0",
					    k, s->enable[k][0]);
	for (int k = 2 * c->n_harts; k < PLIC_NUM_CONTEXTS; k++)
		for (int w = 0; w < PLIC_NUM_WORDS; w++)
			if (s->enable[k][w] || s->threshold[k])
				return vmstate_fail(err, errlen, "context %d is set up, but this machine has %d harts",
						    k, c->n_harts);
	return 0;
}

static void plic_post_load(void *dev)
{
	plic_update(dev);
}

const struct vmstate_desc plic_vmstate = {
	.name = "plic",
	.version = 2, /* 2: an M and an S context for each of 8 harts */
	.state_size = sizeof(struct plic_state),
	.fields = plic_fields,
	.n_fields = VMS_COUNT(plic_fields),
	.check = plic_check,
	.dev_offset = offsetof(struct plic, s),
	.post_load = plic_post_load,
};
