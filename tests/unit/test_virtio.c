/*
 * test_virtio.c - virtio-mmio transport, split virtqueues, virtio-blk and
 * virtio-rng, driven by a tiny driver written here: it negotiates
 * features, lays out the rings in guest RAM of a real 16 MiB machine,
 * posts descriptor chains and kicks QueueNotify, then checks the used ring,
 * the status register, InterruptStatus and the irq line.
 *
 * The second half is hostile: descriptors outside RAM, looping chains,
 * wrapping lengths, avail indices that jump, bad queue sizes, notifies on
 * queues that cannot run, malformed indirect tables, garbage register
 * accesses and a randomised ring fuzzer. Each must end in an error status,
 * DEVICE_NEEDS_RESET or an ignored access - never a crash or an access
 * outside guest RAM (run under ASan+UBSan by `make check`).
 */
#include "unit_virtq.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_rng.h"
#include "devices/virtqueue.h"

/* Guest RAM layout of the test driver */
#define DESC (UM_DRAM + 0x100000)
#define AVAIL (UM_DRAM + 0x101000)
#define USED (UM_DRAM + 0x102000)
#define HDR (UM_DRAM + 0x110000)
#define STAT (UM_DRAM + 0x111000)
#define IND (UM_DRAM + 0x120000)
#define BUF (UM_DRAM + 0x200000)
#define RAM_END (UM_DRAM + UM_RAM_SIZE)

#define QNUM 8
#define IMG_SECTORS 64

#define ST_ACK VIRTIO_STATUS_ACKNOWLEDGE
#define ST_DRV VIRTIO_STATUS_DRIVER
#define ST_FOK VIRTIO_STATUS_FEATURES_OK
#define ST_DOK VIRTIO_STATUS_DRIVER_OK
#define ST_NR VIRTIO_STATUS_NEEDS_RESET

#define F_INDIRECT (1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX (1ull << VIRTIO_RING_F_EVENT_IDX)
#define F_V1 (1ull << VIRTIO_F_VERSION_1)

struct env {
	struct machine *m;
	struct virtio_mmio t;
	struct virtio_blk blk;
	struct virtio_rng rng;
	bool has_blk;
	char path[64];
	struct uv d; /* the driver: queue 0 */
	int irq_calls, irq_last;
	bool irq_level;
};

/* ---- the test driver (unit_virtq.h), on queue 0 ------------------------ */

static void rec_irq(void *opaque, int irq, bool level)
{
	struct env *e = opaque;

	e->irq_calls++;
	e->irq_last = irq;
	e->irq_level = level;
}

static uint32_t rd(struct env *e, uint64_t off)
{
	return uv_rd(&e->d, off);
}

static void wr(struct env *e, uint64_t off, uint32_t v)
{
	uv_wr(&e->d, off, v);
}

static uint64_t dev_features(struct env *e)
{
	return uv_dev_features(&e->d);
}

static void set_driver_features(struct env *e, uint64_t f)
{
	uv_set_driver_features(&e->d, f);
}

/* Reset, acknowledge, and accept `f` as is: is FEATURES_OK kept? */
static bool negotiate_exact(struct env *e, uint64_t f)
{
	return uv_negotiate(&e->d, f);
}

static void queue_addrs(struct env *e, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	uv_queue_addrs(&e->d, desc, avail, used);
}

static void setup_queue(struct env *e, uint32_t num)
{
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_true(rd(e, VIRTIO_MMIO_QUEUE_NUM_MAX) >= num);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_READY), 0);
	uv_setup_queue(&e->d, 0, num, DESC, AVAIL, USED);
}

/* Full driver bring-up accepting the offered features within `want`. */
static void start(struct env *e, uint64_t want, uint32_t num)
{
	uint64_t f = dev_features(e) & want;

	assert_true(negotiate_exact(e, f));
	setup_queue(e, num);
	wr(e, VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_hex_equal(rd(e, VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK | ST_DOK);
}

static void desc_at(struct env *e, uint64_t table, uint32_t i, uint64_t addr,
		    uint32_t len, uint16_t flags, uint16_t next)
{
	uv_desc(e->m, table, i, addr, len, flags, next);
}

static void set_desc(struct env *e, uint32_t i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	uv_desc(e->m, DESC, i, addr, len, flags, next);
}

/* Make `head` available and notify queue 0. */
static void kick(struct env *e, uint16_t head)
{
	uv_kick(&e->d, 0, head);
	if (e->has_blk) /* the drive's I/O threads: wait and complete */
		virtio_blk_drain(&e->blk);
}

static uint16_t used_idx(struct env *e)
{
	return uv_used_idx(&e->d, 0);
}

static uint32_t used_id(struct env *e, uint16_t idx)
{
	return uv_used_id(&e->d, 0, idx);
}

static uint32_t used_len(struct env *e, uint16_t idx)
{
	return uv_used_len(&e->d, 0, idx);
}

static bool needs_reset(struct env *e)
{
	return uv_needs_reset(&e->d);
}

/* ---- fixtures ------------------------------------------------------------ */

static struct env *env_new(void)
{
	static const uint32_t spin = 0x0000006f; /* j . */
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->m = um_create(&spin, sizeof(spin));
	assert_non_null(e->m);
	e->d.m = e->m;
	e->d.t = &e->t;
	e->d.q[0] = (struct uv_queue){ .desc = DESC, .avail = AVAIL, .used = USED };
	return e;
}

static void wire_irq(struct env *e, int irq)
{
	e->t.set_irq = rec_irq;
	e->t.irq_opaque = e;
	e->t.irq = irq;
}

/* A raw image of `sectors` sectors, sector s filled with byte (s + 1). */
static void make_image(char *path, size_t n, uint64_t bytes)
{
	uint8_t sec[VIRTIO_BLK_SECTOR];
	int fd;

	snprintf(path, n, "/tmp/godwit-vblk-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (uint64_t off = 0; off < bytes; off += sizeof(sec)) {
		size_t chunk = bytes - off < sizeof(sec) ? bytes - off : sizeof(sec);
		memset(sec, (int)(off / VIRTIO_BLK_SECTOR + 1), sizeof(sec));
		assert_int_equal(pwrite(fd, sec, chunk, (off_t)off), (ssize_t)chunk);
	}
	close(fd);
}

static int setup_blk_opts(void **state, bool readonly)
{
	struct env *e = env_new();
	char err[256];

	make_image(e->path, sizeof(e->path), IMG_SECTORS * VIRTIO_BLK_SECTOR);
	struct blk_opts o = { .id = "godwit-serial-0001", .file = e->path, .readonly = readonly };

	if (virtio_blk_init(&e->blk, &e->t, e->m, &o, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	e->has_blk = true;
	wire_irq(e, 3);
	*state = e;
	return 0;
}

static int setup_blk(void **state)
{
	return setup_blk_opts(state, false);
}

static int setup_blk_ro(void **state)
{
	return setup_blk_opts(state, true);
}

static int setup_rng(void **state)
{
	struct env *e = env_new();

	virtio_rng_init(&e->rng, &e->t, e->m);
	wire_irq(e, 5);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	if (!e)
		return 0;
	if (e->has_blk) {
		virtio_blk_destroy(&e->blk);
		unlink(e->path);
	}
	machine_destroy(e->m);
	free(e->m);
	free(e);
	return 0;
}

/* ---- virtio-blk requests -------------------------------------------------- */

static void blk_header(struct env *e, uint32_t type, uint64_t sector)
{
	um_w32(e->m, HDR, type);
	um_w32(e->m, HDR + 4, 0);
	um_w64(e->m, HDR + 8, sector);
}

/*
 * header (R) -> data at `data`, `len` bytes (W if dev_writes, else R;
 * omitted if len is 0) -> status byte (W). Returns the status byte, or -1
 * if the request did not complete; *ulen gets the used length.
 */
static int blk_req(struct env *e, uint32_t type, uint64_t sector, uint64_t data,
		   uint32_t len, bool dev_writes, uint32_t *ulen)
{
	uint16_t before = used_idx(e);
	uint16_t st = len ? 2 : 1;

	blk_header(e, type, sector);
	um_w8(e->m, STAT, 0xee);
	set_desc(e, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	if (len)
		set_desc(e, 1, data, len,
			 VIRTQ_DESC_F_NEXT | (dev_writes ? VIRTQ_DESC_F_WRITE : 0), 2);
	set_desc(e, st, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	kick(e, 0);
	if (used_idx(e) != (uint16_t)(before + 1))
		return -1;
	assert_int_equal(used_id(e, before), 0);
	if (ulen)
		*ulen = used_len(e, before);
	return um_r8(e->m, STAT);
}

static void file_read(struct env *e, uint64_t off, void *buf, size_t len)
{
	int fd = open(e->path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static uint64_t config64(struct env *e, uint64_t off)
{
	return virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG + off, 4) |
	       virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG + off + 4, 4) << 32;
}

/* ---- transport basics ----------------------------------------------------- */

static void test_ids_and_features(void **state)
{
	struct env *e = *state;
	uint64_t f = dev_features(e);

	assert_hex_equal(rd(e, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(e, VIRTIO_MMIO_VERSION_REG), 2);
	assert_int_equal(rd(e, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	assert_hex_equal(rd(e, VIRTIO_MMIO_VENDOR_ID), 0x554d4551);
	assert_true(f & F_V1);
	assert_true(f & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(f & (1ull << VIRTIO_BLK_F_SEG_MAX));
	assert_true(f & (1ull << VIRTIO_BLK_F_BLK_SIZE));
	assert_false(f & (1ull << VIRTIO_BLK_F_RO));
	assert_true(f & F_INDIRECT);
	wr(e, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(e, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	/* config: capacity (as two 32-bit reads and one 64-bit read), seg_max,
	 * blk_size; bytes past the config space read 0 */
	assert_int_equal(config64(e, 0), IMG_SECTORS);
	assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG, 8), IMG_SECTORS);
	assert_int_equal(virtio_mmio_read(&e->t, VIRTIO_MMIO_CONFIG, 1), IMG_SECTORS);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG + 12), VIRTIO_BLK_QUEUE_MAX - 2);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG + 20), 512);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG + 0x800), 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_SIZE - 2), 0);
	/* no shared memory regions */
	assert_hex_equal(rd(e, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	assert_hex_equal(rd(e, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	/* one queue */
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTIO_BLK_QUEUE_MAX);
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
}

static void test_feature_negotiation(void **state)
{
	struct env *e = *state;
	uint64_t f = dev_features(e);

	/* VERSION_1 is required */
	assert_false(negotiate_exact(e, f & ~F_V1));
	assert_false(negotiate_exact(e, 0));
	/* features the device did not offer are refused */
	assert_false(negotiate_exact(e, F_V1 | (1ull << VIRTIO_BLK_F_RO)));
	assert_false(negotiate_exact(e, F_V1 | (1ull << 63)));
	assert_false(negotiate_exact(e, f | (1ull << 40)));
	/* a refused FEATURES_OK leaves the device unable to run queues */
	setup_queue(e, QNUM);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, NULL), -1);
	/* the minimum, and everything offered */
	assert_true(negotiate_exact(e, F_V1));
	assert_true(negotiate_exact(e, f));
	assert_true(virtio_mmio_has_feature(&e->t, VIRTIO_BLK_F_FLUSH));
	/* driver features are frozen once accepted */
	set_driver_features(e, F_V1);
	assert_true(virtio_mmio_has_feature(&e->t, VIRTIO_BLK_F_FLUSH));
	/* the driver cannot set NEEDS_RESET itself */
	wr(e, VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK | ST_NR);
	assert_false(needs_reset(e));
}

static void test_empty_slot(void **state)
{
	struct env *e = *state;
	struct virtio_mmio t;

	virtio_mmio_init(&t, e->m, NULL, NULL);
	assert_hex_equal(virtio_mmio_read(&t, VIRTIO_MMIO_MAGIC_VALUE, 4), 0x74726976);
	assert_int_equal(virtio_mmio_read(&t, VIRTIO_MMIO_VERSION_REG, 4), 2);
	assert_int_equal(virtio_mmio_read(&t, VIRTIO_MMIO_DEVICE_ID, 4), 0);
	for (uint64_t off = 0x10; off < 0x200; off += 4) {
		virtio_mmio_write(&t, off, 4, 0xffffffff);
		if (off != VIRTIO_MMIO_VENDOR_ID)
			assert_int_equal(virtio_mmio_read(&t, off, 4), 0);
	}
}

/* ---- virtio-blk ------------------------------------------------------------ */

static void test_blk_write_read_flush_id(void **state)
{
	struct env *e = *state;
	uint8_t pat[1024], back[1024], id[VIRTIO_BLK_ID_BYTES];
	uint32_t ulen;

	start(e, ~0ull, QNUM);
	/* read sector 5 (filled with 6s) */
	memset(um_ptr(e->m, BUF, 512), 0, 512);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 5, BUF, 512, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 513);
	for (int i = 0; i < 512; i++)
		assert_int_equal(um_r8(e->m, BUF + i), 6);

	/* write two sectors at 3, read them back through the guest and the file */
	for (int i = 0; i < (int)sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 1);
	memcpy(um_ptr(e->m, BUF, sizeof(pat)), pat, sizeof(pat));
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, 3, BUF, 1024, false, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 1);
	file_read(e, 3 * 512, back, sizeof(back));
	assert_memory_equal(back, pat, sizeof(pat));
	memset(um_ptr(e->m, BUF + 0x1000, 1024), 0, 1024);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 3, BUF + 0x1000, 1024, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_memory_equal(um_ptr(e->m, BUF + 0x1000, 1024), pat, sizeof(pat));
	/* neighbours untouched */
	file_read(e, 2 * 512, back, 512);
	assert_int_equal(back[0], 3);
	assert_int_equal(back[511], 3);
	file_read(e, 5 * 512, back, 512);
	assert_int_equal(back[0], 6);

	assert_int_equal(blk_req(e, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 1);

	/* GET_ID: 20 bytes, zero padded */
	memset(um_ptr(e->m, BUF, 32), 0xaa, 32);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_GET_ID, 0, BUF, 20, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 21);
	memset(id, 0, sizeof(id));
	memcpy(id, "godwit-serial-0001", 18);
	assert_memory_equal(um_ptr(e->m, BUF, 20), id, 20);
	assert_int_equal(um_r8(e->m, BUF + 20), 0xaa);
	/* a short GET_ID buffer gets what fits */
	memset(um_ptr(e->m, BUF, 32), 0xaa, 32);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_GET_ID, 0, BUF, 6, true, &ulen), VIRTIO_BLK_S_OK);
	assert_int_equal(ulen, 7);
	assert_memory_equal(um_ptr(e->m, BUF, 6), "godwit", 6);
	assert_int_equal(um_r8(e->m, BUF + 6), 0xaa);
	assert_false(needs_reset(e));
}

/* Header and data may be framed any way: split, merged, odd sizes. */
static void test_blk_any_layout(void **state)
{
	struct env *e = *state;
	uint8_t back[512];

	start(e, ~0ull, QNUM);
	/* OUT: header and data in one readable buffer, split at odd points */
	um_w32(e->m, BUF, VIRTIO_BLK_T_OUT);
	um_w32(e->m, BUF + 4, 0);
	um_w64(e->m, BUF + 8, 7);
	memset(um_ptr(e->m, BUF + 16, 512), 0x5a, 512);
	set_desc(e, 3, BUF, 3, VIRTQ_DESC_F_NEXT, 6);
	set_desc(e, 6, BUF + 3, 300, VIRTQ_DESC_F_NEXT, 1);
	set_desc(e, 1, BUF + 303, 225, VIRTQ_DESC_F_NEXT, 0);
	set_desc(e, 0, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	um_w8(e->m, STAT, 0xee);
	kick(e, 3);
	assert_int_equal(used_idx(e), 1);
	assert_int_equal(used_id(e, 0), 3);
	assert_int_equal(um_r8(e->m, STAT), VIRTIO_BLK_S_OK);
	file_read(e, 7 * 512, back, 512);
	for (int i = 0; i < 512; i++)
		assert_int_equal(back[i], 0x5a);

	/* IN: data in three writable pieces, the status byte at the end of
	 * the last one */
	blk_header(e, VIRTIO_BLK_T_IN, 7);
	memset(um_ptr(e->m, BUF, 0x2000), 0, 0x2000);
	set_desc(e, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(e, 1, BUF, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc(e, 2, BUF + 0x1000, 200, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	set_desc(e, 3, BUF + 0x1800, 213, VIRTQ_DESC_F_WRITE, 0);
	kick(e, 0);
	assert_int_equal(used_idx(e), 2);
	assert_int_equal(used_len(e, 1), 513);
	assert_int_equal(um_r8(e->m, BUF + 0x1800 + 212), VIRTIO_BLK_S_OK);
	for (int i = 0; i < 100; i++)
		assert_int_equal(um_r8(e->m, BUF + i), 0x5a);
	for (int i = 0; i < 200; i++)
		assert_int_equal(um_r8(e->m, BUF + 0x1000 + i), 0x5a);
	for (int i = 0; i < 212; i++)
		assert_int_equal(um_r8(e->m, BUF + 0x1800 + i), 0x5a);
	assert_int_equal(um_r8(e->m, BUF + 100), 0);
	assert_false(needs_reset(e));
}

static void test_blk_indirect(void **state)
{
	struct env *e = *state;

	start(e, ~0ull, QNUM);
	blk_header(e, VIRTIO_BLK_T_IN, 9);
	memset(um_ptr(e->m, BUF, 512), 0, 512);
	desc_at(e, IND, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 2);
	desc_at(e, IND, 2, BUF, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc_at(e, IND, 1, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(e, 4, IND, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	kick(e, 4);
	assert_int_equal(used_idx(e), 1);
	assert_int_equal(used_id(e, 0), 4);
	assert_int_equal(used_len(e, 0), 513);
	assert_int_equal(um_r8(e->m, STAT), VIRTIO_BLK_S_OK);
	assert_int_equal(um_r8(e->m, BUF + 511), 10);

	/* direct descriptors followed by one indirect one are valid too */
	blk_header(e, VIRTIO_BLK_T_IN, 11);
	desc_at(e, IND, 0, BUF + 0x1000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc_at(e, IND, 1, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(e, 5, HDR, 8, VIRTQ_DESC_F_NEXT, 2);
	set_desc(e, 2, HDR + 8, 8, VIRTQ_DESC_F_NEXT, 7);
	set_desc(e, 7, IND, 2 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	kick(e, 5);
	assert_int_equal(used_idx(e), 2);
	assert_int_equal(used_id(e, 1), 5);
	assert_int_equal(used_len(e, 1), 513);
	assert_int_equal(um_r8(e->m, STAT), VIRTIO_BLK_S_OK);
	assert_int_equal(um_r8(e->m, BUF + 0x1000 + 511), 12);
	assert_false(needs_reset(e));
}

/* A whole-disk write and read back through 128-piece indirect chains (more
 * pieces than one preadv/pwritev batch). */
static void test_blk_many_segments(void **state)
{
	struct env *e = *state;
	const uint32_t pieces = 128, piece = IMG_SECTORS * 512 / 128;
	uint8_t *img = malloc(IMG_SECTORS * 512), *back = malloc(IMG_SECTORS * 512);

	assert_non_null(img);
	assert_non_null(back);
	start(e, ~0ull, QNUM);
	for (uint32_t i = 0; i < IMG_SECTORS * 512; i++)
		img[i] = (uint8_t)(i * 13 + i / 512);
	for (int dir = 0; dir < 2; dir++) {
		bool in = dir == 1;

		blk_header(e, in ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, 0);
		desc_at(e, IND, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
		for (uint32_t i = 0; i < pieces; i++) {
			/* scattered: piece i at a 1 KiB stride, in reverse order */
			uint64_t pa = BUF + 1024ull * (pieces - 1 - i);

			if (!in)
				memcpy(um_ptr(e->m, pa, piece), img + i * piece, piece);
			else
				memset(um_ptr(e->m, pa, piece), 0, piece);
			desc_at(e, IND, 1 + i, pa, piece,
				VIRTQ_DESC_F_NEXT | (in ? VIRTQ_DESC_F_WRITE : 0), (uint16_t)(2 + i));
		}
		desc_at(e, IND, 1 + pieces, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
		set_desc(e, 0, IND, 16 * (pieces + 2), VIRTQ_DESC_F_INDIRECT, 0);
		um_w8(e->m, STAT, 0xee);
		kick(e, 0);
		assert_int_equal(used_idx(e), dir + 1);
		assert_int_equal(um_r8(e->m, STAT), VIRTIO_BLK_S_OK);
		assert_int_equal(used_len(e, (uint16_t)dir), in ? IMG_SECTORS * 512 + 1 : 1);
	}
	file_read(e, 0, back, IMG_SECTORS * 512);
	assert_memory_equal(back, img, IMG_SECTORS * 512);
	for (uint32_t i = 0; i < pieces; i++)
		assert_memory_equal(um_ptr(e->m, BUF + 1024ull * (pieces - 1 - i), piece),
				    img + i * piece, piece);
	free(img);
	free(back);
}

static void test_blk_errors(void **state)
{
	struct env *e = *state;
	uint8_t back[512];

	start(e, ~0ull, QNUM);
	/* out of range: at capacity, straddling it, far beyond, wrapping */
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, IMG_SECTORS, BUF, 512, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, BUF, 1024, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, UINT64_MAX, BUF, 512, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, UINT64_MAX / 512 + 1, BUF, 512, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, IMG_SECTORS, BUF, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, UINT64_MAX - 1, BUF, 1024, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* the last sector is fine */
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, BUF, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(um_r8(e->m, BUF), IMG_SECTORS);
	/* not a whole number of sectors */
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 0, BUF, 100, true, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, 0, BUF, 513, false, NULL), VIRTIO_BLK_S_IOERR);
	/* all of guest RAM as one huge read: the sum is fine, the range is not */
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 0, UM_DRAM + 0x400000, 0x800000, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* discard / write-zeroes segments: no sectors, out of range, too long */
	um_w64(e->m, BUF, 0);
	um_w32(e->m, BUF + 8, 0);
	um_w32(e->m, BUF + 12, 0);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_DISCARD, 0, BUF, 16, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	um_w64(e->m, BUF, IMG_SECTORS - 1);
	um_w32(e->m, BUF + 8, 2);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_WRITE_ZEROES, 0, BUF, 16, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_WRITE_ZEROES, 0, BUF, 8, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* unsupported types */
	assert_int_equal(blk_req(e, 0xdeadbeef, 0, 0, 0, false, NULL), VIRTIO_BLK_S_UNSUPP);
	/* nothing was written */
	file_read(e, (IMG_SECTORS - 1) * 512, back, 512);
	assert_int_equal(back[0], IMG_SECTORS);
	assert_false(needs_reset(e));
	assert_int_equal(used_idx(e), 14);
}

/* Discard and write-zeroes make sectors read as zeros (holes where the
 * file system punches them); a driver that did not accept the feature
 * gets UNSUPP. */
static void test_blk_discard_write_zeroes(void **state)
{
	struct env *e = *state;
	uint8_t back[1024];

	start(e, ~0ull, QNUM);
	um_w64(e->m, BUF, 2);
	um_w32(e->m, BUF + 8, 2);
	um_w32(e->m, BUF + 12, 0);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_WRITE_ZEROES, 0, BUF, 16, false, NULL),
			 VIRTIO_BLK_S_OK);
	file_read(e, 2 * 512, back, sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++)
		assert_int_equal(back[i], 0);
	file_read(e, 4 * 512, back, 512);
	assert_int_equal(back[0], 5); /* the next sector is untouched */
	um_w64(e->m, BUF, 4);
	um_w32(e->m, BUF + 8, 1);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_DISCARD, 0, BUF, 16, false, NULL),
			 VIRTIO_BLK_S_OK);
	file_read(e, 4 * 512, back, 512);
	assert_int_equal(back[0], 0);
}

static void test_blk_discard_not_negotiated(void **state)
{
	struct env *e = *state;

	start(e, ~(1ull << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_BLK_F_WRITE_ZEROES), QNUM);
	um_w64(e->m, BUF, 2);
	um_w32(e->m, BUF + 8, 1);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_DISCARD, 0, BUF, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_WRITE_ZEROES, 0, BUF, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
}

static void test_blk_host_io_errors(void **state)
{
	struct env *e = *state;
	int saved, bad;

	start(e, ~0ull, QNUM);
	saved = dup(e->blk.bd.image->fd);
	assert_true(saved >= 0);
	/* ENOSPC on write */
	bad = open("/dev/full", O_RDWR);
	assert_true(bad >= 0);
	assert_true(dup2(bad, e->blk.bd.image->fd) >= 0);
	close(bad);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, 0, BUF, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* EISDIR on read, EBADF on write */
	bad = open("/", O_RDONLY | O_DIRECTORY);
	assert_true(bad >= 0);
	assert_true(dup2(bad, e->blk.bd.image->fd) >= 0);
	close(bad);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 0, BUF, 512, true, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, 0, BUF, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* the image shrank under us: end of file */
	assert_true(dup2(saved, e->blk.bd.image->fd) >= 0);
	close(saved);
	assert_int_equal(ftruncate(e->blk.bd.image->fd, 512), 0);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 4, BUF, 512, true, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 0, BUF, 1024, true, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 0, BUF, 512, true, NULL), VIRTIO_BLK_S_OK);
	assert_false(needs_reset(e));
}

static void test_blk_readonly(void **state)
{
	struct env *e = *state;
	uint8_t back[512];

	assert_true(dev_features(e) & (1ull << VIRTIO_BLK_F_RO));
	start(e, ~0ull, QNUM);
	assert_true(virtio_mmio_has_feature(&e->t, VIRTIO_BLK_F_RO));
	memset(um_ptr(e->m, BUF, 512), 0x77, 512);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_OUT, 0, BUF, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 1, BUF, 512, true, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(um_r8(e->m, BUF), 2);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
	file_read(e, 0, back, 512);
	assert_int_equal(back[0], 1);
}

static int blk_init_path(struct virtio_blk *b, struct virtio_mmio *t, struct machine *m,
			 const char *path, bool readonly, char *err, size_t errlen)
{
	struct blk_opts o = { .file = path, .readonly = readonly };

	return virtio_blk_init(b, t, m, &o, err, errlen);
}

static void test_blk_init_errors(void **state)
{
	struct env *e = *state;
	struct virtio_blk *b = calloc(1, sizeof(*b));
	struct virtio_mmio t;
	char path[64], err[256];

	assert_non_null(b);
	err[0] = 0;
	assert_int_equal(blk_init_path(b, &t, e->m, "/nonexistent/disk.img", false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/disk.img"));
	assert_non_null(strstr(err, strerror(ENOENT)));

	make_image(path, sizeof(path), 0);
	assert_int_equal(blk_init_path(b, &t, e->m, path, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "multiple of 512"));
	unlink(path);

	make_image(path, sizeof(path), 1000);
	assert_int_equal(blk_init_path(b, &t, e->m, path, false, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1000"));
	unlink(path);

	assert_int_equal(blk_init_path(b, &t, e->m, "/", true, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/"));

	/* read-only opening of a file we cannot write */
	make_image(path, sizeof(path), 4096);
	assert_int_equal(chmod(path, 0444), 0);
	if (geteuid() != 0) {
		assert_int_equal(blk_init_path(b, &t, e->m, path, false, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, strerror(EACCES)));
	}
	assert_int_equal(blk_init_path(b, &t, e->m, path, true, err, sizeof(err)), 0);
	assert_int_equal(virtio_mmio_read(&t, VIRTIO_MMIO_CONFIG, 8), 8);
	virtio_blk_destroy(b);
	unlink(path);
	free(b);
}

/* A request without a header or without a status byte is malformed. */
static void test_blk_malformed(void **state)
{
	struct env *e = *state;

	start(e, ~0ull, QNUM);
	set_desc(e, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1); /* half a header */
	set_desc(e, 1, STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	kick(e, 0);
	assert_int_equal(used_idx(e), 0);
	assert_true(needs_reset(e));
	assert_true(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);

	start(e, ~0ull, QNUM);
	blk_header(e, VIRTIO_BLK_T_FLUSH, 0);
	set_desc(e, 0, HDR, 16, 0, 0); /* no status byte */
	kick(e, 0);
	assert_int_equal(used_idx(e), 0);
	assert_true(needs_reset(e));

	/* after a reset, the device works again */
	start(e, ~0ull, QNUM);
	assert_false(needs_reset(e));
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_FLUSH, 0, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
}

/* Device writes to guest RAM mark pages dirty and drop decoded code. */
static void test_blk_dma_tracking(void **state)
{
	struct env *e = *state;
	uint64_t *bits = calloc((e->m->ram_pages + 63) / 64, 8);
	uint64_t pg = (BUF - UM_DRAM) >> 12, upg = (USED - UM_DRAM) >> 12;
	uint64_t spg = (STAT - UM_DRAM) >> 12;
	int id;

	assert_non_null(bits);
	start(e, ~0ull, QNUM);
	assert_non_null(machine_code_page(e->m, BUF + 0x1000));
	assert_non_null(e->m->ram.code[pg + 1]);
	id = machine_dirty_start(e->m);
	assert_true(id >= 0);
	machine_dirty_sync(e->m, id, bits);
	assert_int_equal(blk_req(e, VIRTIO_BLK_T_IN, 0, BUF + 0x800, 0x1000, true, NULL),
			 VIRTIO_BLK_S_OK);
	assert_int_equal(machine_dirty_sync(e->m, id, bits), 4);
	assert_true(bits[pg / 64] >> (pg % 64) & 1);
	assert_true(bits[(pg + 1) / 64] >> ((pg + 1) % 64) & 1);
	assert_true(bits[upg / 64] >> (upg % 64) & 1);
	assert_true(bits[spg / 64] >> (spg % 64) & 1);
	assert_null(e->m->ram.code[pg + 1]);
	machine_dirty_stop(e->m, id);
	free(bits);
}

/* ---- virtio-rng ----------------------------------------------------------- */

static void test_rng_fill(void **state)
{
	struct env *e = *state;
	int nonzero = 0;

	assert_int_equal(rd(e, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	start(e, ~0ull, QNUM);
	memset(um_ptr(e->m, BUF, 0x2000), 0, 0x2000);
	set_desc(e, 2, BUF, 100, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 5);
	set_desc(e, 5, BUF + 0x1000, 60, VIRTQ_DESC_F_WRITE, 0);
	kick(e, 2);
	assert_int_equal(used_idx(e), 1);
	assert_int_equal(used_id(e, 0), 2);
	assert_int_equal(used_len(e, 0), 160);
	for (int i = 0; i < 100; i++)
		nonzero += um_r8(e->m, BUF + i) != 0;
	for (int i = 0; i < 60; i++)
		nonzero += um_r8(e->m, BUF + 0x1000 + i) != 0;
	assert_true(nonzero > 100);
	assert_int_equal(um_r8(e->m, BUF + 100), 0);
	assert_int_equal(um_r8(e->m, BUF + 0x1000 + 60), 0);

	/* a huge buffer gets at most VIRTIO_RNG_MAX_FILL bytes */
	set_desc(e, 0, UM_DRAM + 0x400000, 0x800000, VIRTQ_DESC_F_WRITE, 0);
	kick(e, 0);
	assert_int_equal(used_idx(e), 2);
	assert_int_equal(used_len(e, 1), VIRTIO_RNG_MAX_FILL);
	/* readable-only request: nothing to fill */
	set_desc(e, 0, BUF, 16, 0, 0);
	kick(e, 0);
	assert_int_equal(used_idx(e), 3);
	assert_int_equal(used_len(e, 2), 0);
	assert_false(needs_reset(e));
}

/* ---- interrupts and reset --------------------------------------------------- */

static void rng_one(struct env *e)
{
	set_desc(e, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	kick(e, 0);
}

static void test_interrupts(void **state)
{
	struct env *e = *state;

	start(e, ~F_EVENT_IDX, QNUM);
	assert_int_equal(e->irq_calls, 0);
	rng_one(e);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(e->irq_calls, 1);
	assert_int_equal(e->irq_last, 5);
	assert_true(e->irq_level);
	/* acking another bit changes nothing; acking bit 0 lowers the line */
	wr(e, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_true(e->irq_level);
	wr(e, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(e->irq_level);
	assert_int_equal(e->irq_calls, 2);
	/* InterruptStatus is read-only */
	wr(e, VIRTIO_MMIO_INTERRUPT_STATUS, 3);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* a notify with nothing new raises nothing */
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 0);

	/* VIRTQ_AVAIL_F_NO_INTERRUPT suppresses the interrupt */
	uv_w16(e->m, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	rng_one(e);
	assert_int_equal(used_idx(e), 2);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(e->irq_level);
	uv_w16(e->m, AVAIL, 0);

	/* a config change sets bit 1 and bumps the generation */
	uint32_t gen = rd(e, VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_mmio_config_changed(&e->t);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_true(e->irq_level);
	rng_one(e);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	wr(e, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	assert_true(e->irq_level);
	wr(e, VIRTIO_MMIO_INTERRUPT_ACK, 2);
	assert_false(e->irq_level);
}

static void test_event_idx(void **state)
{
	struct env *e = *state;
	uint64_t used_event = AVAIL + 4 + 2 * QNUM, avail_event = USED + 4 + 8 * QNUM;

	start(e, ~0ull, QNUM);
	assert_true(virtio_mmio_has_feature(&e->t, VIRTIO_RING_F_EVENT_IDX));
	/* the first completion always interrupts (nothing signalled yet) */
	uv_w16(e->m, used_event, 0);
	rng_one(e);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	assert_int_equal(uv_r16(e->m, avail_event), 1);
	wr(e, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	/* used_event = 5: completions 2..5 stay quiet, 6 interrupts */
	uv_w16(e->m, used_event, 5);
	for (int i = 2; i <= 5; i++) {
		rng_one(e);
		assert_int_equal(used_idx(e), i);
		assert_int_equal(uv_r16(e->m, avail_event), i);
		assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	}
	rng_one(e);
	assert_int_equal(used_idx(e), 6);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	assert_true(e->irq_level);
}

static void test_reset(void **state)
{
	struct env *e = *state;

	start(e, ~0ull, QNUM);
	rng_one(e);
	assert_true(e->irq_level);
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 0);
	/* a 1-byte write of 0 is not a reset */
	virtio_mmio_write(&e->t, VIRTIO_MMIO_STATUS, 1, 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	wr(e, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(e->irq_level);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	assert_false(virtio_mmio_has_feature(&e->t, VIRTIO_F_VERSION_1));
	/* notifying a reset device does nothing */
	uv_w16(e->m, AVAIL + 2, 5);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(e), 1);
	/* and it starts over cleanly */
	start(e, ~0ull, QNUM);
	rng_one(e);
	assert_int_equal(used_idx(e), 1);
	assert_int_equal(used_len(e, 0), 8);
}

/* ---- hostile rings ------------------------------------------------------------ */

/* After a malformed ring: NEEDS_RESET, config interrupt, nothing used, and
 * the queue stays dead even once the ring is fixed. */
static void expect_broken(struct env *e)
{
	assert_true(needs_reset(e));
	assert_int_equal(used_idx(e), 0);
	assert_true(rd(e, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_true(e->irq_level);
	set_desc(e, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	set_desc(e, 1, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(e), 0);
}

struct bad_chain {
	const char *what;
	/* descriptors 0..3: addr, len, flags, next */
	uint64_t addr[4];
	uint32_t len[4];
	uint16_t flags[4], next[4];
	uint16_t head;
};

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT
#define I VIRTQ_DESC_F_INDIRECT

static const struct bad_chain bad_chains[] = {
	{ "address 0", { 0 }, { 16 }, { W }, { 0 }, 0 },
	{ "address below RAM", { UM_DRAM - 8 }, { 16 }, { W }, { 0 }, 0 },
	{ "straddles end of RAM", { RAM_END - 8 }, { 16 }, { W }, { 0 }, 0 },
	{ "at end of RAM", { RAM_END }, { 1 }, { W }, { 0 }, 0 },
	{ "wrapping address", { 0xfffffffffffffff0ull }, { 0x20 }, { W }, { 0 }, 0 },
	{ "length 4 GiB - 1", { UM_DRAM }, { 0xffffffffu }, { W }, { 0 }, 0 },
	{ "zero length", { BUF }, { 0 }, { W }, { 0 }, 0 },
	{ "second descriptor outside RAM", { BUF, 0x1000 }, { 8, 8 }, { W | N, W }, { 1, 0 }, 0 },
	{ "self loop", { BUF }, { 8 }, { W | N }, { 0 }, 0 },
	{ "two-descriptor loop", { BUF, BUF }, { 8, 8 }, { W | N, W | N }, { 1, 0 }, 0 },
	{ "loop back to the middle", { BUF, BUF, BUF }, { 8, 8, 8 }, { N, W | N, W | N },
	  { 1, 2, 1 }, 0 },
	{ "next out of the table", { BUF }, { 8 }, { W | N }, { QNUM }, 0 },
	{ "next 0xffff", { BUF }, { 8 }, { W | N }, { 0xffff }, 0 },
	{ "head out of the table", { BUF }, { 8 }, { W }, { 0 }, QNUM },
	{ "head 0xffff", { BUF }, { 8 }, { W }, { 0 }, 0xffff },
	{ "readable after writable", { BUF, BUF }, { 8, 8 }, { W | N, 0 }, { 1, 0 }, 0 },
	{ "indirect with next", { IND, BUF }, { 32, 8 }, { I | N, W }, { 1, 0 }, 0 },
	{ "indirect after indirect", { IND, IND }, { 16, 16 }, { I | N, I }, { 1, 0 }, 0 },
	{ "writable direct, readable indirect", { BUF, IND + 0x100 }, { 8, 16 }, { W | N, I },
	  { 1, 0 }, 0 },
	{ "indirect length not x16", { IND }, { 24 }, { I }, { 0 }, 0 },
	{ "indirect length 0", { IND }, { 0 }, { I }, { 0 }, 0 },
	{ "indirect table too big", { IND }, { 16 * (VIRTQ_MAX_SEGS + 1) }, { I }, { 0 }, 0 },
	{ "indirect table outside RAM", { RAM_END - 16 }, { 32 }, { I }, { 0 }, 0 },
	{ "indirect table wrapping", { 0xfffffffffffffff0ull }, { 32 }, { I }, { 0 }, 0 },
};

/* Indirect tables (at IND) for the indirect_bad cases. */
struct bad_indirect {
	const char *what;
	uint32_t n;
	uint64_t addr[3];
	uint32_t len[3];
	uint16_t flags[3], next[3];
};

static const struct bad_indirect bad_indirects[] = {
	{ "nested indirect", 2, { BUF, IND }, { 8, 32 }, { N, I }, { 1, 0 } },
	{ "nested indirect first", 1, { IND }, { 16 }, { I }, { 0 } },
	{ "loop in table", 2, { BUF, BUF }, { 8, 8 }, { W | N, W | N }, { 1, 0 } },
	{ "self loop in table", 1, { BUF }, { 8 }, { W | N }, { 0 } },
	{ "next past table", 2, { BUF, BUF }, { 8, 8 }, { W | N, W }, { 2, 0 } },
	{ "outside RAM in table", 2, { BUF, RAM_END }, { 8, 8 }, { W | N, W }, { 1, 0 } },
	{ "zero length in table", 1, { BUF }, { 0 }, { W }, { 0 } },
	{ "order in table", 2, { BUF, BUF }, { 8, 8 }, { W | N, 0 }, { 1, 0 } },
};

static void test_hostile_chains(void **state)
{
	struct env *e = *state;

	for (size_t c = 0; c < sizeof(bad_chains) / sizeof(bad_chains[0]); c++) {
		const struct bad_chain *b = &bad_chains[c];

		print_message("  chain: %s\n", b->what);
		start(e, ~0ull, QNUM);
		desc_at(e, IND, 0, BUF, 8, 0, 0);
		desc_at(e, IND + 0x100, 0, BUF, 8, 0, 0);
		for (int i = 0; i < 4; i++)
			set_desc(e, (uint32_t)i, b->addr[i], b->len[i], b->flags[i], b->next[i]);
		kick(e, b->head);
		expect_broken(e);
	}
	for (size_t c = 0; c < sizeof(bad_indirects) / sizeof(bad_indirects[0]); c++) {
		const struct bad_indirect *b = &bad_indirects[c];

		print_message("  indirect: %s\n", b->what);
		start(e, ~0ull, QNUM);
		for (uint32_t i = 0; i < b->n; i++)
			desc_at(e, IND, i, b->addr[i], b->len[i], b->flags[i], b->next[i]);
		set_desc(e, 0, IND, 16 * b->n, I, 0);
		kick(e, 0);
		expect_broken(e);
	}
	/* indirect descriptors when the driver did not accept them */
	start(e, ~F_INDIRECT, QNUM);
	desc_at(e, IND, 0, BUF, 8, W, 0);
	set_desc(e, 0, IND, 16, I, 0);
	kick(e, 0);
	expect_broken(e);
	/* but a good one works when accepted */
	start(e, ~0ull, QNUM);
	set_desc(e, 0, IND, 16, I, 0);
	kick(e, 0);
	assert_int_equal(used_idx(e), 1);
	assert_int_equal(used_len(e, 0), 8);
	assert_false(needs_reset(e));
}

static void test_hostile_avail_idx(void **state)
{
	struct env *e = *state;

	/* jump by more than the queue size */
	start(e, ~0ull, QNUM);
	set_desc(e, 0, BUF, 8, W, 0);
	uv_w16(e->m, AVAIL + 2, QNUM + 1);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(e);
	/* backwards */
	start(e, ~0ull, QNUM);
	set_desc(e, 0, BUF, 8, W, 0);
	uv_w16(e->m, AVAIL + 2, 0xffff);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	expect_broken(e);
	/* exactly the queue size is fine: QNUM completions */
	start(e, ~0ull, QNUM);
	set_desc(e, 0, BUF, 8, W, 0);
	uv_w16(e->m, AVAIL + 2, QNUM);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(e), QNUM);
	assert_false(needs_reset(e));
	/* wrap-around of the 16-bit indices is normal operation */
	e->d.q[0].avail_idx = QNUM;
	for (int i = 0; i < 70000; i++)
		rng_one(e);
	assert_int_equal(used_idx(e), (uint16_t)(QNUM + 70000));
	assert_false(needs_reset(e));
}

static void try_queue(struct env *e, uint32_t num, uint64_t desc, uint64_t avail,
		      uint64_t used, bool ok)
{
	wr(e, VIRTIO_MMIO_STATUS, 0);
	assert_true(negotiate_exact(e, F_V1));
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(e, VIRTIO_MMIO_QUEUE_NUM, num);
	queue_addrs(e, desc, avail, used);
	wr(e, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_READY), ok);
	assert_int_equal(needs_reset(e), !ok);
}

static void test_hostile_queue_config(void **state)
{
	struct env *e = *state;

	try_queue(e, QNUM, DESC, AVAIL, USED, true);
	try_queue(e, 64, DESC, AVAIL, USED, true);
	try_queue(e, 1, DESC, AVAIL, USED, true);
	try_queue(e, 0, DESC, AVAIL, USED, false);
	try_queue(e, 6, DESC, AVAIL, USED, false);
	try_queue(e, 128, DESC, AVAIL, USED, false);   /* > QueueNumMax (64) */
	try_queue(e, 0x10000, DESC, AVAIL, USED, false);
	try_queue(e, 0x80000000u, DESC, AVAIL, USED, false);
	try_queue(e, QNUM, DESC + 8, AVAIL, USED, false); /* misaligned */
	try_queue(e, QNUM, DESC, AVAIL + 1, USED, false);
	try_queue(e, QNUM, DESC, AVAIL, USED + 2, false);
	try_queue(e, QNUM, 0, AVAIL, USED, false);       /* outside RAM */
	try_queue(e, QNUM, DESC, 0x1000, USED, false);   /* ROM is not RAM */
	try_queue(e, QNUM, DESC, AVAIL, RAM_END - 16, false);
	try_queue(e, QNUM, DESC | (1ull << 40), AVAIL, USED, false);
	try_queue(e, QNUM, 0xfffffffffffffff0ull, AVAIL, USED, false);

	/* queue registers are frozen while the queue is ready */
	try_queue(e, QNUM, DESC, AVAIL, USED, true);
	wr(e, VIRTIO_MMIO_QUEUE_NUM, 64);
	queue_addrs(e, 0, 0, 0);
	assert_int_equal(e->t.s.vq[0].num, QNUM);
	assert_hex_equal(rd(e, VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)DESC);
	assert_hex_equal(e->t.s.vq[0].used, USED);
	/* QueueReady 0 stops the queue */
	wr(e, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_READY), 0);
	/* queues that do not exist ignore everything */
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 3);
	wr(e, VIRTIO_MMIO_QUEUE_NUM, QNUM);
	queue_addrs(e, DESC, AVAIL, USED);
	wr(e, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
}

static void test_hostile_notify(void **state)
{
	struct env *e = *state;

	/* notify on a configured but unready queue */
	assert_true(negotiate_exact(e, F_V1));
	memset(um_ptr(e->m, DESC, 0x3000), 0, 0x3000);
	wr(e, VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(e, VIRTIO_MMIO_QUEUE_NUM, QNUM);
	queue_addrs(e, DESC, AVAIL, USED);
	set_desc(e, 0, BUF, 8, W, 0);
	uv_w16(e->m, AVAIL + 2, 1);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(e), 0);
	/* on queues that do not exist */
	for (uint32_t q = 1; q < 20; q++)
		wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0x10000);
	assert_int_equal(used_idx(e), 0);
	/* before FEATURES_OK */
	wr(e, VIRTIO_MMIO_STATUS, 0);
	wr(e, VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV);
	wr(e, VIRTIO_MMIO_QUEUE_NUM, QNUM);
	queue_addrs(e, DESC, AVAIL, USED);
	wr(e, VIRTIO_MMIO_QUEUE_READY, 1);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(e), 0);
	assert_false(needs_reset(e));
	/* ... and it works once negotiated (the ready queue keeps its rings) */
	set_driver_features(e, F_V1);
	wr(e, VIRTIO_MMIO_STATUS, ST_ACK | ST_DRV | ST_FOK);
	wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(e), 1);
}

static void test_hostile_registers(void **state)
{
	struct env *e = *state;
	static const int sizes[] = { 1, 2, 4, 8 };

	start(e, ~0ull, QNUM);
	/* wrong-sized and misaligned register accesses are ignored */
	for (uint64_t off = 0; off < VIRTIO_MMIO_CONFIG; off++) {
		for (int s = 0; s < 4; s++) {
			if (sizes[s] == 4 && !(off & 3))
				continue;
			assert_int_equal(virtio_mmio_read(&e->t, off, sizes[s]), 0);
			if (off == VIRTIO_MMIO_QUEUE_NOTIFY)
				continue;
			virtio_mmio_write(&e->t, off, sizes[s], 0);
		}
	}
	assert_int_equal(rd(e, VIRTIO_MMIO_STATUS), ST_ACK | ST_DRV | ST_FOK | ST_DOK);
	assert_int_equal(rd(e, VIRTIO_MMIO_QUEUE_READY), 1);
	/* read-only registers ignore writes */
	wr(e, VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(e, VIRTIO_MMIO_DEVICE_ID, 7);
	wr(e, VIRTIO_MMIO_CONFIG_GENERATION, 9);
	assert_hex_equal(rd(e, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	assert_int_equal(rd(e, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	assert_int_equal(rd(e, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* every aligned register, every value class: still alive afterwards */
	static const uint32_t vals[] = { 0, 1, 2, 0x80, 0xffff, 0x10000, 0x7fffffff, 0xffffffff };
	for (uint64_t off = 0; off < 0x1000; off += 4) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			virtio_mmio_write(&e->t, off, 4, vals[v]);
			(void)virtio_mmio_read(&e->t, off, 4);
		}
	}
	for (uint64_t off = VIRTIO_MMIO_CONFIG; off < 0x1000; off++)
		for (int s = 0; s < 4; s++)
			if (off + (uint64_t)sizes[s] <= 0x1000)
				assert_int_equal(virtio_mmio_read(&e->t, off, sizes[s]), 0);
	start(e, ~0ull, QNUM);
	rng_one(e);
	assert_int_equal(used_idx(e), 1);
}

/* ---- randomised rings ---------------------------------------------------------- */

static uint64_t fz_state;

static uint64_t fz(void)
{
	fz_state ^= fz_state << 13;
	fz_state ^= fz_state >> 7;
	fz_state ^= fz_state << 17;
	return fz_state;
}

/* An address: mostly inside the ring/buffer area, sometimes anywhere. */
static uint64_t fz_addr(void)
{
	switch (fz() % 8) {
	case 0: return fz();
	case 1: return RAM_END - fz() % 64;
	case 2: return UM_DRAM - fz() % 64;
	default: return DESC + fz() % 0x180000;
	}
}

static uint32_t fz_len(void)
{
	switch (fz() % 8) {
	case 0: return (uint32_t)fz();
	case 1: return 0;
	case 2: return 16;
	case 3: return 1;
	default: return (uint32_t)(fz() % 2048);
	}
}

static uint16_t fz_flags(void)
{
	uint16_t f = (uint16_t)(fz() % 8);

	return fz() % 4 ? f & ~VIRTQ_DESC_F_INDIRECT : f;
}

static void fuzz_rings(struct env *e, uint64_t seed, int rounds)
{
	int completed = 0, broken = 0;

	fz_state = seed;
	for (int r = 0; r < rounds; r++) {
		uint32_t num = 1u << (fz() % 5);

		if (needs_reset(e))
			broken++;
		if (r == 0 || needs_reset(e) || fz() % 50 == 0) {
			start(e, fz() % 2 ? ~0ull : ~F_EVENT_IDX, num);
		}
		/* random main and indirect tables and avail ring */
		for (uint32_t i = 0; i < e->d.q[0].num + 1; i++)
			uv_w16(e->m, AVAIL + 4 + 2 * i, (uint16_t)(fz() % 4 ? fz() % e->d.q[0].num : fz()));
		for (uint32_t i = 0; i < 16; i++) {
			set_desc(e, i, fz_addr(), fz_len(), fz_flags(), (uint16_t)(fz() % 20));
			desc_at(e, IND, i, fz_addr(), fz_len(), fz_flags(), (uint16_t)(fz() % 20));
		}
		/* mostly plausible requests so that the devices do real work */
		if (fz() % 4) {
			uint64_t tbl = fz() % 3 ? DESC : IND;
			uint32_t type = (uint32_t)(fz() % 4 ? fz() % 2 : fz() % 16);
			uint32_t dlen = (uint32_t)(fz() % 4 ? 512 * (fz() % 4) : fz() % 2048);

			blk_header(e, type, fz() % 4 ? fz() % 70 : fz());
			desc_at(e, tbl, 0, HDR, 16, N, 1);
			desc_at(e, tbl, 1, BUF + fz() % 0x10000, dlen,
				N | (type == VIRTIO_BLK_T_OUT ? 0 : W), 2);
			desc_at(e, tbl, 2, STAT, 1, W, 0);
			if (tbl == IND)
				set_desc(e, 0, IND, 48, I, 0);
			if (fz() % 4 == 0) /* one random mutation */
				desc_at(e, tbl, (uint32_t)(fz() % 3), fz_addr(), fz_len(),
					fz_flags(), (uint16_t)(fz() % 20));
			for (uint32_t i = 0; i < e->d.q[0].num; i++)
				uv_w16(e->m, AVAIL + 4 + 2 * i, 0);
		}
		e->d.q[0].avail_idx = (uint16_t)(e->d.q[0].avail_idx + (fz() % 8 ? fz() % 3 : fz()));
		uv_w16(e->m, AVAIL, (uint16_t)(fz() % 2));
		uv_w16(e->m, AVAIL + 2, e->d.q[0].avail_idx);
		uint16_t before = used_idx(e);
		wr(e, VIRTIO_MMIO_QUEUE_NOTIFY, (uint32_t)(fz() % 8 ? 0 : fz()));
		completed += (uint16_t)(used_idx(e) - before);
		if (fz() % 16 == 0)
			wr(e, VIRTIO_MMIO_INTERRUPT_ACK, (uint32_t)fz());
		if (fz() % 64 == 0)
			virtio_mmio_write(&e->t, fz() % 0x1000, (int)(1u << (fz() % 4)), fz());
		assert_int_equal(e->irq_level, e->t.s.int_status != 0);
	}
	print_message("  %d rounds: %d chains completed, %d malformed rings\n", rounds,
		      completed, broken);
	assert_true(completed > rounds / 20);
	assert_true(broken > rounds / 20);
}

static void test_fuzz_blk(void **state)
{
	fuzz_rings(*state, 0x9e3779b97f4a7c15ull, 20000);
}

static void test_fuzz_rng(void **state)
{
	fuzz_rings(*state, 0x243f6a8885a308d3ull, 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ids_and_features, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_feature_negotiation, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_empty_slot, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_blk_write_read_flush_id, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_any_layout, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_indirect, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_many_segments, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_errors, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_discard_write_zeroes, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_discard_not_negotiated, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_host_io_errors, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_readonly, setup_blk_ro, teardown),
		cmocka_unit_test_setup_teardown(test_blk_init_errors, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_blk_malformed, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_blk_dma_tracking, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_rng_fill, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_interrupts, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_event_idx, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_chains, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_avail_idx, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_queue_config, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_notify, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_registers, setup_rng, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_blk, setup_blk, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_rng, setup_rng, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
