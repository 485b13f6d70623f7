/*
 * image.h - one open disk image behind a format driver: the only place in
 * godwit that does file I/O on disk images.
 *
 * A driver ("raw" today; the table in image.c leaves room for more formats)
 * turns guest-visible byte offsets into I/O on its file. Every call works on
 * whole requests: reads and writes loop over short transfers and EINTR, and
 * return the bytes moved or -errno. With BLK_IMG_DIRECT (cache=none) the file
 * is opened O_DIRECT; a request whose buffers or offset are not aligned for
 * O_DIRECT goes through an aligned bounce buffer, so callers need not care.
 *
 * Extents: blk_image_extent() says whether [off, off+len) starts with data
 * or with a hole (SEEK_DATA/SEEK_HOLE), so copies skip holes without reading
 * them and keep them holes in the target.
 *
 * Invariants: the size is fixed at open (a multiple of 512); no call reads
 * or writes outside [0, size); all calls are thread-safe (positioned I/O on
 * one fd, no shared file offset), except close.
 */
#ifndef GODWIT_BLOCK_IMAGE_H
#define GODWIT_BLOCK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define BLK_SECTOR 512u

enum {
	BLK_IMG_RDONLY = 1u << 0,
	BLK_IMG_DIRECT = 1u << 1, /* O_DIRECT: cache=none / cache=directsync */
};

struct blk_image;

struct blk_driver {
	const char *format;
	int (*open)(struct blk_image *im, char *err, size_t errlen);
	ssize_t (*preadv)(struct blk_image *im, const struct iovec *iov, int n, uint64_t off);
	ssize_t (*pwritev)(struct blk_image *im, const struct iovec *iov, int n, uint64_t off);
	int (*flush)(struct blk_image *im);
	/* Start writeback of a range, do not wait (NULL: nothing to do). */
	void (*writeback)(struct blk_image *im, uint64_t off, uint64_t len);
	/* *data: does off start data (true) or a hole; *len: how far that
	 * lasts (at most the len asked). 0 or -errno. */
	int (*extent)(struct blk_image *im, uint64_t off, uint64_t *len, bool *data);
	/* Make [off, off+len) read as zeros, as holes where the file allows. */
	int (*zero)(struct blk_image *im, uint64_t off, uint64_t len);
	void (*close)(struct blk_image *im);
};

struct blk_image {
	const struct blk_driver *drv;
	char *path;
	unsigned flags;
	int fd;
	uint64_t size;    /* bytes, fixed at open */
	uint32_t align;   /* O_DIRECT alignment (1 when buffered) */
};

/*
 * Open the image at path in format ("raw"; NULL means raw). Returns 0 and
 * *out, or -1 with a one-line reason naming the file in err.
 */
int blk_image_open(struct blk_image **out, const char *path, const char *format,
		   unsigned flags, char *err, size_t errlen);
/* Create (or truncate) path as an empty, sparse image of size bytes. */
int blk_image_create(const char *path, const char *format, uint64_t size,
		     char *err, size_t errlen);
void blk_image_close(struct blk_image *im);

/* Bytes moved (all of them unless an error), or -errno. -EINVAL: the
 * range is outside the image. */
ssize_t blk_image_readv(struct blk_image *im, const struct iovec *iov, int n, uint64_t off);
ssize_t blk_image_writev(struct blk_image *im, const struct iovec *iov, int n, uint64_t off);
ssize_t blk_image_read(struct blk_image *im, void *buf, size_t len, uint64_t off);
ssize_t blk_image_write(struct blk_image *im, const void *buf, size_t len, uint64_t off);
int blk_image_flush(struct blk_image *im);
/* Start writing [off, off+len) back to the device, without waiting (a
 * bulk copy keeps its final flush short and the page cache clean). */
void blk_image_writeback(struct blk_image *im, uint64_t off, uint64_t len);
int blk_image_extent(struct blk_image *im, uint64_t off, uint64_t *len, bool *data);
int blk_image_zero(struct blk_image *im, uint64_t off, uint64_t len);
/* Bytes the file really occupies (st_blocks), for reports. */
uint64_t blk_image_allocated(const struct blk_image *im);

/*
 * Fault injection (tests; QMP x-godwit-block-fault), like QEMU's blkdebug:
 * the next `count` operations of kind op (BLK_FAULT_READ/WRITE/FLUSH; -1
 * count: all of them) on any image opened from `path` fail with -err.
 * count 0 removes the rule. err 0 with delay_ms: the operations do not
 * fail but first wait that long (a slow disk). 0, or -1 if the table is
 * full.
 */
enum { BLK_FAULT_READ, BLK_FAULT_WRITE, BLK_FAULT_FLUSH };
int blk_fault_set(const char *path, int op, int err, unsigned delay_ms, int count);

/* Is buf all zero bytes? (len a multiple of 8 is fastest) */
bool blk_buf_is_zero(const void *buf, size_t len);

#endif
