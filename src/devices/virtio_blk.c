/*
 * virtio_blk.c - virtio block device over a raw image (see virtio_blk.h).
 *
 * A request is a descriptor chain: a 16-byte device-readable header
 * { le32 type; le32 reserved; le64 sector; }, then the data (readable for
 * OUT, writable for IN and GET_ID), then one writable status byte - the
 * last writable byte of the chain. Framing is free (ANY_LAYOUT is implied
 * by VERSION_1): the header and data may be split or merged across
 * descriptors in any way.
 */
#include "devices/virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "machine/machine.h"

#include <poll.h>

#define BLK_HDR_SIZE 16
#define BLK_SEG_SIZE 16 /* discard / write-zeroes: le64 sector, le32 num, le32 flags */
#define BLK_MAX_ZERO_SECTORS (1u << 22)

/* One request of the guest, from pop to push. */
struct vblk_req {
	struct blk_req r;
	struct virtio_blk *b;
	uint32_t gen;           /* b->gen when popped */
	uint32_t used_len;      /* bytes written to the guest before the status */
	uint8_t status;         /* when r is not sent to the drive */
	struct vblk_req *next_free, *next_all;
	struct virtq_elem elem;
	struct iovec iov[VIRTQ_MAX_SEGS];
};

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint64_t blk_config_read(void *dev, uint64_t off, int size)
{
	struct virtio_blk *b = dev;

	return virtio_config_read_buf(b->config, sizeof(b->config), off, size);
}

static bool range_ok(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	if (bytes % VIRTIO_BLK_SECTOR)
		return false;
	return sector <= b->capacity &&
	       bytes / VIRTIO_BLK_SECTOR <= b->capacity - sector;
}

static struct vblk_req *req_get(struct virtio_blk *b)
{
	struct vblk_req *q = b->free_reqs;

	if (q) {
		b->free_reqs = q->next_free;
		return q;
	}
	q = malloc(sizeof(*q));
	if (!q)
		return NULL;
	q->b = b;
	q->next_all = b->all_reqs;
	b->all_reqs = q;
	return q;
}

static void req_put(struct virtio_blk *b, struct vblk_req *q)
{
	q->next_free = b->free_reqs;
	b->free_reqs = q;
}

/* Status byte, used ring; the caller notifies after a batch. */
static void finish(struct virtio_blk *b, struct vblk_req *q, uint8_t status)
{
	uint32_t len = q->used_len;

	if (q->gen == b->gen) { /* not from before a device reset */
		virtq_elem_to_guest(b->m, &q->elem, q->elem.in_len - 1, &status, 1);
		virtio_mmio_push(b->t, 0, &q->elem, len < UINT32_MAX ? len + 1 : UINT32_MAX);
	}
	req_put(b, q);
}

/* The drive finished q (run-loop thread). */
static void req_done(struct blk_req *r)
{
	struct vblk_req *q = (struct vblk_req *)r;
	struct virtio_blk *b = q->b;

	b->in_flight--;
	if (r->op == BLK_OP_READ && r->ret == 0) {
		/* the worker wrote guest RAM: log it even after a reset */
		virtq_elem_written(b->m, &q->elem, 0, r->len);
		q->used_len = (uint32_t)r->len;
	}
	finish(b, q, r->ret == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
	if (!b->completing)
		virtio_mmio_notify(b->t, 0);
}

static void submit(struct virtio_blk *b, struct vblk_req *q, enum blk_op op, uint64_t off)
{
	q->r.op = op;
	q->r.off = off;
	q->r.done = req_done;
	b->in_flight++;
	blockdev_submit(&b->bd, &q->r);
}

/* iovecs for the data part of a read or write; false if it does not fit */
static bool data_iov(struct vblk_req *q, bool to_guest, uint64_t off, uint64_t len)
{
	uint64_t covered = 0;

	q->r.niov = len ? virtq_elem_iov(&q->elem, to_guest, off, len, q->iov,
					 VIRTQ_MAX_SEGS, &covered) : 0;
	q->r.iov = q->iov;
	return covered == len;
}

/* discard / write-zeroes with one segment */
static bool zero_range(struct virtio_blk *b, struct vblk_req *q, uint64_t *off, uint64_t *len)
{
	uint8_t seg[BLK_SEG_SIZE];
	uint64_t sector;
	uint32_t num;

	if (q->elem.out_len != BLK_HDR_SIZE + BLK_SEG_SIZE ||
	    virtq_elem_from_guest(&q->elem, BLK_HDR_SIZE, seg, sizeof(seg)) != sizeof(seg))
		return false;
	memcpy(&sector, seg, 8);
	memcpy(&num, seg + 8, 4);
	sector = le64toh(sector);
	num = le32toh(num);
	if (!num || num > BLK_MAX_ZERO_SECTORS ||
	    !range_ok(b, sector, (uint64_t)num * VIRTIO_BLK_SECTOR))
		return false;
	*off = sector * VIRTIO_BLK_SECTOR;
	*len = (uint64_t)num * VIRTIO_BLK_SECTOR;
	return true;
}

/*
 * Start one request: to the drive, or finished here (bad range, GET_ID,
 * unknown type). false if it is malformed (no header or status).
 */
static bool start(struct virtio_blk *b, struct vblk_req *q)
{
	uint8_t hdr[BLK_HDR_SIZE];
	uint64_t sector, data, off, len;
	uint32_t type;

	q->used_len = 0;
	q->gen = b->gen;
	if (q->elem.out_len < BLK_HDR_SIZE || q->elem.in_len < 1)
		return false;
	virtq_elem_from_guest(&q->elem, 0, hdr, sizeof(hdr));
	memcpy(&type, hdr, 4);
	type = le32toh(type);
	memcpy(&sector, hdr + 8, 8);
	sector = le64toh(sector);
	data = q->elem.in_len - 1; /* writable bytes before the status byte */

	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (!range_ok(b, sector, data) || !data_iov(q, true, 0, data))
			break;
		submit(b, q, BLK_OP_READ, sector * VIRTIO_BLK_SECTOR);
		return true;
	case VIRTIO_BLK_T_OUT:
		data = q->elem.out_len - BLK_HDR_SIZE;
		if (b->readonly || !range_ok(b, sector, data) ||
		    !data_iov(q, false, BLK_HDR_SIZE, data))
			break;
		submit(b, q, BLK_OP_WRITE, sector * VIRTIO_BLK_SECTOR);
		return true;
	case VIRTIO_BLK_T_FLUSH:
		q->r.iov = NULL;
		q->r.niov = 0;
		q->r.len = 0;
		submit(b, q, BLK_OP_FLUSH, 0);
		return true;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (!virtio_mmio_has_feature(b->t, type == VIRTIO_BLK_T_DISCARD
							   ? VIRTIO_BLK_F_DISCARD
							   : VIRTIO_BLK_F_WRITE_ZEROES)) {
			finish(b, q, VIRTIO_BLK_S_UNSUPP);
			return true;
		}
		if (b->readonly || !zero_range(b, q, &off, &len))
			break;
		q->r.iov = NULL;
		q->r.niov = 0;
		q->r.len = len;
		submit(b, q, type == VIRTIO_BLK_T_DISCARD ? BLK_OP_DISCARD : BLK_OP_ZERO, off);
		return true;
	case VIRTIO_BLK_T_GET_ID: {
		uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };

		memcpy(id, b->serial, strnlen(b->serial, sizeof(id)));
		q->used_len = (uint32_t)virtq_elem_to_guest(
			b->m, &q->elem, 0, id, data < sizeof(id) ? data : sizeof(id));
		finish(b, q, VIRTIO_BLK_S_OK);
		return true;
	}
	default:
		finish(b, q, VIRTIO_BLK_S_UNSUPP);
		return true;
	}
	finish(b, q, VIRTIO_BLK_S_IOERR);
	return true;
}

static void blk_notify(void *dev, int q)
{
	struct virtio_blk *b = dev;

	for (;;) {
		struct vblk_req *r = req_get(b);
		int rc;

		if (!r)
			break; /* out of memory: the requests stay in the ring */
		rc = virtio_mmio_pop(b->t, q, &r->elem);
		if (rc != VIRTQ_OK) {
			req_put(b, r);
			break;
		}
		if (!start(b, r)) {
			req_put(b, r);
			virtio_mmio_queue_error(b->t, q);
			break;
		}
	}
	virtio_mmio_notify(b->t, q);
}

static void blk_reset(void *dev)
{
	struct virtio_blk *b = dev;

	/* what is in flight finishes into a ring that is gone: drop it then */
	b->gen++;
}

static int blk_poll_fill(void *opaque, struct pollfd *fds, int max)
{
	struct virtio_blk *b = opaque;

	if (max < 1)
		return 0;
	fds[0].fd = blockdev_fd(&b->bd);
	fds[0].events = POLLIN;
	return 1;
}

static void blk_poll_dispatch(void *opaque, const struct pollfd *fds, int n)
{
	struct virtio_blk *b = opaque;

	if (n >= 1 && (fds[0].revents & POLLIN)) {
		b->completing = true; /* one interrupt for the batch */
		blockdev_complete(&b->bd);
		b->completing = false;
		virtio_mmio_notify(b->t, 0);
	}
}

void virtio_blk_drain(struct virtio_blk *b)
{
	b->completing = true;
	blockdev_drain(&b->bd);
	b->completing = false;
	virtio_mmio_notify(b->t, 0);
}

static int blk_flush_op(void *dev, char *err, size_t errlen)
{
	struct virtio_blk *b = dev;

	return blockdev_flush(&b->bd, err, errlen);
}

static int blk_reopen_op(void *dev, char *err, size_t errlen)
{
	struct virtio_blk *b = dev;

	return blockdev_reopen(&b->bd, err, errlen);
}

/* GODWIT_STATS: the guest's I/O and the VMM's own flushes and reopens */
static void blk_print_stats(const void *dev, int slot)
{
	const struct virtio_blk *b = dev;
	const struct blockdev *bd = &b->bd;

	fprintf(stderr,
		"godwit-vmm: blk slot %d: %llu reads (%llu bytes), %llu writes (%llu bytes), "
		"%llu flushes, %llu failed; %llu host flushes, %llu reopens\n", slot,
		(unsigned long long)bd->rd_ops, (unsigned long long)bd->rd_bytes,
		(unsigned long long)bd->wr_ops, (unsigned long long)bd->wr_bytes,
		(unsigned long long)bd->flush_ops, (unsigned long long)bd->failed_ops,
		(unsigned long long)bd->host_flushes, (unsigned long long)bd->reopens);
}

static void blk_destroy(void *dev)
{
	virtio_blk_destroy(dev);
}

/* The destination's disk must have the same size and mode. */
static int blk_describe(const void *dev, struct virtio_dev_fact *f, int max)
{
	const struct virtio_blk *b = dev;

	if (max < 2)
		return 0;
	f[0] = (struct virtio_dev_fact){ "sectors", b->capacity, false };
	f[1] = (struct virtio_dev_fact){ "readonly", b->readonly, true };
	return 2;
}

static struct blockdev *blk_blockdev(void *dev)
{
	struct virtio_blk *b = dev;

	return &b->bd;
}

static void blk_drain_op(void *dev)
{
	virtio_blk_drain(dev);
}

int virtio_blk_init(struct virtio_blk *b, struct virtio_mmio *t, struct machine *m,
		    const struct blk_opts *o, char *err, size_t errlen)
{
	struct virtio_dev_ops ops;
	struct machine_poll_src src;

	memset(b, 0, sizeof(*b));
	if (blockdev_open(&b->bd, o, err, errlen))
		return -1;
	b->t = t;
	b->m = m;
	b->readonly = o->readonly;
	b->capacity = b->bd.size / VIRTIO_BLK_SECTOR;
	if (o->id)
		snprintf(b->serial, sizeof(b->serial), "%s", o->id);
	src = (struct machine_poll_src){ .fill = blk_poll_fill,
					 .dispatch = blk_poll_dispatch, .opaque = b };
	if (machine_poll_add(m, &src)) {
		snprintf(err, errlen, "%s: too many event sources", o->file);
		blockdev_close(&b->bd);
		return -1;
	}

	put64(b->config + 0, b->capacity);
	put32(b->config + 12, VIRTIO_BLK_QUEUE_MAX - 2); /* seg_max */
	put32(b->config + 20, VIRTIO_BLK_SECTOR);        /* blk_size */
	put32(b->config + 36, BLK_MAX_ZERO_SECTORS);     /* max_discard_sectors */
	put32(b->config + 40, 1);                        /* max_discard_seg */
	put32(b->config + 44, 1);                        /* discard_sector_alignment */
	put32(b->config + 48, BLK_MAX_ZERO_SECTORS);     /* max_write_zeroes_sectors */
	put32(b->config + 52, 1);                        /* max_write_zeroes_seg */
	b->config[56] = 1;                               /* write_zeroes_may_unmap */

	memset(&ops, 0, sizeof(ops));
	ops.name = "virtio-blk";
	ops.device_id = VIRTIO_ID_BLOCK;
	ops.features = (1ull << VIRTIO_BLK_F_SEG_MAX) |
		       (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		       (1ull << VIRTIO_BLK_F_FLUSH) |
		       (o->readonly ? 1ull << VIRTIO_BLK_F_RO
				    : (1ull << VIRTIO_BLK_F_DISCARD) |
					      (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	ops.num_queues = 1;
	ops.queue_max = VIRTIO_BLK_QUEUE_MAX;
	ops.config_size = sizeof(b->config);
	ops.config_read = blk_config_read;
	ops.notify = blk_notify;
	ops.reset = blk_reset;
	ops.destroy = blk_destroy;
	ops.describe = blk_describe;
	ops.print_stats = blk_print_stats;
	ops.flush = blk_flush_op;
	ops.reopen = blk_reopen_op;
	ops.blockdev = blk_blockdev;
	ops.drain = blk_drain_op;
	virtio_mmio_init(t, m, &ops, b);
	return 0;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	blockdev_close(&b->bd);
	while (b->all_reqs) {
		struct vblk_req *q = b->all_reqs;

		b->all_reqs = q->next_all;
		free(q);
	}
	b->free_reqs = NULL;
}
