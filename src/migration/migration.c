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

#include "devices/virtio_net.h"
#include "migration/ram.h"
#include "migration/stream.h"

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
		"failed", "cancelling", "cancelled",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "none";
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
	mig->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mig->event_fd < 0)
		return -1;
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
	pthread_mutex_destroy(&mig->lock);
	mig->m = NULL;
}

static bool busy(struct migration *mig)
{
	enum mig_status st = mig->info.status;

	return mig->thread_live || st == MIG_SETUP || st == MIG_ACTIVE ||
	       st == MIG_DEVICE || st == MIG_CANCELLING;
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

int migration_start(struct migration *mig, const char *uri, char *err, size_t errlen)
{
	char host[256], port[16];

	if (busy(mig) || mig->incoming_pending) {
		snprintf(err, errlen, "There's a migration process in progress");
		return -1;
	}
	if (mig->info.status == MIG_COMPLETED && !mig->info.incoming) {
		snprintf(err, errlen, "The VM has already migrated away");
		return -1;
	}
	if (mig_parse_uri(uri, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen, "Invalid migration URI '%s': expected tcp:HOST:PORT", uri);
		return -1;
	}
	snprintf(mig->uri, sizeof(mig->uri), "%s", uri);
	pthread_mutex_lock(&mig->lock);
	memset(&mig->info, 0, sizeof(mig->info));
	mig->info.status = MIG_SETUP;
	mig->info.total = mig->m->ram.size;
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
	(void)err;
	(void)errlen;
	if (mig->info.incoming)
		return 0; /* as QEMU: cancel applies to outgoing migrations */
	pthread_mutex_lock(&mig->lock);
	if (mig->info.status == MIG_SETUP || mig->info.status == MIG_ACTIVE ||
	    mig->info.status == MIG_DEVICE) {
		mig->cancel = 1;
		mig->info.status = MIG_CANCELLING;
	}
	pthread_mutex_unlock(&mig->lock);
	return 0;
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
	mig->listen_fd = mig_tcp_listen(uri, err, errlen);
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

void migration_get_info(struct migration *mig, struct mig_info *out)
{
	pthread_mutex_lock(&mig->lock);
	*out = mig->info;
	if (mig->live_rs && mig->live_ch) {
		uint64_t zero = __atomic_load_n(&mig->live_rs->zero_pages, __ATOMIC_RELAXED);
		uint64_t data = __atomic_load_n(&mig->live_rs->data_pages, __ATOMIC_RELAXED);
		out->transferred = __atomic_load_n(&mig->live_ch->bytes_sent, __ATOMIC_RELAXED);
		out->duplicate = zero;
		out->normal = data;
		out->normal_bytes = data * HART_PAGE_SIZE;
		if (out->status == MIG_ACTIVE)
			out->remaining = __atomic_load_n(&mig->live_rs->remaining,
							 __ATOMIC_RELAXED) * HART_PAGE_SIZE;
	}
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
	if (st == MIG_DEVICE)
		return "finish-migrate";
	if (st == MIG_COMPLETED)
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
