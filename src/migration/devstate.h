/*
 * devstate.h - the CPU and device state of a whole machine for migration:
 * saving and loading every device instance the machine lists
 * (machine_state_list, machine/state.c) as one blob. Each device declares
 * its own state, checks and after-load step in its own file (a struct
 * vmstate_desc such as uart_vmstate in devices/uart.c, hart_vmstate in
 * cpu/hart_state.c; a virtio device through its ops.vmstate).
 *
 * Blob format: a sequence of entries, each
 *     u8  name length (1..255)
 *     name bytes (ASCII, no NUL)
 *     u16 version (little endian)
 *     u32 payload length (little endian)
 *     payload (vmstate_save of the entry's table)
 * in this order: "hart", "clint", "plic", "uart", "rtc", "htif", then for
 * every virtio slot i that holds a device "virtio-mmio.<i>" (the transport,
 * queues included) and, for a network device, "virtio-net.<i>". The loader
 * takes entries in any order but wants every entry of the destination
 * machine exactly once and nothing else: unknown, duplicate or missing
 * entries, a wrong version or length, trailing or truncated bytes are
 * refused. Every entry is at version 1 but "hart", at version 2 (mcycle
 * itself instead of its offset from minstret; the debug trigger CSRs).
 *
 * Time. Guest mtime is the host's monotonic clock plus clint.time_offset,
 * which means nothing on another host. So "clint" (version 1) carries msip,
 * mtimecmp, the guest's mtime at save and the source's CLOCK_REALTIME at
 * save (ns) instead of time_offset, and a load resumes mtime at the saved
 * value plus the real time elapsed, clamped to [0, 60 s] (devices/clint.c).
 * The RTC's offset is relative to CLOCK_REALTIME already and moves as is.
 *
 * Invariants:
 *  - devstate_load validates the whole blob against the destination's own
 *    configuration (wired interrupt sources, each slot's device features,
 *    queue limits, guest RAM) before it writes anything: on error the
 *    machine is untouched.
 *  - The loader accepts exactly the states the device code can reach, so
 *    anything it lets through cannot crash or confuse the VMM later.
 *  - What is not saved is derived again after a load: interrupt lines and
 *    the hart's hw_ip and trig_armed, TLBs, decoded code, the virtio-net
 *    link bit.
 */
#ifndef GODWIT_MIGRATION_DEVSTATE_H
#define GODWIT_MIGRATION_DEVSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "machine/machine.h"
#include "migration/vmstate.h"

/* Serialise the hart and every device of m into a malloc'd buffer. Runs on
 * the vCPU thread with the VM paused. Returns 0, or -1 on allocation
 * failure. */
int devstate_save(struct machine *m, uint8_t **buf, size_t *len);

/* Parse buf, validate every field against m's configuration WITHOUT
 * touching m, and only if everything is valid apply it to m and re-derive
 * what is not saved (interrupt lines/hart hw_ip, TLBs, decoded code). On
 * error: returns -1, m is unchanged, and err holds one clear line naming
 * the device and field, e.g. "uart: rx_count 200 exceeds 16". */
int devstate_load(struct machine *m, const uint8_t *buf, size_t len, char *err,
		  size_t errlen);

/* Every table a machine may list (machine_state_descs; for the coverage
 * tests and tools). */
const struct vmstate_desc *const *devstate_descs(size_t *n);

#endif
