/*
 * raw.c - the raw image format: guest byte n is file byte n. Sparse-aware:
 * extents come from SEEK_DATA/SEEK_HOLE and zeroing punches holes
 * (FALLOC_FL_PUNCH_HOLE), falling back to writing zeros where the
 * filesystem cannot punch.
 *
 * Invariants: callers (image.c) have checked ranges against the size and
 * aligned buffers for O_DIRECT; nothing here moves the file offset.
 */
#include "block/image.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int raw_open(struct blk_image *im, char *err, size_t errlen)
{
	int oflags = (im->flags & BLK_IMG_RDONLY) ? O_RDONLY : O_RDWR;
	struct stat st;
	off_t size;

	if (im->flags & BLK_IMG_DIRECT)
		oflags |= O_DIRECT;
	im->fd = open(im->path, oflags | O_CLOEXEC);
	if (im->fd < 0) {
		if (errno == EINVAL && (im->flags & BLK_IMG_DIRECT))
			snprintf(err, errlen, "%s: cache=none: the filesystem does not support "
				 "O_DIRECT", im->path);
		else
			snprintf(err, errlen, "%s: %s", im->path, strerror(errno));
		return -1;
	}
	if (fstat(im->fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s: not a regular file or block device", im->path);
		goto fail;
	}
	size = lseek(im->fd, 0, SEEK_END);
	if (size <= 0 || size % BLK_SECTOR) {
		snprintf(err, errlen, "%s: size %lld is not a non-zero multiple of %u bytes",
			 im->path, (long long)size, BLK_SECTOR);
		goto fail;
	}
	im->size = (uint64_t)size;
	im->align = (im->flags & BLK_IMG_DIRECT) ? 4096 : 1;
	return 0;
fail:
	close(im->fd);
	im->fd = -1;
	return -1;
}

static ssize_t raw_preadv(struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	ssize_t r = preadv(im->fd, iov, n, (off_t)off);

	return r < 0 ? -errno : r;
}

static ssize_t raw_pwritev(struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	ssize_t r = pwritev(im->fd, iov, n, (off_t)off);

	return r < 0 ? -errno : r;
}

static int raw_flush(struct blk_image *im)
{
	return fdatasync(im->fd) ? -errno : 0;
}

static void raw_writeback(struct blk_image *im, uint64_t off, uint64_t len)
{
	/* a hint: an error only means the final flush does the work */
	if (sync_file_range(im->fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE))
		return;
}

static int raw_extent(struct blk_image *im, uint64_t off, uint64_t *len, bool *data)
{
	off_t d = lseek(im->fd, (off_t)off, SEEK_DATA), h;

	if (d < 0 && errno == ENXIO) { /* nothing but a hole up to the end */
		*data = false;
		return 0;
	}
	if (d < 0) { /* no SEEK_DATA here: call it all data */
		*data = true;
		return 0;
	}
	if ((uint64_t)d > off) {
		*data = false;
		if ((uint64_t)d - off < *len)
			*len = (uint64_t)d - off;
		return 0;
	}
	h = lseek(im->fd, (off_t)off, SEEK_HOLE);
	*data = true;
	if (h > 0 && (uint64_t)h > off && (uint64_t)h - off < *len)
		*len = (uint64_t)h - off;
	return 0;
}

static int raw_zero(struct blk_image *im, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[65536] __attribute__((aligned(4096)));

	if (fallocate(im->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) == 0)
		return 0;
	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
		ssize_t w = pwrite(im->fd, zeros, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

static void raw_close(struct blk_image *im)
{
	if (im->fd >= 0)
		close(im->fd);
	im->fd = -1;
}

const struct blk_driver blk_raw_driver = {
	.format = "raw",
	.open = raw_open,
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.writeback = raw_writeback,
	.extent = raw_extent,
	.zero = raw_zero,
	.close = raw_close,
};
