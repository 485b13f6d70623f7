/*
 * dest.c - the receiving side of a live migration, on its own thread:
 * accept connections until one proves the migration key (handshake.h),
 * check the source's machine description, write RAM as it arrives, load
 * and verify the device state on the run-loop thread, ACK, run the VM only
 * when the source's COMMIT arrives, and confirm that with RUNNING.
 *
 * Invariants: the VM stays paused (runstate inmigrate) until COMMIT. A
 * connection that fails before it has proved the key (a probe, a wrong or
 * stale key, a plain peer against an encrypted destination, a bare
 * connect-and-close) is dropped with a log line and nothing said to it;
 * the destination keeps waiting, until its deadline or migrate_cancel.
 * Once a peer has proved the key, any failure - a corrupt, replayed or
 * truncated record, a refused configuration, a device state that does not
 * validate, the source aborting or vanishing, no COMMIT after the ACK -
 * ends this process with a one-line error and exit status 1: a
 * half-received VM never runs. The status becomes "completed" (and its
 * event goes out) on the run-loop thread before the first guest
 * instruction runs here. The stream is hostile input: every length is
 * bounded before anything is allocated or read.
 *
 * With blk (the source's HELLO says its disks travel in the stream) the
 * DISK sections are written into this side's own images as they arrive
 * (disk.c checks each against its drive first); after END every image is
 * fdatasync'ed before the device state is loaded and the ACK goes out, and
 * the images are not reopened (they are this host's own, not shared).
 */
#include "migration/migration.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "migration/config.h"
#include "migration/devstate.h"
#include "migration/disk.h"
#include "migration/handshake.h"
#include "migration/ram.h"
#include "migration/stream.h"
#include "migration/tcp.h"

#define IDLE_MS 10000 /* no progress for this long: the link or the peer is dead */
#define JSON_MAX 65536
#define DEVSTATE_MAX (4u << 20)
#define HANDSHAKE_MS 5000 /* a connection has this long to prove the key */
#define COMMIT_WAIT_MS 12000 /* ACK to COMMIT */

struct dst {
	struct migration *mig;
	struct machine *m;
	struct mig_chan ch;
	struct ram_receiver rr;
	struct disk_receiver dr; /* blk */
	bool blk;
	uint8_t *dev;
	uint32_t dev_len;
	char load_err[256];
	int load_rc;
	bool run;
	bool acked; /* an ACK (good or bad) went out already */
};

static void cb_load(struct machine *m, void *arg)
{
	struct dst *d = arg;

	mig_trace("dst", "load start");
	/* close-to-open: the source flushed its disks before END; with blk
	 * the images are this side's own, written by the stream: no reopen */
	d->load_rc = d->blk ? 0 : machine_disks_reopen(m, d->load_err, sizeof(d->load_err));
	if (d->load_rc == 0)
		d->load_rc = devstate_load(m, d->dev, d->dev_len, d->load_err,
					   sizeof(d->load_err));
	mig_trace("dst", "load done");
}

static void cb_start(struct machine *m, void *arg)
{
	struct dst *d = arg;
	struct migration *mig = d->mig;

	/* the VM is ours from here: say so before it runs an instruction */
	mig_report_now(mig, MIG_COMPLETED);
	mig->incoming_pending = false;
	if (d->run && mig->autostart && !m->exited) {
		machine_set_paused(m, false);
		if (mig->hooks.resumed)
			mig->hooks.resumed(mig->hooks.opaque);
	}
	mig_schedule_announce(mig);
}

static void cb_exit(struct machine *m, void *arg)
{
	(void)arg;
	machine_request_exit(m, 1);
}

static int send_answer(struct dst *d, uint16_t type, const char *error)
{
	json_t *j = error ? json_pack("{s:b, s:s}", "ok", 0, "error", error)
			  : json_pack("{s:b}", "ok", 1);
	char *s = json_dumps(j, JSON_COMPACT);
	int r = s ? mig_send_buf(&d->ch, type, 1, s, strlen(s)) : -1;

	free(s);
	json_decref(j);
	return r;
}

/* Before going away, tell the source why (best effort, bounded): its
 * error then names the cause instead of a broken connection. */
static void tell_source(struct dst *d)
{
	char why[sizeof(d->ch.err)];

	memcpy(why, d->ch.err, sizeof(why));
	d->ch.cancel = NULL;
	d->ch.idle_ms = 500;
	d->ch.deadline_ns = 0;
	send_answer(d, MIG_SEC_ACK, why[0] ? why : "failed");
	memcpy(d->ch.err, why, sizeof(why));
}

static int fail(struct dst *d, const char *msg)
{
	snprintf(d->ch.err, sizeof(d->ch.err), "%s", msg);
	return -1;
}

/* Parse a JSON section payload; NULL (and an error) if it is not an object. */
static json_t *payload_json(struct dst *d, const uint8_t *p, const char *what)
{
	json_error_t je;
	json_t *j = json_loads((const char *)p, JSON_REJECT_DUPLICATES, &je);

	if (!json_is_object(j)) {
		json_decref(j);
		snprintf(d->ch.err, sizeof(d->ch.err), "stream corrupt: %s is not a JSON object", what);
		return NULL;
	}
	return j;
}

static int handshake(struct dst *d)
{
	struct mig_hdr h;
	uint8_t *p = NULL;
	json_t *j = NULL;
	char why[256];
	int r = -1;

	if (mig_recv_section(&d->ch, &h, JSON_MAX, &p))
		return -1;
	if (h.type != MIG_SEC_HELLO || h.version != 1) {
		fail(d, "stream corrupt: the stream does not start with a hello");
		goto out;
	}
	j = payload_json(d, p, "hello");
	if (!j)
		goto out;
	if (json_integer_value(json_object_get(j, "protocol")) != MIG_PROTOCOL_VERSION) {
		snprintf(why, sizeof(why), "protocol version %lld is not %d",
			 (long long)json_integer_value(json_object_get(j, "protocol")),
			 MIG_PROTOCOL_VERSION);
	} else if (mig_config_check(d->m, json_object_get(j, "machine"), why, sizeof(why)) == 0) {
		d->blk = json_is_true(json_object_get(json_object_get(j, "machine"), "blk"));
		if (!d->blk || disk_receiver_init(&d->dr, d->m, why, sizeof(why)) == 0) {
			r = send_answer(d, MIG_SEC_WELCOME, NULL);
			goto out;
		}
	}
	send_answer(d, MIG_SEC_WELCOME, why);
	d->acked = true;
	snprintf(d->ch.err, sizeof(d->ch.err), "refused: %.200s", why);
out:
	json_decref(j);
	free(p);
	return r;
}

/* ROUND: u32 round, u64 pages dirtied (as two u32), with blk also u64
 * disk bytes still dirty; only shown, never trusted. */
static void note_round(struct dst *d, const uint8_t *p, uint32_t len)
{
	uint32_t v[3];

	if (len != 12 && len != 20)
		return;
	memcpy(v, p, sizeof(v));
	if (!d->mig)
		return;
	pthread_mutex_lock(&d->mig->lock);
	d->mig->info.round = v[0];
	d->mig->info.dirty_sync_count = v[0];
	d->mig->info.transferred = d->ch.bytes_recv;
	pthread_mutex_unlock(&d->mig->lock);
}

/* The largest payload a section of this type may have. */
static uint32_t section_limit(const struct dst *d, uint16_t type)
{
	switch (type) {
	case MIG_SEC_RAM: return RAM_SECTION_MAX;
	case MIG_SEC_ROM: return (uint32_t)d->m->rom.size;
	case MIG_SEC_ROUND: return 64;
	case MIG_SEC_DEVICES: return DEVSTATE_MAX;
	case MIG_SEC_END: return 16;
	case MIG_SEC_ABORT: return JSON_MAX;
	case MIG_SEC_DISK: return MIG_DISK_SECTION_MAX;
	default: return UINT32_MAX; /* refused below as unexpected */
	}
}

/* Sections until END. */
static int receive(struct dst *d)
{
	bool rom = false;

	for (;;) {
		struct mig_hdr h;
		uint8_t *p = NULL;
		uint64_t end[2];

		if (mig_recv_hdr(&d->ch, &h, RAM_SECTION_MAX > DEVSTATE_MAX ? RAM_SECTION_MAX
									 : DEVSTATE_MAX))
			return -1;
		if (h.length > section_limit(d, h.type)) {
			snprintf(d->ch.err, sizeof(d->ch.err),
				 "stream corrupt: %s section of %u bytes (limit %u)",
				 mig_section_name(h.type), h.length, section_limit(d, h.type));
			return -1;
		}
		switch (h.type) {
		case MIG_SEC_RAM:
			if (ram_recv_section(&d->rr, &d->ch, &h))
				return -1;
			break;
		case MIG_SEC_DISK:
			if (!d->blk)
				return fail(d, "stream corrupt: a disk section, but the source's hello "
					       "did not announce its disks (blk)");
			if (disk_recv_section(&d->dr, &d->ch, &h))
				return -1;
			break;
		case MIG_SEC_ROM:
			if (rom || h.length != d->m->rom.size)
				return fail(d, "stream corrupt: boot ROM section of the wrong size");
			if (mig_recv_part(&d->ch, d->m->rom.host, h.length) ||
			    mig_recv_done(&d->ch, &h))
				return -1;
			rom = true;
			break;
		case MIG_SEC_ROUND:
			if (h.length < 4 || h.length > 64)
				return fail(d, "stream corrupt: round section of the wrong size");
			p = malloc(h.length + 1);
			if (!p || mig_recv_part(&d->ch, p, h.length) || mig_recv_done(&d->ch, &h)) {
				free(p);
				return p ? -1 : fail(d, "out of memory");
			}
			note_round(d, p, h.length);
			/* the disk blocks so far go to stable storage now, while the
			 * source still runs: the flush before the ACK (inside the
			 * pause) then has only the last round's blocks to write */
			if (d->blk && disk_receiver_flush(&d->dr, d->ch.err, sizeof(d->ch.err))) {
				free(p);
				return -1;
			}
			/* everything before this marker is in RAM: say so, so that
			 * the source measures delivery, not its socket buffer */
			if (mig_send_buf(&d->ch, MIG_SEC_ROUND_ACK, 1, p, 4)) {
				free(p);
				return -1;
			}
			free(p);
			break;
		case MIG_SEC_DEVICES:
			if (d->dev || h.version != 1)
				return fail(d, "stream corrupt: unexpected device state section");
			d->dev = malloc(h.length ? h.length : 1);
			d->dev_len = h.length;
			if (!d->dev)
				return fail(d, "out of memory");
			if (mig_recv_part(&d->ch, d->dev, h.length) || mig_recv_done(&d->ch, &h))
				return -1;
			break;
		case MIG_SEC_END:
			if (h.length != sizeof(end))
				return fail(d, "stream corrupt: bad end section");
			if (mig_recv_part(&d->ch, end, sizeof(end)) || mig_recv_done(&d->ch, &h))
				return -1;
			if (!rom || !d->dev)
				return fail(d, "stream corrupt: the stream ended without ROM or device state");
			if (end[0] != d->rr.pages)
				return fail(d, "stream corrupt: page count differs from the source's");
			if (end[1] != d->dr.sections)
				return fail(d, "stream corrupt: disk section count differs from the source's");
			return 0;
		case MIG_SEC_ABORT:
			if (h.length > JSON_MAX)
				return fail(d, "stream corrupt: oversized abort section");
			p = malloc(h.length + 1);
			if (p && mig_recv_part(&d->ch, p, h.length) == 0 &&
			    mig_recv_done(&d->ch, &h) == 0) {
				json_t *j;
				p[h.length] = 0;
				j = json_loads((const char *)p, 0, NULL);
				snprintf(d->ch.err, sizeof(d->ch.err), "the source gave up: %s",
					 json_string_value(json_object_get(j, "error"))
						 ? json_string_value(json_object_get(j, "error"))
						 : "no reason given");
				json_decref(j);
			}
			free(p);
			return -1;
		default:
			snprintf(d->ch.err, sizeof(d->ch.err),
				 "stream corrupt: unexpected section type %u", h.type);
			return -1;
		}
	}
}

static int await_commit(struct dst *d)
{
	struct mig_hdr h;
	uint8_t *p = NULL;
	json_t *j;

	/* the source commits right after the ACK; waiting longer than its own
	 * wait for RUNNING (10 s) only delays the resolution of a lost COMMIT */
	d->ch.idle_ms = COMMIT_WAIT_MS;
	if (mig_recv_section(&d->ch, &h, JSON_MAX, &p)) {
		snprintf(d->ch.err + strlen(d->ch.err), sizeof(d->ch.err) - strlen(d->ch.err),
			 " (after the ACK, before the commit: the source keeps the VM)");
		return -1;
	}
	if (h.type != MIG_SEC_COMMIT) {
		free(p);
		return fail(d, h.type == MIG_SEC_ABORT ? "the source aborted after the ACK"
						       : "stream corrupt: expected the commit");
	}
	j = payload_json(d, p, "commit");
	free(p);
	if (!j)
		return -1;
	d->run = json_is_true(json_object_get(j, "run"));
	json_decref(j);
	return 0;
}

/* One accepted connection: the key exchange within HANDSHAKE_MS. 0: the
 * peer proved the key; -1: dropped (logged), keep waiting. */
static int try_peer(struct dst *d, int fd)
{
	struct migration *mig = d->mig;
	struct mig_secret *sec = mig_secret_take(mig, false); /* wrong peers may come first */
	char peer[64];
	int r = -1;

	mig_tcp_peer(fd, peer, sizeof(peer));
	if (!sec) {
		close(fd);
		return -1;
	}
	if (mig_chan_init(&d->ch, fd, &mig->cancel, HANDSHAKE_MS))
		goto out;
	d->ch.deadline_ns = mig_now_ns() + HANDSHAKE_MS * 1000000ull;
	r = mig_handshake_dest(&d->ch, sec);
out:
	if (r) {
		if (!mig->cancel)
			fprintf(stderr, "godwit-vmm: migration: dropped a connection from %s: %s; "
					"still waiting for the source\n", peer,
				d->ch.err[0] ? d->ch.err : "it went away");
		mig_chan_close(&d->ch);
		memset(&d->ch, 0, sizeof(d->ch));
		d->ch.fd = -1;
	} else {
		d->ch.deadline_ns = 0;
		d->ch.idle_ms = IDLE_MS;
	}
	mig_secret_free(sec);
	return r;
}

/* Wait for the source: connections until one proves the key, bounded by
 * the deadline parameter and migrate_cancel. Meanwhile make guest RAM
 * resident, 16 MiB at a time (a source that connects waits for one chunk
 * at most), so that the stream does not wait for the host
 * to fault in and zero every page it writes (on hosts that back memory
 * lazily that costs seconds per GiB). Contents do not change (still zero),
 * so the receiver's list of pages that may hold data, taken before, stays
 * right. Stops as soon as a source connects: it never competes with the
 * stream for a CPU. */
static int accept_source(struct dst *d)
{
	struct migration *mig = d->mig;
	uint64_t next = 0, size = d->m->ram.size, chunk = 16ull << 20;
	uint64_t start = mig_now_ns(), deadline_ms;
	struct mig_params p;

	migration_get_params(mig, &p);
	deadline_ms = p.deadline_ms;
	for (;;) {
		struct pollfd pf = { mig->listen_fd, POLLIN, 0 };
		int r, fd;

		if (mig->cancel)
			return fail(d, "cancelled while waiting for the source");
		if (deadline_ms && mig_now_ns() - start >= deadline_ms * 1000000ull)
			return fail(d, "no source proved the migration key before the deadline");
		r = poll(&pf, 1, next < size ? 0 : 100);
		if (r < 0 && errno != EINTR)
			return fail(d, "poll failed");
		if (r <= 0) {
			if (next < size) {
				uint64_t n = size - next < chunk ? size - next : chunk;
				if (madvise(d->m->ram.host + next, n, MADV_POPULATE_WRITE))
					next = size; /* not supported here: the stream faults pages in */
				else
					next += n;
			}
			continue;
		}
		fd = accept4(mig->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		next = size; /* a source is here: no more prefaulting */
		if (try_peer(d, fd) == 0)
			break;
	}
	close(mig->listen_fd);
	mig->listen_fd = -1;
	return 0;
}

static void wipe_key(struct migration *mig)
{
	pthread_mutex_lock(&mig->lock);
	mig_secret_wipe(mig->secret);
	pthread_mutex_unlock(&mig->lock);
}

void *mig_dest_thread(void *arg)
{
	struct migration *mig = arg;
	struct dst d;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	d.mig = mig;
	d.m = mig->m;
	d.ch.fd = -1;
	/* which pages may hold data (what this side loaded itself): before the
	 * prefault in accept_one() makes every page resident */
	if (ram_receiver_init(&d.rr, d.m)) {
		fail(&d, "out of memory");
		goto out;
	}
	if (accept_source(&d))
		goto out;
	wipe_key(mig); /* the connection has its own keys now */
	mig->start_ns = mig_now_ns();
	mig_set_status(mig, MIG_ACTIVE);
	if (handshake(&d) || receive(&d))
		goto out;
	mig_trace("dst", "end received");
	if (d.blk && disk_receiver_flush(&d.dr, d.load_err, sizeof(d.load_err))) {
		send_answer(&d, MIG_SEC_ACK, d.load_err);
		d.acked = true;
		snprintf(d.ch.err, sizeof(d.ch.err), "%.200s", d.load_err);
		goto out;
	}
	if (machine_call(d.m, cb_load, &d)) {
		fail(&d, "the VM stopped");
		goto out;
	}
	if (d.load_rc) {
		send_answer(&d, MIG_SEC_ACK, d.load_err);
		d.acked = true;
		snprintf(d.ch.err, sizeof(d.ch.err), "device state rejected: %.200s", d.load_err);
		goto out;
	}
	mig_trace("dst", "loaded");
	d.acked = true;
	if (send_answer(&d, MIG_SEC_ACK, NULL) || await_commit(&d))
		goto out;
	mig_trace("dst", "commit received");
	if (machine_call(d.m, cb_start, &d)) {
		fail(&d, "the VM stopped");
		goto out;
	}
	mig_trace("dst", "running");
	rc = 0;
	/* the VM is ours whatever happens to this confirmation */
	d.ch.idle_ms = 2000;
	if (send_answer(&d, MIG_SEC_RUNNING, NULL))
		fprintf(stderr, "godwit-vmm: migration: the VM runs here, but the source may "
				"not have heard (%s)\n", d.ch.err);
out:
	wipe_key(mig);
	if (rc && d.ch.fd >= 0 && !d.acked && !mig->cancel)
		tell_source(&d);
	pthread_mutex_lock(&mig->lock);
	mig->info.transferred = d.ch.bytes_recv;
	mig->info.total_ms = (mig_now_ns() - mig->start_ns) / 1000000;
	pthread_mutex_unlock(&mig->lock);
	mig_chan_close(&d.ch);
	ram_receiver_destroy(&d.rr);
	disk_receiver_destroy(&d.dr);
	free(d.dev);
	if (rc == 0) {
		/* completed was set by cb_start */
	} else {
		mig_fail(mig, mig->cancel ? MIG_CANCELLED : MIG_FAILED, "incoming: %s",
			 d.ch.err[0] ? d.ch.err : "failed");
		machine_call(d.m, cb_exit, NULL);
	}
	mig_thread_exit(mig);
	return NULL;
}

int mig_dest_receive(struct machine *m, int fd, const struct mig_secret *sec,
		     char *err, size_t errlen)
{
	struct dst d;
	int rc = -1;

	memset(&d, 0, sizeof(d));
	d.m = m;
	d.ch.fd = -1;
	if (mig_chan_init(&d.ch, fd, NULL, 2000)) {
		close(fd);
		goto out;
	}
	if (ram_receiver_init(&d.rr, m)) {
		fail(&d, "out of memory");
		goto out;
	}
	if (mig_handshake_dest(&d.ch, sec) || handshake(&d) || receive(&d))
		goto out;
	if (d.blk && disk_receiver_flush(&d.dr, d.load_err, sizeof(d.load_err))) {
		snprintf(d.ch.err, sizeof(d.ch.err), "%.200s", d.load_err);
		goto out;
	}
	cb_load(m, &d);
	if (d.load_rc) {
		snprintf(d.ch.err, sizeof(d.ch.err), "device state rejected: %.200s", d.load_err);
		goto out;
	}
	rc = 0;
out:
	snprintf(err, errlen, "%s", rc ? (d.ch.err[0] ? d.ch.err : "failed") : "");
	mig_chan_close(&d.ch);
	ram_receiver_destroy(&d.rr);
	disk_receiver_destroy(&d.dr);
	free(d.dev);
	return rc;
}
