/*
 * progress.h - how `godwit migrate` shows a migration as it runs, from the
 * source's query-migrate replies.
 *
 * What the percentage measures: the share of guest pages the source has
 * processed (sent as data, or as a zero-page flag) out of the pages it has
 * processed plus the pages still dirty,
 *     (ram.duplicate + ram.normal) / (that + ram.remaining / ram.page-size);
 * when the page counters are missing it falls back to bytes,
 * ram.transferred / (ram.transferred + ram.remaining). Counting pages, not
 * bytes, keeps a mostly-zero VM from crawling through its first round. It
 * is not a time estimate, and not a share of guest RAM: a guest that
 * dirties pages again raises "remaining", so the raw ratio can fall. The
 * shown value therefore never runs backwards: it is clamped to [0, 100),
 * the highest value shown so far is held, and 100% is shown only once the
 * status is "completed". Percentages are kept in tenths, rounded down.
 *
 * With disks (query-migrate's "disk" object) the line also shows the share
 * of the disks' bytes sent, (disk.total - disk.remaining) / disk.total, and
 * what is left of them; the percentage stays RAM's.
 *
 * Modes: PROGRESS_TTY redraws one line with '\r' on every update and clears
 * it at the end; PROGRESS_LINES prints one plain line per second (stderr is
 * not a terminal: logs, CI); PROGRESS_QUIET prints nothing.
 *
 * Invariants: every field of struct progress_sample is -1 when query-migrate
 * left it out, never a guess; nothing here blocks or talks to a peer.
 */
#ifndef GODWIT_CLI_PROGRESS_H
#define GODWIT_CLI_PROGRESS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_LINE_MAX 256
#define PROGRESS_TENTHS_MAX 999 /* 99.9%: the most shown before completion */

/* The fields of one query-migrate reply that the tool uses; -1: absent. */
struct progress_sample {
	char status[32];            /* "" when absent */
	int64_t total_time_ms;
	int64_t setup_time_ms;
	int64_t downtime_ms;        /* known once completed */
	int64_t expected_downtime_ms;
	int64_t throttle_pct;       /* cpu-throttle-percentage */
	int64_t transferred;        /* ram.transferred, bytes */
	int64_t pages_done;         /* ram.duplicate + ram.normal */
	int64_t page_size;          /* ram.page-size, bytes */
	int64_t remaining;          /* ram.remaining, bytes */
	int64_t total;              /* ram.total, bytes */
	int64_t rounds;             /* ram.dirty-sync-count */
	double mbps;                /* ram.mbps (megabits per second); -1: absent */
	/* disk.* (a migration with its disks, blk / --with-storage) */
	int64_t disk_transferred, disk_remaining, disk_total;
};

enum progress_mode { PROGRESS_QUIET, PROGRESS_TTY, PROGRESS_LINES };

struct progress {
	FILE *out;
	enum progress_mode mode;
	int width;              /* terminal columns (TTY mode), 0: unknown */
	int64_t start_ns;       /* elapsed time counts from here */
	int64_t last_line_ns;   /* PROGRESS_LINES: when the last line went out */
	bool printed;           /* PROGRESS_LINES: a line went out already */
	bool drawn;             /* PROGRESS_TTY: a line is on the screen */
	int best_tenths;        /* highest percentage shown, -1: none yet */
	/* rate from transferred deltas, for peers that leave out ram.mbps */
	int64_t prev_ns;
	int64_t prev_transferred; /* -1: no previous sample */
	double rate_bps;          /* bytes per second, -1: unknown */
};

/* Fill s from a query-migrate return value (any JSON; missing fields -1). */
void progress_sample_parse(const json_t *info, struct progress_sample *s);

/* Set up p to draw on out; start_ns is when the migration started
 * (CLOCK_MONOTONIC). TTY mode reads the terminal width from out. */
void progress_init(struct progress *p, FILE *out, enum progress_mode mode, int64_t start_ns);

/* The percentage to show for s, in tenths, with the hold described above;
 * -1 while nothing is known yet. Updates p's best value. */
int progress_percent(struct progress *p, const struct progress_sample *s);

/* The transfer rate in bytes per second, from ram.mbps if the peer gives it,
 * else from the change of ram.transferred; -1: unknown. Updates p. */
double progress_rate(struct progress *p, const struct progress_sample *s, int64_t now_ns);

/* Take one sample at now_ns and show it as the mode says. */
void progress_update(struct progress *p, const struct progress_sample *s, int64_t now_ns);

/* Clear the TTY line, if one is drawn. */
void progress_finish(struct progress *p);

#endif
