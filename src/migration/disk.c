/*
 * disk.c - the VM's disks over the migration stream: the source's rounds
 * (allocated extents first, dirty blocks after) and the destination's
 * checks and writes. The wire format and the invariants are in disk.h.
 *
 * The source reads its images with blk_image_read on the migration thread
 * while the drive's workers keep serving the guest; it never writes them.
 * A block's dirty bit is taken before the block is read, so a guest write
 * racing the read marks it again. The destination trusts nothing in a
 * section before all of its header fields have been checked against its
 * own drive and the record's tag has passed.
 */
#include "migration/disk.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *drive_name(const struct blockdev *bd)
{
	return bd->id ? bd->id : "(unnamed)";
}

/* ---- source --------------------------------------------------------- */

int disk_sender_init(struct disk_sender *s, struct machine *m, struct mig_chan *ch)
{
	memset(s, 0, sizeof(*s));
	s->ch = ch;
	s->n = machine_disk_list(m, s->bd, MIG_DISK_MAX);
	if (posix_memalign((void **)&s->buf, 4096, MIG_DISK_CHUNK)) {
		s->buf = NULL;
		goto oom;
	}
	for (int i = 0; i < s->n; i++) {
		s->dirty[i] = blk_dirty_new(s->bd[i]->size, MIG_DISK_DIRTY_GRAN);
		if (!s->dirty[i])
			goto oom;
		s->total += s->bd[i]->size;
	}
	/* only now, all or none: a write from here on is seen by round 2 */
	for (int i = 0; i < s->n; i++)
		blockdev_dirty_attach(s->bd[i], s->dirty[i]);
	s->scanning = true;
	return 0;
oom:
	for (int i = 0; i < s->n; i++) {
		blk_dirty_free(s->dirty[i]);
		s->dirty[i] = NULL;
	}
	s->n = 0;
	snprintf(ch->err, sizeof(ch->err), "out of memory");
	return -1;
}

void disk_sender_destroy(struct disk_sender *s)
{
	for (int i = 0; i < s->n; i++) {
		if (!s->dirty[i])
			continue;
		blockdev_dirty_detach(s->bd[i], s->dirty[i]);
		blk_dirty_free(s->dirty[i]);
		s->dirty[i] = NULL;
	}
	free(s->buf);
	s->buf = NULL;
}

/* Keep the average rate at or below max_bw (the same rule as RAM's). */
static int pace(struct disk_sender *s)
{
	uint64_t sent, due_ns, t;

	if (!s->max_bw)
		return 0;
	t = now_ns();
	if (!s->bw_start_ns || t - s->bw_start_ns > 1000000000ull) {
		s->bw_start_ns = t;
		s->bw_start_bytes = s->ch->bytes_sent;
		return 0;
	}
	sent = s->ch->bytes_sent - s->bw_start_bytes;
	due_ns = (uint64_t)((double)sent * 1e9 / (double)s->max_bw);
	while (t - s->bw_start_ns < due_ns) {
		uint64_t left = due_ns - (t - s->bw_start_ns);
		struct timespec ts;

		if (s->ch->cancel && *s->ch->cancel)
			return -1;
		if (left > 50000000ull)
			left = 50000000ull;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
		t = now_ns();
	}
	return 0;
}

/* One section: a zero range (data NULL) or len bytes of data. */
static int send_section(struct disk_sender *s, int drive, uint64_t off, uint64_t len,
			const void *data)
{
	uint8_t hdr[MIG_DISK_HDR];
	uint32_t d = (uint32_t)drive, flags = data ? 0 : MIG_DISK_F_ZERO;
	uint64_t size = s->bd[drive]->size, before = s->ch->bytes_sent;
	struct iovec v[2] = { { hdr, sizeof(hdr) }, { (void *)data, data ? len : 0 } };

	memcpy(hdr, &d, 4); /* little-endian hosts only, as ram.c */
	memcpy(hdr + 4, &flags, 4);
	memcpy(hdr + 8, &off, 8);
	memcpy(hdr + 16, &len, 8);
	memcpy(hdr + 24, &size, 8);
	if (mig_send(s->ch, MIG_SEC_DISK, MIG_DISK_VERSION, v, data ? 2 : 1))
		return -1;
	s->bytes += s->ch->bytes_sent - before;
	s->sections++;
	if (data)
		s->data_bytes += len;
	else
		s->zero_bytes += len;
	if (s->progress)
		s->progress(s->progress_opaque);
	return pace(s);
}

/* Send [off, off+len) of the drive, read into buf already: all-zero
 * MIG_DISK_GRAN pieces go as zero ranges, runs of the others as data. */
static int send_buffer(struct disk_sender *s, int drive, uint64_t off, uint64_t len)
{
	uint64_t pos = 0;

	while (pos < len) {
		uint64_t n = len - pos < MIG_DISK_GRAN ? len - pos : MIG_DISK_GRAN;
		bool zero = blk_buf_is_zero(s->buf + pos, n);
		uint64_t end = pos + n;

		while (end < len) { /* extend the run while pieces are of the same kind */
			uint64_t k = len - end < MIG_DISK_GRAN ? len - end : MIG_DISK_GRAN;
			if (blk_buf_is_zero(s->buf + end, k) != zero)
				break;
			end += k;
		}
		if (send_section(s, drive, off + pos, end - pos, zero ? NULL : s->buf + pos))
			return -1;
		pos = end;
	}
	return 0;
}

static int read_chunk(struct disk_sender *s, int drive, uint64_t off, uint64_t len)
{
	struct blockdev *bd = s->bd[drive];
	ssize_t r = blk_image_read(bd->image, s->buf, (size_t)len, off);

	if (r != (ssize_t)len) {
		snprintf(s->ch->err, sizeof(s->ch->err),
			 "disk %s: read of %" PRIu64 " bytes at offset %" PRIu64 " failed: %s",
			 drive_name(bd), len, off, strerror(r < 0 ? (int)-r : EIO));
		return -1;
	}
	return 0;
}

/* Round 1 for one drive from s->scan_off: holes as zero ranges (never
 * read), data extents read a chunk at a time. */
static int scan_drive(struct disk_sender *s, int drive)
{
	struct blockdev *bd = s->bd[drive];

	while (s->scan_off < bd->size) {
		uint64_t off = s->scan_off, len = bd->size - off;
		bool data;
		int r = blk_image_extent(bd->image, off, &len, &data);

		if (r < 0 || len == 0 || len > bd->size - off) {
			snprintf(s->ch->err, sizeof(s->ch->err),
				 "disk %s: cannot map its extents at offset %" PRIu64 ": %s",
				 drive_name(bd), off, strerror(r < 0 ? -r : EIO));
			return -1;
		}
		if (!data) {
			if (len > MIG_DISK_ZERO_MAX)
				len = MIG_DISK_ZERO_MAX;
			if (send_section(s, drive, off, len, NULL))
				return -1;
		} else {
			if (len > MIG_DISK_CHUNK)
				len = MIG_DISK_CHUNK;
			if (read_chunk(s, drive, off, len) || send_buffer(s, drive, off, len))
				return -1;
		}
		s->scan_off = off + len;
	}
	return 0;
}

/* Later rounds for one drive: every dirty block, runs of up to a chunk.
 * One pass: the scan only moves forward. */
static int send_dirty(struct disk_sender *s, int drive)
{
	struct blk_dirty *d = s->dirty[drive];
	uint64_t per = MIG_DISK_CHUNK / d->gran, i = blk_dirty_next(d, 0);

	while (i < d->nbits) {
		uint64_t k = i, off, end;

		while (k < d->nbits && k - i < per && blk_dirty_take(d, k))
			k++;
		if (k == i) { /* taken by nobody else, but cleared meanwhile: go on */
			i = blk_dirty_next(d, i + 1);
			continue;
		}
		off = i * d->gran;
		end = k * d->gran < d->size ? k * d->gran : d->size;
		if (read_chunk(s, drive, off, end - off) || send_buffer(s, drive, off, end - off)) {
			/* the blocks were not sent: they stay dirty */
			blk_dirty_mark(d, off, end - off);
			return -1;
		}
		i = blk_dirty_next(d, k);
	}
	return 0;
}

int disk_send_round(struct disk_sender *s, bool first)
{
	if (first && s->scanning) {
		for (; s->scan_drive < s->n; s->scan_drive++, s->scan_off = 0)
			if (scan_drive(s, s->scan_drive))
				return -1;
		s->scanning = false;
		return 0;
	}
	for (int i = 0; i < s->n; i++)
		if (send_dirty(s, i))
			return -1;
	return 0;
}

uint64_t disk_sender_remaining(const struct disk_sender *s)
{
	uint64_t n = 0;

	for (int i = 0; i < s->n; i++) {
		n += blk_dirty_bytes(s->dirty[i]);
		if (s->scanning && i > s->scan_drive)
			n += s->bd[i]->size;
		else if (s->scanning && i == s->scan_drive)
			n += s->bd[i]->size - s->scan_off;
	}
	return n;
}

/* ---- destination ---------------------------------------------------- */

int disk_receiver_init(struct disk_receiver *r, struct machine *m, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->n = machine_disk_list(m, r->bd, MIG_DISK_MAX);
	for (int i = 0; i < r->n; i++)
		if (r->bd[i]->readonly) {
			snprintf(err, errlen, "disk %s is read-only here: a migration with its "
					      "disks (blk) must write it", drive_name(r->bd[i]));
			return -1;
		}
	if (posix_memalign((void **)&r->buf, 4096, MIG_DISK_CHUNK)) {
		r->buf = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void disk_receiver_destroy(struct disk_receiver *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Why the header of a DISK section of `length` payload bytes cannot be
 * taken, or NULL: every field against this side's drive. */
static const char *check_header(const struct disk_receiver *r, uint32_t length, uint32_t drive,
				uint32_t flags, uint64_t off, uint64_t len, uint64_t size,
				char *why, size_t n)
{
	const struct blockdev *bd;

	if (drive >= (uint32_t)r->n) {
		snprintf(why, n, "drive %u, but this side has %d", drive, r->n);
		return why;
	}
	bd = r->bd[drive];
	if (flags & ~MIG_DISK_F_ZERO)
		snprintf(why, n, "drive %u: unknown flags 0x%x", drive, flags);
	else if (size != bd->size)
		snprintf(why, n, "drive %u (%s): the source's image has %" PRIu64
			 " bytes, this one %" PRIu64, drive, drive_name(bd), size, bd->size);
	else if (!len || off % BLK_SECTOR || len % BLK_SECTOR)
		snprintf(why, n, "drive %u: offset %" PRIu64 " length %" PRIu64
			 " not whole sectors", drive, off, len);
	else if (off > bd->size || len > bd->size - off)
		snprintf(why, n, "drive %u: range %" PRIu64 "+%" PRIu64 " beyond the end (%" PRIu64
			 " bytes)", drive, off, len, bd->size);
	else if (flags & MIG_DISK_F_ZERO ? len > MIG_DISK_ZERO_MAX : len > MIG_DISK_CHUNK)
		snprintf(why, n, "drive %u: %s range of %" PRIu64 " bytes (limit %" PRIu64 ")",
			 drive, flags & MIG_DISK_F_ZERO ? "zero" : "data", len,
			 flags & MIG_DISK_F_ZERO ? (uint64_t)MIG_DISK_ZERO_MAX : (uint64_t)MIG_DISK_CHUNK);
	else if (length != MIG_DISK_HDR + (flags & MIG_DISK_F_ZERO ? 0 : len))
		snprintf(why, n, "drive %u: section of %u bytes for a %s range of %" PRIu64,
			 drive, length, flags & MIG_DISK_F_ZERO ? "zero" : "data", len);
	else
		return NULL;
	return why;
}

/* A zero range: skip it if it is a hole here already, else make it read
 * as zeros (punched where the file allows). */
static int write_zero(struct blockdev *bd, uint64_t off, uint64_t len)
{
	uint64_t n = len;
	bool data = true;

	if (blk_image_extent(bd->image, off, &n, &data) == 0 && !data && n >= len)
		return 0;
	return blk_image_zero(bd->image, off, len);
}

int disk_recv_section(struct disk_receiver *r, struct mig_chan *ch, const struct mig_hdr *h)
{
	uint8_t hdr[MIG_DISK_HDR];
	uint32_t drive, flags;
	uint64_t off, len, size;
	char why[200], msg[240];
	struct blockdev *bd;
	int rc;

	if (h->version != MIG_DISK_VERSION || h->length < MIG_DISK_HDR) {
		snprintf(msg, sizeof(msg), "stream corrupt: disk section version %u of %u bytes",
			 h->version, h->length);
		return mig_recv_reject(ch, h, 0, msg);
	}
	if (mig_recv_part(ch, hdr, sizeof(hdr)))
		return -1;
	memcpy(&drive, hdr, 4);
	memcpy(&flags, hdr + 4, 4);
	memcpy(&off, hdr + 8, 8);
	memcpy(&len, hdr + 16, 8);
	memcpy(&size, hdr + 24, 8);
	if (check_header(r, h->length, drive, flags, off, len, size, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "stream corrupt: disk section: %s", why);
		return mig_recv_reject(ch, h, sizeof(hdr), msg);
	}
	bd = r->bd[drive];
	if (!(flags & MIG_DISK_F_ZERO) && mig_recv_part(ch, r->buf, (size_t)len))
		return -1;
	if (mig_recv_done(ch, h))
		return -1; /* nothing was written */
	if (flags & MIG_DISK_F_ZERO) {
		rc = write_zero(bd, off, len);
		r->zero_bytes += len;
	} else {
		ssize_t w = blk_image_write(bd->image, r->buf, (size_t)len, off);
		rc = w == (ssize_t)len ? 0 : w < 0 ? (int)w : -EIO;
		r->data_bytes += len;
		if (!rc) /* the disk starts on it now: the flushes find less to do */
			blk_image_writeback(bd->image, off, len);
	}
	if (rc < 0) {
		snprintf(ch->err, sizeof(ch->err), "disk %s: writing %" PRIu64 " bytes at offset %"
			 PRIu64 " failed: %s", drive_name(bd), len, off, strerror(-rc));
		return -1;
	}
	r->sections++;
	return 0;
}

int disk_receiver_flush(struct disk_receiver *r, char *err, size_t errlen)
{
	for (int i = 0; i < r->n; i++) {
		int rc = blk_image_flush(r->bd[i]->image);

		if (rc < 0) {
			snprintf(err, errlen, "disk %s: fdatasync failed: %s", drive_name(r->bd[i]),
				 strerror(-rc));
			return -1;
		}
	}
	return 0;
}
