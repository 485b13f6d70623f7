/*
 * migration.c - the VMM's migration state: parameters, status and its
 * events, starting, cancelling and joining the migration thread, and the
 * RARP announcements after an incoming migration. The protocol itself is
 * in source.c and dest.c. Invariants: see migration.h.
 */
#include "migration/migration.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/uri.h"
#include "migration/handshake.h"
#include "migration/ram.h"
#include "migration/stream.h"
#include "migration/tcp.h"

/* QEMU's announce-initial/-step/-rounds defaults: 50 ms, +100 ms, 5 rounds */
static const uint64_t announce_ms[5] = { 0, 50, 150, 300, 500 };

uint64_t mig_now_ns(void)
{
	return machine_now_ns();
}

void mig_trace(const char *side, const char *what)
{
	static int on = -1;
	struct timespec ts;

	if (on < 0)
		on = getenv("GODWIT_MIGTRACE") != NULL;
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "migtrace %s %ld.%06ld %s\n", side, (long)ts.tv_sec,
		(long)ts.tv_nsec / 1000, what);
}

const char *mig_status_name(enum mig_status s)
{
	static const char *const names[] = {
		"none", "setup", "active", "device", "completed",
		"failed", "cancelling", "cancelled", "unresolved",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "none";
}

void mig_report_now(struct migration *mig, enum mig_status st)
{
	mig_set_status(mig, st);
	if (mig->reported != st) {
		mig->reported = st;
		if (mig->hooks.event)
			mig->hooks.event(mig->hooks.opaque, mig_status_name(st));
	}
}

void mig_set_status(struct migration *mig, enum mig_status st)
{
	uint64_t one = 1;

	pthread_mutex_lock(&mig->lock);
	mig->info.status = st;
	pthread_mutex_unlock(&mig->lock);
	if (write(mig->event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
}

void mig_fail(struct migration *mig, enum mig_status st, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&mig->lock);
	va_start(ap, fmt);
	vsnprintf(mig->info.error, sizeof(mig->info.error), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&mig->lock);
	fprintf(stderr, "godwit-vmm: migration %s: %s\n",
		st == MIG_CANCELLED ? "cancelled" : "failed", mig->info.error);
	mig_set_status(mig, st);
}

/* Run loop: report status changes as events, in order, without repeats. */
static int events_fill(void *opaque, struct pollfd *fds, int max)
{
	struct migration *mig = opaque;

	if (max < 1 || mig->event_fd < 0)
		return 0;
	fds[0].fd = mig->event_fd;
	fds[0].events = POLLIN;
	return 1;
}

static void events_dispatch(void *opaque, const struct pollfd *fds, int n)
{
	struct migration *mig = opaque;
	enum mig_status st;
	uint64_t v;

	if (n < 1 || !(fds[0].revents & POLLIN))
		return;
	if (read(mig->event_fd, &v, sizeof(v)) < 0)
		return;
	pthread_mutex_lock(&mig->lock);
	st = mig->info.status;
	pthread_mutex_unlock(&mig->lock);
	/* intermediate states may have been skipped while the loop ran a
	 * slice; the final one is always reported */
	if (st != mig->reported) {
		mig->reported = st;
		if (mig->hooks.event)
			mig->hooks.event(mig->hooks.opaque, mig_status_name(st));
	}
	if (mig->thread_live && __atomic_load_n(&mig->thread_done, __ATOMIC_ACQUIRE)) {
		pthread_join(mig->thread, NULL);
		mig->thread_live = false;
	}
}

void mig_thread_exit(struct migration *mig)
{
	uint64_t one = 1;

	__atomic_store_n(&mig->thread_done, 1, __ATOMIC_RELEASE);
	if (write(mig->event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return;
}

static uint64_t announce_ns_until(void *opaque)
{
	struct migration *mig = opaque;
	uint64_t now;

	if (mig->announce_next >= mig->announce_count)
		return UINT64_MAX;
	now = mig_now_ns();
	return mig->announce_at[mig->announce_next] > now
		       ? mig->announce_at[mig->announce_next] - now : 0;
}

static void announce_update(void *opaque)
{
	struct migration *mig = opaque;
	struct machine *m = mig->m;

	if (mig->announce_next >= mig->announce_count ||
	    mig_now_ns() < mig->announce_at[mig->announce_next])
		return;
	mig->announce_next++;
	/* the next one counts from this one, so a late loop does not send
	 * several back to back */
	if (mig->announce_next < mig->announce_count)
		mig->announce_at[mig->announce_next] =
			mig_now_ns() + (announce_ms[mig->announce_next] -
					announce_ms[mig->announce_next - 1]) * 1000000ull;
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++)
		if (m->vio[i].ops.device_id && m->vio[i].ops.announce)
			m->vio[i].ops.announce(m->vio[i].dev);
}

/* Run-loop thread: announce the VM's MACs a few times from now on. */
void mig_schedule_announce(struct migration *mig)
{
	uint64_t now = mig_now_ns();

	for (int i = 0; i < 5; i++)
		mig->announce_at[i] = now + announce_ms[i] * 1000000ull;
	mig->announce_next = 0;
	mig->announce_count = 5;
}

int migration_init(struct migration *mig, struct machine *m, const struct mig_hooks *hooks)
{
	const struct machine_poll_src ev = { events_fill, events_dispatch, mig };
	const struct machine_timer_src an = { announce_ns_until, announce_update, mig };

	memset(mig, 0, sizeof(*mig));
	mig->m = m;
	mig->hooks = *hooks;
	mig->listen_fd = -1;
	mig->autostart = true;
	mig->params.downtime_limit_ms = 300;
	mig->params.deadline_ms = 600000;
	mig->params.throttle_initial = 20;
	mig->params.throttle_increment = 10;
	mig->params.throttle_max = 99;
	mig->secret = mig_secret_new();
	if (!mig->secret)
		return -1;
	mig->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mig->event_fd < 0) {
		mig_secret_free(mig->secret);
		mig->secret = NULL;
		return -1;
	}
	if (pthread_mutex_init(&mig->lock, NULL)) {
		close(mig->event_fd);
		return -1;
	}
	if (machine_poll_add(m, &ev) || machine_timer_add(m, &an)) {
		pthread_mutex_destroy(&mig->lock);
		close(mig->event_fd);
		mig->event_fd = -1;
		return -1;
	}
	return 0;
}

void migration_destroy(struct migration *mig)
{
	if (!mig->m)
		return;
	mig->cancel = 1;
	if (mig->thread_live) {
		/* the thread may wait in machine_call(): the loop has ended, so
		 * those calls fail and the thread winds down */
		pthread_join(mig->thread, NULL);
		mig->thread_live = false;
	}
	if (mig->listen_fd >= 0)
		close(mig->listen_fd);
	if (mig->event_fd >= 0)
		close(mig->event_fd);
	mig->listen_fd = mig->event_fd = -1;
	mig_secret_free(mig->secret);
	mig->secret = NULL;
	pthread_mutex_destroy(&mig->lock);
	mig->m = NULL;
}

static bool busy(struct migration *mig)
{
	enum mig_status st = mig->info.status;

	return mig->thread_live || st == MIG_SETUP || st == MIG_ACTIVE ||
	       st == MIG_DEVICE || st == MIG_CANCELLING || st == MIG_UNRESOLVED;
}

static int spawn(struct migration *mig, void *(*fn)(void *), char *err, size_t errlen)
{
	mig->thread_done = 0;
	if (pthread_create(&mig->thread, NULL, fn, mig)) {
		snprintf(err, errlen, "cannot start the migration thread");
		return -1;
	}
	mig->thread_live = true;
	return 0;
}

int migration_start(struct migration *mig, const char *uri, bool blk, char *err, size_t errlen)
{
	struct uri u;
	bool key, plain;

	if (mig->info.status == MIG_UNRESOLVED) {
		snprintf(err, errlen, "The last migration's outcome is unknown: resolve it first "
				      "(x-godwit-migrate-resolve)");
		return -1;
	}
	if (busy(mig) || mig->incoming_pending) {
		snprintf(err, errlen, "There's a migration process in progress");
		return -1;
	}
	if (mig->info.status == MIG_COMPLETED && !mig->info.incoming) {
		snprintf(err, errlen, "The VM has already migrated away");
		return -1;
	}
	if (uri_parse(uri, false, &u, err, errlen))
		return -1;
	migration_key_state(mig, &key, &plain);
	if (!key && !plain) {
		snprintf(err, errlen, "No migration key: set x-godwit-key (migrate-set-parameters) "
				      "on both sides, or x-godwit-plain on both sides");
		return -1;
	}
	snprintf(mig->uri, sizeof(mig->uri), "%s", uri);
	mig->peer = u;
	mig->blk = blk;
	pthread_mutex_lock(&mig->lock);
	mig->committed = false;
	memset(&mig->info, 0, sizeof(mig->info));
	mig->info.status = MIG_SETUP;
	mig->info.total = mig->m->ram.size;
	mig->info.blk = blk;
	pthread_mutex_unlock(&mig->lock);
	mig->cancel = 0;
	mig->start_ns = mig_now_ns();
	if (spawn(mig, mig_source_thread, err, errlen)) {
		mig->info.status = MIG_NONE;
		return -1;
	}
	mig_set_status(mig, MIG_SETUP);
	return 0;
}

int migration_cancel(struct migration *mig, char *err, size_t errlen)
{
	int rc = 0;

	if (mig->info.incoming) {
		/* a destination still waiting for its source stops waiting */
		if (mig->incoming_pending && mig->thread_live)
			mig->cancel = 1;
		return 0;
	}
	pthread_mutex_lock(&mig->lock);
	if (mig->committed && (mig->info.status == MIG_DEVICE ||
			       mig->info.status == MIG_UNRESOLVED)) {
		snprintf(err, errlen, "Too late to cancel: the VM has been handed to the "
				      "destination");
		rc = -1;
	} else if (mig->info.status == MIG_SETUP || mig->info.status == MIG_ACTIVE ||
		   mig->info.status == MIG_DEVICE) {
		mig->cancel = 1;
		mig->info.status = MIG_CANCELLING;
	}
	pthread_mutex_unlock(&mig->lock);
	return rc;
}

int migration_set_key(struct migration *mig, const char *hex, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&mig->lock);
	if (!hex || !*hex)
		mig_secret_wipe(mig->secret);
	else if (mig_secret_set_hex(mig->secret, hex)) {
		snprintf(err, errlen, "Parameter 'x-godwit-key' expects 64 hexadecimal digits "
				      "(256 random bits)");
		rc = -1;
	}
	pthread_mutex_unlock(&mig->lock);
	return rc;
}

void migration_set_plain(struct migration *mig, bool plain)
{
	pthread_mutex_lock(&mig->lock);
	mig->secret->plain = plain;
	pthread_mutex_unlock(&mig->lock);
}

struct mig_secret *mig_secret_take(struct migration *mig, bool wipe)
{
	struct mig_secret *copy = mig_secret_new();

	pthread_mutex_lock(&mig->lock);
	if (copy)
		*copy = *mig->secret;
	if (wipe)
		mig_secret_wipe(mig->secret);
	pthread_mutex_unlock(&mig->lock);
	return copy;
}

void migration_key_state(struct migration *mig, bool *key_set, bool *plain)
{
	pthread_mutex_lock(&mig->lock);
	*key_set = mig->secret->have_key;
	*plain = mig->secret->plain;
	pthread_mutex_unlock(&mig->lock);
}

int migration_resolve(struct migration *mig, bool on_destination, char *err, size_t errlen)
{
	struct machine *m = mig->m;
	bool unresolved;

	/* the thread reports "unresolved" just before it ends (only its
	 * teardown is left, no machine_call): join it here if the run loop
	 * has not yet, even if it is still tearing down (with several busy
	 * harts its last steps may wait for a core a while) */
	pthread_mutex_lock(&mig->lock);
	unresolved = mig->info.status == MIG_UNRESOLVED;
	pthread_mutex_unlock(&mig->lock);
	if (mig->thread_live &&
	    (unresolved || __atomic_load_n(&mig->thread_done, __ATOMIC_ACQUIRE))) {
		pthread_join(mig->thread, NULL);
		mig->thread_live = false;
	}
	pthread_mutex_lock(&mig->lock);
	if (mig->info.status != MIG_UNRESOLVED || mig->thread_live) {
		pthread_mutex_unlock(&mig->lock);
		snprintf(err, errlen, "No migration outcome is unresolved here");
		return -1;
	}
	if (on_destination) {
		mig->info.status = MIG_COMPLETED;
		snprintf(mig->info.error, sizeof(mig->info.error), "resolved by the operator: "
			 "the destination runs the VM");
	} else {
		mig->info.status = MIG_FAILED;
		mig->committed = false;
		snprintf(mig->info.error, sizeof(mig->info.error), "resolved by the operator: "
			 "the destination never ran the VM; it runs here again");
	}
	pthread_mutex_unlock(&mig->lock);
	fprintf(stderr, "godwit-vmm: migration: %s\n", mig->info.error);
	if (!on_destination && mig->resume_on_source && !m->exited) {
		machine_set_paused(m, false);
		if (mig->hooks.resumed)
			mig->hooks.resumed(mig->hooks.opaque);
	}
	mig_set_status(mig, mig->info.status);
	return 0;
}

const char *migration_cont_refusal(struct migration *mig)
{
	enum mig_status st;

	pthread_mutex_lock(&mig->lock);
	st = mig->info.status;
	pthread_mutex_unlock(&mig->lock);
	if (mig->incoming_pending || mig->info.incoming)
		return NULL; /* inmigrate: cont only says "run it when it arrives" */
	switch (st) {
	case MIG_SETUP: case MIG_ACTIVE: case MIG_DEVICE:
		return "A migration is in progress: cont is refused until it ends";
	case MIG_CANCELLING:
		return "The migration is being cancelled: cont is refused until it has ended";
	case MIG_UNRESOLVED:
		return "The migration's outcome is unknown (the destination never confirmed): "
		       "resolve it with x-godwit-migrate-resolve";
	case MIG_COMPLETED:
		return "The VM has migrated to another host and runs there";
	default:
		return mig->thread_live ? "A migration is still winding down" : NULL;
	}
}

void migration_expect_incoming(struct migration *mig, bool autostart)
{
	mig->incoming_pending = true;
	mig->autostart = autostart;
	mig->info.incoming = true;
	mig->info.total = mig->m->ram.size;
}

int migration_incoming(struct migration *mig, const char *uri, char *err, size_t errlen)
{
	if (!mig->incoming_pending) {
		snprintf(err, errlen, "'-incoming' was not specified on the command line");
		return -1;
	}
	if (busy(mig) || mig->listen_fd >= 0) {
		snprintf(err, errlen, "The incoming migration has already been started");
		return -1;
	}
	{
		struct uri u;
		if (uri_parse(uri, true, &u, err, errlen))
			return -1;
		mig->peer = u;
		mig->listen_fd = mig_tcp_listen(&u, err, errlen);
	}
	if (mig->listen_fd < 0)
		return -1;
	snprintf(mig->uri, sizeof(mig->uri), "%s", uri);
	mig->cancel = 0;
	if (spawn(mig, mig_dest_thread, err, errlen)) {
		close(mig->listen_fd);
		mig->listen_fd = -1;
		return -1;
	}
	return 0;
}

void mig_progress_disk(struct migration *mig, uint64_t transferred, uint64_t remaining)
{
	pthread_mutex_lock(&mig->lock);
	mig->info.disk_transferred = transferred;
	mig->info.disk_remaining = remaining;
	pthread_mutex_unlock(&mig->lock);
}

void mig_progress(struct migration *mig, uint64_t transferred, uint64_t zero, uint64_t data,
		  uint64_t remaining_pages)
{
	pthread_mutex_lock(&mig->lock);
	mig->info.transferred = transferred;
	mig->info.duplicate = zero;
	mig->info.normal = data;
	mig->info.normal_bytes = data * HART_PAGE_SIZE;
	if (mig->info.status == MIG_ACTIVE)
		mig->info.remaining = remaining_pages * HART_PAGE_SIZE;
	pthread_mutex_unlock(&mig->lock);
}

void migration_get_info(struct migration *mig, struct mig_info *out)
{
	pthread_mutex_lock(&mig->lock);
	*out = mig->info;
	pthread_mutex_unlock(&mig->lock);
	if (out->status == MIG_SETUP || out->status == MIG_ACTIVE ||
	    out->status == MIG_DEVICE || out->status == MIG_CANCELLING)
		out->total_ms = (mig_now_ns() - mig->start_ns) / 1000000;
	out->throttle_pct = mig->m->throttle_pct;
}

void migration_get_params(struct migration *mig, struct mig_params *out)
{
	pthread_mutex_lock(&mig->lock);
	*out = mig->params;
	pthread_mutex_unlock(&mig->lock);
}

void migration_set_params(struct migration *mig, const struct mig_params *p)
{
	pthread_mutex_lock(&mig->lock);
	mig->params = *p;
	pthread_mutex_unlock(&mig->lock);
}

const char *migration_runstate(struct migration *mig)
{
	enum mig_status st;

	pthread_mutex_lock(&mig->lock);
	st = mig->info.status;
	pthread_mutex_unlock(&mig->lock);
	if (mig->incoming_pending)
		return "inmigrate";
	if (mig->info.incoming)
		return NULL;
	if (st == MIG_DEVICE || (st == MIG_CANCELLING && mig->thread_live && mig->m->paused))
		return "finish-migrate";
	if (st == MIG_COMPLETED || st == MIG_UNRESOLVED)
		return "postmigrate";
	return NULL;
}

bool migration_set_autostart(struct migration *mig, bool run)
{
	if (!mig->incoming_pending)
		return false;
	mig->autostart = run;
	return true;
}
