/*
 * dirty.h - dirty block bitmaps: one per consumer (a mirror job, a
 * migration's disk sender), each at the granularity it picks (a power of
 * two, at least 512; 64 KiB by default).
 *
 * The drive (blockdev.c) marks every bitmap attached to it when a write,
 * a write-zeroes or a discard has landed in the image, before the guest
 * hears of it; so a consumer that clears a bit and then reads the block
 * reads data at least as new as the guest has been told of, and any later
 * write sets the bit again.
 *
 * Invariants: bits are changed with atomic operations only, so marking
 * (I/O workers), scanning and clearing (the consumer's thread) need no
 * lock; bits past the end of the disk are never set.
 */
#ifndef GODWIT_BLOCK_DIRTY_H
#define GODWIT_BLOCK_DIRTY_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_DIRTY_GRAN_DEFAULT (64u * 1024)

struct blk_dirty {
	uint64_t size;   /* bytes covered */
	uint64_t gran;   /* bytes per bit */
	uint64_t nbits, nwords;
	uint64_t *bits;
	struct blk_dirty *next; /* the drive's list */
};

/* NULL if out of memory or gran is not a power of two >= 512. */
struct blk_dirty *blk_dirty_new(uint64_t size, uint64_t gran);
void blk_dirty_free(struct blk_dirty *d);
/* Set the bits of every block that [off, off+len) touches. */
void blk_dirty_mark(struct blk_dirty *d, uint64_t off, uint64_t len);
void blk_dirty_set_all(struct blk_dirty *d);
/* The first set bit at or after bit `from`, or d->nbits if none. */
uint64_t blk_dirty_next(const struct blk_dirty *d, uint64_t from);
/* Clear bit i; true if it was set. */
bool blk_dirty_take(struct blk_dirty *d, uint64_t i);
uint64_t blk_dirty_count(const struct blk_dirty *d);
/* Bytes of dirty blocks (the last block may be short). */
uint64_t blk_dirty_bytes(const struct blk_dirty *d);

#endif
