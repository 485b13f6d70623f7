/*
 * image.c - the format-independent half of an open image (see image.h):
 * the driver table, range checks, whole-request loops over short transfers,
 * and the bounce buffer that keeps O_DIRECT's alignment rules away from
 * callers.
 *
 * Invariants: every transfer is checked against im->size before it reaches
 * the driver; a short transfer is continued, a zero-length one is -EIO (the
 * file shrank under us); a bounce buffer is allocated per call, so calls on
 * one image may run on several threads at once.
 */
#include "block/image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const struct blk_driver blk_raw_driver;

static const struct blk_driver *const drivers[] = { &blk_raw_driver };

#define BOUNCE_MAX (1u << 20)
#define MAX_FAULTS 8

struct fault {
	char path[256];
	int op, err, count;
	unsigned delay_ms;
};

static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fault faults[MAX_FAULTS];
static int nfaults; /* rules in use; read without the lock as a fast check */

int blk_fault_set(const char *path, int op, int err, unsigned delay_ms, int count)
{
	struct fault *f = NULL;
	int rc = 0;

	pthread_mutex_lock(&fault_lock);
	/* the rule for (path, op) wherever it is, before any free slot: a free
	 * slot ahead of it must not get a second rule that shadows it */
	for (int i = 0; i < MAX_FAULTS && !f; i++)
		if (faults[i].count && faults[i].op == op && !strcmp(faults[i].path, path))
			f = &faults[i];
	for (int i = 0; i < MAX_FAULTS && !f && count; i++)
		if (!faults[i].count)
			f = &faults[i];
	if (f) {
		if (!f->count && count)
			__atomic_add_fetch(&nfaults, 1, __ATOMIC_SEQ_CST);
		else if (f->count && !count)
			__atomic_sub_fetch(&nfaults, 1, __ATOMIC_SEQ_CST);
		snprintf(f->path, sizeof(f->path), "%s", path);
		f->op = op;
		f->err = err;
		f->delay_ms = delay_ms;
		f->count = count;
	} else if (count) {
		rc = -1; /* full; removing a rule that is not there is fine */
	}
	pthread_mutex_unlock(&fault_lock);
	return rc;
}

/* An injected error for this operation on im, or 0 (after an injected
 * delay, if any). */
static int fault_hit(const struct blk_image *im, int op)
{
	unsigned delay_ms = 0;
	int err = 0;

	if (!__atomic_load_n(&nfaults, __ATOMIC_SEQ_CST))
		return 0;
	pthread_mutex_lock(&fault_lock);
	for (int i = 0; i < MAX_FAULTS; i++) {
		struct fault *f = &faults[i];

		if (!f->count || f->op != op || strcmp(f->path, im->path))
			continue;
		err = f->err;
		delay_ms = f->delay_ms;
		if (f->count > 0 && --f->count == 0)
			__atomic_sub_fetch(&nfaults, 1, __ATOMIC_SEQ_CST);
		break;
	}
	pthread_mutex_unlock(&fault_lock);
	if (delay_ms) {
		struct timespec ts = { delay_ms / 1000, (long)(delay_ms % 1000) * 1000000 };

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return err;
}

static const struct blk_driver *find_driver(const char *format)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(drivers[i]->format, format ? format : "raw"))
			return drivers[i];
	return NULL;
}

int blk_image_open(struct blk_image **out, const char *path, const char *format,
		   unsigned flags, char *err, size_t errlen)
{
	const struct blk_driver *drv = find_driver(format);
	struct blk_image *im;

	if (!drv) {
		snprintf(err, errlen, "%s: unknown image format '%s' (raw)", path, format);
		return -1;
	}
	im = calloc(1, sizeof(*im));
	if (!im || !(im->path = strdup(path))) {
		free(im);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	im->drv = drv;
	im->flags = flags;
	im->fd = -1;
	if (drv->open(im, err, errlen)) {
		free(im->path);
		free(im);
		return -1;
	}
	*out = im;
	return 0;
}

int blk_image_create(const char *path, const char *format, uint64_t size,
		     char *err, size_t errlen)
{
	int fd;

	if (!find_driver(format)) {
		snprintf(err, errlen, "%s: unknown image format '%s' (raw)", path, format);
		return -1;
	}
	if (!size || size % BLK_SECTOR) {
		snprintf(err, errlen, "%s: size %llu is not a non-zero multiple of %u",
			 path, (unsigned long long)size, BLK_SECTOR);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (ftruncate(fd, (off_t)size)) {
		snprintf(err, errlen, "%s: cannot size it to %llu bytes: %s", path,
			 (unsigned long long)size, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void blk_image_close(struct blk_image *im)
{
	if (!im)
		return;
	im->drv->close(im);
	free(im->path);
	free(im);
}

static bool in_range(const struct blk_image *im, uint64_t off, uint64_t len)
{
	return off <= im->size && len <= im->size - off;
}

static uint64_t iov_bytes(const struct iovec *iov, int n)
{
	uint64_t t = 0;

	for (int i = 0; i < n; i++)
		t += iov[i].iov_len;
	return t;
}

static bool aligned(const struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	uint64_t a = im->align;

	if (a <= 1)
		return true;
	if (off % BLK_SECTOR)
		return false;
	for (int i = 0; i < n; i++)
		if ((uintptr_t)iov[i].iov_base % a || iov[i].iov_len % BLK_SECTOR)
			return false;
	return true;
}

/* Move all of iov at off through the driver, continuing short transfers. */
static ssize_t transfer(struct blk_image *im, const struct iovec *iov0, int n,
			uint64_t off, bool write)
{
	struct iovec iov[64];
	uint64_t total = iov_bytes(iov0, n), done = 0;

	while (done < total) {
		uint64_t skip = done;
		int k = 0, i = 0;
		ssize_t r;

		while (i < n && skip >= iov0[i].iov_len)
			skip -= iov0[i++].iov_len;
		for (; i < n && k < 64; i++, k++) {
			iov[k].iov_base = (uint8_t *)iov0[i].iov_base + skip;
			iov[k].iov_len = iov0[i].iov_len - skip;
			skip = 0;
		}
		r = write ? im->drv->pwritev(im, iov, k, off + done)
			  : im->drv->preadv(im, iov, k, off + done);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			return -EIO; /* the file is shorter than it was */
		done += (uint64_t)r;
	}
	return (ssize_t)done;
}

/* O_DIRECT with unaligned buffers: go through an aligned copy, in pieces. */
static ssize_t bounce(struct blk_image *im, const struct iovec *iov, int n,
		      uint64_t off, bool write)
{
	uint64_t total = iov_bytes(iov, n), done = 0;
	uint64_t a = im->align, lo = off & ~(uint64_t)(BLK_SECTOR - 1);
	uint64_t hi = (off + total + BLK_SECTOR - 1) & ~(uint64_t)(BLK_SECTOR - 1);
	uint8_t *buf;
	ssize_t rc = (ssize_t)total;

	if (hi > im->size)
		return -EINVAL;
	if (posix_memalign((void **)&buf, a, BOUNCE_MAX))
		return -ENOMEM;
	for (uint64_t pos = lo; pos < hi; pos += BOUNCE_MAX) {
		uint64_t len = hi - pos < BOUNCE_MAX ? hi - pos : BOUNCE_MAX;
		uint64_t s = pos < off ? off - pos : 0;              /* skip in buf */
		uint64_t e = pos + len > off + total ? off + total - pos : len;
		struct iovec b = { buf, len };
		ssize_t r;

		/* a partial sector at either end is read first, then merged */
		if (!write || s || e < len) {
			r = transfer(im, &b, 1, pos, false);
			if (r < 0) {
				rc = r;
				goto out;
			}
		}
		for (uint64_t k = s; k < e;) { /* copy between iov and buf */
			uint64_t at = done, chunk;
			int i = 0;

			while (at >= iov[i].iov_len)
				at -= iov[i++].iov_len;
			chunk = iov[i].iov_len - at;
			if (chunk > e - k)
				chunk = e - k;
			if (write)
				memcpy(buf + k, (uint8_t *)iov[i].iov_base + at, chunk);
			else
				memcpy((uint8_t *)iov[i].iov_base + at, buf + k, chunk);
			k += chunk;
			done += chunk;
		}
		if (write) {
			r = transfer(im, &b, 1, pos, true);
			if (r < 0) {
				rc = r;
				goto out;
			}
		}
	}
out:
	free(buf);
	return rc;
}

static ssize_t rw(struct blk_image *im, const struct iovec *iov, int n, uint64_t off,
		  bool write)
{
	int rc;

	if (!in_range(im, off, iov_bytes(iov, n)))
		return -EINVAL;
	if (write && (im->flags & BLK_IMG_RDONLY))
		return -EROFS;
	rc = fault_hit(im, write ? BLK_FAULT_WRITE : BLK_FAULT_READ);
	if (rc)
		return -rc;
	if (!aligned(im, iov, n, off))
		return bounce(im, iov, n, off, write);
	return transfer(im, iov, n, off, write);
}

ssize_t blk_image_readv(struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	return rw(im, iov, n, off, false);
}

ssize_t blk_image_writev(struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	return rw(im, iov, n, off, true);
}

ssize_t blk_image_read(struct blk_image *im, void *buf, size_t len, uint64_t off)
{
	struct iovec v = { buf, len };

	return rw(im, &v, 1, off, false);
}

ssize_t blk_image_write(struct blk_image *im, const void *buf, size_t len, uint64_t off)
{
	struct iovec v = { (void *)buf, len };

	return rw(im, &v, 1, off, true);
}

int blk_image_flush(struct blk_image *im)
{
	int rc;

	if (im->flags & BLK_IMG_RDONLY)
		return 0;
	rc = fault_hit(im, BLK_FAULT_FLUSH);
	return rc ? -rc : im->drv->flush(im);
}

void blk_image_writeback(struct blk_image *im, uint64_t off, uint64_t len)
{
	if (im->drv->writeback && !(im->flags & (BLK_IMG_RDONLY | BLK_IMG_DIRECT)) &&
	    in_range(im, off, len))
		im->drv->writeback(im, off, len);
}

int blk_image_extent(struct blk_image *im, uint64_t off, uint64_t *len, bool *data)
{
	if (!in_range(im, off, *len))
		return -EINVAL;
	return im->drv->extent(im, off, len, data);
}

int blk_image_zero(struct blk_image *im, uint64_t off, uint64_t len)
{
	int rc;

	if (!in_range(im, off, len))
		return -EINVAL;
	if (im->flags & BLK_IMG_RDONLY)
		return -EROFS;
	rc = fault_hit(im, BLK_FAULT_WRITE);
	return rc ? -rc : im->drv->zero(im, off, len);
}

uint64_t blk_image_allocated(const struct blk_image *im)
{
	struct stat st;

	return fstat(im->fd, &st) ? 0 : (uint64_t)st.st_blocks * 512;
}

bool blk_buf_is_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		if (w)
			return false;
	}
	for (; i < len; i++)
		if (p[i])
			return false;
	return true;
}
