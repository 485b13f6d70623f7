/*
 * virtio_net.h - virtio network device (device id 1) over a netdev
 * backend (net/netdev.h).
 *
 * Deliberately simple: features MAC and STATUS (plus what the transport
 * adds: VERSION_1, INDIRECT_DESC, EVENT_IDX); no checksum or segmentation
 * offloads, no MRG_RXBUF, no control queue, one queue pair: receiveq 0,
 * transmitq 1. Every buffer starts with the 12-byte virtio_net_hdr
 * (VERSION_1 layout: flags, gso_type, hdr_len, gso_size, csum_start,
 * csum_offset, num_buffers), stripped on transmit and prepended on receive
 * (all zero but num_buffers = 1).
 *
 * Transmit: on a notify, every available chain is sent (at most the queue
 * size per notify, which is all the ring can hold); a chain without a whole
 * header or with device-writable buffers is a malformed ring
 * (DEVICE_NEEDS_RESET); a frame shorter than 14 bytes, longer than 65535,
 * or with a gso_type is dropped and counted. When a stream backend's output
 * buffer is full, transmission pauses (the chains stay in the ring) and
 * resumes when it drains.
 *
 * Receive: the backend is polled for input only while the driver has
 * posted receive buffers (and set DRIVER_OK); otherwise frames wait in the
 * host (tap queue, socket buffer) and are taken when buffers come back (on
 * the receiveq notify, or the next run-loop pass). Each frame goes into one
 * chain; a frame that does not fit is dropped and counted, and the chain
 * is kept for the next frame (as QEMU does). A receive chain without room
 * for the header, or with device-readable buffers, is a malformed ring.
 *
 * Link: status bit LINK_UP follows the backend's link_up; each change
 * raises a configuration change interrupt (virtio 1.2 section 5.1.4).
 *
 * Invariants:
 *  - s is all of the device's guest-visible state beyond the transport's,
 *    with no pointers (migration saves it; the config space is derived
 *    from it).
 *  - The backend fd is polled for POLLIN only when rx_ready() holds.
 */
#ifndef GODWIT_DEVICES_VIRTIO_NET_H
#define GODWIT_DEVICES_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"
#include "net/netdev.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_QUEUE_MAX 256
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1

/* Feature bits (offered: MAC and STATUS) */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17

/* Config space: mac[6] @0, le16 status @6. */
#define VIRTIO_NET_CONFIG_SIZE 8
#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_HDR_SIZE 12
#define VIRTIO_NET_HDR_GSO_NONE 0
#define VIRTIO_NET_MIN_FRAME 14 /* an Ethernet header */

/* The QEMU default MAC, 52:54:00:12:34:56 (+ index, see below). */
#define VIRTIO_NET_DEFAULT_MAC { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }

/* Guest-visible device state (migration). */
struct virtio_net_state {
	uint8_t mac[6];
	uint16_t status; /* VIRTIO_NET_S_* */
};

/* Counters, for reporting (not guest-visible). Bytes are frame bytes,
 * without the virtio_net_hdr. */
struct virtio_net_stats {
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_dropped;   /* malformed/oversized frames, backend refusals */
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_dropped;   /* too big for the chain, too short, backend drops */
	uint64_t link_changes;
	uint64_t announces;
};

struct virtio_net {
	struct virtio_net_state s;
	struct virtio_net_stats stats;
	struct virtio_mmio *t;
	struct machine *m;
	struct netdev *nd;        /* owned */
	bool tx_blocked;          /* backend full: TX waits for it to drain */
	bool rx_polled;           /* the last poll asked for POLLIN */
	struct virtq_elem elem;
	uint8_t frame[NETDEV_RX_MAX]; /* receive bounce / linearised transmit */
};

/*
 * Make *t a transport carrying a network device on backend nd (whose
 * ownership passes to n, also on failure), with guest RAM from m, and
 * register the backend with m's run loop. mac: 6 bytes (NULL: the QEMU
 * default). Returns 0, or -1 with a message in err (the run loop has no
 * room for another poll source).
 */
int virtio_net_init(struct virtio_net *n, struct virtio_mmio *t,
		    struct machine *m, struct netdev *nd, const uint8_t *mac,
		    char *err, size_t errlen);
/* Close the backend. The run loop must not be run again afterwards (its
 * poll source still points at n), as for machine_slots_destroy(). */
void virtio_net_destroy(struct virtio_net *n);

/*
 * Parse "aa:bb:cc:dd:ee:ff" strictly: six pairs of hex digits separated by
 * ':', nothing else. A multicast (odd first byte) or all-zero address is
 * refused. Returns 0, or -1 with a message in err.
 */
int virtio_net_parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen);
/* QEMU's default for the index-th NIC without mac=: 52:54:00:12:34:56+i. */
void virtio_net_default_mac(int index, uint8_t mac[6]);

/*
 * Send a RARP announcement (ethertype 0x8035, the 60-byte frame of QEMU's
 * announce_self: broadcast, "reverse request" from the VM's MAC) out of
 * the backend, so that switches learn where the MAC now lives. For
 * migration, after the move. Returns 0 if the backend took it, -1 if not.
 */
int virtio_net_announce(struct virtio_net *n);

/* Migratable state ("virtio-net.<slot>", the device's ops.vmstate): the
 * MAC and the status; a load re-derives the link bit from the backend. */
extern const struct vmstate_desc virtio_net_vmstate;

/* Bring the status bit in line with the backend's link (config change
 * interrupt if it changed); e.g. after loading a migrated state. */
void virtio_net_update_link(struct virtio_net *n);

#endif
