/*
 * region.c - the test region: layout, the pattern fill, touches and the
 * background check. See struct region in migtest.h for the invariants.
 *
 * The pattern of page p is the xorshift64 sequence seeded from p, one value
 * per 64-bit word: cheap (a few ALU operations per store), different in
 * every page and word, and incompressible, so a migration has to move it.
 * The inner loops are unrolled by four: on an interpreter, loop overhead is
 * a large part of the cost.
 */
#include "migtest.h"

#define FAIL_LINES_MAX 8 /* FAIL lines printed per sweep; the rest are counted */

static uint64_t align_up(uint64_t v)
{
	return (v + MT_PAGE - 1) & ~(MT_PAGE - 1);
}

static uint64_t table_bytes(uint64_t pages)
{
	return align_up(pages * sizeof(uint64_t));
}

/*
 * Place the table at lo and `pages` pages right after it, all below hi
 * (lo and hi 4 KiB aligned). pages == 0: as many as fit. -1 if none or not
 * all the requested pages fit.
 */
int region_layout(struct region *r, uint64_t lo, uint64_t hi, uint64_t pages)
{
	uint64_t avail = hi > lo ? hi - lo : 0;

	if (!pages) {
		pages = avail / (MT_PAGE + sizeof(uint64_t));
		while (pages && table_bytes(pages) + pages * MT_PAGE > avail)
			pages--;
	}
	if (!pages || table_bytes(pages) + pages * MT_PAGE > avail)
		return -1;
	r->tab = (uint64_t *)(uintptr_t)lo;
	r->base = (uint64_t *)(uintptr_t)(lo + table_bytes(pages));
	r->pages = pages;
	r->touches = r->touch_next = r->verify_next = 0;
	r->passes = r->pass_bad = 0;
	for (uint64_t p = 0; p < pages; p++)
		r->tab[p] = 0;
	return 0;
}

static uint64_t pattern_seed(uint64_t p)
{
	return (p + 1) * 0x9e3779b97f4a7c15ull; /* odd multiplier: never 0 */
}

#define XS(x) ((x) ^= (x) << 13, (x) ^= (x) >> 7, (x) ^= (x) << 17)

void region_fill(struct region *r)
{
	if (!r->random)
		return;
	for (uint64_t p = 0; p < r->pages; p++) {
		uint64_t *w = r->base + p * MT_WORDS, *e = w + MT_WORDS;
		uint64_t x = pattern_seed(p);

		for (; w < e; w += 4) {
			w[0] = XS(x);
			w[1] = XS(x);
			w[2] = XS(x);
			w[3] = XS(x);
		}
	}
}

void region_touch(struct region *r, uint64_t n)
{
	uint64_t p = r->touch_next, c = r->touches;

	while (n--) {
		uint64_t *w = r->base + p * MT_WORDS;

		w[0] = p ^ MT_MAGIC;
		w[1] = ++c;
		r->tab[p] = c;
		if (++p == r->pages)
			p = 0;
	}
	r->touch_next = p;
	r->touches = c;
}

static void report(uint64_t p, uint64_t word, uint64_t got, uint64_t want)
{
	out_kv("verify FAIL page=", p);
	out_kv(" word=", word);
	out_kv(" got=", got);
	out_kv(" want=", want);
	out_str("\n");
}

/* First word of page p from `from` on that differs from the pattern, with
 * the value it should hold; -1 if none. */
static int64_t first_diff(const uint64_t *w, uint64_t p, unsigned from, uint64_t *want)
{
	uint64_t x = pattern_seed(p);

	for (unsigned i = 0; i < MT_WORDS; i++) {
		XS(x);
		if (i >= from && w[i] != x) {
			*want = x;
			return i;
		}
	}
	return -1;
}

/* Check page p; 0 if it is whole. Prints its first bad word if may_print. */
static int check_page(struct region *r, uint64_t p, int may_print)
{
	const uint64_t *w = r->base + p * MT_WORDS;
	uint64_t stamp = r->tab[p], diff, want, x = pattern_seed(p), x0, x1;
	int64_t bad;

	if (stamp && (w[0] != (p ^ MT_MAGIC) || w[1] != stamp)) {
		if (may_print) {
			if (w[0] != (p ^ MT_MAGIC))
				report(p, 0, w[0], p ^ MT_MAGIC);
			else
				report(p, 1, w[1], stamp);
		}
		return -1;
	}
	if (!r->random)
		return 0;
	x0 = XS(x);
	x1 = XS(x);
	diff = stamp ? 0 : (w[0] ^ x0) | (w[1] ^ x1);
	diff |= (w[2] ^ XS(x));
	diff |= (w[3] ^ XS(x));
	for (unsigned i = 4; i < MT_WORDS; i += 4) {
		diff |= w[i] ^ XS(x);
		diff |= w[i + 1] ^ XS(x);
		diff |= w[i + 2] ^ XS(x);
		diff |= w[i + 3] ^ XS(x);
	}
	if (!diff)
		return 0;
	bad = first_diff(w, p, stamp ? 2 : 0, &want);
	if (may_print && bad >= 0)
		report(p, (uint64_t)bad, w[bad], want);
	return bad >= 0 ? -1 : 0;
}

/*
 * The page touched last must still carry the current count. This catches,
 * at the first wake after it happens, the program's state and the region
 * falling out of step: one of them restored from an older copy, as a
 * migration that loses dirty pages does.
 */
void region_check_last(struct region *r)
{
	uint64_t p = (r->touch_next ? r->touch_next : r->pages) - 1;
	uint64_t got = r->base[p * MT_WORDS + 1];

	if (!r->touches || got == r->touches)
		return;
	if (r->pass_bad++ < FAIL_LINES_MAX)
		report(p, 1, got, r->touches);
}

void region_verify(struct region *r, uint64_t n)
{
	while (n--) {
		uint64_t p = r->verify_next;

		if (check_page(r, p, r->pass_bad < FAIL_LINES_MAX))
			r->pass_bad++;
		if (++r->verify_next < r->pages)
			continue;
		r->verify_next = 0;
		r->passes++;
		out_kv("verify pass ", r->passes);
		if (r->pass_bad)
			out_kv(" FAIL bad=", r->pass_bad);
		else
			out_str(" ok");
		out_kv(" pages=", r->pages);
		out_str("\n");
		r->pass_bad = 0;
	}
}
