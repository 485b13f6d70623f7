/*
 * disk.h - the VM's disks over the migration stream (shared-nothing
 * migration, `migrate {"blk": true}`): one more iterative source next to
 * RAM. The source sends every drive's allocated extents in round 1, the
 * blocks the guest wrote since in later rounds, and the last ones while
 * the VM is stopped; the destination writes them into its own images of
 * the same size.
 *
 * DISK section (MIG_SEC_DISK = 10), version 1, little-endian:
 *   u32 drive   index in the machine's drive list (machine_disk_list:
 *               slot order), the same on both sides (the handshake checked)
 *   u32 flags   MIG_DISK_F_ZERO: the range reads as zeros, no data
 *               follows; no other bit may be set
 *   u64 offset  bytes, a multiple of 512
 *   u64 length  bytes, a multiple of 512, > 0; at most MIG_DISK_CHUNK for
 *               data, MIG_DISK_ZERO_MAX for a zero range
 *   u64 size    the source drive's size in bytes: must equal the
 *               destination's
 *   data        length bytes unless MIG_DISK_F_ZERO
 * The section's length must be exactly 32 (+ length for data). The
 * receiver checks every field against its own drive before it writes a
 * byte, and writes only after the record's tag (or checksum) has passed.
 *
 * Source invariants: a dirty bitmap is attached to every drive before its
 * first byte is read, so a guest write that lands after a block was read
 * sets the block's bit again and the block is sent again in a later round
 * (a block's bit is cleared before the block is read). Holes of the
 * source image are sent as zero ranges (a few bytes each, never data) and
 * all-zero data as zero ranges; the destination punches or skips them, so
 * a sparse image stays sparse. Nothing is ever written to the source's
 * images. The destination writes only into images whose size equals the
 * source's, and never runs the VM before every section up to END has
 * arrived, been written and fdatasync'ed.
 */
#ifndef GODWIT_MIGRATION_DISK_H
#define GODWIT_MIGRATION_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/blockdev.h"
#include "machine/machine.h"
#include "migration/stream.h"

#define MIG_DISK_VERSION 1
#define MIG_DISK_HDR 32
#define MIG_DISK_CHUNK (1u << 20)          /* data bytes per section */
#define MIG_DISK_ZERO_MAX (1ull << 30)     /* bytes per zero range */
#define MIG_DISK_SECTION_MAX (MIG_DISK_HDR + MIG_DISK_CHUNK)
#define MIG_DISK_F_ZERO 1u
#define MIG_DISK_GRAN (64u * 1024)          /* zero test unit */
/* dirty block size: a guest's 4 KiB write re-sends 4 KiB, not 64 (the
 * bitmap of a 4 GiB disk is then 128 KiB) */
#define MIG_DISK_DIRTY_GRAN 4096u
#define MIG_DISK_MAX VIRT_VIRTIO_COUNT

struct disk_sender {
	struct mig_chan *ch;
	int n;
	struct blockdev *bd[MIG_DISK_MAX];
	struct blk_dirty *dirty[MIG_DISK_MAX];
	uint8_t *buf;                 /* MIG_DISK_CHUNK, page aligned */
	uint64_t max_bw;              /* bytes/s, 0: unlimited */
	uint64_t bw_start_ns, bw_start_bytes;
	/* round 1 walks the images: drive and offset reached so far */
	int scan_drive;
	uint64_t scan_off;
	bool scanning;
	/* counters: section bytes on the wire (headers included), bytes
	 * sent as data and as zero ranges, sections */
	uint64_t bytes, data_bytes, zero_bytes, sections, total;
	void (*progress)(void *opaque); /* after every section */
	void *progress_opaque;
};

/* Attach a dirty bitmap to each of m's drives. 0, or -1 + ch->err. */
int disk_sender_init(struct disk_sender *s, struct machine *m, struct mig_chan *ch);
/* Detach and free the bitmaps (any thread; the drives stay open). */
void disk_sender_destroy(struct disk_sender *s);
/* first: every allocated extent of every drive; else every block whose
 * dirty bit is set (taken before it is read). 0 or -1 (ch->err). */
int disk_send_round(struct disk_sender *s, bool first);
/* Bytes still to send: dirty blocks, plus what round 1 has not reached. */
uint64_t disk_sender_remaining(const struct disk_sender *s);

struct disk_receiver {
	int n;
	struct blockdev *bd[MIG_DISK_MAX];
	uint8_t *buf;                 /* MIG_DISK_CHUNK, page aligned */
	uint64_t sections, data_bytes, zero_bytes;
};

/* m's drives as the destination of a shared-nothing migration: each must
 * be writable. 0, or -1 with a reason in err. */
int disk_receiver_init(struct disk_receiver *r, struct machine *m, char *err, size_t errlen);
void disk_receiver_destroy(struct disk_receiver *r);
/* Read, check and write DISK section h. 0 or -1 (reason in ch->err). */
int disk_recv_section(struct disk_receiver *r, struct mig_chan *ch, const struct mig_hdr *h);
/* fdatasync every image. 0, or -1 + err. */
int disk_receiver_flush(struct disk_receiver *r, char *err, size_t errlen);

#endif
