/*
 * slots.c - the board's eight virtio-mmio slots: puts each -device into a
 * slot (the first one into the highest slot, as QEMU does, so that Linux,
 * which probes the device tree from the top, names the first disk vda),
 * opens its backend, and leaves the other slots as empty transports
 * (DeviceID 0), which drivers skip.
 *
 * Invariant: every slot has a transport registered as MMIO; an occupied
 * slot's transport (vio[i].ops, vio[i].dev) owns its device: dev is
 * malloc'd here and freed after ops.destroy (an empty slot has DeviceID 0
 * and no dev). Nothing outside this file and the device's own needs to
 * know a slot's kind: the ops say everything else.
 */
#include "machine/machine.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct drive_config *find_drive(const struct machine_config *cfg,
				       const char *id)
{
	for (int i = 0; i < cfg->n_drives; i++)
		if (cfg->drives[i].id && !strcmp(cfg->drives[i].id, id))
			return (struct drive_config *)&cfg->drives[i];
	return NULL;
}

static int attach_blk(struct machine *m, struct virtio_mmio *t,
		      const struct machine_config *cfg, const struct device_config *dev)
{
	struct drive_config *drv = find_drive(cfg, dev->drive);
	struct virtio_blk *b = calloc(1, sizeof(*b));
	char err[256];
	struct blk_opts o;

	if (!b || !drv) {
		free(b);
		fprintf(stderr, "godwit-vmm: virtio-blk: drive '%s' not available\n", dev->drive);
		return -1;
	}
	o = (struct blk_opts){ .id = drv->id, .file = drv->file, .format = "raw",
			       .readonly = drv->readonly, .cache = (enum blk_cache)drv->cache,
			       .werror = (enum blk_err_policy)drv->werror,
			       .rerror = (enum blk_err_policy)drv->rerror };
	if (virtio_blk_init(b, t, m, &o, err, sizeof(err))) {
		fprintf(stderr, "godwit-vmm: %s\n", err);
		free(b);
		return -1;
	}
	return 0;
}

static int attach_rng(struct machine *m, struct virtio_mmio *t,
		      const struct machine_config *cfg, const struct device_config *dev)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));

	(void)cfg;
	(void)dev;
	if (!r)
		return -1;
	virtio_rng_init(r, t, m);
	return 0;
}

static int attach_net(struct machine *m, struct virtio_mmio *t,
		      const struct machine_config *cfg, const struct device_config *dev)
{
	const struct netdev_config *nc = NULL;
	struct virtio_net *n;
	struct netdev *nd;
	uint8_t mac[6];
	char err[256];
	int idx = 0;

	for (int i = 0; i < cfg->n_netdevs; i++)
		if (!strcmp(cfg->netdevs[i].id, dev->netdev))
			nc = &cfg->netdevs[i];
	if (!nc) {
		fprintf(stderr, "godwit-vmm: virtio-net: netdev '%s' not found\n", dev->netdev);
		return -1;
	}
	if (dev->mac) {
		if (virtio_net_parse_mac(dev->mac, mac, err, sizeof(err))) {
			fprintf(stderr, "godwit-vmm: -device: %s\n", err);
			return -1;
		}
	} else {
		/* QEMU: 52:54:00:12:34:56, +1 per NIC without mac= */
		for (const struct device_config *p = cfg->devices; p < dev; p++)
			idx += p->kind == DEVICE_VIRTIO_NET && !p->mac;
		virtio_net_default_mac(idx, mac);
	}
	if (netdev_open(nc, &nd, err, sizeof(err))) {
		fprintf(stderr, "godwit-vmm: -netdev %s: %s\n", nc->id, err);
		return -1;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		netdev_close(nd);
		return -1;
	}
	if (virtio_net_init(n, t, m, nd, mac, err, sizeof(err))) { /* closes nd */
		fprintf(stderr, "godwit-vmm: %s\n", err);
		free(n);
		return -1;
	}
	return 0;
}

/* How each -device kind is built. On success the device owns the slot:
 * t->ops describe it and t->dev is its malloc'd state; on failure the
 * slot stays empty. */
static int (*const attach_kind[])(struct machine *m, struct virtio_mmio *t,
				  const struct machine_config *cfg,
				  const struct device_config *dev) = {
	[DEVICE_VIRTIO_BLK] = attach_blk,
	[DEVICE_VIRTIO_RNG] = attach_rng,
	[DEVICE_VIRTIO_NET] = attach_net,
};

static int attach(struct machine *m, int slot, const struct machine_config *cfg,
		  const struct device_config *dev)
{
	if ((size_t)dev->kind >= sizeof(attach_kind) / sizeof(attach_kind[0]) ||
	    !attach_kind[dev->kind])
		return -1;
	return attach_kind[dev->kind](m, &m->vio[slot], cfg, dev);
}

int machine_slots_init(struct machine *m, const struct machine_config *cfg)
{
	if (cfg->n_devices > VIRT_VIRTIO_COUNT) {
		fprintf(stderr, "godwit-vmm: at most %d virtio devices\n", VIRT_VIRTIO_COUNT);
		return -1;
	}
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++)
		virtio_mmio_init(&m->vio[i], m, NULL, NULL);
	for (int k = 0; k < cfg->n_devices; k++)
		if (attach(m, VIRT_VIRTIO_COUNT - 1 - k, cfg, &cfg->devices[k]))
			return -1;
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		struct mmio_region r = {
			.base = VIRT_VIRTIO_BASE + (uint64_t)i * VIRT_VIRTIO_SIZE,
			.size = VIRT_VIRTIO_SIZE,
			.read = virtio_mmio_read,
			.write = virtio_mmio_write,
			.opaque = &m->vio[i],
			.name = "virtio-mmio",
			/* a notify may give a backend room: poll it again */
			.wakes_io = m->vio[i].ops.device_id != 0,
		};
		m->vio[i].set_irq = plic_set_irq;
		m->vio[i].irq_opaque = &m->plic;
		m->vio[i].irq = VIRT_VIRTIO_IRQ + i;
		if (machine_add_mmio(m, &r))
			return -1;
	}
	return 0;
}

void machine_slots_destroy(struct machine *m)
{
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		struct virtio_mmio *t = &m->vio[i];

		if (!t->ops.device_id)
			continue;
		if (t->ops.destroy)
			t->ops.destroy(t->dev);
		free(t->dev);
		t->dev = NULL;
		memset(&t->ops, 0, sizeof(t->ops)); /* now an empty slot */
	}
}
