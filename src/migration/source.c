/*
 * source.c - the sending side of a live migration, on its own thread:
 * handshake, pre-copy rounds with bandwidth and dirty-rate measurement,
 * the switchover decision, auto-converge, stop-and-copy, and the commit.
 *
 * Iterative sources: pre-copy runs over a list of them - RAM, and with
 * blk every disk (disk.h) - each sending its whole contents in round 1 and
 * what was dirtied since in later rounds; the stop sends what each has
 * left, RAM first, then the disks, before DEVICES and END.
 *
 * Switchover: after each round the predicted pause is
 *     (dirty pages x 4 KiB + dirty disk bytes) / measured bandwidth
 *     + device state + 2 RTT + 1 ms.
 * The source switches over when that fits downtime-limit and another round
 * would not help: the dirty set is empty or tiny (prediction <= 2 ms), it
 * stopped halving, or MAX_ROUNDS passed. So the pause is usually far below
 * the limit, which is only an upper bound.
 * Auto-converge: while the prediction does not fit and the guest dirtied
 * more than half of what a round sent, the vCPU throttle goes up from
 * throttle_initial by throttle_increment to throttle_max.
 *
 * After the ACK: the commit is decided under mig->lock against a racing
 * migrate_cancel; COMMIT goes out; the destination's RUNNING confirms that
 * it owns the VM (completed). Without that confirmation within CONFIRM_MS
 * the outcome is unknown: status "unresolved", the VM stays paused here
 * until migration_resolve().
 *
 * Invariants: the VM is paused only between cb_stop and either the commit
 * (it stays paused: postmigrate, or unresolved) or cb_resume (any failure
 * before the commit). The thread touches the machine only through
 * machine_call(). The migration key is copied out of mig->secret and wiped
 * there when the thread starts (one key, one migration); the copy is wiped
 * as soon as the connection's keys are derived.
 */
#include "migration/migration.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "migration/config.h"
#include "migration/devstate.h"
#include "migration/disk.h"
#include "migration/handshake.h"
#include "migration/ram.h"
#include "migration/stream.h"
#include "migration/tcp.h"

#define MAX_ROUNDS 30
#define IDLE_MS 10000 /* no progress for this long: the link or the peer is dead */
#define SMALL_PREDICTION_NS 2000000ull
#define DEVSTATE_MAX (4u << 20)
#define CONFIRM_MS 10000 /* COMMIT to the destination's RUNNING */
#define HANDSHAKE_MS 10000

struct src;

/* One iterative source of pre-copy: round() sends everything (first) or
 * what was dirtied since the last round; pending() is what it still has
 * to send, in bytes, as of its last sync. */
struct iter_src {
	const char *name;
	int (*round)(struct src *c, bool first);
	uint64_t (*pending)(const struct src *c);
};

struct src {
	struct migration *mig;
	struct machine *m;
	struct mig_chan ch;
	struct ram_sender rs;
	struct disk_sender ds;   /* blk: the disks */
	bool blk, ds_live;
	const struct iter_src *srcs[2];
	int nsrcs;
	struct mig_params p;
	uint64_t *bitmap, *scratch, words; /* pages to send; the final sync */
	int dirty_id;
	uint64_t dirty;          /* pages in bitmap after the last sync */
	uint64_t dirty_prev;     /* pages the round now running sends */
	bool stopped, was_running, committed, confirmed;
	struct mig_secret *sec;  /* this migration's copy of the key */
	uint8_t *dev;
	size_t dev_len;
	int dev_rc;
	int flush_rc;            /* machine_disks_flush inside the stop */
	char flush_err[256];
	uint64_t t_stop;
	uint64_t rtt_ns;
	double bw;               /* bytes per second, measured */
};

static void cb_dirty_start(struct machine *m, void *arg)
{
	struct src *c = arg;

	c->dirty_id = machine_dirty_start(m);
}

static void cb_sync(struct machine *m, void *arg)
{
	struct src *c = arg;

	c->dirty = machine_dirty_sync(m, c->dirty_id, c->bitmap);
}

static void cb_stop(struct machine *m, void *arg)
{
	struct src *c = arg;

	c->was_running = !m->paused;
	m->paused = true;
	c->t_stop = mig_now_ns();
	c->stopped = true;
	/* disk requests in flight write guest RAM and rings: finish them all
	 * before the last sync and before the device state is saved */
	machine_disks_drain(m);
	/* the pages of the last pre-copy sync are still to send: add the ones
	 * dirtied since then, do not replace them */
	machine_dirty_sync(m, c->dirty_id, c->scratch);
	c->dirty = 0;
	for (uint64_t w = 0; w < c->words; w++) {
		c->bitmap[w] |= c->scratch[w];
		c->dirty += (uint64_t)__builtin_popcountll(c->bitmap[w]);
	}
	/* the guest's last writes reach shared storage before the
	 * destination reopens the images (it does so when END arrives); with
	 * blk the destination has its own copies, sent in the stream */
	c->flush_rc = c->blk ? 0 : machine_disks_flush(m, c->flush_err, sizeof(c->flush_err));
	c->dev_rc = devstate_save(m, &c->dev, &c->dev_len);
	if (c->was_running && c->mig->hooks.stopped)
		c->mig->hooks.stopped(c->mig->hooks.opaque);
}

static void cb_resume(struct machine *m, void *arg)
{
	struct src *c = arg;

	if (c->was_running && !m->exited) {
		machine_set_paused(m, false);
		if (c->mig->hooks.resumed)
			c->mig->hooks.resumed(c->mig->hooks.opaque);
	}
	c->stopped = false;
}

static void cb_finish(struct machine *m, void *arg)
{
	struct src *c = arg;

	m->throttle_pct = 0;
	if (c->dirty_id >= 0)
		machine_dirty_stop(m, c->dirty_id);
	c->dirty_id = -1;
}

static int ram_round(struct src *c, bool first)
{
	return ram_send_bitmap(&c->rs, c->bitmap, first);
}

static uint64_t ram_pending(const struct src *c)
{
	return c->dirty * HART_PAGE_SIZE;
}

static int disk_round(struct src *c, bool first)
{
	return disk_send_round(&c->ds, first);
}

static uint64_t disk_pending(const struct src *c)
{
	return disk_sender_remaining(&c->ds);
}

static const struct iter_src ram_src = { "ram", ram_round, ram_pending };
static const struct iter_src disk_src = { "disk", disk_round, disk_pending };

/* Bytes every source still has to send. */
static uint64_t pending_bytes(const struct src *c)
{
	uint64_t n = 0;

	for (int i = 0; i < c->nsrcs; i++)
		n += c->srcs[i]->pending(c);
	return n;
}

static int send_json(struct src *c, uint16_t type, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	int r;

	json_decref(j);
	if (!s) {
		snprintf(c->ch.err, sizeof(c->ch.err), "out of memory");
		return -1;
	}
	r = mig_send_buf(&c->ch, type, 1, s, strlen(s));
	free(s);
	return r;
}

/* Read the destination's JSON answer of the given type: 0 ok, -1 error. */
static int recv_answer(struct src *c, uint16_t type, const char *what)
{
	struct mig_hdr h;
	uint8_t *p = NULL;
	json_t *j = NULL;
	int r = -1;

	if (mig_recv_section(&c->ch, &h, 65536, &p))
		return -1;
	if (h.type != type) {
		snprintf(c->ch.err, sizeof(c->ch.err), "destination sent %s instead of %s",
			 mig_section_name(h.type), mig_section_name(type));
		goto out;
	}
	j = json_loads((const char *)p, 0, NULL);
	if (json_is_true(json_object_get(j, "ok"))) {
		r = 0;
	} else {
		const char *e = json_string_value(json_object_get(j, "error"));
		snprintf(c->ch.err, sizeof(c->ch.err), "destination refused %s: %s", what,
			 e ? e : "no reason given");
	}
out:
	json_decref(j);
	free(p);
	return r;
}

/* Between batches the destination may have failed and said why. */
static int check_peer(struct src *c)
{
	if (mig_chan_readable(&c->ch, 0) == 1) {
		if (recv_answer(c, MIG_SEC_ACK, "the stream") == 0)
			snprintf(c->ch.err, sizeof(c->ch.err), "destination acknowledged early");
		return -1;
	}
	return 0;
}

/* Wait for the destination's ROUND_ACK of this round. */
static int await_round_ack(struct src *c, uint32_t round)
{
	struct mig_hdr h;
	uint8_t *p = NULL;
	uint32_t got;

	if (mig_recv_hdr(&c->ch, &h, 65536))
		return -1;
	if (h.type == MIG_SEC_ACK) { /* the destination failed and says why */
		p = malloc(h.length + 1);
		if (p && mig_recv_part(&c->ch, p, h.length) == 0 && mig_recv_done(&c->ch, &h) == 0) {
			json_t *j;
			p[h.length] = 0;
			j = json_loads((const char *)p, 0, NULL);
			snprintf(c->ch.err, sizeof(c->ch.err), "destination failed: %s",
				 json_string_value(json_object_get(j, "error"))
					 ? json_string_value(json_object_get(j, "error")) : "no reason given");
			json_decref(j);
		}
		free(p);
		return -1;
	}
	if (h.type != MIG_SEC_ROUND_ACK || h.length != 4 ||
	    mig_recv_part(&c->ch, &got, 4) || mig_recv_done(&c->ch, &h) || got != round) {
		if (!c->ch.err[0])
			snprintf(c->ch.err, sizeof(c->ch.err),
				 "destination answered round %u with %s", round,
				 mig_section_name(h.type));
		return -1;
	}
	return 0;
}

static void publish(struct src *c, uint64_t round, uint64_t expected_ns, uint64_t dirty_rate)
{
	struct mig_info *i = &c->mig->info;

	pthread_mutex_lock(&c->mig->lock);
	i->round = round;
	i->dirty_sync_count = round;
	i->expected_downtime_ms = expected_ns / 1000000;
	i->dirty_pages_rate = dirty_rate;
	i->mbps = c->bw * 8 / 1e6;
	i->pages_per_second = (uint64_t)(c->bw / HART_PAGE_SIZE);
	i->remaining = c->dirty * HART_PAGE_SIZE;
	if (c->blk)
		i->disk_remaining = disk_sender_remaining(&c->ds);
	pthread_mutex_unlock(&c->mig->lock);
	__atomic_store_n(&c->rs.remaining, c->dirty, __ATOMIC_RELAXED);
}

/* ram.c, after each section: the figures query-migrate shows */
static void report_progress(void *opaque)
{
	struct src *c = opaque;

	/* ram.transferred is RAM's share, as QEMU's with blk */
	mig_progress(c->mig, c->ch.bytes_sent - c->ds.bytes, c->rs.zero_pages, c->rs.data_pages,
		     c->rs.remaining);
}

/* disk.c, after each section */
static void report_disk_progress(void *opaque)
{
	struct src *c = opaque;

	mig_progress_disk(c->mig, c->ds.bytes, disk_sender_remaining(&c->ds));
}

static uint64_t predict_ns(const struct src *c)
{
	double bytes = (double)pending_bytes(c) + (double)c->dev_len + 4096.0;
	double bw = c->bw > 1e6 ? c->bw : 1e6;

	return (uint64_t)(bytes / bw * 1e9) + 2 * c->rtt_ns + 1000000ull;
}

static int handshake(struct src *c)
{
	json_t *hello;
	uint64_t t0 = mig_now_ns(), dl = c->ch.deadline_ns;
	int r;

	/* the key exchange is bounded on its own: a peer that accepts and
	 * then says nothing must not hold the source for the idle timeout */
	c->ch.deadline_ns = t0 + HANDSHAKE_MS * 1000000ull;
	if (dl && dl < c->ch.deadline_ns)
		c->ch.deadline_ns = dl;
	r = mig_handshake_source(&c->ch, c->sec);
	mig_secret_wipe(c->sec);
	c->ch.deadline_ns = dl;
	if (r)
		return -1;
	hello = json_pack("{s:i, s:o}", "protocol", MIG_PROTOCOL_VERSION,
			  "machine", mig_config_describe(c->m, c->blk));
	if (send_json(c, MIG_SEC_HELLO, hello) ||
	    recv_answer(c, MIG_SEC_WELCOME, "the machine"))
		return -1;
	c->rtt_ns = mig_now_ns() - t0;
	return 0;
}

/* Pre-copy until the switchover condition holds. */
static int precopy(struct src *c)
{
	uint64_t prev = UINT64_MAX, round, last_bytes = 0, pending;

	for (uint64_t w = 0; w < c->words; w++)
		c->bitmap[w] = ~0ull;
	if (c->m->ram_pages % 64)
		c->bitmap[c->words - 1] = (1ull << (c->m->ram_pages % 64)) - 1;
	c->dirty_prev = c->m->ram_pages;
	for (round = 1;; round++) {
		uint64_t t0 = mig_now_ns(), b0 = c->ch.bytes_sent, t1, ta, bytes, pred, rate, dd;
		uint32_t rnd[5];

		if (c->ch.deadline_ns && mig_now_ns() >= c->ch.deadline_ns) {
			snprintf(c->ch.err, sizeof(c->ch.err),
				 "deadline reached after %llu rounds: the guest dirties memory "
				 "faster than it can be sent (%s)", (unsigned long long)round - 1,
				 c->p.auto_converge ? "even with its vCPU throttled"
						    : "auto-converge would throttle it");
			return -1;
		}
		pthread_mutex_lock(&c->mig->lock);
		c->mig->info.round = round; /* the round now running, as QEMU's sync count */
		c->mig->info.dirty_sync_count = round;
		pthread_mutex_unlock(&c->mig->lock);
		migration_get_params(c->mig, &c->p); /* they may change while we run */
		c->rs.max_bw = c->p.max_bandwidth;
		c->ds.max_bw = c->p.max_bandwidth;
		for (int i = 0; i < c->nsrcs; i++)
			if (c->srcs[i]->round(c, round == 1) || check_peer(c))
				return -1;
		/* the end-of-round marker comes back once the destination has
		 * written everything before it: the round is measured end to
		 * end, and nothing is left queued in socket buffers when the VM
		 * stops (that backlog would be downtime) */
		rnd[0] = (uint32_t)round;
		rnd[1] = (uint32_t)(c->dirty_prev);
		rnd[2] = (uint32_t)(c->dirty_prev >> 32);
		/* with blk: the disk bytes still dirty as the round ends */
		dd = c->blk ? disk_sender_remaining(&c->ds) : 0;
		rnd[3] = (uint32_t)dd;
		rnd[4] = (uint32_t)(dd >> 32);
		ta = mig_now_ns();
		if (mig_send_buf(&c->ch, MIG_SEC_ROUND, 1, rnd, c->blk ? 20 : 12) ||
		    await_round_ack(c, (uint32_t)round))
			return -1;
		if (mig_now_ns() - ta < c->rtt_ns) /* the smallest wait is the best RTT guess */
			c->rtt_ns = mig_now_ns() - ta;
		if (machine_call(c->m, cb_sync, c))
			goto gone;
		c->dirty_prev = c->dirty;
		t1 = mig_now_ns();
		bytes = c->ch.bytes_sent - b0;
		if (bytes >= (1u << 20) || c->bw == 0)
			c->bw = (double)bytes * 1e9 / (double)(t1 - t0 ? t1 - t0 : 1);
		rate = (uint64_t)((double)c->dirty * 1e9 / (double)(t1 - t0 ? t1 - t0 : 1));
		pending = pending_bytes(c);
		pred = predict_ns(c);
		publish(c, round, pred, rate);
		{
			char t[160];
			snprintf(t, sizeof(t), "round %llu: %llu bytes in %.1f ms, %llu dirty, %llu disk bytes dirty, predicted %.2f ms, throttle %d",
				 (unsigned long long)round, (unsigned long long)bytes,
				 (double)(t1 - t0) / 1e6, (unsigned long long)c->dirty,
				 (unsigned long long)(pending - c->dirty * HART_PAGE_SIZE),
				 (double)pred / 1e6, c->m->throttle_pct);
			mig_trace("src", t);
		}
		if (pred <= c->p.downtime_limit_ms * 1000000ull &&
		    (pending == 0 || pred <= SMALL_PREDICTION_NS || pending * 2 > prev ||
		     round >= MAX_ROUNDS))
			return 0;
		if (c->p.auto_converge && round >= 2 &&
		    (double)pending > 0.5 * (double)(bytes ? bytes : last_bytes)) {
			int t = c->m->throttle_pct;
			t = t ? t + c->p.throttle_increment : c->p.throttle_initial;
			if (t > c->p.throttle_max)
				t = c->p.throttle_max;
			c->m->throttle_pct = t;
		}
		last_bytes = bytes;
		prev = pending;
	}
gone:
	snprintf(c->ch.err, sizeof(c->ch.err), "the VM stopped");
	return -1;
}

/* Stop the VM, send what is left and the device state, wait for the ACK. */
static int switchover(struct src *c)
{
	uint64_t end[2];
	struct iovec v;
	json_t *commit;

	if (!c->mig->cancel) /* a cancel already said "cancelling": keep that */
		mig_set_status(c->mig, MIG_DEVICE);
	/* the bulk of the disk writeback while the guest still runs (shared
	 * storage only: with blk the disks travel in the stream) */
	if (!c->blk && machine_disks_flush(c->m, c->ch.err, sizeof(c->ch.err)))
		return -1;
	mig_trace("src", "stop requested");
	if (machine_call(c->m, cb_stop, c)) {
		snprintf(c->ch.err, sizeof(c->ch.err), "the VM stopped");
		return -1;
	}
	if (c->flush_rc) {
		snprintf(c->ch.err, sizeof(c->ch.err), "%s", c->flush_err);
		return -1;
	}
	if (c->dev_rc || c->dev_len > DEVSTATE_MAX) {
		snprintf(c->ch.err, sizeof(c->ch.err), "cannot save the device state");
		return -1;
	}
	mig_trace("src", "stopped");
	/* every source's last dirty data: RAM, then the disks (all guest
	 * I/O was drained in cb_stop, so the disks' bitmaps are final) */
	for (int i = 0; i < c->nsrcs; i++)
		if (c->srcs[i]->round(c, false))
			return -1;
	mig_trace("src", "final pages sent");
	v.iov_base = c->dev;
	v.iov_len = c->dev_len;
	if (mig_send(&c->ch, MIG_SEC_DEVICES, 1, &v, 1))
		return -1;
	end[0] = c->rs.zero_pages + c->rs.data_pages;
	end[1] = c->ds.sections; /* 0 without blk */
	if (mig_send_buf(&c->ch, MIG_SEC_END, 1, end, sizeof(end)) ||
	    recv_answer(c, MIG_SEC_ACK, "the VM state"))
		return -1;
	/* the commit point, decided once against a racing migrate_cancel: from
	 * here on the VM belongs to the destination */
	pthread_mutex_lock(&c->mig->lock);
	if (!c->mig->cancel)
		c->mig->committed = c->committed = true;
	pthread_mutex_unlock(&c->mig->lock);
	if (!c->committed) { /* the user won the race with the ACK: do not commit */
		snprintf(c->ch.err, sizeof(c->ch.err), "cancelled by the user");
		return -1;
	}
	mig_trace("src", "ack received");
	commit = json_pack("{s:b}", "run", c->was_running);
	c->ch.cancel = NULL; /* nothing cancels a commit */
	if (send_json(c, MIG_SEC_COMMIT, commit)) {
		mig_trace("src", "commit not sent");
		return -1;
	}
	mig_trace("src", "commit sent");
	c->ch.idle_ms = CONFIRM_MS;
	c->ch.deadline_ns = 0;
	if (recv_answer(c, MIG_SEC_RUNNING, "the commit"))
		return -1;
	c->confirmed = true;
	mig_trace("src", "running confirmed");
	return 0;
}

/* The connection broke: a destination that gave up says why in an ACK
 * just before it closes. Use that reason if it is there (bounded wait). */
static void peer_reason(struct src *c)
{
	if (c->ch.fd < 0 || c->mig->cancel || strncmp(c->ch.err, "connection", 10))
		return;
	c->ch.cancel = NULL;
	c->ch.idle_ms = 200;
	c->ch.deadline_ns = 0;
	for (int i = 0; i < 4 && mig_chan_readable(&c->ch, 200) == 1; i++) {
		struct mig_hdr h;
		uint8_t *p = NULL;
		json_t *j;
		const char *e;

		if (mig_recv_section(&c->ch, &h, 65536, &p))
			return;
		j = json_loads((const char *)p, 0, NULL);
		e = json_string_value(json_object_get(j, "error"));
		if ((h.type == MIG_SEC_ACK || h.type == MIG_SEC_WELCOME) && e)
			snprintf(c->ch.err, sizeof(c->ch.err), "destination failed: %s", e);
		json_decref(j);
		free(p);
		if (h.type == MIG_SEC_ACK || h.type == MIG_SEC_WELCOME)
			return;
	}
}

static void finish(struct src *c, int rc)
{
	struct migration *mig = c->mig;
	enum mig_status st;

	if (rc && !c->committed)
		peer_reason(c);
	if (rc && c->stopped && !c->committed)
		machine_call(c->m, cb_resume, c);
	machine_call(c->m, cb_finish, c);
	pthread_mutex_lock(&mig->lock);
	mig->info.transferred = c->ch.bytes_sent - c->ds.bytes;
	mig->info.disk_transferred = c->ds.bytes;
	mig->info.disk_remaining = c->committed ? 0 : mig->info.disk_remaining;
	mig->info.duplicate = c->rs.zero_pages;
	mig->info.normal = c->rs.data_pages;
	mig->info.normal_bytes = c->rs.data_pages * HART_PAGE_SIZE;
	mig->info.total_ms = (mig_now_ns() - mig->start_ns) / 1000000;
	if (c->committed) {
		mig->info.downtime_ms = (mig_now_ns() - c->t_stop + 999999) / 1000000;
		mig->info.remaining = 0;
		mig->resume_on_source = c->was_running;
	}
	st = mig->cancel ? MIG_CANCELLED : MIG_FAILED;
	pthread_mutex_unlock(&mig->lock);
	if (c->committed && c->confirmed) {
		mig_set_status(mig, MIG_COMPLETED);
	} else if (c->committed) {
		/* the destination may or may not run the VM: say so, stay paused */
		pthread_mutex_lock(&mig->lock);
		snprintf(mig->info.error, sizeof(mig->info.error),
			 "outcome unknown: the destination did not confirm that it runs "
			 "the VM (%.60s); paused here until x-godwit-migrate-resolve",
			 c->ch.err[0] ? c->ch.err : "no answer");
		pthread_mutex_unlock(&mig->lock);
		fprintf(stderr, "godwit-vmm: migration unresolved: %s\n", mig->info.error);
		mig_set_status(mig, MIG_UNRESOLVED);
	} else {
		/* tell the destination, best effort, so it goes away at once */
		json_t *a = json_pack("{s:s}", "error", c->ch.err[0] ? c->ch.err : "failed");
		if (c->ch.fd >= 0) {
			char keep[sizeof(c->ch.err)];
			memcpy(keep, c->ch.err, sizeof(keep));
			c->ch.cancel = NULL;
			c->ch.idle_ms = 1000;
			send_json(c, MIG_SEC_ABORT, a);
			memcpy(c->ch.err, keep, sizeof(keep));
		} else {
			json_decref(a);
		}
		mig_fail(mig, st, "%s", c->ch.err[0] ? c->ch.err : "failed");
	}
	if (c->ch.fd >= 0)
		shutdown(c->ch.fd, SHUT_RDWR);
	mig_chan_close(&c->ch);
	ram_sender_destroy(&c->rs);
	if (c->ds_live)
		disk_sender_destroy(&c->ds);
	mig_secret_free(c->sec);
	c->sec = NULL;
	free(c->bitmap);
	free(c->scratch);
	free(c->dev);
}

void *mig_source_thread(void *arg)
{
	struct migration *mig = arg;
	struct src c;
	int fd, rc = -1;

	memset(&c, 0, sizeof(c));
	c.mig = mig;
	c.m = mig->m;
	c.dirty_id = -1;
	c.ch.fd = -1;
	migration_get_params(mig, &c.p);
	/* one key, one migration: take it out of the parameters now */
	c.sec = mig_secret_take(mig, true);
	c.words = (c.m->ram_pages + 63) / 64;
	c.bitmap = calloc(c.words, sizeof(uint64_t));
	c.scratch = calloc(c.words, sizeof(uint64_t));
	if (!c.sec || !c.bitmap || !c.scratch || ram_sender_init(&c.rs, c.m, &c.ch)) {
		snprintf(c.ch.err, sizeof(c.ch.err), "out of memory");
		goto out;
	}
	c.rs.max_bw = c.p.max_bandwidth;
	fd = mig_tcp_connect(&mig->peer, 10000, c.ch.err, sizeof(c.ch.err));
	if (fd < 0)
		goto out;
	if (mig_chan_init(&c.ch, fd, &mig->cancel, IDLE_MS))
		goto out;
	if (c.p.deadline_ms)
		c.ch.deadline_ns = mig->start_ns + c.p.deadline_ms * 1000000ull;
	c.rs.progress = report_progress;
	c.rs.progress_opaque = &c;
	c.blk = mig->blk;
	c.srcs[c.nsrcs++] = &ram_src;
	if (handshake(&c))
		goto out;
	if (c.blk) {
		/* the disks' bitmaps before their first byte is read */
		if (disk_sender_init(&c.ds, c.m, &c.ch))
			goto out;
		c.ds_live = true;
		c.ds.max_bw = c.p.max_bandwidth;
		c.ds.progress = report_disk_progress;
		c.ds.progress_opaque = &c;
		c.srcs[c.nsrcs++] = &disk_src;
		pthread_mutex_lock(&mig->lock);
		mig->info.disk_total = c.ds.total;
		mig->info.disk_remaining = c.ds.total;
		pthread_mutex_unlock(&mig->lock);
	}
	if (machine_call(c.m, cb_dirty_start, &c) || c.dirty_id < 0) {
		snprintf(c.ch.err, sizeof(c.ch.err), "cannot start dirty tracking");
		goto out;
	}
	pthread_mutex_lock(&mig->lock);
	mig->info.setup_ms = (mig_now_ns() - mig->start_ns) / 1000000;
	if (mig->info.status == MIG_SETUP)
		mig->info.status = MIG_ACTIVE;
	pthread_mutex_unlock(&mig->lock);
	mig_set_status(mig, mig->cancel ? MIG_CANCELLING : MIG_ACTIVE);
	if (mig_send_buf(&c.ch, MIG_SEC_ROM, 1, c.m->rom.host, c.m->rom.size))
		goto out;
	if (precopy(&c) || switchover(&c))
		goto out;
	rc = 0;
out:
	if (mig->cancel && !c.committed)
		snprintf(c.ch.err, sizeof(c.ch.err), "cancelled by the user");
	finish(&c, rc);
	mig_thread_exit(mig);
	return NULL;
}
