/*
 * virtio_mmio.c - virtio-mmio transport, modern layout (see virtio_mmio.h).
 *
 * Register accesses must be 32 bits wide and aligned; anything else reads
 * 0 and is ignored on write, as are write-only registers read and
 * read-only registers written. The config space at 0x100 takes 1, 2, 4 or
 * 8-byte accesses inside the device's config_size. The transport's
 * migratable state (virtio_mmio_vmstate) is at the end.
 */
#include "devices/virtio_mmio.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "machine/machine.h"
#include "migration/vmstate.h"

/* Offered on every device: the queues implement them. */
#define TRANSPORT_FEATURES                                                  \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1ull << VIRTIO_RING_F_EVENT_IDX))

void virtio_mmio_update_irq(struct virtio_mmio *t)
{
	bool level = t->s.int_status != 0;

	if (level != t->irq_level) {
		t->irq_level = level;
		if (t->set_irq)
			t->set_irq(t->irq_opaque, t->irq, level);
	}
}

static bool present(const struct virtio_mmio *t)
{
	return t->ops.device_id != 0;
}

uint64_t virtio_mmio_offered(const struct virtio_mmio *t)
{
	return present(t) ? t->ops.features | TRANSPORT_FEATURES : 0;
}

void virtio_mmio_init(struct virtio_mmio *t, struct machine *m,
		      const struct virtio_dev_ops *ops, void *dev)
{
	memset(t, 0, sizeof(*t));
	t->m = m;
	t->dev = dev;
	if (ops) {
		t->ops = *ops;
		if (t->ops.num_queues < 0)
			t->ops.num_queues = 0;
		if (t->ops.num_queues > VIRTIO_MMIO_MAX_QUEUES)
			t->ops.num_queues = VIRTIO_MMIO_MAX_QUEUES;
		if (t->ops.queue_max > VIRTQ_MAX_SIZE)
			t->ops.queue_max = VIRTQ_MAX_SIZE;
	}
}

bool virtio_mmio_has_feature(const struct virtio_mmio *t, int bit)
{
	return bit >= 0 && bit < 64 &&
	       (t->s.status & VIRTIO_STATUS_FEATURES_OK) &&
	       (t->s.driver_features >> bit) & 1;
}

static void device_reset(struct virtio_mmio *t)
{
	uint32_t gen = t->s.config_generation;

	memset(&t->s, 0, sizeof(t->s));
	t->s.config_generation = gen;
	if (t->ops.reset)
		t->ops.reset(t->dev);
	virtio_mmio_update_irq(t);
}

static struct virtq_state *queue(struct virtio_mmio *t, int q)
{
	if (q < 0 || q >= t->ops.num_queues || !present(t))
		return NULL;
	return &t->s.vq[q];
}

/* May queue q be processed now? */
static bool runnable(struct virtio_mmio *t, int q)
{
	struct virtq_state *vq = queue(t, q);

	return vq && vq->ready && !vq->broken &&
	       (t->s.status & VIRTIO_STATUS_FEATURES_OK);
}

static void needs_reset(struct virtio_mmio *t)
{
	t->s.status |= VIRTIO_STATUS_NEEDS_RESET;
	if (t->s.status & VIRTIO_STATUS_DRIVER_OK) {
		t->s.int_status |= VIRTIO_MMIO_INT_CONFIG;
		virtio_mmio_update_irq(t);
	}
}

void virtio_mmio_queue_error(struct virtio_mmio *t, int q)
{
	struct virtq_state *vq = queue(t, q);

	if (vq)
		vq->broken = 1;
	needs_reset(t);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	t->s.config_generation++;
	if (t->s.status & VIRTIO_STATUS_DRIVER_OK) {
		t->s.int_status |= VIRTIO_MMIO_INT_CONFIG;
		virtio_mmio_update_irq(t);
	}
}

int virtio_mmio_pop(struct virtio_mmio *t, int q, struct virtq_elem *e)
{
	int rc;

	if (!runnable(t, q))
		return VIRTQ_EMPTY;
	rc = virtq_pop(t->m, &t->s.vq[q], t->s.driver_features, e);
	if (rc == VIRTQ_ERR)
		virtio_mmio_queue_error(t, q);
	return rc;
}

void virtio_mmio_push(struct virtio_mmio *t, int q,
		      const struct virtq_elem *e, uint32_t len)
{
	struct virtq_state *vq = queue(t, q);

	if (!vq || !vq->ready || vq->broken)
		return;
	if (len > e->in_len)
		len = (uint32_t)(e->in_len > UINT32_MAX ? UINT32_MAX : e->in_len);
	if (virtq_push(t->m, vq, e->head, len) != VIRTQ_OK)
		virtio_mmio_queue_error(t, q);
}

void virtio_mmio_notify(struct virtio_mmio *t, int q)
{
	struct virtq_state *vq = queue(t, q);

	if (!vq || !vq->ready)
		return;
	if (virtq_should_notify(t->m, vq, t->s.driver_features)) {
		t->s.int_status |= VIRTIO_MMIO_INT_VRING;
		virtio_mmio_update_irq(t);
	}
}

void virtio_mmio_kick(struct virtio_mmio *t)
{
	if (!t->ops.device_id || !t->ops.notify ||
	    !(t->s.status & VIRTIO_STATUS_DRIVER_OK) || (t->s.status & VIRTIO_STATUS_NEEDS_RESET))
		return;
	for (int q = 0; q < t->ops.num_queues; q++)
		if (t->s.vq[q].ready && !t->s.vq[q].broken)
			t->ops.notify(t->dev, q);
}

uint64_t virtio_config_read_buf(const void *buf, uint64_t len, uint64_t off,
				int size)
{
	const uint8_t *p = buf;
	uint64_t v = 0;

	for (int i = size - 1; i >= 0; i--) {
		uint64_t o = off + (uint64_t)i;
		v = (v << 8) | (o >= off && o < len ? p[o] : 0);
	}
	return v;
}

static uint64_t config_read(struct virtio_mmio *t, uint64_t off, int size)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;
	if (!present(t) || !t->ops.config_read || off >= t->ops.config_size ||
	    (uint64_t)size > t->ops.config_size - off)
		return 0;
	return t->ops.config_read(t->dev, off, size);
}

static void config_write(struct virtio_mmio *t, uint64_t off, int size,
			 uint64_t val)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (!present(t) || !t->ops.config_write || off >= t->ops.config_size ||
	    (uint64_t)size > t->ops.config_size - off)
		return;
	t->ops.config_write(t->dev, off, size, val);
}

static uint32_t lo(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t hi(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

uint64_t virtio_mmio_read(void *opaque, uint64_t off, int size)
{
	struct virtio_mmio *t = opaque;
	struct virtq_state *vq;

	if (off >= VIRTIO_MMIO_CONFIG)
		return config_read(t, off - VIRTIO_MMIO_CONFIG, size);
	if (size != 4 || (off & 3))
		return 0;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE: return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG: return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID: return t->ops.device_id;
	case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
	default: break;
	}
	if (!present(t))
		return 0;
	vq = queue(t, (int)(t->s.queue_sel < VIRTIO_MMIO_MAX_QUEUES ?
				    t->s.queue_sel : VIRTIO_MMIO_MAX_QUEUES));
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->s.dev_features_sel == 0)
			return lo(virtio_mmio_offered(t));
		if (t->s.dev_features_sel == 1)
			return hi(virtio_mmio_offered(t));
		return 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? t->ops.queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_QUEUE_DESC_LOW: return vq ? lo(vq->desc) : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH: return vq ? hi(vq->desc) : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW: return vq ? lo(vq->avail) : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: return vq ? hi(vq->avail) : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW: return vq ? lo(vq->used) : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: return vq ? hi(vq->used) : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS: return t->s.int_status;
	case VIRTIO_MMIO_STATUS: return t->s.status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffffu; /* no shared memory regions: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION: return t->s.config_generation;
	default: return 0;
	}
}

static bool features_acceptable(const struct virtio_mmio *t)
{
	uint64_t f = t->s.driver_features;

	return (f & (1ull << VIRTIO_F_VERSION_1)) && !(f & ~virtio_mmio_offered(t));
}

static void write_status(struct virtio_mmio *t, uint32_t val)
{
	uint32_t old = t->s.status, nv = val & 0xff & ~VIRTIO_STATUS_NEEDS_RESET;

	if ((val & 0xff) == 0) {
		device_reset(t);
		return;
	}
	if ((nv & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_acceptable(t))
		nv &= ~VIRTIO_STATUS_FEATURES_OK;
	t->s.status = nv | (old & VIRTIO_STATUS_NEEDS_RESET);
}

static void set_ready(struct virtio_mmio *t, struct virtq_state *vq, uint32_t val)
{
	if (!(val & 1)) {
		vq->ready = 0;
		return;
	}
	if (vq->ready)
		return;
	if (!virtq_config_valid(t->m, vq, t->ops.queue_max)) {
		/* unusable size or rings: the queue stays off */
		virtio_mmio_queue_error(t, (int)(vq - t->s.vq));
		return;
	}
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->signalled_used_valid = 0;
	vq->broken = 0;
	vq->ready = 1;
}

static void set_half(uint64_t *reg, bool high, uint32_t val)
{
	if (high)
		*reg = (*reg & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*reg = (*reg & ~0xffffffffull) | val;
}

void virtio_mmio_write(void *opaque, uint64_t off, int size, uint64_t val64)
{
	struct virtio_mmio *t = opaque;
	struct virtq_state *vq;
	uint32_t val = (uint32_t)val64;

	if (off >= VIRTIO_MMIO_CONFIG) {
		config_write(t, off - VIRTIO_MMIO_CONFIG, size, val64);
		return;
	}
	if (size != 4 || (off & 3) || !present(t))
		return;
	vq = queue(t, (int)(t->s.queue_sel < VIRTIO_MMIO_MAX_QUEUES ?
				    t->s.queue_sel : VIRTIO_MMIO_MAX_QUEUES));
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->s.dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* fixed once accepted */
		if (t->s.status & VIRTIO_STATUS_FEATURES_OK)
			break;
		if (t->s.drv_features_sel == 0)
			set_half(&t->s.driver_features, false, val);
		else if (t->s.drv_features_sel == 1)
			set_half(&t->s.driver_features, true, val);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->s.drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->s.queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (vq && !vq->ready)
			vq->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vq)
			set_ready(t, vq, val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (vq && !vq->ready)
			set_half(&vq->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (vq && !vq->ready)
			set_half(&vq->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (vq && !vq->ready)
			set_half(&vq->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* only the queue index: NOTIFICATION_DATA is not offered */
		if (runnable(t, (int)(val & 0xffff)) && t->ops.notify)
			t->ops.notify(t->dev, (int)(val & 0xffff));
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->s.int_status &= ~val;
		virtio_mmio_update_irq(t);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, val);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		t->s.shm_sel = val;
		break;
	default:
		break; /* read-only, reserved, or QueueReset (RING_RESET not offered) */
	}
}

/* ---- migration ------------------------------------------------------- */

#define VS(member, mx) VMS_SCALAR(struct virtio_mmio_state, member, mx)
/* Queue registers can hold anything the driver wrote while not ready
 * (set_ready validates them); a ready queue is checked as a whole. */
#define VS_VQ(q)                                                          \
	VS(vq[q].num, VMS_ANY), VS(vq[q].ready, 1), VS(vq[q].desc, VMS_ANY), \
	VS(vq[q].avail, VMS_ANY), VS(vq[q].used, VMS_ANY),                  \
	VS(vq[q].last_avail_idx, VMS_ANY), VS(vq[q].used_idx, VMS_ANY),     \
	VS(vq[q].signalled_used, VMS_ANY), VS(vq[q].signalled_used_valid, 1), \
	VS(vq[q].broken, 1)

_Static_assert(VIRTIO_MMIO_MAX_QUEUES == 8, "vio_fields lists 8 queues");

static const struct vmstate_field vio_fields[] = {
	VS(status, 0xff), /* any byte the driver wrote, plus NEEDS_RESET */
	VS(dev_features_sel, VMS_ANY),
	VS(drv_features_sel, VMS_ANY),
	VS(driver_features, VMS_ANY),
	VS(queue_sel, VMS_ANY), /* out-of-range selections are inert */
	VS(int_status, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG),
	VS(config_generation, VMS_ANY),
	VS(shm_sel, VMS_ANY),
	VS_VQ(0), VS_VQ(1), VS_VQ(2), VS_VQ(3),
	VS_VQ(4), VS_VQ(5), VS_VQ(6), VS_VQ(7),
};

static const struct vmstate_field vio_pad[] = {
	VMS_PAD(struct virtio_mmio_state, pad),
};

static int vio_check_queue(const struct virtio_mmio *t, const struct virtq_state *vq,
			   int q, char *err, size_t errlen)
{
	static const struct virtq_state zero;
	uint32_t max = t->ops.queue_max;

	if (q >= t->ops.num_queues) {
		if (memcmp(vq, &zero, sizeof(zero)))
			return vmstate_fail(err, errlen, "vq[%d] is set up but %s has %d queue(s)",
					    q, t->ops.name, t->ops.num_queues);
		return 0;
	}
	if (!vq->ready)
		return 0;
	if (vq->num == 0 || vq->num > max || (vq->num & (vq->num - 1)))
		return vmstate_fail(err, errlen, "vq[%d].num %" PRIu32 " of a ready queue is not a power of two <= %" PRIu32,
				    q, vq->num, max);
	if (!virtq_config_valid(t->m, vq, max))
		return vmstate_fail(err, errlen, "vq[%d] rings (desc 0x%" PRIx64 ", avail 0x%" PRIx64 ", used 0x%" PRIx64 ") are misaligned or outside guest RAM",
				    q, vq->desc, vq->avail, vq->used);
	return 0;
}

/* ctx: the destination's transport for this slot. */
static int vio_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct virtio_mmio_state *s = state;
	const struct virtio_mmio *t = ctx;
	uint64_t offered = virtio_mmio_offered(t);

	if (s->status & VIRTIO_STATUS_FEATURES_OK) {
		if (s->driver_features & ~offered)
			return vmstate_fail(err, errlen, "driver_features 0x%" PRIx64 " not offered by %s (0x%" PRIx64 ")",
					    s->driver_features, t->ops.name, offered);
		if (!(s->driver_features & (1ull << VIRTIO_F_VERSION_1)))
			return vmstate_fail(err, errlen, "driver_features 0x%" PRIx64 " accepted without VERSION_1",
					    s->driver_features);
	}
	for (int q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		if (vio_check_queue(t, &s->vq[q], q, err, errlen))
			return -1;
	return 0;
}

static void vio_post_load(void *dev)
{
	virtio_mmio_update_irq(dev);
}

const struct vmstate_desc virtio_mmio_vmstate = {
	.name = "virtio-mmio",
	.version = 1,
	.state_size = sizeof(struct virtio_mmio_state),
	.fields = vio_fields,
	.n_fields = VMS_COUNT(vio_fields),
	.check = vio_check,
	.pad = vio_pad,
	.n_pad = VMS_COUNT(vio_pad),
	.dev_offset = offsetof(struct virtio_mmio, s),
	.post_load = vio_post_load,
};
