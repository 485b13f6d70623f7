/*
 * netdelay.c - godwit-netdelay: a fixed one-way delay for packets queued by
 * netfilter (`iptables ... -j NFQUEUE --queue-num N`), for a kernel without
 * netem. Run in the router namespace of an emulated long-distance link
 * (tests/lib/wanlab.sh, docs/wan.md); every forwarded packet, in both
 * directions, is held for --delay-ms and then accepted, so the round trip
 * between the two hosts gains twice the delay.
 *
 *   kernel --(packet id, metadata only)--> recvmmsg --> ring (id, due time)
 *   ring head due? --> one batch verdict: ACCEPT every id up to the last due
 *
 * Invariants:
 *   - The ring holds the packets this daemon was told about and has not
 *     accepted yet, in arrival order. Arrival times only grow and the delay
 *     is the same for all, so due times are in ring order too: the due
 *     packets are always a prefix of the ring, and one batch verdict
 *     (nfq_set_verdict_batch: every queued id <= the given one) releases
 *     exactly them, in FIFO order. A notification lost to a full socket
 *     buffer (ENOBUFS, counted) leaves a packet in the kernel that the next
 *     batch verdict releases.
 *   - A packet is never released before its due time: the only exceptions
 *     are a full ring (accepted at once, counted and reported: never dropped
 *     silently) and shutdown (SIGTERM/SIGINT accept everything held).
 *   - Memory is bounded: the ring has --max-packets entries, allocated once;
 *     the kernel queue is capped at that plus as many again (at least
 *     NETDELAY_KERNEL_HEADROOM) for notifications not read yet, so a burst
 *     fills the ring (and is counted here) before the kernel drops (or, with
 *     --fail-open, passes) anything, unless this daemon stops reading for
 *     that long.
 *   - No payload is copied (NFQNL_COPY_META) and GSO packets are queued
 *     whole (NFQA_CFG_F_GSO): the cost is per packet, not per byte.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define NETDELAY_MAX_DELAY_MS 60000.0
#define NETDELAY_DEFAULT_PACKETS 131072u
#define NETDELAY_MAX_PACKETS (1u << 24)
#define NETDELAY_DEFAULT_RCVBUF (64 << 20)
#define NETDELAY_VLEN 64        /* datagrams per recvmmsg */
#define NETDELAY_MSG_SIZE 2048  /* one metadata-only message fits easily */
#define NETDELAY_RECV_ROUNDS 16 /* recvmmsg calls before releasing again */
#define NETDELAY_KERNEL_HEADROOM 4096u

struct netdelay_entry {
	uint64_t due_ns;
	uint32_t id;
};

/* FIFO of held packets; cap is a power of two, head/tail count forever. */
struct netdelay_ring {
	struct netdelay_entry *e;
	uint32_t cap, head, tail;
};

struct netdelay_stats {
	uint64_t received, released, overflow, enobufs, truncated, batches, max_held;
};

struct netdelay {
	struct nfq_handle *h;
	struct nfq_q_handle *qh;
	int fd;
	uint64_t delay_ns;
	uint64_t now_ns; /* the arrival time given to packets of this recvmmsg */
	struct netdelay_ring ring;
	struct netdelay_stats st;
	int verbose;
	int error; /* a verdict failed inside the callback */
};

static volatile sig_atomic_t netdelay_stop;
static volatile sig_atomic_t netdelay_dump;

static void netdelay_on_signal(int sig)
{
	if (sig == SIGUSR1)
		netdelay_dump = 1;
	else
		netdelay_stop = 1;
}

static uint64_t netdelay_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t netdelay_ring_len(const struct netdelay_ring *r)
{
	return r->tail - r->head;
}

static int netdelay_ring_init(struct netdelay_ring *r, uint32_t want)
{
	uint32_t cap = 1;

	while (cap < want)
		cap <<= 1;
	r->e = calloc(cap, sizeof(*r->e));
	if (!r->e)
		return -1;
	r->cap = cap;
	r->head = r->tail = 0;
	return 0;
}

static void netdelay_usage(FILE *f)
{
	fprintf(f,
		"usage: godwit-netdelay --queue N --delay-ms D [options]\n"
		"Holds every packet of NFQUEUE queue N for D milliseconds (one way;\n"
		"fractions allowed, e.g. 25.5), then accepts it, in arrival order.\n"
		"  --queue N          NFQUEUE number (0..65535)\n"
		"  --delay-ms D       one-way delay in ms (0..%.0f)\n"
		"  --max-packets M    packets held at most (default %u); more are\n"
		"                     accepted at once and counted as overflow\n"
		"  --rcvbuf BYTES     netlink socket receive buffer (default %d)\n"
		"  --fail-open        when the kernel queue is full, the kernel accepts\n"
		"                     instead of dropping\n"
		"  --verbose          print the counters every second\n"
		"SIGTERM/SIGINT: accept everything held, print the counters, exit 0.\n"
		"SIGUSR1: print the counters.\n",
		NETDELAY_MAX_DELAY_MS, NETDELAY_DEFAULT_PACKETS, NETDELAY_DEFAULT_RCVBUF);
}

static void netdelay_print_stats(const struct netdelay *nd, const char *why)
{
	struct rusage ru;
	double cpu = 0;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	fprintf(stderr,
		"godwit-netdelay: %s: received %" PRIu64 " released %" PRIu64 " held %u"
		" max_held %" PRIu64 " batches %" PRIu64 " overflow %" PRIu64
		" enobufs %" PRIu64 " truncated %" PRIu64 " cpu %.3fs (%.2f us/packet)\n",
		why, nd->st.received, nd->st.released, netdelay_ring_len(&nd->ring),
		nd->st.max_held, nd->st.batches, nd->st.overflow, nd->st.enobufs,
		nd->st.truncated, cpu, nd->st.received ? cpu * 1e6 / (double)nd->st.received : 0.0);
}

/* One queued packet: remember it, or accept it at once if the ring is full. */
static int netdelay_on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
			      void *data)
{
	struct netdelay *nd = data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	struct netdelay_ring *r = &nd->ring;
	uint32_t id;

	(void)msg;
	if (!ph)
		return 0;
	id = ntohl(ph->packet_id);
	nd->st.received++;
	if (netdelay_ring_len(r) == r->cap) {
		if (nd->st.overflow++ == 0)
			fprintf(stderr, "godwit-netdelay: more than %u packets in flight: "
					"accepting the excess without delay (counted as overflow)\n",
				r->cap);
		if (nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL) < 0) {
			nd->error = errno;
			return -1;
		}
		nd->st.released++;
		return 0;
	}
	r->e[r->tail & (r->cap - 1)] = (struct netdelay_entry){ nd->now_ns + nd->delay_ns, id };
	r->tail++;
	if (netdelay_ring_len(r) > nd->st.max_held)
		nd->st.max_held = netdelay_ring_len(r);
	return 0;
}

/*
 * Accept every held packet due by `now` (everything when all is set) with
 * one batch verdict. Returns 0, or -1 with errno.
 */
static int netdelay_release(struct netdelay *nd, uint64_t now, bool all)
{
	struct netdelay_ring *r = &nd->ring;
	uint32_t n = 0, last = 0;

	while (netdelay_ring_len(r) > 0) {
		const struct netdelay_entry *e = &r->e[r->head & (r->cap - 1)];

		if (!all && e->due_ns > now)
			break;
		last = e->id;
		r->head++;
		n++;
	}
	if (n == 0)
		return 0;
	if (nfq_set_verdict_batch(nd->qh, last, NF_ACCEPT) < 0)
		return -1;
	nd->st.released += n;
	nd->st.batches++;
	return 0;
}

/*
 * Read what the kernel queued, up to NETDELAY_RECV_ROUNDS full recvmmsg
 * calls. Returns 0, or -1 with errno on a socket error other than
 * EAGAIN/EINTR/ENOBUFS (ENOBUFS is counted: see the top of the file).
 */
static int netdelay_receive(struct netdelay *nd, char (*bufs)[NETDELAY_MSG_SIZE])
{
	struct mmsghdr msgs[NETDELAY_VLEN];
	struct iovec iov[NETDELAY_VLEN];
	int round, i, n;

	for (round = 0; round < NETDELAY_RECV_ROUNDS; round++) {
		for (i = 0; i < NETDELAY_VLEN; i++) {
			iov[i] = (struct iovec){ bufs[i], NETDELAY_MSG_SIZE };
			msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(nd->fd, msgs, NETDELAY_VLEN, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				nd->st.enobufs++;
				continue;
			}
			return -1;
		}
		nd->now_ns = netdelay_now();
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				nd->st.truncated++;
				continue;
			}
			nfq_handle_packet(nd->h, bufs[i], (int)msgs[i].msg_len);
			if (nd->error) {
				errno = nd->error;
				return -1;
			}
		}
		if (n < NETDELAY_VLEN)
			return 0;
	}
	return 0;
}

static int netdelay_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

struct netdelay_opts {
	uint32_t queue, max_packets, rcvbuf;
	double delay_ms;
	bool have_queue, have_delay, fail_open;
	int verbose;
};

/* Returns 0, 1 for --help (usage printed), or -1 (error printed). */
static int netdelay_parse(int argc, char **argv, struct netdelay_opts *o)
{
	int i;

	*o = (struct netdelay_opts){ .max_packets = NETDELAY_DEFAULT_PACKETS,
				     .rcvbuf = NETDELAY_DEFAULT_RCVBUF };
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			netdelay_usage(stdout);
			return 1;
		} else if (!strcmp(a, "--fail-open")) {
			o->fail_open = true;
			continue;
		} else if (!strcmp(a, "--verbose")) {
			o->verbose = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "godwit-netdelay: %s: needs a value (see --help)\n", a);
			return -1;
		}
		i++;
		if (!strcmp(a, "--queue")) {
			if (netdelay_parse_u32(v, 65535, &o->queue) < 0)
				goto bad;
			o->have_queue = true;
		} else if (!strcmp(a, "--delay-ms")) {
			char *end;

			errno = 0;
			o->delay_ms = strtod(v, &end);
			if (errno || end == v || *end || !isfinite(o->delay_ms) || o->delay_ms < 0 ||
			    o->delay_ms > NETDELAY_MAX_DELAY_MS)
				goto bad;
			o->have_delay = true;
		} else if (!strcmp(a, "--max-packets")) {
			if (netdelay_parse_u32(v, NETDELAY_MAX_PACKETS, &o->max_packets) < 0 ||
			    o->max_packets == 0)
				goto bad;
		} else if (!strcmp(a, "--rcvbuf")) {
			if (netdelay_parse_u32(v, INT_MAX, &o->rcvbuf) < 0)
				goto bad;
		} else {
			fprintf(stderr, "godwit-netdelay: unknown option %s (see --help)\n", a);
			return -1;
		}
		continue;
bad:
		fprintf(stderr, "godwit-netdelay: bad value for %s: '%s' (see --help)\n", a, v);
		return -1;
	}
	if (!o->have_queue || !o->have_delay) {
		fprintf(stderr, "godwit-netdelay: --queue and --delay-ms are required (see --help)\n");
		return -1;
	}
	return 0;
}

/* Bind the queue: metadata only, GSO whole, capped length, big buffer. */
static int netdelay_open(struct netdelay *nd, const struct netdelay_opts *o)
{
	uint32_t flags = NFQA_CFG_F_GSO | (o->fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	int rcvbuf = (int)o->rcvbuf, got = 0;
	socklen_t len = sizeof(got);

	nd->h = nfq_open();
	if (!nd->h) {
		fprintf(stderr, "godwit-netdelay: cannot open nfnetlink_queue: %s\n", strerror(errno));
		return -1;
	}
	nd->qh = nfq_create_queue(nd->h, (uint16_t)o->queue, netdelay_on_packet, nd);
	if (!nd->qh) {
		fprintf(stderr, "godwit-netdelay: cannot bind queue %u: %s%s\n", o->queue,
			strerror(errno), errno == EBUSY ? " (another process has it)" : "");
		goto out_close;
	}
	if (nfq_set_mode(nd->qh, NFQNL_COPY_META, 0) < 0) {
		fprintf(stderr, "godwit-netdelay: cannot set metadata-only mode: %s\n", strerror(errno));
		goto out_destroy;
	}
	if (nfq_set_queue_maxlen(nd->qh, nd->ring.cap + (nd->ring.cap > NETDELAY_KERNEL_HEADROOM
								? nd->ring.cap
								: NETDELAY_KERNEL_HEADROOM)) < 0) {
		fprintf(stderr, "godwit-netdelay: cannot set the queue length: %s\n", strerror(errno));
		goto out_destroy;
	}
	if (nfq_set_queue_flags(nd->qh, flags, flags) < 0) {
		fprintf(stderr, "godwit-netdelay: cannot set the queue flags (GSO%s): %s\n",
			o->fail_open ? ", fail-open" : "", strerror(errno));
		goto out_destroy;
	}
	nd->fd = nfq_fd(nd->h);
	/* past net.core.rmem_max as root; a plain SO_RCVBUF otherwise */
	if (setsockopt(nd->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 &&
	    setsockopt(nd->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
		fprintf(stderr, "godwit-netdelay: cannot set the receive buffer: %s\n", strerror(errno));
		goto out_destroy;
	}
	if (getsockopt(nd->fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got / 2 < rcvbuf)
		fprintf(stderr, "godwit-netdelay: receive buffer is %d bytes, not %d\n", got / 2,
			rcvbuf);
	return 0;

out_destroy:
	nfq_destroy_queue(nd->qh);
	nd->qh = NULL;
out_close:
	nfq_close(nd->h);
	nd->h = NULL;
	return -1;
}

/* Wait for packets or the head's due time; receive; release. Until a signal. */
static int netdelay_loop(struct netdelay *nd, const sigset_t *waitmask)
{
	static char bufs[NETDELAY_VLEN][NETDELAY_MSG_SIZE];
	uint64_t next_stats = netdelay_now() + 1000000000u;

	while (!netdelay_stop) {
		struct pollfd pfd = { .fd = nd->fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		uint64_t now = netdelay_now(), wake = UINT64_MAX;
		int n;

		if (netdelay_ring_len(&nd->ring) > 0)
			wake = nd->ring.e[nd->ring.head & (nd->ring.cap - 1)].due_ns;
		if (nd->verbose && next_stats < wake)
			wake = next_stats;
		if (wake != UINT64_MAX) {
			uint64_t d = wake > now ? wake - now : 0;

			ts = (struct timespec){ (time_t)(d / 1000000000u), (long)(d % 1000000000u) };
			tsp = &ts;
		}
		n = ppoll(&pfd, 1, tsp, waitmask);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "godwit-netdelay: poll: %s\n", strerror(errno));
			return -1;
		}
		/* POLLERR alone is how a lost notification (ENOBUFS) shows */
		if (n > 0 && netdelay_receive(nd, bufs) < 0)
			goto recv_error;
		now = netdelay_now();
		if (netdelay_release(nd, now, false) < 0) {
			fprintf(stderr, "godwit-netdelay: verdict: %s\n", strerror(errno));
			return -1;
		}
		if (netdelay_dump) {
			netdelay_dump = 0;
			netdelay_print_stats(nd, "counters");
		}
		if (nd->verbose && now >= next_stats) {
			netdelay_print_stats(nd, "counters");
			next_stats = now + 1000000000u;
		}
	}
	return 0;

recv_error:
	fprintf(stderr, "godwit-netdelay: receive: %s\n", strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	struct netdelay nd = { .fd = -1 };
	struct netdelay_opts o;
	struct sigaction sa = { .sa_handler = netdelay_on_signal };
	sigset_t block, waitmask;
	int rc = 1, p;

	p = netdelay_parse(argc, argv, &o);
	if (p != 0)
		return p > 0 ? 0 : 2;
	nd.delay_ns = (uint64_t)llround(o.delay_ms * 1e6);
	nd.verbose = o.verbose;
	if (netdelay_ring_init(&nd.ring, o.max_packets) < 0) {
		fprintf(stderr, "godwit-netdelay: cannot allocate %u ring entries\n", o.max_packets);
		return 1;
	}
	/* the signals only interrupt ppoll: no half-handled packet, no lost wakeup */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &block, &waitmask) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGUSR1, &sa, NULL) < 0) {
		fprintf(stderr, "godwit-netdelay: signals: %s\n", strerror(errno));
		goto out_free;
	}
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGUSR1);
	/* due times are met to a few microseconds, not the default 50 */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	if (netdelay_open(&nd, &o) < 0)
		goto out_free;
	fprintf(stderr, "godwit-netdelay: queue %u, one-way delay %.3f ms, up to %u packets held\n",
		o.queue, o.delay_ms, nd.ring.cap);
	if (netdelay_loop(&nd, &waitmask) == 0)
		rc = 0;
	if (netdelay_release(&nd, 0, true) < 0) {
		fprintf(stderr, "godwit-netdelay: accepting the held packets: %s\n", strerror(errno));
		rc = 1;
	}
	netdelay_print_stats(&nd, rc ? "failed" : "stopped");
	nfq_destroy_queue(nd.qh);
	nfq_close(nd.h);
out_free:
	free(nd.ring.e);
	return rc;
}
