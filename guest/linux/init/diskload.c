/*
 * diskload.c - the disk workload of godwit.diskload=RATE_KB_S,SIZE_MB,SECONDS,
 * run in a child process so heartbeats stay on time: it writes a checked
 * pattern to the first SIZE MB of /dev/vda (raw, no file system, O_DIRECT so
 * every write reaches the device) for SECONDS, then reads every block back.
 *
 * Block b (4 KiB) at generation g (how often it was written; 0 = never) is
 * 256 copies of the 16-byte unit { le64 b ^ DL_MAGIC, le64 g }; generation 0
 * is all zeros. The workload keeps every block's generation, so each block
 * can be checked exactly, by the guest and by the host (tests read the image
 * file): a block that holds an older generation, another block's data or a
 * torn mix is wrong. Blocks are rewritten in a pseudo-random order; each is
 * read and checked just before it is rewritten; every 64 writes it flushes
 * (fdatasync), so the flush path is exercised too.
 *
 * Output, once a second: `diskload: N writes, M flushes, verify OK|FAIL`;
 * at the end: `diskload: done, B blocks, N writes, digest HEX, verify
 * OK|FAIL (K bad)` where the digest is the sum over written blocks of
 * mix(b << 32 | g) (mix = splitmix64's finaliser), which the host computes
 * from the image to compare. FAIL is sticky.
 *
 * Write latency: each pwrite (one 4 KiB O_DIRECT block) is timed and counted
 * in bounded log-linear histograms (16 steps per power of two: about 6 %
 * resolution, 1 us to 2^32 us). Once a second, after the line above:
 * `diskload: latency 1s n N p50 A us p99 B us max C us` for that second;
 * at the end the same with `all` for the whole run. Figures are the upper
 * bound of their histogram step; n 0 prints zeros.
 *
 * Console commands (lines on stdin, read each 100 ms tick; echo is turned
 * off so they never break an output line): `mark LABEL` prints the latency
 * line for the writes since the previous mark (or the start) with LABEL in
 * place of `1s`, and starts a new window; `stop` ends the write phase now
 * (the final check follows as usual). Benchmarks use them to get latency
 * for host-chosen windows (before a migration, during the copy) and to end
 * the run when the host is done.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

#define DL_BLOCK 4096u
#define DL_MAGIC 0x474f445749544442ull /* "BDTIWDOG" */
#define DL_DEV "/dev/vda"
#define DL_TICK_NS (100 * GW_NS_PER_MS)
#define DL_FLUSH_EVERY 64
#define DL_HSTEPS 16 /* histogram steps per power of two */
#define DL_HBUCKETS (DL_HSTEPS + 28 * DL_HSTEPS) /* up to 2^32 us */
#define DL_CMD_MAX 64

/* Latency histogram in microseconds: bucket i < 16 holds i us; above, 16
 * steps per power of two. */
struct dl_hist {
	uint32_t n[DL_HBUCKETS];
	uint64_t count;
	uint32_t max;
};

struct dl {
	int fd;
	uint32_t *gen;
	uint32_t nblocks;
	uint8_t *wbuf, *rbuf;
	uint64_t rng;
	uint64_t writes, flushes, bad;
	struct dl_hist sec, win, all;
	char cmd[DL_CMD_MAX];
	size_t cmd_len;
	int stop;
};

static unsigned hist_bucket(uint32_t us)
{
	unsigned e = 31u - (unsigned)__builtin_clz(us | 1u);

	if (us < DL_HSTEPS)
		return us;
	/* e >= 4: the top 4 bits below the leading one pick the step */
	return DL_HSTEPS + (e - 4) * DL_HSTEPS + ((us >> (e - 4)) & (DL_HSTEPS - 1));
}

/* The largest value bucket i holds. */
static uint64_t hist_upper(unsigned i)
{
	unsigned e, step;

	if (i < DL_HSTEPS)
		return i;
	e = (i - DL_HSTEPS) / DL_HSTEPS + 4;
	step = (i - DL_HSTEPS) % DL_HSTEPS;
	return ((uint64_t)(DL_HSTEPS + step + 1) << (e - 4)) - 1;
}

static void hist_add(struct dl_hist *h, uint32_t us)
{
	h->n[hist_bucket(us)]++;
	h->count++;
	if (us > h->max)
		h->max = us;
}

/* The value at or below which a fraction per_mille/1000 of samples lie. */
static uint64_t hist_pct(const struct dl_hist *h, unsigned per_mille)
{
	uint64_t want = (h->count * per_mille + 999) / 1000, seen = 0;

	if (!h->count)
		return 0;
	for (unsigned i = 0; i < DL_HBUCKETS; i++) {
		seen += h->n[i];
		if (seen >= want)
			return hist_upper(i) < h->max ? hist_upper(i) : h->max;
	}
	return h->max;
}

static void hist_say(struct dl_hist *h, const char *label)
{
	gw_say("diskload: latency %s n %llu p50 %llu us p99 %llu us max %u us", label,
	       (unsigned long long)h->count, (unsigned long long)hist_pct(h, 500),
	       (unsigned long long)hist_pct(h, 990), h->max);
	memset(h, 0, sizeof(*h));
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(uint8_t *buf, uint32_t b, uint32_t g)
{
	uint64_t unit[2] = { (uint64_t)b ^ DL_MAGIC, g };

	if (!g) {
		memset(buf, 0, DL_BLOCK);
		return;
	}
	for (unsigned i = 0; i < DL_BLOCK; i += sizeof(unit))
		memcpy(buf + i, unit, sizeof(unit));
}

/* Read block b and compare it with its generation; false if wrong. */
static int check(struct dl *d, uint32_t b)
{
	ssize_t n = pread(d->fd, d->rbuf, DL_BLOCK, (off_t)b * DL_BLOCK);

	fill(d->wbuf, b, d->gen[b]);
	if (n != DL_BLOCK || memcmp(d->rbuf, d->wbuf, DL_BLOCK)) {
		if (!d->bad++)
			gw_say("diskload: block %u: expected generation %u, found %s (%s)", b,
			       d->gen[b], n == DL_BLOCK ? "other data" : "a short read",
			       n < 0 ? strerror(errno) : "");
		return 0;
	}
	return 1;
}

static int write_one(struct dl *d)
{
	uint32_t b;

	d->rng = d->rng * 6364136223846793005ull + 1442695040888963407ull;
	b = (uint32_t)((d->rng >> 33) % d->nblocks);
	int64_t t0, us;
	ssize_t n;

	check(d, b);
	fill(d->wbuf, b, d->gen[b] + 1);
	t0 = gw_clock_ns(CLOCK_MONOTONIC);
	n = pwrite(d->fd, d->wbuf, DL_BLOCK, (off_t)b * DL_BLOCK);
	us = (gw_clock_ns(CLOCK_MONOTONIC) - t0) / 1000;
	if (n != DL_BLOCK) {
		gw_say("diskload: write of block %u: %s", b, strerror(errno));
		d->bad++;
		return -1;
	}
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	if (us < 0)
		us = 0;
	hist_add(&d->sec, (uint32_t)us);
	hist_add(&d->win, (uint32_t)us);
	hist_add(&d->all, (uint32_t)us);
	d->gen[b]++;
	d->writes++;
	if (d->writes % DL_FLUSH_EVERY == 0) {
		if (fdatasync(d->fd)) {
			gw_say("diskload: fdatasync: %s", strerror(errno));
			d->bad++;
		}
		d->flushes++;
	}
	return 0;
}

/* One complete console line: `mark LABEL` or `stop`; anything else is
 * ignored. */
static void run_command(struct dl *d, char *line)
{
	char label[24];
	size_t n = 0;

	if (!strcmp(line, "stop")) {
		d->stop = 1;
		return;
	}
	if (strncmp(line, "mark ", 5))
		return;
	for (const char *p = line + 5; *p && n < sizeof(label) - 1; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			label[n++] = *p;
	label[n] = 0;
	hist_say(&d->win, n ? label : "mark");
}

/* Read what the console has (never blocks); run each complete line. A
 * line longer than the buffer is dropped. */
static void poll_console(struct dl *d)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[64];
	ssize_t n;

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN))
		return;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r' || c == '\n') {
			d->cmd[d->cmd_len < DL_CMD_MAX ? d->cmd_len : DL_CMD_MAX - 1] = 0;
			if (d->cmd_len < DL_CMD_MAX)
				run_command(d, d->cmd);
			d->cmd_len = 0;
		} else if (d->cmd_len < DL_CMD_MAX) {
			d->cmd[d->cmd_len++] = c;
		}
	}
}

static void console_no_echo(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t))
		return;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static int diskload_child(const struct gw_config *cfg)
{
	struct dl d;
	uint64_t per_tick, credit = 0, digest = 0;
	int64_t start, next, now, last_report;

	memset(&d, 0, sizeof(d));
	console_no_echo();
	d.fd = open(DL_DEV, O_RDWR | O_DIRECT);
	if (d.fd < 0) {
		gw_say("diskload: %s: %s", DL_DEV, strerror(errno));
		return 1;
	}
	d.nblocks = (uint32_t)((uint64_t)cfg->diskload_size_mb * 1024 * 1024 / DL_BLOCK);
	d.gen = calloc(d.nblocks, sizeof(uint32_t));
	if (!d.gen || posix_memalign((void **)&d.wbuf, DL_BLOCK, DL_BLOCK) ||
	    posix_memalign((void **)&d.rbuf, DL_BLOCK, DL_BLOCK)) {
		gw_say("diskload: out of memory");
		return 1;
	}
	d.rng = 0x2545f4914f6cdd1dull;
	/* blocks per 100 ms tick, in 1/1024 blocks */
	per_tick = (uint64_t)cfg->diskload_rate_kb * 1024 / DL_BLOCK * 1024 / 10;
	gw_say("diskload: %u KB/s over %u MB of %s for %u s", cfg->diskload_rate_kb,
	       cfg->diskload_size_mb, DL_DEV, cfg->diskload_seconds);
	start = gw_clock_ns(CLOCK_MONOTONIC);
	next = last_report = start;
	for (;;) {
		now = gw_clock_ns(CLOCK_MONOTONIC);
		if (now - start >= (int64_t)cfg->diskload_seconds * GW_NS_PER_S || d.stop)
			break;
		if (now < next) {
			gw_sleep_ns(next - now);
			continue;
		}
		next += DL_TICK_NS;
		if (next < now) /* we were paused: carry on, do not burst */
			next = now + DL_TICK_NS;
		poll_console(&d);
		credit += per_tick;
		while (credit >= 1024) {
			credit -= 1024;
			write_one(&d);
		}
		if (now - last_report >= GW_NS_PER_S) {
			last_report = now;
			gw_say("diskload: %llu writes, %llu flushes, verify %s",
			       (unsigned long long)d.writes, (unsigned long long)d.flushes,
			       d.bad ? "FAIL" : "OK");
			hist_say(&d.sec, "1s");
		}
	}
	if (fdatasync(d.fd))
		d.bad++;
	for (uint32_t b = 0; b < d.nblocks; b++) {
		check(&d, b);
		if (d.gen[b])
			digest += mix((uint64_t)b << 32 | d.gen[b]);
	}
	hist_say(&d.all, "all");
	gw_say("diskload: done, %u blocks, %llu writes, digest %016llx, verify %s (%llu bad)",
	       d.nblocks, (unsigned long long)d.writes, (unsigned long long)digest,
	       d.bad ? "FAIL" : "OK", (unsigned long long)d.bad);
	close(d.fd);
	return d.bad ? 1 : 0;
}

pid_t gw_diskload_start(const struct gw_config *cfg)
{
	pid_t pid;

	if (!cfg->have_diskload)
		return -1;
	pid = fork();
	if (pid < 0) {
		gw_say("diskload: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(diskload_child(cfg));
	return pid;
}
