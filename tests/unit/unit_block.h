/*
 * unit_block.h - helpers shared by the block layer's unit tests
 * (test_block.c, test_mirror.c): a fresh temporary directory per test,
 * files with known contents, a request that counts its completions, and a
 * bounded pump of a drive's completions (the run loop's part).
 *
 * Every wait here is bounded: a hang becomes a failed assertion, never a
 * stuck test binary.
 */
#ifndef GODWIT_TESTS_UNIT_BLOCK_H
#define GODWIT_TESTS_UNIT_BLOCK_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/blockdev.h"
#include "block/image.h"

#define UB_POLL_MS 50
#define UB_MAX_POLLS 400 /* 20 s: far beyond any of these waits */

/* A fresh directory base/godwit-block-XXXXXX in dir (64 bytes); false if
 * it could not be made. */
static inline bool ub_mkdtemp(char *dir, size_t n, const char *base)
{
	snprintf(dir, n, "%s/godwit-block-XXXXXX", base);
	return mkdtemp(dir) != NULL;
}

/* Remove dir and the plain files in it (the tests make no subdirectories). */
static inline void ub_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

/* A byte pattern that differs with the absolute offset and the seed. */
static inline uint8_t ub_byte(uint64_t off, unsigned seed)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ull ^ (uint64_t)seed * 0xbf58476d1ce4e5b9ull;

	x ^= x >> 29;
	return (uint8_t)(x | 1); /* never 0: a pattern byte is never a hole's */
}

static inline void ub_pattern(uint8_t *buf, size_t len, uint64_t off, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = ub_byte(off + i, seed);
}

static inline void ub_pwrite(const char *path, const void *buf, size_t len, uint64_t off)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* Read through the page cache, not through the block layer. */
static inline void ub_pread(const char *path, void *buf, size_t len, uint64_t off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* Fill [off, off+len) of path with ub_pattern(seed). */
static inline void ub_fill(const char *path, uint64_t off, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);

	assert_non_null(b);
	ub_pattern(b, len, off, seed);
	ub_pwrite(path, b, len, off);
	free(b);
}

/* Does [off, off+len) of path hold ub_pattern(seed)? */
static inline bool ub_has_pattern(const char *path, uint64_t off, size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	bool ok = true;

	assert_non_null(b);
	ub_pread(path, b, len, off);
	for (size_t i = 0; i < len && ok; i++)
		ok = b[i] == ub_byte(off + i, seed);
	free(b);
	return ok;
}

static inline bool ub_is_zero_file(const char *path, uint64_t off, size_t len)
{
	uint8_t *b = malloc(len);
	bool z;

	assert_non_null(b);
	ub_pread(path, b, len, off);
	z = blk_buf_is_zero(b, len);
	free(b);
	return z;
}

/* Bytes the file occupies on disk. */
static inline uint64_t ub_allocated(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_blocks * 512;
}

static inline void ub_clear_faults(const char *path)
{
	blk_fault_set(path, BLK_FAULT_READ, 0, 0, 0);
	blk_fault_set(path, BLK_FAULT_WRITE, 0, 0, 0);
	blk_fault_set(path, BLK_FAULT_FLUSH, 0, 0, 0);
}

/* A request with its own buffer that counts how often done() ran. */
struct ub_req {
	struct blk_req r;
	struct iovec iov;
	uint8_t *buf;
	int done;      /* times done() ran */
	int ret;       /* r->ret the last time */
	int *counter;  /* also counted here, if set */
	void (*check)(struct ub_req *u); /* also run in done(), if set */
	void *ctx;
};

static inline void ub_done(struct blk_req *r)
{
	struct ub_req *u = r->opaque;

	u->done++;
	u->ret = r->ret;
	if (u->counter)
		(*u->counter)++;
	if (u->check)
		u->check(u);
}

/* Make u an op request over len bytes at off (a buffer for READ/WRITE). */
static inline void ub_req_init(struct ub_req *u, enum blk_op op, uint64_t off, size_t len,
			       int *counter)
{
	memset(u, 0, sizeof(*u));
	u->r.op = op;
	u->r.off = off;
	u->r.len = len;
	u->r.done = ub_done;
	u->r.opaque = u;
	u->counter = counter;
	if (op == BLK_OP_READ || op == BLK_OP_WRITE) {
		u->buf = calloc(1, len ? len : 1);
		assert_non_null(u->buf);
		u->iov.iov_base = u->buf;
		u->iov.iov_len = len;
		u->r.iov = &u->iov;
		u->r.niov = 1;
	}
}

static inline void ub_req_free(struct ub_req *u)
{
	free(u->buf);
	u->buf = NULL;
}

/* The run loop's part: complete bd's requests until *counter reaches want,
 * polling its eventfd. False if that did not happen within the bound. */
static inline bool ub_pump(struct blockdev *bd, const int *counter, int want)
{
	struct pollfd p = { .fd = blockdev_fd(bd), .events = POLLIN };

	for (int i = 0; i < UB_MAX_POLLS && *counter < want; i++) {
		if (poll(&p, 1, UB_POLL_MS) < 0 && errno != EINTR)
			return false;
		blockdev_complete(bd);
	}
	return *counter >= want;
}

/* Complete for about ms milliseconds whatever finishes (to see that nothing
 * does). */
static inline void ub_pump_for(struct blockdev *bd, int ms)
{
	struct pollfd p = { .fd = blockdev_fd(bd), .events = POLLIN };

	for (int i = 0; i < ms / 10; i++) {
		poll(&p, 1, 10);
		blockdev_complete(bd);
	}
}

#endif
