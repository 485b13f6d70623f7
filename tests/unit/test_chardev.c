/*
 * test_chardev.c - the console backends' output ring (src/chardev): a sink
 * that stops reading makes the backend busy without blocking, room coming
 * back calls writable() once, nothing is lost while the frontend respects
 * busy, bytes past the ring are counted, and the -serial/-chardev
 * spellings parse as QEMU's do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "chardev/chardev.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char dir[64], fifo[96];
	int rfd;
	struct chardev c;
	int writable_calls;
};

static void on_writable(void *opaque)
{
	((struct fixture *)opaque)->writable_calls++;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct chardev_config cfg = { .kind = CHARDEV_FILE };
	struct chardev_frontend fe = { NULL, NULL, on_writable, NULL };
	char err[256];

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/godwit-chardev-XXXXXX");
	if (!mkdtemp(f->dir))
		goto out_free;
	snprintf(f->fifo, sizeof(f->fifo), "%s/fifo", f->dir);
	if (mkfifo(f->fifo, 0600))
		goto out_dir;
	f->rfd = open(f->fifo, O_RDONLY | O_NONBLOCK);
	if (f->rfd < 0)
		goto out_fifo;
	snprintf(cfg.path, sizeof(cfg.path), "%s", f->fifo);
	if (chardev_open(&f->c, &cfg, err, sizeof(err)))
		goto out_rfd;
	fe.opaque = f;
	chardev_set_frontend(&f->c, &fe);
	*state = f;
	return 0;
out_rfd:
	close(f->rfd);
out_fifo:
	unlink(f->fifo);
out_dir:
	rmdir(f->dir);
out_free:
	free(f);
	return -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	chardev_close(&f->c, 0);
	close(f->rfd);
	unlink(f->fifo);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Write byte by byte while not busy, as the UART lets a guest do: the
 * backend turns busy with the pipe and ring full, and never blocks. */
static size_t fill_until_busy(struct fixture *f, uint32_t *seq)
{
	size_t n = 0;

	for (int i = 0; i < 8 * 1024 * 1024 && !chardev_busy(&f->c); i++) {
		uint8_t b = (uint8_t)((*seq)++ * 7);

		assert_int_equal(chardev_write(&f->c, &b, 1), 1);
		n++;
	}
	assert_true(chardev_busy(&f->c));
	return n;
}

/* Read what the pipe holds, letting the backend refill it; returns bytes. */
static size_t drain_some(struct fixture *f, uint32_t *rseq, size_t max)
{
	uint8_t buf[4096];
	size_t total = 0;

	while (total < max) {
		struct pollfd p[CHARDEV_MAX_POLLFDS];
		ssize_t r = read(f->rfd, buf, sizeof(buf));
		int n;

		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			assert_int_equal(buf[i], (uint8_t)((*rseq)++ * 7));
		total += (size_t)r;
		n = chardev_pollfds(&f->c, p, CHARDEV_MAX_POLLFDS, false);
		for (int i = 0; i < n; i++)
			p[i].revents = p[i].events & POLLOUT;
		chardev_dispatch(&f->c, p, n);
	}
	return total;
}

static void test_full_sink_makes_busy_then_writable(void **state)
{
	struct fixture *f = *state;
	uint32_t seq = 0, rseq = 0;
	size_t wrote = fill_until_busy(f, &seq), read_back;

	assert_true(wrote >= CHARDEV_OUT_SIZE - CHARDEV_SLACK);
	assert_int_equal(f->writable_calls, 0);
	read_back = drain_some(f, &rseq, SIZE_MAX);
	assert_false(chardev_busy(&f->c));
	assert_int_equal(f->writable_calls, 1);
	assert_int_equal(read_back, wrote); /* everything, in order */
	assert_int_equal(f->c.dropped, 0);
}

static void test_writes_past_the_ring_are_counted(void **state)
{
	struct fixture *f = *state;
	uint32_t seq = 0;
	uint8_t junk[CHARDEV_SLACK * 2] = { 0 };
	size_t took;

	fill_until_busy(f, &seq);
	took = chardev_write(&f->c, junk, sizeof(junk));
	assert_true(took < sizeof(junk));
	assert_int_equal(f->c.dropped, sizeof(junk) - took);
	assert_int_equal(f->c.len, CHARDEV_OUT_SIZE);
}

static void test_reader_gone_discards(void **state)
{
	struct fixture *f = *state;
	uint32_t seq = 0;
	uint8_t b = 1;

	fill_until_busy(f, &seq);
	close(f->rfd);
	f->rfd = open("/dev/null", O_RDONLY);
	chardev_write(&f->c, &b, 1); /* EPIPE: output stops, busy clears */
	assert_false(chardev_busy(&f->c));
	assert_int_equal(f->writable_calls, 1);
	assert_int_equal(chardev_write(&f->c, &b, 1), 1);
}

static void test_parse_spellings(void **state)
{
	struct chardev_config c;
	char err[256];

	(void)state;
	assert_int_equal(chardev_parse_serial("stdio", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, CHARDEV_STDIO);
	assert_int_equal(chardev_parse_serial("mon:stdio", &c, err, sizeof(err)), 0);
	assert_int_equal(chardev_parse_serial("file:/tmp/x", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, CHARDEV_FILE);
	assert_string_equal(c.path, "/tmp/x");
	assert_int_equal(chardev_parse_serial("unix:/tmp/s,server=on,wait=off", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, CHARDEV_SOCKET);
	assert_false(c.wait);
	assert_int_equal(chardev_parse_serial("unix:/tmp/s,server,nowait", &c, err, sizeof(err)), 0);
	assert_false(c.wait);
	assert_int_equal(chardev_parse_serial("unix:/tmp/s", &c, err, sizeof(err)), -1);
	assert_int_equal(chardev_parse_serial("chardev:c0", &c, err, sizeof(err)), 0);
	assert_int_equal(c.kind, CHARDEV_NONE);
	assert_string_equal(c.id, "c0");
	assert_int_equal(chardev_parse_serial("pty", &c, err, sizeof(err)), -1);
	assert_int_equal(chardev_parse("socket,id=c0,path=/tmp/s,server=on,wait=off", &c, err,
				       sizeof(err)), 0);
	assert_int_equal(c.kind, CHARDEV_SOCKET);
	assert_int_equal(chardev_parse("file,id=c1,path=/tmp/f,append=on", &c, err, sizeof(err)), 0);
	assert_true(c.append);
	assert_int_equal(chardev_parse("null,id=n", &c, err, sizeof(err)), 0);
	assert_int_equal(chardev_parse("null", &c, err, sizeof(err)), -1);
	assert_int_equal(chardev_parse("file,id=f", &c, err, sizeof(err)), -1);
	assert_int_equal(chardev_parse("stdio,id=s,mux=on", &c, err, sizeof(err)), -1);
	assert_int_equal(chardev_parse(",id=x", &c, err, sizeof(err)), -1);
	assert_int_equal(chardev_parse("socket,id=x,path=/tmp/s,wait=", &c, err, sizeof(err)), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_sink_makes_busy_then_writable),
		T(test_writes_past_the_ring_are_counted),
		T(test_reader_gone_discards),
		cmocka_unit_test(test_parse_spellings),
	};

	signal(SIGPIPE, SIG_IGN); /* as godwit-vmm does */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
