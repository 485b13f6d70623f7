/*
 * dirty.c - the memory workload of godwit.dirty=RATE_MB_S,SIZE_MB, run in a
 * child process so heartbeats and network service stay on time.
 *
 * It maps SIZE MB (populated, so it is really allocated) and rewrites RATE
 * MB of it per second of wall time, page by page, cycling through the
 * region. Word w of page p at generation g (how often p was written) holds
 * the counter pattern (g << 32) | (p * 512 + w) mod 2^32, and the workload
 * keeps every page's generation, so any page can be checked exactly: a page
 * never written must be zero, a written one must hold its pattern. Every
 * page is checked just before it is rewritten (so what it held for the last
 * SIZE/RATE seconds, across any migration, is verified), and each second a
 * second cursor, half the region away, checks another window (at least 1
 * MB, and as much as was written; this alone runs when RATE is 0). Each
 * second it prints `dirty: N MB written, verify OK|FAIL`. FAIL is sticky:
 * once any page was wrong, memory was corrupted (for example by a broken
 * migration) and it stays reported.
 *
 * Writes are paced per 100 ms tick; a backlog (the VM was paused) is capped
 * at one second of work instead of being caught up in a burst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "init.h"

#define PAGE_SIZE 4096u
#define PAGE_WORDS (PAGE_SIZE / sizeof(uint64_t))
#define PAGES_PER_MB (1024u * 1024u / PAGE_SIZE)
#define TICK_NS (100 * GW_NS_PER_MS)

struct dirty {
	uint64_t *mem;
	uint32_t *gen;      /* generation of each page; 0 = never written */
	size_t npages;
	size_t next_write;  /* next page to rewrite */
	size_t next_verify; /* next page the once-a-second window checks */
	uint64_t rate_pages; /* pages per second */
	uint64_t credit;     /* pages * ns earned, not yet written */
	int reported_bad;
	struct gw_stats *st;
};

static uint64_t word_value(size_t page, size_t w, uint32_t gen)
{
	if (gen == 0)
		return 0;
	return (uint64_t)gen << 32 | (uint32_t)(page * PAGE_WORDS + w);
}

static void page_write(struct dirty *d, size_t page)
{
	uint64_t *p = d->mem + page * PAGE_WORDS;
	uint32_t gen = d->gen[page] + 1;
	size_t w;

	if (gen == 0)
		gen = 1; /* after 2^32 rewrites; 0 means never written */
	for (w = 0; w < PAGE_WORDS; w++)
		p[w] = word_value(page, w, gen);
	d->gen[page] = gen;
}

static int page_verify(struct dirty *d, size_t page)
{
	const uint64_t *p = d->mem + page * PAGE_WORDS;
	uint32_t gen = d->gen[page];
	size_t w;

	for (w = 0; w < PAGE_WORDS; w++) {
		if (p[w] == word_value(page, w, gen))
			continue;
		if (!d->reported_bad) {
			gw_say("dirty: page %zu word %zu is %#llx, expected %#llx (generation %u)", page, w,
			       (unsigned long long)p[w], (unsigned long long)word_value(page, w, gen), gen);
			d->reported_bad = 1;
		}
		return -1;
	}
	return 0;
}

/* Verifies and rewrites the pages earned since the last tick (dt_ns ago). */
static void dirty_tick(struct dirty *d, int64_t dt_ns)
{
	uint64_t n, bad = 0;

	if (dt_ns > GW_NS_PER_S)
		dt_ns = GW_NS_PER_S;
	d->credit += d->rate_pages * (uint64_t)dt_ns;
	if (d->credit > d->rate_pages * (uint64_t)GW_NS_PER_S)
		d->credit = d->rate_pages * (uint64_t)GW_NS_PER_S;
	n = d->credit / (uint64_t)GW_NS_PER_S;
	d->credit -= n * (uint64_t)GW_NS_PER_S;
	gw_stat_add(&d->st->dirty_pages_written, n);
	while (n--) {
		if (page_verify(d, d->next_write) != 0)
			bad++;
		page_write(d, d->next_write);
		d->next_write = (d->next_write + 1) % d->npages;
	}
	if (bad)
		gw_stat_add(&d->st->dirty_bad_pages, bad);
}

static void dirty_verify_window(struct dirty *d)
{
	uint64_t n = d->rate_pages > PAGES_PER_MB ? d->rate_pages : PAGES_PER_MB;
	uint64_t bad = 0;

	if (n > d->npages)
		n = d->npages;
	while (n--) {
		if (page_verify(d, d->next_verify) != 0)
			bad++;
		d->next_verify = (d->next_verify + 1) % d->npages;
	}
	if (bad)
		gw_stat_add(&d->st->dirty_bad_pages, bad);
}

static void dirty_run(struct dirty *d)
{
	int64_t last = gw_clock_ns(CLOCK_MONOTONIC), next_report = last + GW_NS_PER_S, now;
	uint64_t mb;

	for (;;) {
		gw_sleep_ns(last + TICK_NS - gw_clock_ns(CLOCK_MONOTONIC));
		now = gw_clock_ns(CLOCK_MONOTONIC);
		dirty_tick(d, now - last);
		last = now;
		if (now < next_report)
			continue;
		dirty_verify_window(d);
		mb = gw_stat_get(&d->st->dirty_pages_written) / PAGES_PER_MB;
		gw_say("dirty: %llu MB written, verify %s", (unsigned long long)mb,
		       gw_stat_get(&d->st->dirty_bad_pages) ? "FAIL" : "OK");
		next_report += GW_NS_PER_S;
		if (next_report <= now)
			next_report = now + GW_NS_PER_S;
	}
}

/* Child side: allocate, run forever; returns only on setup failure. */
static int dirty_child(const struct gw_config *cfg, struct gw_stats *st)
{
	struct dirty d;
	size_t bytes = (size_t)cfg->dirty_size_mb << 20;

	memset(&d, 0, sizeof(d));
	d.st = st;
	d.npages = bytes / PAGE_SIZE;
	d.next_verify = d.npages / 2;
	d.rate_pages = (uint64_t)cfg->dirty_rate_mb * PAGES_PER_MB;
	d.gen = calloc(d.npages, sizeof(*d.gen));
	if (!d.gen)
		goto fail;
	d.mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (d.mem == MAP_FAILED)
		goto fail_gen;
	gw_say("dirty: %u MB allocated, dirtying %u MB/s, pid %d", cfg->dirty_size_mb, cfg->dirty_rate_mb,
	       (int)getpid());
	gw_stat_set(&st->dirty_running, 1);
	dirty_run(&d);
	munmap(d.mem, bytes);
fail_gen:
	free(d.gen);
fail:
	gw_say("dirty: cannot allocate %u MB: %s", cfg->dirty_size_mb, strerror(errno));
	return 1;
}

pid_t gw_dirty_start(const struct gw_config *cfg, struct gw_stats *stats)
{
	pid_t pid;

	if (!cfg->have_dirty)
		return -1;
	pid = fork();
	if (pid < 0) {
		gw_say("dirty: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(dirty_child(cfg, stats));
	return pid;
}
