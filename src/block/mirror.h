/*
 * mirror.h - storage migration of a running VM: a mirror job copies a
 * drive's image to a target image (another datastore) while the guest
 * keeps using the source, and pivots the drive to the target when asked
 * (QEMU's drive-mirror / block-job-complete, with QEMU's job semantics).
 *
 * How it copies (the design of Mashtizadeh et al., USENIX ATC 2011, QEMU's
 * copy-mode=write-blocking): one background pass over the allocated data
 * (holes are skipped and stay holes), re-copying what the guest dirties
 * meanwhile (a dirty bitmap at the job's granularity); once that pass is
 * done and what is left is small, the job switches to write-blocking: from
 * then on every guest write goes to source and target before the guest
 * hears of it, so the job converges whatever the guest writes. When the
 * last dirty block is copied the job flushes the target and is ready
 * (BLOCK_JOB_READY); while ready it flushes the target every second, so
 * that the pivot's own flush, while the guest's I/O is held, is short.
 *
 * Pivot (block-job-complete, when ready): the drive is quiesced (no guest
 * request in flight), the target flushed, and the drive switched to it; the
 * source image is never written by the job and stays the one in use until
 * the switch has succeeded. Cancel before ready abandons the target
 * (BLOCK_JOB_CANCELLED); after ready, cancel leaves the target as a
 * consistent copy and the drive on the source (BLOCK_JOB_COMPLETED), and
 * with force it is abandoned (BLOCK_JOB_CANCELLED). Any I/O error on either
 * side ends the job (BLOCK_JOB_ERROR, then BLOCK_JOB_COMPLETED with the
 * error): the drive stays on its source image, which the guest's writes
 * kept reaching, and the half-written target is never used.
 *
 * Invariants: one job per drive; a job's thread is the only one that
 * attaches, detaches or swaps anything on its drive, always under quiesce;
 * a guest write in write-blocking mode and a background copy of the same
 * range exclude each other (range locks), so the target never gets an
 * older copy after a newer one. Every call here is thread-safe.
 */
#ifndef GODWIT_BLOCK_MIRROR_H
#define GODWIT_BLOCK_MIRROR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/blockdev.h"

struct blk_mirror_opts {
	const char *job_id;   /* NULL: the drive's id */
	const char *target;   /* path of the target image */
	const char *format;   /* NULL: raw */
	bool existing;        /* mode=existing: the target exists, same size */
	bool write_blocking;  /* copy-mode=write-blocking from the start */
	uint64_t speed;       /* bytes per second, 0: unlimited */
	uint64_t granularity; /* 0: 64 KiB */
	uint64_t buf_size;    /* bytes per copy I/O, 0: 1 MiB */
};

/* Start a job on bd. 0, or -1 with a QMP-style message in err. */
int blk_mirror_start(struct blockdev *bd, const struct blk_mirror_opts *o,
		     char *err, size_t errlen);
int blk_mirror_complete(const char *id, char *err, size_t errlen);
int blk_mirror_cancel(const char *id, bool force, char *err, size_t errlen);
int blk_mirror_set_speed(const char *id, uint64_t speed, char *err, size_t errlen);
/* query-block-jobs: a new JSON array. */
json_t *blk_mirror_query(void);
/* Does a job run on bd? */
bool blk_mirror_busy(const struct blockdev *bd);
/* Run loop: join the threads of jobs that ended (their last event sent). */
void blk_mirror_reap(void);
/* VMM exit: cancel every job (force) and wait for its thread. */
void blk_mirror_shutdown(void);

#endif
