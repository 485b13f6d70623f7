/*
 * clint.c - SiFive CLINT for one hart: msip (+0x0), mtimecmp (+0x4000),
 * mtime (+0xbff8). Accesses of 4 or 8 bytes; 4-byte accesses address the
 * low or high half of the 64-bit registers.
 *
 * Invariant: MTIP and MSIP at the hart always reflect this state after any
 * write or clint_update(). Also its migratable state (clint_vmstate, at the
 * end), which moves guest time as mtime plus wall clock.
 */
#include "devices/clint.h"

#include <stddef.h>

#include "cpu/hart.h"
#include "devices/rtc.h"
#include "machine/machine.h"
#include "migration/vmstate.h"

#define CLINT_MSIP 0x0
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8

void clint_init(struct clint *c, struct hart *h)
{
	c->hart = h;
	c->s.msip = 0;
	c->s.mtimecmp = ~0ull;
	c->s.time_offset = -(int64_t)machine_now_ticks();
}

uint64_t clint_mtime(const struct clint *c)
{
	return (uint64_t)((int64_t)machine_now_ticks() + c->s.time_offset);
}

void clint_update(struct clint *c)
{
	hart_set_hw_irq(c->hart, MIP_MTIP, clint_mtime(c) >= c->s.mtimecmp);
	hart_set_hw_irq(c->hart, MIP_MSIP, c->s.msip & 1);
}

uint64_t clint_ticks_to_deadline(const struct clint *c)
{
	uint64_t now = clint_mtime(c);

	if (c->s.mtimecmp == ~0ull)
		return UINT64_MAX;
	return c->s.mtimecmp > now ? c->s.mtimecmp - now : 0;
}

static uint64_t half(uint64_t v, uint64_t off, int size)
{
	if (size == 8)
		return v;
	return (off & 4) ? v >> 32 : v & 0xffffffffull;
}

static uint64_t merge(uint64_t old, uint64_t off, int size, uint64_t val)
{
	if (size == 8)
		return val;
	if (off & 4)
		return (old & 0xffffffffull) | (val << 32);
	return (old & ~0xffffffffull) | (val & 0xffffffffull);
}

uint64_t clint_read(void *opaque, uint64_t off, int size)
{
	struct clint *c = opaque;

	if (off < 4)
		return c->s.msip;
	if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8)
		return half(c->s.mtimecmp, off, size);
	if (off >= CLINT_MTIME && off < CLINT_MTIME + 8)
		return half(clint_mtime(c), off, size);
	return 0;
}

void clint_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct clint *c = opaque;

	if (off < 4) {
		c->s.msip = (uint32_t)val & 1;
	} else if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8) {
		c->s.mtimecmp = merge(c->s.mtimecmp, off, size, val);
	} else if (off >= CLINT_MTIME && off < CLINT_MTIME + 8) {
		uint64_t t = merge(clint_mtime(c), off, size, val);
		c->s.time_offset = (int64_t)(t - machine_now_ticks());
	}
	clint_update(c);
}

/* ---- migration ------------------------------------------------------- */

/*
 * Guest mtime is the host's monotonic clock plus time_offset, which means
 * nothing on another host. So the saved form (version 1) carries msip,
 * mtimecmp, the guest's mtime at save and the source's CLOCK_REALTIME at
 * save (ns) instead of time_offset. A load sets time_offset so that mtime
 * resumes at the saved mtime plus the real time elapsed since the save,
 * clamped to [0, CLINT_MAX_CATCHUP_NS]: guest time never goes back, and a
 * wrong host clock costs at most a minute of jump.
 */
#define CLINT_MAX_CATCHUP_NS (60ull * 1000000000ull)

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

static void clint_save(void *dev, void *state)
{
	const struct clint *c = dev;
	struct clint_wire *w = state;

	w->msip = c->s.msip;
	w->mtimecmp = c->s.mtimecmp;
	w->mtime = clint_mtime(c);
	w->realtime_ns = rtc_realtime_ns();
}

static void clint_load(void *dev, const void *state)
{
	struct clint *c = dev;
	const struct clint_wire *w = state;
	uint64_t now = rtc_realtime_ns(), elapsed = 0, mtime;

	if (now > w->realtime_ns)
		elapsed = now - w->realtime_ns;
	if (elapsed > CLINT_MAX_CATCHUP_NS)
		elapsed = CLINT_MAX_CATCHUP_NS;
	mtime = w->mtime + elapsed / (1000000000ull / MACHINE_TIMEBASE_HZ);
	c->s.msip = w->msip;
	c->s.mtimecmp = w->mtimecmp;
	c->s.time_offset = (int64_t)(mtime - machine_now_ticks());
}

static void clint_post_load(void *dev)
{
	clint_update(dev);
}

const struct vmstate_desc clint_vmstate = {
	.name = "clint",
	.version = 1,
	.state_size = sizeof(struct clint_wire),
	.fields = clint_fields,
	.n_fields = VMS_COUNT(clint_fields),
	.pad = clint_pad,
	.n_pad = VMS_COUNT(clint_pad),
	.save = clint_save,
	.load = clint_load,
	.post_load = clint_post_load,
};
