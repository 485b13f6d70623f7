/*
 * disks.c - the machine's disk images at a migration's switchover, for
 * storage shared between the two hosts (NFS and the like).
 *
 * Close-to-open consistency: a host sees another host's writes to a file
 * only if the writer flushed (and closed) before the reader opened. So the
 * source flushes every image before it stops the VM (the bulk of the
 * writeback, while the guest still runs) and once more while it is stopped
 * (the last writes, now final); the destination, which opened the images
 * at start-up, reopens them after the source's last flush - when the END
 * section arrives, before it loads the device state - and so reads what
 * the source wrote.
 *
 * Invariant: a reopen that fails leaves that disk on its old fd; the
 * caller refuses the migration then (the VM stays on the source).
 *
 * Also the machine's list of drives (block jobs and disk migration find
 * them here by slot or by id) and the drain that finishes every request in
 * flight before the state is saved.
 */
#include "machine/machine.h"
#include "block/blockdev.h"

#include <stdio.h>
#include <string.h>

int machine_disk_list(struct machine *m, struct blockdev **out, int max)
{
	int n = 0;

	for (int i = 0; i < VIRT_VIRTIO_COUNT && n < max; i++) {
		const struct virtio_dev_ops *o = &m->vio[i].ops;

		if (o->device_id && o->blockdev)
			out[n++] = o->blockdev(m->vio[i].dev);
	}
	return n;
}

struct blockdev *machine_disk_find(struct machine *m, const char *id)
{
	struct blockdev *bd[VIRT_VIRTIO_COUNT];
	int n = machine_disk_list(m, bd, VIRT_VIRTIO_COUNT);

	for (int i = 0; i < n; i++)
		if (id && bd[i]->id && !strcmp(bd[i]->id, id))
			return bd[i];
	return NULL;
}

void machine_disks_drain(struct machine *m)
{
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		const struct virtio_dev_ops *o = &m->vio[i].ops;

		if (o->device_id && o->drain)
			o->drain(m->vio[i].dev);
	}
}

int machine_disks_flush(struct machine *m, char *err, size_t errlen)
{
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		const struct virtio_dev_ops *o = &m->vio[i].ops;

		if (o->device_id && o->flush && o->flush(m->vio[i].dev, err, errlen))
			return -1;
	}
	return 0;
}

int machine_disks_reopen(struct machine *m, char *err, size_t errlen)
{
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		const struct virtio_dev_ops *o = &m->vio[i].ops;

		if (o->device_id && o->reopen && o->reopen(m->vio[i].dev, err, errlen))
			return -1;
	}
	return 0;
}
