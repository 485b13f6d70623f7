/*
 * htif.h - the Spike/riscv-tests host-target interface at the ELF's
 * `tohost`/`fromhost` symbols.
 *
 * A write to tohost of (dev << 56 | cmd << 48 | payload):
 *   dev 0, cmd 0, payload odd: end the run; payload >> 1 == 0 is a pass
 *   (exit 0), anything else a failure naming test number payload >> 1;
 *   dev 1, cmd 1: print the low byte on the console (the UART's backend,
 *   else stdout), then tohost = 0 and fromhost = (1 << 56) | (1 << 48).
 *   A console with no room leaves the command in tohost and the guest
 *   waiting; it is retried whenever the guest reads tohost or fromhost, so
 *   the VMM never blocks on a slow reader.
 * 32-bit halves are accepted: the command runs when the high half is written.
 */
#ifndef GODWIT_DEVICES_HTIF_H
#define GODWIT_DEVICES_HTIF_H

#include <stdint.h>

struct machine;
struct vmstate_desc;

struct htif_state {
	uint64_t tohost, fromhost;
};

struct htif {
	struct htif_state s;
	struct machine *m;
	uint64_t tohost_addr, fromhost_addr;
	int out_fd;
};

void htif_init(struct htif *h, struct machine *m, uint64_t tohost,
	       uint64_t fromhost, int out_fd);
/* Migratable state ("htif"). */
extern const struct vmstate_desc htif_vmstate;

uint64_t htif_read(void *opaque, uint64_t off, int size);
void htif_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
