/*
 * virtqueue.h - split virtqueues (virtio 1.2 section 2.7) over guest RAM.
 *
 * The rings live in guest memory, which the guest controls: every index,
 * address, length and chain read from them is hostile input. virtq_pop()
 * validates a whole descriptor chain before handing it out (addresses and
 * lengths inside guest RAM, indices inside the table, chain no longer than
 * the table it walks - which also catches loops - readable segments before
 * writable ones, indirect tables well formed) and returns VIRTQ_ERR on
 * anything malformed; the caller then marks the device DEVICE_NEEDS_RESET
 * and stops processing the queue (the transport does this, see
 * virtio_mmio.h).
 *
 * Invariants:
 *  - struct virtq_state is all the queue's guest-visible state, holds no
 *    pointers and is saved as is by migration. Host pointers to the rings
 *    are looked up in guest RAM on every use, never cached.
 *  - Every guest RAM write made here (used ring, avail_event) is followed
 *    by machine_dma_written(); devices writing through a popped element
 *    use virtq_elem_to_guest() or call virtq_elem_written() themselves.
 *  - An element's segments are all inside guest RAM: n_out device-readable
 *    ones first, then n_in device-writable ones; 1 <= n <= VIRTQ_MAX_SEGS.
 */
#ifndef GODWIT_DEVICES_VIRTQUEUE_H
#define GODWIT_DEVICES_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct machine;

/* Largest queue size the transport accepts, and the longest chain (direct
 * chains are bounded by the queue size, indirect ones by their table). */
#define VIRTQ_MAX_SIZE 1024
#define VIRTQ_MAX_SEGS VIRTQ_MAX_SIZE

/* Descriptor flags */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
/* avail->flags / used->flags */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* Feature bits handled by the queues themselves */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29

struct virtq_state {
	uint32_t num;        /* QueueNum */
	uint32_t ready;      /* QueueReady */
	uint64_t desc;       /* QueueDesc: descriptor table */
	uint64_t avail;      /* QueueDriver: available ring */
	uint64_t used;       /* QueueDevice: used ring */
	uint16_t last_avail_idx; /* next avail ring slot to consume */
	uint16_t used_idx;       /* next used ring slot to fill */
	uint16_t signalled_used; /* used_idx at the last interrupt decision */
	uint8_t signalled_used_valid;
	uint8_t broken;          /* malformed ring seen: no more processing */
};

struct virtq_seg {
	uint8_t *host;  /* host address of [gpa, gpa+len) */
	uint64_t gpa;
	uint32_t len;
	bool writable;  /* device-writable */
};

/* One popped descriptor chain. */
struct virtq_elem {
	uint16_t head;     /* the id to return in the used ring */
	unsigned n, n_out, n_in;
	uint64_t out_len;  /* total device-readable bytes */
	uint64_t in_len;   /* total device-writable bytes */
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

enum { VIRTQ_ERR = -1, VIRTQ_EMPTY = 0, VIRTQ_OK = 1 };

/*
 * Is the configuration of q (size, ring addresses) usable? size must be a
 * power of two in [1, max], rings aligned as the spec demands and entirely
 * in guest RAM.
 */
bool virtq_config_valid(struct machine *m, const struct virtq_state *q,
			uint32_t max);

/*
 * Take the next available chain into *e. `features` are the negotiated
 * features (INDIRECT_DESC and EVENT_IDX matter). Returns VIRTQ_OK,
 * VIRTQ_EMPTY, or VIRTQ_ERR for a malformed ring (q is then left
 * unchanged; the caller marks it broken).
 */
int virtq_pop(struct machine *m, struct virtq_state *q, uint64_t features,
	      struct virtq_elem *e);

/* Return chain `head` to the used ring with `len` bytes written by the
 * device. VIRTQ_ERR if the used ring is not in guest RAM. */
int virtq_push(struct machine *m, struct virtq_state *q, uint16_t head,
	       uint32_t len);

/* Should the driver get a used-buffer interrupt now? Honours
 * VIRTQ_AVAIL_F_NO_INTERRUPT or, with EVENT_IDX, used_event; false if
 * nothing was added to the used ring since the last decision. */
bool virtq_should_notify(struct machine *m, struct virtq_state *q,
			 uint64_t features);

/* Forget the queue: everything zero, as after a device reset. */
void virtq_reset(struct virtq_state *q);

/* Copy up to len bytes of the readable part of e, from offset off, to buf;
 * returns the number of bytes copied. */
uint64_t virtq_elem_from_guest(const struct virtq_elem *e, uint64_t off,
			       void *buf, uint64_t len);
/* Copy up to len bytes from buf to the writable part of e at offset off
 * (and mark them written); returns the number of bytes copied. */
uint64_t virtq_elem_to_guest(struct machine *m, const struct virtq_elem *e,
			     uint64_t off, const void *buf, uint64_t len);
/* iovecs (host addresses) for [off, off+len) of the readable (writable =
 * false) or writable part of e. Returns how many were filled (at most max);
 * *covered gets the number of bytes they span. */
int virtq_elem_iov(const struct virtq_elem *e, bool writable, uint64_t off,
		   uint64_t len, struct iovec *iov, int max, uint64_t *covered);
/* The device wrote [off, off+len) of e's writable part through host
 * pointers: machine_dma_written() for each piece. */
void virtq_elem_written(struct machine *m, const struct virtq_elem *e,
			uint64_t off, uint64_t len);

#endif
