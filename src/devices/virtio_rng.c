/*
 * virtio_rng.c - virtio entropy device (see virtio_rng.h). A request is a
 * chain of device-writable buffers (readable ones are ignored); the used
 * length is the number of random bytes written.
 */
#include "devices/virtio_rng.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "machine/machine.h"

/* Fill [0, len) of e's writable part; returns the bytes written. */
static uint64_t fill(struct virtio_rng *r, const struct virtq_elem *e,
		     uint64_t len)
{
	uint8_t buf[4096];
	uint64_t done = 0;

	while (done < len) {
		size_t want = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
		ssize_t got = getrandom(buf, want, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break; /* no entropy: return what we have */
		done += virtq_elem_to_guest(r->t->m, e, done, buf, (uint64_t)got);
	}
	explicit_bzero(buf, sizeof(buf));
	return done;
}

static void rng_notify(void *dev, int q)
{
	struct virtio_rng *r = dev;

	while (virtio_mmio_pop(r->t, q, &r->elem) == VIRTQ_OK) {
		uint64_t len = r->elem.in_len;

		if (len > VIRTIO_RNG_MAX_FILL)
			len = VIRTIO_RNG_MAX_FILL;
		virtio_mmio_push(r->t, q, &r->elem, (uint32_t)fill(r, &r->elem, len));
	}
	virtio_mmio_notify(r->t, q);
}

void virtio_rng_init(struct virtio_rng *r, struct virtio_mmio *t,
		     struct machine *m)
{
	struct virtio_dev_ops ops;

	memset(r, 0, sizeof(*r));
	r->t = t;
	memset(&ops, 0, sizeof(ops));
	ops.name = "virtio-rng";
	ops.device_id = VIRTIO_ID_RNG;
	ops.num_queues = 1;
	ops.queue_max = VIRTIO_RNG_QUEUE_MAX;
	ops.notify = rng_notify;
	virtio_mmio_init(t, m, &ops, r);
}
