/*
 * clint.h - SiFive CLINT: an msip and a mtimecmp per hart, one mtime.
 *
 * Layout as on QEMU's virt board: msip of hart i at 4*i, mtimecmp of hart
 * i at 0x4000 + 8*i, mtime at 0xbff8.
 *
 * Guest time is the host monotonic clock plus a per-VM offset (DESIGN.md),
 * in 10 MHz ticks; writing mtime changes only the offset. Invariants:
 * hart i's MSIP level always equals msip[i]; its MTIP level equals
 * (mtime >= mtimecmp[i]) as of the last clint_update() or
 * clint_update_hart(i) (each hart's thread calls the latter between
 * slices). Registers are written under the machine's device lock;
 * mtimecmp and time_offset are read without it, so they are stored
 * atomically.
 */
#ifndef GODWIT_DEVICES_CLINT_H
#define GODWIT_DEVICES_CLINT_H

#include <stdint.h>

struct hart;
struct vmstate_desc;

#define CLINT_MAX_HARTS 8

struct clint_state {
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
	int64_t time_offset; /* mtime = host ticks + time_offset */
};

struct clint {
	struct clint_state s;
	struct hart *harts; /* n_harts of them */
	int n_harts;
};

void clint_init(struct clint *c, struct hart *harts, int n_harts);
uint64_t clint_mtime(const struct clint *c);
void clint_update(struct clint *c);
void clint_update_hart(struct clint *c, int hart);
/* Host ticks until hart's timer fires, 0 if it already has, UINT64_MAX if never. */
uint64_t clint_ticks_to_deadline(const struct clint *c, int hart);
/* Migratable state ("clint"): guest time travels as mtime plus the
 * source's wall clock, not as time_offset (see clint.c). */
extern const struct vmstate_desc clint_vmstate;

uint64_t clint_read(void *opaque, uint64_t off, int size);
void clint_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
