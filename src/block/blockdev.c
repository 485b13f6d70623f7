/*
 * blockdev.c - a drive's request queue, I/O workers, completions, error
 * policy and drain (see blockdev.h).
 *
 * Threads: the run loop submits and completes; BLK_WORKERS workers take
 * requests from the queue and do the I/O; a job thread (mirror, migration)
 * quiesces, swaps images, attaches bitmaps. Everything shared is under
 * bd->lock; the I/O itself runs without it.
 */
#include "block/blockdev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static const char *const cache_names[] = {
	[BLK_CACHE_WRITEBACK] = "writeback", [BLK_CACHE_NONE] = "none",
	[BLK_CACHE_WRITETHROUGH] = "writethrough", [BLK_CACHE_DIRECTSYNC] = "directsync",
	[BLK_CACHE_UNSAFE] = "unsafe",
};

int blk_parse_cache(const char *s, enum blk_cache *out)
{
	for (int i = 0; i < (int)(sizeof(cache_names) / sizeof(cache_names[0])); i++)
		if (!strcmp(s, cache_names[i])) {
			*out = (enum blk_cache)i;
			return 0;
		}
	return -1;
}

const char *blk_cache_name(enum blk_cache c)
{
	return cache_names[c];
}

int blk_parse_policy(const char *s, bool write, enum blk_err_policy *out)
{
	if (!strcmp(s, "report"))
		*out = BLK_ERR_REPORT;
	else if (!strcmp(s, "ignore"))
		*out = BLK_ERR_IGNORE;
	else if (!strcmp(s, "stop"))
		*out = BLK_ERR_STOP;
	else if (write && !strcmp(s, "enospc"))
		*out = BLK_ERR_ENOSPC;
	else
		return -1;
	return 0;
}

static bool is_write(enum blk_op op)
{
	return op == BLK_OP_WRITE || op == BLK_OP_ZERO || op == BLK_OP_DISCARD;
}

static int do_io(struct blockdev *bd, struct blk_image *im, struct blk_req *r)
{
	ssize_t n;
	int rc;

	switch (r->op) {
	case BLK_OP_READ:
		n = blk_image_readv(im, r->iov, r->niov, r->off);
		return n < 0 ? (int)n : 0;
	case BLK_OP_WRITE:
		n = blk_image_writev(im, r->iov, r->niov, r->off);
		if (n < 0)
			return (int)n;
		break;
	case BLK_OP_ZERO:
	case BLK_OP_DISCARD:
		rc = blk_image_zero(im, r->off, r->len);
		if (rc)
			return rc;
		break;
	case BLK_OP_FLUSH:
		return bd->cache == BLK_CACHE_UNSAFE ? 0 : blk_image_flush(im);
	}
	if (bd->cache == BLK_CACHE_WRITETHROUGH || bd->cache == BLK_CACHE_DIRECTSYNC)
		return blk_image_flush(im);
	return 0;
}

static void *worker(void *arg)
{
	struct blockdev *bd = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&bd->lock);
	for (;;) {
		struct blk_req *r;
		struct blk_image *im;

		while (!bd->stopping && (bd->quiesce || !bd->q_head))
			pthread_cond_wait(&bd->work, &bd->lock);
		if (bd->stopping)
			break;
		r = bd->q_head;
		bd->q_head = r->next;
		if (!bd->q_head)
			bd->q_tail = NULL;
		bd->queued--;
		bd->in_flight++;
		r->hook = is_write(r->op) ? bd->hook : NULL;
		im = bd->image;
		pthread_mutex_unlock(&bd->lock);

		r->hook_token = r->hook ? r->hook->before(r->hook->opaque, r) : NULL;
		r->ret = do_io(bd, im, r);
		if (r->hook)
			r->hook->after(r->hook->opaque, r, r->hook_token);

		pthread_mutex_lock(&bd->lock);
		if (is_write(r->op)) /* even a failed write may have landed in part */
			for (struct blk_dirty *d = bd->dirty; d; d = d->next)
				blk_dirty_mark(d, r->off, r->len);
		r->next = NULL;
		if (bd->done_tail)
			bd->done_tail->next = r;
		else
			bd->done_head = r;
		bd->done_tail = r;
		if (--bd->in_flight == 0)
			pthread_cond_broadcast(&bd->idle);
		if (write(bd->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow in practice; the run loop
			 * also completes on every drain */
		}
	}
	pthread_mutex_unlock(&bd->lock);
	return NULL;
}

int blockdev_open(struct blockdev *bd, const struct blk_opts *o, char *err, size_t errlen)
{
	unsigned flags = 0;

	memset(bd, 0, sizeof(*bd));
	bd->efd = -1;
	if (o->readonly)
		flags |= BLK_IMG_RDONLY;
	if (o->cache == BLK_CACHE_NONE || o->cache == BLK_CACHE_DIRECTSYNC)
		flags |= BLK_IMG_DIRECT;
	if (blk_image_open(&bd->image, o->file, o->format, flags, err, errlen))
		return -1;
	bd->id = strdup(o->id ? o->id : "");
	bd->format = strdup(o->format ? o->format : "raw");
	bd->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!bd->id || !bd->format || bd->efd < 0) {
		snprintf(err, errlen, "%s: out of resources", o->file);
		goto fail;
	}
	bd->readonly = o->readonly;
	bd->cache = o->cache;
	bd->werror = o->werror;
	bd->rerror = o->rerror;
	bd->size = bd->image->size;
	pthread_mutex_init(&bd->lock, NULL);
	pthread_cond_init(&bd->work, NULL);
	pthread_cond_init(&bd->idle, NULL);
	for (int i = 0; i < BLK_WORKERS; i++) {
		if (pthread_create(&bd->workers[i], NULL, worker, bd)) {
			snprintf(err, errlen, "%s: cannot start an I/O thread", o->file);
			blockdev_close(bd);
			return -1;
		}
		bd->nworkers++;
	}
	return 0;
fail:
	if (bd->efd >= 0)
		close(bd->efd);
	blk_image_close(bd->image);
	free(bd->id);
	free(bd->format);
	memset(bd, 0, sizeof(*bd));
	bd->efd = -1;
	return -1;
}

void blockdev_close(struct blockdev *bd)
{
	if (!bd->image)
		return;
	pthread_mutex_lock(&bd->lock);
	while (bd->in_flight)
		pthread_cond_wait(&bd->idle, &bd->lock);
	bd->stopping = true;
	pthread_cond_broadcast(&bd->work);
	pthread_mutex_unlock(&bd->lock);
	for (int i = 0; i < bd->nworkers; i++)
		pthread_join(bd->workers[i], NULL);
	bd->nworkers = 0;
	pthread_mutex_destroy(&bd->lock);
	pthread_cond_destroy(&bd->work);
	pthread_cond_destroy(&bd->idle);
	if (bd->efd >= 0)
		close(bd->efd);
	bd->efd = -1;
	blk_image_close(bd->image);
	bd->image = NULL;
	free(bd->id);
	free(bd->format);
	bd->id = bd->format = NULL;
}

int blockdev_fd(const struct blockdev *bd)
{
	return bd->efd;
}

void blockdev_set_error_hook(struct blockdev *bd, blk_error_hook fn, void *opaque)
{
	bd->on_error = fn;
	bd->on_error_opaque = opaque;
}

void blockdev_submit(struct blockdev *bd, struct blk_req *r)
{
	r->next = NULL;
	r->ret = 0;
	if (r->op == BLK_OP_READ || r->op == BLK_OP_WRITE) {
		r->len = 0;
		for (int i = 0; i < r->niov; i++)
			r->len += r->iov[i].iov_len;
	}
	pthread_mutex_lock(&bd->lock);
	if (bd->q_tail)
		bd->q_tail->next = r;
	else
		bd->q_head = r;
	bd->q_tail = r;
	bd->queued++;
	pthread_cond_signal(&bd->work);
	pthread_mutex_unlock(&bd->lock);
}

static enum blk_err_action policy(const struct blockdev *bd, const struct blk_req *r)
{
	enum blk_err_policy p = is_write(r->op) || r->op == BLK_OP_FLUSH ? bd->werror
									 : bd->rerror;

	switch (p) {
	case BLK_ERR_IGNORE:
		return BLK_ACT_IGNORE;
	case BLK_ERR_STOP:
		return BLK_ACT_STOP;
	case BLK_ERR_ENOSPC:
		return r->ret == -ENOSPC ? BLK_ACT_STOP : BLK_ACT_REPORT;
	case BLK_ERR_REPORT:
		break;
	}
	return BLK_ACT_REPORT;
}

void blockdev_complete(struct blockdev *bd)
{
	struct blk_req *list;
	uint64_t v;

	if (read(bd->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing signalled; the list may still hold some */
	}
	pthread_mutex_lock(&bd->lock);
	list = bd->done_head;
	bd->done_head = bd->done_tail = NULL;
	for (struct blk_req *r = list; r; r = r->next) {
		if (r->ret < 0)
			bd->failed_ops++;
		else if (r->op == BLK_OP_READ)
			bd->rd_ops++, bd->rd_bytes += r->len;
		else if (r->op == BLK_OP_FLUSH)
			bd->flush_ops++;
		else
			bd->wr_ops++, bd->wr_bytes += r->len;
	}
	pthread_mutex_unlock(&bd->lock);
	while (list) {
		struct blk_req *r = list;
		enum blk_err_action act;

		list = r->next;
		r->next = NULL;
		if (r->ret >= 0) {
			r->done(r);
			continue;
		}
		act = policy(bd, r);
		if (bd->on_error)
			bd->on_error(bd->on_error_opaque, bd, r, act);
		if (act == BLK_ACT_STOP) {
			pthread_mutex_lock(&bd->lock);
			if (bd->held_tail)
				bd->held_tail->next = r;
			else
				bd->held_head = r;
			bd->held_tail = r;
			pthread_mutex_unlock(&bd->lock);
			continue;
		}
		if (act == BLK_ACT_IGNORE)
			r->ret = 0;
		r->done(r);
	}
}

int blockdev_retry_held(struct blockdev *bd)
{
	struct blk_req *list;
	int n = 0;

	pthread_mutex_lock(&bd->lock);
	list = bd->held_head;
	bd->held_head = bd->held_tail = NULL;
	pthread_mutex_unlock(&bd->lock);
	while (list) {
		struct blk_req *r = list;

		list = r->next;
		blockdev_submit(bd, r);
		n++;
	}
	return n;
}

int blockdev_held(struct blockdev *bd)
{
	int n = 0;

	pthread_mutex_lock(&bd->lock);
	for (struct blk_req *r = bd->held_head; r; r = r->next)
		n++;
	pthread_mutex_unlock(&bd->lock);
	return n;
}

void blockdev_drain(struct blockdev *bd)
{
	pthread_mutex_lock(&bd->lock);
	while (bd->in_flight || (bd->q_head && !bd->quiesce))
		pthread_cond_wait(&bd->idle, &bd->lock);
	pthread_mutex_unlock(&bd->lock);
	blockdev_complete(bd);
}

void blockdev_quiesce(struct blockdev *bd)
{
	pthread_mutex_lock(&bd->lock);
	bd->quiesce++;
	while (bd->in_flight)
		pthread_cond_wait(&bd->idle, &bd->lock);
	pthread_mutex_unlock(&bd->lock);
}

void blockdev_unquiesce(struct blockdev *bd)
{
	pthread_mutex_lock(&bd->lock);
	if (bd->quiesce > 0)
		bd->quiesce--;
	pthread_cond_broadcast(&bd->work);
	pthread_mutex_unlock(&bd->lock);
}

struct blk_image *blockdev_swap_image(struct blockdev *bd, struct blk_image *im)
{
	struct blk_image *old;

	pthread_mutex_lock(&bd->lock);
	old = bd->image;
	bd->image = im;
	pthread_mutex_unlock(&bd->lock);
	return old;
}

void blockdev_dirty_attach(struct blockdev *bd, struct blk_dirty *d)
{
	pthread_mutex_lock(&bd->lock);
	d->next = bd->dirty;
	bd->dirty = d;
	pthread_mutex_unlock(&bd->lock);
}

void blockdev_dirty_detach(struct blockdev *bd, struct blk_dirty *d)
{
	pthread_mutex_lock(&bd->lock);
	for (struct blk_dirty **p = &bd->dirty; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			break;
		}
	d->next = NULL;
	pthread_mutex_unlock(&bd->lock);
}

void blockdev_set_write_hook(struct blockdev *bd, const struct blk_write_hook *h)
{
	pthread_mutex_lock(&bd->lock);
	bd->hook = h;
	pthread_mutex_unlock(&bd->lock);
}

int blockdev_flush(struct blockdev *bd, char *err, size_t errlen)
{
	int rc;

	if (bd->readonly)
		return 0;
	rc = blk_image_flush(bd->image);
	if (rc) {
		snprintf(err, errlen, "%s: fdatasync: %s", bd->image->path, strerror(-rc));
		return -1;
	}
	pthread_mutex_lock(&bd->lock);
	bd->host_flushes++;
	pthread_mutex_unlock(&bd->lock);
	return 0;
}

int blockdev_reopen(struct blockdev *bd, char *err, size_t errlen)
{
	struct blk_image *im, *old;
	char e[256];

	if (blk_image_open(&im, bd->image->path, bd->format, bd->image->flags, e, sizeof(e))) {
		snprintf(err, errlen, "reopen: %s", e);
		return -1;
	}
	if (im->size != bd->size) {
		snprintf(err, errlen, "%s: reopen: size %llu, the device advertises %llu bytes",
			 im->path, (unsigned long long)im->size, (unsigned long long)bd->size);
		blk_image_close(im);
		return -1;
	}
	blockdev_quiesce(bd);
	old = blockdev_swap_image(bd, im);
	bd->reopens++;
	blockdev_unquiesce(bd);
	blk_image_close(old);
	return 0;
}
