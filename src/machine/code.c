/*
 * code.c - the decoded-code cache shared by every hart: which guest pages
 * have a struct dpage, how one is made, dropped when the page is written,
 * and freed once no hart can still be running it.
 *
 * Invariants:
 *  - r->code[i] changes only under code_lock; harts read it without the
 *    lock (acquire). A page is decoded lazily, slot by slot, by any hart
 *    that runs it; make_slot() in exec.c publishes a slot's handler last,
 *    so another hart sees either the decode handler or a complete slot.
 *  - A page with decoded code has no write-TLB entry in any hart. With one
 *    hart, making a dpage (which only that hart does) empties its write
 *    entries for the page. With several, each hart has a byte per RAM page
 *    in wmask (hart h's bytes at h * ram_pages): a hart filling a write
 *    entry sets its byte and then looks at code[page]
 *    (machine_code_write_mapped); the maker publishes the dpage, runs a
 *    process-wide memory barrier (membarrier(2), private expedited: every
 *    running thread of the VMM executes a full barrier), then empties the
 *    write entries of every hart whose byte is set. The fast side needs no
 *    fence of its own (an asymmetric Dekker pair; a full fence where
 *    membarrier is missing), so either the maker sees the hart's byte and
 *    entry, or the hart sees the dpage and empties the entry itself. (A
 *    store already past its TLB check when the entry is emptied still
 *    lands unseen: that store races with the other hart's execution of the
 *    same bytes, and the guest cannot tell it from a store that landed
 *    just before the decode.)
 *  - A dropped dpage is retired, not freed: code_gen is bumped and the
 *    page queued with that generation. Every hart, at each reload, flushes
 *    its code TLB when code_gen moved and publishes the generation it has
 *    caught up with (seen_gen; HART_QUIESCENT while outside hart_run, and
 *    a hart entering hart_run re-reads code_gen after publishing). A
 *    retired page is freed when every hart's seen_gen has reached its
 *    generation: no hart holds a pointer into it any more.
 */
#include "machine/machine.h"
#include "cpu/dpage.h"

#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MACHINE_MAX_DPAGES 4096

int machine_code_init(struct machine *m)
{
	m->wmask = calloc(m->ram_pages, (size_t)m->n_harts);
	if (!m->wmask)
		return -1;
	m->membarrier_ok = m->n_harts > 1 &&
		syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
	if (pthread_mutex_init(&m->code_lock, NULL)) {
		free(m->wmask);
		m->wmask = NULL;
		return -1;
	}
	return 0;
}

void machine_code_destroy(struct machine *m)
{
	if (!m->wmask)
		return;
	for (size_t i = 0; i < m->n_retired; i++)
		free(m->retired[i].dp);
	free(m->retired);
	m->retired = NULL;
	m->n_retired = m->cap_retired = 0;
	free(m->wmask);
	m->wmask = NULL;
	pthread_mutex_destroy(&m->code_lock);
}

/* Free retired pages no hart can reach any more. code_lock held. */
static void reclaim(struct machine *m)
{
	uint64_t low = HART_QUIESCENT;
	size_t kept = 0;

	for (int i = 0; i < m->n_harts; i++) {
		uint64_t g = __atomic_load_n(&m->harts[i].seen_gen, __ATOMIC_SEQ_CST);
		if (g < low)
			low = g;
	}
	for (size_t i = 0; i < m->n_retired; i++) {
		if (m->retired[i].gen <= low)
			free(m->retired[i].dp);
		else
			m->retired[kept++] = m->retired[i];
	}
	m->n_retired = kept;
}

/* Queue dp for freeing once every hart has caught up with gen. Without
 * memory for the queue the page is leaked: never freed early. code_lock
 * held. */
static void retire(struct machine *m, struct dpage *dp, uint64_t gen)
{
	if (m->n_retired == m->cap_retired) {
		size_t cap = m->cap_retired ? 2 * m->cap_retired : 256;
		struct code_retired *n = realloc(m->retired, cap * sizeof(*n));

		if (!n)
			return;
		m->retired = n;
		m->cap_retired = cap;
	}
	m->retired[m->n_retired].dp = dp;
	m->retired[m->n_retired].gen = gen;
	m->n_retired++;
}

/* Retiring is: unpublish the pages, then bump code_gen to `gen` (the
 * value returned here, read before). A hart that reads the new code_gen
 * (acquire) therefore no longer finds the pages. code_lock held: only
 * here does code_gen change. */
static uint64_t gen_after(const struct machine *m)
{
	return m->code_gen + 1;
}

static void publish_gen(struct machine *m, uint64_t gen)
{
	__atomic_store_n(&m->code_gen, gen, __ATOMIC_SEQ_CST);
}

/* code_lock held */
static void flush_all_locked(struct machine *m)
{
	struct mem_range *ranges[2] = { &m->ram, &m->rom };
	uint64_t gen;

	/* n_dpages counts every page decoded since the last flush: none means
	 * there is nothing to retire (and the table need not be touched) */
	if (!m->n_dpages)
		return;
	gen = gen_after(m);
	for (int k = 0; k < 2; k++) {
		uint64_t pages = ranges[k]->size >> HART_PAGE_SHIFT;
		for (uint64_t i = 0; i < pages; i++) {
			struct dpage *dp = ranges[k]->code[i];

			if (!dp)
				continue;
			__atomic_store_n(&ranges[k]->code[i], NULL, __ATOMIC_RELEASE);
			m->n_dpages--;
			retire(m, dp, gen);
		}
	}
	publish_gen(m, gen);
	reclaim(m);
}

void machine_code_flush_all(struct machine *m)
{
	pthread_mutex_lock(&m->code_lock);
	flush_all_locked(m);
	pthread_mutex_unlock(&m->code_lock);
}

/* A new dpage for RAM page ppn is published: no hart may keep writing the
 * page through its TLB. code_lock held. */
static void unmap_writers(struct machine *m, uint64_t ram_idx, uint64_t ppn)
{
	if (m->n_harts == 1) {
		hart_tlb_drop_write_ppn(&m->harts[0], ppn);
		return;
	}
	if (!m->membarrier_ok ||
	    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (int i = 0; i < m->n_harts; i++) {
		uint8_t *b = &m->wmask[(uint64_t)i * m->ram_pages + ram_idx];

		if (!__atomic_load_n(b, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(b, 0, __ATOMIC_RELAXED);
		hart_tlb_drop_write_ppn(&m->harts[i], ppn);
	}
}

struct dpage *machine_code_page(struct machine *m, uint64_t pa)
{
	struct mem_range *r = machine_range(m, pa);
	struct dpage *dp;
	uint64_t idx;

	if (!r)
		return NULL;
	idx = (pa - r->base) >> HART_PAGE_SHIFT;
	dp = __atomic_load_n(&r->code[idx], __ATOMIC_ACQUIRE);
	if (dp)
		return dp;
	pthread_mutex_lock(&m->code_lock);
	dp = r->code[idx];
	if (dp)
		goto out;
	if (m->n_dpages >= MACHINE_MAX_DPAGES)
		flush_all_locked(m);
	dp = calloc(1, sizeof(struct dpage));
	if (!dp)
		goto out;
	exec_dpage_init(dp);
	__atomic_store_n(&r->code[idx], dp, __ATOMIC_SEQ_CST);
	m->n_dpages++;
	/* stores to this page must now take the slow path */
	if (r == &m->ram)
		unmap_writers(m, idx, pa >> HART_PAGE_SHIFT);
	reclaim(m);
out:
	pthread_mutex_unlock(&m->code_lock);
	return dp;
}

bool machine_code_write_mapped(struct machine *m, struct hart *h, uint64_t pa)
{
	uint64_t idx = (pa - m->ram.base) >> HART_PAGE_SHIFT;
	uint8_t *b;

	if (m->n_harts == 1 || pa - m->ram.base >= m->ram.size)
		return true; /* one hart: only it makes dpages (unmap_writers) */
	b = &m->wmask[(uint64_t)h->id * m->ram_pages + idx];
	if (!__atomic_load_n(b, __ATOMIC_RELAXED))
		__atomic_store_n(b, 1, __ATOMIC_RELAXED);
	/* the entry and the byte before the look at code[]: the maker's
	 * membarrier orders them for us; without it, a fence of our own */
	if (m->membarrier_ok)
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&m->ram.code[idx], __ATOMIC_RELAXED) == NULL;
}

bool machine_code_invalidate(struct machine *m, uint64_t pa)
{
	struct mem_range *r = machine_range(m, pa);
	struct dpage *dp;
	uint64_t idx;
	bool dropped = false;

	if (!r)
		return false;
	idx = (pa - r->base) >> HART_PAGE_SHIFT;
	if (!__atomic_load_n(&r->code[idx], __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&m->code_lock);
	dp = r->code[idx];
	if (dp) {
		uint64_t gen = gen_after(m);

		__atomic_store_n(&r->code[idx], NULL, __ATOMIC_RELEASE);
		m->n_dpages--;
		retire(m, dp, gen);
		publish_gen(m, gen);
		dropped = true;
		reclaim(m);
	}
	pthread_mutex_unlock(&m->code_lock);
	return dropped;
}
