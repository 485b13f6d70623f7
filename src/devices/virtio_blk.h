/*
 * virtio_blk.h - virtio block device (device id 2) over a raw image file.
 *
 * One request queue of up to VIRTIO_BLK_QUEUE_MAX entries. The device
 * parses requests on the run-loop thread when the driver notifies and
 * hands them to its drive (block/blockdev.h), whose I/O threads move the
 * data straight between guest RAM and the image; the run loop completes
 * them (status byte, used ring, interrupt) when the drive's eventfd says
 * so. Many requests are in flight at once, in any order, as virtio allows.
 * Offers FLUSH, SEG_MAX, BLK_SIZE, WRITE_ZEROES, DISCARD and, read-only, RO.
 * Host I/O errors follow the drive's werror/rerror policy (IOERR to the
 * guest, or the VM stops and the request is retried when it resumes);
 * out-of-range requests complete with VIRTIO_BLK_S_IOERR, unknown types
 * with VIRTIO_BLK_S_UNSUPP; a request without a header or a status byte is
 * a malformed ring (DEVICE_NEEDS_RESET).
 *
 * Invariants: the image size is a non-zero multiple of 512 fixed at init
 * (capacity); the device has no guest-visible state of its own beyond the
 * transport's (config space is derived from capacity and options), because
 * before its state is saved the drive is drained (virtio_blk_drain): no
 * request is in flight in a saved state. A request that was in flight when
 * the driver reset the device is dropped when it finishes, not pushed.
 */
#ifndef GODWIT_DEVICES_VIRTIO_BLK_H
#define GODWIT_DEVICES_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/blockdev.h"
#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_BLK_QUEUE_MAX 256
#define VIRTIO_BLK_SECTOR 512
#define VIRTIO_BLK_ID_BYTES 20

/* Feature bits */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status values */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

/* Config space (little endian): capacity @0 (le64), size_max @8, seg_max
 * @12, geometry @16, blk_size @20, topology @24..31, writeback @32,
 * unused @33..35, max_discard_sectors @36, max_discard_seg @40,
 * discard_sector_alignment @44, max_write_zeroes_sectors @48,
 * max_write_zeroes_seg @52, write_zeroes_may_unmap @56. */
#define VIRTIO_BLK_CONFIG_SIZE 60

struct vblk_req;

struct virtio_blk {
	struct virtio_mmio *t;
	struct machine *m;
	struct blockdev bd;
	bool readonly;
	uint64_t capacity; /* in 512-byte sectors */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
	uint32_t gen;              /* bumped by a device reset */
	struct vblk_req *free_reqs; /* request buffers not in use */
	struct vblk_req *all_reqs;  /* every one allocated (for destroy) */
	int in_flight;
	bool completing;            /* one notify after a batch */
};

/*
 * Open the image of drive o (read-write, or read-only with the RO feature)
 * and make *t a transport carrying it, with guest RAM from m; the drive's
 * completions are served by the run loop (a poll source of m). serial: the
 * GET_ID string (o->id; cut to 20 bytes). Returns 0, or -1 with a message
 * in err (e.g. "disk.img: No such file or directory", "disk.img: size 1000
 * is not a non-zero multiple of 512 bytes").
 */
int virtio_blk_init(struct virtio_blk *b, struct virtio_mmio *t, struct machine *m,
		    const struct blk_opts *o, char *err, size_t errlen);
/* Close the image (the transport must no longer be reachable). */
void virtio_blk_destroy(struct virtio_blk *b);

/* Run loop, VM paused: finish every request in flight and complete it
 * (the rings are then final, e.g. before the state is saved). */
void virtio_blk_drain(struct virtio_blk *b);

#endif
