/*
 * test_mirror.c - the mirror job (block/mirror.c) through its public API,
 * on a drive (block/blockdev.c) over a temporary image, without a VMM: the
 * test is the run loop (it completes the drive's requests and drains the
 * block layer's events, block/events.c).
 *
 * Complete: a thread keeps writing through the drive (writes, write-zeroes
 * and discards at random blocks, several in flight) before the job starts,
 * while it copies, once it is ready and after the pivot; the job reports
 * BLOCK_JOB_READY, block-job-complete gives BLOCK_JOB_COMPLETED and the
 * drive then uses the target, whose every byte is what the writer last
 * wrote (or the source's, where it wrote nothing). Once with the default
 * background copy, once in write-blocking mode from the start.
 *
 * Cancel before ready (a job slowed to one 4 KiB copy per 100 ms, so that
 * it cannot be ready for half a minute): CANCELLED,
 * the drive unchanged; complete is refused. Cancel after ready: COMPLETED
 * and a consistent target, the drive on its source; with force, CANCELLED.
 * Target write faults, in the background copy and in write-blocking mode:
 * BLOCK_JOB_ERROR, then COMPLETED with an error, the drive on its source
 * with every guest write. A sparse source (holes, and a run of written
 * zeros) gives a sparse target. Refused: mode=existing with a target of
 * another size or none, the drive's own image as the target (by its path
 * or a hard link; the source must come out whole), a second job on a
 * drive, a job ID in use, a bad granularity, a read-only drive. blk_mirror_shutdown cancels and joins
 * jobs running and ready.
 *
 * Every wait is bounded (20 s); a hang is a failure.
 */
#include "unit_block.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "block/events.h"
#include "block/mirror.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)

/* ---- events --------------------------------------------------------------- */

#define MAX_EVENTS 64

struct evlog {
	int n;
	char name[MAX_EVENTS][48];
	json_t *data[MAX_EVENTS];
};

static void collect(void *opaque, const char *name, json_t *data)
{
	struct evlog *l = opaque;

	if (l->n == MAX_EVENTS) {
		json_decref(data);
		return;
	}
	snprintf(l->name[l->n], sizeof(l->name[0]), "%s", name);
	l->data[l->n++] = data;
}

static void evlog_clear(struct evlog *l)
{
	for (int i = 0; i < l->n; i++)
		json_decref(l->data[i]);
	l->n = 0;
}

static int find_event(const struct evlog *l, const char *name, int from)
{
	for (int i = from; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return i;
	return -1;
}

/* The index of the first event name at or after from, waiting for it
 * (bounded); -1 if it never came. */
static int wait_event(struct evlog *l, const char *name, int from)
{
	struct pollfd p = { .fd = blk_events_fd(), .events = POLLIN };

	for (int i = 0; i < UB_MAX_POLLS; i++) {
		int k;

		blk_events_drain(collect, l);
		k = find_event(l, name, from);
		if (k >= 0)
			return k;
		poll(&p, 1, UB_POLL_MS);
	}
	print_error("no %s event; seen:", name);
	for (int i = 0; i < l->n; i++)
		print_error(" %s", l->name[i]);
	print_error("\n");
	return -1;
}

static const char *ev_str(const struct evlog *l, int i, const char *key)
{
	return json_string_value(json_object_get(l->data[i], key));
}

static json_int_t ev_int(const struct evlog *l, int i, const char *key)
{
	return json_integer_value(json_object_get(l->data[i], key));
}

/* ---- the fixture ---------------------------------------------------------- */

struct writer;
static void writer_abandon(struct writer *w, pthread_t th);

struct fx {
	char dir[64];
	char src[128], tgt[128], tgt2[128], src2[128];
	struct blockdev bd, bd2;
	bool bd_open, bd2_open;
	struct evlog ev;
	struct writer *w; /* a writer thread still running (a failed test) */
	pthread_t wth;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !ub_mkdtemp(f->dir, sizeof(f->dir), "/tmp")) {
		free(f);
		return -1;
	}
	snprintf(f->src, sizeof(f->src), "%s/src.img", f->dir);
	snprintf(f->tgt, sizeof(f->tgt), "%s/tgt.img", f->dir);
	snprintf(f->tgt2, sizeof(f->tgt2), "%s/tgt2.img", f->dir);
	snprintf(f->src2, sizeof(f->src2), "%s/src2.img", f->dir);
	blk_events_fd(); /* posting signals it from now on */
	blk_events_drain(collect, &f->ev);
	evlog_clear(&f->ev);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->w)
		writer_abandon(f->w, f->wth);
	blk_mirror_shutdown(); /* before the drives the jobs use */
	if (f->bd_open)
		blockdev_close(&f->bd);
	if (f->bd2_open)
		blockdev_close(&f->bd2);
	blk_events_drain(collect, &f->ev);
	evlog_clear(&f->ev);
	ub_clear_faults(f->src);
	ub_clear_faults(f->tgt);
	ub_clear_faults(f->tgt2);
	ub_rmtree(f->dir);
	free(f);
	return 0;
}

static void create_img(const char *path, uint64_t size)
{
	char err[256] = "";

	if (blk_image_create(path, NULL, size, err, sizeof(err)))
		fail_msg("%s", err);
}

static void open_drive(struct blockdev *bd, const char *id, const char *path, bool readonly)
{
	struct blk_opts o = { .id = id, .file = path, .readonly = readonly,
			      .cache = BLK_CACHE_WRITEBACK, .werror = BLK_ERR_REPORT,
			      .rerror = BLK_ERR_REPORT };
	char err[256] = "";

	if (blockdev_open(bd, &o, err, sizeof(err)))
		fail_msg("blockdev_open: %s", err);
}

/* The source: size bytes, data (seed 1) at [0, 1M) and [3M, 3M+256K) when
 * it is that large, holes elsewhere. */
static void make_source(struct fx *f, uint64_t size)
{
	create_img(f->src, size);
	ub_fill(f->src, 0, 1 * MiB, 1);
	if (size >= 4 * MiB)
		ub_fill(f->src, 3 * MiB, 256 * KiB, 1);
	open_drive(&f->bd, "drive0", f->src, false);
	f->bd_open = true;
}

static bool files_equal(const char *a, const char *b, uint64_t size)
{
	uint8_t *x = malloc(size), *y = malloc(size);
	bool eq;

	assert_non_null(x);
	assert_non_null(y);
	ub_pread(a, x, size, 0);
	ub_pread(b, y, size, 0);
	eq = !memcmp(x, y, size);
	free(x);
	free(y);
	return eq;
}

/* One write through the drive, completed by the test. */
static int drive_write(struct blockdev *bd, uint64_t off, size_t len, unsigned seed)
{
	struct ub_req u;
	int count = 0, ret;

	ub_req_init(&u, BLK_OP_WRITE, off, len, &count);
	ub_pattern(u.buf, len, off, seed);
	blockdev_submit(bd, &u.r);
	assert_true(ub_pump(bd, &count, 1));
	ret = u.ret;
	ub_req_free(&u);
	return ret;
}

static int start(struct blockdev *bd, const char *target, const char *job_id, uint64_t speed,
		 char *err, size_t errlen)
{
	struct blk_mirror_opts o = { .job_id = job_id, .target = target, .speed = speed };

	if (speed) { /* 4 KiB, then 100 ms of sleep: 1.25 MiB takes 32 s */
		o.granularity = 4096;
		o.buf_size = 4096;
	}
	return blk_mirror_start(bd, &o, err, errlen);
}

static void start_ok(struct blockdev *bd, const char *target, const char *job_id,
		     uint64_t speed)
{
	char err[300] = "";

	if (start(bd, target, job_id, speed, err, sizeof(err)))
		fail_msg("blk_mirror_start: %s", err);
}

/* The drive is on path, with no hook or bitmap of a job left. */
static void assert_drive_clean(struct blockdev *bd, const char *path)
{
	assert_string_equal(bd->image->path, path);
	assert_null(bd->hook);
	assert_null(bd->dirty);
	assert_int_equal(bd->quiesce, 0);
}

static void reap_all(void)
{
	json_t *q;

	blk_mirror_reap();
	q = blk_mirror_query();
	assert_non_null(q);
	assert_int_equal(json_array_size(q), 0);
	json_decref(q);
}

/* ---- a guest that keeps writing -------------------------------------------- */

#define W_SLOTS 4
#define W_BLOCK 4096u

struct writer;

struct wreq {
	struct blk_req r;
	struct iovec iov;
	struct writer *w;
	uint64_t blk;
	bool busy;
	uint8_t buf[W_BLOCK];
};

struct writer {
	struct blockdev *bd;
	uint8_t *model;      /* what the disk must hold */
	uint64_t nblocks;
	uint64_t rng;
	atomic_bool stop;
	atomic_ulong writes; /* completed */
	int err;             /* the first failure: a request's -errno, or a hang */
	struct wreq slot[W_SLOTS];
};

static void wreq_done(struct blk_req *r)
{
	struct wreq *q = r->opaque;

	if (r->ret && !q->w->err)
		q->w->err = r->ret;
	q->busy = false;
	atomic_fetch_add(&q->w->writes, 1);
}

static uint64_t next_rand(struct writer *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static bool in_flight(const struct writer *w, uint64_t b)
{
	for (int s = 0; s < W_SLOTS; s++)
		if (w->slot[s].busy && w->slot[s].blk == b)
			return true;
	return false;
}

/* Submit a write, a write-zeroes (1 in 16) or a discard (1 in 16) of one
 * block no other request in flight touches; the model changes at once
 * (the block's requests never overlap, so the last one submitted wins). */
static void writer_submit(struct writer *w, struct wreq *q, unsigned long n)
{
	uint64_t b, off;

	do
		b = next_rand(w) % w->nblocks;
	while (in_flight(w, b));
	off = b * W_BLOCK;
	memset(&q->r, 0, sizeof(q->r));
	q->w = w;
	q->blk = b;
	q->busy = true;
	q->r.off = off;
	q->r.len = W_BLOCK;
	q->r.done = wreq_done;
	q->r.opaque = q;
	if (n % 16 == 7 || n % 16 == 15) {
		q->r.op = n % 16 == 7 ? BLK_OP_DISCARD : BLK_OP_ZERO;
		memset(w->model + off, 0, W_BLOCK);
	} else {
		q->r.op = BLK_OP_WRITE;
		ub_pattern(q->buf, W_BLOCK, off, 100 + (unsigned)n);
		memcpy(w->model + off, q->buf, W_BLOCK);
		q->iov = (struct iovec){ q->buf, W_BLOCK };
		q->r.iov = &q->iov;
		q->r.niov = 1;
	}
	blockdev_submit(w->bd, &q->r);
}

/* The writer is the drive's run loop too: it completes its own requests. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct pollfd p = { .fd = blockdev_fd(w->bd), .events = POLLIN };
	struct timespec pause = { 0, 100000 }; /* a guest, not a benchmark */
	unsigned long n = 0;
	int idle = 0;

	for (;;) {
		bool stop = atomic_load(&w->stop);
		int busy = 0;

		for (int s = 0; s < W_SLOTS; s++) {
			if (!w->slot[s].busy && !stop)
				writer_submit(w, &w->slot[s], n++);
			busy += w->slot[s].busy;
		}
		if (!busy)
			break;
		if (poll(&p, 1, UB_POLL_MS) == 0) {
			if (++idle > UB_MAX_POLLS) {
				w->err = -ETIMEDOUT;
				break;
			}
		} else {
			idle = 0;
		}
		blockdev_complete(w->bd);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* Stop the writer and wait for it (its own waits are bounded). */
static void writer_stop(struct writer *w, pthread_t th)
{
	atomic_store(&w->stop, true);
	pthread_join(th, NULL);
}

/* After a failure: stop it and free it. */
static void writer_abandon(struct writer *w, pthread_t th)
{
	writer_stop(w, th);
	free(w->model);
	free(w);
}

/* Wait until the writer has completed at least n requests (bounded). */
static void wait_writes(struct writer *w, unsigned long n)
{
	for (int i = 0; i < 2000 && atomic_load(&w->writes) < n && !w->err; i++) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(w->err, 0);
	assert_true(atomic_load(&w->writes) >= n);
}

/* ---- tests -------------------------------------------------------------- */

static void mirror_with_writer(struct fx *f, bool write_blocking)
{
	const uint64_t size = 8 * MiB;
	struct blk_mirror_opts o = { .target = f->tgt, .write_blocking = write_blocking };
	struct writer *w = calloc(1, sizeof(*w));
	char err[300] = "";
	pthread_t th;
	json_t *q;
	int ready, done;
	unsigned long n;
	struct ub_req rd;
	int count = 0;

	assert_non_null(w);
	make_source(f, size);
	w->bd = &f->bd;
	w->nblocks = size / W_BLOCK;
	w->rng = 0x1234567 + (uint64_t)write_blocking;
	w->model = malloc(size);
	assert_non_null(w->model);
	ub_pread(f->src, w->model, size, 0);
	assert_int_equal(pthread_create(&th, NULL, writer_main, w), 0);
	f->w = w;
	f->wth = th;
	wait_writes(w, 50);

	if (blk_mirror_start(&f->bd, &o, err, sizeof(err)))
		fail_msg("blk_mirror_start: %s", err);
	assert_true(blk_mirror_busy(&f->bd));
	q = blk_mirror_query();
	assert_int_equal(json_array_size(q), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(q, 0), "device")),
			    "drive0");
	json_decref(q);

	ready = wait_event(&f->ev, "BLOCK_JOB_READY", 0);
	assert_true(ready >= 0);
	assert_string_equal(ev_str(&f->ev, ready, "device"), "drive0");
	assert_true(ev_int(&f->ev, ready, "offset") >= (json_int_t)(1 * MiB + 256 * KiB));
	assert_int_equal(ev_int(&f->ev, ready, "len"), ev_int(&f->ev, ready, "offset"));
	q = blk_mirror_query();
	assert_true(json_is_true(json_object_get(json_array_get(q, 0), "ready")));
	json_decref(q);
	n = atomic_load(&w->writes);
	wait_writes(w, n + 100); /* written to both, in write-blocking mode */

	if (blk_mirror_complete("drive0", err, sizeof(err)))
		fail_msg("blk_mirror_complete: %s", err);
	done = wait_event(&f->ev, "BLOCK_JOB_COMPLETED", ready);
	assert_true(done > ready);
	assert_null(json_object_get(f->ev.data[done], "error"));
	n = atomic_load(&w->writes);
	wait_writes(w, n + 100); /* now to the target alone */
	writer_stop(w, th);
	f->w = NULL;
	assert_int_equal(w->err, 0);
	blk_events_drain(collect, &f->ev);
	assert_int_equal(f->ev.n, 2); /* READY, COMPLETED: nothing else */

	reap_all();
	assert_false(blk_mirror_busy(&f->bd));
	assert_drive_clean(&f->bd, f->tgt);
	/* the target holds exactly what the guest wrote, as the drive shows */
	ub_req_init(&rd, BLK_OP_READ, 0, size, &count);
	ub_pread(f->tgt, rd.buf, size, 0);
	for (uint64_t b = 0; b < w->nblocks; b++)
		if (memcmp(rd.buf + b * W_BLOCK, w->model + b * W_BLOCK, W_BLOCK))
			fail_msg("target block %llu is not what was written last",
				 (unsigned long long)b);
	memset(rd.buf, 0xff, size);
	blockdev_submit(&f->bd, &rd.r);
	assert_true(ub_pump(&f->bd, &count, 1));
	assert_int_equal(rd.ret, 0);
	assert_memory_equal(rd.buf, w->model, size);
	ub_req_free(&rd);
	free(w->model);
	free(w);
}

static void test_complete(void **state)
{
	mirror_with_writer(*state, false);
}

static void test_complete_write_blocking(void **state)
{
	mirror_with_writer(*state, true);
}

static void test_cancel_before_ready(void **state)
{
	struct fx *f = *state;
	char err[300] = "";
	int k;

	make_source(f, 4 * MiB);
	start_ok(&f->bd, f->tgt, "job1", 1);
	assert_int_equal(blk_mirror_complete("job1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot be completed"));
	assert_int_equal(blk_mirror_complete("drive0", err, sizeof(err)), -1); /* its ID is job1 */
	assert_non_null(strstr(err, "not found"));
	assert_int_equal(blk_mirror_set_speed("job1", 2, err, sizeof(err)), 0);
	assert_int_equal(blk_mirror_cancel("job1", false, err, sizeof(err)), 0);
	k = wait_event(&f->ev, "BLOCK_JOB_CANCELLED", 0);
	assert_true(k >= 0);
	assert_string_equal(ev_str(&f->ev, k, "device"), "job1");
	assert_int_equal(find_event(&f->ev, "BLOCK_JOB_READY", 0), -1);
	assert_int_equal(find_event(&f->ev, "BLOCK_JOB_COMPLETED", 0), -1);
	assert_int_equal(blk_mirror_cancel("job1", false, err, sizeof(err)), -1);
	reap_all();
	assert_false(blk_mirror_busy(&f->bd));
	assert_drive_clean(&f->bd, f->src);
	assert_int_equal(drive_write(&f->bd, 0, 8192, 2), 0);
	assert_true(ub_has_pattern(f->src, 0, 8192, 2));
	assert_true(ub_has_pattern(f->src, 8192, 1 * MiB - 8192, 1));
}

/* After ready, cancel leaves a consistent copy and the drive on its
 * source (COMPLETED); with force the target is abandoned (CANCELLED). */
static void test_cancel_after_ready(void **state)
{
	struct fx *f = *state;
	char err[300] = "";
	int k;

	make_source(f, 4 * MiB);
	start_ok(&f->bd, f->tgt, NULL, 0);
	assert_true(wait_event(&f->ev, "BLOCK_JOB_READY", 0) >= 0);
	assert_int_equal(drive_write(&f->bd, 2 * MiB, 64 * KiB, 3), 0); /* to both */
	assert_int_equal(blk_mirror_cancel("drive0", false, err, sizeof(err)), 0);
	k = wait_event(&f->ev, "BLOCK_JOB_COMPLETED", 0);
	assert_true(k >= 0);
	assert_null(json_object_get(f->ev.data[k], "error"));
	assert_int_equal(find_event(&f->ev, "BLOCK_JOB_CANCELLED", 0), -1);
	reap_all();
	assert_drive_clean(&f->bd, f->src);
	assert_true(files_equal(f->src, f->tgt, 4 * MiB));
	assert_true(ub_has_pattern(f->tgt, 2 * MiB, 64 * KiB, 3));

	start_ok(&f->bd, f->tgt2, NULL, 0);
	k = wait_event(&f->ev, "BLOCK_JOB_READY", k + 1);
	assert_true(k >= 0);
	assert_int_equal(blk_mirror_cancel("drive0", true, err, sizeof(err)), 0);
	assert_true(wait_event(&f->ev, "BLOCK_JOB_CANCELLED", k) >= 0);
	reap_all();
	assert_drive_clean(&f->bd, f->src);
	assert_int_equal(drive_write(&f->bd, 0, 4096, 4), 0);
	assert_true(ub_has_pattern(f->src, 0, 4096, 4));
	assert_true(ub_has_pattern(f->tgt2, 0, 4096, 1)); /* no longer mirrored */
}

static void check_failed(struct fx *f, int from)
{
	int e = wait_event(&f->ev, "BLOCK_JOB_ERROR", from), c;

	assert_true(e >= 0);
	assert_string_equal(ev_str(&f->ev, e, "device"), "drive0");
	assert_string_equal(ev_str(&f->ev, e, "operation"), "write");
	assert_string_equal(ev_str(&f->ev, e, "action"), "report");
	c = wait_event(&f->ev, "BLOCK_JOB_COMPLETED", e);
	assert_true(c > e);
	assert_non_null(ev_str(&f->ev, c, "error"));
	assert_non_null(strstr(ev_str(&f->ev, c, "error"), "write to the target"));
	reap_all();
	assert_drive_clean(&f->bd, f->src);
}

/* A target that cannot be written: in the background copy, and in
 * write-blocking mode (the guest's write succeeds on the source). */
static void test_target_fault(void **state)
{
	struct fx *f = *state;
	char err[300] = "";
	int ready;

	make_source(f, 4 * MiB);
	assert_int_equal(blk_fault_set(f->tgt, BLK_FAULT_WRITE, EIO, 0, -1), 0);
	start_ok(&f->bd, f->tgt, NULL, 0);
	check_failed(f, 0);
	assert_int_equal(find_event(&f->ev, "BLOCK_JOB_READY", 0), -1);
	assert_int_equal(blk_mirror_complete("drive0", err, sizeof(err)), -1);
	assert_true(ub_has_pattern(f->src, 0, 1 * MiB, 1));
	assert_true(ub_has_pattern(f->src, 3 * MiB, 256 * KiB, 1));

	assert_int_equal(blk_fault_set(f->tgt, BLK_FAULT_WRITE, 0, 0, 0), 0);
	start_ok(&f->bd, f->tgt, NULL, 0);
	ready = wait_event(&f->ev, "BLOCK_JOB_READY", 0);
	assert_true(ready >= 0);
	assert_int_equal(blk_fault_set(f->tgt, BLK_FAULT_WRITE, EIO, 0, -1), 0);
	assert_int_equal(drive_write(&f->bd, 1 * MiB, 8192, 5), 0);
	check_failed(f, ready);
	assert_true(ub_has_pattern(f->src, 1 * MiB, 8192, 5));
	assert_int_equal(drive_write(&f->bd, 1 * MiB + 8192, 4096, 6), 0);
	assert_true(ub_has_pattern(f->src, 1 * MiB + 8192, 4096, 6));
}

/* Holes stay holes, and so does a run of zeros the source has allocated. */
static void test_sparse(void **state)
{
	struct fx *f = *state;
	const uint64_t size = 16 * MiB;
	struct blk_image *t;
	char err[300] = "";
	uint8_t *zeros = calloc(1, 512 * KiB);
	uint64_t len;
	bool data;
	int k;

	assert_non_null(zeros);
	create_img(f->src, size);
	ub_fill(f->src, 0, 256 * KiB, 7);
	ub_fill(f->src, 8 * MiB, 128 * KiB, 7);
	ub_pwrite(f->src, zeros, 512 * KiB, 4 * MiB);
	free(zeros);
	assert_true(ub_allocated(f->src) >= 896 * KiB);
	open_drive(&f->bd, "drive0", f->src, false);
	f->bd_open = true;
	start_ok(&f->bd, f->tgt, NULL, 0);
	k = wait_event(&f->ev, "BLOCK_JOB_READY", 0);
	assert_true(k >= 0);
	assert_int_equal(blk_mirror_complete("drive0", err, sizeof(err)), 0);
	assert_true(wait_event(&f->ev, "BLOCK_JOB_COMPLETED", k) >= 0);
	reap_all();
	assert_drive_clean(&f->bd, f->tgt);
	assert_true(files_equal(f->src, f->tgt, size));
	/* data 384 KiB, at the filesystem's block size; a 64 KiB block of
	 * slack for its metadata */
	if (ub_allocated(f->tgt) > 448 * KiB)
		fail_msg("the target occupies %llu bytes for 384 KiB of data",
			 (unsigned long long)ub_allocated(f->tgt));
	t = f->bd.image;
	len = 512 * KiB;
	assert_int_equal(blk_image_extent(t, 4 * MiB, &len, &data), 0);
	assert_false(data);
	assert_int_equal(len, 512 * KiB);
	len = size - 256 * KiB;
	assert_int_equal(blk_image_extent(t, 256 * KiB, &len, &data), 0);
	assert_false(data);
	assert_int_equal(len, 8 * MiB - 256 * KiB);
}

static void test_refused(void **state)
{
	struct fx *f = *state;
	struct blk_mirror_opts o = { .target = f->tgt, .existing = true };
	char err[300] = "";
	struct stat st;

	make_source(f, 4 * MiB);
	/* mode=existing: a target of another size, or none */
	create_img(f->tgt, 2 * MiB);
	ub_fill(f->tgt, 0, 4096, 8);
	assert_int_equal(blk_mirror_start(&f->bd, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "different sizes"));
	assert_int_equal(stat(f->tgt, &st), 0);
	assert_int_equal(st.st_size, 2 * MiB); /* left alone */
	assert_true(ub_has_pattern(f->tgt, 0, 4096, 8));
	o.target = f->tgt2;
	assert_int_equal(blk_mirror_start(&f->bd, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Could not open"));
	o.target = f->tgt;
	o.existing = false;
	o.granularity = 1000;
	assert_int_equal(blk_mirror_start(&f->bd, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "granularity"));
	assert_false(blk_mirror_busy(&f->bd));
	assert_drive_clean(&f->bd, f->src);

	/* the drive's own image, by its path or another name (a hard link),
	 * is no target: creating it would truncate the guest's disk */
	o.granularity = 0;
	o.target = f->src;
	assert_int_equal(blk_mirror_start(&f->bd, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the drive's own image"));
	assert_int_equal(link(f->src, f->tgt2), 0);
	o.target = f->tgt2;
	assert_int_equal(blk_mirror_start(&f->bd, &o, err, sizeof(err)), -1);
	o.existing = true;
	assert_int_equal(blk_mirror_start(&f->bd, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the drive's own image"));
	assert_int_equal(unlink(f->tgt2), 0);
	assert_true(ub_has_pattern(f->src, 0, 1 * MiB, 1));
	assert_true(ub_has_pattern(f->src, 3 * MiB, 256 * KiB, 1));
	assert_int_equal(ub_allocated(f->src) >= 1 * MiB + 256 * KiB, 1);
	assert_false(blk_mirror_busy(&f->bd));

	/* one job per drive; one job per ID */
	start_ok(&f->bd, f->tgt, "job1", 1);
	assert_int_equal(start(&f->bd, f->tgt2, "job2", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is busy"));
	create_img(f->src2, 4 * MiB);
	open_drive(&f->bd2, "drive2", f->src2, false);
	f->bd2_open = true;
	assert_int_equal(start(&f->bd2, f->tgt2, "job1", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already in use"));
	assert_false(blk_mirror_busy(&f->bd2));
	assert_int_equal(blk_mirror_cancel("job1", false, err, sizeof(err)), 0);
	assert_true(wait_event(&f->ev, "BLOCK_JOB_CANCELLED", 0) >= 0);
	reap_all();
	assert_drive_clean(&f->bd, f->src);

	/* a read-only drive */
	blockdev_close(&f->bd2);
	open_drive(&f->bd2, "drive2", f->src2, true);
	assert_int_equal(start(&f->bd2, f->tgt2, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "read-only"));
	assert_false(blk_mirror_busy(&f->bd2));
}

struct shutdown_run {
	atomic_bool returned;
};

static void *shutdown_main(void *arg)
{
	struct shutdown_run *s = arg;

	blk_mirror_shutdown();
	atomic_store(&s->returned, true);
	return NULL;
}

/* Shutdown cancels a running and a ready job and joins both. */
static void test_shutdown(void **state)
{
	struct fx *f = *state;
	struct shutdown_run s = { false };
	pthread_t th;
	int a = -1, b = -1;

	make_source(f, 4 * MiB);
	create_img(f->src2, 4 * MiB);
	ub_fill(f->src2, 0, 512 * KiB, 9);
	open_drive(&f->bd2, "drive2", f->src2, false);
	f->bd2_open = true;
	start_ok(&f->bd, f->tgt, "slow", 1);
	start_ok(&f->bd2, f->tgt2, "fast", 0);
	a = wait_event(&f->ev, "BLOCK_JOB_READY", 0);
	assert_true(a >= 0);
	assert_string_equal(ev_str(&f->ev, a, "device"), "fast");
	assert_int_equal(find_event(&f->ev, "BLOCK_JOB_READY", a + 1), -1); /* slow is not */
	a = -1;

	assert_int_equal(pthread_create(&th, NULL, shutdown_main, &s), 0);
	for (int i = 0; i < 2000 && !atomic_load(&s.returned); i++) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&s.returned));
	pthread_join(th, NULL);
	blk_events_drain(collect, &f->ev);
	for (int i = 0; i < f->ev.n; i++) {
		if (strcmp(f->ev.name[i], "BLOCK_JOB_CANCELLED"))
			continue;
		if (!strcmp(ev_str(&f->ev, i, "device"), "slow"))
			a = i;
		else if (!strcmp(ev_str(&f->ev, i, "device"), "fast"))
			b = i;
	}
	assert_true(a >= 0);
	assert_true(b >= 0);
	assert_int_equal(find_event(&f->ev, "BLOCK_JOB_COMPLETED", 0), -1);
	reap_all();
	assert_false(blk_mirror_busy(&f->bd));
	assert_false(blk_mirror_busy(&f->bd2));
	assert_drive_clean(&f->bd, f->src);
	assert_drive_clean(&f->bd2, f->src2);
	assert_int_equal(drive_write(&f->bd2, 0, 4096, 10), 0);
	assert_true(ub_has_pattern(f->src2, 0, 4096, 10));
	assert_true(ub_has_pattern(f->tgt2, 0, 4096, 9)); /* no longer mirrored */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_write_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_before_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_after_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_fault, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
