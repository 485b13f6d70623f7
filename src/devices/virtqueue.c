/*
 * virtqueue.c - split virtqueues over guest RAM (see virtqueue.h).
 *
 * Ring layout (all little endian):
 *   descriptor table: num x { le64 addr; le32 len; le16 flags; le16 next; }
 *   available ring:   le16 flags; le16 idx; le16 ring[num]; le16 used_event;
 *   used ring:        le16 flags; le16 idx; {le32 id; le32 len} ring[num];
 *                     le16 avail_event;
 * Each guest field is read exactly once into a local before it is checked
 * and used, so the checks hold even if the guest changes the memory.
 */
#include "devices/virtqueue.h"

#include <endian.h>
#include <string.h>

#include "machine/machine.h"

#define DESC_SIZE 16u

static uint16_t ld16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static uint32_t ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static void st16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static void st32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static uint64_t desc_bytes(uint32_t num)
{
	return (uint64_t)num * DESC_SIZE;
}

static uint64_t avail_bytes(uint32_t num)
{
	return 6 + 2 * (uint64_t)num;
}

static uint64_t used_bytes(uint32_t num)
{
	return 6 + 8 * (uint64_t)num;
}

bool virtq_config_valid(struct machine *m, const struct virtq_state *q,
			uint32_t max)
{
	if (q->num == 0 || q->num > max || q->num > VIRTQ_MAX_SIZE ||
	    (q->num & (q->num - 1)))
		return false;
	if ((q->desc & 15) || (q->avail & 1) || (q->used & 3))
		return false;
	return machine_ram_ptr(m, q->desc, desc_bytes(q->num)) &&
	       machine_ram_ptr(m, q->avail, avail_bytes(q->num)) &&
	       machine_ram_ptr(m, q->used, used_bytes(q->num));
}

void virtq_reset(struct virtq_state *q)
{
	memset(q, 0, sizeof(*q));
}

static int add_seg(struct machine *m, struct virtq_elem *e, uint64_t addr,
		   uint32_t len, bool writable)
{
	uint8_t *host;
	struct virtq_seg *s;

	/* zero-sized buffers are not allowed (QEMU agrees) */
	if (len == 0 || e->n >= VIRTQ_MAX_SEGS)
		return VIRTQ_ERR;
	/* device-writable descriptors must follow the readable ones */
	if (!writable && e->n_in)
		return VIRTQ_ERR;
	host = machine_ram_ptr(m, addr, len);
	if (!host)
		return VIRTQ_ERR;
	s = &e->seg[e->n++];
	s->host = host;
	s->gpa = addr;
	s->len = len;
	s->writable = writable;
	if (writable) {
		e->n_in++;
		e->in_len += len;
	} else {
		e->n_out++;
		e->out_len += len;
	}
	return VIRTQ_OK;
}

/*
 * Walk the chain starting at `head` in the table of `table_n` descriptors at
 * `table`. `may_indirect`: this is the ring's own table and indirect
 * descriptors were negotiated.
 */
static int walk(struct machine *m, struct virtq_elem *e, const uint8_t *table,
		uint32_t table_n, uint32_t head, bool may_indirect)
{
	uint32_t idx = head, count = 0;

	for (;;) {
		const uint8_t *d;
		uint64_t addr;
		uint32_t len;
		uint16_t flags, next;

		if (idx >= table_n)
			return VIRTQ_ERR;
		/* more descriptors than the table holds: the chain loops */
		if (++count > table_n)
			return VIRTQ_ERR;
		d = table + (uint64_t)idx * DESC_SIZE;
		addr = ld64(d);
		len = ld32(d + 8);
		flags = ld16(d + 12);
		next = ld16(d + 14);

		if (flags & VIRTQ_DESC_F_INDIRECT) {
			const uint8_t *itab;

			/* ends a direct chain (spec 2.7.5.3: zero or more direct
			 * descriptors, then one indirect); never nested */
			if (!may_indirect || (flags & VIRTQ_DESC_F_NEXT))
				return VIRTQ_ERR;
			if (len == 0 || len % DESC_SIZE ||
			    len / DESC_SIZE > VIRTQ_MAX_SEGS)
				return VIRTQ_ERR;
			itab = machine_ram_ptr(m, addr, len);
			if (!itab)
				return VIRTQ_ERR;
			return walk(m, e, itab, len / DESC_SIZE, 0, false);
		}
		if (add_seg(m, e, addr, len, flags & VIRTQ_DESC_F_WRITE) != VIRTQ_OK)
			return VIRTQ_ERR;
		if (!(flags & VIRTQ_DESC_F_NEXT))
			return VIRTQ_OK;
		idx = next;
	}
}

static void set_avail_event(struct machine *m, struct virtq_state *q,
			    uint64_t features, uint16_t val)
{
	uint64_t pa = q->used + used_bytes(q->num) - 2;
	uint8_t *p;

	if (!(features & (1ull << VIRTIO_RING_F_EVENT_IDX)))
		return;
	p = machine_ram_ptr(m, pa, 2);
	if (!p)
		return;
	st16(p, val);
	machine_dma_written(m, pa, 2);
}

int virtq_pop(struct machine *m, struct virtq_state *q, uint64_t features,
	      struct virtq_elem *e)
{
	const uint8_t *desc, *avail;
	uint16_t avail_idx, pending, head;
	int rc;

	if (!q->ready || q->broken)
		return VIRTQ_EMPTY;
	if (q->num == 0 || q->num > VIRTQ_MAX_SIZE || (q->num & (q->num - 1)))
		return VIRTQ_ERR;
	desc = machine_ram_ptr(m, q->desc, desc_bytes(q->num));
	avail = machine_ram_ptr(m, q->avail, avail_bytes(q->num));
	if (!desc || !avail || !machine_ram_ptr(m, q->used, used_bytes(q->num)))
		return VIRTQ_ERR;

	avail_idx = ld16(avail + 2);
	pending = (uint16_t)(avail_idx - q->last_avail_idx);
	if (pending > q->num)
		return VIRTQ_ERR;
	if (pending == 0) {
		set_avail_event(m, q, features, q->last_avail_idx);
		return VIRTQ_EMPTY;
	}
	head = ld16(avail + 4 + 2 * (uint64_t)(q->last_avail_idx & (q->num - 1)));
	if (head >= q->num)
		return VIRTQ_ERR;

	e->head = head;
	e->n = e->n_out = e->n_in = 0;
	e->out_len = e->in_len = 0;
	rc = walk(m, e, desc, q->num, head,
		  features & (1ull << VIRTIO_RING_F_INDIRECT_DESC));
	if (rc != VIRTQ_OK)
		return VIRTQ_ERR;
	q->last_avail_idx++;
	set_avail_event(m, q, features, q->last_avail_idx);
	return VIRTQ_OK;
}

int virtq_push(struct machine *m, struct virtq_state *q, uint16_t head,
	       uint32_t len)
{
	uint8_t *used;
	uint64_t slot;

	if (q->num == 0 || q->num > VIRTQ_MAX_SIZE || (q->num & (q->num - 1)))
		return VIRTQ_ERR;
	used = machine_ram_ptr(m, q->used, used_bytes(q->num));
	if (!used)
		return VIRTQ_ERR;
	slot = 4 + 8 * (uint64_t)(q->used_idx & (q->num - 1));
	st32(used + slot, head);
	st32(used + slot + 4, len);
	machine_dma_written(m, q->used + slot, 8);
	q->used_idx++;
	/* the element is visible before the index that publishes it */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(used + 2, q->used_idx);
	machine_dma_written(m, q->used + 2, 2);
	return VIRTQ_OK;
}

bool virtq_should_notify(struct machine *m, struct virtq_state *q,
			 uint64_t features)
{
	const uint8_t *avail;
	uint16_t old = q->signalled_used, now = q->used_idx, event;
	bool valid = q->signalled_used_valid;

	if (valid && old == now)
		return false; /* nothing new in the used ring */
	q->signalled_used = now;
	q->signalled_used_valid = 1;
	if (q->num == 0 || q->num > VIRTQ_MAX_SIZE)
		return true;
	/* the used index must be visible before we look at the driver's flags */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail = machine_ram_ptr(m, q->avail, avail_bytes(q->num));
	if (!avail)
		return true;
	if (!(features & (1ull << VIRTIO_RING_F_EVENT_IDX)))
		return !(ld16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	event = ld16(avail + 4 + 2 * (uint64_t)q->num);
	/* vring_need_event(): did used_idx step over used_event? */
	return !valid || (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

/* Iterator over [off, off+len) of the readable or writable part of e. */
struct range_it {
	const struct virtq_elem *e;
	unsigned i, end;
	uint64_t skip, left;
};

static void range_init(struct range_it *it, const struct virtq_elem *e,
		       bool writable, uint64_t off, uint64_t len)
{
	it->e = e;
	it->i = writable ? e->n_out : 0;
	it->end = writable ? e->n : e->n_out;
	it->skip = off;
	it->left = len;
}

/* Next piece: segment *s, bytes [*o, *o + *n) of it. */
static bool range_next(struct range_it *it, const struct virtq_seg **s,
		       uint64_t *o, uint64_t *n)
{
	while (it->left && it->i < it->end) {
		const struct virtq_seg *seg = &it->e->seg[it->i++];

		if (it->skip >= seg->len) {
			it->skip -= seg->len;
			continue;
		}
		*s = seg;
		*o = it->skip;
		*n = seg->len - it->skip;
		if (*n > it->left)
			*n = it->left;
		it->skip = 0;
		it->left -= *n;
		return true;
	}
	return false;
}

uint64_t virtq_elem_from_guest(const struct virtq_elem *e, uint64_t off,
			       void *buf, uint64_t len)
{
	struct range_it it;
	const struct virtq_seg *s;
	uint64_t o, n, done = 0;

	range_init(&it, e, false, off, len);
	while (range_next(&it, &s, &o, &n)) {
		memcpy((uint8_t *)buf + done, s->host + o, n);
		done += n;
	}
	return done;
}

uint64_t virtq_elem_to_guest(struct machine *m, const struct virtq_elem *e,
			     uint64_t off, const void *buf, uint64_t len)
{
	struct range_it it;
	const struct virtq_seg *s;
	uint64_t o, n, done = 0;

	range_init(&it, e, true, off, len);
	while (range_next(&it, &s, &o, &n)) {
		memcpy(s->host + o, (const uint8_t *)buf + done, n);
		machine_dma_written(m, s->gpa + o, n);
		done += n;
	}
	return done;
}

int virtq_elem_iov(const struct virtq_elem *e, bool writable, uint64_t off,
		   uint64_t len, struct iovec *iov, int max, uint64_t *covered)
{
	struct range_it it;
	const struct virtq_seg *s;
	uint64_t o, n, done = 0;
	int cnt = 0;

	range_init(&it, e, writable, off, len);
	while (cnt < max && range_next(&it, &s, &o, &n)) {
		iov[cnt].iov_base = s->host + o;
		iov[cnt].iov_len = n;
		cnt++;
		done += n;
	}
	if (covered)
		*covered = done;
	return cnt;
}

void virtq_elem_written(struct machine *m, const struct virtq_elem *e,
			uint64_t off, uint64_t len)
{
	struct range_it it;
	const struct virtq_seg *s;
	uint64_t o, n;

	range_init(&it, e, true, off, len);
	while (range_next(&it, &s, &o, &n))
		machine_dma_written(m, s->gpa + o, n);
}
