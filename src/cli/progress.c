/*
 * progress.c - rendering of a running migration (see progress.h for what
 * the percentage measures and why it never runs backwards).
 *
 * Both visible modes print the same fields in the same order; the terminal
 * line is cut to the terminal's width so that '\r' can redraw it (a wrapped
 * line cannot be redrawn), and re-reads the width on each update so that a
 * resized terminal is followed.
 */
#include "cli/progress.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define PROGRESS_LINE_EVERY_NS 1000000000ll /* PROGRESS_LINES: one a second */
#define PROGRESS_RATE_MIN_NS 200000000ll    /* shortest delta used for a rate */
#define MIB (1024.0 * 1024.0)

/* An integer member of obj (a real is truncated), -1 if absent or negative. */
static int64_t get_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	double d;

	if (json_is_integer(v))
		return json_integer_value(v) < 0 ? -1 : (int64_t)json_integer_value(v);
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	return (d >= 0 && d < 9.2e18) ? (int64_t)d : -1;
}

void progress_sample_parse(const json_t *info, struct progress_sample *s)
{
	const json_t *ram = json_object_get(info, "ram");
	const json_t *mbps = json_object_get(ram, "mbps");
	const char *status = json_string_value(json_object_get(info, "status"));

	memset(s, 0, sizeof(*s));
	snprintf(s->status, sizeof(s->status), "%s", status ? status : "");
	s->total_time_ms = get_int(info, "total-time");
	s->setup_time_ms = get_int(info, "setup-time");
	s->downtime_ms = get_int(info, "downtime");
	s->expected_downtime_ms = get_int(info, "expected-downtime");
	s->throttle_pct = get_int(info, "cpu-throttle-percentage");
	s->transferred = get_int(ram, "transferred");
	s->remaining = get_int(ram, "remaining");
	s->page_size = get_int(ram, "page-size");
	s->pages_done = get_int(ram, "duplicate") >= 0 && get_int(ram, "normal") >= 0
				? get_int(ram, "duplicate") + get_int(ram, "normal") : -1;
	s->total = get_int(ram, "total");
	s->rounds = get_int(ram, "dirty-sync-count");
	s->disk_transferred = get_int(json_object_get(info, "disk"), "transferred");
	s->disk_remaining = get_int(json_object_get(info, "disk"), "remaining");
	s->disk_total = get_int(json_object_get(info, "disk"), "total");
	s->mbps = json_is_number(mbps) && json_number_value(mbps) >= 0 ? json_number_value(mbps) : -1;
}

void progress_init(struct progress *p, FILE *out, enum progress_mode mode, int64_t start_ns)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->mode = mode;
	p->start_ns = start_ns;
	p->best_tenths = -1;
	p->prev_transferred = -1;
	p->rate_bps = -1;
}

int progress_percent(struct progress *p, const struct progress_sample *s)
{
	int tenths = -1;

	if (strcmp(s->status, "completed") == 0)
		return p->best_tenths = 1000;
	if (s->pages_done >= 0 && s->page_size > 0 && s->remaining >= 0 &&
	    s->pages_done + s->remaining / s->page_size > 0) {
		long double left = (long double)(s->remaining / s->page_size);
		long double r = (long double)s->pages_done / ((long double)s->pages_done + left);

		tenths = (int)floorl(r * 1000.0L);
	} else if (s->transferred >= 0 && s->remaining >= 0 && s->transferred + s->remaining > 0) {
		/* long double: byte counts up to 2^63 keep their ratio exact enough */
		long double r = (long double)s->transferred / ((long double)s->transferred +
							       (long double)s->remaining);

		tenths = (int)floorl(r * 1000.0L);
	}
	if (tenths != -1) {
		if (tenths < 0)
			tenths = 0;
		if (tenths > PROGRESS_TENTHS_MAX)
			tenths = PROGRESS_TENTHS_MAX;
	}
	if (tenths > p->best_tenths && p->best_tenths < 1000)
		p->best_tenths = tenths;
	return p->best_tenths;
}

double progress_rate(struct progress *p, const struct progress_sample *s, int64_t now_ns)
{
	if (s->transferred >= 0) {
		if (p->prev_transferred < 0 || s->transferred < p->prev_transferred) {
			p->prev_transferred = s->transferred; /* first, or counters reset */
			p->prev_ns = now_ns;
		} else if (now_ns - p->prev_ns >= PROGRESS_RATE_MIN_NS) {
			double inst = (double)(s->transferred - p->prev_transferred) * 1e9 /
				      (double)(now_ns - p->prev_ns);

			p->rate_bps = p->rate_bps < 0 ? inst : 0.5 * p->rate_bps + 0.5 * inst;
			p->prev_transferred = s->transferred;
			p->prev_ns = now_ns;
		}
	}
	if (s->mbps > 0)
		return s->mbps * 1e6 / 8; /* QEMU's mbps: 10^6 bits per second */
	return p->rate_bps;
}

/* Append to buf (of size len, *off used) like snprintf, never past the end. */
static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

/* The fields of one update, as one line without a newline. */
static void format_line(struct progress *p, const struct progress_sample *s,
			int64_t now_ns, bool verbose, char *buf, size_t len)
{
	int tenths = progress_percent(p, s);
	double rate = progress_rate(p, s, now_ns);
	size_t off = 0;

	buf[0] = 0;
	add(buf, len, &off, "%s ", s->status[0] ? s->status : "?");
	if (tenths >= 0)
		add(buf, len, &off, "%d.%d%%", tenths / 10, tenths % 10);
	else
		add(buf, len, &off, "?%%");
	if (rate >= 0)
		add(buf, len, &off, ", %.1f MB/s", rate / 1e6);
	else
		add(buf, len, &off, ", ? MB/s");
	if (s->rounds >= 0)
		add(buf, len, &off, ", round %lld", (long long)s->rounds);
	if (s->remaining >= 0)
		add(buf, len, &off, s->disk_total >= 0 ? ", RAM %.1f MiB left" : ", %.1f MiB left",
		    (double)s->remaining / MIB);
	if (s->disk_total > 0 && s->disk_remaining >= 0 && s->disk_remaining <= s->disk_total)
		add(buf, len, &off, ", disk %lld%% (%.1f MiB left)",
		    (long long)((s->disk_total - s->disk_remaining) * 100 / s->disk_total),
		    (double)s->disk_remaining / MIB);
	if (s->expected_downtime_ms >= 0)
		add(buf, len, &off, verbose ? ", expected downtime %lld ms" : ", downtime ~%lld ms",
		    (long long)s->expected_downtime_ms);
	if (s->throttle_pct >= 0)
		add(buf, len, &off, ", throttle %lld%%", (long long)s->throttle_pct);
	add(buf, len, &off, verbose ? ", elapsed %.1f s" : ", %.1f s",
	    (double)(now_ns - p->start_ns) / 1e9);
}

static int terminal_width(FILE *out)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

void progress_update(struct progress *p, const struct progress_sample *s, int64_t now_ns)
{
	char line[PROGRESS_LINE_MAX];

	switch (p->mode) {
	case PROGRESS_QUIET:
		/* keep the held percentage and the rate current all the same */
		progress_percent(p, s);
		progress_rate(p, s, now_ns);
		return;
	case PROGRESS_TTY:
		format_line(p, s, now_ns, false, line, sizeof(line));
		p->width = terminal_width(p->out);
		if (p->width > 1 && strlen(line) > (size_t)(p->width - 1))
			line[p->width - 1] = 0; /* a wrapped line cannot be redrawn */
		fprintf(p->out, "\r%s\033[K", line);
		p->drawn = true;
		break;
	case PROGRESS_LINES:
		format_line(p, s, now_ns, true, line, sizeof(line));
		if (p->printed && now_ns - p->last_line_ns < PROGRESS_LINE_EVERY_NS)
			return;
		fprintf(p->out, "godwit migrate: %s\n", line);
		p->printed = true;
		p->last_line_ns = now_ns;
		break;
	}
	fflush(p->out);
}

void progress_finish(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
		p->drawn = false;
	}
}
