/*
 * virtio_mmio.h - virtio-mmio transport, modern layout only (virtio 1.2
 * section 4.2.2, Version = 2), as on QEMU's virt board: eight 0x1000-byte
 * slots at 0x10001000 + 0x1000 * i, PLIC irq 1 + i.
 *
 * A transport carries one device described by struct virtio_dev_ops (or
 * none: DeviceID 0, an empty slot). The ops are all the board and
 * migration know of a device: t->ops and the opaque t->dev stand for it
 * everywhere (its state, backend, teardown, announce, statistics), so no
 * code outside the device's own file switches on its kind. The device sees its queues through
 * virtio_mmio_pop/push/notify; the transport checks every register write
 * and every ring access, and on a malformed ring sets DEVICE_NEEDS_RESET,
 * stops processing that queue and sends a configuration change interrupt.
 *
 * Wiring (outside this file):
 *     virtio_mmio_init(t, m, &ops, dev);   (or a device's own init)
 *     t->set_irq = ...; t->irq_opaque = ...; t->irq = VIRT_VIRTIO_IRQ + i;
 *     machine_add_mmio(m, &(struct mmio_region){
 *             .base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_SIZE,
 *             .size = VIRT_VIRTIO_SIZE, .read = virtio_mmio_read,
 *             .write = virtio_mmio_write, .opaque = t, .name = "virtio-mmio" });
 *
 * Invariants:
 *  - `s` is all the transport's guest-visible state, with no pointers
 *    (migration saves it; the device's own state is the device's).
 *  - The irq line is high iff s.int_status != 0 (after every change).
 *  - A queue is processed only while it is ready, not broken, and the
 *    driver's features were accepted (FEATURES_OK). DRIVER_OK is not
 *    required, as in QEMU: some Linux drivers kick before setting it.
 *  - VIRTIO_F_VERSION_1 is always offered and FEATURES_OK is accepted only
 *    with it and with no feature the device did not offer.
 */
#ifndef GODWIT_DEVICES_VIRTIO_MMIO_H
#define GODWIT_DEVICES_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtqueue.h"

struct machine;
struct vmstate_desc;

#define VIRTIO_MMIO_SIZE 0x1000
#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VERSION 2
#define VIRTIO_MMIO_VENDOR 0x554d4551 /* "QEMU" */
#define VIRTIO_MMIO_MAX_QUEUES 8

/* Register offsets */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION_REG 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_QUEUE_RESET 0x0c0
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

/* Device status bits */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* InterruptStatus bits */
#define VIRTIO_MMIO_INT_VRING 0x1u
#define VIRTIO_MMIO_INT_CONFIG 0x2u

/* Transport feature bits */
#define VIRTIO_F_VERSION_1 32

/* A backend property the migration handshake compares between source and
 * destination (ops.describe), e.g. a disk's size. */
struct virtio_dev_fact {
	const char *key;
	uint64_t value;
	bool boolean; /* sent as true/false rather than a number */
};
#define VIRTIO_DEV_MAX_FACTS 4

struct blockdev;

struct virtio_dev_ops {
	const char *name;
	uint32_t device_id;
	uint64_t features;   /* device-specific bits offered (VERSION_1 added) */
	int num_queues;      /* <= VIRTIO_MMIO_MAX_QUEUES */
	uint32_t queue_max;  /* QueueNumMax, <= VIRTQ_MAX_SIZE */
	uint32_t config_size;
	/* Config space access at off (< config_size, off + size <=
	 * config_size), size 1, 2, 4 or 8; little endian. NULL: reads 0. */
	uint64_t (*config_read)(void *dev, uint64_t off, int size);
	void (*config_write)(void *dev, uint64_t off, int size, uint64_t val);
	/* The driver notified queue q (ready, not broken, features accepted). */
	void (*notify)(void *dev, int q);
	/* Device reset (Status written 0); the transport resets itself. */
	void (*reset)(void *dev);
	/* The device's migratable state beyond the transport's, saved as
	 * "<name>.<slot>" after "virtio-mmio.<slot>" (NULL: none). Its hooks
	 * and check take dev. */
	const struct vmstate_desc *vmstate;
	/* Release the backend (file, socket) before the board frees dev. */
	void (*destroy)(void *dev);
	/* After an incoming migration: tell the network where the VM now is
	 * (e.g. a RARP for a NIC). Returns 0, or -1 if the backend refused. */
	int (*announce)(void *dev);
	/* Fill at most max facts the destination must match; returns how many. */
	int (*describe)(const void *dev, struct virtio_dev_fact *facts, int max);
	/* GODWIT_STATS: one line of counters for slot on stderr. */
	void (*print_stats)(const void *dev, int slot);
	/* Storage at a migration's switchover (machine/disks.c): make what the
	 * guest wrote durable for another host / open the backing store again
	 * (close-to-open). 0, or -1 with a one-line reason. NULL: nothing to do. */
	int (*flush)(void *dev, char *err, size_t errlen);
	int (*reopen)(void *dev, char *err, size_t errlen);
	/* A disk: its drive (block jobs, disk migration; NULL: not a disk). */
	struct blockdev *(*blockdev)(void *dev);
	/* Run loop, VM paused: finish and complete every request in flight,
	 * so that the device's rings are final (before its state is saved). */
	void (*drain)(void *dev);
};

struct virtio_mmio_state {
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel;
	uint32_t pad;
	uint64_t driver_features;  /* as written; valid once FEATURES_OK */
	uint32_t queue_sel;
	uint32_t int_status;
	uint32_t config_generation;
	uint32_t shm_sel;
	struct virtq_state vq[VIRTIO_MMIO_MAX_QUEUES];
};

struct virtio_mmio {
	struct virtio_mmio_state s;
	struct machine *m;
	struct virtio_dev_ops ops; /* device_id 0: empty slot */
	void *dev;
	void (*set_irq)(void *opaque, int irq, bool level);
	void *irq_opaque;
	int irq;
	bool irq_level;
};

/* ops NULL: an empty slot (DeviceID 0). ops is copied. */
void virtio_mmio_init(struct virtio_mmio *t, struct machine *m,
		      const struct virtio_dev_ops *ops, void *dev);
uint64_t virtio_mmio_read(void *opaque, uint64_t off, int size);
void virtio_mmio_write(void *opaque, uint64_t off, int size, uint64_t val);

/* For devices */
/* Next chain of queue q: VIRTQ_OK, VIRTQ_EMPTY (also when the queue may
 * not be processed), VIRTQ_ERR (malformed: the device now needs reset). */
int virtio_mmio_pop(struct virtio_mmio *t, int q, struct virtq_elem *e);
/* Return e to the used ring, `len` bytes written into its writable part. */
void virtio_mmio_push(struct virtio_mmio *t, int q,
		      const struct virtq_elem *e, uint32_t len);
/* After a batch of pushes: used-buffer interrupt if the driver wants one. */
void virtio_mmio_notify(struct virtio_mmio *t, int q);
/* The device found a malformed request on queue q: DEVICE_NEEDS_RESET,
 * queue q stops. */
void virtio_mmio_queue_error(struct virtio_mmio *t, int q);
/* The device's config space changed: bump ConfigGeneration, interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *t);
bool virtio_mmio_has_feature(const struct virtio_mmio *t, int bit);
/* Features the device offers (its own | the transport's; 0 if empty). */
uint64_t virtio_mmio_offered(const struct virtio_mmio *t);
/* Recompute the irq line from s (e.g. after loading a migrated state). */
void virtio_mmio_update_irq(struct virtio_mmio *t);
/* Act as if the driver had notified every ready queue (a spurious kick is
 * harmless): after a migration the destination serves what the driver made
 * available while the source could not, e.g. TX held back by a full tap. */
void virtio_mmio_kick(struct virtio_mmio *t);

/* The transport's migratable state ("virtio-mmio.<slot>", queues included).
 * Its check's ctx is the destination's transport of that slot: features
 * and queue limits of the device there, rings inside its guest RAM. */
extern const struct vmstate_desc virtio_mmio_vmstate;

/* Little-endian config space helper: read size bytes at off of buf[len]
 * (bytes past len read as 0). */
uint64_t virtio_config_read_buf(const void *buf, uint64_t len, uint64_t off,
				int size);

#endif
