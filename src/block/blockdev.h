/*
 * blockdev.h - a drive: the image a guest disk uses now, the I/O threads
 * that serve its requests, the dirty bitmaps of its consumers, the error
 * policy, and the hooks a mirror job uses to keep a second image in step.
 *
 * Requests: the device (virtio-blk, on the run-loop thread) fills a struct
 * blk_req and blockdev_submit()s it. One of BLK_WORKERS threads does the
 * I/O; the request then waits on a list until the run loop calls
 * blockdev_complete() (its eventfd, blockdev_fd(), is readable), which calls
 * r->done on the run-loop thread. So a slow disk stalls only the requests
 * that wait for it, never the guest CPU, the console or QMP, and several
 * requests are in flight at once.
 *
 * Errors: a failed request is completed with r->ret < 0 (policy "report",
 * or "enospc" for anything but ENOSPC), with 0 ("ignore"), or held
 * ("stop", "enospc" on ENOSPC): then r->done is not called; the run loop's
 * error hook (blockdev_set_error_hook) pauses the VM, and
 * blockdev_retry_held() submits the held requests again when it resumes.
 * Every failure is reported through the error hook (BLOCK_IO_ERROR).
 *
 * Drain: blockdev_quiesce() stops workers from starting requests and waits
 * until none is in flight; requests submitted meanwhile wait in the queue
 * (the guest has not been told anything about them). Between quiesce and
 * unquiesce the caller may swap the image (a mirror's pivot) or read a
 * consistent image.
 *
 * Invariants:
 *  - Every write, write-zeroes and discard marks every attached dirty
 *    bitmap after it has landed in the image and before it completes.
 *  - A write in flight holds the write hook it started with; hooks and
 *    bitmaps are attached and detached only under quiesce, or (bitmaps)
 *    under the drive's lock, which completions take too.
 *  - The image pointer changes only under quiesce.
 */
#ifndef GODWIT_BLOCK_BLOCKDEV_H
#define GODWIT_BLOCK_BLOCKDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "block/dirty.h"
#include "block/image.h"

#define BLK_WORKERS 4

enum blk_op { BLK_OP_READ, BLK_OP_WRITE, BLK_OP_FLUSH, BLK_OP_ZERO, BLK_OP_DISCARD };

enum blk_err_policy {
	BLK_ERR_REPORT, /* the guest sees the error */
	BLK_ERR_IGNORE, /* the guest sees success */
	BLK_ERR_ENOSPC, /* stop on ENOSPC, report anything else */
	BLK_ERR_STOP,   /* stop the VM; retry when it resumes */
};

enum blk_cache { BLK_CACHE_WRITEBACK, BLK_CACHE_NONE, BLK_CACHE_WRITETHROUGH,
		 BLK_CACHE_DIRECTSYNC, BLK_CACHE_UNSAFE };

struct blockdev;

struct blk_req {
	enum blk_op op;
	uint64_t off, len;       /* bytes; len from iov for READ/WRITE */
	struct iovec *iov;
	int niov;
	int ret;                 /* 0 or -errno, when done runs */
	void (*done)(struct blk_req *r); /* on the run-loop thread */
	void *opaque;
	/* the drive's */
	struct blk_req *next;
	const struct blk_write_hook *hook;
	void *hook_token;
};

/* A mirror in write-blocking mode: before() may wait (a copy of that range
 * in progress) and returns a token; after() gets the source write's result
 * and writes the same data to the target before the guest hears of it. */
struct blk_write_hook {
	void *(*before)(void *opaque, const struct blk_req *r);
	void (*after)(void *opaque, const struct blk_req *r, void *token);
	void *opaque;
};

struct blk_opts {
	const char *id, *file, *format;
	bool readonly;
	enum blk_cache cache;
	enum blk_err_policy werror, rerror;
};

/* What the error hook is told: r failed with r->ret and the policy chose. */
enum blk_err_action { BLK_ACT_REPORT, BLK_ACT_IGNORE, BLK_ACT_STOP };
typedef void (*blk_error_hook)(void *opaque, struct blockdev *bd, const struct blk_req *r,
			       enum blk_err_action act);

struct blockdev {
	char *id;
	struct blk_image *image;
	char *format;
	bool readonly;
	enum blk_cache cache;
	enum blk_err_policy werror, rerror;
	uint64_t size;

	pthread_mutex_t lock;
	pthread_cond_t work;     /* workers: queue non-empty, quiesce ended, stop */
	pthread_cond_t idle;     /* in_flight fell to 0 */
	struct blk_req *q_head, *q_tail;     /* submitted, not started */
	struct blk_req *done_head, *done_tail; /* finished, for the run loop */
	struct blk_req *held_head, *held_tail; /* failed, held (stop policy) */
	int in_flight, queued, quiesce;
	bool stopping;
	pthread_t workers[BLK_WORKERS];
	int nworkers;
	int efd;                 /* eventfd: done list non-empty */
	struct blk_dirty *dirty; /* attached bitmaps */
	const struct blk_write_hook *hook;
	blk_error_hook on_error;
	void *on_error_opaque;
	/* counters (under lock) */
	uint64_t rd_bytes, wr_bytes, rd_ops, wr_ops, flush_ops, failed_ops;
	uint64_t host_flushes, reopens;
};

/* Parse QEMU's cache= / werror= / rerror= values; -1 if unknown. */
int blk_parse_cache(const char *s, enum blk_cache *out);
int blk_parse_policy(const char *s, bool write, enum blk_err_policy *out);
const char *blk_cache_name(enum blk_cache c);

/* Open the drive's image and start its workers. 0, or -1 with err. */
int blockdev_open(struct blockdev *bd, const struct blk_opts *o, char *err, size_t errlen);
/* Stop the workers (waiting for requests in flight) and close the image. */
void blockdev_close(struct blockdev *bd);

int blockdev_fd(const struct blockdev *bd);
void blockdev_set_error_hook(struct blockdev *bd, blk_error_hook fn, void *opaque);
void blockdev_submit(struct blockdev *bd, struct blk_req *r);
/* Run loop: call done for every finished request, report errors. */
void blockdev_complete(struct blockdev *bd);
/* Submit the held requests again (the VM resumes); how many. */
int blockdev_retry_held(struct blockdev *bd);
int blockdev_held(struct blockdev *bd);
/* Wait until nothing is queued or in flight (the VM is paused, so nothing
 * new comes), then complete everything: the device's rings are final. */
void blockdev_drain(struct blockdev *bd);

void blockdev_quiesce(struct blockdev *bd);
void blockdev_unquiesce(struct blockdev *bd);
/* Under quiesce: use im from now on; returns the old image (the caller
 * closes it). */
struct blk_image *blockdev_swap_image(struct blockdev *bd, struct blk_image *im);

void blockdev_dirty_attach(struct blockdev *bd, struct blk_dirty *d);
void blockdev_dirty_detach(struct blockdev *bd, struct blk_dirty *d);
/* Under quiesce. NULL detaches. */
void blockdev_set_write_hook(struct blockdev *bd, const struct blk_write_hook *h);

/* Shared-storage migration (close-to-open): fdatasync the image / open it
 * again by path and swap it in if its size is unchanged. 0 or -1 + err. */
int blockdev_flush(struct blockdev *bd, char *err, size_t errlen);
int blockdev_reopen(struct blockdev *bd, char *err, size_t errlen);

#endif
