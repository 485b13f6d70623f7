/*
 * config.c - describing a machine for the migration handshake and checking
 * a source's description against this machine (see config.h).
 */
#include "migration/config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "devices/virtio_blk.h"

static const char *kind_name(const struct machine *m, int i)
{
	if (!m->vio[i].ops.device_id)
		return "empty";
	switch (m->slot_kind[i]) {
	case DEVICE_VIRTIO_BLK: return "virtio-blk";
	case DEVICE_VIRTIO_RNG: return "virtio-rng";
	case DEVICE_VIRTIO_NET: return "virtio-net";
	}
	return "unknown";
}

json_t *mig_config_describe(struct machine *m)
{
	json_t *o, *slots;

	o = json_pack("{s:i, s:s, s:I, s:I, s:I, s:b, s:I}", "protocol", MIG_PROTOCOL_VERSION,
		      "board", "riscv64-virt", "ram-size", (json_int_t)m->ram.size,
		      "rom-size", (json_int_t)m->rom.size, "misa", (json_int_t)(HART_MISA & INT64_MAX),
		      "plic", m->has_plic, "htif-page", (json_int_t)m->overlay_ppn);
	slots = json_array();
	if (!o || !slots || json_object_set_new(o, "slots", slots)) {
		json_decref(o);
		return NULL;
	}
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		const struct virtio_mmio *t = &m->vio[i];
		json_t *s = json_pack("{s:s, s:I, s:I, s:i, s:i}", "device", kind_name(m, i),
				      "device-id", (json_int_t)t->ops.device_id,
				      "features", (json_int_t)(t->ops.features & INT64_MAX),
				      "queues", t->ops.num_queues, "queue-max", (int)t->ops.queue_max);
		if (s && t->ops.device_id && m->slot_kind[i] == DEVICE_VIRTIO_BLK) {
			const struct virtio_blk *b = m->slot_dev[i];
			json_object_set_new(s, "sectors", json_integer((json_int_t)b->capacity));
			json_object_set_new(s, "readonly", json_boolean(b->readonly));
		}
		if (!s || json_array_append_new(slots, s)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* Compare one member; fills err and returns -1 on a difference. */
static int same(json_t *src, json_t *dst, const char *key, const char *what,
		char *err, size_t errlen)
{
	json_t *a = json_object_get(src, key), *b = json_object_get(dst, key);
	char *as, *bs;

	if (a && b && json_equal(a, b))
		return 0;
	as = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	bs = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	if (!strcmp(key, "ram-size") && json_is_integer(a) && json_is_integer(b))
		snprintf(err, errlen, "%s differs: source %" PRId64 " MiB, destination %" PRId64 " MiB",
			 what, (int64_t)(json_integer_value(a) >> 20),
			 (int64_t)(json_integer_value(b) >> 20));
	else
		snprintf(err, errlen, "%s differs: source %s, destination %s", what,
			 as ? as : "(missing)", bs ? bs : "(missing)");
	free(as);
	free(bs);
	return -1;
}

int mig_config_check(struct machine *m, json_t *src, char *err, size_t errlen)
{
	static const char *const top[][2] = {
		{ "protocol", "protocol version" }, { "board", "board" },
		{ "ram-size", "RAM size" }, { "rom-size", "boot ROM size" },
		{ "misa", "CPU features (misa)" }, { "plic", "interrupt controller" },
		{ "htif-page", "HTIF tohost page" },
	};
	static const char *const slot_keys[] = { "device", "device-id", "features", "queues",
						 "queue-max", "sectors", "readonly" };
	json_t *dst = mig_config_describe(m), *ss, *ds;
	int r = -1;

	if (!dst) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (!json_is_object(src)) {
		snprintf(err, errlen, "the source sent no machine description");
		goto out;
	}
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (same(src, dst, top[i][0], top[i][1], err, errlen))
			goto out;
	ss = json_object_get(src, "slots");
	ds = json_object_get(dst, "slots");
	if (!json_is_array(ss) || json_array_size(ss) != json_array_size(ds)) {
		snprintf(err, errlen, "virtio slot count differs");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(ds); i++) {
		char what[64];
		json_t *a = json_array_get(ss, i), *b = json_array_get(ds, i);
		for (size_t k = 0; k < sizeof(slot_keys) / sizeof(slot_keys[0]); k++) {
			if (!json_object_get(a, slot_keys[k]) && !json_object_get(b, slot_keys[k]))
				continue;
			snprintf(what, sizeof(what), "virtio slot %zu %s", i, slot_keys[k]);
			if (same(a, b, slot_keys[k], what, err, errlen))
				goto out;
		}
	}
	r = 0;
out:
	json_decref(dst);
	return r;
}
