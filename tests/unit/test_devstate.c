/*
 * test_devstate.c - saving and loading a whole machine's CPU and device
 * state (migration/devstate.c, migration/vmstate.c).
 *
 * Two real machines are built from the same configuration (16 MiB, a
 * virtio-blk on a temporary image in slot 7, a virtio-net on a UDP socket
 * backend in slot 6, a virtio-rng in slot 5). The source is driven into a
 * non-trivial state through the devices' own register interfaces (hart
 * CSRs, CLINT, PLIC priorities/enables/claim, UART FIFO, RTC alarm, a
 * negotiated virtio-blk with a served request, virtio-net queues, a
 * half-configured rng), saved, and loaded into the destination; every
 * state struct must match (CLINT: mtime within a tolerance) and the
 * destination must go on serving the queue.
 *
 * Hostile blobs: one bad field per entry (each must leave the destination
 * byte-identical and name device and field), unknown / duplicate / missing
 * entries, wrong versions and lengths, every truncation, and a few thousand
 * random mutations (a successful load is then run: hart, queues, timers).
 * The tables themselves must cover every byte of their structs.
 */
#include "unit_machine.h"
#include "unit_exercise.h"

#include <fcntl.h>

#include "cpu/csr.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "devices/virtqueue.h"
#include "migration/devstate.h"
#include "migration/vmstate.h"
#include "net/netdev.h"

#define SLOT_BLK 7
#define SLOT_NET 6
#define SLOT_RNG 5

/* Guest RAM layout of the test driver */
#define BLK_DESC (UM_DRAM + 0x100000)
#define BLK_AVAIL (UM_DRAM + 0x101000)
#define BLK_USED (UM_DRAM + 0x102000)
#define BLK_HDR (UM_DRAM + 0x110000)
#define BLK_STAT (UM_DRAM + 0x111000)
#define NET_RING(q) (UM_DRAM + 0x120000 + (uint64_t)(q) * 0x4000)
#define QNUM 8

#define TICKS_PER_S MACHINE_TIMEBASE_HZ
#define TOLERANCE (TICKS_PER_S / 2) /* 0.5 s, ASan and a loaded host included */

struct vm {
	struct machine m;
	struct machine_config cfg;
	char kernel[64];
	char image[64];
	char drive_id[8];
	char netdev_id[8];
};

/* ---- machines -------------------------------------------------------- */

static int write_file(char *path, const void *data, size_t len, size_t size)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	if ((len && write(fd, data, len) != (ssize_t)len) ||
	    (size && ftruncate(fd, (off_t)size))) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static struct vm *vm_create(bool devices)
{
	static const uint32_t spin = 0x0000006f; /* j . */
	struct vm *v = calloc(1, sizeof(*v));
	char err[256];
	int rc;

	assert_non_null(v);
	strcpy(v->kernel, "/tmp/godwit-ds-kernel-XXXXXX");
	assert_int_equal(write_file(v->kernel, &spin, sizeof(spin), 0), 0);
	v->cfg.ram_size = UM_RAM_SIZE;
	v->cfg.kernel = v->kernel;
	v->cfg.bios = "none";
	if (devices) {
		strcpy(v->image, "/tmp/godwit-ds-disk-XXXXXX");
		assert_int_equal(write_file(v->image, NULL, 0, 64 * VIRTIO_BLK_SECTOR), 0);
		strcpy(v->drive_id, "d0");
		strcpy(v->netdev_id, "n0");
		v->cfg.drives[0].id = v->drive_id;
		v->cfg.drives[0].file = v->image;
		v->cfg.n_drives = 1;
		v->cfg.devices[0].kind = DEVICE_VIRTIO_BLK;
		v->cfg.devices[0].drive = v->drive_id;
		v->cfg.devices[1].kind = DEVICE_VIRTIO_NET;
		v->cfg.devices[1].netdev = v->netdev_id;
		v->cfg.devices[2].kind = DEVICE_VIRTIO_RNG;
		v->cfg.n_devices = 3;
		assert_int_equal(netdev_parse("socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0",
					      &v->cfg.netdevs[0], err, sizeof(err)), 0);
		v->cfg.n_netdevs = 1;
	}
	rc = machine_init(&v->m, &v->cfg);
	unlink(v->kernel);
	assert_int_equal(rc, 0);
	return v;
}

static void vm_destroy(struct vm *v)
{
	if (!v)
		return;
	machine_destroy(&v->m);
	if (v->image[0])
		unlink(v->image);
	free(v);
}

static struct virtio_net *net_of(struct vm *v)
{
	return v->m.vio[SLOT_NET].dev;
}

/* ---- driving the source ---------------------------------------------- */

static void vio_wr(struct vm *v, int slot, uint64_t off, uint32_t val)
{
	virtio_mmio_write(&v->m.vio[slot], off, 4, val);
}

static void put_desc(struct vm *v, uint64_t table, int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	um_w64(&v->m, table + 16 * (uint64_t)i, addr);
	um_w32(&v->m, table + 16 * (uint64_t)i + 8, len);
	um_w32(&v->m, table + 16 * (uint64_t)i + 12, (uint32_t)flags | (uint32_t)next << 16);
}

static void setup_queue(struct vm *v, int slot, int q, uint32_t num,
			uint64_t desc, uint64_t avail, uint64_t used)
{
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_SEL, (uint32_t)q);
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_NUM, num);
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	vio_wr(v, slot, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void negotiate(struct vm *v, int slot, uint64_t features)
{
	vio_wr(v, slot, VIRTIO_MMIO_STATUS, 0);
	vio_wr(v, slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	vio_wr(v, slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vio_wr(v, slot, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vio_wr(v, slot, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vio_wr(v, slot, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vio_wr(v, slot, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vio_wr(v, slot, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					     VIRTIO_STATUS_FEATURES_OK);
	assert_true(virtio_mmio_read(&v->m.vio[slot], VIRTIO_MMIO_STATUS, 4) &
		    VIRTIO_STATUS_FEATURES_OK);
}

/* Post a FLUSH request as avail entry `idx` and kick the blk queue. */
static void blk_flush(struct vm *v, uint16_t idx)
{
	um_w32(&v->m, BLK_HDR, VIRTIO_BLK_T_FLUSH);
	um_w32(&v->m, BLK_HDR + 4, 0);
	um_w64(&v->m, BLK_HDR + 8, 0);
	um_w8(&v->m, BLK_STAT, 0xff);
	put_desc(v, BLK_DESC, 0, BLK_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(v, BLK_DESC, 1, BLK_STAT, 1, VIRTQ_DESC_F_WRITE, 0);
	um_w32(&v->m, BLK_AVAIL + 4 + 2 * (uint64_t)(idx % QNUM), 0);
	um_w32(&v->m, BLK_AVAIL, (uint32_t)(idx + 1) << 16);
	vio_wr(v, SLOT_BLK, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static uint16_t blk_used_idx(struct vm *v)
{
	return (uint16_t)(um_r32(&v->m, BLK_USED) >> 16);
}

static void set_csr(struct hart *h, uint32_t csr, uint64_t val)
{
	assert_int_equal(hart_csr_write(h, csr, val), 0);
}

static void dirty_hart(struct machine *m)
{
	struct hart *h = &m->harts[0];

	for (int i = 1; i < 32; i++)
		h->s.x[i] = 0x0123456789abcdefull * (uint64_t)i;
	h->s.x[32] = 0xdead;
	for (int i = 0; i < 32; i++)
		h->s.f[i] = 0xfedcba9876543210ull ^ (uint64_t)i;
	set_csr(h, CSR_MSTATUS, MSTATUS_MPIE | (1ull << MSTATUS_MPP_SHIFT) | MSTATUS_SUM |
				MSTATUS_FS | MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_MXR);
	set_csr(h, CSR_FFLAGS, 0x15);
	set_csr(h, CSR_FRM, 3);
	set_csr(h, CSR_MEDELEG, 0xb1ff);
	set_csr(h, CSR_MIDELEG, 0x222);
	set_csr(h, CSR_MIE, 0xaaa);
	set_csr(h, CSR_MIP, MIP_SSIP);
	set_csr(h, CSR_MTVEC, UM_DRAM + 0x1001);
	set_csr(h, CSR_STVEC, UM_DRAM + 0x2000);
	set_csr(h, CSR_MEPC, UM_DRAM + 0x3002);
	set_csr(h, CSR_SEPC, UM_DRAM + 0x4004);
	set_csr(h, CSR_MSCRATCH, 0x1111);
	set_csr(h, CSR_SSCRATCH, 0x2222);
	set_csr(h, CSR_MCAUSE, CAUSE_INTERRUPT | 7);
	set_csr(h, CSR_SCAUSE, CAUSE_LOAD_PAGE);
	set_csr(h, CSR_MTVAL, 0x3333);
	set_csr(h, CSR_STVAL, 0x4444);
	set_csr(h, CSR_MCOUNTEREN, 7);
	set_csr(h, CSR_SCOUNTEREN, 5);
	set_csr(h, CSR_MENVCFG, 1);
	set_csr(h, CSR_SENVCFG, 1);
	set_csr(h, CSR_MCOUNTINHIBIT, 0xf0);
	set_csr(h, CSR_SATP, UM_SATP_SV39 | (5ull << 44) | ((UM_DRAM + 0x400000) >> 12));
	set_csr(h, CSR_PMPADDR0 + 1, 0x3fffffffffull);
	set_csr(h, CSR_PMPCFG0, 0x0f1full << 0);
	set_csr(h, CSR_MCYCLE, 123456);
	set_csr(h, CSR_MINSTRET, 987654);
	h->s.pc = UM_DRAM + 0x1236;
	h->s.priv = PRV_S;
	h->s.resv_valid = 1;
	h->s.resv_addr = UM_DRAM + 0x5008;
}

static void dirty_devices(struct vm *v)
{
	struct machine *m = &v->m;
	uint64_t f;

	/* CLINT: software interrupt, mtime moved, timer due */
	clint_write(&m->clint, 0, 4, 1);
	clint_write(&m->clint, 0xbff8, 8, 1000000000ull);
	clint_write(&m->clint, 0x4000, 8, 500000000ull);

	/* PLIC: priorities, enables, thresholds */
	for (int src = 1; src < 12; src++)
		plic_write(&m->plic, 4 * (uint64_t)src, 4, (uint64_t)(src % 7 + 1));
	plic_write(&m->plic, 4 * 40, 4, 6);
	plic_write(&m->plic, PLIC_ENABLE_BASE, 4, 0xffe);
	plic_write(&m->plic, PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE, 4, 0x0f00);
	plic_write(&m->plic, PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE + 8, 4, 0x80000001);
	plic_write(&m->plic, PLIC_CONTEXT_BASE, 4, 1);
	plic_write(&m->plic, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE, 4, 2);

	/* UART: receive interrupt on, FIFO enabled, divisor, 3 bytes queued
	 * after 2 were read (head 2) */
	uart_write(&m->uart, 3, 1, 0x83);
	uart_write(&m->uart, 0, 1, 0x0c);
	uart_write(&m->uart, 1, 1, 0x01);
	uart_write(&m->uart, 3, 1, 0x03);
	uart_write(&m->uart, 1, 1, 0x01);
	uart_write(&m->uart, 2, 1, 0xc1);
	uart_write(&m->uart, 7, 1, 0x5a);
	uart_write(&m->uart, 4, 1, 0x0b);
	assert_int_equal(uart_receive(&m->uart, (const uint8_t *)"hello", 5), 5);
	assert_int_equal(uart_read(&m->uart, 0, 1), 'h');
	assert_int_equal(uart_read(&m->uart, 0, 1), 'e');

	/* RTC: time moved, alarm an hour ahead, interrupt enabled */
	rtc_write(&m->rtc, RTC_TIME_HIGH, 4, 0x12);
	rtc_read(&m->rtc, RTC_TIME_LOW, 4);
	f = rtc_time_ns(&m->rtc) + 3600ull * 1000000000ull;
	rtc_write(&m->rtc, RTC_ALARM_HIGH, 4, f >> 32);
	rtc_write(&m->rtc, RTC_ALARM_LOW, 4, f & 0xffffffffull);
	rtc_write(&m->rtc, RTC_IRQ_ENABLED, 4, 1);

	m->htif.s.tohost = 0x0101000000000041ull;
	m->htif.s.fromhost = 0x42;

	/* virtio-blk: negotiated, one queue ready, one request served */
	negotiate(v, SLOT_BLK, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_EVENT_IDX) |
				       (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
				       (1ull << VIRTIO_BLK_F_FLUSH));
	setup_queue(v, SLOT_BLK, 0, QNUM, BLK_DESC, BLK_AVAIL, BLK_USED);
	vio_wr(v, SLOT_BLK, VIRTIO_MMIO_STATUS, 0x0f);
	blk_flush(v, 0);
	machine_disks_drain(m); /* the drive's I/O threads: finish and complete */
	assert_int_equal(blk_used_idx(v), 1);
	assert_int_equal(um_r8(m, BLK_STAT), VIRTIO_BLK_S_OK);

	/* virtio-net: both queues ready, no buffers */
	negotiate(v, SLOT_NET, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_NET_F_MAC) |
				       (1ull << VIRTIO_NET_F_STATUS));
	for (int q = 0; q < 2; q++)
		setup_queue(v, SLOT_NET, q, 16, NET_RING(q), NET_RING(q) + 0x1000,
			    NET_RING(q) + 0x2000);
	vio_wr(v, SLOT_NET, VIRTIO_MMIO_STATUS, 0x0f);

	/* virtio-rng: mid-negotiation, with junk the transport tolerates */
	vio_wr(v, SLOT_RNG, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vio_wr(v, SLOT_RNG, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vio_wr(v, SLOT_RNG, VIRTIO_MMIO_DRIVER_FEATURES, 0x100);
	vio_wr(v, SLOT_RNG, VIRTIO_MMIO_QUEUE_SEL, 0);
	vio_wr(v, SLOT_RNG, VIRTIO_MMIO_QUEUE_NUM, 3);
	vio_wr(v, SLOT_RNG, VIRTIO_MMIO_QUEUE_SEL, 42);

	/* claim on the S context: the UART (prio 4) beats blk (prio 2) */
	assert_int_equal(plic_read(&m->plic, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4, 4),
			 VIRT_UART_IRQ);
}

static void dirty(struct vm *v)
{
	dirty_hart(&v->m);
	dirty_devices(v);
}

/* ---- comparing ------------------------------------------------------- */

struct snap {
	struct hart_state hart;
	uint64_t hw_ip;
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
	struct plic_state plic;
	struct uart_state uart;
	struct rtc_state rtc;
	struct htif_state htif;
	struct virtio_mmio_state vio[VIRT_VIRTIO_COUNT];
	struct virtio_net_state net;
	bool uart_irq, rtc_irq, vio_irq[VIRT_VIRTIO_COUNT];
};

static void take(struct vm *v, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(&s->hart, &v->m.harts[0].s, sizeof(s->hart));
	s->hw_ip = v->m.harts[0].hw_ip;
	memcpy(s->msip, v->m.clint.s.msip, sizeof(s->msip));
	memcpy(s->mtimecmp, v->m.clint.s.mtimecmp, sizeof(s->mtimecmp));
	memcpy(&s->plic, &v->m.plic.s, sizeof(s->plic));
	memcpy(&s->uart, &v->m.uart.s, sizeof(s->uart));
	memcpy(&s->rtc, &v->m.rtc.s, sizeof(s->rtc));
	memcpy(&s->htif, &v->m.htif.s, sizeof(s->htif));
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		memcpy(&s->vio[i], &v->m.vio[i].s, sizeof(s->vio[i]));
		s->vio_irq[i] = v->m.vio[i].irq_level;
	}
	if (net_of(v))
		memcpy(&s->net, &net_of(v)->s, sizeof(s->net));
	s->uart_irq = v->m.uart.irq_level;
	s->rtc_irq = v->m.rtc.irq_level;
}

static void assert_same(const void *a, const void *b, size_t n, const char *what)
{
	if (memcmp(a, b, n)) {
		const uint8_t *x = a, *y = b;
		size_t i = 0;

		while (x[i] == y[i])
			i++;
		print_error("%s differs at byte %zu: 0x%02x vs 0x%02x\n", what, i, x[i], y[i]);
		fail();
	}
}

/* Everything of the machine a load could touch, byte for byte. */
struct whole {
	struct machine m;
	struct virtio_net net;
	uint8_t blk[sizeof(struct virtio_blk)];
};

static struct whole *whole_take(struct vm *v)
{
	struct whole *w = malloc(sizeof(*w));

	assert_non_null(w);
	memcpy(&w->m, &v->m, sizeof(w->m));
	memcpy(&w->net, net_of(v), sizeof(w->net));
	memcpy(w->blk, v->m.vio[SLOT_BLK].dev, sizeof(w->blk));
	return w;
}

static void whole_check(struct vm *v, const struct whole *w)
{
	assert_same(&w->m, &v->m, sizeof(w->m), "struct machine");
	assert_same(&w->net, net_of(v), sizeof(w->net), "struct virtio_net");
	assert_same(w->blk, v->m.vio[SLOT_BLK].dev, sizeof(w->blk), "struct virtio_blk");
}

/* ---- blob surgery ---------------------------------------------------- */

struct ent {
	const uint8_t *p; /* start of the entry */
	size_t len;       /* whole entry */
	char name[64];
	size_t payload;   /* offset of the payload in the entry */
};

static int split(const uint8_t *b, size_t len, struct ent *e, int max)
{
	size_t pos = 0;
	int n = 0;

	while (pos < len && n < max) {
		size_t nl = b[pos];
		uint32_t pl;

		memcpy(&pl, b + pos + 1 + nl + 2, 4);
		e[n].p = b + pos;
		e[n].payload = 1 + nl + 6;
		e[n].len = e[n].payload + pl;
		memcpy(e[n].name, b + pos + 1, nl);
		e[n].name[nl] = 0;
		pos += e[n].len;
		n++;
	}
	assert_int_equal(pos, len);
	return n;
}

static const struct ent *ent_named(const struct ent *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	fail_msg("no entry %s", name);
	return NULL;
}

static const struct vmstate_desc *desc_named(const char *entry)
{
	size_t n, len = strcspn(entry, ".");
	const struct vmstate_desc *const *d = devstate_descs(&n);

	for (size_t i = 0; i < n; i++)
		if (strlen(d[i]->name) == len && !strncmp(d[i]->name, entry, len))
			return d[i];
	fail_msg("no table for %s", entry);
	return NULL;
}

/* Offset of element j of field `field` in the entry's payload. */
static size_t field_off(const struct vmstate_desc *d, const char *field, uint32_t j,
			uint8_t *size)
{
	size_t off = 0;

	for (size_t i = 0; i < d->n_fields; i++) {
		const struct vmstate_field *f = &d->fields[i];

		if (!strcmp(f->name, field)) {
			assert_true(j < f->count);
			*size = f->size;
			return off + (size_t)j * f->size;
		}
		off += (size_t)f->size * f->count;
	}
	fail_msg("no field %s in %s", field, d->name);
	return 0;
}

static uint8_t *field_ptr(uint8_t *blob, size_t len, const char *entry,
			  const char *field, uint32_t j, uint8_t *size)
{
	struct ent e[32];
	int n = split(blob, len, e, 32);
	const struct ent *x = ent_named(e, n, entry);

	return blob + (x->p - blob) + x->payload + field_off(desc_named(entry), field, j, size);
}

static uint64_t peek(uint8_t *blob, size_t len, const char *entry, const char *field,
		     uint32_t j)
{
	uint8_t size, *p = field_ptr(blob, len, entry, field, j, &size);
	uint64_t v = 0;

	for (int b = size - 1; b >= 0; b--)
		v = v << 8 | p[b];
	return v;
}

static void poke(uint8_t *blob, size_t len, const char *entry, const char *field,
		 uint32_t j, uint64_t v)
{
	uint8_t size, *p = field_ptr(blob, len, entry, field, j, &size);

	for (int b = 0; b < size; b++)
		p[b] = (uint8_t)(v >> (8 * b));
}

/* A blob of raw entry bytes: append an entry. */
static size_t append(uint8_t *out, size_t pos, const char *name, uint16_t version,
		     const void *payload, uint32_t plen)
{
	size_t nl = strlen(name);

	out[pos++] = (uint8_t)nl;
	memcpy(out + pos, name, nl);
	pos += nl;
	out[pos++] = (uint8_t)version;
	out[pos++] = (uint8_t)(version >> 8);
	for (int b = 0; b < 4; b++)
		out[pos++] = (uint8_t)(plen >> (8 * b));
	memcpy(out + pos, payload, plen);
	return pos + plen;
}

static void assert_one_line(const char *err)
{
	assert_true(err[0] != 0);
	assert_null(strchr(err, '\n'));
}

/* ---- fixtures -------------------------------------------------------- */

struct env {
	struct vm *src, *dst;
	uint8_t *blob;
	size_t len;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	e->src = vm_create(true);
	e->dst = vm_create(true);
	dirty(e->src);
	/* guest RAM travels separately (RAM pre-copy); copy it here */
	memcpy(e->dst->m.ram.host, e->src->m.ram.host, e->src->m.ram.size);
	if (devstate_save(&e->src->m, &e->blob, &e->len))
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	if (e) {
		vm_destroy(e->src);
		vm_destroy(e->dst);
		free(e->blob);
		free(e);
	}
	return 0;
}

/* ---- round trip ------------------------------------------------------ */

static void test_round_trip(void **state)
{
	struct env *e = *state;
	struct snap a, b;
	char err[256] = "";
	int64_t dt;

	assert_int_equal(devstate_load(&e->dst->m, e->blob, e->len, err, sizeof(err)), 0);
	dt = (int64_t)(clint_mtime(&e->dst->m.clint) - clint_mtime(&e->src->m.clint));
	assert_true(dt > -(int64_t)TOLERANCE && dt < (int64_t)TOLERANCE);
	take(e->src, &a);
	take(e->dst, &b);
	assert_same(&a.hart, &b.hart, sizeof(a.hart), "hart");
	assert_hex_equal(b.hw_ip, MIP_MTIP | MIP_MSIP | MIP_MEIP);
	assert_hex_equal(a.hw_ip, b.hw_ip);
	assert_same(&a.plic, &b.plic, sizeof(a.plic), "plic");
	assert_same(&a.uart, &b.uart, sizeof(a.uart), "uart");
	assert_same(&a.rtc, &b.rtc, sizeof(a.rtc), "rtc");
	assert_same(&a.htif, &b.htif, sizeof(a.htif), "htif");
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++)
		assert_same(&a.vio[i], &b.vio[i], sizeof(a.vio[i]), "virtio-mmio");
	assert_same(&a.net, &b.net, sizeof(a.net), "virtio-net");
	assert_same(&a, &b, sizeof(a), "snapshot");
	assert_true(b.uart_irq);
	assert_true(b.vio_irq[SLOT_BLK]);

	/* the destination goes on serving the queue where the source stopped */
	blk_flush(e->dst, 1);
	machine_disks_drain(&e->dst->m);
	assert_int_equal(blk_used_idx(e->dst), 2);
	assert_int_equal(um_r8(&e->dst->m, BLK_STAT), VIRTIO_BLK_S_OK);
	/* and the UART FIFO continues */
	assert_int_equal(uart_read(&e->dst->m.uart, 0, 1), 'l');
}

static void test_format(void **state)
{
	struct env *e = *state;
	static const char *const order[] = {
		"hart.0", "clint", "plic", "uart", "rtc", "htif", "virtio-mmio.5",
		"virtio-mmio.6", "virtio-net.6", "virtio-mmio.7",
	};
	struct ent x[32];
	int n = split(e->blob, e->len, x, 32);

	assert_int_equal(n, (int)VMS_COUNT(order));
	for (int i = 0; i < n; i++) {
		const struct vmstate_desc *d = desc_named(order[i]);
		uint32_t pl;

		assert_string_equal(x[i].name, order[i]);
		assert_int_equal(x[i].p[1 + strlen(order[i])], d->version & 0xff);
		memcpy(&pl, x[i].p + 1 + strlen(order[i]) + 2, 4);
		assert_int_equal(pl, vmstate_size(d));
	}
}

/* Entries in any order load the same. */
static void test_reordered(void **state)
{
	struct env *e = *state;
	struct ent x[32];
	int n = split(e->blob, e->len, x, 32);
	uint8_t *r = malloc(e->len);
	size_t pos = 0;
	char err[256];

	assert_non_null(r);
	for (int i = n - 1; i >= 0; i--) {
		memcpy(r + pos, x[i].p, x[i].len);
		pos += x[i].len;
	}
	assert_int_equal(devstate_load(&e->dst->m, r, pos, err, sizeof(err)), 0);
	assert_same(&e->src->m.harts[0].s, &e->dst->m.harts[0].s, sizeof(struct hart_state), "hart");
	free(r);
}

/* A fresh machine (reset state) survives a round trip into itself. */
static void test_fresh_self(void **state)
{
	struct env *e = *state;
	struct vm *v = vm_create(true);
	uint8_t *b;
	size_t len;
	struct snap before, after;
	char err[256];

	(void)e;
	take(v, &before);
	assert_int_equal(devstate_save(&v->m, &b, &len), 0);
	assert_int_equal(devstate_load(&v->m, b, len, err, sizeof(err)), 0);
	take(v, &after);
	assert_same(&before, &after, sizeof(before), "fresh machine");
	free(b);
	vm_destroy(v);
}

/* ---- time ------------------------------------------------------------ */

/* Load with the save's wall clock at realtime_ns: guest mtime must be the
 * saved one plus want_s seconds (and at most TOLERANCE more). */
static void check_catch_up(struct env *e, uint64_t realtime_ns, uint64_t want_s)
{
	uint8_t *b = malloc(e->len);
	uint64_t saved, mt;
	char err[256];

	assert_non_null(b);
	memcpy(b, e->blob, e->len);
	saved = peek(b, e->len, "clint", "mtime", 0);
	poke(b, e->len, "clint", "realtime_ns", 0, realtime_ns);
	assert_int_equal(devstate_load(&e->dst->m, b, e->len, err, sizeof(err)), 0);
	mt = clint_mtime(&e->dst->m.clint);
	assert_true(mt >= saved + want_s * TICKS_PER_S);
	assert_true(mt < saved + want_s * TICKS_PER_S + TOLERANCE);
	free(b);
}

static void test_clint_time(void **state)
{
	struct env *e = *state;
	const uint64_t s = 1000000000ull;

	check_catch_up(e, rtc_realtime_ns() - 10 * s, 10);  /* 10 s on the wire */
	check_catch_up(e, rtc_realtime_ns() + 3600 * s, 0); /* clock behind: never back */
	check_catch_up(e, rtc_realtime_ns() - 86400 * s, 60); /* absurd gap: a minute */
	check_catch_up(e, 0, 60);
	check_catch_up(e, UINT64_MAX, 0);
}

/* ---- one bad field --------------------------------------------------- */

struct bad {
	const char *entry, *field;
	uint32_t idx;
	uint64_t val;
	const char *msg; /* expected start of the message */
};

static const struct bad bads[] = {
	{ "uart", "rx_count", 0, 200, "uart: rx_count 200 exceeds 16" },
	{ "uart", "rx_count", 0, 17, "uart: rx_count 17 exceeds 16" },
	{ "uart", "rx_head", 0, 16, "uart: rx_head 16 exceeds 15" },
	{ "uart", "fcr", 0, 0x02, "uart: fcr 0x02 has bits outside 0xc9" },
	{ "uart", "msr", 0, 1, "uart: msr 1 exceeds 0" },
	{ "uart", "ier", 0, 0x10, "uart: ier 16 exceeds 15" },
	{ "uart", "thr_ipending", 0, 2, "uart: thr_ipending 2 exceeds 1" },
	{ "hart.0", "priv", 0, 2, "hart.0: priv 2 is not a privilege mode" },
	{ "hart.0", "priv", 0, 4, "hart.0: priv 4 exceeds 3" },
	{ "hart.0", "x[0]", 0, 5, "hart.0: x[0] 5 exceeds 0" },
	{ "hart.0", "pc", 0, UM_DRAM + 1, "hart.0: pc 0x80000001 is not 2-byte aligned" },
	{ "hart.0", "fflags", 0, 0x20, "hart.0: fflags 32 exceeds 31" },
	{ "hart.0", "frm", 0, 8, "hart.0: frm 8 exceeds 7" },
	{ "hart.0", "wfi", 0, 2, "hart.0: wfi 2 exceeds 1" },
	{ "hart.0", "resv_valid", 0, 3, "hart.0: resv_valid 3 exceeds 1" },
	{ "hart.0", "satp", 0, 5ull << 60, "hart.0: satp MODE 5 is not bare, Sv39 or Sv48" },
	{ "hart.0", "satp", 0, 0x1234, "hart.0: satp 0x1234 is bare with ASID/PPN bits" },
	{ "hart.0", "mstatus", 0, (2ull << 32) | (2ull << 34) | MSTATUS_UBE, "hart.0: mstatus 0xa00000040 has bits" },
	{ "hart.0", "mstatus", 0, (2ull << 32) | (1ull << 34), "hart.0: mstatus 0x600000000 has bits" },
	{ "hart.0", "mstatus", 0, (2ull << 32) | (2ull << 34) | MSTATUS_SD, "hart.0: mstatus" },
	{ "hart.0", "mstatus", 0, (2ull << 32) | (2ull << 34) | (2ull << MSTATUS_MPP_SHIFT), "hart.0: mstatus 0xa00001000 has the reserved MPP 2" },
	{ "hart.0", "medeleg", 0, 1ull << 11, "hart.0: medeleg 0x800 has bits outside 0xb3ff" },
	{ "hart.0", "mideleg", 0, MIP_MSIP, "hart.0: mideleg 0x8 has bits outside 0x222" },
	{ "hart.0", "mie", 0, 1, "hart.0: mie 0x1 has bits outside 0xaaa" },
	{ "hart.0", "mip", 0, MIP_MTIP, "hart.0: mip 0x80 has bits outside 0x222" },
	{ "hart.0", "mepc", 0, UM_DRAM + 1, "hart.0: mepc 0x80000001 has bits outside" },
	{ "hart.0", "mtvec", 0, UM_DRAM + 2, "hart.0: mtvec 0x80000002 has a reserved mode" },
	{ "hart.0", "stvec", 0, UM_DRAM + 3, "hart.0: stvec 0x80000003 has a reserved mode" },
	{ "hart.0", "mcountinhibit", 0, 2, "hart.0: mcountinhibit 0x2 has bits outside" },
	{ "hart.0", "tselect", 0, HART_NUM_TRIG, "hart.0: tselect 4 exceeds 3" },
	{ "hart.0", "tcontrol", 0, 1, "hart.0: tcontrol 0x1 has bits outside 0x88" },
	{ "hart.0", "tdata1", 1, 0, "hart.0: tdata1[1] 0x0 is not a legal trigger" },
	{ "hart.0", "tdata1", 3, (2ull << 60) | (1ull << 12), "hart.0: tdata1[3] 0x2000000000001000 is not a legal trigger" },
	{ "hart.0", "mcounteren", 0, 1ull << 32, "hart.0: mcounteren 0x100000000 exceeds 0xffffffff" },
	{ "hart.0", "menvcfg", 0, 2, "hart.0: menvcfg 2 exceeds 1" },
	{ "hart.0", "pmpcfg", 0, 0x60, "hart.0: pmpcfg entry 0 0x60 has reserved bits" },
	{ "hart.0", "pmpcfg", 1, 0x0200, "hart.0: pmpcfg entry 9 0x02 is W without R" },
	{ "hart.0", "pmpaddr", 3, 1ull << 54, "hart.0: pmpaddr[3] 0x40000000000000 exceeds 0x3fffffffffffff" },
	{ "clint", "msip", 0, 2, "clint: msip[0] 2 exceeds 1" },
	{ "plic", "priority", 3, 8, "plic: priority[3] 8 exceeds 7" },
	{ "plic", "priority", 0, 1, "plic: priority[0] 1 set for the reserved source 0" },
	{ "plic", "threshold", 1, 8, "plic: threshold[1] 8 exceeds 7" },
	{ "plic", "level", 0, 1u << 9, "plic: level[0] 0x00000200 has sources not wired" },
	{ "plic", "pending", 2, 1, "plic: pending[2] 0x00000001 has sources not wired" },
	{ "plic", "claimed", 0, 1, "plic: claimed[0] 0x00000001 has sources not wired" },
	{ "plic", "enable", PLIC_NUM_WORDS, 0xf01, "plic: enable[1][0] 0x00000f01 enables the reserved source 0" },
	{ "plic", "enable", 2 * PLIC_NUM_WORDS, 0x400, "plic: context 2 is set up, but this machine has 1 harts" },
	{ "clint", "msip", 1, 1, "clint: msip[1] set, but this machine has 1 harts" },
	{ "rtc", "alarm_armed", 0, 2, "rtc: alarm_armed 2 exceeds 1" },
	{ "rtc", "irq_enabled", 0, 7, "rtc: irq_enabled 7 exceeds 1" },
	{ "rtc", "irq_pending", 0, 0x100, "rtc: irq_pending 256 exceeds 1" },
	{ "virtio-mmio.7", "int_status", 0, 4, "virtio-mmio.7: int_status 4 exceeds 3" },
	{ "virtio-mmio.7", "status", 0, 0x100, "virtio-mmio.7: status 256 exceeds 255" },
	{ "virtio-mmio.7", "driver_features", 0, (1ull << VIRTIO_F_VERSION_1) | (1ull << 40),
	  "virtio-mmio.7: driver_features 0x10100000000 not offered by virtio-blk" },
	{ "virtio-mmio.7", "driver_features", 0, 1ull << VIRTIO_BLK_F_FLUSH,
	  "virtio-mmio.7: driver_features 0x200 accepted without VERSION_1" },
	{ "virtio-mmio.7", "vq[0].num", 0, 3, "virtio-mmio.7: vq[0].num 3 of a ready queue is not a power of two <= 256" },
	{ "virtio-mmio.7", "vq[0].num", 0, 512, "virtio-mmio.7: vq[0].num 512" },
	{ "virtio-mmio.7", "vq[0].num", 0, 0, "virtio-mmio.7: vq[0].num 0" },
	{ "virtio-mmio.7", "vq[0].desc", 0, BLK_DESC + 8, "virtio-mmio.7: vq[0] rings" },
	{ "virtio-mmio.7", "vq[0].used", 0, UM_DRAM + UM_RAM_SIZE - 16, "virtio-mmio.7: vq[0] rings" },
	{ "virtio-mmio.7", "vq[0].avail", 0, 0x1000, "virtio-mmio.7: vq[0] rings" },
	{ "virtio-mmio.7", "vq[0].ready", 0, 2, "virtio-mmio.7: vq[0].ready 2 exceeds 1" },
	{ "virtio-mmio.7", "vq[0].broken", 0, 2, "virtio-mmio.7: vq[0].broken 2 exceeds 1" },
	{ "virtio-mmio.7", "vq[1].num", 0, 8, "virtio-mmio.7: vq[1] is set up but virtio-blk has 1 queue(s)" },
	{ "virtio-mmio.7", "vq[7].used_idx", 0, 1, "virtio-mmio.7: vq[7] is set up" },
	{ "virtio-mmio.6", "vq[1].num", 0, 512, "virtio-mmio.6: vq[1].num 512" },
	{ "virtio-mmio.6", "vq[2].ready", 0, 1, "virtio-mmio.6: vq[2] is set up but virtio-net has 2 queue(s)" },
	{ "virtio-mmio.5", "vq[0].ready", 0, 1, "virtio-mmio.5: vq[0].num 3 of a ready queue" },
	{ "virtio-net.6", "mac", 0, 0x53, "virtio-net.6: mac 53:54:00:12:34:56 is multicast" },
	{ "virtio-net.6", "status", 0, 2, "virtio-net.6: status 2 exceeds 1" },
};

/* A load that must fail: the message starts as expected, is one line,
 * and the destination is byte-identical afterwards. */
static void expect_refused(struct env *e, const uint8_t *b, size_t len, const char *msg)
{
	struct whole *w = whole_take(e->dst);
	char err[256] = "";

	if (devstate_load(&e->dst->m, b, len, err, sizeof(err)) == 0)
		fail_msg("loaded, expected \"%s\"", msg);
	assert_one_line(err);
	if (strncmp(err, msg, strlen(msg)))
		fail_msg("got \"%s\", expected \"%s\"", err, msg);
	whole_check(e->dst, w);
	free(w);
}

static void test_bad_fields(void **state)
{
	struct env *e = *state;
	uint8_t *b = malloc(e->len);
	char err[256];

	assert_non_null(b);
	/* the destination holds a loaded, non-trivial state to protect */
	assert_int_equal(devstate_load(&e->dst->m, e->blob, e->len, err, sizeof(err)), 0);
	for (size_t i = 0; i < VMS_COUNT(bads); i++) {
		memcpy(b, e->blob, e->len);
		poke(b, e->len, bads[i].entry, bads[i].field, bads[i].idx, bads[i].val);
		expect_refused(e, b, e->len, bads[i].msg);
	}
	/* the exact message of the brief */
	memcpy(b, e->blob, e->len);
	poke(b, e->len, "uart", "rx_count", 0, 200);
	assert_int_equal(devstate_load(&e->dst->m, b, e->len, err, sizeof(err)), -1);
	assert_string_equal(err, "uart: rx_count 200 exceeds 16");
	/* all-zero MAC */
	memcpy(b, e->blob, e->len);
	for (uint32_t j = 0; j < 6; j++)
		poke(b, e->len, "virtio-net.6", "mac", j, 0);
	expect_refused(e, b, e->len, "virtio-net.6: mac 00:00:00:00:00:00 is all zero");
	free(b);
}

/* Guest-reachable oddities the transport tolerates must still load. */
static void test_tolerated(void **state)
{
	struct env *e = *state;
	uint8_t *b = malloc(e->len);
	char err[256];

	assert_non_null(b);
	memcpy(b, e->blob, e->len);
	poke(b, e->len, "virtio-mmio.5", "queue_sel", 0, 0xffffffffu);
	poke(b, e->len, "virtio-mmio.5", "status", 0, 0x33);
	poke(b, e->len, "virtio-mmio.5", "driver_features", 0, ~0ull); /* not yet FEATURES_OK */
	poke(b, e->len, "virtio-mmio.5", "vq[0].num", 0, 1000);          /* not ready */
	poke(b, e->len, "virtio-mmio.5", "vq[0].broken", 0, 1);
	poke(b, e->len, "plic", "enable", 2, 0xffffffffu);
	poke(b, e->len, "hart.0", "priv", 0, PRV_U);
	poke(b, e->len, "hart.0", "satp", 0, (9ull << 60) | 0x0fffffffffffffffull);
	if (devstate_load(&e->dst->m, b, e->len, err, sizeof(err)))
		fail_msg("refused: %s", err);
	assert_int_equal(e->dst->m.vio[SLOT_RNG].s.queue_sel, 0xffffffffu);
	free(b);
}

/* ---- structure ------------------------------------------------------- */

static void test_structure(void **state)
{
	struct env *e = *state;
	struct ent x[32];
	int n = split(e->blob, e->len, x, 32);
	size_t cap = e->len * 2 + 512, pos;
	uint8_t *b = malloc(cap);
	const struct ent *u = ent_named(x, n, "uart");

	assert_non_null(b);

	/* unknown entry, also with a hostile name */
	memcpy(b, e->blob, e->len);
	pos = append(b, e->len, "bogus", 1, "", 0);
	expect_refused(e, b, pos, "unknown entry 'bogus'");
	memcpy(b, e->blob, e->len);
	pos = append(b, e->len, "a\nb\033c'", 1, "", 0);
	expect_refused(e, b, pos, "unknown entry 'a?b?c?'");

	/* duplicate */
	memcpy(b, e->blob, e->len);
	memcpy(b + e->len, u->p, u->len);
	expect_refused(e, b, e->len + u->len, "duplicate entry 'uart'");

	/* missing: everything but rtc */
	pos = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(x[i].name, "rtc")) {
			memcpy(b + pos, x[i].p, x[i].len);
			pos += x[i].len;
		}
	}
	expect_refused(e, b, pos, "missing entry 'rtc'");
	expect_refused(e, b, 0, "missing entry 'hart.0'");

	/* wrong version, wrong payload length */
	memcpy(b, e->blob, e->len);
	b[(size_t)(u->p - e->blob) + 1 + 4] = 2;
	expect_refused(e, b, e->len, "uart: version 2, this VMM loads version 1");
	pos = 0;
	for (int i = 0; i < n; i++) {
		if (&x[i] == u) {
			uint8_t pl[256] = { 0 };
			uint32_t plen = (uint32_t)(u->len - u->payload);

			memcpy(pl, u->p + u->payload, plen);
			pos = append(b, pos, "uart", 1, pl, plen + 1);
		} else {
			memcpy(b + pos, x[i].p, x[i].len);
			pos += x[i].len;
		}
	}
	expect_refused(e, b, pos, "uart: payload is 30 bytes, expected 29");

	/* trailing bytes */
	memcpy(b, e->blob, e->len);
	b[e->len] = 0;
	expect_refused(e, b, e->len + 1, "entry at byte");
	memcpy(b + e->len, "\006hart.0\001", 8);
	expect_refused(e, b, e->len + 8, "truncated entry header at byte");
	memcpy(b + e->len, "\006hart.0\001\000\377\377\377\377", 13);
	expect_refused(e, b, e->len + 13, "duplicate entry 'hart.0'");
	memcpy(b + e->len, "\004xxxx\001\000\377\377\377\377", 11);
	expect_refused(e, b, e->len + 11, "unknown entry 'xxxx'");

	/* a payload length past the end */
	memcpy(b, e->blob, e->len);
	memset(b + (size_t)(x[n - 1].p - e->blob) + x[n - 1].payload - 4, 0xff, 4);
	expect_refused(e, b, e->len, "virtio-mmio.7: truncated payload");
	free(b);
}

static void test_other_machines(void **state)
{
	struct env *e = *state;
	struct vm *bare = vm_create(false);
	uint8_t *b;
	size_t len;
	char err[256];

	/* a machine without the devices has no place for their state */
	assert_int_equal(devstate_load(&bare->m, e->blob, e->len, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown entry 'virtio-mmio.5' (no such device on this machine)");
	/* and its own state misses what the destination has */
	assert_int_equal(devstate_save(&bare->m, &b, &len), 0);
	expect_refused(e, b, len, "missing entry 'virtio-mmio.5'");
	/* it loads into an identical machine */
	assert_int_equal(devstate_load(&bare->m, b, len, err, sizeof(err)), 0);
	free(b);
	vm_destroy(bare);
}

static void test_truncation(void **state)
{
	struct env *e = *state;
	struct whole *w = whole_take(e->dst);
	struct snap before, after;
	char err[256];

	take(e->dst, &before);
	for (size_t l = 0; l < e->len; l++) {
		err[0] = 0;
		if (devstate_load(&e->dst->m, e->blob, l, err, sizeof(err)) == 0)
			fail_msg("a blob cut at %zu bytes loaded", l);
		assert_one_line(err);
		take(e->dst, &after);
		assert_same(&before, &after, sizeof(before), "state after a cut blob");
		if (l % 64 == 0)
			whole_check(e->dst, w);
	}
	whole_check(e->dst, w);
	free(w);
}

/* ---- fuzz ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* After a successful load the machine must run (unit_exercise.h). */
static void exercise(struct vm *v)
{
	const char *why = ue_impossible(&v->m);

	if (why)
		fail_msg("the loader accepted an impossible state: %s", why);
	ue_exercise(&v->m);
}

static void test_fuzz(void **state)
{
	struct env *e = *state;
	size_t cap = e->len + 64;
	uint8_t *b = malloc(cap);
	int ok = 0, refused = 0;
	char err[256];

	assert_non_null(b);
	for (int it = 0; it < 4000; it++) {
		size_t len = e->len;
		int kind = (int)(rnd() % 8);

		memcpy(b, e->blob, e->len);
		if (kind < 4) { /* a few bit flips */
			int flips = 1 + (int)(rnd() % 4);
			for (int k = 0; k < flips; k++)
				b[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
		} else if (kind == 4) { /* a random byte */
			b[rnd() % len] = (uint8_t)rnd();
		} else if (kind == 5) { /* a random run of bytes */
			size_t at = rnd() % len, n = 1 + rnd() % 16;
			for (size_t k = 0; k < n && at + k < len; k++)
				b[at + k] = (uint8_t)rnd();
		} else if (kind == 6) { /* a cut, maybe with junk after */
			len = rnd() % e->len;
			for (size_t k = 0, n = rnd() % 8; k < n; k++)
				b[len++] = (uint8_t)rnd();
		} else { /* pure noise */
			len = rnd() % cap;
			for (size_t k = 0; k < len; k++)
				b[k] = (uint8_t)rnd();
		}
		err[0] = 0;
		if (devstate_load(&e->dst->m, b, len, err, sizeof(err)) == 0) {
			ok++;
			exercise(e->dst);
		} else {
			refused++;
			assert_one_line(err);
		}
	}
	print_message("fuzz: %d loaded, %d refused\n", ok, refused);
	assert_true(ok > 0);
	assert_true(refused > 0);
	free(b);
}

/* ---- the tables ------------------------------------------------------ */

static void test_tables_cover_structs(void **state)
{
	size_t n;
	const struct vmstate_desc *const *d = devstate_descs(&n);
	char err[256];

	(void)state;
	assert_int_equal(n, 8);
	for (size_t i = 0; i < n; i++) {
		if (vmstate_check_desc(d[i], err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(vmstate_size(d[i]) > 0);
		assert_true(d[i]->version >= 1);
	}
}

struct demo {
	uint32_t a;
	uint16_t b;
	uint8_t c;
	uint8_t d;
	uint64_t e[2];
	uint8_t f;
};

static const struct vmstate_field demo_fields[] = {
	VMS_SCALAR(struct demo, a, VMS_ANY),
	VMS_SCALAR(struct demo, b, 1000),
	VMS_SCALAR(struct demo, c, VMS_ANY),
	VMS_SCALAR(struct demo, d, VMS_ANY),
	VMS_ARRAY(struct demo, e, VMS_ANY),
	VMS_SCALAR(struct demo, f, 3),
};

static const struct vmstate_field demo_pad[] = {
	VMS_HOLE("tail", offsetof(struct demo, f) + 1, sizeof(struct demo) - offsetof(struct demo, f) - 1),
};

static int demo_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct demo *s = state;

	(void)ctx;
	if (s->c > s->d) {
		snprintf(err, errlen, "c %u above d %u", s->c, s->d);
		return -1;
	}
	return 0;
}

static void test_vmstate_core(void **state)
{
	struct vmstate_desc d = { .name = "demo", .version = 1, .state_size = sizeof(struct demo),
				  .fields = demo_fields, .n_fields = VMS_COUNT(demo_fields),
				  .check = demo_check, .pad = demo_pad, .n_pad = 1 };
	struct demo in = { 0x11223344, 999, 5, 6, { 0x0102030405060708ull, 9 }, 3 }, out;
	uint8_t wire[64];
	char err[128];

	(void)state;
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), 0);
	assert_int_equal(vmstate_size(&d), 4 + 2 + 1 + 1 + 16 + 1);
	vmstate_save(&d, &in, wire);
	assert_int_equal(wire[0], 0x44); /* little endian */
	assert_int_equal(wire[3], 0x11);
	assert_int_equal(wire[4], 999 & 0xff);
	assert_int_equal(wire[8], 0x08);
	assert_int_equal(vmstate_load(&d, &out, wire, vmstate_size(&d), NULL, err, sizeof(err)), 0);
	assert_int_equal(out.a, in.a);
	assert_int_equal(out.b, in.b);
	assert_int_equal(out.e[0], in.e[0]);
	assert_int_equal(out.e[1], in.e[1]);
	assert_int_equal(out.f, in.f);

	assert_int_equal(vmstate_load(&d, &out, wire, vmstate_size(&d) - 1, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "payload is 24 bytes, expected 25");
	wire[4] = 0xe9; wire[5] = 0x03; /* b = 1001 */
	assert_int_equal(vmstate_load(&d, &out, wire, vmstate_size(&d), NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "b 1001 exceeds 1000");
	vmstate_save(&d, &in, wire);
	wire[6] = 7; /* c > d */
	assert_int_equal(vmstate_load(&d, &out, wire, vmstate_size(&d), NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "c 7 above d 6");
}

static void test_vmstate_coverage_errors(void **state)
{
	struct vmstate_field missing[VMS_COUNT(demo_fields)], overlap[VMS_COUNT(demo_fields) + 1];
	struct vmstate_field badsize[VMS_COUNT(demo_fields)], outside[VMS_COUNT(demo_fields)];
	struct vmstate_desc d = { .name = "demo", .version = 1, .state_size = sizeof(struct demo),
				  .fields = demo_fields, .n_fields = VMS_COUNT(demo_fields),
				  .pad = demo_pad, .n_pad = 1 };
	char err[160];

	(void)state;
	/* a forgotten member */
	memcpy(missing, demo_fields, sizeof(demo_fields));
	missing[3] = missing[5];
	d.fields = missing;
	d.n_fields = VMS_COUNT(demo_fields) - 1;
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "byte 7"));
	/* forgotten padding */
	d.fields = demo_fields;
	d.n_fields = VMS_COUNT(demo_fields);
	d.n_pad = 0;
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not declared padding"));
	d.n_pad = 1;
	/* a member listed twice */
	memcpy(overlap, demo_fields, sizeof(demo_fields));
	overlap[VMS_COUNT(demo_fields)] = demo_fields[0];
	d.fields = overlap;
	d.n_fields = VMS_COUNT(overlap);
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overlaps"));
	/* a bad size */
	memcpy(badsize, demo_fields, sizeof(demo_fields));
	badsize[0].size = 3;
	d.fields = badsize;
	d.n_fields = VMS_COUNT(badsize);
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), -1);
	/* past the end */
	memcpy(outside, demo_fields, sizeof(demo_fields));
	outside[4].count = 3;
	d.fields = outside;
	d.n_fields = VMS_COUNT(outside);
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "overlaps"));
	outside[4].count = 1u << 30;
	assert_int_equal(vmstate_check_desc(&d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "outside"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_cover_structs),
		cmocka_unit_test(test_vmstate_core),
		cmocka_unit_test(test_vmstate_coverage_errors),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_self, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clint_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tolerated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_structure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_machines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
