/*
 * migration.h - live migration of the VM this process runs: the state the
 * VMM keeps about it, its parameters, and the commands QMP maps onto it.
 *
 * A source migration (migration_start) and an incoming one
 * (migration_incoming) each run on their own thread; they act on the
 * machine only through machine_call(), so the hart and devices stay
 * single-threaded. Status changes reach the run loop through an eventfd
 * and come out as hooks->event (QMP MIGRATION events).
 *
 * Invariants:
 *  - The VM runs in exactly one place. The source pauses the VM for the
 *    switchover and resumes it if anything fails before the destination's
 *    ACK. Once it has the ACK it decides, under `lock`, between a cancel
 *    that came first (ABORT, resume) and the commit (COMMIT; from then on
 *    migrate_cancel is refused and the source never resumes by itself).
 *    The destination runs the VM only after COMMIT, and then confirms
 *    (RUNNING). A source that misses the confirmation is "unresolved":
 *    paused, `cont` refused, until migration_resolve() says where the VM
 *    runs.
 *  - The migration key (x-godwit-key) sits in `secret` only, is used by
 *    one migration and is wiped when that migration ends, either way.
 *  - `lock` guards status, info and params; the migration thread holds it
 *    only for short updates, never across I/O or machine_call().
 *  - At most one migration thread exists; migration_destroy() cancels and
 *    joins it before the machine goes away.
 */
#ifndef GODWIT_MIGRATION_MIGRATION_H
#define GODWIT_MIGRATION_MIGRATION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/uri.h"
#include "machine/machine.h"

enum mig_status {
	MIG_NONE, MIG_SETUP, MIG_ACTIVE, MIG_DEVICE, MIG_COMPLETED,
	MIG_FAILED, MIG_CANCELLING, MIG_CANCELLED,
	MIG_UNRESOLVED, /* source: committed, the destination never confirmed */
};

struct mig_params {
	uint64_t downtime_limit_ms; /* switch over when the predicted pause fits */
	uint64_t max_bandwidth;     /* bytes/s, 0: unlimited */
	uint64_t deadline_ms;       /* give up after this long, 0: never */
	bool auto_converge;         /* throttle a guest that dirties too fast */
	int throttle_initial, throttle_increment, throttle_max; /* percent */
};

/* What query-migrate shows; times in ms, sizes in bytes. */
struct mig_info {
	enum mig_status status;
	bool incoming;
	uint64_t setup_ms, total_ms, expected_downtime_ms, downtime_ms;
	uint64_t transferred, remaining, total;
	uint64_t duplicate, normal, normal_bytes;
	uint64_t dirty_pages_rate, dirty_sync_count, pages_per_second;
	uint64_t precopy_bytes, downtime_bytes;
	/* blk: the disks travel in the stream; bytes of their sections, bytes
	 * still to send (dirty, or not scanned yet), the drives' sizes */
	bool blk;
	uint64_t disk_transferred, disk_remaining, disk_total;
	double mbps;
	int throttle_pct;
	uint64_t round;
	char error[256];
};

struct mig_hooks {
	void *opaque;
	/* run-loop thread: QMP MIGRATION event with QEMU's status name */
	void (*event)(void *opaque, const char *status);
	/* run-loop thread, inside the switchover: the VM was paused / resumed */
	void (*stopped)(void *opaque);
	void (*resumed)(void *opaque);
};

struct ram_sender;
struct mig_chan;
struct mig_secret;

struct migration {
	struct machine *m;
	struct mig_hooks hooks;
	pthread_mutex_t lock;
	struct mig_params params;
	struct mig_info info;
	enum mig_status reported; /* last status sent as an event */
	int event_fd;
	pthread_t thread;
	bool thread_live;
	int thread_done;  /* set (atomically) as the thread's very last act */
	volatile int cancel;
	bool committed;        /* source: COMMIT decided (under lock) */
	bool resume_on_source; /* unresolved: the VM ran here before the stop */
	struct mig_secret *secret; /* x-godwit-key / x-godwit-plain */
	char uri[256];
	struct uri peer;        /* uri, parsed once */
	bool blk;               /* source: send the disks too (migrate "blk") */
	/* destination side */
	bool incoming_pending; /* -incoming given, VM waits for the stream */
	bool autostart;        /* run the VM when the migration ends (not -S) */
	int listen_fd;
	/* RARP announcements after an incoming migration: due times (ns) */
	uint64_t announce_at[5];
	int announce_next, announce_count;
	uint64_t start_ns;
};

const char *mig_status_name(enum mig_status s);

/* Register the event and announce sources with m's run loop. */
int migration_init(struct migration *mig, struct machine *m, const struct mig_hooks *hooks);
/* Cancel and join a running migration thread; close what is open. */
void migration_destroy(struct migration *mig);

/* Source: start migrating to uri ("tcp:HOST:PORT"); blk: the disks go in
 * the stream too (shared-nothing: the destination has its own images of
 * the same size). -1 + err if one runs. */
int migration_start(struct migration *mig, const char *uri, bool blk, char *err, size_t errlen);
/* Ask a running source migration to stop; the VM keeps running here. */
int migration_cancel(struct migration *mig, char *err, size_t errlen);
/* The migration key: 64 hex digits, or NULL to forget it. 0 or -1 + err. */
int migration_set_key(struct migration *mig, const char *hex, char *err, size_t errlen);
void migration_set_plain(struct migration *mig, bool plain);
/* Whether a key is set (never the key itself) and plain mode. */
void migration_key_state(struct migration *mig, bool *key_set, bool *plain);
/* An unresolved source learns where the VM runs: on_destination true: the
 * destination runs it (this side stays paused for good, completed); false:
 * the destination never ran it (this side resumes it). -1 + err when no
 * outcome is unresolved. Run-loop thread. */
int migration_resolve(struct migration *mig, bool on_destination, char *err, size_t errlen);
/* Why `cont` must be refused now (a migration is active, cancelling or
 * unresolved, or the VM left), or NULL. */
const char *migration_cont_refusal(struct migration *mig);
/* Destination: mark the VM as waiting for a stream (-incoming). */
void migration_expect_incoming(struct migration *mig, bool autostart);
/* Destination: listen on uri and receive one migration. */
int migration_incoming(struct migration *mig, const char *uri, char *err, size_t errlen);

void migration_get_info(struct migration *mig, struct mig_info *out);
void migration_get_params(struct migration *mig, struct mig_params *out);
void migration_set_params(struct migration *mig, const struct mig_params *p);
/* QEMU run state the migration imposes ("inmigrate", "finish-migrate",
 * "postmigrate"), or NULL when it imposes none. */
const char *migration_runstate(struct migration *mig);
/* The user asked for stop/cont while an incoming migration is pending:
 * changes only whether the VM runs when it arrives. */
bool migration_set_autostart(struct migration *mig, bool run);

/* Receive one migration stream from fd (closed here) into m, which must
 * not be running: handshake (answers go back on fd), RAM, ROM, device
 * state, all checked; no ACK/COMMIT exchange. For tests and the fuzzer.
 * Returns 0, or -1 with a one-line reason in err. */
int mig_dest_receive(struct machine *m, int fd, const struct mig_secret *sec,
		     char *err, size_t errlen);

/* internal: shared by source.c and dest.c */
void mig_set_status(struct migration *mig, enum mig_status st);
/* Run-loop thread: set the status and send its event now, not at the
 * loop's next turn (the destination says "completed" before the guest
 * runs an instruction). */
void mig_report_now(struct migration *mig, enum mig_status st);
/* A copy of the key parameters in a locked page (NULL: out of memory);
 * wipe: and forget them in mig (one key, one migration). */
struct mig_secret *mig_secret_take(struct migration *mig, bool wipe);
void mig_fail(struct migration *mig, enum mig_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void *mig_source_thread(void *arg);
void *mig_dest_thread(void *arg);
void mig_schedule_announce(struct migration *mig);
/* The source thread's live figures (bytes on the wire, zero and data pages
 * sent, pages still to send this round), kept in info under lock: the one
 * way progress reaches query-migrate. */
void mig_progress(struct migration *mig, uint64_t transferred, uint64_t zero, uint64_t data,
		  uint64_t remaining_pages);
/* The disks' figures (blk): section bytes sent, bytes still to send. */
void mig_progress_disk(struct migration *mig, uint64_t transferred, uint64_t remaining);
/* The thread's last act: lets the run loop join it (never earlier: the
 * thread may still wait in machine_call for the loop). */
void mig_thread_exit(struct migration *mig);
uint64_t mig_now_ns(void);
/* GODWIT_MIGTRACE=1: one stderr line per protocol step, with a timestamp */
void mig_trace(const char *side, const char *what);

#endif
