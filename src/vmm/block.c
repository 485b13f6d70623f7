/*
 * block.c - the VMM's disks on QMP, with QEMU 7.2's names, arguments and
 * reply shapes: drive-mirror, query-block-jobs, block-job-complete,
 * block-job-cancel, block-job-set-speed, query-block; the events
 * BLOCK_JOB_READY / COMPLETED / CANCELLED / ERROR (posted by jobs on their
 * threads, sent here on the run loop) and BLOCK_IO_ERROR with the drive's
 * werror/rerror action: "stop" pauses the VM (run state io-error) and the
 * held requests are retried when it resumes. And godwit's own
 * x-godwit-block-fault {"file", "operation": "read"|"write"|"flush",
 * "errno": "EIO"|"ENOSPC", "delay-ms", "count"}, which makes the next
 * operations on an image file fail or wait (QEMU's blkdebug, for tests).
 *
 * Invariants: arguments are checked completely before anything starts;
 * everything here runs on the run-loop thread; a job never outlives the
 * VMM's drives (vmm_block_close() ends them first).
 */
#include "vmm/block.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "block/blockdev.h"
#include "block/events.h"
#include "block/mirror.h"
#include "machine/machine.h"
#include "vmm/commands.h"
#include "vmm/qmp.h"

static struct qmp *events_to;
static bool io_error_stop; /* the VM is paused by a disk error (io-error) */

/* ---- events --------------------------------------------------------------- */

static void emit(void *opaque, const char *name, json_t *data)
{
	(void)opaque;
	if (events_to)
		qmp_event(events_to, name, data);
	else
		json_decref(data);
}

static int events_fill(void *opaque, struct pollfd *fds, int max)
{
	(void)opaque;
	if (max < 1 || blk_events_fd() < 0)
		return 0;
	fds[0].fd = blk_events_fd();
	fds[0].events = POLLIN;
	return 1;
}

static void events_dispatch(void *opaque, const struct pollfd *fds, int n)
{
	(void)opaque;
	if (n < 1 || !(fds[0].revents & POLLIN))
		return;
	blk_events_drain(emit, NULL);
	blk_mirror_reap();
}

static void io_error(void *opaque, struct blockdev *bd, const struct blk_req *r,
		     enum blk_err_action act)
{
	struct machine *m = opaque;
	static const char *const acts[] = { [BLK_ACT_REPORT] = "report",
					    [BLK_ACT_IGNORE] = "ignore",
					    [BLK_ACT_STOP] = "stop" };

	if (events_to)
		qmp_event(events_to, "BLOCK_IO_ERROR",
			  json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "device", bd->id,
				    "node-name", bd->id, "operation",
				    r->op == BLK_OP_READ ? "read" : "write", "action", acts[act],
				    "nospace", r->ret == -ENOSPC, "reason", strerror(-r->ret)));
	if (act == BLK_ACT_STOP && !m->paused) {
		fprintf(stderr, "godwit-vmm: %s: %s error (%s): VM paused until cont\n",
			bd->id, r->op == BLK_OP_READ ? "read" : "write", strerror(-r->ret));
		machine_set_paused(m, true);
		io_error_stop = true;
		if (events_to)
			qmp_event(events_to, "STOP", NULL);
	}
}

int vmm_block_open(struct machine *m, struct qmp *q)
{
	const struct machine_poll_src src = { events_fill, events_dispatch, NULL };
	struct blockdev *bd[VIRT_VIRTIO_COUNT];
	int n = machine_disk_list(m, bd, VIRT_VIRTIO_COUNT);

	events_to = q;
	for (int i = 0; i < n; i++)
		blockdev_set_error_hook(bd[i], io_error, m);
	if (blk_events_fd() < 0)
		return -1;
	return machine_poll_add(m, &src);
}

void vmm_block_close(void)
{
	blk_mirror_shutdown();
	blk_events_drain(emit, NULL);
	events_to = NULL;
}

bool vmm_block_io_error(void)
{
	return io_error_stop;
}

void vmm_block_resume(struct machine *m)
{
	struct blockdev *bd[VIRT_VIRTIO_COUNT];
	int n = machine_disk_list(m, bd, VIRT_VIRTIO_COUNT);

	io_error_stop = false;
	for (int i = 0; i < n; i++)
		blockdev_retry_held(bd[i]);
}

bool vmm_block_busy(struct machine *m, char *err, size_t errlen)
{
	struct blockdev *bd[VIRT_VIRTIO_COUNT];
	int n = machine_disk_list(m, bd, VIRT_VIRTIO_COUNT);

	for (int i = 0; i < n; i++)
		if (blk_mirror_busy(bd[i])) {
			snprintf(err, errlen, "a block job runs on drive '%s': complete or "
				 "cancel it first", bd[i]->id);
			return true;
		}
	if (io_error_stop) {
		snprintf(err, errlen, "the VM is paused on a disk error: fix the disk and "
			 "cont first");
		return true;
	}
	return false;
}

/* ---- argument helpers ------------------------------------------------------ */

/* A string member: its value, NULL when absent (*bad set if mistyped). */
static const char *opt_str(json_t *args, const char *key, bool *bad, char *err, size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "Invalid parameter type for '%s', expected: string", key);
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

static const char *req_str(json_t *args, const char *key, bool *bad, char *err, size_t errlen)
{
	const char *s = opt_str(args, key, bad, err, errlen);

	if (!s && !*bad) {
		snprintf(err, errlen, "Parameter '%s' is missing", key);
		*bad = true;
	}
	return s;
}

static uint64_t opt_u64(json_t *args, const char *key, uint64_t dflt, bool *bad, char *err,
			size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return dflt;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "Invalid parameter type for '%s', expected: integer", key);
		*bad = true;
		return dflt;
	}
	return (uint64_t)json_integer_value(v);
}

static bool opt_bool(json_t *args, const char *key, bool dflt, bool *bad, char *err,
		     size_t errlen)
{
	json_t *v = json_object_get(args, key);

	if (!v)
		return dflt;
	if (!json_is_boolean(v)) {
		snprintf(err, errlen, "Invalid parameter type for '%s', expected: boolean", key);
		*bad = true;
		return dflt;
	}
	return json_is_true(v);
}

/* ---- commands ------------------------------------------------------------------ */

static int cmd_drive_mirror(struct machine *m, json_t *args, bool migrating, char *err,
			    size_t errlen)
{
	static const char *const keys[] = {
		"device", "target", "format", "sync", "mode", "speed", "job-id",
		"granularity", "buf-size", "copy-mode", "on-source-error", "on-target-error",
		"unmap", "auto-finalize", "auto-dismiss", NULL,
	};
	struct blk_mirror_opts o = { 0 };
	const char *dev, *sync, *mode, *copy, *se, *te;
	struct blockdev *bd;
	bool bad = false;

	if (vmm_args_only(args, keys, err, errlen))
		return -1;
	dev = req_str(args, "device", &bad, err, errlen);
	o.target = bad ? NULL : req_str(args, "target", &bad, err, errlen);
	sync = bad ? NULL : req_str(args, "sync", &bad, err, errlen);
	o.format = bad ? NULL : opt_str(args, "format", &bad, err, errlen);
	mode = bad ? NULL : opt_str(args, "mode", &bad, err, errlen);
	o.job_id = bad ? NULL : opt_str(args, "job-id", &bad, err, errlen);
	copy = bad ? NULL : opt_str(args, "copy-mode", &bad, err, errlen);
	se = bad ? NULL : opt_str(args, "on-source-error", &bad, err, errlen);
	te = bad ? NULL : opt_str(args, "on-target-error", &bad, err, errlen);
	o.speed = bad ? 0 : opt_u64(args, "speed", 0, &bad, err, errlen);
	o.granularity = bad ? 0 : opt_u64(args, "granularity", 0, &bad, err, errlen);
	o.buf_size = bad ? 0 : opt_u64(args, "buf-size", 0, &bad, err, errlen);
	if (!bad)
		opt_bool(args, "unmap", true, &bad, err, errlen);
	if (!bad && (!opt_bool(args, "auto-finalize", true, &bad, err, errlen) ||
		     !opt_bool(args, "auto-dismiss", true, &bad, err, errlen)) && !bad) {
		snprintf(err, errlen, "auto-finalize and auto-dismiss must be true");
		return -1;
	}
	if (bad)
		return -1;
	if (strcmp(sync, "full") && strcmp(sync, "top")) {
		snprintf(err, errlen, "Parameter 'sync' does not accept value '%s' (full, top)",
			 sync);
		return -1;
	}
	if (mode && strcmp(mode, "absolute-paths") && strcmp(mode, "existing")) {
		snprintf(err, errlen, "Parameter 'mode' does not accept value '%s'", mode);
		return -1;
	}
	o.existing = mode && !strcmp(mode, "existing");
	if (copy && strcmp(copy, "background") && strcmp(copy, "write-blocking")) {
		snprintf(err, errlen, "Parameter 'copy-mode' does not accept value '%s'", copy);
		return -1;
	}
	o.write_blocking = copy && !strcmp(copy, "write-blocking");
	if ((se && strcmp(se, "report")) || (te && strcmp(te, "report"))) {
		snprintf(err, errlen, "on-source-error and on-target-error: only 'report' "
			 "is supported");
		return -1;
	}
	if (o.format && strcmp(o.format, "raw")) {
		snprintf(err, errlen, "Unknown driver '%s' (raw)", o.format);
		return -1;
	}
	if (!*o.target) {
		snprintf(err, errlen, "Parameter 'target' must not be empty");
		return -1;
	}
	bd = machine_disk_find(m, dev);
	if (!bd) {
		snprintf(err, errlen, "Cannot find device='%s' nor node-name='%s'", dev, dev);
		return -1;
	}
	if (!strcmp(bd->image->path, o.target)) {
		snprintf(err, errlen, "The target is the drive's own image");
		return -1;
	}
	if (migrating) {
		snprintf(err, errlen, "a migration is in progress");
		return -1;
	}
	return blk_mirror_start(bd, &o, err, errlen);
}

static const char *job_device(json_t *args, const char *const *keys, char *err, size_t errlen)
{
	bool bad = false;

	if (vmm_args_only(args, keys, err, errlen))
		return NULL;
	return req_str(args, "device", &bad, err, errlen);
}

static json_t *query_block(struct machine *m)
{
	struct blockdev *bd[VIRT_VIRTIO_COUNT];
	int n = machine_disk_list(m, bd, VIRT_VIRTIO_COUNT);
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++) {
		struct blk_image *im = bd[i]->image; /* swapped only under quiesce by a
						     * job, which holds no pointer for us */
		json_t *img = json_pack("{s:s, s:s, s:I, s:I}", "filename", im->path, "format",
					bd[i]->format, "virtual-size", (json_int_t)im->size,
					"actual-size", (json_int_t)blk_image_allocated(im));
		json_t *cache = json_pack("{s:b, s:b, s:b}", "writeback",
					  bd[i]->cache != BLK_CACHE_WRITETHROUGH &&
						  bd[i]->cache != BLK_CACHE_DIRECTSYNC,
					  "direct", (im->flags & BLK_IMG_DIRECT) != 0, "no-flush",
					  bd[i]->cache == BLK_CACHE_UNSAFE);
		json_t *ins = json_pack("{s:s, s:s, s:b, s:s, s:o, s:o, s:b, s:b}", "file",
					im->path, "node-name", bd[i]->id, "ro", bd[i]->readonly,
					"drv", bd[i]->format, "image", img, "cache", cache,
					"encrypted", 0, "backing_file_depth", 0);

		json_array_append_new(a, json_pack("{s:s, s:s, s:b, s:b, s:s, s:s, s:o}", "device",
						   bd[i]->id, "qdev", bd[i]->id, "locked", 0,
						   "removable", 0, "type", "unknown", "io-status",
						   blockdev_held(bd[i]) ? "failed" : "ok",
						   "inserted", ins));
	}
	return a;
}

static int cmd_fault(json_t *args, char *err, size_t errlen)
{
	static const char *const keys[] = { "file", "operation", "errno", "delay-ms", "count",
					    NULL };
	const char *file, *op, *en;
	bool bad = false;
	int kind, e;
	json_t *c;
	json_int_t count = 1;
	uint64_t delay;

	if (vmm_args_only(args, keys, err, errlen))
		return -1;
	file = req_str(args, "file", &bad, err, errlen);
	op = bad ? NULL : req_str(args, "operation", &bad, err, errlen);
	en = bad ? NULL : opt_str(args, "errno", &bad, err, errlen);
	delay = bad ? 0 : opt_u64(args, "delay-ms", 0, &bad, err, errlen);
	if (bad)
		return -1;
	if (delay > 600000) {
		snprintf(err, errlen, "'delay-ms' must be at most 600000");
		return -1;
	}
	c = json_object_get(args, "count");
	if (c && (!json_is_integer(c) || json_integer_value(c) < -1 ||
		  json_integer_value(c) > 1000000)) {
		snprintf(err, errlen, "'count' must be an integer from -1 (always) to 1000000");
		return -1;
	}
	if (c)
		count = json_integer_value(c);
	if (!strcmp(op, "read"))
		kind = BLK_FAULT_READ;
	else if (!strcmp(op, "write"))
		kind = BLK_FAULT_WRITE;
	else if (!strcmp(op, "flush"))
		kind = BLK_FAULT_FLUSH;
	else {
		snprintf(err, errlen, "'operation' must be read, write or flush");
		return -1;
	}
	if (!en && delay)
		e = 0; /* only slow */
	else if (!en || !strcmp(en, "EIO"))
		e = EIO;
	else if (!strcmp(en, "ENOSPC"))
		e = ENOSPC;
	else {
		snprintf(err, errlen, "'errno' must be EIO or ENOSPC");
		return -1;
	}
	if (blk_fault_set(file, kind, e, (unsigned)delay, (int)count)) {
		snprintf(err, errlen, "too many fault rules");
		return -1;
	}
	return 0;
}

int vmm_block_command(struct machine *m, const char *name, json_t *args, bool migrating,
		      json_t **ret, char *err, size_t errlen)
{
	static const char *const none[] = { NULL };
	static const char *const dev_only[] = { "device", NULL };
	static const char *const cancel_keys[] = { "device", "force", NULL };
	static const char *const speed_keys[] = { "device", "speed", NULL };
	const char *dev;
	bool bad = false;

	*ret = NULL;
	if (!strcmp(name, "drive-mirror"))
		return cmd_drive_mirror(m, args, migrating, err, errlen);
	if (!strcmp(name, "x-godwit-block-fault"))
		return cmd_fault(args, err, errlen);
	if (!strcmp(name, "block-job-complete")) {
		dev = job_device(args, dev_only, err, errlen);
		return dev ? blk_mirror_complete(dev, err, errlen) : -1;
	}
	if (!strcmp(name, "block-job-cancel")) {
		bool force;

		dev = job_device(args, cancel_keys, err, errlen);
		if (!dev)
			return -1;
		force = opt_bool(args, "force", false, &bad, err, errlen);
		return bad ? -1 : blk_mirror_cancel(dev, force, err, errlen);
	}
	if (!strcmp(name, "block-job-set-speed")) {
		uint64_t speed;

		dev = job_device(args, speed_keys, err, errlen);
		if (!dev)
			return -1;
		if (!json_object_get(args, "speed")) {
			snprintf(err, errlen, "Parameter 'speed' is missing");
			return -1;
		}
		speed = opt_u64(args, "speed", 0, &bad, err, errlen);
		return bad ? -1 : blk_mirror_set_speed(dev, speed, err, errlen);
	}
	if (strcmp(name, "query-block-jobs") && strcmp(name, "query-block"))
		return 1;
	if (vmm_args_only(args, none, err, errlen))
		return -1;
	if (!strcmp(name, "query-block-jobs"))
		*ret = blk_mirror_query();
	else if (!strcmp(name, "query-block"))
		*ret = query_block(m);
	else
		return 1;
	if (!*ret) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
