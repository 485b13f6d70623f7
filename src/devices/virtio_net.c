/*
 * virtio_net.c - virtio network device over a netdev backend (see
 * virtio_net.h).
 *
 * Receive path: the run loop calls net_fill() before every poll; it asks
 * the backend for POLLIN only while rx_ready() (the driver has posted
 * receive buffers). A frame is read into n->frame first, so its size is
 * known before a chain is taken; a frame too big for the chain puts the
 * chain back (last_avail_idx--, QEMU's virtqueue_unpop) and is dropped.
 * Each pass reads at most RX_READ_BUDGET frames from the host, so a busy
 * backend cannot starve the vCPU; what is left keeps the fd readable and
 * is taken on the next pass.
 *
 * Its migratable state (virtio_net_vmstate) is at the end.
 */
#include "devices/virtio_net.h"

#include <endian.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "machine/machine.h"
#include "migration/vmstate.h"

#define RX_READ_BUDGET 256

static const uint8_t default_mac[6] = VIRTIO_NET_DEFAULT_MAC;

/* ---- config space and link -------------------------------------------- */

static uint64_t net_config_read(void *dev, uint64_t off, int size)
{
	struct virtio_net *n = dev;
	uint8_t cfg[VIRTIO_NET_CONFIG_SIZE];
	uint16_t st = htole16(n->s.status);

	memcpy(cfg, n->s.mac, 6);
	memcpy(cfg + 6, &st, 2);
	return virtio_config_read_buf(cfg, sizeof(cfg), off, size);
}

void virtio_net_update_link(struct virtio_net *n)
{
	uint16_t want = (n->nd && n->nd->link_up) ? VIRTIO_NET_S_LINK_UP : 0;

	if ((n->s.status & VIRTIO_NET_S_LINK_UP) == want)
		return;
	n->s.status = (uint16_t)((n->s.status & ~VIRTIO_NET_S_LINK_UP) | want);
	n->stats.link_changes++;
	virtio_mmio_config_changed(n->t);
}

/* ---- transmit ------------------------------------------------------------ */

/* Send the frame of a well-formed chain (or drop it). */
static void tx_one(struct virtio_net *n, const struct virtq_elem *e)
{
	uint8_t hdr[VIRTIO_NET_HDR_SIZE];
	struct iovec iov[NETDEV_MAX_IOV];
	uint64_t flen = e->out_len - VIRTIO_NET_HDR_SIZE, covered = 0;
	int cnt;

	virtq_elem_from_guest(e, 0, hdr, sizeof(hdr));
	if (flen < VIRTIO_NET_MIN_FRAME || flen > NETDEV_MAX_FRAME ||
	    hdr[1] != VIRTIO_NET_HDR_GSO_NONE) {
		n->stats.tx_dropped++;
		return;
	}
	cnt = virtq_elem_iov(e, false, VIRTIO_NET_HDR_SIZE, flen, iov,
			     NETDEV_MAX_IOV, &covered);
	if (covered < flen) { /* too many pieces: linearise */
		virtq_elem_from_guest(e, VIRTIO_NET_HDR_SIZE, n->frame, flen);
		iov[0].iov_base = n->frame;
		iov[0].iov_len = flen;
		cnt = 1;
	}
	if (netdev_send(n->nd, iov, cnt, flen) == 0) {
		n->stats.tx_frames++;
		n->stats.tx_bytes += flen;
	} else {
		n->stats.tx_dropped++;
	}
}

/* Send what the driver made available, until the backend is full. The
 * ring holds at most the queue size of chains, which bounds the loop. */
static void tx_run(struct virtio_net *n)
{
	struct virtq_elem *e = &n->elem;

	n->tx_blocked = false;
	while (n->nd) {
		if (!netdev_can_send(n->nd)) {
			n->tx_blocked = true;
			break;
		}
		if (virtio_mmio_pop(n->t, VIRTIO_NET_TXQ, e) != VIRTQ_OK)
			break;
		if (e->n_in || e->out_len < VIRTIO_NET_HDR_SIZE) {
			/* no whole header, or buffers for the device to write */
			n->stats.tx_dropped++;
			virtio_mmio_queue_error(n->t, VIRTIO_NET_TXQ);
			break;
		}
		tx_one(n, e);
		virtio_mmio_push(n->t, VIRTIO_NET_TXQ, e, 0);
	}
	virtio_mmio_notify(n->t, VIRTIO_NET_TXQ);
	virtio_net_update_link(n);
}

/* ---- receive --------------------------------------------------------------- */

/* Has the driver posted receive buffers we may fill? (Peeks at the avail
 * index; virtio_mmio_pop validates everything when a chain is taken.) */
static bool rx_ready(struct virtio_net *n)
{
	const struct virtio_mmio *t = n->t;
	const struct virtq_state *vq = &t->s.vq[VIRTIO_NET_RXQ];
	const uint8_t *p;

	if (!(t->s.status & VIRTIO_STATUS_DRIVER_OK) ||
	    !(t->s.status & VIRTIO_STATUS_FEATURES_OK) || !vq->ready || vq->broken)
		return false;
	p = machine_ram_ptr(n->m, vq->avail + 2, 2);
	if (!p)
		return false;
	return (uint16_t)(p[0] | p[1] << 8) != vq->last_avail_idx;
}

/* Put n->frame[0, len) into the next receive chain. false: stop (the ring
 * is malformed or empty). */
static bool rx_one(struct virtio_net *n, size_t len)
{
	static const uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { [10] = 1 }; /* num_buffers */
	struct virtq_elem *e = &n->elem;

	if (virtio_mmio_pop(n->t, VIRTIO_NET_RXQ, e) != VIRTQ_OK) {
		n->stats.rx_dropped++;
		return false;
	}
	if (e->n_out || e->in_len < VIRTIO_NET_HDR_SIZE) {
		n->stats.rx_dropped++;
		virtio_mmio_queue_error(n->t, VIRTIO_NET_RXQ);
		return false;
	}
	if (e->in_len - VIRTIO_NET_HDR_SIZE < len) {
		/* does not fit: drop the frame, keep the chain for the next one */
		n->t->s.vq[VIRTIO_NET_RXQ].last_avail_idx--;
		n->stats.rx_dropped++;
		return true;
	}
	virtq_elem_to_guest(n->m, e, 0, hdr, sizeof(hdr));
	virtq_elem_to_guest(n->m, e, VIRTIO_NET_HDR_SIZE, n->frame, len);
	virtio_mmio_push(n->t, VIRTIO_NET_RXQ, e, (uint32_t)(VIRTIO_NET_HDR_SIZE + len));
	n->stats.rx_frames++;
	n->stats.rx_bytes += len;
	return true;
}

static void rx_run(struct virtio_net *n)
{
	for (int i = 0; n->nd && rx_ready(n); i++) {
		ssize_t len = netdev_recv(n->nd, n->frame, sizeof(n->frame),
					  i < RX_READ_BUDGET);

		if (len == 0)
			break;
		if (len < VIRTIO_NET_MIN_FRAME) {
			n->stats.rx_dropped++;
			continue;
		}
		if (!rx_one(n, (size_t)len))
			break;
	}
	virtio_mmio_notify(n->t, VIRTIO_NET_RXQ);
	virtio_net_update_link(n);
}

/* ---- transport and run loop hooks ------------------------------------------- */

static void net_notify(void *dev, int q)
{
	struct virtio_net *n = dev;

	if (q == VIRTIO_NET_RXQ)
		rx_run(n); /* new buffers: take what waits in the backend */
	else if (q == VIRTIO_NET_TXQ)
		tx_run(n);
}

static void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	n->tx_blocked = false;
}

static int net_fill(void *opaque, struct pollfd *fds, int max)
{
	struct virtio_net *n = opaque;

	/* a paused VM's RAM must not change (migration copies it): no RX, and
	 * no TX completion either, until it runs again */
	if (!n->nd || n->m->paused)
		return 0;
	n->rx_polled = rx_ready(n);
	return netdev_poll_fill(n->nd, fds, max, n->rx_polled);
}

static void net_dispatch(void *opaque, const struct pollfd *fds, int cnt)
{
	struct virtio_net *n = opaque;
	unsigned ev;

	if (!n->nd || n->m->paused) /* paused since the poll: leave RAM alone */
		return;
	ev = netdev_poll_events(n->nd, fds, cnt);
	if (ev & NETDEV_EV_READABLE)
		rx_run(n);
	if (n->tx_blocked && netdev_can_send(n->nd))
		tx_run(n);
	virtio_net_update_link(n);
}

/* ---- public ------------------------------------------------------------------ */

static void net_destroy(void *dev)
{
	virtio_net_destroy(dev);
}

static int net_announce(void *dev)
{
	return virtio_net_announce(dev);
}

static void net_print_stats(const void *dev, int slot)
{
	const struct virtio_net *n = dev;
	const struct virtq_state *q = n->t->s.vq;

	fprintf(stderr, "godwit-vmm: net slot %d: rx %llu frames (%llu dropped), tx %llu "
		"(%llu dropped), %llu announces; rx queue avail %u used %u, tx queue "
		"avail %u used %u, int_status %u\n", slot,
		(unsigned long long)n->stats.rx_frames, (unsigned long long)n->stats.rx_dropped,
		(unsigned long long)n->stats.tx_frames, (unsigned long long)n->stats.tx_dropped,
		(unsigned long long)n->stats.announces, q[0].last_avail_idx, q[0].used_idx,
		q[1].last_avail_idx, q[1].used_idx, n->t->s.int_status);
}

static const struct virtio_dev_ops net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
	.num_queues = 2,
	.queue_max = VIRTIO_NET_QUEUE_MAX,
	.config_size = VIRTIO_NET_CONFIG_SIZE,
	.config_read = net_config_read,
	.notify = net_notify,
	.reset = net_reset,
	.vmstate = &virtio_net_vmstate,
	.destroy = net_destroy,
	.announce = net_announce,
	.print_stats = net_print_stats,
};

int virtio_net_init(struct virtio_net *n, struct virtio_mmio *t,
		    struct machine *m, struct netdev *nd, const uint8_t *mac,
		    char *err, size_t errlen)
{
	struct machine_poll_src src = { net_fill, net_dispatch, n };

	memset(n, 0, sizeof(*n));
	if (machine_poll_add(m, &src)) {
		snprintf(err, errlen, "netdev %s: too many host event sources (at most %d)",
			 nd->id, MACHINE_MAX_POLL);
		netdev_close(nd);
		return -1;
	}
	n->t = t;
	n->m = m;
	n->nd = nd;
	memcpy(n->s.mac, mac ? mac : default_mac, 6);
	n->s.status = nd->link_up ? VIRTIO_NET_S_LINK_UP : 0;

	virtio_mmio_init(t, m, &net_ops, n);
	return 0;
}

void virtio_net_destroy(struct virtio_net *n)
{
	netdev_close(n->nd);
	n->nd = NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int virtio_net_parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	uint8_t m[6];

	if (strlen(s) != 17)
		goto bad;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);
		char sep = s[3 * i + 2];

		if (hi < 0 || lo < 0 || (i < 5 && sep != ':'))
			goto bad;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	if (m[0] & 1) {
		snprintf(err, errlen, "mac=%s: a multicast address (odd first byte)", s);
		return -1;
	}
	if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5])) {
		snprintf(err, errlen, "mac=%s: the all-zero address", s);
		return -1;
	}
	memcpy(mac, m, 6);
	return 0;
bad:
	snprintf(err, errlen, "mac=%s: expected six hex pairs like 52:54:00:12:34:56", s);
	return -1;
}

void virtio_net_default_mac(int index, uint8_t mac[6])
{
	memcpy(mac, default_mac, 6);
	mac[5] = (uint8_t)(mac[5] + index);
}

int virtio_net_announce(struct virtio_net *n)
{
	uint8_t f[60];
	struct iovec iov = { f, sizeof(f) };
	int r;

	if (!n->nd)
		return -1;
	/* QEMU's announce_self_create(): a RARP "reverse request" */
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);            /* destination: broadcast */
	memcpy(f + 6, n->s.mac, 6);    /* source */
	f[12] = 0x80, f[13] = 0x35;    /* ethertype RARP */
	f[14] = 0x00, f[15] = 0x01;    /* hardware: Ethernet */
	f[16] = 0x08, f[17] = 0x00;    /* protocol: IPv4 */
	f[18] = 6, f[19] = 4;          /* address lengths */
	f[20] = 0x00, f[21] = 0x03;    /* op: reverse request */
	memcpy(f + 22, n->s.mac, 6);   /* sender hardware address */
	memcpy(f + 32, n->s.mac, 6);   /* target hardware address */
	/* IPv4 addresses at 28 and 38 and the padding to 60 stay zero */
	r = netdev_send(n->nd, &iov, 1, sizeof(f));
	if (r == 0)
		n->stats.announces++;
	virtio_net_update_link(n);
	return r;
}

/* ---- migration ------------------------------------------------------- */

static const struct vmstate_field net_fields[] = {
	VMS_ARRAY(struct virtio_net_state, mac, VMS_ANY),
	VMS_SCALAR(struct virtio_net_state, status, VIRTIO_NET_S_LINK_UP),
};

static int net_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct virtio_net_state *s = state;
	const uint8_t *a = s->mac;

	(void)ctx;
	if ((a[0] & 1) || !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]))
		return vmstate_fail(err, errlen, "mac %02x:%02x:%02x:%02x:%02x:%02x is %s",
				    a[0], a[1], a[2], a[3], a[4], a[5],
				    (a[0] & 1) ? "multicast" : "all zero");
	return 0;
}

static void net_post_load(void *dev)
{
	virtio_net_update_link(dev);
}

const struct vmstate_desc virtio_net_vmstate = {
	.name = "virtio-net",
	.version = 1,
	.state_size = sizeof(struct virtio_net_state),
	.fields = net_fields,
	.n_fields = VMS_COUNT(net_fields),
	.check = net_check,
	.dev_offset = offsetof(struct virtio_net, s),
	.post_load = net_post_load,
};
