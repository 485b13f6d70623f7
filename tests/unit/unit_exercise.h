/*
 * unit_exercise.h - run a machine a little after a migration load was
 * accepted: whatever the loader let through must neither crash the VMM nor
 * leave the hart in a state it cannot reach. Shared by test_devstate.c
 * (cmocka) and the fuzzer tests/fuzz/fuzz_migration.c (libFuzzer), so it
 * uses no test framework: ue_impossible() names what is wrong and each
 * caller fails its own way.
 */
#ifndef GODWIT_TESTS_UNIT_EXERCISE_H
#define GODWIT_TESTS_UNIT_EXERCISE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/hart.h"
#include "devices/plic.h"
#include "devices/uart.h"
#include "devices/virtio_mmio.h"
#include "machine/machine.h"

/* What no running machine can hold, or NULL. */
static inline const char *ue_impossible(const struct machine *m)
{
	if (m->harts[0].s.priv == 2 || m->harts[0].s.priv > PRV_M)
		return "the hart is in no privilege mode";
	if (m->harts[0].s.x[0] != 0)
		return "x0 is not zero";
	if (m->uart.s.rx_count > UART_FIFO_SIZE)
		return "the UART holds more than its FIFO";
	return NULL;
}

/* The hart for 64 instructions, a notify on every queue of every slot
 * (and one past the last), 20 UART reads, the timers, a claim on both
 * PLIC contexts. Leaves the machine not stopped and not exited. */
static inline void ue_exercise(struct machine *m)
{
	m->stop_requested = 0;
	m->exited = false;
	hart_run(&m->harts[0], 64);
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++)
		for (uint32_t q = 0; q < VIRTIO_MMIO_MAX_QUEUES + 1; q++)
			virtio_mmio_write(&m->vio[i], VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
	for (int k = 0; k < 20; k++)
		uart_read(&m->uart, 0, 1);
	rtc_update(&m->rtc);
	clint_update(&m->clint);
	plic_read(&m->plic, PLIC_CONTEXT_BASE + 4, 4);
	plic_read(&m->plic, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4, 4);
	m->stop_requested = 0;
	m->exited = false;
}

#endif
