/*
 * config.c - describing a machine for the migration handshake and checking
 * a source's description against this machine (see config.h).
 */
#include "migration/config.h"

#include <inttypes.h>

#include "block/blockdev.h"
#include <stdio.h>
#include <string.h>

/* One slot: the transport's view of its device, plus the facts of its
 * backend the destination must match (ops.describe). */
static json_t *describe_slot(const struct virtio_mmio *t)
{
	struct virtio_dev_fact f[VIRTIO_DEV_MAX_FACTS];
	int n = 0;
	json_t *s;

	s = json_pack("{s:s, s:I, s:I, s:i, s:i}", "device", t->ops.device_id ? t->ops.name : "empty",
		      "device-id", (json_int_t)t->ops.device_id,
		      "features", (json_int_t)(t->ops.features & INT64_MAX),
		      "queues", t->ops.num_queues, "queue-max", (int)t->ops.queue_max);
	if (s && t->ops.device_id && t->ops.describe)
		n = t->ops.describe(t->dev, f, VIRTIO_DEV_MAX_FACTS);
	for (int i = 0; s && i < n; i++) {
		json_t *v = f[i].boolean ? json_boolean(f[i].value)
					 : json_integer((json_int_t)f[i].value);

		if (json_object_set_new(s, f[i].key, v)) {
			json_decref(s);
			s = NULL;
		}
	}
	return s;
}

/* The drives, in machine_disk_list order: what a migration with its disks
 * (blk) writes on the destination. */
static json_t *describe_disks(struct machine *m)
{
	struct blockdev *bd[VIRT_VIRTIO_COUNT];
	int n = machine_disk_list(m, bd, VIRT_VIRTIO_COUNT);
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++) {
		json_t *d = json_pack("{s:s, s:I, s:b}", "id", bd[i]->id ? bd[i]->id : "",
				      "size", (json_int_t)bd[i]->size, "readonly", bd[i]->readonly);

		if (!d || json_array_append_new(a, d)) {
			json_decref(d);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *mig_config_describe(struct machine *m, bool blk)
{
	json_t *o, *slots;

	o = json_pack("{s:i, s:s, s:i, s:I, s:I, s:I, s:b, s:I}", "protocol", MIG_PROTOCOL_VERSION,
		      "board", "riscv64-virt", "harts", m->n_harts, "ram-size", (json_int_t)m->ram.size,
		      "rom-size", (json_int_t)m->rom.size, "misa", (json_int_t)(HART_MISA & INT64_MAX),
		      "plic", m->has_plic, "htif-page", (json_int_t)m->overlay_ppn);
	if (o && (json_object_set_new(o, "blk", json_boolean(blk)) ||
		  (blk && json_object_set_new(o, "disks", describe_disks(m))))) {
		json_decref(o);
		return NULL;
	}
	slots = json_array();
	if (!o || !slots || json_object_set_new(o, "slots", slots)) {
		json_decref(o);
		return NULL;
	}
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		json_t *s = describe_slot(&m->vio[i]);

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

static bool listed(const char *key, const char *const *keys, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(key, keys[k]))
			return true;
	return false;
}

/* Two descriptions of slot i: the usual members in a fixed order (a stable
 * message), then any other fact either side's device describes. */
static int same_slot(json_t *a, json_t *b, size_t i, char *err, size_t errlen)
{
	static const char *const keys[] = { "device", "device-id", "features", "queues",
					    "queue-max", "sectors", "readonly" };
	const size_t nk = sizeof(keys) / sizeof(keys[0]);
	json_t *sides[2] = { a, b }, *v;
	const char *key;
	char what[96];

	for (size_t k = 0; k < nk; k++) {
		if (!json_object_get(a, keys[k]) && !json_object_get(b, keys[k]))
			continue;
		snprintf(what, sizeof(what), "virtio slot %zu %s", i, keys[k]);
		if (same(a, b, keys[k], what, err, errlen))
			return -1;
	}
	for (int s = 0; s < 2; s++) {
		json_object_foreach(sides[s], key, v) {
			if (listed(key, keys, nk))
				continue;
			snprintf(what, sizeof(what), "virtio slot %zu %.40s", i, key);
			if (same(a, b, key, what, err, errlen))
				return -1;
		}
	}
	return 0;
}

/* blk: the source's drives against this side's, which must be there, of
 * the same size, and writable. */
static int check_disks(json_t *src, json_t *dst, char *err, size_t errlen)
{
	json_t *sd = json_object_get(src, "disks"), *dd = json_object_get(dst, "disks");

	if (!json_is_array(sd) || !json_is_array(dd)) {
		snprintf(err, errlen, "the source asks to send its disks (blk) but lists none");
		return -1;
	}
	for (size_t i = 0; i < json_array_size(sd); i++) {
		json_t *a = json_array_get(sd, i), *b = json_array_get(dd, i);
		const char *id = json_string_value(json_object_get(a, "id"));
		json_int_t as = json_integer_value(json_object_get(a, "size"));

		if (!b) {
			snprintf(err, errlen, "the source sends disk %zu (%.40s) with the VM (blk), "
					      "this side has no such drive", i, id ? id : "?");
			return -1;
		}
		if (as != json_integer_value(json_object_get(b, "size"))) {
			snprintf(err, errlen, "disk %zu (%.40s) size differs: source %lld bytes, "
					      "destination %lld bytes", i, id ? id : "?", (long long)as,
				 (long long)json_integer_value(json_object_get(b, "size")));
			return -1;
		}
		if (json_is_true(json_object_get(b, "readonly"))) {
			snprintf(err, errlen, "disk %zu (%.40s) is read-only on the destination: a "
					      "migration with its disks (blk) must write it", i, id ? id : "?");
			return -1;
		}
	}
	if (json_array_size(dd) != json_array_size(sd)) {
		snprintf(err, errlen, "disk count differs: source %zu, destination %zu",
			 json_array_size(sd), json_array_size(dd));
		return -1;
	}
	return 0;
}

int mig_config_check(struct machine *m, json_t *src, char *err, size_t errlen)
{
	static const char *const top[][2] = {
		{ "protocol", "protocol version" }, { "board", "board" },
		{ "harts", "number of harts (-smp)" }, { "ram-size", "RAM size" }, { "rom-size", "boot ROM size" },
		{ "misa", "CPU features (misa)" }, { "plic", "interrupt controller" },
		{ "htif-page", "HTIF tohost page" },
	};
	json_t *dst, *ss, *ds, *blk = json_object_get(src, "blk");
	int r = -1;

	if (!json_is_object(src)) {
		snprintf(err, errlen, "the source sent no machine description");
		return -1;
	}
	if (blk && !json_is_boolean(blk)) {
		snprintf(err, errlen, "the source's blk is not a boolean");
		return -1;
	}
	dst = mig_config_describe(m, json_is_true(blk));
	if (!dst) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (same(src, dst, top[i][0], top[i][1], err, errlen))
			goto out;
	if (json_is_true(blk) && check_disks(src, dst, err, errlen))
		goto out;
	ss = json_object_get(src, "slots");
	ds = json_object_get(dst, "slots");
	if (!json_is_array(ss) || json_array_size(ss) != json_array_size(ds)) {
		snprintf(err, errlen, "virtio slot count differs");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(ds); i++)
		if (same_slot(json_array_get(ss, i), json_array_get(ds, i), i, err, errlen))
			goto out;
	r = 0;
out:
	json_decref(dst);
	return r;
}
