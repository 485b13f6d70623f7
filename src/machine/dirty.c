/*
 * dirty.c - per-consumer dirty page bitmaps over guest RAM.
 *
 * Each consumer (migration, a benchmark, later storage or a snapshot) owns a
 * bitmap. Marking ORs atomically into every active bitmap. A sync swaps
 * each word out atomically and then flushes every hart's write TLB, so the
 * next CPU store to any page refills its entry and marks the page again:
 * a write either landed before the swap (its page is in the returned
 * bitmap) or after the flush (its page is in the next one). The caller
 * must copy page contents only after the sync returns.
 *
 * Start and sync run with every hart parked (a machine_call, or before the
 * harts run): no hart is between a TLB check and its store, so no store
 * slips between the swap and the flush. Marks from other threads (device
 * DMA, page walks) are atomic and may come at any time.
 */
#include "machine/machine.h"

#include <stdlib.h>
#include <string.h>

static size_t words(const struct machine *m)
{
	return (size_t)((m->ram_pages + 63) / 64);
}

int machine_dirty_start(struct machine *m)
{
	for (int i = 0; i < MACHINE_MAX_DIRTY; i++) {
		struct dirty_log *d = &m->dirty[i];
		if (d->active)
			continue;
		d->bits = calloc(words(m), sizeof(uint64_t));
		if (!d->bits)
			return -1;
		d->active = true;
		/* existing write entries would skip marking: drop them */
		for (int h = 0; h < m->n_harts; h++)
			hart_tlb_flush_write(&m->harts[h]);
		return i;
	}
	return -1;
}

void machine_dirty_stop(struct machine *m, int id)
{
	if (id < 0 || id >= MACHINE_MAX_DIRTY || !m->dirty[id].active)
		return;
	m->dirty[id].active = false;
	free(m->dirty[id].bits);
	m->dirty[id].bits = NULL;
}

void machine_dirty_mark(struct machine *m, uint64_t pa, uint64_t len)
{
	uint64_t first, last;

	if (len == 0 || pa < m->ram.base || pa - m->ram.base >= m->ram.size)
		return;
	first = (pa - m->ram.base) >> HART_PAGE_SHIFT;
	last = (pa - m->ram.base + len - 1) >> HART_PAGE_SHIFT;
	if (last >= m->ram_pages)
		last = m->ram_pages - 1;
	for (int i = 0; i < MACHINE_MAX_DIRTY; i++) {
		if (!m->dirty[i].active)
			continue;
		for (uint64_t p = first; p <= last; p++)
			__atomic_fetch_or(&m->dirty[i].bits[p / 64], 1ull << (p % 64),
					  __ATOMIC_RELAXED);
	}
}

/* Move consumer id's bitmap into out (words(m) words) and return the number
 * of dirty pages. */
uint64_t machine_dirty_sync(struct machine *m, int id, uint64_t *out)
{
	uint64_t n = 0;
	size_t w = words(m);

	if (id < 0 || id >= MACHINE_MAX_DIRTY || !m->dirty[id].active)
		return 0;
	for (size_t i = 0; i < w; i++) {
		out[i] = __atomic_exchange_n(&m->dirty[id].bits[i], 0, __ATOMIC_ACQ_REL);
		n += (uint64_t)__builtin_popcountll(out[i]);
	}
	for (int h = 0; h < m->n_harts; h++)
		hart_tlb_flush_write(&m->harts[h]);
	m->dirty_syncs++;
	return n;
}
