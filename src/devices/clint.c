/*
 * clint.c - SiFive CLINT for one hart: msip (+0x0), mtimecmp (+0x4000),
 * mtime (+0xbff8). Accesses of 4 or 8 bytes; 4-byte accesses address the
 * low or high half of the 64-bit registers.
 *
 * Invariant: MTIP and MSIP at the hart always reflect this state after any
 * write or clint_update().
 */
#include "devices/clint.h"
#include "cpu/hart.h"
#include "machine/machine.h"

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
