/*
 * virtio_blk.c - virtio block device over a raw image (see virtio_blk.h).
 *
 * A request is a descriptor chain: a 16-byte device-readable header
 * { le32 type; le32 reserved; le64 sector; }, then the data (readable for
 * OUT, writable for IN and GET_ID), then one writable status byte - the
 * last writable byte of the chain. Framing is free (ANY_LAYOUT is implied
 * by VERSION_1): the header and data may be split or merged across
 * descriptors in any way.
 */
#include "devices/virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "machine/machine.h"

#define BLK_HDR_SIZE 16
#define BLK_IOV_BATCH 64

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint64_t blk_config_read(void *dev, uint64_t off, int size)
{
	struct virtio_blk *b = dev;

	return virtio_config_read_buf(b->config, sizeof(b->config), off, size);
}

static bool range_ok(const struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	if (bytes % VIRTIO_BLK_SECTOR)
		return false;
	return sector <= b->capacity &&
	       bytes / VIRTIO_BLK_SECTOR <= b->capacity - sector;
}

/*
 * Move `len` bytes between the image at file offset `foff` and the
 * guest: into e's writable part from offset goff (to_guest), or from its
 * readable part. Returns the bytes moved before any error; *ok is false on
 * a host error or end of file.
 */
static uint64_t xfer(struct virtio_blk *b, const struct virtq_elem *e,
		     bool to_guest, uint64_t goff, uint64_t len, uint64_t foff,
		     bool *ok)
{
	struct iovec iov[BLK_IOV_BATCH];
	uint64_t done = 0;

	*ok = true;
	while (done < len) {
		uint64_t covered;
		ssize_t r;
		int n = virtq_elem_iov(e, to_guest, goff + done, len - done, iov,
				       BLK_IOV_BATCH, &covered);

		if (n == 0) {
			*ok = false;
			break;
		}
		if (to_guest)
			r = preadv(b->fd, iov, n, (off_t)(foff + done));
		else
			r = pwritev(b->fd, iov, n, (off_t)(foff + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			*ok = false; /* EIO, ENOSPC, ... or the file shrank */
			break;
		}
		done += (uint64_t)r;
	}
	return done;
}

/* Serve one request; false if it is malformed (no header or status). */
static bool serve(struct virtio_blk *b, struct virtq_elem *e, uint32_t *used_len)
{
	uint8_t hdr[BLK_HDR_SIZE];
	uint32_t type;
	uint64_t sector, data, done = 0;
	uint8_t status;
	bool ok;

	if (e->out_len < BLK_HDR_SIZE || e->in_len < 1)
		return false;
	virtq_elem_from_guest(e, 0, hdr, sizeof(hdr));
	memcpy(&type, hdr, 4);
	type = le32toh(type);
	memcpy(&sector, hdr + 8, 8);
	sector = le64toh(sector);
	data = e->in_len - 1; /* writable bytes before the status byte */

	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (!range_ok(b, sector, data)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		done = xfer(b, e, true, 0, data, sector * VIRTIO_BLK_SECTOR, &ok);
		virtq_elem_written(b->t->m, e, 0, done);
		status = ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_OUT:
		data = e->out_len - BLK_HDR_SIZE;
		if (b->readonly || !range_ok(b, sector, data)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		xfer(b, e, false, BLK_HDR_SIZE, data, sector * VIRTIO_BLK_SECTOR, &ok);
		status = ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = (b->readonly || fdatasync(b->fd) == 0) ? VIRTIO_BLK_S_OK
								: VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };

		memcpy(id, b->serial, strnlen(b->serial, sizeof(id)));
		done = virtq_elem_to_guest(b->t->m, e, 0, id,
					   data < sizeof(id) ? data : sizeof(id));
		status = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	virtq_elem_to_guest(b->t->m, e, e->in_len - 1, &status, 1);
	*used_len = done < UINT32_MAX ? (uint32_t)done + 1 : UINT32_MAX;
	return true;
}

static void blk_notify(void *dev, int q)
{
	struct virtio_blk *b = dev;

	while (virtio_mmio_pop(b->t, q, &b->elem) == VIRTQ_OK) {
		uint32_t len = 0;

		if (!serve(b, &b->elem, &len)) {
			virtio_mmio_queue_error(b->t, q);
			break;
		}
		virtio_mmio_push(b->t, q, &b->elem, len);
	}
	virtio_mmio_notify(b->t, q);
}

static int blk_flush_op(void *dev, char *err, size_t errlen)
{
	return virtio_blk_flush(dev, err, errlen);
}

static int blk_reopen_op(void *dev, char *err, size_t errlen)
{
	return virtio_blk_reopen(dev, err, errlen);
}

/* GODWIT_STATS: the VMM's own flushes and reopens of the image */
static void blk_print_stats(const void *dev, int slot)
{
	const struct virtio_blk *b = dev;

	fprintf(stderr, "godwit-vmm: blk slot %d: %llu host flushes, %llu reopens\n", slot,
		(unsigned long long)b->host_flushes, (unsigned long long)b->reopens);
}

static void blk_destroy(void *dev)
{
	virtio_blk_destroy(dev);
}

/* The destination's disk must have the same size and mode. */
static int blk_describe(const void *dev, struct virtio_dev_fact *f, int max)
{
	const struct virtio_blk *b = dev;

	if (max < 2)
		return 0;
	f[0] = (struct virtio_dev_fact){ "sectors", b->capacity, false };
	f[1] = (struct virtio_dev_fact){ "readonly", b->readonly, true };
	return 2;
}

int virtio_blk_init(struct virtio_blk *b, struct virtio_mmio *t,
		    struct machine *m, const char *path, bool readonly,
		    const char *serial, char *err, size_t errlen)
{
	struct virtio_dev_ops ops;
	struct stat st;
	off_t size;
	int fd;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->path = strdup(path);
	if (!b->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out_free;
	}
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s: not a regular file or block device", path);
		goto out_close;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % VIRTIO_BLK_SECTOR) {
		snprintf(err, errlen,
			 "%s: size %lld is not a non-zero multiple of %d bytes",
			 path, (long long)size, VIRTIO_BLK_SECTOR);
		goto out_close;
	}
	b->fd = fd;
	b->t = t;
	b->readonly = readonly;
	b->capacity = (uint64_t)size / VIRTIO_BLK_SECTOR;
	if (serial)
		snprintf(b->serial, sizeof(b->serial), "%s", serial);

	put64(b->config + 0, b->capacity);
	put32(b->config + 12, VIRTIO_BLK_QUEUE_MAX - 2); /* seg_max */
	put32(b->config + 20, VIRTIO_BLK_SECTOR);        /* blk_size */

	memset(&ops, 0, sizeof(ops));
	ops.name = "virtio-blk";
	ops.device_id = VIRTIO_ID_BLOCK;
	ops.features = (1ull << VIRTIO_BLK_F_SEG_MAX) |
		       (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		       (1ull << VIRTIO_BLK_F_FLUSH) |
		       (readonly ? 1ull << VIRTIO_BLK_F_RO : 0);
	ops.num_queues = 1;
	ops.queue_max = VIRTIO_BLK_QUEUE_MAX;
	ops.config_size = sizeof(b->config);
	ops.config_read = blk_config_read;
	ops.notify = blk_notify;
	ops.destroy = blk_destroy;
	ops.describe = blk_describe;
	ops.print_stats = blk_print_stats;
	ops.flush = blk_flush_op;
	ops.reopen = blk_reopen_op;
	virtio_mmio_init(t, m, &ops, b);
	return 0;
out_close:
	close(fd);
out_free:
	free(b->path);
	b->path = NULL;
	return -1;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	free(b->path);
	b->path = NULL;
}

/* ---- migration: the image on shared storage ---------------------------- */

int virtio_blk_flush(struct virtio_blk *b, char *err, size_t errlen)
{
	if (b->readonly)
		return 0;
	if (fdatasync(b->fd)) {
		snprintf(err, errlen, "%s: fdatasync: %s", b->path, strerror(errno));
		return -1;
	}
	b->host_flushes++;
	return 0;
}

int virtio_blk_reopen(struct virtio_blk *b, char *err, size_t errlen)
{
	struct stat st;
	off_t size;
	int fd;

	fd = open(b->path, (b->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: reopen: %s", b->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		snprintf(err, errlen, "%s: reopen: not a regular file or block device", b->path);
		goto out_close;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || (uint64_t)size != b->capacity * VIRTIO_BLK_SECTOR) {
		snprintf(err, errlen, "%s: reopen: size %lld, the device advertises %llu bytes",
			 b->path, (long long)size,
			 (unsigned long long)(b->capacity * VIRTIO_BLK_SECTOR));
		goto out_close;
	}
	close(b->fd);
	b->fd = fd;
	b->reopens++;
	return 0;
out_close:
	close(fd);
	return -1;
}
