/*
 * clint.c - SiFive CLINT for up to CLINT_MAX_HARTS harts: msip (+4*i),
 * mtimecmp (+0x4000 + 8*i), mtime (+0xbff8). Accesses of 4 or 8 bytes;
 * 4-byte accesses address the low or high half of the 64-bit registers.
 *
 * Invariant: see clint.h. Also its migratable state (clint_vmstate, at the
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

void clint_init(struct clint *c, struct hart *harts, int n_harts)
{
	c->harts = harts;
	c->n_harts = n_harts;
	for (int i = 0; i < CLINT_MAX_HARTS; i++) {
		c->s.msip[i] = 0;
		c->s.mtimecmp[i] = ~0ull;
	}
	__atomic_store_n(&c->s.time_offset, -(int64_t)machine_now_ticks(), __ATOMIC_RELAXED);
}

uint64_t clint_mtime(const struct clint *c)
{
	return (uint64_t)((int64_t)machine_now_ticks() +
			  __atomic_load_n(&c->s.time_offset, __ATOMIC_RELAXED));
}

void clint_update_hart(struct clint *c, int i)
{
	uint64_t cmp = __atomic_load_n(&c->s.mtimecmp[i], __ATOMIC_RELAXED);

	hart_set_hw_irq(&c->harts[i], MIP_MTIP, clint_mtime(c) >= cmp);
}

void clint_update(struct clint *c)
{
	for (int i = 0; i < c->n_harts; i++) {
		clint_update_hart(c, i);
		hart_set_hw_irq(&c->harts[i], MIP_MSIP, c->s.msip[i] & 1);
	}
}

uint64_t clint_ticks_to_deadline(const struct clint *c, int i)
{
	uint64_t now = clint_mtime(c);
	uint64_t cmp = __atomic_load_n(&c->s.mtimecmp[i], __ATOMIC_RELAXED);

	if (cmp == ~0ull)
		return UINT64_MAX;
	return cmp > now ? cmp - now : 0;
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

	if (off < 4 * (uint64_t)c->n_harts)
		return (off & 3) ? 0 : c->s.msip[off / 4];
	if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8 * (uint64_t)c->n_harts)
		return half(c->s.mtimecmp[(off - CLINT_MTIMECMP) / 8], off, size);
	if (off >= CLINT_MTIME && off < CLINT_MTIME + 8)
		return half(clint_mtime(c), off, size);
	return 0;
}

void clint_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct clint *c = opaque;

	if (off < 4 * (uint64_t)c->n_harts) {
		int i = (int)(off / 4);

		if (off & 3)
			return;
		c->s.msip[i] = (uint32_t)val & 1;
		hart_set_hw_irq(&c->harts[i], MIP_MSIP, c->s.msip[i]);
	} else if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8 * (uint64_t)c->n_harts) {
		int i = (int)((off - CLINT_MTIMECMP) / 8);

		__atomic_store_n(&c->s.mtimecmp[i], merge(c->s.mtimecmp[i], off, size, val),
				 __ATOMIC_RELAXED);
		clint_update_hart(c, i);
		hart_kick(&c->harts[i]); /* its sleep deadline moved */
	} else if (off >= CLINT_MTIME && off < CLINT_MTIME + 8) {
		uint64_t t = merge(clint_mtime(c), off, size, val);

		__atomic_store_n(&c->s.time_offset, (int64_t)(t - machine_now_ticks()),
				 __ATOMIC_RELAXED);
		clint_update(c);
		for (int i = 0; i < c->n_harts; i++)
			hart_kick(&c->harts[i]);
	}
}

/* ---- migration ------------------------------------------------------- */

/*
 * Guest mtime is the host's monotonic clock plus time_offset, which means
 * nothing on another host. So the saved form (version 2) carries every
 * hart's msip and mtimecmp, the guest's mtime at save and the source's CLOCK_REALTIME at
 * save (ns) instead of time_offset. A load sets time_offset so that mtime
 * resumes at the saved mtime plus the real time elapsed since the save,
 * clamped to [0, CLINT_MAX_CATCHUP_NS]: guest time never goes back, and a
 * wrong host clock costs at most a minute of jump.
 */
#define CLINT_MAX_CATCHUP_NS (60ull * 1000000000ull)

struct clint_wire {
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
	uint64_t mtime;       /* guest ticks at save */
	uint64_t realtime_ns; /* source CLOCK_REALTIME at save */
};

/* clint_state is mapped by hand: a new member must be added here too. */
_Static_assert(sizeof(struct clint_state) == 4 * CLINT_MAX_HARTS + 8 * CLINT_MAX_HARTS + 8 &&
		       offsetof(struct clint_state, mtimecmp) == 4 * CLINT_MAX_HARTS &&
		       offsetof(struct clint_state, time_offset) == 12 * CLINT_MAX_HARTS,
	       "clint_state changed: update struct clint_wire and its table");

static const struct vmstate_field clint_fields[] = {
	VMS_ARRAY(struct clint_wire, msip, 1),
	VMS_ARRAY(struct clint_wire, mtimecmp, VMS_ANY),
	VMS_SCALAR(struct clint_wire, mtime, VMS_ANY),
	VMS_SCALAR(struct clint_wire, realtime_ns, VMS_ANY),
};

static void clint_save(void *dev, void *state)
{
	const struct clint *c = dev;
	struct clint_wire *w = state;

	for (int i = 0; i < CLINT_MAX_HARTS; i++) {
		w->msip[i] = c->s.msip[i];
		w->mtimecmp[i] = c->s.mtimecmp[i];
	}
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
	for (int i = 0; i < CLINT_MAX_HARTS; i++) {
		c->s.msip[i] = w->msip[i];
		c->s.mtimecmp[i] = w->mtimecmp[i];
	}
	c->s.time_offset = (int64_t)(mtime - machine_now_ticks());
}

/* Harts this machine does not have never get a software interrupt. */
static int clint_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct clint_wire *w = state;
	const struct clint *c = ctx;

	for (int i = c ? c->n_harts : CLINT_MAX_HARTS; i < CLINT_MAX_HARTS; i++)
		if (w->msip[i])
			return vmstate_fail(err, errlen, "msip[%d] set, but this machine has %d harts",
					    i, c->n_harts);
	return 0;
}

static void clint_post_load(void *dev)
{
	clint_update(dev);
}

const struct vmstate_desc clint_vmstate = {
	.name = "clint",
	.version = 2, /* 2: one msip and mtimecmp per hart (SMP) */
	.state_size = sizeof(struct clint_wire),
	.fields = clint_fields,
	.n_fields = VMS_COUNT(clint_fields),
	.check = clint_check,
	.save = clint_save,
	.load = clint_load,
	.post_load = clint_post_load,
};
