/*
 * commands.c - the VMM's own QMP commands: migrate, migrate-incoming,
 * migrate_cancel, query-migrate, migrate-set-parameters,
 * query-migrate-parameters, migrate-set-capabilities,
 * query-migrate-capabilities and pmemsave, with QEMU 7.2's argument names
 * and reply shapes so that QEMU tooling drives godwit-vmm unchanged; and
 * godwit's own: the migration key (x-godwit-key, x-godwit-plain) and
 * x-godwit-migrate-resolve {"runs-on": "destination" | "source"} for a
 * source whose migration outcome is unresolved. The disks' commands
 * (drive-mirror, block jobs, query-block) are in block.c.
 *
 * Invariants: arguments are checked completely (types, ranges, unknown
 * members) before anything changes; every failure is one GenericError
 * line; nothing here blocks the run loop except pmemsave's file write.
 */
#include "vmm/commands.h"
#include "vmm/block.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *const vmm_extra_commands[] = {
	"migrate", "migrate-incoming", "migrate_cancel", "query-migrate",
	"migrate-set-parameters", "query-migrate-parameters",
	"migrate-set-capabilities", "query-migrate-capabilities", "pmemsave",
	"x-godwit-migrate-resolve",
	/* block.c */
	"drive-mirror", "query-block-jobs", "block-job-complete", "block-job-cancel",
	"block-job-set-speed", "query-block", "x-godwit-block-fault", NULL,
};

/* Every member of args must be one of the NULL-terminated keys. */
int vmm_args_only(json_t *args, const char *const *keys, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	json_object_foreach(args, k, v) {
		size_t i;
		for (i = 0; keys[i] && strcmp(keys[i], k); i++)
			;
		if (!keys[i]) {
			snprintf(err, errlen, "Parameter '%s' is unexpected", k);
			return -1;
		}
	}
	return 0;
}

static const char *str_arg(json_t *args, const char *key, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v) {
		snprintf(err, errlen, "Parameter '%s' is missing", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "Invalid parameter type for '%s', expected: string", key);
		return NULL;
	}
	return json_string_value(v);
}

/* Optional integer member in [lo, hi]: 0 (absent: *out unchanged) or -1. */
static int int_arg(json_t *args, const char *key, int64_t lo, int64_t hi, int64_t *out,
		   char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return 0;
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "Invalid parameter type for '%s', expected: integer", key);
		return -1;
	}
	if (json_integer_value(v) < lo || json_integer_value(v) > hi) {
		snprintf(err, errlen, "Parameter '%s' expects a value between %" PRId64 " and %" PRId64,
			 key, lo, hi);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

static int cmd_migrate(struct migration *mig, json_t *args, char *err, size_t errlen)
{
	static const char *const keys[] = { "uri", "blk", "inc", "detach", "resume", NULL };
	const char *uri;

	if (vmm_args_only(args, keys, err, errlen))
		return -1;
	uri = str_arg(args, "uri", err, errlen);
	if (!uri)
		return -1;
	if (json_object_get(args, "blk") && !json_is_boolean(json_object_get(args, "blk"))) {
		snprintf(err, errlen, "Invalid parameter type for 'blk', expected: boolean");
		return -1;
	}
	if (json_is_true(json_object_get(args, "inc"))) {
		snprintf(err, errlen, "Incremental block migration is not supported: use blk "
				      "(the destination's images are written whole)");
		return -1;
	}
	if (json_is_true(json_object_get(args, "resume"))) {
		snprintf(err, errlen, "Cannot resume: no paused post-copy migration");
		return -1;
	}
	if (vmm_block_busy(mig->m, err, errlen))
		return -1;
	return migration_start(mig, uri, json_is_true(json_object_get(args, "blk")), err, errlen);
}

static json_t *info_json(struct migration *mig)
{
	struct mig_info i;
	json_t *o, *ram;

	migration_get_info(mig, &i);
	if (i.status == MIG_NONE)
		return json_object();
	o = json_pack("{s:s}", "status", mig_status_name(i.status));
	if (!o)
		return NULL;
	if (i.incoming) {
		if (i.status == MIG_FAILED || i.status == MIG_CANCELLED)
			json_object_set_new(o, "error-desc", json_string(i.error));
		return o;
	}
	ram = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I}",
			"transferred", (json_int_t)i.transferred,
			"remaining", (json_int_t)i.remaining, "total", (json_int_t)i.total,
			"duplicate", (json_int_t)i.duplicate, "skipped", (json_int_t)0,
			"normal", (json_int_t)i.normal, "normal-bytes", (json_int_t)i.normal_bytes,
			"dirty-pages-rate", (json_int_t)i.dirty_pages_rate, "mbps", i.mbps,
			"dirty-sync-count", (json_int_t)i.dirty_sync_count,
			"page-size", (json_int_t)HART_PAGE_SIZE,
			"pages-per-second", (json_int_t)i.pages_per_second,
			"precopy-bytes", (json_int_t)i.transferred,
			"downtime-bytes", (json_int_t)i.downtime_bytes);
	if (ram)
		json_object_set_new(o, "ram", ram);
	if (i.blk) /* QEMU 7.2 with blk: the disks' share, as MigrationStats */
		json_object_set_new(o, "disk", json_pack("{s:I, s:I, s:I}",
			"transferred", (json_int_t)i.disk_transferred,
			"remaining", (json_int_t)i.disk_remaining,
			"total", (json_int_t)i.disk_total));
	json_object_set_new(o, "total-time", json_integer((json_int_t)i.total_ms));
	if (i.status == MIG_COMPLETED) {
		json_object_set_new(o, "downtime", json_integer((json_int_t)i.downtime_ms));
	} else {
		json_object_set_new(o, "expected-downtime",
				    json_integer((json_int_t)i.expected_downtime_ms));
	}
	if (i.status != MIG_SETUP)
		json_object_set_new(o, "setup-time", json_integer((json_int_t)i.setup_ms));
	if (i.throttle_pct)
		json_object_set_new(o, "cpu-throttle-percentage", json_integer(i.throttle_pct));
	if (i.status == MIG_FAILED || i.status == MIG_CANCELLED || i.status == MIG_UNRESOLVED ||
	    (i.status == MIG_COMPLETED && i.error[0]))
		json_object_set_new(o, "error-desc", json_string(i.error));
	return o;
}

static int cmd_set_parameters(struct migration *mig, json_t *args, char *err, size_t errlen)
{
	static const char *const keys[] = { "downtime-limit", "max-bandwidth", "x-godwit-deadline",
					    "cpu-throttle-initial", "cpu-throttle-increment",
					    "max-cpu-throttle", "x-godwit-key", "x-godwit-plain",
					    NULL };
	json_t *key = json_object_get(args, "x-godwit-key");
	json_t *plain = json_object_get(args, "x-godwit-plain");
	struct mig_params p;
	int64_t dl, bw, dead, ti, tinc, tmax;
	int rc;

	if (vmm_args_only(args, keys, err, errlen))
		return -1;
	if (key && !json_is_string(key) && !json_is_null(key)) {
		snprintf(err, errlen, "Invalid parameter type for 'x-godwit-key', expected: string");
		return -1;
	}
	if (plain && !json_is_boolean(plain)) {
		snprintf(err, errlen, "Invalid parameter type for 'x-godwit-plain', expected: boolean");
		return -1;
	}
	migration_get_params(mig, &p);
	dl = (int64_t)p.downtime_limit_ms;
	bw = (int64_t)p.max_bandwidth;
	dead = (int64_t)p.deadline_ms;
	ti = p.throttle_initial;
	tinc = p.throttle_increment;
	tmax = p.throttle_max;
	if (int_arg(args, "downtime-limit", 0, 2000000, &dl, err, errlen) ||
	    int_arg(args, "max-bandwidth", 0, INT64_MAX, &bw, err, errlen) ||
	    int_arg(args, "x-godwit-deadline", 0, INT64_MAX / 1000000, &dead, err, errlen) ||
	    int_arg(args, "cpu-throttle-initial", 1, 99, &ti, err, errlen) ||
	    int_arg(args, "cpu-throttle-increment", 1, 99, &tinc, err, errlen) ||
	    int_arg(args, "max-cpu-throttle", 1, 99, &tmax, err, errlen))
		return -1;
	p.downtime_limit_ms = (uint64_t)dl;
	p.max_bandwidth = (uint64_t)bw;
	p.deadline_ms = (uint64_t)dead;
	p.throttle_initial = (int)ti;
	p.throttle_increment = (int)tinc;
	p.throttle_max = (int)tmax;
	if (key) {
		const char *hex = json_string_value(key); /* NULL for null: forget it */
		rc = migration_set_key(mig, hex, err, errlen);
		if (hex) /* the request keeps no copy of the key */
			explicit_bzero((char *)hex, strlen(hex));
		if (rc)
			return -1;
	}
	if (plain)
		migration_set_plain(mig, json_is_true(plain));
	migration_set_params(mig, &p);
	return 0;
}

static int cmd_resolve(struct migration *mig, json_t *args, char *err, size_t errlen)
{
	static const char *const keys[] = { "runs-on", NULL };
	const char *where;

	if (vmm_args_only(args, keys, err, errlen))
		return -1;
	where = str_arg(args, "runs-on", err, errlen);
	if (!where)
		return -1;
	if (strcmp(where, "destination") && strcmp(where, "source")) {
		snprintf(err, errlen, "Parameter 'runs-on' expects 'destination' or 'source'");
		return -1;
	}
	return migration_resolve(mig, !strcmp(where, "destination"), err, errlen);
}

static json_t *params_json(struct migration *mig)
{
	struct mig_params p;
	bool key, plain;

	migration_get_params(mig, &p);
	migration_key_state(mig, &key, &plain);
	return json_pack("{s:I, s:I, s:I, s:i, s:i, s:i, s:b, s:b}",
			 "downtime-limit", (json_int_t)p.downtime_limit_ms,
			 "max-bandwidth", (json_int_t)p.max_bandwidth,
			 "x-godwit-deadline", (json_int_t)p.deadline_ms,
			 "cpu-throttle-initial", p.throttle_initial,
			 "cpu-throttle-increment", p.throttle_increment,
			 "max-cpu-throttle", p.throttle_max,
			 "x-godwit-key-set", key, "x-godwit-plain", plain);
}

/* Capabilities godwit knows: auto-converge acts; the others are QEMU's and
 * may only be set to false (a tool turning them off works unchanged). */
static const char *const known_caps[] = {
	"auto-converge", "xbzrle", "rdma-pin-all", "zero-blocks", "compress", "events",
	"postcopy-ram", "x-colo", "release-ram", "block", "return-path",
	"pause-before-switchover", "multifd", "dirty-bitmaps", "postcopy-blocktime",
	"late-block-activate", "x-ignore-shared", "validate-uuid", "background-snapshot",
	"zero-copy-send", "postcopy-preempt", NULL,
};

static int cmd_set_capabilities(struct migration *mig, json_t *args, char *err, size_t errlen)
{
	static const char *const keys[] = { "capabilities", NULL };
	json_t *caps = json_object_get(args, "capabilities"), *c;
	struct mig_params p;
	size_t i;

	if (vmm_args_only(args, keys, err, errlen))
		return -1;
	if (!json_is_array(caps)) {
		snprintf(err, errlen, "Invalid parameter type for 'capabilities', expected: array");
		return -1;
	}
	migration_get_params(mig, &p);
	json_array_foreach(caps, i, c) {
		const char *name = json_string_value(json_object_get(c, "capability"));
		json_t *state = json_object_get(c, "state");
		size_t k;

		if (!json_is_object(c) || !name || !json_is_boolean(state) || json_object_size(c) != 2) {
			snprintf(err, errlen, "Invalid parameter 'capabilities[%zu]': expected "
					      "{\"capability\": NAME, \"state\": BOOL}", i);
			return -1;
		}
		for (k = 0; known_caps[k] && strcmp(known_caps[k], name); k++)
			;
		if (!known_caps[k]) {
			snprintf(err, errlen, "Parameter 'capability' does not accept value '%s'", name);
			return -1;
		}
		if (!strcmp(name, "auto-converge"))
			p.auto_converge = json_is_true(state);
		else if (!strcmp(name, "events"))
			continue; /* events are always sent */
		else if (json_is_true(state)) {
			snprintf(err, errlen, "Capability '%s' is not supported by godwit", name);
			return -1;
		}
	}
	migration_set_params(mig, &p);
	return 0;
}

static json_t *caps_json(struct migration *mig)
{
	struct mig_params p;
	json_t *a = json_array();

	migration_get_params(mig, &p);
	for (size_t k = 0; known_caps[k]; k++) {
		bool on = !strcmp(known_caps[k], "auto-converge") ? p.auto_converge
			  : !strcmp(known_caps[k], "events");
		json_array_append_new(a, json_pack("{s:s, s:b}", "capability", known_caps[k],
						   "state", on));
	}
	return a;
}

static int cmd_pmemsave(struct machine *m, json_t *args, char *err, size_t errlen)
{
	static const char *const keys[] = { "val", "size", "filename", NULL };
	int64_t val = -1, size = -1;
	const char *file;
	struct mem_range *r;
	const uint8_t *p;
	int fd;

	if (vmm_args_only(args, keys, err, errlen) ||
	    int_arg(args, "val", 0, INT64_MAX, &val, err, errlen) ||
	    int_arg(args, "size", 0, INT64_MAX, &size, err, errlen))
		return -1;
	file = str_arg(args, "filename", err, errlen);
	if (!file)
		return -1;
	if (val < 0 || size < 0) {
		snprintf(err, errlen, "Parameter '%s' is missing", val < 0 ? "val" : "size");
		return -1;
	}
	r = machine_range(m, (uint64_t)val);
	if (!r || (uint64_t)size > r->base + r->size - (uint64_t)val) {
		snprintf(err, errlen, "Invalid parameter 'val': 0x%" PRIx64 "+%" PRId64
				      " is not inside guest RAM or ROM", val, size);
		return -1;
	}
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "Could not open '%s': %s", file, strerror(errno));
		return -1;
	}
	p = r->host + ((uint64_t)val - r->base);
	while (size > 0) {
		ssize_t w = write(fd, p, (size_t)size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "writing '%s' failed: %s", file, strerror(errno));
			close(fd);
			return -1;
		}
		p += w;
		size -= w;
	}
	if (close(fd)) {
		snprintf(err, errlen, "writing '%s' failed: %s", file, strerror(errno));
		return -1;
	}
	return 0;
}

int vmm_command(struct machine *m, struct migration *mig, const char *name,
		json_t *args, json_t **ret, char *err, size_t errlen)
{
	static const char *const none[] = { NULL };
	static const char *const uri_only[] = { "uri", NULL };
	const char *uri;
	int r;

	*ret = NULL;
	r = vmm_block_command(m, name, args, migration_cont_refusal(mig) != NULL, ret, err,
			      errlen);
	if (r != 1)
		return r;
	if (!strcmp(name, "migrate"))
		return cmd_migrate(mig, args, err, errlen);
	if (!strcmp(name, "migrate-incoming")) {
		if (vmm_args_only(args, uri_only, err, errlen))
			return -1;
		uri = str_arg(args, "uri", err, errlen);
		return uri ? migration_incoming(mig, uri, err, errlen) : -1;
	}
	if (!strcmp(name, "migrate-set-parameters"))
		return cmd_set_parameters(mig, args, err, errlen);
	if (!strcmp(name, "migrate-set-capabilities"))
		return cmd_set_capabilities(mig, args, err, errlen);
	if (!strcmp(name, "pmemsave"))
		return cmd_pmemsave(m, args, err, errlen);
	if (!strcmp(name, "x-godwit-migrate-resolve"))
		return cmd_resolve(mig, args, err, errlen);
	if (vmm_args_only(args, none, err, errlen))
		return -1;
	if (!strcmp(name, "migrate_cancel"))
		return migration_cancel(mig, err, errlen);
	if (!strcmp(name, "query-migrate"))
		*ret = info_json(mig);
	else if (!strcmp(name, "query-migrate-parameters"))
		*ret = params_json(mig);
	else if (!strcmp(name, "query-migrate-capabilities"))
		*ret = caps_json(mig);
	else {
		snprintf(err, errlen, "The command %s has not been found", name);
		return -1;
	}
	if (!*ret) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
