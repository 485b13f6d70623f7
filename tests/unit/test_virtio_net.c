/*
 * test_virtio_net.c - virtio-net and its socket backends, driven by a tiny
 * driver written here (as in test_virtio.c): a real 16 MiB machine, the
 * receive and transmit rings laid out in its RAM, chains posted and
 * QueueNotify kicked, the run loop's poll source for the device pumped by
 * hand. The other end of the wire is a socket of the test, on 127.0.0.1
 * only: a UDP peer, or a TCP listener/client for the stream backend.
 *
 * Covered: features and config space; transmit (header stripped, any
 * layout, indirect, more pieces than an iovec batch); receive (header
 * prepended, split buffers); frames waiting while no receive buffers are
 * posted; frames too big for a chain; malformed chains on both queues;
 * stream framing with partial reads, refused second peers and
 * backpressure; link down (config change interrupt) when the TCP peer
 * leaves; the RARP announcement; MAC and -netdev parsing errors; a
 * randomised ring fuzzer. tap needs root and a namespace: skipped here.
 */
#include "unit_virtq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "devices/virtqueue.h"
#include "net/netdev.h"

/* Guest RAM layout of the test driver */
#define RX_DESC (UM_DRAM + 0x100000)
#define RX_AVAIL (UM_DRAM + 0x101000)
#define RX_USED (UM_DRAM + 0x102000)
#define TX_DESC (UM_DRAM + 0x104000)
#define TX_AVAIL (UM_DRAM + 0x105000)
#define TX_USED (UM_DRAM + 0x106000)
#define IND (UM_DRAM + 0x108000)
#define HDRS (UM_DRAM + 0x110000)
#define RXBUF (UM_DRAM + 0x200000)
#define TXBUF (UM_DRAM + 0x400000)
#define BIG (UM_DRAM + 0x800000)
#define RAM_END (UM_DRAM + UM_RAM_SIZE)

#define QNUM 8
#define HDR VIRTIO_NET_HDR_SIZE

#define R 0
#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT
#define I VIRTQ_DESC_F_INDIRECT

#define ST_ACK VIRTIO_STATUS_ACKNOWLEDGE
#define ST_DRV VIRTIO_STATUS_DRIVER
#define ST_FOK VIRTIO_STATUS_FEATURES_OK
#define ST_DOK VIRTIO_STATUS_DRIVER_OK
#define ST_NR VIRTIO_STATUS_NEEDS_RESET

#define F_V1 (1ull << VIRTIO_F_VERSION_1)
#define F_INDIRECT (1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_RING_F_EVENT_IDX)

struct env {
	struct machine *m;
	struct virtio_mmio t;
	struct virtio_net *n;
	int src;        /* index of the device's poll source in m->poll */
	struct uv d;    /* the driver: receiveq 0, transmitq 1 */
	int peer;       /* UDP peer, or the TCP connection to the backend */
	int lsock;      /* the test's TCP listener, or -1 */
	struct sockaddr_in dev_addr; /* the backend's UDP address */
	int irq_calls;
	bool irq_level;
};

/* ---- the test driver (unit_virtq.h) --------------------------------------- */

static void put(struct env *e, uint64_t pa, const void *p, size_t len)
{
	memcpy(um_ptr(e->m, pa, len), p, len);
}

static void rec_irq(void *opaque, int irq, bool level)
{
	struct env *e = opaque;

	(void)irq;
	e->irq_calls++;
	e->irq_level = level;
}

static uint32_t rd(struct env *e, uint64_t off)
{
	return uv_rd(&e->d, off);
}

static void wr(struct env *e, uint64_t off, uint32_t v)
{
	uv_wr(&e->d, off, v);
}

static bool needs_reset(struct env *e)
{
	return uv_needs_reset(&e->d);
}

static void setup_queue(struct env *e, int q, uint32_t num)
{
	uv_setup_queue(&e->d, q, num, q ? TX_DESC : RX_DESC, q ? TX_AVAIL : RX_AVAIL,
		       q ? TX_USED : RX_USED);
}

/* Reset and bring the device up: features within want, both queues of
 * size rxnum/txnum; DRIVER_OK if dok. */
static void start_opts(struct env *e, uint64_t want, uint32_t rxnum,
		       uint32_t txnum, bool dok)
{
	uint64_t f = uv_dev_features(&e->d) & want;
	uint32_t st = ST_ACK | ST_DRV | ST_FOK;

	assert_true(uv_negotiate(&e->d, f));
	setup_queue(e, 0, rxnum);
	setup_queue(e, 1, txnum);
	if (dok) {
		st |= ST_DOK;
		wr(e, VIRTIO_MMIO_STATUS, st);
	}
	assert_hex_equal(rd(e, VIRTIO_MMIO_STATUS), st);
}

static void start(struct env *e)
{
	start_opts(e, ~0ull, QNUM, QNUM, true);
}

static void desc_at(struct env *e, uint64_t table, uint32_t i, uint64_t addr,
		    uint32_t len, uint16_t flags, uint16_t next)
{
	uv_desc(e->m, table, i, addr, len, flags, next);
}

static void set_desc(struct env *e, int q, uint32_t i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	uv_desc(e->m, e->d.q[q].desc, i, addr, len, flags, next);
}

/* Make `head` available on queue q (no notify). */
static void post(struct env *e, int q, uint16_t head)
{
	uv_post(&e->d, q, head);
}

static void notify(struct env *e, int q)
{
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, (uint32_t)q);
}

static void kick(struct env *e, int q, uint16_t head)
{
	uv_kick(&e->d, q, head);
}

static uint16_t used_idx(struct env *e, int q)
{
	return uv_used_idx(&e->d, q);
}

static uint32_t used_id(struct env *e, int q, uint16_t idx)
{
	return uv_used_id(&e->d, q, idx);
}

static uint32_t used_len(struct env *e, int q, uint16_t idx)
{
	return uv_used_len(&e->d, q, idx);
}

static void ack_irq(struct env *e)
{
	wr(e, VIRTIO_MMIO_INTERRUPT_ACK, rd(e, VIRTIO_MMIO_INTERRUPT_STATUS));
	assert_false(e->irq_level);
}

/* ---- the run loop, by hand ------------------------------------------------ */

static int fill(struct env *e, struct pollfd *fds, int max)
{
	struct machine_poll_src *s = &e->m->poll[e->src];

	return s->fill(s->opaque, fds, max);
}

static int pump_once(struct env *e, int timeout_ms)
{
	struct machine_poll_src *s = &e->m->poll[e->src];
	struct pollfd fds[8];
	int n = s->fill(s->opaque, fds, 8), r;

	r = poll(fds, (nfds_t)n, timeout_ms);
	if (r > 0)
		s->dispatch(s->opaque, fds, n);
	return r;
}

/* Pump until cond holds (at most ~3 s), then assert it. */
#define PUMP_UNTIL(e, cond)                                        \
	do {                                                       \
		for (int k_ = 0; k_ < 300 && !(cond); k_++)        \
			pump_once((e), 10);                        \
		assert_true(cond);                                 \
	} while (0)

static void pump_for(struct env *e, int ms)
{
	for (int k = 0; k < ms / 10; k++)
		pump_once(e, 10);
}

/* ---- the test's end of the wire ---------------------------------------------- */

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static uint16_t sock_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	return ntohs(a.sin_port);
}

static int bound_socket(int type)
{
	struct sockaddr_in a = loopback(0);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, timeout_ms) == 1;
}

/* One datagram from the UDP peer (waits up to 2 s); -1 if none. */
static ssize_t peer_recv(struct env *e, void *buf, size_t len)
{
	if (!readable(e->peer, 2000))
		return -1;
	return recv(e->peer, buf, len, MSG_DONTWAIT);
}

static void peer_send(struct env *e, const void *buf, size_t len)
{
	assert_int_equal(sendto(e->peer, buf, len, 0, (struct sockaddr *)&e->dev_addr,
				sizeof(e->dev_addr)),
			 (ssize_t)len);
}

/* Exactly len bytes from a stream (waits up to 3 s). */
static void stream_read(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r;

		assert_true(readable(fd, 3000));
		r = recv(fd, (uint8_t *)buf + got, len - got, MSG_DONTWAIT);
		assert_true(r > 0);
		got += (size_t)r;
	}
}

static void stream_write(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void pattern(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* ---- fixtures ---------------------------------------------------------------- */

static struct env *env_new(void)
{
	static const uint32_t spin = 0x0000006f; /* j . */
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->m = um_create(&spin, sizeof(spin));
	assert_non_null(e->m);
	e->d.m = e->m;
	e->d.t = &e->t;
	e->n = calloc(1, sizeof(*e->n));
	assert_non_null(e->n);
	e->peer = e->lsock = -1;
	return e;
}

static void attach(struct env *e, const char *spec, const uint8_t *mac)
{
	struct netdev_config c;
	struct netdev *nd;
	char err[256];

	if (netdev_parse(spec, &c, err, sizeof(err)) ||
	    netdev_open(&c, &nd, err, sizeof(err)))
		fail_msg("%s: %s", spec, err);
	if (virtio_net_init(e->n, &e->t, e->m, nd, mac, err, sizeof(err)))
		fail_msg("virtio_net_init: %s", err);
	e->src = -1;
	for (int i = 0; i < e->m->n_poll; i++)
		if (e->m->poll[i].opaque == e->n)
			e->src = i;
	assert_true(e->src >= 0);
	e->t.set_irq = rec_irq;
	e->t.irq_opaque = e;
	e->t.irq = 4;
}

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

/* UDP backend and a UDP peer, both on 127.0.0.1. */
static int setup_udp(void **state)
{
	struct env *e = env_new();
	char spec[128];

	e->peer = bound_socket(SOCK_DGRAM);
	snprintf(spec, sizeof(spec), "socket,id=n0,udp=127.0.0.1:%u,localaddr=127.0.0.1:0",
		 sock_port(e->peer));
	attach(e, spec, test_mac);
	e->dev_addr = loopback((uint16_t)netdev_local_port(e->n->nd));
	*state = e;
	return 0;
}

/* Stream backend connected to the test's listener; e->peer is the
 * accepted connection. rcvbuf > 0: the test's receive buffer size. */
static struct env *stream_env(int rcvbuf)
{
	struct env *e = env_new();
	char spec[128];

	e->lsock = bound_socket(SOCK_STREAM);
	if (rcvbuf > 0)
		assert_int_equal(setsockopt(e->lsock, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
					    sizeof(rcvbuf)), 0);
	assert_int_equal(listen(e->lsock, 4), 0);
	snprintf(spec, sizeof(spec), "socket,id=n1,connect=127.0.0.1:%u", sock_port(e->lsock));
	attach(e, spec, NULL);
	e->peer = accept4(e->lsock, NULL, NULL, SOCK_CLOEXEC);
	assert_true(e->peer >= 0);
	PUMP_UNTIL(e, e->n->s.status & VIRTIO_NET_S_LINK_UP);
	return e;
}

static int setup_stream(void **state)
{
	*state = stream_env(0);
	return 0;
}

static int setup_stream_small(void **state)
{
	*state = stream_env(4096);
	return 0;
}

static int setup_listen(void **state)
{
	struct env *e = env_new();

	attach(e, "socket,id=n2,listen=127.0.0.1:0", NULL);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	if (!e)
		return 0;
	virtio_net_destroy(e->n);
	if (e->peer >= 0)
		close(e->peer);
	if (e->lsock >= 0)
		close(e->lsock);
	machine_destroy(e->m);
	free(e->m);
	free(e->n);
	free(e);
	return 0;
}

/* ---- chains ---------------------------------------------------------------- */

/* TX chain at descriptor `d`: header (own descriptor) then the frame in
 * `parts` descriptors, from guest address `at`. Returns the head. */
static uint16_t tx_chain(struct env *e, uint16_t d, uint64_t at, const void *frame,
			 uint32_t len, uint32_t parts, uint8_t gso_type)
{
	uint8_t hdr[HDR] = { 0 };
	uint32_t off = 0;

	hdr[1] = gso_type;
	put(e, at, hdr, HDR);
	put(e, at + HDR, frame, len);
	set_desc(e, 1, d, at, HDR, N, (uint16_t)(d + 1));
	for (uint32_t i = 0; i < parts; i++) {
		uint32_t l = i + 1 == parts ? len - off : len / parts;

		set_desc(e, 1, d + 1 + i, at + HDR + off, l, i + 1 == parts ? 0 : N,
			 (uint16_t)(d + 2 + i));
		off += l;
	}
	return d;
}

/* A one-descriptor RX buffer of len bytes at `at`, descriptor d. */
static void rx_buffer(struct env *e, uint16_t d, uint64_t at, uint32_t len)
{
	memset(um_ptr(e->m, at, len), 0xee, len);
	set_desc(e, 0, d, at, len, W, 0);
}

/* Check the RX used entry k: id, a header of zeros but num_buffers 1
 * at `at`, and the frame (contiguous after the header). */
static void check_rx(struct env *e, uint16_t k, uint16_t id, uint64_t at,
		     const uint8_t *frame, size_t len)
{
	static const uint8_t hdr[HDR] = { [10] = 1 };

	assert_int_equal(used_id(e, 0, k), id);
	assert_int_equal(used_len(e, 0, k), HDR + len);
	assert_memory_equal(um_ptr(e->m, at, HDR), hdr, HDR);
	assert_memory_equal(um_ptr(e->m, at + HDR, len), frame, len);
}

/* ---- device basics ------------------------------------------------------------ */

static void test_ids_features_config(void **state)
{
	struct env *e = *state;
	uint64_t f = uv_dev_features(&e->d);

	assert_int_equal(rd(e, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	assert_true(f & (1ull << VIRTIO_NET_F_MAC));
	assert_true(f & (1ull << VIRTIO_NET_F_STATUS));
	assert_true(f & F_V1);
	assert_false(f & (1ull << VIRTIO_NET_F_MRG_RXBUF));
	assert_false(f & (1ull << VIRTIO_NET_F_CSUM));
	assert_false(f & (1ull << VIRTIO_NET_F_GUEST_CSUM));
	assert_false(f & (1ull << VIRTIO_NET_F_CTRL_VQ));
	assert_false(f & (1ull << VIRTIO_NET_F_MTU));
	assert_false(f & 0xff0000000000ull & ~F_V1);
	for (int i = 0; i < 6; i++)
		assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG + (uint64_t)i, 1),
				 test_mac[i]);
	assert_hex_equal(rd(e, VIRTIO_MMIO_CONFIG), 0xab005452);
	assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG + 6, 2),
			 VIRTIO_NET_S_LINK_UP);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG + 8), 0);
	/* the driver cannot change the MAC (read-only in VERSION_1) */
	virtio_mmio_write(&e->t, VIRTIO_MMIO_CONFIG, 1, 0x00);
	assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG, 1), 0x52);
	/* two queues */
	for (uint32_t q = 0; q < 3; q++) {
		wr(e, VIRTIO_MMIO_QUEUE_SEL, q);
		assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_NUM_MAX),
				 q < 2 ? VIRTIO_NET_QUEUE_MAX : 0);
	}
	/* only MAC and STATUS can be negotiated, with VERSION_1 */
	start_opts(e, F_V1 | (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
		   QNUM, QNUM, true);
	assert_true(virtio_mmio_has_feature(&e->t, VIRTIO_NET_F_STATUS));
}

static void test_default_mac(void **state)
{
	struct env *e = *state;
	uint8_t mac[6];

	(void)e;
	virtio_net_default_mac(0, mac);
	assert_memory_equal(mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }), 6);
	virtio_net_default_mac(2, mac);
	assert_int_equal(mac[5], 0x58);
}

/* ---- transmit ------------------------------------------------------------------ */

static void test_tx_udp(void **state)
{
	struct env *e = *state;
	uint8_t f[2048], got[70000];

	start(e);
	/* header and frame in separate descriptors, the frame in two */
	pattern(f, 98, 1);
	kick(e, 1, tx_chain(e, 0, TXBUF, f, 98, 2, 0));
	assert_int_equal(used_idx(e, 1), 1);
	assert_int_equal(used_id(e, 1, 0), 0);
	assert_int_equal(used_len(e, 1, 0), 0);
	assert_true(e->irq_level);
	assert_int_equal(peer_recv(e, got, sizeof(got)), 98);
	assert_memory_equal(got, f, 98);
	assert_int_equal(e->n->stats.tx_frames, 1);
	assert_int_equal(e->n->stats.tx_bytes, 98);
	ack_irq(e);

	/* header and frame in one descriptor (any layout) */
	pattern(f, 1514, 2);
	put(e, TXBUF + 0x1000, (uint8_t[HDR]){ 0 }, HDR);
	put(e, TXBUF + 0x1000 + HDR, f, 1514);
	set_desc(e, 1, 4, TXBUF + 0x1000, HDR + 1514, 0, 0);
	kick(e, 1, 4);
	assert_int_equal(peer_recv(e, got, sizeof(got)), 1514);
	assert_memory_equal(got, f, 1514);

	/* the header split across descriptors, through an indirect table */
	pattern(f, 60, 3);
	put(e, TXBUF + 0x2000, (uint8_t[HDR]){ 0 }, HDR);
	put(e, TXBUF + 0x2000 + HDR, f, 60);
	desc_at(e, IND, 0, TXBUF + 0x2000, 5, N, 1);
	desc_at(e, IND, 1, TXBUF + 0x2000 + 5, 10, N, 2);
	desc_at(e, IND, 2, TXBUF + 0x2000 + 15, 57, 0, 0);
	set_desc(e, 1, 5, IND, 48, I, 0);
	kick(e, 1, 5);
	assert_int_equal(peer_recv(e, got, sizeof(got)), 60);
	assert_memory_equal(got, f, 60);

	/* more pieces than one iovec batch: 100 descriptors of 10 bytes */
	pattern(f, 1000, 4);
	put(e, TXBUF + 0x3000, (uint8_t[HDR]){ 0 }, HDR);
	desc_at(e, IND, 0, TXBUF + 0x3000, HDR, N, 1);
	for (uint32_t i = 0; i < 100; i++) {
		put(e, TXBUF + 0x4000 + 16 * i, f + 10 * i, 10);
		desc_at(e, IND, 1 + i, TXBUF + 0x4000 + 16 * i, 10, i < 99 ? N : 0,
			(uint16_t)(2 + i));
	}
	set_desc(e, 1, 6, IND, 16 * 101, I, 0);
	kick(e, 1, 6);
	assert_int_equal(peer_recv(e, got, sizeof(got)), 1000);
	assert_memory_equal(got, f, 1000);

	/* a batch of chains in one notify, sent in order */
	for (uint16_t i = 0; i < QNUM; i++) {
		pattern(f, 100 + i, 10 + i);
		set_desc(e, 1, i, TXBUF + 0x8000 + 0x800ull * i, HDR + 100 + i, 0, 0);
		put(e, TXBUF + 0x8000 + 0x800ull * i, (uint8_t[HDR]){ 0 }, HDR);
		put(e, TXBUF + 0x8000 + 0x800ull * i + HDR, f, 100 + i);
		post(e, 1, i);
	}
	notify(e, 1);
	assert_int_equal(used_idx(e, 1), 4 + QNUM);
	for (uint16_t i = 0; i < QNUM; i++) {
		pattern(f, 100 + i, 10 + i);
		assert_int_equal(peer_recv(e, got, sizeof(got)), 100 + i);
		assert_memory_equal(got, f, 100 + i);
	}
	assert_int_equal(e->n->stats.tx_frames, 4 + QNUM);
	assert_int_equal(e->n->stats.tx_dropped, 0);
	assert_false(needs_reset(e));
}

static void test_tx_dropped_frames(void **state)
{
	struct env *e = *state;
	uint8_t f[64], got[2048];
	static uint8_t big[65536 + 1];

	start(e);
	/* longer than 65535 */
	put(e, BIG, (uint8_t[HDR]){ 0 }, HDR);
	put(e, BIG + HDR, big, sizeof(big));
	set_desc(e, 1, 0, BIG, HDR + 65536, 0, 0);
	kick(e, 1, 0);
	/* shorter than an Ethernet header */
	pattern(f, 13, 5);
	kick(e, 1, tx_chain(e, 1, TXBUF, f, 13, 1, 0));
	/* with a gso_type although GSO was not negotiated */
	pattern(f, 64, 6);
	kick(e, 1, tx_chain(e, 3, TXBUF + 0x800, f, 64, 1, 1));
	assert_int_equal(used_idx(e, 1), 3);
	assert_int_equal(e->n->stats.tx_dropped, 3);
	assert_int_equal(e->n->stats.tx_frames, 0);
	assert_false(readable(e->peer, 100));
	/* the ring still works */
	kick(e, 1, tx_chain(e, 5, TXBUF + 0x1000, f, 64, 1, 0));
	assert_int_equal(peer_recv(e, got, sizeof(got)), 64);
	assert_false(needs_reset(e));
}

static void expect_tx_broken(struct env *e)
{
	uint8_t f[64];

	assert_true(needs_reset(e));
	assert_true(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(used_idx(e, 1), 0);
	/* nothing more is taken from the broken queue */
	pattern(f, 64, 7);
	kick(e, 1, tx_chain(e, 4, TXBUF + 0x1000, f, 64, 1, 0));
	assert_int_equal(used_idx(e, 1), 0);
	assert_false(readable(e->peer, 50));
}

static void test_tx_malformed_chains(void **state)
{
	struct env *e = *state;

	/* no whole header */
	start(e);
	set_desc(e, 1, 0, TXBUF, 8, 0, 0);
	kick(e, 1, 0);
	expect_tx_broken(e);
	/* a device-writable buffer in a transmit chain */
	start(e);
	set_desc(e, 1, 0, TXBUF, HDR + 64, N, 1);
	set_desc(e, 1, 1, TXBUF + 0x100, 64, W, 0);
	kick(e, 1, 0);
	expect_tx_broken(e);
	/* a descriptor outside RAM (the transport's check) */
	start(e);
	set_desc(e, 1, 0, RAM_END - 8, HDR + 64, 0, 0);
	kick(e, 1, 0);
	expect_tx_broken(e);
	/* after a reset the device works again */
	start(e);
	{
		uint8_t f[64], got[128];

		pattern(f, 64, 8);
		kick(e, 1, tx_chain(e, 0, TXBUF, f, 64, 1, 0));
		assert_int_equal(peer_recv(e, got, sizeof(got)), 64);
		assert_memory_equal(got, f, 64);
	}
}

/* ---- receive ---------------------------------------------------------------- */

static void test_rx_udp(void **state)
{
	struct env *e = *state;
	uint8_t a[200], b[1000];
	static const uint8_t hdr[HDR] = { [10] = 1 };

	start(e);
	ack_irq(e);
	/* one flat buffer; one split as header | 100 | 2000 */
	rx_buffer(e, 0, RXBUF, 2048);
	post(e, 0, 0);
	memset(um_ptr(e->m, RXBUF + 0x1000, 0x1000), 0xee, 0x1000);
	set_desc(e, 0, 1, RXBUF + 0x1000, HDR, N | W, 2);
	set_desc(e, 0, 2, RXBUF + 0x1100, 100, N | W, 3);
	set_desc(e, 0, 3, RXBUF + 0x1800, 2000, W, 0);
	post(e, 0, 1);
	notify(e, 0);
	assert_int_equal(used_idx(e, 0), 0);

	pattern(a, sizeof(a), 20);
	peer_send(e, a, sizeof(a));
	PUMP_UNTIL(e, used_idx(e, 0) == 1);
	check_rx(e, 0, 0, RXBUF, a, sizeof(a));
	assert_int_equal(um_r8(e->m, RXBUF + HDR + sizeof(a)), 0xee);
	assert_true(e->irq_level);
	assert_true(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_VRING);

	pattern(b, sizeof(b), 21);
	peer_send(e, b, sizeof(b));
	PUMP_UNTIL(e, used_idx(e, 0) == 2);
	assert_int_equal(used_id(e, 0, 1), 1);
	assert_int_equal(used_len(e, 0, 1), HDR + sizeof(b));
	assert_memory_equal(um_ptr(e->m, RXBUF + 0x1000, HDR), hdr, HDR);
	assert_memory_equal(um_ptr(e->m, RXBUF + 0x1100, 100), b, 100);
	assert_memory_equal(um_ptr(e->m, RXBUF + 0x1800, 900), b + 100, 900);
	assert_int_equal(um_r8(e->m, RXBUF + 0x1800 + 900), 0xee);
	assert_int_equal(e->n->stats.rx_frames, 2);
	assert_int_equal(e->n->stats.rx_bytes, sizeof(a) + sizeof(b));
	assert_int_equal(e->n->stats.rx_dropped, 0);
}

/* Does the device's poll source ask for POLLIN now? */
static bool polls_rx(struct env *e)
{
	struct pollfd fds[8];
	int n = fill(e, fds, 8);

	for (int i = 0; i < n; i++)
		if (fds[i].events & POLLIN)
			return true;
	return false;
}

static void test_rx_waits_for_buffers(void **state)
{
	struct env *e = *state;
	uint8_t f[3][100];

	/* before DRIVER_OK, with buffers posted: not polled, nothing taken */
	start_opts(e, ~0ull, QNUM, QNUM, false);
	rx_buffer(e, 0, RXBUF, 2048);
	post(e, 0, 0);
	assert_false(polls_rx(e));
	for (int i = 0; i < 3; i++) {
		pattern(f[i], 100, 30 + (unsigned)i);
		peer_send(e, f[i], 100);
	}
	pump_for(e, 50);
	assert_int_equal(used_idx(e, 0), 0);

	/* DRIVER_OK but no buffers: still not polled, frames wait in the host */
	start(e);
	assert_false(polls_rx(e));
	notify(e, 0); /* a notify with no buffers is harmless */
	pump_for(e, 50);
	assert_int_equal(used_idx(e, 0), 0);
	assert_int_equal(e->n->stats.rx_frames, 0);
	assert_int_equal(e->n->stats.rx_dropped, 0);

	/* two buffers and a notify: two frames at once, during the notify */
	rx_buffer(e, 0, RXBUF, 2048);
	rx_buffer(e, 1, RXBUF + 0x1000, 2048);
	post(e, 0, 0);
	post(e, 0, 1);
	assert_true(polls_rx(e));
	notify(e, 0);
	assert_int_equal(used_idx(e, 0), 2);
	check_rx(e, 0, 0, RXBUF, f[0], 100);
	check_rx(e, 1, 1, RXBUF + 0x1000, f[1], 100);
	assert_false(polls_rx(e));

	/* a buffer posted without a notify is found by the next poll */
	rx_buffer(e, 2, RXBUF + 0x2000, 2048);
	post(e, 0, 2);
	assert_true(polls_rx(e));
	PUMP_UNTIL(e, used_idx(e, 0) == 3);
	check_rx(e, 2, 2, RXBUF + 0x2000, f[2], 100);
	assert_int_equal(e->n->stats.rx_frames, 3);
}

static void test_rx_too_big_for_chain(void **state)
{
	struct env *e = *state;
	uint8_t big[100], small[60], tiny[13];

	start(e);
	rx_buffer(e, 0, RXBUF, HDR + 60);
	kick(e, 0, 0);
	pattern(big, sizeof(big), 40);
	peer_send(e, big, sizeof(big));
	PUMP_UNTIL(e, e->n->stats.rx_dropped == 1);
	assert_int_equal(used_idx(e, 0), 0);
	/* junk the device drops: an empty datagram, a runt */
	peer_send(e, tiny, 0);
	pattern(tiny, sizeof(tiny), 41);
	peer_send(e, tiny, sizeof(tiny));
	PUMP_UNTIL(e, e->n->stats.rx_dropped == 3);
	assert_int_equal(used_idx(e, 0), 0);
	/* the same chain takes the next frame that fits */
	pattern(small, sizeof(small), 42);
	peer_send(e, small, sizeof(small));
	PUMP_UNTIL(e, used_idx(e, 0) == 1);
	check_rx(e, 0, 0, RXBUF, small, sizeof(small));
	assert_int_equal(e->n->stats.rx_frames, 1);
	assert_false(needs_reset(e));
}

static void test_rx_malformed_chains(void **state)
{
	struct env *e = *state;
	uint8_t f[64];

	pattern(f, sizeof(f), 50);
	/* a device-readable buffer in a receive chain */
	start(e);
	set_desc(e, 0, 0, RXBUF, 16, N, 1);
	set_desc(e, 0, 1, RXBUF + 0x100, 2048, W, 0);
	kick(e, 0, 0);
	peer_send(e, f, sizeof(f));
	PUMP_UNTIL(e, needs_reset(e));
	assert_int_equal(used_idx(e, 0), 0);
	assert_false(polls_rx(e));
	/* no room for the header */
	start(e);
	set_desc(e, 0, 0, RXBUF, HDR - 1, W, 0);
	kick(e, 0, 0);
	peer_send(e, f, sizeof(f));
	PUMP_UNTIL(e, needs_reset(e));
	assert_int_equal(used_idx(e, 0), 0);
	/* a looping chain (the transport's check) */
	start(e);
	set_desc(e, 0, 0, RXBUF, 2048, W | N, 0);
	kick(e, 0, 0);
	peer_send(e, f, sizeof(f));
	PUMP_UNTIL(e, needs_reset(e));
	/* a reset brings it back */
	start(e);
	rx_buffer(e, 0, RXBUF, 2048);
	kick(e, 0, 0);
	peer_send(e, f, sizeof(f));
	PUMP_UNTIL(e, used_idx(e, 0) == 1);
	check_rx(e, 0, 0, RXBUF, f, sizeof(f));
}

/* ---- stream backend ------------------------------------------------------- */

static void test_stream_framing(void **state)
{
	struct env *e = *state;
	uint8_t f[300], got[304], msg[200];
	uint32_t be;

	start(e);
	/* TX: 4-byte big-endian length, then the frame */
	pattern(f, 300, 60);
	kick(e, 1, tx_chain(e, 0, TXBUF, f, 300, 3, 0));
	stream_read(e->peer, got, sizeof(got));
	memcpy(&be, got, 4);
	assert_int_equal(ntohl(be), 300);
	assert_memory_equal(got + 4, f, 300);

	/* RX: a frame in pieces, then two frames in one write */
	rx_buffer(e, 0, RXBUF, 2048);
	rx_buffer(e, 1, RXBUF + 0x1000, 2048);
	rx_buffer(e, 2, RXBUF + 0x2000, 2048);
	post(e, 0, 0);
	post(e, 0, 1);
	post(e, 0, 2);
	notify(e, 0);
	pattern(f, 60, 61);
	be = htonl(60);
	memcpy(msg, &be, 4);
	memcpy(msg + 4, f, 60);
	stream_write(e->peer, msg, 2);
	pump_for(e, 30);
	stream_write(e->peer, msg + 2, 30);
	pump_for(e, 30);
	assert_int_equal(used_idx(e, 0), 0);
	stream_write(e->peer, msg + 32, 32);
	PUMP_UNTIL(e, used_idx(e, 0) == 1);
	check_rx(e, 0, 0, RXBUF, f, 60);
	{
		uint8_t two[4 + 70 + 4 + 80], g[80];

		be = htonl(70);
		memcpy(two, &be, 4);
		pattern(two + 4, 70, 62);
		be = htonl(80);
		memcpy(two + 74, &be, 4);
		pattern(two + 78, 80, 63);
		stream_write(e->peer, two, sizeof(two));
		PUMP_UNTIL(e, used_idx(e, 0) == 3);
		pattern(g, 70, 62);
		check_rx(e, 1, 1, RXBUF + 0x1000, g, 70);
		pattern(g, 80, 63);
		check_rx(e, 2, 2, RXBUF + 0x2000, g, 80);
	}
	/* frames buffered in the backend wait for buffers: two frames, one
	 * buffer, then the second buffer */
	{
		uint8_t two[2 * (4 + 90)], g[90];

		for (int i = 0; i < 2; i++) {
			be = htonl(90);
			memcpy(two + 94 * i, &be, 4);
			pattern(two + 94 * i + 4, 90, 64 + (unsigned)i);
		}
		rx_buffer(e, 3, RXBUF + 0x3000, 2048);
		kick(e, 0, 3);
		stream_write(e->peer, two, sizeof(two));
		PUMP_UNTIL(e, used_idx(e, 0) == 4);
		pump_for(e, 30);
		assert_int_equal(used_idx(e, 0), 4);
		rx_buffer(e, 4, RXBUF + 0x4000, 2048);
		kick(e, 0, 4); /* taken from the backend's buffer at the notify */
		assert_int_equal(used_idx(e, 0), 5);
		pattern(g, 90, 64);
		check_rx(e, 3, 3, RXBUF + 0x3000, g, 90);
		pattern(g, 90, 65);
		check_rx(e, 4, 4, RXBUF + 0x4000, g, 90);
	}
	assert_int_equal(e->n->stats.rx_frames, 5);
	assert_int_equal(e->n->stats.rx_dropped, 0);
}

static void test_stream_link_down(void **state)
{
	struct env *e = *state;
	uint64_t changes = e->n->stats.link_changes;
	uint32_t gen;
	uint8_t f[64];

	start(e);
	ack_irq(e);
	assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG + 6, 2),
			 VIRTIO_NET_S_LINK_UP);
	gen = rd(e, VIRTIO_MMIO_CONFIG_GENERATION);
	/* with receive buffers posted, so that the EOF is read */
	rx_buffer(e, 0, RXBUF, 2048);
	kick(e, 0, 0);
	close(e->peer);
	e->peer = -1;
	PUMP_UNTIL(e, !(e->n->s.status & VIRTIO_NET_S_LINK_UP));
	assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG + 6, 2), 0);
	assert_true(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_true(e->irq_level);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	assert_false(needs_reset(e));
	assert_false(e->n->nd->link_up);
	/* the VM goes on: frames are dropped, the rings still turn */
	pattern(f, 64, 70);
	kick(e, 1, tx_chain(e, 0, TXBUF, f, 64, 1, 0));
	assert_int_equal(used_idx(e, 1), 1);
	assert_int_equal(e->n->stats.tx_dropped, 1);
	assert_int_equal(virtio_net_announce(e->n), -1);
	pump_for(e, 30);
	assert_int_equal(used_idx(e, 0), 0);
	assert_int_equal(e->n->stats.link_changes, changes + 1);
}

static void test_stream_link_down_no_buffers(void **state)
{
	struct env *e = *state;

	/* no receive buffers and no DRIVER_OK: the hangup is still seen, the
	 * config generation moves, but no interrupt before DRIVER_OK */
	uint32_t gen;

	start_opts(e, ~0ull, QNUM, QNUM, false);
	gen = rd(e, VIRTIO_MMIO_CONFIG_GENERATION);
	close(e->peer);
	e->peer = -1;
	PUMP_UNTIL(e, !(e->n->s.status & VIRTIO_NET_S_LINK_UP));
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	assert_false(e->irq_level);
	/* nothing is polled any more (a dead connect= backend) */
	{
		struct pollfd fds[8];

		assert_int_equal(fill(e, fds, 8), 0);
	}
}

static int client(uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void test_stream_listen(void **state)
{
	struct env *e = *state;
	int port = netdev_local_port(e->n->nd), c1, c2, c3;
	uint8_t f[80], msg[84], got[84], x;
	uint32_t be;

	assert_true(port > 0);
	/* no peer yet: link down */
	assert_int_equal(e->n->s.status & VIRTIO_NET_S_LINK_UP, 0);
	start(e);
	ack_irq(e);
	c1 = client((uint16_t)port);
	PUMP_UNTIL(e, e->n->s.status & VIRTIO_NET_S_LINK_UP);
	assert_true(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	ack_irq(e);
	/* a second peer is refused while the first is connected */
	c2 = client((uint16_t)port);
	pump_for(e, 50);
	assert_true(readable(c2, 2000));
	assert_true(recv(c2, &x, 1, MSG_DONTWAIT) <= 0);
	close(c2);
	assert_true(e->n->s.status & VIRTIO_NET_S_LINK_UP);
	/* the first works both ways */
	rx_buffer(e, 0, RXBUF, 2048);
	kick(e, 0, 0);
	pattern(f, 80, 80);
	be = htonl(80);
	memcpy(msg, &be, 4);
	memcpy(msg + 4, f, 80);
	stream_write(c1, msg, sizeof(msg));
	PUMP_UNTIL(e, used_idx(e, 0) == 1);
	check_rx(e, 0, 0, RXBUF, f, 80);
	/* it leaves: link down; a new peer: link up again, and it gets frames */
	close(c1);
	rx_buffer(e, 1, RXBUF + 0x1000, 2048);
	kick(e, 0, 1);
	PUMP_UNTIL(e, !(e->n->s.status & VIRTIO_NET_S_LINK_UP));
	c3 = client((uint16_t)port);
	PUMP_UNTIL(e, e->n->s.status & VIRTIO_NET_S_LINK_UP);
	kick(e, 1, tx_chain(e, 0, TXBUF, f, 80, 1, 0));
	stream_read(c3, got, sizeof(got));
	assert_memory_equal(got, msg, sizeof(msg));
	close(c3);
	assert_int_equal(e->n->stats.link_changes, 3);
}

static void test_stream_backpressure(void **state)
{
	struct env *e = *state;
	enum { FRAMES = 256, FLEN = 60000 };
	static uint8_t src[0x100000 + FLEN], buf[4 + FLEN];
	size_t have = 0;
	int frames = 0;

	start_opts(e, ~0ull, QNUM, FRAMES, true);
	pattern(src, sizeof(src), 90);
	put(e, BIG, src, sizeof(src));
	/* frame i: descriptor i, a header at HDRS + 16 i, then descriptor
	 * FRAMES / 2 + i, FLEN bytes of src at 509 i */
	for (uint16_t i = 0; i < FRAMES / 2; i++) {
		put(e, HDRS + 16ull * i, (uint8_t[HDR]){ 0 }, HDR);
		set_desc(e, 1, i, HDRS + 16ull * i, HDR, N, (uint16_t)(FRAMES / 2 + i));
		set_desc(e, 1, FRAMES / 2 + i, BIG + 509ull * i, FLEN, 0, 0);
		post(e, 1, i);
	}
	notify(e, 1);
	/* 7.5 MB against a 4 KiB receive buffer: the backend fills up */
	assert_true(e->n->tx_blocked);
	assert_true(used_idx(e, 1) < FRAMES / 2);
	assert_true(used_idx(e, 1) > 0);
	assert_int_equal(e->n->stats.tx_dropped, 0);
	/* drain as a slow peer would; the device resumes by itself */
	while (frames < FRAMES / 2) {
		ssize_t r;

		pump_once(e, 0);
		if (!readable(e->peer, 2000))
			fail_msg("stalled after %d frames", frames);
		r = recv(e->peer, buf + have, sizeof(buf) - have, MSG_DONTWAIT);
		assert_true(r > 0);
		have += (size_t)r;
		if (have == sizeof(buf)) {
			uint32_t be;

			memcpy(&be, buf, 4);
			assert_int_equal(ntohl(be), FLEN);
			if (memcmp(buf + 4, src + 509 * frames, FLEN))
				fail_msg("frame %d differs", frames);
			frames++;
			have = 0;
		}
	}
	assert_int_equal(used_idx(e, 1), FRAMES / 2);
	assert_false(e->n->tx_blocked);
	assert_int_equal(e->n->stats.tx_frames, FRAMES / 2);
	assert_int_equal(e->n->stats.tx_dropped, 0);
	assert_false(needs_reset(e));
}

/* ---- announce ------------------------------------------------------------------ */

static void test_announce(void **state)
{
	struct env *e = *state;
	uint8_t got[128], want[60];

	/* no driver needed: the backend sends it */
	memset(want, 0, sizeof(want));
	memset(want, 0xff, 6);
	memcpy(want + 6, test_mac, 6);
	want[12] = 0x80, want[13] = 0x35;
	want[14] = 0x00, want[15] = 0x01;
	want[16] = 0x08, want[17] = 0x00;
	want[18] = 6, want[19] = 4;
	want[20] = 0x00, want[21] = 0x03;
	memcpy(want + 22, test_mac, 6);
	memcpy(want + 32, test_mac, 6);
	assert_int_equal(virtio_net_announce(e->n), 0);
	assert_int_equal(peer_recv(e, got, sizeof(got)), 60);
	assert_memory_equal(got, want, 60);
	assert_int_equal(e->n->stats.announces, 1);
	assert_int_equal(e->n->stats.tx_frames, 0);
}

/* ---- parsing ----------------------------------------------------------------------- */

static void test_mac_parse(void **state)
{
	static const char *const bad[] = {
		"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:567",
		"5:54:00:12:34:56", "52-54-00-12-34-56", "52:54:00:12:34:5g",
		"52:54:00:12:34:56:", ":52:54:00:12:34:5", "525400123456",
		"52:54:00:12:34: 6", "52:54:00:12:34:+6", "0x:54:00:12:34:56",
		"01:00:5e:00:00:01", /* multicast */
		"ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
	};
	uint8_t mac[6], keep[6] = { 1, 2, 3, 4, 5, 6 };
	char err[128];

	(void)state;
	assert_int_equal(virtio_net_parse_mac("52:54:00:Ab:cD:eF", mac, err, sizeof(err)), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }), 6);
	assert_int_equal(virtio_net_parse_mac("02:00:00:00:00:01", mac, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(mac, keep, 6);
		err[0] = '\0';
		if (virtio_net_parse_mac(bad[i], mac, err, sizeof(err)) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(strstr(err, "mac=") != NULL);
		assert_memory_equal(mac, keep, 6);
	}
}

static void test_netdev_parse_ok(void **state)
{
	struct netdev_config c;
	char err[256];

	(void)state;
	assert_int_equal(netdev_parse("tap,id=n0,ifname=tap0,script=no,downscript=no", &c,
				      err, sizeof(err)), 0);
	assert_int_equal(c.type, NETDEV_TAP);
	assert_string_equal(c.id, "n0");
	assert_string_equal(c.ifname, "tap0");
	assert_int_equal(netdev_parse("type=tap,id=x,vhost=off,vnet_hdr=off,script=", &c,
				      err, sizeof(err)), 0);
	assert_int_equal(c.type, NETDEV_TAP);
	assert_string_equal(c.ifname, "");
	assert_int_equal(netdev_parse("socket,id=s,listen=:1234", &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, NETDEV_SOCKET_LISTEN);
	assert_string_equal(c.host, "");
	assert_int_equal(c.port, 1234);
	assert_int_equal(netdev_parse("socket,connect=[::1]:65535,id=s", &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, NETDEV_SOCKET_CONNECT);
	assert_string_equal(c.host, "::1");
	assert_int_equal(c.port, 65535);
	assert_int_equal(netdev_parse("socket,id=u,udp=localhost:5000,localaddr=127.0.0.1:5001",
				      &c, err, sizeof(err)), 0);
	assert_int_equal(c.type, NETDEV_SOCKET_UDP);
	assert_string_equal(c.host, "localhost");
	assert_int_equal(c.port, 5000);
	assert_string_equal(c.local_host, "127.0.0.1");
	assert_int_equal(c.local_port, 5001);
}

static void test_netdev_parse_errors(void **state)
{
	static const struct {
		const char *arg, *msg;
	} bad[] = {
		{ "", "TYPE" },
		{ "user,id=n0", "unknown netdev type 'user'" },
		{ "bridge,id=n0,br=br0", "unknown netdev type" },
		{ "id=n0,tap", "type comes first" },
		{ "tap", "id= is required" },
		{ "tap,ifname=tap0", "id= is required" },
		{ "tap,id=", "id= is required" },
		{ "tap,id=n0,ifname=averyveryverylongname", "too long" },
		{ "tap,id=n0,script=/etc/qemu-ifup", "no scripts" },
		{ "tap,id=n0,downscript=/etc/qemu-ifdown", "no scripts" },
		{ "tap,id=n0,vhost=on", "vhost=off" },
		{ "tap,id=n0,fd=3", "not supported" },
		{ "tap,id=n0,bogus=1", "unknown option 'bogus'" },
		{ "tap,id=n0,ifname", "key=value" },
		{ "tap,,id=n0", "empty option" },
		{ "tap,id=n0,", "trailing" },
		{ "socket,id=s", "one of listen=, connect=, udp=" },
		{ "socket,id=s,listen=1234", "HOST:PORT" },
		{ "socket,id=s,listen=:", "bad port" },
		{ "socket,id=s,listen=:70000", "bad port" },
		{ "socket,id=s,listen=:123456", "bad port" },
		{ "socket,id=s,listen=:-1", "bad port" },
		{ "socket,id=s,listen=:0x10", "bad port" },
		{ "socket,id=s,listen=: 80", "bad port" },
		{ "socket,id=s,connect=127.0.0.1:0", "bad port" },
		{ "socket,id=s,connect=host", "HOST:PORT" },
		{ "socket,id=s,connect=::1:80", "brackets" },
		{ "socket,id=s,connect=[::1]80", "[IPV6]:PORT" },
		{ "socket,id=s,listen=:1,connect=127.0.0.1:2", "exactly one" },
		{ "socket,id=s,udp=127.0.0.1:5000", "localaddr= is required" },
		{ "socket,id=s,udp=127.0.0.1:0,localaddr=:1", "bad port" },
		{ "socket,id=s,listen=:1,localaddr=:2", "only with udp=" },
		{ "socket,id=s,mcast=230.0.0.1:1234", "not supported" },
		{ "socket,id=s,listen=:1,ifname=x", "unknown option 'ifname'" },
	};
	struct netdev_config c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (netdev_parse(bad[i].arg, &c, err, sizeof(err)) == 0)
			fail_msg("accepted '%s'", bad[i].arg);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].arg, err, bad[i].msg);
	}
}

static void test_netdev_open_errors(void **state)
{
	struct netdev_config c;
	struct netdev *nd = NULL;
	char err[256], spec[128];
	int busy = bound_socket(SOCK_STREAM), ubusy = bound_socket(SOCK_DGRAM), closed;
	uint16_t free_port;

	(void)state;
	assert_int_equal(listen(busy, 1), 0);
	/* listen on a port in use */
	snprintf(spec, sizeof(spec), "socket,id=a,listen=127.0.0.1:%u", sock_port(busy));
	assert_int_equal(netdev_parse(spec, &c, err, sizeof(err)), 0);
	assert_int_equal(netdev_open(&c, &nd, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Address already in use"));
	/* UDP bound to a port in use */
	snprintf(spec, sizeof(spec), "socket,id=b,udp=127.0.0.1:9,localaddr=127.0.0.1:%u",
		 sock_port(ubusy));
	assert_int_equal(netdev_parse(spec, &c, err, sizeof(err)), 0);
	assert_int_equal(netdev_open(&c, &nd, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "localaddr="));
	/* connect to a port nobody listens on: refused now, or link down soon */
	closed = bound_socket(SOCK_STREAM);
	free_port = sock_port(closed);
	close(closed);
	snprintf(spec, sizeof(spec), "socket,id=c,connect=127.0.0.1:%u", free_port);
	assert_int_equal(netdev_parse(spec, &c, err, sizeof(err)), 0);
	if (netdev_open(&c, &nd, err, sizeof(err)) == 0) {
		struct pollfd fds[NETDEV_MAX_POLLFDS];
		int n;

		assert_false(nd->link_up);
		for (int k = 0; k < 100 && (n = netdev_poll_fill(nd, fds, 2, true)) > 0; k++)
			if (poll(fds, (nfds_t)n, 20) > 0)
				netdev_poll_events(nd, fds, n);
		assert_false(nd->link_up);
		assert_int_equal(netdev_poll_fill(nd, fds, 2, true), 0);
		netdev_close(nd);
	} else {
		assert_non_null(strstr(err, "Connection refused"));
	}
	/* a config without a type */
	memset(&c, 0, sizeof(c));
	assert_int_equal(netdev_open(&c, &nd, err, sizeof(err)), -1);
	close(busy);
	close(ubusy);
}

static void test_tap(void **state)
{
	(void)state;
	/* needs root, /dev/net/tun and a network namespace to be harmless:
	 * tested by the lead's namespace tests, not here */
	skip();
}

/* ---- randomised rings --------------------------------------------------------- */

static uint64_t fz_state;

static uint64_t fz(void)
{
	fz_state ^= fz_state << 13;
	fz_state ^= fz_state >> 7;
	fz_state ^= fz_state << 17;
	return fz_state;
}

static uint64_t fz_addr(void)
{
	switch (fz() % 8) {
	case 0: return fz();
	case 1: return RAM_END - fz() % 64;
	default: return RX_DESC + fz() % 0x200000;
	}
}

static uint32_t fz_len(void)
{
	switch (fz() % 6) {
	case 0: return (uint32_t)fz();
	case 1: return (uint32_t)(fz() % 16);
	default: return (uint32_t)(fz() % 3000);
	}
}

static void test_fuzz(void **state)
{
	struct env *e = *state;
	int rounds = 3000, broken = 0;
	uint8_t f[1600];

	fz_state = 0x853c49e6748fea9bull;
	for (int r = 0; r < rounds; r++) {
		if (r == 0 || needs_reset(e) || fz() % 64 == 0) {
			broken += r && needs_reset(e);
			start_opts(e, fz() % 2 ? ~0ull : ~F_EVENT_IDX, 1u << (fz() % 4),
				   1u << (fz() % 4), fz() % 8 != 0);
		}
		for (int q = 0; q < 2; q++) {
			for (uint32_t i = 0; i < e->d.q[q].num; i++) {
				uint16_t fl = (uint16_t)(fz() % 8);

				if (fz() % 4)
					fl = (uint16_t)((q ? 0 : W) | (fz() % 3 ? 0 : N));
				set_desc(e, q, i, fz_addr(), fz_len(), fl, (uint16_t)(fz() % 10));
			}
			for (uint32_t i = 0; i < 8; i++)
				desc_at(e, IND, i, fz_addr(), fz_len(), (uint16_t)(fz() % 8),
					(uint16_t)(fz() % 10));
			if (fz() % 3 == 0) {
				uint16_t head = (uint16_t)(fz() % 8 ? fz() % e->d.q[q].num : fz());

				post(e, q, head);
				if (fz() % 8 == 0) /* a jumping avail index */
					uv_w16(e->m, e->d.q[q].avail + 2, (uint16_t)fz());
				if (fz() % 2)
					notify(e, q);
			}
		}
		if (fz() % 2) {
			size_t len = fz() % 8 ? fz() % sizeof(f) : 0;

			pattern(f, len, (unsigned)r);
			peer_send(e, f, len);
		}
		pump_once(e, 0);
		while (readable(e->peer, 0)) /* what the guest sent */
			(void)recv(e->peer, f, sizeof(f), MSG_DONTWAIT);
		if (fz() % 32 == 0)
			virtio_mmio_write(&e->t, fz() % 0x200, 4, fz());
		assert_int_equal(e->irq_level, e->t.s.int_status != 0);
	}
	print_message("  %d rounds: tx %llu sent %llu dropped, rx %llu taken %llu dropped, "
		      "%d malformed rings\n", rounds,
		      (unsigned long long)e->n->stats.tx_frames,
		      (unsigned long long)e->n->stats.tx_dropped,
		      (unsigned long long)e->n->stats.rx_frames,
		      (unsigned long long)e->n->stats.rx_dropped, broken);
	assert_true(broken > 10);
	assert_true(e->n->stats.rx_frames + e->n->stats.tx_frames > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_features_config, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_default_mac, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_tx_udp, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_tx_dropped_frames, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_tx_malformed_chains, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_rx_udp, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_rx_waits_for_buffers, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_rx_too_big_for_chain, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_rx_malformed_chains, setup_udp, teardown),
		cmocka_unit_test_setup_teardown(test_stream_framing, setup_stream, teardown),
		cmocka_unit_test_setup_teardown(test_stream_link_down, setup_stream, teardown),
		cmocka_unit_test_setup_teardown(test_stream_link_down_no_buffers, setup_stream,
						teardown),
		cmocka_unit_test_setup_teardown(test_stream_listen, setup_listen, teardown),
		cmocka_unit_test_setup_teardown(test_stream_backpressure, setup_stream_small,
						teardown),
		cmocka_unit_test_setup_teardown(test_announce, setup_udp, teardown),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_netdev_parse_ok),
		cmocka_unit_test(test_netdev_parse_errors),
		cmocka_unit_test(test_netdev_open_errors),
		cmocka_unit_test(test_tap),
		cmocka_unit_test_setup_teardown(test_fuzz, setup_udp, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
