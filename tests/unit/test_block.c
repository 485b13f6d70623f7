/*
 * test_block.c - the block layer below the mirror job: images
 * (block/image.c, block/raw.c), dirty bitmaps (block/dirty.c) and drives
 * (block/blockdev.c). The mirror job has its own file, test_mirror.c.
 *
 * Images, on files in a fresh directory under /tmp: open errors (missing,
 * a size that is not a multiple of 512, empty, a directory, an unknown
 * format), create (sparse: no blocks), round trips through iovecs split at
 * odd places and more of them than one preadv takes, range checks
 * (-EINVAL) and read-only images (-EROFS), extents of a hole/data/hole
 * file, zeroing that punches holes, O_DIRECT with deliberately unaligned
 * buffers and offsets (through the bounce buffer; the test skips, saying
 * why, if no local filesystem takes O_DIRECT), blk_buf_is_zero, and fault
 * injection (a count of 1, -1, removal, several rules, a full table).
 * A fake driver over memory, put behind a struct blk_image by hand, checks
 * what no real file shows: short transfers and EINTR are continued, a
 * transfer of 0 bytes is -EIO, more than 64 iovecs are split, and every
 * request the bounce path makes is aligned the way O_DIRECT needs.
 *
 * Dirty bitmaps: marks across word boundaries, the last partial block,
 * next/take/count/bytes, and marking on several threads while another one
 * takes bits: every mark is taken exactly once, none lost, none doubled.
 *
 * Drives: many reads and writes in flight on the I/O threads, completed by
 * the test acting as the run loop (poll the eventfd, blockdev_complete);
 * every write, write-zeroes and discard has marked every attached bitmap
 * when its done() runs; the error policies (report, ignore, stop, enospc:
 * held, retried, succeeding once the fault is gone); quiesce (holds new
 * requests before they reach the image, waits for one in flight); swapping
 * the image; drain; write hooks; writethrough and unsafe flushes as fault
 * injection on flush shows them.
 */
#include "unit_block.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "block/dirty.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)

struct fx {
	char dir[64], dir2[64]; /* dir2: an O_DIRECT directory elsewhere */
	char img[128], img2[128], tmp[128];
	struct blockdev bd;
	bool bd_open;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || !ub_mkdtemp(f->dir, sizeof(f->dir), "/tmp")) {
		free(f);
		return -1;
	}
	snprintf(f->img, sizeof(f->img), "%s/a.img", f->dir);
	snprintf(f->img2, sizeof(f->img2), "%s/b.img", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/tmp", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->bd_open)
		blockdev_close(&f->bd);
	ub_clear_faults(f->img);
	ub_clear_faults(f->img2);
	ub_rmtree(f->dir);
	if (f->dir2[0])
		ub_rmtree(f->dir2);
	free(f);
	return 0;
}

static struct blk_image *open_img(const char *path, unsigned flags)
{
	struct blk_image *im = NULL;
	char err[256] = "";

	if (blk_image_open(&im, path, NULL, flags, err, sizeof(err)))
		print_error("%s\n", err);
	assert_non_null(im);
	return im;
}

static void create_img(const char *path, uint64_t size)
{
	char err[256] = "";

	if (blk_image_create(path, NULL, size, err, sizeof(err)))
		print_error("%s\n", err);
	assert_string_equal(err, "");
}

/* ---- images ------------------------------------------------------------ */

static void test_open_errors(void **state)
{
	struct fx *f = *state;
	struct blk_image *im = NULL;
	char err[256], missing[160];
	uint8_t b[1000] = { 1 };

	snprintf(missing, sizeof(missing), "%s/none.img", f->dir);
	assert_int_equal(blk_image_open(&im, missing, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, missing));
	assert_non_null(strstr(err, "No such file"));

	ub_pwrite(f->img, b, sizeof(b), 0); /* 1000 bytes */
	assert_int_equal(blk_image_open(&im, f->img, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, f->img));
	assert_non_null(strstr(err, "size 1000 is not a non-zero multiple of 512"));

	assert_int_equal(truncate(f->img, 0), 0);
	assert_int_equal(blk_image_open(&im, f->img, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "size 0 "));

	/* a directory: refused whether it could be opened (read-only) or not */
	assert_int_equal(blk_image_open(&im, f->dir, NULL, BLK_IMG_RDONLY, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(blk_image_open(&im, f->dir, NULL, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, f->dir));

	create_img(f->img, 4096);
	assert_int_equal(blk_image_open(&im, f->img, "qcow2", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown image format 'qcow2'"));
	assert_null(im);
}

static void test_create_sparse(void **state)
{
	struct fx *f = *state;
	struct blk_image *im;
	struct stat st;
	char err[256], nodir[160];
	uint8_t buf[4096];

	create_img(f->img, 1 * MiB);
	assert_int_equal(stat(f->img, &st), 0);
	assert_int_equal(st.st_size, 1 * MiB);
	assert_int_equal(st.st_blocks, 0);
	im = open_img(f->img, 0);
	assert_int_equal(im->size, 1 * MiB);
	assert_int_equal(im->align, 1);
	assert_int_equal(blk_image_allocated(im), 0);
	assert_int_equal(blk_image_read(im, buf, sizeof(buf), 512 * KiB), sizeof(buf));
	assert_true(blk_buf_is_zero(buf, sizeof(buf)));
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(blk_image_write(im, buf, sizeof(buf), 0), sizeof(buf));
	assert_int_equal(blk_image_flush(im), 0);
	assert_true(blk_image_allocated(im) >= sizeof(buf));
	blk_image_close(im);

	/* create again over it: empty and sparse again */
	create_img(f->img, 2 * MiB);
	assert_int_equal(ub_allocated(f->img), 0);
	assert_true(ub_is_zero_file(f->img, 0, sizeof(buf)));

	assert_int_equal(blk_image_create(f->img2, NULL, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a non-zero multiple of 512"));
	assert_int_equal(blk_image_create(f->img2, NULL, 0, err, sizeof(err)), -1);
	assert_int_equal(blk_image_create(f->img2, "vmdk", 4096, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown image format"));
	assert_int_equal(access(f->img2, F_OK), -1); /* nothing made */
	snprintf(nodir, sizeof(nodir), "%s/no/such.img", f->dir);
	assert_int_equal(blk_image_create(nodir, NULL, 4096, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

/* Write through iovecs of odd sizes (one empty), read back through a
 * different split, and through many more iovecs than one preadv gets. */
static void test_rw_iovecs(void **state)
{
	static const size_t wsplit[] = { 1, 510, 0, 3001, 7, 4096, 123 };
	static const size_t rsplit[] = { 1000, 1, 2, 0, 4000, 2835 };
	struct fx *f = *state;
	struct iovec iov[128];
	uint8_t src[7838], got[7838], many[100 * 13], back[100 * 13];
	struct blk_image *im;
	size_t at = 0, k;

	create_img(f->img, 256 * KiB);
	im = open_img(f->img, 0);
	ub_pattern(src, sizeof(src), 777, 1);
	for (k = 0; k < sizeof(wsplit) / sizeof(wsplit[0]); k++) {
		iov[k] = (struct iovec){ src + at, wsplit[k] };
		at += wsplit[k];
	}
	assert_int_equal(at, 7738);
	assert_int_equal(blk_image_writev(im, iov, (int)k, 777), 7738);
	assert_true(ub_has_pattern(f->img, 777, 7738, 1));
	assert_true(ub_is_zero_file(f->img, 0, 777));
	assert_true(ub_is_zero_file(f->img, 777 + 7738, 1000));

	memset(got, 0xee, sizeof(got));
	for (at = 0, k = 0; k < sizeof(rsplit) / sizeof(rsplit[0]); k++) {
		iov[k] = (struct iovec){ got + at, rsplit[k] };
		at += rsplit[k];
	}
	assert_int_equal(blk_image_readv(im, iov, (int)k, 777), 7838);
	/* 7738 bytes of pattern, then 100 of the zeros after it */
	assert_memory_equal(got, src, 7738);
	assert_true(blk_buf_is_zero(got + 7738, 100));

	/* 100 iovecs of 13 bytes: more than the 64 one driver call takes */
	ub_pattern(many, sizeof(many), 100000, 2);
	for (k = 0; k < 100; k++)
		iov[k] = (struct iovec){ many + k * 13, 13 };
	assert_int_equal(blk_image_writev(im, iov, 100, 100000), sizeof(many));
	assert_true(ub_has_pattern(f->img, 100000, sizeof(many), 2));
	for (at = 0, k = 0; at < sizeof(back); k++) { /* 1, 2, 3 ... bytes */
		size_t n = k + 1 < sizeof(back) - at ? k + 1 : sizeof(back) - at;

		iov[k] = (struct iovec){ back + at, n };
		at += n;
	}
	assert_true(k > 0 && k <= 128);
	assert_int_equal(blk_image_readv(im, iov, (int)k, 100000), sizeof(back));
	assert_memory_equal(back, many, sizeof(many));
	blk_image_close(im);
}

static void test_range_checks(void **state)
{
	struct fx *f = *state;
	struct blk_image *im;
	uint8_t *big = calloc(1, 64 * KiB + 1);
	uint64_t len;
	bool data;

	assert_non_null(big);
	create_img(f->img, 64 * KiB);
	im = open_img(f->img, 0);
	assert_int_equal(blk_image_read(im, big, 1, 64 * KiB), -EINVAL);
	assert_int_equal(blk_image_read(im, big, 0, 64 * KiB), 0); /* empty, at the end */
	assert_int_equal(blk_image_read(im, big, 20, 64 * KiB - 10), -EINVAL);
	assert_int_equal(blk_image_read(im, big, 64 * KiB + 1, 0), -EINVAL);
	assert_int_equal(blk_image_read(im, big, 64 * KiB, 0), 64 * KiB);
	assert_int_equal(blk_image_write(im, big, 1, UINT64_MAX), -EINVAL);
	assert_int_equal(blk_image_write(im, big, 512, UINT64_MAX - 100), -EINVAL);
	assert_int_equal(blk_image_zero(im, 64 * KiB - 512, 1024), -EINVAL);
	assert_int_equal(blk_image_zero(im, UINT64_MAX - 1, 2), -EINVAL);
	len = 1;
	assert_int_equal(blk_image_extent(im, 64 * KiB, &len, &data), -EINVAL);
	len = 64 * KiB + 1;
	assert_int_equal(blk_image_extent(im, 0, &len, &data), -EINVAL);
	assert_int_equal(ub_allocated(f->img), 0); /* nothing was written */
	blk_image_close(im);
	free(big);
}

static void test_readonly(void **state)
{
	struct fx *f = *state;
	struct blk_image *im;
	uint8_t buf[4096];
	struct iovec v = { buf, sizeof(buf) };

	create_img(f->img, 64 * KiB);
	ub_fill(f->img, 0, 64 * KiB, 3);
	im = open_img(f->img, BLK_IMG_RDONLY);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(blk_image_write(im, buf, sizeof(buf), 0), -EROFS);
	assert_int_equal(blk_image_writev(im, &v, 1, 4096), -EROFS);
	assert_int_equal(blk_image_zero(im, 0, 64 * KiB), -EROFS);
	assert_int_equal(blk_image_flush(im), 0);
	assert_int_equal(blk_image_read(im, buf, sizeof(buf), 8192), sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], ub_byte(8192 + i, 3));
	assert_true(ub_has_pattern(f->img, 0, 64 * KiB, 3)); /* unchanged */
	blk_image_close(im);
}

/* hole [0, 256K), data [256K, 512K), hole [512K, 1M) */
static void test_extent(void **state)
{
	struct fx *f = *state;
	struct blk_image *im;
	uint8_t *b = malloc(256 * KiB);
	uint64_t len;
	bool data;

	assert_non_null(b);
	create_img(f->img, 1 * MiB);
	im = open_img(f->img, 0);
	ub_pattern(b, 256 * KiB, 256 * KiB, 4);
	assert_int_equal(blk_image_write(im, b, 256 * KiB, 256 * KiB), 256 * KiB);
	assert_int_equal(blk_image_flush(im), 0);

	len = 1 * MiB;
	assert_int_equal(blk_image_extent(im, 0, &len, &data), 0);
	assert_false(data);
	assert_int_equal(len, 256 * KiB);
	len = 768 * KiB;
	assert_int_equal(blk_image_extent(im, 256 * KiB, &len, &data), 0);
	assert_true(data);
	assert_int_equal(len, 256 * KiB);
	len = 512 * KiB;
	assert_int_equal(blk_image_extent(im, 512 * KiB, &len, &data), 0);
	assert_false(data);
	assert_int_equal(len, 512 * KiB);
	/* never longer than asked */
	len = 4096;
	assert_int_equal(blk_image_extent(im, 0, &len, &data), 0);
	assert_false(data);
	assert_int_equal(len, 4096);
	len = 100;
	assert_int_equal(blk_image_extent(im, 300 * KiB, &len, &data), 0);
	assert_true(data);
	assert_int_equal(len, 100);
	/* from inside the data: to its end */
	len = 700 * KiB;
	assert_int_equal(blk_image_extent(im, 300 * KiB, &len, &data), 0);
	assert_true(data);
	assert_int_equal(len, 212 * KiB);
	blk_image_close(im);
	free(b);
}

static void test_zero_punches(void **state)
{
	struct fx *f = *state;
	struct blk_image *im;
	uint8_t *b = malloc(1 * MiB);
	uint64_t before, after, len;
	bool data;

	assert_non_null(b);
	create_img(f->img, 1 * MiB);
	im = open_img(f->img, 0);
	ub_pattern(b, 1 * MiB, 0, 5);
	assert_int_equal(blk_image_write(im, b, 1 * MiB, 0), 1 * MiB);
	assert_int_equal(blk_image_flush(im), 0);
	before = blk_image_allocated(im);
	assert_true(before >= 1 * MiB);

	assert_int_equal(blk_image_zero(im, 256 * KiB, 512 * KiB), 0);
	after = blk_image_allocated(im);
	assert_true(after <= before - 512 * KiB);
	assert_int_equal(blk_image_read(im, b, 512 * KiB, 256 * KiB), 512 * KiB);
	assert_true(blk_buf_is_zero(b, 512 * KiB));
	assert_true(ub_has_pattern(f->img, 0, 256 * KiB, 5));
	assert_true(ub_has_pattern(f->img, 768 * KiB, 256 * KiB, 5));
	len = 1 * MiB - 256 * KiB;
	assert_int_equal(blk_image_extent(im, 256 * KiB, &len, &data), 0);
	assert_false(data);
	assert_int_equal(len, 512 * KiB);

	/* not on block boundaries: exactly those bytes */
	assert_int_equal(blk_image_zero(im, 1000, 5000), 0);
	assert_true(ub_has_pattern(f->img, 0, 1000, 5));
	assert_true(ub_is_zero_file(f->img, 1000, 5000));
	assert_true(ub_has_pattern(f->img, 6000, 256 * KiB - 6000, 5));
	blk_image_close(im);
	free(b);
}

/* A directory whose filesystem takes O_DIRECT: the fixture's, /var/tmp or
 * build/; NULL and why not in why. */
static const char *direct_dir(struct fx *f, char *why, size_t whylen)
{
	const char *bases[] = { "/var/tmp", "build" };
	char probe[160], err[256];
	struct blk_image *im;

	snprintf(probe, sizeof(probe), "%s/probe.img", f->dir);
	create_img(probe, 4096);
	if (!blk_image_open(&im, probe, NULL, BLK_IMG_DIRECT, err, sizeof(err))) {
		blk_image_close(im);
		unlink(probe);
		return f->dir;
	}
	unlink(probe);
	snprintf(why, whylen, "%s", err);
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		if (!ub_mkdtemp(f->dir2, sizeof(f->dir2), bases[i])) {
			f->dir2[0] = 0;
			continue;
		}
		snprintf(probe, sizeof(probe), "%s/probe.img", f->dir2);
		create_img(probe, 4096);
		if (!blk_image_open(&im, probe, NULL, BLK_IMG_DIRECT, err, sizeof(err))) {
			blk_image_close(im);
			unlink(probe);
			return f->dir2;
		}
		ub_rmtree(f->dir2);
		f->dir2[0] = 0;
	}
	return NULL;
}

/* O_DIRECT: unaligned buffers, offsets and lengths, one request longer
 * than the bounce buffer, all exact to the byte, the neighbours untouched. */
static void test_direct_bounce(void **state)
{
	struct fx *f = *state;
	char why[300] = "no directory could be made", path[160];
	const char *dir = direct_dir(f, why, sizeof(why));
	const size_t big = 1 * MiB + 512 * KiB + 333;
	struct blk_image *im;
	uint8_t *mem = NULL, *src, *got;
	struct iovec iov[4];

	if (!dir) {
		print_message("# skip test_direct_bounce: no local filesystem takes O_DIRECT "
			      "(%s)\n", why);
		skip();
	}
	snprintf(path, sizeof(path), "%s/direct.img", dir);
	create_img(path, 4 * MiB);
	ub_fill(path, 0, 4 * MiB, 6);
	im = open_img(path, BLK_IMG_DIRECT);
	assert_int_equal(im->align, 4096);
	assert_int_equal(posix_memalign((void **)&mem, 4096, 2 * big + 8192), 0);
	src = mem + 1;             /* never aligned */
	got = mem + big + 4096 + 5;

	/* an unaligned buffer at an aligned offset and length */
	ub_pattern(src, 64 * KiB, 8192, 7);
	assert_int_equal(blk_image_write(im, src, 64 * KiB, 8192), 64 * KiB);
	assert_true(ub_has_pattern(path, 8192, 64 * KiB, 7));
	assert_true(ub_has_pattern(path, 0, 8192, 6));
	assert_true(ub_has_pattern(path, 8192 + 64 * KiB, 4096, 6));

	/* unaligned offset and length: the partial sectors are merged */
	ub_pattern(src, 5000, 1000, 8);
	assert_int_equal(blk_image_write(im, src, 5000, 1000), 5000);
	assert_true(ub_has_pattern(path, 0, 1000, 6));
	assert_true(ub_has_pattern(path, 1000, 5000, 8));
	assert_true(ub_has_pattern(path, 6000, 2192, 6));
	assert_int_equal(blk_image_read(im, got, 5000, 1000), 5000);
	assert_memory_equal(got, src, 5000);

	/* longer than the bounce buffer, split oddly, both ends unaligned */
	ub_pattern(src, big, 1 * MiB + 777, 9);
	iov[0] = (struct iovec){ src, 1 };
	iov[1] = (struct iovec){ src + 1, 4095 };
	iov[2] = (struct iovec){ src + 4096, 1 * MiB };
	iov[3] = (struct iovec){ src + 4096 + 1 * MiB, big - 4096 - 1 * MiB };
	assert_int_equal(blk_image_writev(im, iov, 4, 1 * MiB + 777), (ssize_t)big);
	assert_true(ub_has_pattern(path, 1 * MiB, 777, 6));
	assert_true(ub_has_pattern(path, 1 * MiB + 777, big, 9));
	assert_true(ub_has_pattern(path, 1 * MiB + 777 + big, 4096, 6));
	memset(got, 0, big);
	iov[0] = (struct iovec){ got, 3 };
	iov[1] = (struct iovec){ got + 3, 1 * MiB + 1 };
	iov[2] = (struct iovec){ got + 3 + 1 * MiB + 1, 0 };
	iov[3] = (struct iovec){ got + 4 + 1 * MiB, big - 4 - 1 * MiB };
	assert_int_equal(blk_image_readv(im, iov, 4, 1 * MiB + 777), (ssize_t)big);
	assert_memory_equal(got, src, big);

	/* aligned: the fast path */
	ub_pattern(mem, 8192, 3 * MiB, 10);
	assert_int_equal(blk_image_write(im, mem, 8192, 3 * MiB), 8192);
	assert_true(ub_has_pattern(path, 3 * MiB, 8192, 10));
	assert_int_equal(blk_image_read(im, mem + 8192, 8192, 3 * MiB), 8192);
	assert_memory_equal(mem + 8192, mem, 8192);

	/* and the file as a whole, read without the block layer */
	assert_true(ub_has_pattern(path, 3 * MiB + 8192, 1 * MiB - 8192, 6));
	blk_image_close(im);
	free(mem);
}

/* ---- a fake driver: what no real file shows ----------------------------- */

#define FAKE_SIZE (3 * MiB)

struct fake {
	struct blk_image im;
	uint8_t *mem;
	unsigned calls;
	bool shorten;   /* short transfers, EINTR every third call */
	bool strict;    /* count requests O_DIRECT would refuse */
	unsigned eof_at; /* this call moves 0 bytes (0: never) */
	int fail;       /* -errno for every call, if set */
	unsigned misaligned, max_iov;
	const void *last_base;
};

static struct fake *fake_of(struct blk_image *im)
{
	return (struct fake *)((char *)im - offsetof(struct fake, im));
}

static ssize_t fake_io(struct blk_image *im, const struct iovec *iov, int n, uint64_t off,
		       bool write)
{
	static const size_t steps[] = { 1, 513, 4096, 3, 65536 };
	struct fake *fk = fake_of(im);
	size_t limit = SIZE_MAX, moved = 0;

	fk->calls++;
	if ((unsigned)n > fk->max_iov)
		fk->max_iov = (unsigned)n;
	fk->last_base = iov[0].iov_base;
	if (fk->fail)
		return fk->fail;
	if (fk->eof_at && fk->calls == fk->eof_at)
		return 0;
	if (fk->shorten) {
		if (fk->calls % 3 == 0)
			return -EINTR;
		limit = steps[fk->calls % 5];
	}
	if (fk->strict) {
		bool bad = off % 512;

		for (int i = 0; i < n; i++)
			bad |= (uintptr_t)iov[i].iov_base % 4096 || iov[i].iov_len % 512;
		fk->misaligned += bad;
	}
	for (int i = 0; i < n && moved < limit; i++) {
		size_t c = iov[i].iov_len < limit - moved ? iov[i].iov_len : limit - moved;

		if (off + moved + c > FAKE_SIZE)
			return -EFAULT; /* image.c let a request past the end */
		if (write)
			memcpy(fk->mem + off + moved, iov[i].iov_base, c);
		else
			memcpy(iov[i].iov_base, fk->mem + off + moved, c);
		moved += c;
	}
	return (ssize_t)moved;
}

static ssize_t fake_preadv(struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	return fake_io(im, iov, n, off, false);
}

static ssize_t fake_pwritev(struct blk_image *im, const struct iovec *iov, int n, uint64_t off)
{
	return fake_io(im, iov, n, off, true);
}

static const struct blk_driver fake_driver = {
	.format = "fake", .preadv = fake_preadv, .pwritev = fake_pwritev,
};

static struct fake *fake_new(uint32_t align)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->mem = malloc(FAKE_SIZE);
	assert_non_null(fk->mem);
	ub_pattern(fk->mem, FAKE_SIZE, 0, 20);
	fk->im.drv = &fake_driver;
	fk->im.path = (char *)"fake";
	fk->im.fd = -1;
	fk->im.size = FAKE_SIZE;
	fk->im.align = align;
	return fk;
}

static void fake_free(struct fake *fk)
{
	free(fk->mem);
	free(fk);
}

static bool fake_has(const struct fake *fk, uint64_t off, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		if (fk->mem[off + i] != ub_byte(off + i, seed))
			return false;
	return true;
}

/* Short transfers and EINTR are continued at the right byte of the right
 * iovec; more than 64 iovecs are split; 0 bytes moved is -EIO; errors
 * come back as they are. */
static void test_short_transfers(void **state)
{
	struct fake *fk = fake_new(1);
	uint8_t src[100 * 37], got[100 * 37];
	struct iovec iov[100];

	(void)state;
	fk->shorten = true;
	ub_pattern(src, sizeof(src), 5000, 21);
	for (int i = 0; i < 100; i++)
		iov[i] = (struct iovec){ src + i * 37, 37 };
	assert_int_equal(blk_image_writev(&fk->im, iov, 100, 5000), sizeof(src));
	assert_true(fake_has(fk, 5000, sizeof(src), 21));
	assert_true(fake_has(fk, 0, 5000, 20));
	assert_true(fake_has(fk, 5000 + sizeof(src), 4096, 20));
	assert_true(fk->max_iov <= 64);
	assert_true(fk->calls > 3); /* it was shortened */

	memset(got, 0, sizeof(got));
	for (int i = 0; i < 100; i++)
		iov[i] = (struct iovec){ got + (99 - i) * 37, 37 }; /* scattered */
	assert_int_equal(blk_image_readv(&fk->im, iov, 100, 5000), sizeof(got));
	for (int i = 0; i < 100; i++)
		assert_memory_equal(got + (99 - i) * 37, src + i * 37, 37);

	fk->eof_at = fk->calls + 2; /* the call after next: the file shrank */
	fk->shorten = false;
	assert_int_equal(blk_image_read(&fk->im, got, 10, 0), 10);
	assert_int_equal(blk_image_read(&fk->im, got, 10, 0), -EIO);
	fk->fail = -ENOSPC;
	assert_int_equal(blk_image_write(&fk->im, src, 10, 0), -ENOSPC);
	fake_free(fk);
}

/* The bounce path as O_DIRECT needs it, whatever the filesystem: every
 * request the driver sees is aligned, and the bytes land exactly. */
static void test_bounce_alignment(void **state)
{
	const size_t big = 1 * MiB + 512 * KiB + 333;
	struct fake *fk = fake_new(4096);
	uint8_t *mem = NULL, *src, *got;
	struct iovec iov[3];

	(void)state;
	fk->strict = true;
	assert_int_equal(posix_memalign((void **)&mem, 4096, 2 * big + 8192), 0);
	src = mem + 3;
	got = mem + big + 4096 + 1;

	ub_pattern(src, 5000, 1000, 22);
	assert_int_equal(blk_image_write(&fk->im, src, 5000, 1000), 5000);
	assert_true(fake_has(fk, 0, 1000, 20));
	assert_true(fake_has(fk, 1000, 5000, 22));
	assert_true(fake_has(fk, 6000, 4096, 20));
	assert_int_equal(blk_image_read(&fk->im, got, 3000, 777), 3000);
	for (size_t i = 0; i < 3000; i++)
		assert_int_equal(got[i], fk->mem[777 + i]);

	ub_pattern(src, big, 1 * MiB + 777, 23);
	iov[0] = (struct iovec){ src, 700 };
	iov[1] = (struct iovec){ src + 700, 1 * MiB };
	iov[2] = (struct iovec){ src + 700 + 1 * MiB, big - 700 - 1 * MiB };
	assert_int_equal(blk_image_writev(&fk->im, iov, 3, 1 * MiB + 777), (ssize_t)big);
	assert_true(fake_has(fk, 1 * MiB, 777, 20));
	assert_true(fake_has(fk, 1 * MiB + 777, big, 23));
	assert_true(fake_has(fk, 1 * MiB + 777 + big, FAKE_SIZE - (1 * MiB + 777 + big), 20));
	assert_int_equal(blk_image_readv(&fk->im, iov, 1, 1 * MiB + 1), 700);
	assert_int_equal(fk->misaligned, 0);

	/* already aligned: the caller's buffer goes straight to the driver */
	assert_int_equal(blk_image_read(&fk->im, mem, 8192, 4096), 8192);
	assert_ptr_equal(fk->last_base, mem);
	/* unaligned: never */
	assert_int_equal(blk_image_read(&fk->im, mem + 512, 8192, 4096), 8192);
	assert_ptr_not_equal(fk->last_base, mem + 512);
	assert_int_equal(fk->misaligned, 0);
	free(mem);
	fake_free(fk);
}

static void test_buf_is_zero(void **state)
{
	uint8_t b[200];

	(void)state;
	memset(b, 0, sizeof(b));
	assert_true(blk_buf_is_zero(b, 0));
	assert_true(blk_buf_is_zero(b, sizeof(b)));
	for (size_t start = 0; start < 9; start++)
		for (size_t len = 1; len + start <= 100; len++)
			for (size_t at = 0; at < len; at++) {
				b[start + at] = 0x80;
				if (blk_buf_is_zero(b + start, len))
					fail_msg("a byte at %zu of %zu (buffer + %zu) was missed", at,
						 len, start);
				assert_true(blk_buf_is_zero(b + start, at)); /* just before it */
				b[start + at] = 0;
			}
	b[150] = 1; /* outside the range asked */
	assert_true(blk_buf_is_zero(b, 150));
}

static void test_faults(void **state)
{
	struct fx *f = *state;
	struct blk_image *a, *b;
	uint8_t buf[512];
	char p[32];

	create_img(f->img, 64 * KiB);
	create_img(f->img2, 64 * KiB);
	a = open_img(f->img, 0);
	b = open_img(f->img2, 0);

	/* count 1: the next read fails, then no more; only that image */
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, 1), 0);
	assert_int_equal(blk_image_read(b, buf, 512, 0), 512);
	assert_int_equal(blk_image_write(a, buf, 512, 0), 512);
	assert_int_equal(blk_image_read(a, buf, 512, 0), -EIO);
	assert_int_equal(blk_image_read(a, buf, 512, 0), 512);

	/* count -1: every write (write-zeroes too) until removed */
	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, ENOSPC, 0, -1), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(blk_image_write(a, buf, 512, 512), -ENOSPC);
	assert_int_equal(blk_image_zero(a, 0, 512), -ENOSPC);
	assert_int_equal(blk_image_read(a, buf, 512, 0), 512);
	assert_int_equal(blk_image_flush(a), 0);
	assert_true(ub_is_zero_file(f->img, 512, 512)); /* nothing reached the file */
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, 0, 0, 0), 0);
	memset(buf, 0x77, sizeof(buf));
	assert_int_equal(blk_image_write(a, buf, 512, 512), 512);

	/* flush, count 2 */
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_FLUSH, EIO, 0, 2), 0);
	assert_int_equal(blk_image_flush(a), -EIO);
	assert_int_equal(blk_image_flush(b), 0);
	assert_int_equal(blk_image_flush(a), -EIO);
	assert_int_equal(blk_image_flush(a), 0);

	/* two rules, the first removed: the second is still the one changed */
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, -1), 0);
	assert_int_equal(blk_fault_set(f->img2, BLK_FAULT_WRITE, EIO, 0, -1), 0);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, 0, 0, 0), 0);
	assert_int_equal(blk_image_read(a, buf, 512, 0), 512);
	assert_int_equal(blk_image_write(b, buf, 512, 0), -EIO);
	assert_int_equal(blk_fault_set(f->img2, BLK_FAULT_WRITE, EIO, 0, 1), 0); /* now once */
	assert_int_equal(blk_image_write(b, buf, 512, 0), -EIO);
	assert_int_equal(blk_image_write(b, buf, 512, 0), 512);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, -1), 0);
	assert_int_equal(blk_fault_set(f->img2, BLK_FAULT_WRITE, EIO, 0, -1), 0);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, 0, 0, 0), 0);
	assert_int_equal(blk_fault_set(f->img2, BLK_FAULT_WRITE, 0, 0, 0), 0); /* removed */
	assert_int_equal(blk_image_write(b, buf, 512, 0), 512);
	assert_int_equal(blk_image_read(a, buf, 512, 0), 512);

	/* the table holds 8 rules; removing one that is not there is fine */
	for (int i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "/nonexistent/%d", i);
		assert_int_equal(blk_fault_set(p, BLK_FAULT_READ, EIO, 0, -1), 0);
	}
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, -1), -1);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, 0, 0, 0), 0);
	assert_int_equal(blk_image_read(a, buf, 512, 0), 512);
	for (int i = 0; i < 8; i++) {
		snprintf(p, sizeof(p), "/nonexistent/%d", i);
		assert_int_equal(blk_fault_set(p, BLK_FAULT_READ, 0, 0, 0), 0);
	}
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, 1), 0);
	assert_int_equal(blk_image_read(a, buf, 512, 0), -EIO);
	blk_image_close(a);
	blk_image_close(b);
}

/* ---- dirty bitmaps ------------------------------------------------------ */

static void test_dirty_basic(void **state)
{
	const uint64_t size = 130 * 4096 + 1024; /* 131 bits, the last one short */
	struct blk_dirty *d;

	(void)state;
	assert_null(blk_dirty_new(size, 256));
	assert_null(blk_dirty_new(size, 3 * 4096));
	d = blk_dirty_new(size, 4096);
	assert_non_null(d);
	assert_int_equal(d->nbits, 131);
	assert_int_equal(d->nwords, 3);
	assert_int_equal(blk_dirty_next(d, 0), 131);
	assert_int_equal(blk_dirty_count(d), 0);
	assert_int_equal(blk_dirty_bytes(d), 0);

	/* across the first word boundary: bits 63, 64, 65 */
	blk_dirty_mark(d, 63 * 4096 + 100, 2 * 4096);
	assert_int_equal(blk_dirty_count(d), 3);
	assert_int_equal(blk_dirty_next(d, 0), 63);
	assert_int_equal(blk_dirty_next(d, 63), 63);
	assert_int_equal(blk_dirty_next(d, 64), 64);
	assert_int_equal(blk_dirty_next(d, 66), 131);
	assert_int_equal(blk_dirty_bytes(d), 3 * 4096);
	/* block boundaries exactly */
	blk_dirty_mark(d, 4096, 4096);
	assert_int_equal(blk_dirty_next(d, 0), 1);
	assert_int_equal(blk_dirty_next(d, 2), 63);
	blk_dirty_mark(d, 3 * 4096 - 1, 2);
	assert_int_equal(blk_dirty_next(d, 2), 2);
	assert_int_equal(blk_dirty_next(d, 4), 63);
	assert_int_equal(blk_dirty_count(d), 6);
	/* empty, past the end: nothing */
	blk_dirty_mark(d, 100 * 4096, 0);
	blk_dirty_mark(d, size, 4096);
	blk_dirty_mark(d, UINT64_MAX - 10, 100);
	assert_int_equal(blk_dirty_count(d), 6);
	/* the last, short block: clamped, counted short */
	blk_dirty_mark(d, size - 10, 100000);
	assert_int_equal(blk_dirty_count(d), 7);
	assert_int_equal(blk_dirty_next(d, 66), 130);
	assert_int_equal(blk_dirty_bytes(d), 6 * 4096 + 1024);
	assert_int_equal(d->bits[2], 1ull << 2); /* no bit past the end */

	assert_true(blk_dirty_take(d, 130));
	assert_false(blk_dirty_take(d, 130));
	assert_int_equal(blk_dirty_bytes(d), 6 * 4096);
	assert_true(blk_dirty_take(d, 64));
	assert_int_equal(blk_dirty_next(d, 64), 65);
	assert_int_equal(blk_dirty_count(d), 5);

	blk_dirty_set_all(d);
	assert_int_equal(blk_dirty_count(d), 131);
	assert_int_equal(blk_dirty_bytes(d), size);
	assert_int_equal(d->bits[2], 7);
	for (uint64_t i = 0; i < 131; i++)
		assert_true(blk_dirty_take(d, i));
	assert_int_equal(blk_dirty_next(d, 0), 131);
	assert_int_equal(blk_dirty_bytes(d), 0);
	blk_dirty_free(d);

	/* a whole number of words */
	d = blk_dirty_new(128 * 512, 512);
	assert_non_null(d);
	blk_dirty_set_all(d);
	assert_int_equal(blk_dirty_count(d), 128);
	assert_int_equal(blk_dirty_bytes(d), 128 * 512);
	assert_int_equal(blk_dirty_next(d, 127), 127);
	assert_int_equal(blk_dirty_next(d, 128), 128);
	blk_dirty_free(d);
}

#define DM_MARKERS 3
#define DM_BITS 1024 /* 16 words, each shared by all markers */
#define DM_ROUNDS 40

struct dirty_mt {
	struct blk_dirty *d;
	pthread_barrier_t start, end;
	atomic_bool stop;
	atomic_ulong taken;         /* successful takes */
	unsigned takes[DM_BITS];    /* the consumer's alone */
	int id;
};

struct marker {
	struct dirty_mt *mt;
	int id;
};

/* Each marker marks its bits (b % DM_MARKERS == id) once a round, in an
 * order that differs per round, while the consumer takes. */
static void *marker_main(void *arg)
{
	struct marker *m = arg;
	struct dirty_mt *mt = m->mt;

	for (int r = 0; r < DM_ROUNDS; r++) {
		pthread_barrier_wait(&mt->start);
		for (int k = 0; k < DM_BITS; k++) {
			int b = (k * 7 + r * 13) % DM_BITS; /* 7 is prime to 1024 */

			if (b % DM_MARKERS == m->id)
				blk_dirty_mark(mt->d, (uint64_t)b * 512 + (uint64_t)(r % 512), 1);
		}
		pthread_barrier_wait(&mt->end);
	}
	return NULL;
}

static void *consumer_main(void *arg)
{
	struct dirty_mt *mt = arg;

	while (!atomic_load(&mt->stop)) {
		uint64_t i = blk_dirty_next(mt->d, 0);
		bool any = false;

		for (; i < mt->d->nbits; i = blk_dirty_next(mt->d, i + 1))
			if (blk_dirty_take(mt->d, i)) {
				mt->takes[i]++;
				atomic_fetch_add(&mt->taken, 1);
				any = true;
			}
		if (!any)
			sched_yield();
	}
	return NULL;
}

/* Marks on several threads while another takes: every mark is taken
 * exactly once (a lost mark never is; a clear undone by a racing mark
 * would be taken twice), and the marks of a round, all made after the
 * takes of the round before, are all seen. */
static void test_dirty_threads(void **state)
{
	struct dirty_mt *mt = calloc(1, sizeof(*mt));
	struct marker mk[DM_MARKERS];
	pthread_t th[DM_MARKERS], cons;

	(void)state;
	assert_non_null(mt);
	mt->d = blk_dirty_new((uint64_t)DM_BITS * 512 - 100, 512);
	assert_non_null(mt->d);
	assert_int_equal(pthread_barrier_init(&mt->start, NULL, DM_MARKERS + 1), 0);
	assert_int_equal(pthread_barrier_init(&mt->end, NULL, DM_MARKERS + 1), 0);
	assert_int_equal(pthread_create(&cons, NULL, consumer_main, mt), 0);
	for (int i = 0; i < DM_MARKERS; i++) {
		mk[i] = (struct marker){ mt, i };
		assert_int_equal(pthread_create(&th[i], NULL, marker_main, &mk[i]), 0);
	}
	for (int r = 0; r < DM_ROUNDS; r++) {
		unsigned long want = (unsigned long)(r + 1) * DM_BITS;
		int spins = 0;

		pthread_barrier_wait(&mt->start);
		pthread_barrier_wait(&mt->end);
		/* the consumer catches up (bounded: 20 s) */
		while (atomic_load(&mt->taken) < want && spins++ < 20000) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
		if (atomic_load(&mt->taken) != want) {
			atomic_store(&mt->stop, true);
			/* the markers wait at the next barrier: let them go on */
			for (int k = r + 1; k < DM_ROUNDS; k++) {
				pthread_barrier_wait(&mt->start);
				pthread_barrier_wait(&mt->end);
			}
			for (int i = 0; i < DM_MARKERS; i++)
				pthread_join(th[i], NULL);
			pthread_join(cons, NULL);
			fail_msg("round %d: %lu marks taken, %lu made", r, atomic_load(&mt->taken),
				 want);
		}
	}
	atomic_store(&mt->stop, true);
	for (int i = 0; i < DM_MARKERS; i++)
		pthread_join(th[i], NULL);
	pthread_join(cons, NULL);
	for (int b = 0; b < DM_BITS; b++)
		if (mt->takes[b] != DM_ROUNDS)
			fail_msg("bit %d taken %u times in %d rounds", b, mt->takes[b], DM_ROUNDS);
	assert_int_equal(blk_dirty_count(mt->d), 0);
	pthread_barrier_destroy(&mt->start);
	pthread_barrier_destroy(&mt->end);
	blk_dirty_free(mt->d);
	free(mt);
}

/* ---- drives ------------------------------------------------------------- */

static struct blockdev *open_bd(struct fx *f, uint64_t size, enum blk_cache cache,
				enum blk_err_policy werror, enum blk_err_policy rerror)
{
	struct blk_opts o = { .id = "drive0", .file = f->img, .cache = cache,
			      .werror = werror, .rerror = rerror };
	char err[256] = "";

	create_img(f->img, size);
	if (blockdev_open(&f->bd, &o, err, sizeof(err)))
		fail_msg("blockdev_open: %s", err);
	f->bd_open = true;
	assert_int_equal(f->bd.size, size);
	return &f->bd;
}

struct err_log {
	int calls;
	enum blk_err_action act[16];
	int ret[16];
};

static void on_error(void *opaque, struct blockdev *bd, const struct blk_req *r,
		     enum blk_err_action act)
{
	struct err_log *l = opaque;

	(void)bd;
	if (l->calls < 16) {
		l->act[l->calls] = act;
		l->ret[l->calls] = r->ret;
	}
	l->calls++;
}

#define NREQ 48

/* Many reads and writes at once on the I/O threads; every one completes
 * once, with its data; the counters add up. */
static void test_bd_concurrent(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 1 * MiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT,
				      BLK_ERR_REPORT);
	struct ub_req *u = calloc(2 * NREQ, sizeof(*u));
	int count = 0;

	assert_non_null(u);
	ub_fill(f->img, 512 * KiB, 512 * KiB, 30); /* for the reads */
	for (int i = 0; i < NREQ; i++) {
		/* writes: 8 KiB each, below 512K; reads: 8 KiB each, above */
		ub_req_init(&u[2 * i], BLK_OP_WRITE, (uint64_t)i * 8 * KiB, 8 * KiB, &count);
		ub_pattern(u[2 * i].buf, 8 * KiB, (uint64_t)i * 8 * KiB, 31);
		ub_req_init(&u[2 * i + 1], BLK_OP_READ, 512 * KiB + (uint64_t)i * 8 * KiB,
			    8 * KiB, &count);
	}
	for (int i = 0; i < 2 * NREQ; i++)
		blockdev_submit(bd, &u[i].r);
	assert_true(ub_pump(bd, &count, 2 * NREQ));
	ub_pump_for(bd, 20); /* nothing completes twice */
	assert_int_equal(count, 2 * NREQ);
	for (int i = 0; i < 2 * NREQ; i++) {
		assert_int_equal(u[i].done, 1);
		assert_int_equal(u[i].ret, 0);
	}
	assert_true(ub_has_pattern(f->img, 0, NREQ * 8 * KiB, 31));
	for (int i = 0; i < NREQ; i++) {
		struct ub_req *r = &u[2 * i + 1];

		for (size_t k = 0; k < 8 * KiB; k++)
			if (r->buf[k] != ub_byte(r->r.off + k, 30))
				fail_msg("read %d: byte %zu differs", i, k);
	}
	assert_int_equal(bd->rd_ops, NREQ);
	assert_int_equal(bd->wr_ops, NREQ);
	assert_int_equal(bd->rd_bytes, NREQ * 8 * KiB);
	assert_int_equal(bd->wr_bytes, NREQ * 8 * KiB);
	assert_int_equal(bd->failed_ops, 0);
	assert_int_equal(bd->in_flight, 0);
	assert_int_equal(bd->queued, 0);

	/* read back what was written, through the drive */
	count = 0;
	for (int i = 0; i < NREQ; i++) {
		ub_req_free(&u[i]);
		ub_req_init(&u[i], BLK_OP_READ, (uint64_t)i * 8 * KiB, 8 * KiB, &count);
		blockdev_submit(bd, &u[i].r);
	}
	assert_true(ub_pump(bd, &count, NREQ));
	for (int i = 0; i < NREQ; i++)
		for (size_t k = 0; k < 8 * KiB; k++)
			if (u[i].buf[k] != ub_byte(u[i].r.off + k, 31))
				fail_msg("read back %d: byte %zu differs", i, k);
	for (int i = 0; i < 2 * NREQ; i++)
		ub_req_free(&u[i]);
	free(u);
}

struct dirty_check {
	struct blk_dirty *d[2];
	int missing; /* done() ran with a bit of its range not set */
};

/* done(): both bitmaps must hold every block of the request; take them,
 * so that the next request's check is its own. */
static void check_marked(struct ub_req *u)
{
	struct dirty_check *c = u->ctx;

	for (int k = 0; k < 2; k++) {
		struct blk_dirty *d = c->d[k];

		for (uint64_t i = u->r.off / d->gran; i <= (u->r.off + u->r.len - 1) / d->gran;
		     i++)
			if (!blk_dirty_take(d, i))
				c->missing++;
	}
}

/* Every write, write-zeroes and discard (a failed write too) has marked
 * every attached bitmap when its done() runs; reads and flushes mark
 * nothing; a detached bitmap is left alone. */
static void test_bd_dirty(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 4 * MiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT,
				      BLK_ERR_REPORT);
	struct dirty_check c = { { blk_dirty_new(4 * MiB, 4096), blk_dirty_new(4 * MiB, 64 * KiB) },
				 0 };
	struct blk_dirty *other = blk_dirty_new(4 * MiB, 4096);
	struct ub_req u[40];
	int count = 0;

	assert_non_null(c.d[0]);
	assert_non_null(c.d[1]);
	assert_non_null(other);
	blockdev_dirty_attach(bd, c.d[0]);
	blockdev_dirty_attach(bd, other);
	blockdev_dirty_attach(bd, c.d[1]);
	blockdev_dirty_detach(bd, other); /* from the middle of the list */
	for (int i = 0; i < 40; i++) {
		/* 24 writes, 8 write-zeroes, 8 discards, all 4 KiB apart... */
		enum blk_op op = i < 24 ? BLK_OP_WRITE : i < 32 ? BLK_OP_ZERO : BLK_OP_DISCARD;

		/* ... 96 KiB apart: no two share a 64 KiB block */
		ub_req_init(&u[i], op, (uint64_t)i * 96 * KiB + 512, 4096, &count);
		u[i].check = check_marked;
		u[i].ctx = &c;
		blockdev_submit(bd, &u[i].r);
	}
	assert_true(ub_pump(bd, &count, 40));
	assert_int_equal(c.missing, 0);
	assert_int_equal(blk_dirty_count(c.d[0]), 0); /* every bit was its own */
	assert_int_equal(blk_dirty_count(c.d[1]), 0);
	assert_int_equal(blk_dirty_count(other), 0);

	/* a failed write marks too (it may have landed in part) */
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, EIO, 0, 1), 0);
	count = 0;
	ub_req_free(&u[0]);
	ub_req_init(&u[0], BLK_OP_WRITE, 900 * KiB, 4096, &count);
	u[0].check = check_marked;
	u[0].ctx = &c;
	blockdev_submit(bd, &u[0].r);
	assert_true(ub_pump(bd, &count, 1));
	assert_int_equal(u[0].ret, -EIO);
	assert_int_equal(c.missing, 0);

	/* reads and flushes mark nothing */
	count = 0;
	ub_req_free(&u[0]);
	ub_req_free(&u[1]);
	ub_req_init(&u[0], BLK_OP_READ, 0, 64 * KiB, &count);
	ub_req_init(&u[1], BLK_OP_FLUSH, 0, 0, &count);
	blockdev_submit(bd, &u[0].r);
	blockdev_submit(bd, &u[1].r);
	assert_true(ub_pump(bd, &count, 2));
	assert_int_equal(blk_dirty_count(c.d[0]), 0);
	assert_int_equal(blk_dirty_count(c.d[1]), 0);

	blockdev_dirty_detach(bd, c.d[0]);
	blockdev_dirty_detach(bd, c.d[1]);
	assert_null(bd->dirty);
	for (int i = 0; i < 40; i++)
		ub_req_free(&u[i]);
	blk_dirty_free(c.d[0]);
	blk_dirty_free(c.d[1]);
	blk_dirty_free(other);
}

/* report: done() gets -errno; ignore: done() gets 0; both tell the hook. */
static void test_bd_report_ignore(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITEBACK, BLK_ERR_IGNORE,
				      BLK_ERR_REPORT);
	struct err_log log = { 0 };
	struct ub_req rd, wr, fl;
	int count = 0;

	blockdev_set_error_hook(bd, on_error, &log);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, 1), 0);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, ENOSPC, 0, 1), 0);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_FLUSH, EIO, 0, 1), 0);
	ub_req_init(&rd, BLK_OP_READ, 0, 4096, &count);
	ub_req_init(&wr, BLK_OP_WRITE, 4096, 4096, &count);
	ub_req_init(&fl, BLK_OP_FLUSH, 0, 0, &count);
	memset(wr.buf, 0x11, 4096);
	blockdev_submit(bd, &rd.r);
	assert_true(ub_pump(bd, &count, 1));
	blockdev_submit(bd, &wr.r);
	assert_true(ub_pump(bd, &count, 2));
	blockdev_submit(bd, &fl.r);
	assert_true(ub_pump(bd, &count, 3));
	assert_int_equal(rd.ret, -EIO);       /* rerror=report */
	assert_int_equal(wr.ret, 0);          /* werror=ignore */
	assert_int_equal(fl.ret, 0);          /* a flush follows werror */
	assert_int_equal(log.calls, 3);
	assert_int_equal(log.act[0], BLK_ACT_REPORT);
	assert_int_equal(log.ret[0], -EIO);
	assert_int_equal(log.act[1], BLK_ACT_IGNORE);
	assert_int_equal(log.ret[1], -ENOSPC);
	assert_int_equal(log.act[2], BLK_ACT_IGNORE);
	assert_int_equal(bd->failed_ops, 3);
	assert_true(ub_is_zero_file(f->img, 4096, 4096)); /* the write never landed */
	assert_int_equal(blockdev_held(bd), 0);

	/* the faults are spent: the same requests succeed */
	count = 0;
	blockdev_submit(bd, &rd.r);
	blockdev_submit(bd, &wr.r);
	assert_true(ub_pump(bd, &count, 2));
	assert_int_equal(rd.ret, 0);
	assert_int_equal(wr.ret, 0);
	assert_int_equal(log.calls, 3);
	ub_pread(f->img, rd.buf, 4096, 4096);
	for (int k = 0; k < 4096; k++)
		assert_int_equal(rd.buf[k], 0x11);
	ub_req_free(&rd);
	ub_req_free(&wr);
}

/* stop (and enospc on ENOSPC): the request is held, done() not called,
 * the hook told STOP; a retry while the fault lasts is held again; once
 * it is gone the retry succeeds and done() runs once. */
static void check_stop(struct fx *f, enum blk_err_policy werror, int err)
{
	struct blockdev *bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITEBACK, werror, BLK_ERR_STOP);
	struct err_log log = { 0 };
	struct ub_req wr[2], rd;
	int count = 0;

	blockdev_set_error_hook(bd, on_error, &log);
	ub_fill(f->img, 0, 64 * KiB, 40);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, err, 0, -1), 0);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, 1), 0);
	for (int i = 0; i < 2; i++) {
		ub_req_init(&wr[i], BLK_OP_WRITE, (uint64_t)i * 8192, 8192, &count);
		ub_pattern(wr[i].buf, 8192, (uint64_t)i * 8192, 41);
		blockdev_submit(bd, &wr[i].r);
	}
	ub_req_init(&rd, BLK_OP_READ, 32 * KiB, 4096, &count);
	blockdev_submit(bd, &rd.r);
	/* bounded: the three failures reach the hook */
	for (int i = 0; i < UB_MAX_POLLS && log.calls < 3; i++)
		ub_pump_for(bd, 50);
	assert_int_equal(log.calls, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(log.act[i], BLK_ACT_STOP);
	assert_int_equal(count, 0); /* no done() */
	assert_int_equal(blockdev_held(bd), 3);
	assert_true(ub_has_pattern(f->img, 0, 64 * KiB, 40));

	/* the VM resumes with the write fault still there: held again */
	assert_int_equal(blockdev_retry_held(bd), 3);
	for (int i = 0; i < UB_MAX_POLLS && log.calls < 5; i++)
		ub_pump_for(bd, 50);
	assert_true(ub_pump(bd, &count, 1)); /* the read: its fault was count 1 */
	assert_int_equal(rd.done, 1);
	assert_int_equal(rd.ret, 0);
	for (size_t k = 0; k < 4096; k++)
		assert_int_equal(rd.buf[k], ub_byte(32 * KiB + k, 40));
	assert_int_equal(log.calls, 5);
	assert_int_equal(blockdev_held(bd), 2);
	assert_int_equal(wr[0].done + wr[1].done, 0);

	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, 0, 0, 0), 0);
	assert_int_equal(blockdev_retry_held(bd), 2);
	assert_true(ub_pump(bd, &count, 3));
	ub_pump_for(bd, 20);
	assert_int_equal(count, 3);
	assert_int_equal(blockdev_held(bd), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(wr[i].done, 1);
		assert_int_equal(wr[i].ret, 0);
	}
	assert_true(ub_has_pattern(f->img, 0, 16 * KiB, 41));
	assert_true(ub_has_pattern(f->img, 16 * KiB, 48 * KiB, 40));
	assert_int_equal(log.calls, 5);
	assert_int_equal(blockdev_retry_held(bd), 0);
	for (int i = 0; i < 2; i++)
		ub_req_free(&wr[i]);
	ub_req_free(&rd);
}

static void test_bd_stop(void **state)
{
	check_stop(*state, BLK_ERR_STOP, EIO);
}

static void test_bd_enospc(void **state)
{
	struct fx *f = *state;
	struct err_log log = { 0 };
	struct ub_req wr;
	int count = 0;

	check_stop(f, BLK_ERR_ENOSPC, ENOSPC);
	/* anything but ENOSPC is reported */
	blockdev_set_error_hook(&f->bd, on_error, &log);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, EIO, 0, 1), 0);
	ub_req_init(&wr, BLK_OP_WRITE, 0, 4096, &count);
	blockdev_submit(&f->bd, &wr.r);
	assert_true(ub_pump(&f->bd, &count, 1));
	assert_int_equal(wr.ret, -EIO);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.act[0], BLK_ACT_REPORT);
	assert_int_equal(blockdev_held(&f->bd), 0);
	ub_req_free(&wr);
}

/* Quiesced, requests wait in the queue without reaching the image (the
 * reads would consume a fault, the writes change the file); unquiesced,
 * they run. Nested quiesce needs as many unquiesces. */
static void test_bd_quiesce(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT,
				      BLK_ERR_REPORT);
	struct ub_req u[8];
	int count = 0;

	blockdev_quiesce(bd);
	blockdev_quiesce(bd);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_READ, EIO, 0, 1), 0);
	for (int i = 0; i < 8; i++) {
		ub_req_init(&u[i], i < 6 ? BLK_OP_WRITE : BLK_OP_READ, (uint64_t)i * 4096, 4096,
			    &count);
		if (i < 6)
			memset(u[i].buf, 0x40 + i, 4096);
		blockdev_submit(bd, &u[i].r);
	}
	ub_pump_for(bd, 200);
	assert_int_equal(count, 0);
	assert_int_equal(bd->queued, 8);
	assert_int_equal(bd->in_flight, 0);
	assert_true(ub_is_zero_file(f->img, 0, 64 * KiB));
	blockdev_drain(bd); /* quiesced: does not wait for the queue */
	assert_int_equal(count, 0);
	blockdev_unquiesce(bd);
	ub_pump_for(bd, 100);
	assert_int_equal(count, 0);
	assert_int_equal(bd->queued, 8);
	assert_true(ub_is_zero_file(f->img, 0, 64 * KiB));

	blockdev_unquiesce(bd);
	assert_true(ub_pump(bd, &count, 8));
	assert_int_equal(bd->queued, 0);
	for (int i = 0; i < 6; i++) {
		uint8_t b[4096];

		assert_int_equal(u[i].ret, 0);
		ub_pread(f->img, b, 4096, (uint64_t)i * 4096);
		for (int k = 0; k < 4096; k++)
			assert_int_equal(b[k], 0x40 + i);
	}
	/* exactly one of the reads met the fault (and only now) */
	assert_int_equal(u[6].ret + u[7].ret, -EIO);
	for (int i = 0; i < 8; i++)
		ub_req_free(&u[i]);
}

/* A write hook that holds its request in flight until the test lets it. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	int before, after, entered;
	int after_ret;
	const void *token_seen;
};

static void *gate_before(void *opaque, const struct blk_req *r)
{
	struct gate *g = opaque;

	(void)r;
	pthread_mutex_lock(&g->lock);
	g->before++;
	g->entered++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return g;
}

static void gate_after(void *opaque, const struct blk_req *r, void *token)
{
	struct gate *g = opaque;

	pthread_mutex_lock(&g->lock);
	g->after++;
	g->after_ret = r->ret;
	g->token_seen = token;
	pthread_mutex_unlock(&g->lock);
}

struct quiescer {
	struct blockdev *bd;
	atomic_bool returned;
};

static void *quiesce_main(void *arg)
{
	struct quiescer *q = arg;

	blockdev_quiesce(q->bd);
	atomic_store(&q->returned, true);
	return NULL;
}

/* Quiesce waits for a request in flight (held in the hook); hooks see
 * writes, write-zeroes and discards with their result, never reads or
 * flushes. */
static void test_bd_quiesce_waits(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT,
				      BLK_ERR_REPORT);
	struct gate g = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	struct blk_write_hook h = { gate_before, gate_after, &g };
	struct quiescer q = { bd, false };
	struct ub_req wr, rd, fl, zr, dc;
	pthread_t th;
	int count = 0, entered;

	blockdev_quiesce(bd);
	blockdev_set_write_hook(bd, &h);
	blockdev_unquiesce(bd);
	ub_req_init(&wr, BLK_OP_WRITE, 0, 4096, &count);
	memset(wr.buf, 0x33, 4096);
	blockdev_submit(bd, &wr.r);
	pthread_mutex_lock(&g.lock);
	for (int i = 0; i < 200 && !g.entered; i++) { /* bounded: 20 s */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&g.cond, &g.lock, &ts);
	}
	entered = g.entered;
	pthread_mutex_unlock(&g.lock);
	assert_int_equal(entered, 1);
	assert_int_equal(bd->in_flight, 1);

	assert_int_equal(pthread_create(&th, NULL, quiesce_main, &q), 0);
	ub_pump_for(bd, 200);
	assert_false(atomic_load(&q.returned)); /* the write is still in flight */
	assert_int_equal(count, 0);
	pthread_mutex_lock(&g.lock);
	g.open = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	for (int i = 0; i < 2000 && !atomic_load(&q.returned); i++)
		ub_pump_for(bd, 10);
	assert_true(atomic_load(&q.returned));
	pthread_join(th, NULL);
	assert_int_equal(bd->in_flight, 0);
	blockdev_unquiesce(bd);
	assert_true(ub_pump(bd, &count, 1));
	assert_int_equal(wr.ret, 0);
	assert_int_equal(g.after, 1);
	assert_int_equal(g.after_ret, 0);
	assert_ptr_equal(g.token_seen, &g);

	ub_req_init(&rd, BLK_OP_READ, 0, 4096, &count);
	ub_req_init(&fl, BLK_OP_FLUSH, 0, 0, &count);
	ub_req_init(&zr, BLK_OP_ZERO, 8192, 4096, &count);
	ub_req_init(&dc, BLK_OP_DISCARD, 16384, 4096, &count);
	blockdev_submit(bd, &rd.r);
	blockdev_submit(bd, &fl.r);
	assert_true(ub_pump(bd, &count, 3));
	assert_int_equal(g.before, 1); /* reads and flushes pass by */
	blockdev_submit(bd, &zr.r);
	blockdev_submit(bd, &dc.r);
	assert_true(ub_pump(bd, &count, 5));
	assert_int_equal(g.before, 3);
	assert_int_equal(g.after, 3);
	/* a failed write: after() is told so */
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_WRITE, EIO, 0, 1), 0);
	blockdev_submit(bd, &wr.r);
	assert_true(ub_pump(bd, &count, 6));
	assert_int_equal(wr.ret, -EIO);
	assert_int_equal(g.after, 4);
	assert_int_equal(g.after_ret, -EIO);

	blockdev_quiesce(bd);
	blockdev_set_write_hook(bd, NULL);
	blockdev_unquiesce(bd);
	blockdev_submit(bd, &wr.r);
	assert_true(ub_pump(bd, &count, 7));
	assert_int_equal(g.before, 4);
	ub_req_free(&wr);
	ub_req_free(&rd);
}

/* Swapped under quiesce: requests queued meanwhile and later ones go to
 * the new image, none to the old. */
static void test_bd_swap(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT,
				      BLK_ERR_REPORT);
	struct blk_image *im2, *old;
	struct ub_req w1, w2, rd;
	int count = 0;

	create_img(f->img2, 64 * KiB);
	ub_fill(f->img2, 0, 64 * KiB, 50);
	im2 = open_img(f->img2, 0);
	blockdev_quiesce(bd);
	ub_req_init(&w1, BLK_OP_WRITE, 0, 4096, &count);
	ub_pattern(w1.buf, 4096, 0, 51);
	blockdev_submit(bd, &w1.r); /* queued before the swap */
	old = blockdev_swap_image(bd, im2);
	assert_string_equal(old->path, f->img);
	blockdev_unquiesce(bd);
	ub_req_init(&w2, BLK_OP_WRITE, 8192, 4096, &count);
	ub_pattern(w2.buf, 4096, 8192, 51);
	blockdev_submit(bd, &w2.r);
	ub_req_init(&rd, BLK_OP_READ, 32 * KiB, 4096, &count);
	blockdev_submit(bd, &rd.r);
	assert_true(ub_pump(bd, &count, 3));
	assert_int_equal(w1.ret + w2.ret + rd.ret, 0);
	for (size_t k = 0; k < 4096; k++)
		assert_int_equal(rd.buf[k], ub_byte(32 * KiB + k, 50));
	assert_true(ub_has_pattern(f->img2, 0, 4096, 51));
	assert_true(ub_has_pattern(f->img2, 4096, 4096, 50));
	assert_true(ub_has_pattern(f->img2, 8192, 4096, 51));
	assert_true(ub_is_zero_file(f->img, 0, 64 * KiB));
	assert_int_equal(ub_allocated(f->img), 0);
	blk_image_close(old);
	ub_req_free(&w1);
	ub_req_free(&w2);
	ub_req_free(&rd);
}

/* Drain: when it returns, every request submitted before has completed
 * (done() run) without the test polling. */
static void test_bd_drain(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd = open_bd(f, 1 * MiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT,
				      BLK_ERR_REPORT);
	struct ub_req u[32];
	int count = 0;

	for (int round = 0; round < 3; round++) {
		count = 0;
		for (int i = 0; i < 32; i++) {
			ub_req_init(&u[i], BLK_OP_WRITE, (uint64_t)i * 16 * KiB, 16 * KiB, &count);
			ub_pattern(u[i].buf, 16 * KiB, (uint64_t)i * 16 * KiB, 60 + (unsigned)round);
			blockdev_submit(bd, &u[i].r);
		}
		blockdev_drain(bd);
		assert_int_equal(count, 32);
		assert_int_equal(bd->in_flight + bd->queued, 0);
		for (int i = 0; i < 32; i++) {
			assert_int_equal(u[i].ret, 0);
			ub_req_free(&u[i]);
		}
		assert_true(ub_has_pattern(f->img, 0, 512 * KiB, 60 + (unsigned)round));
	}
	blockdev_drain(bd); /* nothing to do */
	assert_int_equal(count, 32);
}

static int submit_one(struct blockdev *bd, enum blk_op op, uint64_t off)
{
	struct ub_req u;
	int count = 0, ret;

	ub_req_init(&u, op, off, op == BLK_OP_FLUSH ? 0 : 4096, &count);
	blockdev_submit(bd, &u.r);
	assert_true(ub_pump(bd, &count, 1));
	ret = u.ret;
	ub_req_free(&u);
	return ret;
}

/* What fault injection on flush shows of the cache modes: writethrough
 * flushes after every write, unsafe never flushes, writeback only when
 * asked. */
static void test_bd_cache_modes(void **state)
{
	struct fx *f = *state;
	struct blockdev *bd;
	enum blk_cache c;

	assert_int_equal(blk_parse_cache("writethrough", &c), 0);
	assert_int_equal(c, BLK_CACHE_WRITETHROUGH);
	assert_int_equal(blk_parse_cache("unsafe", &c), 0);
	assert_int_equal(c, BLK_CACHE_UNSAFE);
	assert_int_equal(blk_parse_cache("bogus", &c), -1);
	assert_string_equal(blk_cache_name(BLK_CACHE_DIRECTSYNC), "directsync");

	bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITEBACK, BLK_ERR_REPORT, BLK_ERR_REPORT);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_FLUSH, EIO, 0, -1), 0);
	assert_int_equal(submit_one(bd, BLK_OP_WRITE, 0), 0);
	assert_int_equal(submit_one(bd, BLK_OP_ZERO, 0), 0);
	assert_int_equal(submit_one(bd, BLK_OP_FLUSH, 0), -EIO);
	blockdev_close(bd);
	f->bd_open = false;

	bd = open_bd(f, 64 * KiB, BLK_CACHE_WRITETHROUGH, BLK_ERR_REPORT, BLK_ERR_REPORT);
	assert_int_equal(submit_one(bd, BLK_OP_WRITE, 0), -EIO);
	assert_int_equal(submit_one(bd, BLK_OP_DISCARD, 0), -EIO);
	assert_int_equal(submit_one(bd, BLK_OP_READ, 0), 0);
	assert_int_equal(submit_one(bd, BLK_OP_FLUSH, 0), -EIO);
	blockdev_close(bd);
	f->bd_open = false;

	bd = open_bd(f, 64 * KiB, BLK_CACHE_UNSAFE, BLK_ERR_REPORT, BLK_ERR_REPORT);
	assert_int_equal(submit_one(bd, BLK_OP_WRITE, 0), 0);
	assert_int_equal(submit_one(bd, BLK_OP_FLUSH, 0), 0);
	assert_int_equal(bd->flush_ops, 1);
	assert_int_equal(bd->image->flags & BLK_IMG_DIRECT, 0);
	assert_int_equal(blk_fault_set(f->img, BLK_FAULT_FLUSH, 0, 0, 0), 0);
	blockdev_close(bd);
	f->bd_open = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rw_iovecs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_punches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_bounce, setup, teardown),
		cmocka_unit_test(test_short_transfers),
		cmocka_unit_test(test_bounce_alignment),
		cmocka_unit_test(test_buf_is_zero),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test(test_dirty_basic),
		cmocka_unit_test(test_dirty_threads),
		cmocka_unit_test_setup_teardown(test_bd_concurrent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_dirty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_report_ignore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_quiesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_quiesce_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bd_cache_modes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
