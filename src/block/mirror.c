/*
 * mirror.c - the mirror job (see mirror.h): its thread, the write-blocking
 * hook, range locks, and the registry of jobs that QMP sees.
 *
 * Threads: the job's own thread copies and makes every decision (switch to
 * write-blocking, ready, pivot, cancel, fail); QMP calls (run loop) only set
 * requests under j->lock and wake it; I/O workers run the hook. Job state
 * and progress are under j->lock, the registry under reg_lock.
 */
#include "block/mirror.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "block/events.h"

#define MAX_RANGES (BLK_WORKERS + 2)
#define ACTIVE_BYTES (16ull << 20) /* switch to write-blocking below this */
#define ACTIVE_PASSES 3            /* ... or after this many passes */
#define DEFAULT_BUF (1u << 20)
#define FLUSH_EVERY_NS 1000000000ull /* ready: flush the target this often */
#define PIECE 4096u /* zero detection: a file system block */

enum mstate { M_RUNNING, M_READY, M_CONCLUDED };

struct range {
	uint64_t off, len;
	bool used;
};

struct blk_mirror {
	char id[128];
	struct blockdev *bd;
	struct blk_image *target;
	struct blk_dirty *dirty;
	bool attached, hooked;
	struct blk_write_hook hook;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* requests, target errors, range unlocks */
	struct range ranges[MAX_RANGES];
	enum mstate state;
	bool cancel, force, complete, finished;
	uint64_t speed, offset;
	int target_err;          /* -errno from a write-blocking target write */
	bool write_blocking_start;
	uint64_t buf_size;
	uint8_t *buf;
	char err[300];
	struct blk_mirror *next;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct blk_mirror *jobs;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- range locks ------------------------------------------------------ */

static bool overlaps(const struct range *r, uint64_t off, uint64_t len)
{
	return r->used && off < r->off + r->len && r->off < off + len;
}

/* Wait until [off, off+len) overlaps no held range, then hold it. */
static struct range *range_lock(struct blk_mirror *j, uint64_t off, uint64_t len)
{
	struct range *slot = NULL;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		bool busy = false;

		slot = NULL;
		for (int i = 0; i < MAX_RANGES; i++) {
			if (overlaps(&j->ranges[i], off, len))
				busy = true;
			else if (!j->ranges[i].used && !slot)
				slot = &j->ranges[i];
		}
		if (!busy && slot)
			break;
		pthread_cond_wait(&j->cond, &j->lock);
	}
	*slot = (struct range){ off, len, true };
	pthread_mutex_unlock(&j->lock);
	return slot;
}

static void range_unlock(struct blk_mirror *j, struct range *r)
{
	pthread_mutex_lock(&j->lock);
	r->used = false;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

/* ---- the write-blocking hook (I/O worker threads) ---------------------- */

static void *hook_before(void *opaque, const struct blk_req *r)
{
	struct blk_mirror *j = opaque;

	if (!r->len)
		return NULL;
	return range_lock(j, r->off, r->len);
}

static void hook_after(void *opaque, const struct blk_req *r, void *token)
{
	struct blk_mirror *j = opaque;
	int rc = 0;

	if (!token)
		return;
	if (r->ret == 0) { /* the source has it: so must the target */
		if (r->op == BLK_OP_WRITE) {
			ssize_t n = blk_image_writev(j->target, r->iov, r->niov, r->off);
			rc = n < 0 ? (int)n : 0;
		} else {
			rc = blk_image_zero(j->target, r->off, r->len);
		}
		if (!rc && (j->bd->cache == BLK_CACHE_WRITETHROUGH ||
			    j->bd->cache == BLK_CACHE_DIRECTSYNC))
			rc = blk_image_flush(j->target);
	}
	if (rc) {
		blk_dirty_mark(j->dirty, r->off, r->len);
		pthread_mutex_lock(&j->lock);
		if (!j->target_err)
			j->target_err = rc;
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
	}
	range_unlock(j, token);
}

/* ---- events ------------------------------------------------------------ */

static json_t *job_info(struct blk_mirror *j)
{
	uint64_t off, len;

	pthread_mutex_lock(&j->lock);
	off = j->offset;
	len = off + blk_dirty_bytes(j->dirty);
	pthread_mutex_unlock(&j->lock);
	return json_pack("{s:s, s:I, s:I, s:I, s:s}", "device", j->id, "len", (json_int_t)len,
			 "offset", (json_int_t)off, "speed", (json_int_t)j->speed, "type",
			 "mirror");
}

static void post(struct blk_mirror *j, const char *name, const char *error)
{
	json_t *d = job_info(j);

	if (d && error)
		json_object_set_new(d, "error", json_string(error));
	blk_event_post(name, d);
}

/*
 * The job's last event. The job is marked finished first: the run loop
 * reaps (blk_mirror_reap) right after it has sent the events it drained,
 * and a job that was still unfinished then would never be reaped (no
 * later event wakes the loop): its drive would stay busy for good. Reap
 * joins the thread, so j outlives this post.
 */
static void conclude(struct blk_mirror *j, const char *name, const char *error)
{
	pthread_mutex_lock(&j->lock);
	j->state = M_CONCLUDED;
	j->finished = true;
	pthread_mutex_unlock(&j->lock);
	post(j, name, error);
}

static void post_job_error(struct blk_mirror *j, bool write)
{
	blk_event_post("BLOCK_JOB_ERROR",
		       json_pack("{s:s, s:s, s:s}", "device", j->id, "operation",
				 write ? "write" : "read", "action", "report"));
}

/* ---- the job thread ------------------------------------------------------ */

static void go_write_blocking(struct blk_mirror *j)
{
	blockdev_quiesce(j->bd);
	blockdev_set_write_hook(j->bd, &j->hook);
	/* every write from now on reaches both images before it completes:
	 * the bitmap only has to be emptied, no longer kept */
	blockdev_dirty_detach(j->bd, j->dirty);
	j->attached = false;
	j->hooked = true;
	blockdev_unquiesce(j->bd);
}

static void unhook(struct blk_mirror *j)
{
	if (!j->hooked && !j->attached)
		return;
	blockdev_quiesce(j->bd);
	if (j->hooked)
		blockdev_set_write_hook(j->bd, NULL);
	if (j->attached)
		blockdev_dirty_detach(j->bd, j->dirty);
	j->hooked = j->attached = false;
	blockdev_unquiesce(j->bd);
}

/* Mark what the first pass must copy: data extents (holes stay holes in a
 * new target), or everything for an existing target. */
static int initial_bitmap(struct blk_mirror *j, bool existing)
{
	struct blk_image *src = j->bd->image;
	uint64_t off = 0;

	if (existing) {
		blk_dirty_set_all(j->dirty);
		return 0;
	}
	while (off < src->size) {
		uint64_t len = src->size - off;
		bool data;
		int rc = blk_image_extent(src, off, &len, &data);

		if (rc)
			return rc;
		if (!len)
			len = src->size - off;
		if (data)
			blk_dirty_mark(j->dirty, off, len);
		off += len;
	}
	return 0;
}

static void throttle(struct blk_mirror *j, uint64_t t0, uint64_t bytes)
{
	uint64_t speed;

	pthread_mutex_lock(&j->lock);
	speed = j->speed;
	pthread_mutex_unlock(&j->lock);
	if (speed) {
		uint64_t due = t0 + (uint64_t)((double)bytes * 1e9 / (double)speed);
		uint64_t now = now_ns();

		if (due > now) {
			uint64_t ns = due - now > 100000000ull ? 100000000ull : due - now;
			struct timespec ts = { 0, (long)ns };
			nanosleep(&ts, NULL);
		}
	}
}

/*
 * Write buf to [off, off+len) of the target keeping zeros as holes: runs of
 * all-zero 4 KiB pieces are punched (cheap where the file has a hole
 * already), runs of data written. So a sparse source gives a sparse target
 * at the file system's block size, whatever the job's granularity.
 */
static int put_sparse(struct blk_image *t, const uint8_t *buf, uint64_t len, uint64_t off)
{
	uint64_t at = 0;

	while (at < len) {
		uint64_t end = at;
		bool zero = blk_buf_is_zero(buf + at, len - at < PIECE ? len - at : PIECE);
		int rc;

		while (end < len) {
			uint64_t n = len - end < PIECE ? len - end : PIECE;

			if (blk_buf_is_zero(buf + end, n) != zero)
				break;
			end += n;
		}
		if (zero) {
			rc = blk_image_zero(t, off + at, end - at);
		} else {
			ssize_t w = blk_image_write(t, buf + at, end - at, off + at);
			rc = w < 0 ? (int)w : 0;
		}
		if (rc)
			return rc;
		at = end;
	}
	return 0;
}

/* Copy the dirty run that starts at bit i. 0, or -errno (*write says on
 * which side). */
static int copy_run(struct blk_mirror *j, uint64_t i, bool *write, uint64_t *copied)
{
	struct blk_dirty *d = j->dirty;
	uint64_t max_bits = j->buf_size / d->gran, n = 1, off, len;
	struct range *r;
	ssize_t got;
	int rc;

	if (!max_bits)
		max_bits = 1;
	while (n < max_bits && i + n < d->nbits && blk_dirty_next(d, i + n) == i + n)
		n++;
	off = i * d->gran;
	len = n * d->gran;
	if (len > d->size - off)
		len = d->size - off;
	r = range_lock(j, off, len);
	for (uint64_t k = 0; k < n; k++)
		blk_dirty_take(d, i + k);
	*write = false;
	got = blk_image_read(j->bd->image, j->buf, len, off);
	if (got < 0) {
		rc = (int)got;
		goto fail;
	}
	*write = true;
	rc = put_sparse(j->target, j->buf, len, off);
	if (rc)
		goto fail;
	blk_image_writeback(j->target, off, len); /* the disk works while we copy on */
	range_unlock(j, r);
	pthread_mutex_lock(&j->lock);
	j->offset += len;
	pthread_mutex_unlock(&j->lock);
	*copied += len;
	return 0;
fail:
	blk_dirty_mark(d, off, len); /* not copied */
	range_unlock(j, r);
	return rc;
}

/* Switch the drive to the target. 0, or -errno (the drive stays). */
static int pivot(struct blk_mirror *j)
{
	struct blk_image *old;
	int rc;

	uint64_t t0;

	rc = blk_image_flush(j->target); /* what is left, while the guest runs */
	if (rc)
		return rc;
	t0 = now_ns();
	blockdev_quiesce(j->bd);
	pthread_mutex_lock(&j->lock);
	rc = j->target_err;
	pthread_mutex_unlock(&j->lock);
	if (!rc && blk_dirty_next(j->dirty, 0) != j->dirty->nbits)
		rc = -EAGAIN; /* cannot happen when ready; never pivot short */
	if (!rc)
		rc = blk_image_flush(j->target);
	if (rc) {
		blockdev_unquiesce(j->bd);
		return rc;
	}
	blockdev_set_write_hook(j->bd, NULL);
	j->hooked = false;
	old = blockdev_swap_image(j->bd, j->target);
	j->target = NULL;
	blockdev_unquiesce(j->bd);
	fprintf(stderr, "godwit-vmm: %s: pivot to %s: guest I/O held for %.2f ms\n", j->id,
		j->bd->image->path, (double)(now_ns() - t0) / 1e6);
	blk_image_close(old);
	return 0;
}

static void fail(struct blk_mirror *j, int rc, bool write, const char *what)
{
	char path[200];

	snprintf(path, sizeof(path), "%s", j->target ? j->target->path : "?");
	post_job_error(j, write);
	unhook(j);
	snprintf(j->err, sizeof(j->err), "%s: %s; the drive stays on its source image and "
		 "the target %s is incomplete and not used", what, strerror(-rc), path);
	conclude(j, "BLOCK_JOB_COMPLETED", j->err);
}

static void *mirror_main(void *arg)
{
	struct blk_mirror *j = arg;
	unsigned passes = 0;
	uint64_t cursor = 0, t0 = now_ns(), copied = 0;
	bool first_pass_done = false;
	uint64_t t_flush = 0;
	int rc;

	if (j->write_blocking_start)
		go_write_blocking(j);
	for (;;) {
		bool cancel, force, complete, write;
		uint64_t i;

		pthread_mutex_lock(&j->lock);
		cancel = j->cancel;
		force = j->force;
		complete = j->complete;
		rc = j->target_err;
		pthread_mutex_unlock(&j->lock);
		if (rc) {
			fail(j, rc, true, "write to the target");
			break;
		}
		if (cancel) {
			if (j->state == M_READY && !force) {
				/* QEMU: after ready, cancel leaves a consistent copy */
				rc = blk_image_flush(j->target);
				unhook(j);
				conclude(j, "BLOCK_JOB_COMPLETED",
					 rc ? "flush of the target failed" : NULL);
			} else {
				unhook(j);
				conclude(j, "BLOCK_JOB_CANCELLED", NULL);
			}
			break;
		}
		if (complete && j->state == M_READY) {
			rc = pivot(j);
			if (rc) {
				fail(j, rc, true, "pivot");
				break;
			}
			conclude(j, "BLOCK_JOB_COMPLETED", NULL);
			break;
		}
		i = blk_dirty_next(j->dirty, cursor);
		if (i == j->dirty->nbits && cursor) { /* wrap: one pass over */
			cursor = 0;
			passes++;
			first_pass_done = true;
			continue;
		}
		if (i == j->dirty->nbits) { /* nothing dirty at all */
			first_pass_done = true;
			if (!j->hooked) {
				go_write_blocking(j);
				continue; /* bits set just before the switch */
			}
			if (j->state == M_RUNNING) {
				/* in sync: make the copy durable before saying so, so
				 * that the pivot's flush, inside the pause, is short */
				rc = blk_image_flush(j->target);
				if (rc) {
					fail(j, rc, true, "flush of the target");
					break;
				}
				t_flush = now_ns();
				pthread_mutex_lock(&j->lock);
				j->state = M_READY;
				pthread_mutex_unlock(&j->lock);
				post(j, "BLOCK_JOB_READY", NULL);
			} else if (now_ns() - t_flush > FLUSH_EVERY_NS) {
				/* ready: keep what the guest writes to both durable */
				rc = blk_image_flush(j->target);
				if (rc) {
					fail(j, rc, true, "flush of the target");
					break;
				}
				t_flush = now_ns();
			}
			pthread_mutex_lock(&j->lock);
			if (!j->cancel && !j->complete && !j->target_err) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				ts.tv_nsec += 100000000;
				if (ts.tv_nsec >= 1000000000) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000;
				}
				pthread_cond_timedwait(&j->cond, &j->lock, &ts);
			}
			pthread_mutex_unlock(&j->lock);
			continue;
		}
		if (!j->hooked && first_pass_done &&
		    (blk_dirty_bytes(j->dirty) <= ACTIVE_BYTES || passes >= ACTIVE_PASSES))
			go_write_blocking(j);
		rc = copy_run(j, i, &write, &copied);
		if (rc) {
			fail(j, rc, write, write ? "write to the target" : "read from the source");
			break;
		}
		cursor = i + 1;
		if (now_ns() - t0 > 1000000000ull) { /* the rate over the last second */
			t0 = now_ns();
			copied = 0;
		}
		throttle(j, t0, copied);
	}
	return NULL; /* every way out of the loop went through conclude() */
}

/* ---- the registry and QMP ------------------------------------------------ */

static void job_free(struct blk_mirror *j)
{
	if (j->attached)
		blockdev_dirty_detach(j->bd, j->dirty);
	blk_image_close(j->target);
	blk_dirty_free(j->dirty);
	free(j->buf);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
}

/* reg_lock held */
static struct blk_mirror *find(const char *id)
{
	for (struct blk_mirror *j = jobs; j; j = j->next)
		if (!strcmp(j->id, id) && !j->finished)
			return j;
	return NULL;
}

bool blk_mirror_busy(const struct blockdev *bd)
{
	bool busy = false;

	pthread_mutex_lock(&reg_lock);
	for (struct blk_mirror *j = jobs; j; j = j->next)
		if (j->bd == bd)
			busy = true;
	pthread_mutex_unlock(&reg_lock);
	return busy;
}

static int open_target(struct blk_mirror *j, const struct blk_mirror_opts *o,
		       char *err, size_t errlen)
{
	struct blockdev *bd = j->bd;
	struct stat ts, ss;
	char e[256];

	/* never the image the drive uses, by whatever name: creating it would
	 * truncate the guest's disk under it */
	if (!stat(o->target, &ts) && !fstat(bd->image->fd, &ss) && ts.st_dev == ss.st_dev &&
	    ts.st_ino == ss.st_ino) {
		snprintf(err, errlen, "'%s' is the drive's own image; the target must be "
			 "another file", o->target);
		return -1;
	}
	if (!o->existing &&
	    blk_image_create(o->target, o->format, bd->size, e, sizeof(e))) {
		snprintf(err, errlen, "Could not create '%s': %s", o->target, e);
		return -1;
	}
	if (blk_image_open(&j->target, o->target, o->format,
			   bd->image->flags & ~BLK_IMG_RDONLY, e, sizeof(e))) {
		snprintf(err, errlen, "Could not open '%s': %s", o->target, e);
		return -1;
	}
	if (j->target->size != bd->size) {
		snprintf(err, errlen, "Source and target image have different sizes "
			 "(%llu and %llu bytes)", (unsigned long long)bd->size,
			 (unsigned long long)j->target->size);
		return -1;
	}
	return 0;
}

int blk_mirror_start(struct blockdev *bd, const struct blk_mirror_opts *o,
		     char *err, size_t errlen)
{
	struct blk_mirror *j;
	uint64_t gran = o->granularity ? o->granularity : BLK_DIRTY_GRAN_DEFAULT;
	const char *id = o->job_id ? o->job_id : bd->id;
	int rc;

	if (gran < 512 || gran > (64u << 20) || (gran & (gran - 1))) {
		snprintf(err, errlen, "Parameter 'granularity' expects a power of 2 between "
			 "512 and 64M");
		return -1;
	}
	if (!id || !*id || strlen(id) >= sizeof(((struct blk_mirror *)0)->id)) {
		snprintf(err, errlen, "Invalid job ID");
		return -1;
	}
	if (bd->readonly) {
		snprintf(err, errlen, "Drive '%s' is read-only", bd->id);
		return -1;
	}
	pthread_mutex_lock(&reg_lock);
	for (struct blk_mirror *k = jobs; k; k = k->next) {
		if (k->bd == bd) {
			pthread_mutex_unlock(&reg_lock);
			snprintf(err, errlen, "Node '%s' is busy: block device is in use by "
				 "block job: mirror", bd->id);
			return -1;
		}
		if (!strcmp(k->id, id)) {
			pthread_mutex_unlock(&reg_lock);
			snprintf(err, errlen, "Job ID '%s' already in use", id);
			return -1;
		}
	}
	pthread_mutex_unlock(&reg_lock);
	j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->bd = bd;
	j->speed = o->speed;
	j->write_blocking_start = o->write_blocking;
	j->buf_size = o->buf_size ? o->buf_size : DEFAULT_BUF;
	if (j->buf_size < gran)
		j->buf_size = gran;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->hook = (struct blk_write_hook){ hook_before, hook_after, j };
	j->dirty = blk_dirty_new(bd->size, gran);
	if (!j->dirty || posix_memalign((void **)&j->buf, 4096, j->buf_size)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (open_target(j, o, err, errlen))
		goto fail;
	/* from here every guest write marks the bitmap: attach before the
	 * scan, so that nothing written during it is missed */
	blockdev_dirty_attach(bd, j->dirty);
	j->attached = true;
	rc = initial_bitmap(j, o->existing);
	if (rc) {
		snprintf(err, errlen, "Cannot read the allocation map of '%s': %s",
			 bd->image->path, strerror(-rc));
		goto fail;
	}
	pthread_mutex_lock(&reg_lock);
	j->next = jobs;
	jobs = j;
	if (pthread_create(&j->thread, NULL, mirror_main, j)) {
		jobs = j->next;
		pthread_mutex_unlock(&reg_lock);
		snprintf(err, errlen, "cannot start the job's thread");
		goto fail;
	}
	j->thread_started = true;
	pthread_mutex_unlock(&reg_lock);
	return 0;
fail:
	job_free(j);
	return -1;
}

static int request(const char *id, char *err, size_t errlen,
		   int (*fn)(struct blk_mirror *j, char *err, size_t errlen, void *arg),
		   void *arg)
{
	struct blk_mirror *j;
	int rc;

	pthread_mutex_lock(&reg_lock);
	j = find(id);
	if (!j) {
		pthread_mutex_unlock(&reg_lock);
		snprintf(err, errlen, "Block job '%s' not found", id);
		return -1;
	}
	pthread_mutex_lock(&j->lock);
	rc = fn(j, err, errlen, arg);
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

static int do_complete(struct blk_mirror *j, char *err, size_t errlen, void *arg)
{
	(void)arg;
	if (j->state != M_READY) {
		snprintf(err, errlen, "The active block job '%s' cannot be completed", j->id);
		return -1;
	}
	j->complete = true;
	return 0;
}

static int do_cancel(struct blk_mirror *j, char *err, size_t errlen, void *arg)
{
	(void)err;
	(void)errlen;
	j->cancel = true;
	if (*(bool *)arg)
		j->force = true;
	return 0;
}

static int do_speed(struct blk_mirror *j, char *err, size_t errlen, void *arg)
{
	(void)err;
	(void)errlen;
	j->speed = *(uint64_t *)arg;
	return 0;
}

int blk_mirror_complete(const char *id, char *err, size_t errlen)
{
	return request(id, err, errlen, do_complete, NULL);
}

int blk_mirror_cancel(const char *id, bool force, char *err, size_t errlen)
{
	return request(id, err, errlen, do_cancel, &force);
}

int blk_mirror_set_speed(const char *id, uint64_t speed, char *err, size_t errlen)
{
	return request(id, err, errlen, do_speed, &speed);
}

json_t *blk_mirror_query(void)
{
	json_t *a = json_array();

	pthread_mutex_lock(&reg_lock);
	for (struct blk_mirror *j = jobs; a && j; j = j->next) {
		uint64_t off, len;
		bool ready;

		pthread_mutex_lock(&j->lock);
		if (j->finished) {
			pthread_mutex_unlock(&j->lock);
			continue;
		}
		off = j->offset;
		len = off + blk_dirty_bytes(j->dirty);
		ready = j->state == M_READY;
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:I, s:I, s:b, s:b, s:I, s:s, s:b, s:s, s:b, s:b}",
				     "type", "mirror", "device", j->id, "len", (json_int_t)len,
				     "offset", (json_int_t)off, "busy", !ready, "paused", 0,
				     "speed", (json_int_t)j->speed, "io-status", "ok", "ready",
				     ready, "status", ready ? "ready" : "running",
				     "auto-finalize", 1, "auto-dismiss", 1));
		pthread_mutex_unlock(&j->lock);
	}
	pthread_mutex_unlock(&reg_lock);
	return a;
}

void blk_mirror_reap(void)
{
	pthread_mutex_lock(&reg_lock);
	for (struct blk_mirror **p = &jobs; *p;) {
		struct blk_mirror *j = *p;
		bool done;

		pthread_mutex_lock(&j->lock);
		done = j->finished;
		pthread_mutex_unlock(&j->lock);
		if (!done) {
			p = &j->next;
			continue;
		}
		*p = j->next;
		pthread_join(j->thread, NULL);
		job_free(j);
	}
	pthread_mutex_unlock(&reg_lock);
}

void blk_mirror_shutdown(void)
{
	pthread_mutex_lock(&reg_lock);
	for (struct blk_mirror *j = jobs; j; j = j->next) {
		pthread_mutex_lock(&j->lock);
		j->cancel = j->force = true;
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
	}
	pthread_mutex_unlock(&reg_lock);
	for (;;) {
		struct blk_mirror *j;

		pthread_mutex_lock(&reg_lock);
		j = jobs;
		if (j)
			jobs = j->next;
		pthread_mutex_unlock(&reg_lock);
		if (!j)
			break;
		pthread_join(j->thread, NULL);
		job_free(j);
	}
}
