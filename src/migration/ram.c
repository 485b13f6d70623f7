/*
 * ram.c - RAM pages over the migration stream (format and invariants in
 * ram.h): batching into runs, zero-page detection, the bandwidth cap, and
 * the destination's checked writes.
 */
#include "migration/ram.h"
#include "migration/resident.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 4096u
#define CHUNK_PAGES 4096u /* residency scan granule of the first round */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t acc = 0;

	if (w[0] | w[1] | w[511])
		return false;
	for (unsigned i = 0; i < PAGE / 8; i += 8)
		acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] |
		       w[i + 6] | w[i + 7];
	return acc == 0;
}

int ram_sender_init(struct ram_sender *s, struct machine *m, struct mig_chan *ch)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->ch = ch;
	s->run_kind = -1;
	s->resident_chunk = ~0ull;
	s->bounce = aligned_alloc(PAGE, RAM_BATCH_PAGES * PAGE);
	s->resident = malloc(CHUNK_PAGES);
	if (!s->bounce || !s->resident) {
		ram_sender_destroy(s);
		return -1;
	}
	return 0;
}

void ram_sender_destroy(struct ram_sender *s)
{
	free(s->bounce);
	free(s->resident);
	s->bounce = NULL;
	s->resident = NULL;
}

/* Keep the average rate at or below max_bw, sleeping in short steps. */
static int pace(struct ram_sender *s)
{
	uint64_t sent, due_ns, t;

	if (!s->max_bw)
		return 0;
	t = now_ns();
	if (!s->bw_start_ns || t - s->bw_start_ns > 1000000000ull) {
		/* a fresh one-second window: no credit carried from idle time */
		s->bw_start_ns = t;
		s->bw_start_bytes = s->ch->bytes_sent;
		return 0;
	}
	sent = s->ch->bytes_sent - s->bw_start_bytes;
	due_ns = (uint64_t)((double)sent * 1e9 / (double)s->max_bw);
	while (t - s->bw_start_ns < due_ns) {
		uint64_t left = due_ns - (t - s->bw_start_ns);
		struct timespec ts;

		if (s->ch->cancel && *s->ch->cancel)
			return -1;
		if (left > 50000000ull)
			left = 50000000ull;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
		t = now_ns();
	}
	return 0;
}

static void close_run(struct ram_sender *s)
{
	if (s->run_kind < 0)
		return;
	s->runs[s->nruns++] = s->run_start | (s->run_len - 1) << 40 |
			      (uint64_t)s->run_kind << 56;
	s->run_kind = -1;
}

static int flush(struct ram_sender *s)
{
	uint32_t prefix[2];
	struct iovec v[3 + RAM_BATCH_PAGES];
	int n;

	close_run(s);
	if (!s->nruns)
		return 0;
	prefix[0] = (uint32_t)s->nruns; /* little-endian hosts only (x86-64, arm64) */
	prefix[1] = 0;
	v[0].iov_base = prefix;
	v[0].iov_len = sizeof(prefix);
	v[1].iov_base = s->runs;
	v[1].iov_len = (size_t)s->nruns * 8;
	if (s->direct) {
		/* sealed: encrypted straight from guest RAM into the record */
		memcpy(v + 2, s->piov, (size_t)s->npiov * sizeof(*v));
		n = 2 + s->npiov;
	} else {
		v[2].iov_base = s->bounce;
		v[2].iov_len = (size_t)s->ndata * PAGE;
		n = s->ndata ? 3 : 2;
	}
	if (mig_send(s->ch, MIG_SEC_RAM, 1, v, n))
		return -1;
	s->nruns = 0;
	s->ndata = 0;
	s->npiov = 0;
	if (s->progress)
		s->progress(s->progress_opaque);
	return pace(s);
}

static int add_page(struct ram_sender *s, uint64_t p, int kind)
{
	if (s->run_kind == kind && p == s->run_start + s->run_len &&
	    s->run_len < RAM_RUN_MAX_PAGES) {
		s->run_len++;
	} else {
		close_run(s);
		if (s->nruns == RAM_MAX_RUNS && flush(s))
			return -1;
		s->run_kind = kind;
		s->run_start = p;
		s->run_len = 1;
	}
	if (kind == 1) {
		uint8_t *host = s->m->ram.host + (p << HART_PAGE_SHIFT);

		if (s->direct) { /* a page after the last one extends its iovec */
			struct iovec *last = s->npiov ? &s->piov[s->npiov - 1] : NULL;
			if (last && (uint8_t *)last->iov_base + last->iov_len == host) {
				last->iov_len += PAGE;
			} else {
				s->piov[s->npiov].iov_base = host;
				s->piov[s->npiov].iov_len = PAGE;
				s->npiov++;
			}
		} else {
			memcpy(s->bounce + (size_t)s->ndata * PAGE, host, PAGE);
		}
		s->ndata++;
		__atomic_store_n(&s->data_pages, s->data_pages + 1, __ATOMIC_RELAXED);
		if (s->ndata == RAM_BATCH_PAGES)
			return flush(s);
	} else {
		__atomic_store_n(&s->zero_pages, s->zero_pages + 1, __ATOMIC_RELAXED);
	}
	return 0;
}

/* May page p hold data? (first round: a page the host never gave a frame,
 * neither in RAM nor in swap, is zero without reading it, which would also
 * map it; the rule is in resident.h) */
static bool resident(struct ram_sender *s, uint64_t p)
{
	uint64_t chunk = p / CHUNK_PAGES;

	if (chunk != s->resident_chunk) {
		uint64_t first = chunk * CHUNK_PAGES, n = s->m->ram_pages - first;
		if (n > CHUNK_PAGES)
			n = CHUNK_PAGES;
		/* on failure the vector says "read them all" */
		ram_resident_scan(s->m->ram.host + (first << HART_PAGE_SHIFT), n, s->resident);
		s->resident_chunk = chunk;
	}
	return s->resident[p % CHUNK_PAGES];
}

int ram_send_bitmap(struct ram_sender *s, const uint64_t *bitmap, bool first)
{
	uint64_t words = (s->m->ram_pages + 63) / 64, left = 0;

	s->direct = s->ch->sealed;
	for (uint64_t w = 0; w < words; w++)
		left += (uint64_t)__builtin_popcountll(bitmap[w]);
	__atomic_store_n(&s->remaining, left, __ATOMIC_RELAXED);
	s->resident_chunk = ~0ull;
	for (uint64_t w = 0; w < words; w++) {
		uint64_t bits = bitmap[w];

		if (s->ch->cancel && *s->ch->cancel) {
			snprintf(s->ch->err, sizeof(s->ch->err), "cancelled");
			return -1;
		}
		if (s->ch->deadline_ns && (w & 1023) == 0 && now_ns() >= s->ch->deadline_ns) {
			snprintf(s->ch->err, sizeof(s->ch->err), "deadline reached");
			return -1;
		}
		while (bits) {
			uint64_t p = w * 64 + (uint64_t)__builtin_ctzll(bits);
			const uint8_t *host = s->m->ram.host + (p << HART_PAGE_SHIFT);
			int kind;

			bits &= bits - 1;
			if (p >= s->m->ram_pages)
				break;
			kind = (first && !resident(s, p)) || page_is_zero(host) ? 0 : 1;
			if (add_page(s, p, kind))
				return -1;
			__atomic_store_n(&s->remaining, --left, __ATOMIC_RELAXED);
		}
	}
	return flush(s);
}

int ram_receiver_init(struct ram_receiver *r, struct machine *m)
{
	uint64_t words = (m->ram_pages + 63) / 64, chunk = 1ull << 18;
	uint8_t *vec;

	memset(r, 0, sizeof(*r));
	r->m = m;
	r->touched = calloc(words, sizeof(uint64_t));
	vec = malloc(chunk);
	if (!r->touched || !vec) {
		free(vec);
		ram_receiver_destroy(r);
		return -1;
	}
	/* what this side loaded itself (firmware, kernel) has a frame, in RAM
	 * or in swap (on failure the scan says every page may hold data) */
	for (uint64_t first = 0; first < m->ram_pages; first += chunk) {
		uint64_t n = m->ram_pages - first < chunk ? m->ram_pages - first : chunk;

		ram_resident_scan(m->ram.host + (first << HART_PAGE_SHIFT), n, vec);
		for (uint64_t i = 0; i < n; i++)
			if (vec[i])
				r->touched[(first + i) / 64] |= 1ull << ((first + i) % 64);
	}
	free(vec);
	return 0;
}

void ram_receiver_destroy(struct ram_receiver *r)
{
	free(r->touched);
	r->touched = NULL;
}

static int bad(struct mig_chan *ch, const struct mig_hdr *h, uint64_t consumed,
	       const char *msg, uint64_t a, uint64_t b)
{
	char why[200];

	snprintf(why, sizeof(why), "stream corrupt: RAM section: %s (%llu, %llu)",
		 msg, (unsigned long long)a, (unsigned long long)b);
	return mig_recv_reject(ch, h, consumed, why);
}

int ram_recv_section(struct ram_receiver *r, struct mig_chan *ch,
		     const struct mig_hdr *h)
{
	struct machine *m = r->m;
	uint32_t prefix[2];
	uint64_t next = 0, ndata = 0;
	struct iovec iov[64];
	int niov = 0;

	if (h->version != 1)
		return bad(ch, h, 0, "unknown version", h->version, 1);
	if (h->length < 8)
		return bad(ch, h, 0, "too short", h->length, 8);
	if (mig_recv_part(ch, prefix, sizeof(prefix)))
		return -1;
	if (prefix[0] == 0 || prefix[0] > RAM_MAX_RUNS || prefix[1] != 0)
		return bad(ch, h, 8, "bad run count or flags", prefix[0], prefix[1]);
	if (h->length < 8 + 8ull * prefix[0])
		return bad(ch, h, 8, "shorter than its run table", h->length, prefix[0]);
	if (mig_recv_part(ch, r->runs, 8ull * prefix[0]))
		return -1;
	for (uint32_t i = 0; i < prefix[0]; i++) {
		uint64_t d = r->runs[i], start = d & ((1ull << 40) - 1);
		uint64_t len = ((d >> 40) & 0xffff) + 1, kind = d >> 56;

		if (kind > 1)
			return bad(ch, h, 8 + 8ull * prefix[0], "unknown run kind", i, kind);
		if (start < next || start + len > m->ram_pages)
			return bad(ch, h, 8 + 8ull * prefix[0], "run out of order or outside RAM", start, len);
		next = start + len;
		if (kind == 1)
			ndata += len;
	}
	if (ndata > RAM_BATCH_PAGES || h->length != 8 + 8ull * prefix[0] + ndata * PAGE)
		return bad(ch, h, 8 + 8ull * prefix[0], "length does not match its runs", h->length, ndata);
	for (uint32_t i = 0; i < prefix[0]; i++) {
		uint64_t d = r->runs[i], start = d & ((1ull << 40) - 1);
		uint64_t len = ((d >> 40) & 0xffff) + 1;
		uint8_t *host = m->ram.host + (start << HART_PAGE_SHIFT);

		if (d >> 56) {
			iov[niov].iov_base = host;
			iov[niov].iov_len = len * PAGE;
			if (++niov == 64) {
				if (mig_recv_iov(ch, iov, niov))
					return -1;
				niov = 0;
			}
			for (uint64_t p = start; p < start + len; p++)
				r->touched[p / 64] |= 1ull << (p % 64);
		} else {
			for (uint64_t p = start; p < start + len; p++)
				if ((r->touched[p / 64] >> (p % 64)) & 1) {
					uint8_t *pg = m->ram.host + (p << HART_PAGE_SHIFT);
					if (!page_is_zero(pg))
						memset(pg, 0, PAGE);
				}
		}
		r->pages += len;
	}
	if (niov && mig_recv_iov(ch, iov, niov))
		return -1;
	return mig_recv_done(ch, h);
}
