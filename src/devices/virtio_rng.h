/*
 * virtio_rng.h - virtio entropy device (device id 4): one request queue
 * whose device-writable buffers are filled from the host's getrandom().
 * At most VIRTIO_RNG_MAX_FILL bytes per request (the driver asks again).
 *
 * Invariant: no guest-visible state beyond the transport's.
 */
#ifndef GODWIT_DEVICES_VIRTIO_RNG_H
#define GODWIT_DEVICES_VIRTIO_RNG_H

#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define VIRTIO_ID_RNG 4
#define VIRTIO_RNG_QUEUE_MAX 64
#define VIRTIO_RNG_MAX_FILL (64 * 1024)

struct virtio_rng {
	struct virtio_mmio *t;
	struct virtq_elem elem;
};

/* Make *t a transport carrying the rng, with guest RAM from m. */
void virtio_rng_init(struct virtio_rng *r, struct virtio_mmio *t,
		     struct machine *m);

#endif
