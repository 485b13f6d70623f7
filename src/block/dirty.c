/*
 * dirty.c - dirty block bitmaps (see dirty.h). Atomic word operations so
 * that I/O workers mark while a consumer scans and clears.
 */
#include "block/dirty.h"

#include <stdlib.h>

struct blk_dirty *blk_dirty_new(uint64_t size, uint64_t gran)
{
	struct blk_dirty *d;

	if (gran < 512 || (gran & (gran - 1)))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->size = size;
	d->gran = gran;
	d->nbits = (size + gran - 1) / gran;
	d->nwords = (d->nbits + 63) / 64;
	d->bits = calloc(d->nwords ? d->nwords : 1, sizeof(uint64_t));
	if (!d->bits) {
		free(d);
		return NULL;
	}
	return d;
}

void blk_dirty_free(struct blk_dirty *d)
{
	if (!d)
		return;
	free(d->bits);
	free(d);
}

void blk_dirty_mark(struct blk_dirty *d, uint64_t off, uint64_t len)
{
	uint64_t first, last;

	if (!len || off >= d->size)
		return;
	if (len > d->size - off)
		len = d->size - off;
	first = off / d->gran;
	last = (off + len - 1) / d->gran;
	for (uint64_t i = first; i <= last; i++)
		__atomic_fetch_or(&d->bits[i / 64], 1ull << (i % 64), __ATOMIC_SEQ_CST);
}

void blk_dirty_set_all(struct blk_dirty *d)
{
	blk_dirty_mark(d, 0, d->size);
}

uint64_t blk_dirty_next(const struct blk_dirty *d, uint64_t from)
{
	for (uint64_t w = from / 64; w < d->nwords; w++) {
		uint64_t v = __atomic_load_n(&d->bits[w], __ATOMIC_SEQ_CST);

		if (w == from / 64)
			v &= ~0ull << (from % 64);
		if (v)
			return w * 64 + (uint64_t)__builtin_ctzll(v);
	}
	return d->nbits;
}

bool blk_dirty_take(struct blk_dirty *d, uint64_t i)
{
	uint64_t bit = 1ull << (i % 64);

	return __atomic_fetch_and(&d->bits[i / 64], ~bit, __ATOMIC_SEQ_CST) & bit;
}

uint64_t blk_dirty_count(const struct blk_dirty *d)
{
	uint64_t n = 0;

	for (uint64_t w = 0; w < d->nwords; w++)
		n += (uint64_t)__builtin_popcountll(__atomic_load_n(&d->bits[w], __ATOMIC_RELAXED));
	return n;
}

uint64_t blk_dirty_bytes(const struct blk_dirty *d)
{
	uint64_t n = blk_dirty_count(d) * d->gran;
	uint64_t last = d->nbits - 1;

	if (d->nbits && (__atomic_load_n(&d->bits[last / 64], __ATOMIC_RELAXED) >> (last % 64)) & 1)
		n -= d->nbits * d->gran - d->size;
	return n;
}
