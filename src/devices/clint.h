/*
 * clint.h - SiFive CLINT: msip, mtimecmp and mtime for one hart.
 *
 * Guest time is the host monotonic clock plus a per-VM offset (DESIGN.md),
 * in 10 MHz ticks; writing mtime changes only the offset. Invariant: the
 * hart's MTIP level always equals (mtime >= mtimecmp) as of the last
 * clint_update().
 */
#ifndef GODWIT_DEVICES_CLINT_H
#define GODWIT_DEVICES_CLINT_H

#include <stdint.h>

struct hart;
struct vmstate_desc;

struct clint_state {
	uint32_t msip;
	uint32_t pad;
	uint64_t mtimecmp;
	int64_t time_offset; /* mtime = host ticks + time_offset */
};

struct clint {
	struct clint_state s;
	struct hart *hart;
};

void clint_init(struct clint *c, struct hart *h);
uint64_t clint_mtime(const struct clint *c);
void clint_update(struct clint *c);
/* Host ticks until the timer fires, 0 if it already has, UINT64_MAX if never. */
uint64_t clint_ticks_to_deadline(const struct clint *c);
/* Migratable state ("clint"): guest time travels as mtime plus the
 * source's wall clock, not as time_offset (see clint.c). */
extern const struct vmstate_desc clint_vmstate;

uint64_t clint_read(void *opaque, uint64_t off, int size);
void clint_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
