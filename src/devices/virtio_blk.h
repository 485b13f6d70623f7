/*
 * virtio_blk.h - virtio block device (device id 2) over a raw image file.
 *
 * One request queue of up to VIRTIO_BLK_QUEUE_MAX entries; requests are
 * served synchronously (pread/pwrite/fdatasync) when the driver notifies.
 * Offers FLUSH, SEG_MAX, BLK_SIZE and, read-only, RO. Host I/O errors and
 * out-of-range requests complete with VIRTIO_BLK_S_IOERR, unknown types
 * with VIRTIO_BLK_S_UNSUPP; a request without a header or a status byte is
 * a malformed ring (DEVICE_NEEDS_RESET).
 *
 * Invariants: the image size is a non-zero multiple of 512 fixed at init
 * (capacity); the device has no guest-visible state of its own beyond the
 * transport's (config space is derived from capacity and options). A
 * reopen (migration) swaps in a new fd only if it reaches an image of the
 * same size; otherwise the old fd stays.
 */
#ifndef GODWIT_DEVICES_VIRTIO_BLK_H
#define GODWIT_DEVICES_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
 * @12, geometry @16, blk_size @20, topology @24..31, writeback @32. */
#define VIRTIO_BLK_CONFIG_SIZE 36

struct virtio_blk {
	struct virtio_mmio *t;
	int fd;
	char *path;             /* as given, for a reopen */
	bool readonly;
	uint64_t capacity; /* in 512-byte sectors */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
	struct virtq_elem elem; /* the request being served */
	/* migration: flushes by the VMM (not the guest's), reopens done */
	uint64_t host_flushes, reopens;
};

/*
 * Open the raw image at `path` (read-write, or read-only with the RO
 * feature) and make *t a transport carrying it, with guest RAM from m.
 * serial: the GET_ID string (NULL: none; cut to 20 bytes). Returns 0, or
 * -1 with a message in err (e.g. "disk.img: No such file or directory",
 * "disk.img: size 1000 is not a non-zero multiple of 512 bytes").
 */
int virtio_blk_init(struct virtio_blk *b, struct virtio_mmio *t,
		    struct machine *m, const char *path, bool readonly,
		    const char *serial, char *err, size_t errlen);
/* Close the image (the transport must no longer be reachable). */
void virtio_blk_destroy(struct virtio_blk *b);

/*
 * Migration with the image on shared storage (NFS and the like), where
 * close-to-open is the only consistency a second host gets:
 * flush - fdatasync the image (read-only: nothing to do), so that what the
 *   guest wrote is on the server before the destination looks;
 * reopen - open the image again by path with the same flags, check that
 *   its size is still what the device advertises, and only then close the
 *   old fd and use the new one; on any failure the old fd stays.
 * Both return 0, or -1 with a one-line reason naming the image in err.
 * flush may run on any thread (the fd does not change under it); reopen
 * only on the vCPU thread or while nothing can notify the device.
 */
int virtio_blk_flush(struct virtio_blk *b, char *err, size_t errlen);
int virtio_blk_reopen(struct virtio_blk *b, char *err, size_t errlen);

#endif
