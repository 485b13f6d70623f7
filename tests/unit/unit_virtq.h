/*
 * unit_virtq.h - a tiny virtio-mmio driver for the device unit tests
 * (test_virtio.c, test_virtio_net.c): 32-bit register access, feature
 * negotiation, split virtqueues laid out in the guest RAM of a
 * unit_machine.h machine, descriptors written, chains made available and
 * kicked, the used ring read back.
 *
 * Invariant: q[i].avail_idx is the avail index the driver last published
 * for queue i (tests that write the ring behind its back update it).
 */
#ifndef GODWIT_TESTS_UNIT_VIRTQ_H
#define GODWIT_TESTS_UNIT_VIRTQ_H

#include "unit_machine.h"

#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define UV_MAX_QUEUES 2
#define UV_RING_BYTES 0x3000 /* desc, avail and used, a page each */

struct uv_queue {
	uint64_t desc, avail, used; /* guest physical */
	uint32_t num;
	uint16_t avail_idx;
};

struct uv {
	struct machine *m;      /* whose RAM holds the rings */
	struct virtio_mmio *t;  /* the transport driven */
	struct uv_queue q[UV_MAX_QUEUES];
};

static inline void uv_w16(struct machine *m, uint64_t pa, uint16_t v)
{
	memcpy(um_ptr(m, pa, 2), &v, 2);
}

static inline uint16_t uv_r16(struct machine *m, uint64_t pa)
{
	uint16_t v;

	memcpy(&v, um_ptr(m, pa, 2), 2);
	return v;
}

static inline uint32_t uv_rd(struct uv *d, uint64_t off)
{
	return (uint32_t)virtio_mmio_read(d->t, off, 4);
}

static inline void uv_wr(struct uv *d, uint64_t off, uint32_t v)
{
	virtio_mmio_write(d->t, off, 4, v);
}

static inline uint64_t uv_dev_features(struct uv *d)
{
	uint64_t lo, hi;

	uv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = uv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	uv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = uv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	return hi << 32 | lo;
}

static inline void uv_set_driver_features(struct uv *d, uint64_t f)
{
	uv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	uv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	uv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	uv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

/* Reset, acknowledge, and accept `f` as is: is FEATURES_OK kept? */
static inline bool uv_negotiate(struct uv *d, uint64_t f)
{
	uv_wr(d, VIRTIO_MMIO_STATUS, 0);
	uv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	uv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uv_set_driver_features(d, f);
	uv_wr(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				     VIRTIO_STATUS_FEATURES_OK);
	return uv_rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* The selected queue's ring addresses. */
static inline void uv_queue_addrs(struct uv *d, uint64_t desc, uint64_t avail,
				  uint64_t used)
{
	uv_wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	uv_wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	uv_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	uv_wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	uv_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	uv_wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
}

/* Clear UV_RING_BYTES from desc (the rings follow it), then select queue
 * q, give it num entries and the rings, and make it ready. */
static inline void uv_setup_queue(struct uv *d, int q, uint32_t num, uint64_t desc,
				  uint64_t avail, uint64_t used)
{
	struct uv_queue *v = &d->q[q];

	v->desc = desc;
	v->avail = avail;
	v->used = used;
	v->num = num;
	v->avail_idx = 0;
	memset(um_ptr(d->m, desc, UV_RING_BYTES), 0, UV_RING_BYTES);
	uv_wr(d, VIRTIO_MMIO_QUEUE_SEL, (uint32_t)q);
	uv_wr(d, VIRTIO_MMIO_QUEUE_NUM, num);
	uv_queue_addrs(d, desc, avail, used);
	uv_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(uv_rd(d, VIRTIO_MMIO_QUEUE_READY), 1);
}

/* Descriptor i of the table at `table`. */
static inline void uv_desc(struct machine *m, uint64_t table, uint32_t i, uint64_t addr,
			   uint32_t len, uint16_t flags, uint16_t next)
{
	uint64_t a = table + 16ull * i;

	um_w64(m, a, addr);
	um_w32(m, a + 8, len);
	uv_w16(m, a + 12, flags);
	uv_w16(m, a + 14, next);
}

/* Make `head` available on queue q (no notify). */
static inline void uv_post(struct uv *d, int q, uint16_t head)
{
	struct uv_queue *v = &d->q[q];

	uv_w16(d->m, v->avail + 4 + 2ull * (v->avail_idx % v->num), head);
	v->avail_idx++;
	uv_w16(d->m, v->avail + 2, v->avail_idx);
}

static inline void uv_kick(struct uv *d, int q, uint16_t head)
{
	uv_post(d, q, head);
	uv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, (uint32_t)q);
}

static inline uint16_t uv_used_idx(struct uv *d, int q)
{
	return uv_r16(d->m, d->q[q].used + 2);
}

/* id and len of used element idx of queue q */
static inline uint32_t uv_used_id(struct uv *d, int q, uint16_t idx)
{
	return um_r32(d->m, d->q[q].used + 4 + 8ull * (idx % d->q[q].num));
}

static inline uint32_t uv_used_len(struct uv *d, int q, uint16_t idx)
{
	return um_r32(d->m, d->q[q].used + 8 + 8ull * (idx % d->q[q].num));
}

static inline bool uv_needs_reset(struct uv *d)
{
	return uv_rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET;
}

#endif
