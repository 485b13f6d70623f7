/*
 * devstate.c - field tables of the hart and the board's devices, and the
 * save/load of a whole machine's device state (format in devstate.h).
 *
 * Each table's max values and check() accept exactly what the device code
 * can produce (the WARL masks of csr.c, the register writes of each device)
 * and what the destination's configuration allows (wired PLIC sources, the
 * features and queue limits of the device in each slot, guest RAM for ready
 * rings). Loading goes through a staging copy of every state; the machine
 * is written only once the whole blob has passed.
 *
 * Invariant: the entries of a machine (entries()) are fixed by its
 * configuration, so source and destination built from the same
 * configuration expect the same entries.
 */
#include "migration/devstate.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_net.h"

#define DS_VERSION 1
#define DS_MAX_ENTRIES (6 + 2 * VIRT_VIRTIO_COUNT)
#define DS_NAME_MAX 32
#define DS_HDR_FIXED 7 /* u8 name length, u16 version, u32 payload length */
/* Largest real-time gap the guest clock catches up after a load. */
#define DS_MAX_CATCHUP_NS (60ull * 1000000000ull)
/* NS16550 line control register: reading it has no side effect but the
 * irq/IIR/LSR refresh (uart.c keeps that helper static). */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- hart ------------------------------------------------------------ */

/* What csr.c lets software write into mstatus (MSTATUS_M_WRITABLE there);
 * traps and xRET only move bits inside it. UXL and SXL are fixed at 64. */
#define DS_MSTATUS_WRITABLE                                                \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |          \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV |             \
	 MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define DS_MSTATUS_FIXED ((2ull << 32) | (2ull << 34))
#define DS_MIP_SW (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define DS_PMP_CFG_BITS 0x9f

#define HS(member, mx) VMS_SCALAR(struct hart_state, member, mx)
#define HA(member, mx) VMS_ARRAY(struct hart_state, member, mx)

static const struct vmstate_field hart_fields[] = {
	HS(x[0], 0),
	{ "x", offsetof(struct hart_state, x[1]), 8, 32, VMS_ANY }, /* x1..x31, sink */
	HA(f, VMS_ANY),
	HS(pc, VMS_ANY),
	HS(priv, PRV_M),
	HS(fflags, 0x1f),
	HS(frm, 7),
	HS(wfi, 1),
	HS(resv_addr, VMS_ANY),
	HS(resv_valid, 1),
	HS(mstatus, VMS_ANY),
	HS(medeleg, VMS_ANY),
	HS(mideleg, VMS_ANY),
	HS(mie, VMS_ANY),
	HS(mip, VMS_ANY),
	HS(mtvec, VMS_ANY),
	HS(mscratch, VMS_ANY),
	HS(mepc, VMS_ANY),
	HS(mcause, VMS_ANY),
	HS(mtval, VMS_ANY),
	HS(mcounteren, 0xffffffffull),
	HS(mcountinhibit, 0xffffffffull),
	HS(menvcfg, 1),
	HS(stvec, VMS_ANY),
	HS(sscratch, VMS_ANY),
	HS(sepc, VMS_ANY),
	HS(scause, VMS_ANY),
	HS(stval, VMS_ANY),
	HS(satp, VMS_ANY),
	HS(scounteren, 0xffffffffull),
	HS(senvcfg, 1),
	HS(mcycle, VMS_ANY),
	HS(minstret, VMS_ANY),
	HA(pmpcfg, VMS_ANY),
	HA(pmpaddr, (1ull << 54) - 1),
	HS(tselect, HART_NUM_TRIG - 1),
	HA(tdata1, VMS_ANY),
	HA(tdata2, VMS_ANY),
	HS(tcontrol, TCONTROL_MTE | TCONTROL_MPTE),
};

static const struct vmstate_field hart_pad[] = {
	VMS_PAD(struct hart_state, pad0),
};

/* CSRs whose every legal value is a subset of a mask. */
static const struct {
	const char *name;
	size_t offset;
	uint64_t mask;
} hart_masks[] = {
	{ "medeleg", offsetof(struct hart_state, medeleg), 0xb3ff },
	{ "mideleg", offsetof(struct hart_state, mideleg), DS_MIP_SW },
	{ "mie", offsetof(struct hart_state, mie), 0xaaa },
	{ "mip", offsetof(struct hart_state, mip), DS_MIP_SW },
	{ "mcountinhibit", offsetof(struct hart_state, mcountinhibit), 0xfffffffdull },
	{ "mepc", offsetof(struct hart_state, mepc), ~1ull },
	{ "sepc", offsetof(struct hart_state, sepc), ~1ull },
	{ "tcontrol", offsetof(struct hart_state, tcontrol), TCONTROL_MTE | TCONTROL_MPTE },
};

static int hart_check_pmp(const struct hart_state *s, char *err, size_t errlen)
{
	for (int i = 0; i < HART_NUM_PMP; i++) {
		uint8_t b = (uint8_t)(s->pmpcfg[i / 8] >> (8 * (i % 8)));

		if (b & ~DS_PMP_CFG_BITS)
			return fail(err, errlen, "pmpcfg entry %d 0x%02x has reserved bits", i, b);
		if ((b & 3) == 2)
			return fail(err, errlen, "pmpcfg entry %d 0x%02x is W without R", i, b);
	}
	return 0;
}

static int hart_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct hart_state *s = state;
	uint64_t mode = s->satp >> 60;

	(void)ctx;
	if (s->priv == 2)
		return fail(err, errlen, "priv 2 is not a privilege mode");
	if (s->pc & 1)
		return fail(err, errlen, "pc 0x%" PRIx64 " is not 2-byte aligned", s->pc);
	if ((s->mstatus & ~DS_MSTATUS_WRITABLE) != DS_MSTATUS_FIXED)
		return fail(err, errlen, "mstatus 0x%" PRIx64 " has bits outside 0x%llx or UXL/SXL not 64-bit",
			    s->mstatus, DS_MSTATUS_WRITABLE);
	if ((s->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT == 2)
		return fail(err, errlen, "mstatus 0x%" PRIx64 " has the reserved MPP 2", s->mstatus);
	for (size_t i = 0; i < VMS_COUNT(hart_masks); i++) {
		uint64_t v;

		memcpy(&v, (const uint8_t *)state + hart_masks[i].offset, sizeof(v));
		if (v & ~hart_masks[i].mask)
			return fail(err, errlen, "%s 0x%" PRIx64 " has bits outside 0x%" PRIx64,
				    hart_masks[i].name, v, hart_masks[i].mask);
	}
	if ((s->mtvec & 3) >= 2 || (s->stvec & 3) >= 2)
		return fail(err, errlen, "%s 0x%" PRIx64 " has a reserved mode",
			    (s->mtvec & 3) >= 2 ? "mtvec" : "stvec",
			    (s->mtvec & 3) >= 2 ? s->mtvec : s->stvec);
	if (mode != 0 && mode != 8 && mode != 9)
		return fail(err, errlen, "satp MODE %" PRIu64 " is not bare, Sv39 or Sv48", mode);
	if (mode == 0 && s->satp)
		return fail(err, errlen, "satp 0x%" PRIx64 " is bare with ASID/PPN bits", s->satp);
	for (int i = 0; i < HART_NUM_TRIG; i++)
		if (hart_trig_legal_tdata1(s->tdata1[i]) != s->tdata1[i])
			return fail(err, errlen, "tdata1[%d] 0x%" PRIx64 " is not a legal trigger", i, s->tdata1[i]);
	return hart_check_pmp(s, err, errlen);
}

/* version 2: mcycle instead of mcycle_base, debug triggers */
#define DS_HART_VERSION 2

static const struct vmstate_desc hart_desc = {
	"hart", DS_HART_VERSION, sizeof(struct hart_state), hart_fields,
	VMS_COUNT(hart_fields), hart_check, hart_pad, VMS_COUNT(hart_pad),
};

/* ---- clint ----------------------------------------------------------- */

/* The clint entry: guest time as ticks plus the source's wall clock,
 * instead of clint_state.time_offset (see devstate.h). */
struct clint_wire {
	uint32_t msip;
	uint32_t pad;
	uint64_t mtimecmp;
	uint64_t mtime;       /* guest ticks at save */
	uint64_t realtime_ns; /* source CLOCK_REALTIME at save */
};

/* clint_state is mapped by hand: a new member must be added here too. */
_Static_assert(sizeof(struct clint_state) == 24 &&
		       offsetof(struct clint_state, mtimecmp) == 8 &&
		       offsetof(struct clint_state, time_offset) == 16,
	       "clint_state changed: update struct clint_wire and its table");

static const struct vmstate_field clint_fields[] = {
	VMS_SCALAR(struct clint_wire, msip, 1),
	VMS_SCALAR(struct clint_wire, mtimecmp, VMS_ANY),
	VMS_SCALAR(struct clint_wire, mtime, VMS_ANY),
	VMS_SCALAR(struct clint_wire, realtime_ns, VMS_ANY),
};

static const struct vmstate_field clint_pad[] = {
	VMS_PAD(struct clint_wire, pad),
};

static const struct vmstate_desc clint_desc = {
	"clint", DS_VERSION, sizeof(struct clint_wire), clint_fields,
	VMS_COUNT(clint_fields), NULL, clint_pad, VMS_COUNT(clint_pad),
};

/* time_offset making guest time resume at the saved mtime plus the real
 * time elapsed since the save, within [0, DS_MAX_CATCHUP_NS]. */
static int64_t clint_offset(const struct clint_wire *w)
{
	uint64_t now = rtc_realtime_ns(), elapsed = 0, mtime;

	if (now > w->realtime_ns)
		elapsed = now - w->realtime_ns;
	if (elapsed > DS_MAX_CATCHUP_NS)
		elapsed = DS_MAX_CATCHUP_NS;
	mtime = w->mtime + elapsed / (1000000000ull / MACHINE_TIMEBASE_HZ);
	return (int64_t)(mtime - machine_now_ticks());
}

/* ---- plic ------------------------------------------------------------ */

static const struct vmstate_field plic_fields[] = {
	VMS_ARRAY(struct plic_state, priority, PLIC_PRIO_MASK),
	VMS_ARRAY(struct plic_state, pending, VMS_ANY),
	VMS_ARRAY(struct plic_state, claimed, VMS_ANY),
	VMS_ARRAY(struct plic_state, level, VMS_ANY),
	VMS_ARRAY(struct plic_state, enable[0], VMS_ANY),
	VMS_ARRAY(struct plic_state, enable[1], VMS_ANY),
	VMS_ARRAY(struct plic_state, threshold, PLIC_PRIO_MASK),
};

/* Sources driven by a device of m: only those can be asserted, pending or
 * in service. A device given a new interrupt line must be added here. */
static void plic_wired(const struct machine *m, uint32_t wired[PLIC_NUM_WORDS])
{
	int irqs[2 + VIRT_VIRTIO_COUNT], n = 0;

	memset(wired, 0, PLIC_NUM_WORDS * sizeof(uint32_t));
	irqs[n++] = m->uart.irq;
	irqs[n++] = m->rtc.irq;
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++)
		irqs[n++] = m->vio[i].irq;
	for (int i = 0; i < n; i++)
		if (irqs[i] > 0 && irqs[i] < PLIC_NUM_SOURCES)
			wired[irqs[i] / 32] |= 1u << (irqs[i] % 32);
}

static int plic_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct plic_state *s = state;
	uint32_t wired[PLIC_NUM_WORDS];
	const struct {
		const char *name;
		const uint32_t *bits;
	} sets[] = { { "pending", s->pending }, { "claimed", s->claimed }, { "level", s->level } };

	plic_wired(ctx, wired);
	if (s->priority[0])
		return fail(err, errlen, "priority[0] %" PRIu32 " set for the reserved source 0",
			    s->priority[0]);
	for (size_t k = 0; k < VMS_COUNT(sets); k++)
		for (int w = 0; w < PLIC_NUM_WORDS; w++)
			if (sets[k].bits[w] & ~wired[w])
				return fail(err, errlen, "%s[%d] 0x%08" PRIx32 " has sources not wired on this machine (0x%08" PRIx32 ")",
					    sets[k].name, w, sets[k].bits[w], sets[k].bits[w] & ~wired[w]);
	for (int c = 0; c < PLIC_NUM_CONTEXTS; c++)
		if (s->enable[c][0] & 1)
			return fail(err, errlen, "enable[%d][0] 0x%08" PRIx32 " enables the reserved source 0",
				    c, s->enable[c][0]);
	return 0;
}

static const struct vmstate_desc plic_desc = {
	"plic", DS_VERSION, sizeof(struct plic_state), plic_fields,
	VMS_COUNT(plic_fields), plic_check, NULL, 0,
};

/* ---- uart, rtc, htif ------------------------------------------------- */

#define US(member, mx) VMS_SCALAR(struct uart_state, member, mx)

static const struct vmstate_field uart_fields[] = {
	US(ier, 0x0f),
	US(iir, VMS_ANY), /* derived: recomputed after a load */
	US(lcr, VMS_ANY),
	US(mcr, 0x1f),
	US(lsr, VMS_ANY), /* derived */
	US(msr, 0),       /* never written */
	US(scr, VMS_ANY),
	US(fcr, 0xc9),
	US(dll, VMS_ANY),
	US(dlm, VMS_ANY),
	US(thr_ipending, 1),
	US(rx_head, UART_FIFO_SIZE - 1),
	US(rx_count, UART_FIFO_SIZE),
	VMS_ARRAY(struct uart_state, rx_fifo, VMS_ANY),
};

static int uart_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct uart_state *s = state;

	(void)ctx;
	if (s->fcr & ~0xc9)
		return fail(err, errlen, "fcr 0x%02x has bits outside 0xc9", s->fcr);
	return 0;
}

static const struct vmstate_desc uart_desc = {
	"uart", DS_VERSION, sizeof(struct uart_state), uart_fields,
	VMS_COUNT(uart_fields), uart_check, NULL, 0,
};

static const struct vmstate_field rtc_fields[] = {
	VMS_SCALAR(struct rtc_state, time_offset, VMS_ANY),
	VMS_SCALAR(struct rtc_state, alarm, VMS_ANY),
	VMS_SCALAR(struct rtc_state, time_high, VMS_ANY),
	VMS_SCALAR(struct rtc_state, alarm_armed, 1),
	VMS_SCALAR(struct rtc_state, irq_enabled, 1),
	VMS_SCALAR(struct rtc_state, irq_pending, 1),
};

static const struct vmstate_desc rtc_desc = {
	"rtc", DS_VERSION, sizeof(struct rtc_state), rtc_fields,
	VMS_COUNT(rtc_fields), NULL, NULL, 0,
};

static const struct vmstate_field htif_fields[] = {
	VMS_SCALAR(struct htif_state, tohost, VMS_ANY),
	VMS_SCALAR(struct htif_state, fromhost, VMS_ANY),
};

static const struct vmstate_desc htif_desc = {
	"htif", DS_VERSION, sizeof(struct htif_state), htif_fields,
	VMS_COUNT(htif_fields), NULL, NULL, 0,
};

/* ---- virtio-mmio transport ------------------------------------------- */


#define VS(member, mx) VMS_SCALAR(struct virtio_mmio_state, member, mx)
/* Queue registers can hold anything the driver wrote while not ready
 * (set_ready validates them); a ready queue is checked as a whole. */
#define VS_VQ(q)                                                          \
	VS(vq[q].num, VMS_ANY), VS(vq[q].ready, 1), VS(vq[q].desc, VMS_ANY), \
	VS(vq[q].avail, VMS_ANY), VS(vq[q].used, VMS_ANY),                  \
	VS(vq[q].last_avail_idx, VMS_ANY), VS(vq[q].used_idx, VMS_ANY),     \
	VS(vq[q].signalled_used, VMS_ANY), VS(vq[q].signalled_used_valid, 1), \
	VS(vq[q].broken, 1)

_Static_assert(VIRTIO_MMIO_MAX_QUEUES == 8, "vio_fields lists 8 queues");

static const struct vmstate_field vio_fields[] = {
	VS(status, 0xff), /* any byte the driver wrote, plus NEEDS_RESET */
	VS(dev_features_sel, VMS_ANY),
	VS(drv_features_sel, VMS_ANY),
	VS(driver_features, VMS_ANY),
	VS(queue_sel, VMS_ANY), /* out-of-range selections are inert */
	VS(int_status, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG),
	VS(config_generation, VMS_ANY),
	VS(shm_sel, VMS_ANY),
	VS_VQ(0), VS_VQ(1), VS_VQ(2), VS_VQ(3),
	VS_VQ(4), VS_VQ(5), VS_VQ(6), VS_VQ(7),
};

static const struct vmstate_field vio_pad[] = {
	VMS_PAD(struct virtio_mmio_state, pad),
};

static int vio_check_queue(const struct virtio_mmio *t, const struct virtq_state *vq,
			   int q, char *err, size_t errlen)
{
	static const struct virtq_state zero;
	uint32_t max = t->ops.queue_max;

	if (q >= t->ops.num_queues) {
		if (memcmp(vq, &zero, sizeof(zero)))
			return fail(err, errlen, "vq[%d] is set up but %s has %d queue(s)",
				    q, t->ops.name, t->ops.num_queues);
		return 0;
	}
	if (!vq->ready)
		return 0;
	if (vq->num == 0 || vq->num > max || (vq->num & (vq->num - 1)))
		return fail(err, errlen, "vq[%d].num %" PRIu32 " of a ready queue is not a power of two <= %" PRIu32,
			    q, vq->num, max);
	if (!virtq_config_valid(t->m, vq, max))
		return fail(err, errlen, "vq[%d] rings (desc 0x%" PRIx64 ", avail 0x%" PRIx64 ", used 0x%" PRIx64 ") are misaligned or outside guest RAM",
			    q, vq->desc, vq->avail, vq->used);
	return 0;
}

/* ctx: the destination's transport for this slot. */
static int vio_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct virtio_mmio_state *s = state;
	const struct virtio_mmio *t = ctx;
	uint64_t offered = virtio_mmio_offered(t);

	if (s->status & VIRTIO_STATUS_FEATURES_OK) {
		if (s->driver_features & ~offered)
			return fail(err, errlen, "driver_features 0x%" PRIx64 " not offered by %s (0x%" PRIx64 ")",
				    s->driver_features, t->ops.name, offered);
		if (!(s->driver_features & (1ull << VIRTIO_F_VERSION_1)))
			return fail(err, errlen, "driver_features 0x%" PRIx64 " accepted without VERSION_1",
				    s->driver_features);
	}
	for (int q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		if (vio_check_queue(t, &s->vq[q], q, err, errlen))
			return -1;
	return 0;
}

static const struct vmstate_desc vio_desc = {
	"virtio-mmio", DS_VERSION, sizeof(struct virtio_mmio_state), vio_fields,
	VMS_COUNT(vio_fields), vio_check, vio_pad, VMS_COUNT(vio_pad),
};

/* ---- virtio-net ------------------------------------------------------ */

static const struct vmstate_field net_fields[] = {
	VMS_ARRAY(struct virtio_net_state, mac, VMS_ANY),
	VMS_SCALAR(struct virtio_net_state, status, VIRTIO_NET_S_LINK_UP),
};

static int net_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct virtio_net_state *s = state;
	const uint8_t *a = s->mac;

	(void)ctx;
	if ((a[0] & 1) || !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]))
		return fail(err, errlen, "mac %02x:%02x:%02x:%02x:%02x:%02x is %s",
			    a[0], a[1], a[2], a[3], a[4], a[5],
			    (a[0] & 1) ? "multicast" : "all zero");
	return 0;
}

static const struct vmstate_desc net_desc = {
	"virtio-net", DS_VERSION, sizeof(struct virtio_net_state), net_fields,
	VMS_COUNT(net_fields), net_check, NULL, 0,
};

static const struct vmstate_desc *const all_descs[] = {
	&hart_desc, &clint_desc, &plic_desc, &uart_desc, &rtc_desc,
	&htif_desc, &vio_desc, &net_desc,
};

const struct vmstate_desc *const *devstate_descs(size_t *n)
{
	*n = VMS_COUNT(all_descs);
	return all_descs;
}

/* ---- the machine's entries ------------------------------------------- */

/* Every state of a machine, as saved (and as staged by a load). */
struct ds_stage {
	struct hart_state hart;
	struct clint_wire clint;
	struct plic_state plic;
	struct uart_state uart;
	struct rtc_state rtc;
	struct htif_state htif;
	struct virtio_mmio_state vio[VIRT_VIRTIO_COUNT];
	struct virtio_net_state net[VIRT_VIRTIO_COUNT];
};

struct ds_entry {
	char name[DS_NAME_MAX];
	const struct vmstate_desc *d;
	void *state;     /* in the ds_stage */
	const void *ctx; /* for d->check */
	bool seen;
};

static struct virtio_net *slot_net(const struct machine *m, int i)
{
	return m->slot_dev[i] && m->slot_kind[i] == DEVICE_VIRTIO_NET ? m->slot_dev[i] : NULL;
}

static void add(struct ds_entry *e, size_t *n, const char *name,
		const struct vmstate_desc *d, void *state, const void *ctx)
{
	snprintf(e[*n].name, sizeof(e[*n].name), "%s", name);
	e[*n].d = d;
	e[*n].state = state;
	e[*n].ctx = ctx;
	e[*n].seen = false;
	(*n)++;
}

/* The entries of m, in save order, pointing into st. Returns how many. */
static size_t entries(const struct machine *m, struct ds_stage *st, struct ds_entry *e)
{
	char name[DS_NAME_MAX];
	size_t n = 0;

	add(e, &n, "hart", &hart_desc, &st->hart, NULL);
	add(e, &n, "clint", &clint_desc, &st->clint, NULL);
	add(e, &n, "plic", &plic_desc, &st->plic, m);
	add(e, &n, "uart", &uart_desc, &st->uart, NULL);
	add(e, &n, "rtc", &rtc_desc, &st->rtc, NULL);
	add(e, &n, "htif", &htif_desc, &st->htif, NULL);
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		if (!m->slot_dev[i])
			continue;
		snprintf(name, sizeof(name), "virtio-mmio.%d", i);
		add(e, &n, name, &vio_desc, &st->vio[i], &m->vio[i]);
		if (slot_net(m, i)) {
			snprintf(name, sizeof(name), "virtio-net.%d", i);
			add(e, &n, name, &net_desc, &st->net[i], NULL);
		}
	}
	return n;
}

/* ---- save ------------------------------------------------------------ */

static void stage_machine(struct machine *m, struct ds_stage *st)
{
	memset(st, 0, sizeof(*st));
	st->hart = m->hart.s;
	/* include a running slice */
	st->hart.minstret = hart_counter(&m->hart, MCOUNTINHIBIT_IR);
	st->hart.mcycle = hart_counter(&m->hart, MCOUNTINHIBIT_CY);
	st->clint.msip = m->clint.s.msip;
	st->clint.mtimecmp = m->clint.s.mtimecmp;
	st->clint.mtime = clint_mtime(&m->clint);
	st->clint.realtime_ns = rtc_realtime_ns();
	st->plic = m->plic.s;
	st->uart = m->uart.s;
	st->rtc = m->rtc.s;
	st->htif = m->htif.s;
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		st->vio[i] = m->vio[i].s;
		if (slot_net(m, i))
			st->net[i] = slot_net(m, i)->s;
	}
}

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int devstate_save(struct machine *m, uint8_t **buf, size_t *len)
{
	struct ds_stage st;
	struct ds_entry e[DS_MAX_ENTRIES];
	size_t n, total = 0, pos = 0;
	uint8_t *out;

	stage_machine(m, &st);
	n = entries(m, &st, e);
	for (size_t i = 0; i < n; i++)
		total += DS_HDR_FIXED + strlen(e[i].name) + vmstate_size(e[i].d);
	out = malloc(total);
	if (!out)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name), pl = vmstate_size(e[i].d);

		out[pos++] = (uint8_t)nl;
		memcpy(out + pos, e[i].name, nl);
		pos += nl;
		put_le(out + pos, e[i].d->version, 2);
		put_le(out + pos + 2, pl, 4);
		pos += 6;
		vmstate_save(e[i].d, e[i].state, out + pos);
		pos += pl;
	}
	*buf = out;
	*len = total;
	return 0;
}

/* ---- load ------------------------------------------------------------ */

/* A name from the blob, fit for a one-line message. */
static void printable(char *dst, size_t dlen, const uint8_t *src, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < dlen; i++)
		dst[k++] = (src[i] >= 0x20 && src[i] < 0x7f && src[i] != '\'') ? (char)src[i] : '?';
	dst[k] = 0;
}

static struct ds_entry *find(struct ds_entry *e, size_t n, const uint8_t *name, size_t nl)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(e[i].name) == nl && !memcmp(e[i].name, name, nl))
			return &e[i];
	return NULL;
}

/* Parse and validate buf into the staged states of e; nothing else. */
static int parse(struct ds_entry *e, size_t n, const uint8_t *buf, size_t len,
		 char *err, size_t errlen)
{
	char name[4 * DS_NAME_MAX], msg[256];
	size_t pos = 0;

	while (pos < len) {
		size_t nl = buf[pos], left = len - pos - 1, plen;
		const uint8_t *nm = buf + pos + 1;
		struct ds_entry *x;
		unsigned version;

		if (nl == 0)
			return fail(err, errlen, "entry at byte %zu has an empty name", pos);
		if (left < nl + 6)
			return fail(err, errlen, "truncated entry header at byte %zu", pos);
		printable(name, sizeof(name), nm, nl);
		version = (unsigned)get_le(nm + nl, 2);
		plen = (size_t)get_le(nm + nl + 2, 4);
		pos += 1 + nl + 6;
		x = find(e, n, nm, nl);
		if (!x)
			return fail(err, errlen, "unknown entry '%s' (no such device on this machine)", name);
		if (x->seen)
			return fail(err, errlen, "duplicate entry '%s'", name);
		if (version != x->d->version)
			return fail(err, errlen, "%s: version %u, this VMM loads version %u",
				    name, version, (unsigned)x->d->version);
		if (plen > len - pos)
			return fail(err, errlen, "%s: truncated payload (%zu bytes, %zu left)",
				    name, plen, len - pos);
		if (vmstate_load(x->d, x->state, buf + pos, plen, x->ctx, msg, sizeof(msg)))
			return fail(err, errlen, "%s: %s", name, msg);
		x->seen = true;
		pos += plen;
	}
	for (size_t i = 0; i < n; i++)
		if (!e[i].seen)
			return fail(err, errlen, "missing entry '%s'", e[i].name);
	return 0;
}

static bool plic_input(const struct plic *p, int irq)
{
	return irq > 0 && irq < PLIC_NUM_SOURCES &&
	       ((p->s.level[irq / 32] >> (irq % 32)) & 1);
}

/* Write the staged states into m and derive what is not saved. */
static void apply(struct machine *m, const struct ds_stage *st)
{
	struct hart *h = &m->hart;

	h->s = st->hart;
	h->hw_ip = 0;
	h->slice = 0;
	h->budget = 0;
	hart_trig_update(h);
	m->clint.s.msip = st->clint.msip;
	m->clint.s.mtimecmp = st->clint.mtimecmp;
	m->clint.s.time_offset = clint_offset(&st->clint);
	m->plic.s = st->plic;
	m->uart.s = st->uart;
	m->rtc.s = st->rtc;
	m->htif.s = st->htif;
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		if (!m->slot_dev[i])
			continue;
		m->vio[i].s = st->vio[i];
		if (slot_net(m, i))
			slot_net(m, i)->s = st->net[i];
	}

	/* Each device's idea of its line starts from the loaded PLIC input,
	 * so it drives the line wherever its own state disagrees. */
	m->uart.irq_level = plic_input(&m->plic, m->uart.irq);
	uart_update_irq(&m->uart);
	m->rtc.irq_level = plic_input(&m->plic, m->rtc.irq);
	rtc_update(&m->rtc);
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		m->vio[i].irq_level = plic_input(&m->plic, m->vio[i].irq);
		virtio_mmio_update_irq(&m->vio[i]);
		if (slot_net(m, i))
			virtio_net_update_link(slot_net(m, i));
	}
	plic_update(&m->plic);
	clint_update(&m->clint);
	machine_code_flush_all(m);
	hart_tlb_flush(h);
}

int devstate_load(struct machine *m, const uint8_t *buf, size_t len, char *err,
		  size_t errlen)
{
	struct ds_stage st;
	struct ds_entry e[DS_MAX_ENTRIES];
	size_t n;

	memset(&st, 0, sizeof(st));
	n = entries(m, &st, e);
	if (parse(e, n, buf, len, err, errlen))
		return -1;
	apply(m, &st);
	return 0;
}
