/*
 * test_resident.c - guest pages the host has swapped out must migrate as
 * data (migration/resident.c, migration/ram.c).
 *
 * The residency scan is checked on a written page, a never-touched page, a
 * page only read (the host maps its shared zero page) and, when swap can be
 * enabled, a page pushed out with MADV_PAGEOUT. Then the first pre-copy
 * round of a whole 16 MiB machine goes over a socketpair (ram_sender ->
 * ram_recv_section on a second machine, in a thread) with some of the
 * source's pages swapped out: the destination must end with the source's
 * bytes. The mirror case: the destination loaded a page itself, the host
 * swapped it out, and a zero run for it arrives; it must end up zero.
 *
 * Swap: as root, a 32 MiB swap file in a fresh directory under /var/tmp
 * (mkswap + swapon), with zswap turned on for the duration if the kernel
 * has it and it is off (without it a page written to a swap file stays in
 * the swap cache until memory pressure, and mincore() still calls it
 * resident). Torn down in the group teardown, at exit and on SIGINT, SIGTERM
 * and SIGHUP. When swap cannot be had the swap tests skip with the reason
 * on a "# skip NAME: why" line.
 */
#include "unit_machine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>

#include "migration/ram.h"
#include "migration/resident.h"
#include "migration/stream.h"

#define PAGE 4096u
#define SWAP_SIZE (32u << 20)
#define NSWAPPED 16
#define ZSWAP "/sys/module/zswap/parameters/enabled"

static char swap_dir[64], swap_file[96];
static volatile sig_atomic_t swap_active, zswap_changed;
static char swap_why[160] = "not tried";

/* ---- a temporary swap area ------------------------------------------- */

/* Async-signal-safe: used from the handlers as well. */
static void swap_teardown(void)
{
	if (swap_active) {
		swapoff(swap_file);
		swap_active = 0;
	}
	if (zswap_changed) {
		int fd = open(ZSWAP, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "N", 1) < 0) {
				/* nothing more to do from here */
			}
			close(fd);
		}
		zswap_changed = 0;
	}
	if (swap_file[0]) {
		unlink(swap_file);
		swap_file[0] = 0;
	}
	if (swap_dir[0]) {
		rmdir(swap_dir);
		swap_dir[0] = 0;
	}
}

static void on_signal(int sig)
{
	swap_teardown();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void zswap_on(void)
{
	char v = 0;
	int fd = open(ZSWAP, O_RDWR);

	if (fd < 0)
		return;
	if (read(fd, &v, 1) == 1 && v == 'N' && pwrite(fd, "Y", 1, 0) == 1)
		zswap_changed = 1;
	close(fd);
}

/* 0 with swap on, else -1 with the reason in swap_why. */
static int swap_setup(void)
{
	char cmd[160];
	int fd;

	if (geteuid() != 0) {
		snprintf(swap_why, sizeof(swap_why), "not root: cannot enable swap");
		return -1;
	}
	atexit(swap_teardown);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	strcpy(swap_dir, "/var/tmp/godwit-swap-XXXXXX");
	if (!mkdtemp(swap_dir)) {
		swap_dir[0] = 0;
		snprintf(swap_why, sizeof(swap_why), "mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(swap_file, sizeof(swap_file), "%s/swap", swap_dir);
	fd = open(swap_file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || posix_fallocate(fd, 0, SWAP_SIZE)) {
		snprintf(swap_why, sizeof(swap_why), "cannot allocate a swap file in %s", swap_dir);
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "mkswap %s >/dev/null 2>&1", swap_file);
	if (system(cmd) != 0) {
		snprintf(swap_why, sizeof(swap_why), "mkswap failed (is util-linux installed?)");
		goto fail;
	}
	if (swapon(swap_file, 0)) {
		snprintf(swap_why, sizeof(swap_why), "swapon: %s", strerror(errno));
		goto fail;
	}
	swap_active = 1;
	zswap_on();
	return 0;
fail:
	swap_teardown();
	return -1;
}

static int group_setup(void **state)
{
	(void)state;
	swap_setup(); /* the swap tests skip when it failed */
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	swap_teardown();
	return 0;
}

#define NEED_SWAP(name)                                                     \
	do {                                                                \
		if (!swap_active) {                                         \
			print_message("# skip %s: %s\n", name, swap_why);   \
			skip();                                             \
		}                                                           \
	} while (0)

/* Push [p, p + pages) out; how many of the pages mincore() now calls
 * non-resident (the pages the old sender would have sent as zeros). */
static int page_out(uint8_t *p, uint64_t pages)
{
	unsigned char vec[64];
	int gone = 0;

	assert_true(pages <= sizeof(vec));
	assert_int_equal(madvise(p, pages * PAGE, MADV_PAGEOUT), 0);
	assert_int_equal(mincore(p, pages * PAGE, vec), 0);
	for (uint64_t i = 0; i < pages; i++)
		gone += !(vec[i] & 1);
	return gone;
}

static void fill(uint8_t *p, unsigned seed)
{
	for (unsigned i = 0; i < PAGE; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + 1);
}

/* ---- the scan itself -------------------------------------------------- */

static void test_scan_plain(void **state)
{
	uint8_t *p, vec[8];
	volatile uint8_t sink;

	(void)state;
	p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(p != MAP_FAILED);
	madvise(p, 8 * PAGE, MADV_NOHUGEPAGE);
	fill(p, 1);          /* page 0: written */
	p[2 * PAGE + 5] = 0; /* page 2: written with zero, still a frame */
	sink = p[4 * PAGE];  /* page 4: read only (the shared zero page) */
	(void)sink;
	assert_int_equal(ram_resident_scan(p, 8, vec), 0);
	assert_int_equal(vec[0], 1);
	assert_int_equal(vec[1], 0);
	assert_int_equal(vec[2], 1);
	assert_int_equal(vec[3], 0);
	assert_int_equal(vec[4], 1);
	for (int i = 5; i < 8; i++)
		assert_int_equal(vec[i], 0);
	/* an offset start: the vector is relative to addr */
	assert_int_equal(ram_resident_scan(p + 2 * PAGE, 3, vec), 0);
	assert_int_equal(vec[0], 1);
	assert_int_equal(vec[1], 0);
	assert_int_equal(vec[2], 1);
	munmap(p, 8 * PAGE);
}

static void test_scan_swapped(void **state)
{
	uint8_t *p, vec[8];
	int gone;

	(void)state;
	NEED_SWAP("test_scan_swapped");
	p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(p != MAP_FAILED);
	madvise(p, 8 * PAGE, MADV_NOHUGEPAGE);
	for (int i = 0; i < 8; i += 2)
		fill(p + i * PAGE, (unsigned)i);
	gone = page_out(p, 8);
	print_message("# test_scan_swapped: mincore calls %d of 8 pages non-resident (4 hold data)\n",
		      gone);
	assert_int_equal(ram_resident_scan(p, 8, vec), 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(vec[i], i % 2 == 0);
	for (int i = 0; i < 8; i += 2) { /* and the data came back intact */
		uint8_t want[PAGE];
		fill(want, (unsigned)i);
		assert_memory_equal(p + i * PAGE, want, PAGE);
	}
	munmap(p, 8 * PAGE);
}

/* ---- a first round over a socketpair --------------------------------- */

struct rx {
	struct machine *m;
	struct mig_chan ch;
	struct ram_receiver rr;
	int rc;
	char err[256];
};

/* Receive RAM sections until every page of the machine has come. */
static void *rx_main(void *arg)
{
	struct rx *x = arg;

	x->rc = -1;
	while (x->rr.pages < x->m->ram_pages) {
		struct mig_hdr h;

		if (mig_recv_hdr(&x->ch, &h, RAM_SECTION_MAX))
			goto out;
		if (h.type != MIG_SEC_RAM) {
			snprintf(x->ch.err, sizeof(x->ch.err), "section type %u", h.type);
			goto out;
		}
		if (ram_recv_section(&x->rr, &x->ch, &h))
			goto out;
	}
	x->rc = 0;
out:
	snprintf(x->err, sizeof(x->err), "%s", x->ch.err);
	return NULL;
}

/* One first round of src into dst, whose receiver was set up by the
 * caller (rx->rr); returns the sender's data page count. */
static uint64_t first_round(struct machine *src, struct rx *x)
{
	struct mig_chan ch;
	struct ram_sender s;
	uint64_t words = (src->ram_pages + 63) / 64, data;
	uint64_t *all = malloc(words * 8);
	pthread_t t;
	int sv[2];

	assert_non_null(all);
	memset(all, 0xff, words * 8);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(mig_chan_init(&ch, sv[0], NULL, 5000), 0);
	assert_int_equal(mig_chan_init(&x->ch, sv[1], NULL, 5000), 0);
	assert_int_equal(pthread_create(&t, NULL, rx_main, x), 0);
	assert_int_equal(ram_sender_init(&s, src, &ch), 0);
	if (ram_send_bitmap(&s, all, true))
		print_error("send: %s\n", ch.err);
	data = s.data_pages;
	ram_sender_destroy(&s);
	pthread_join(t, NULL);
	mig_chan_close(&ch);
	mig_chan_close(&x->ch);
	free(all);
	if (x->rc)
		print_error("receive: %s\n", x->err);
	assert_int_equal(x->rc, 0);
	return data;
}

/* Guest pages spread over RAM (never the first: the kernel word). */
static uint64_t victim(int i)
{
	return 16 + (uint64_t)i * 97;
}

static void test_send_swapped(void **state)
{
	struct machine *src = state[0], *dst;
	static const uint32_t spin = 0x0000006f;
	struct rx x;
	uint64_t data;
	int gone = 0;

	NEED_SWAP("test_send_swapped");
	madvise(src->ram.host, src->ram.size, MADV_NOHUGEPAGE);
	for (int i = 0; i < NSWAPPED; i++)
		fill(src->ram.host + victim(i) * PAGE, (unsigned)i + 7);
	for (int i = 0; i < NSWAPPED; i++)
		gone += page_out(src->ram.host + victim(i) * PAGE, 1);
	if (gone == 0) {
		print_message("# skip test_send_swapped: the kernel kept the pages resident "
			      "(swap cache) after MADV_PAGEOUT\n");
		skip();
	}
	print_message("# test_send_swapped: %d of %d pages swapped out (mincore)\n", gone,
		      NSWAPPED);
	dst = um_create(&spin, sizeof(spin));
	assert_non_null(dst);
	memset(&x, 0, sizeof(x));
	x.m = dst;
	assert_int_equal(ram_receiver_init(&x.rr, dst), 0);
	data = first_round(src, &x);
	ram_receiver_destroy(&x.rr);
	for (int i = 0; i < NSWAPPED; i++) {
		uint8_t want[PAGE];

		fill(want, (unsigned)i + 7);
		if (memcmp(dst->ram.host + victim(i) * PAGE, want, PAGE)) {
			print_error("guest page %llu (swapped out on the source) arrived as "
				    "zeros or wrong; the sender sent %llu data pages\n",
				    (unsigned long long)victim(i), (unsigned long long)data);
			fail();
		}
	}
	assert_true(data >= NSWAPPED);
	machine_destroy(dst);
	free(dst);
}

/* The destination loaded pages itself, the host swapped them out; the
 * source has them zero: they must be zero after the round. */
static void test_recv_swapped_touched(void **state)
{
	struct machine *src = state[0], *dst;
	static const uint32_t spin = 0x0000006f;
	struct rx x;
	int gone = 0;

	NEED_SWAP("test_recv_swapped_touched");
	dst = um_create(&spin, sizeof(spin));
	assert_non_null(dst);
	madvise(dst->ram.host, dst->ram.size, MADV_NOHUGEPAGE);
	for (int i = 0; i < NSWAPPED; i++)
		fill(dst->ram.host + victim(i) * PAGE, (unsigned)i + 3);
	for (int i = 0; i < NSWAPPED; i++)
		gone += page_out(dst->ram.host + victim(i) * PAGE, 1);
	if (gone == 0) {
		machine_destroy(dst);
		free(dst);
		print_message("# skip test_recv_swapped_touched: the kernel kept the pages "
			      "resident (swap cache) after MADV_PAGEOUT\n");
		skip();
	}
	memset(&x, 0, sizeof(x));
	x.m = dst;
	assert_int_equal(ram_receiver_init(&x.rr, dst), 0);
	first_round(src, &x);
	ram_receiver_destroy(&x.rr);
	for (int i = 0; i < NSWAPPED; i++) {
		const uint8_t *pg = dst->ram.host + victim(i) * PAGE;
		for (unsigned b = 0; b < PAGE; b++)
			if (pg[b]) {
				print_error("guest page %llu kept the destination's own data "
					    "(swapped out before the round) instead of the "
					    "source's zeros\n", (unsigned long long)victim(i));
				fail();
			}
	}
	machine_destroy(dst);
	free(dst);
}

/* A source whose RAM is untouched except the kernel word: a plain round
 * still works and sends (almost) nothing as data. */
static void test_send_plain(void **state)
{
	struct machine *src = state[0], *dst;
	static const uint32_t spin = 0x0000006f;
	struct rx x;
	uint64_t data;

	fill(src->ram.host + 5 * PAGE, 99);
	dst = um_create(&spin, sizeof(spin));
	assert_non_null(dst);
	memset(&x, 0, sizeof(x));
	x.m = dst;
	assert_int_equal(ram_receiver_init(&x.rr, dst), 0);
	data = first_round(src, &x);
	ram_receiver_destroy(&x.rr);
	assert_memory_equal(dst->ram.host, src->ram.host, 8 * PAGE);
	assert_true(data >= 2 && data < 64);
	machine_destroy(dst);
	free(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_plain),
		cmocka_unit_test(test_scan_swapped),
		cmocka_unit_test_setup_teardown(test_send_plain, um_setup, um_teardown),
		cmocka_unit_test_setup_teardown(test_send_swapped, um_setup, um_teardown),
		cmocka_unit_test_setup_teardown(test_recv_swapped_touched, um_setup, um_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
