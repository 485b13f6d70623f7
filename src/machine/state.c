/*
 * state.c - the machine's migratable state as a list of device instances
 * (struct vmstate_entry) for migration/devstate.c, which saves and loads
 * them: one entry per hart ("hart.<i>"), the board's fixed devices in a
 * fixed order, then for every virtio
 * slot that holds a device its transport and, if the device declares
 * state of its own (ops.vmstate), the device. Each device's table, checks
 * and after-load step live in the device's own file; what is here is what
 * only the board knows: which devices it has, where, and how their
 * interrupt lines are wired.
 *
 * Invariant: the list of a machine is fixed by its configuration, so a
 * source and a destination built from the same configuration list the
 * same entries in the same order (the order of the saved blob).
 */
#include "machine/machine.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "devices/virtio_net.h"
#include "migration/vmstate.h"

/* The board's fixed devices, in save order. */
static const struct {
	const struct vmstate_desc *d;
	size_t offset; /* of the device in struct machine */
} board[] = {
	{ &clint_vmstate, offsetof(struct machine, clint) },
	{ &plic_vmstate, offsetof(struct machine, plic) },
	{ &uart_vmstate, offsetof(struct machine, uart) },
	{ &rtc_vmstate, offsetof(struct machine, rtc) },
	{ &htif_vmstate, offsetof(struct machine, htif) },
};

_Static_assert(MACHINE_MAX_HARTS + VMS_COUNT(board) + 2 * VIRT_VIRTIO_COUNT == MACHINE_STATE_MAX,
	       "MACHINE_STATE_MAX counts the harts, the board and two entries per slot");

/* Every table a machine can list, virtio devices with state included
 * (for the coverage tests and tools). */
static const struct vmstate_desc *const all_descs[] = {
	&hart_vmstate, &clint_vmstate, &plic_vmstate, &uart_vmstate, &rtc_vmstate,
	&htif_vmstate, &virtio_mmio_vmstate, &virtio_net_vmstate,
};

const struct vmstate_desc *const *machine_state_descs(size_t *n)
{
	*n = VMS_COUNT(all_descs);
	return all_descs;
}

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

static void add(struct machine_state *ms, const char *name, int slot,
		const struct vmstate_desc *d, void *dev, const void *ctx)
{
	struct vmstate_entry *e = &ms->e[ms->n++];

	if (slot < 0)
		snprintf(e->name, sizeof(e->name), "%s", name);
	else
		snprintf(e->name, sizeof(e->name), "%s.%d", name, slot);
	e->d = d;
	e->dev = dev;
	e->ctx = ctx;
}

void machine_state_list(struct machine *m, struct machine_state *ms)
{
	memset(ms, 0, sizeof(*ms));
	plic_wired(m, ms->plic_ctx.wired);
	ms->plic_ctx.n_harts = m->n_harts;
	for (int i = 0; i < m->n_harts; i++)
		add(ms, hart_vmstate.name, i, &hart_vmstate, &m->harts[i], NULL);
	for (size_t i = 0; i < VMS_COUNT(board); i++) {
		const struct vmstate_desc *d = board[i].d;
		const void *ctx = NULL;

		if (d == &plic_vmstate)
			ctx = &ms->plic_ctx;
		else if (d == &clint_vmstate)
			ctx = &m->clint;
		add(ms, d->name, -1, d, (char *)m + board[i].offset, ctx);
	}
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		struct virtio_mmio *t = &m->vio[i];
		const struct vmstate_desc *d = t->ops.vmstate;

		if (!t->ops.device_id)
			continue;
		add(ms, virtio_mmio_vmstate.name, i, &virtio_mmio_vmstate, t, t);
		if (d)
			add(ms, d->name, i, d, t->dev, t->dev);
	}
}

void machine_state_lines(struct machine *m)
{
	m->uart.irq_level = plic_input(&m->plic, m->uart.irq);
	m->rtc.irq_level = plic_input(&m->plic, m->rtc.irq);
	for (int i = 0; i < VIRT_VIRTIO_COUNT; i++) {
		m->vio[i].irq_level = plic_input(&m->plic, m->vio[i].irq);
		if (!m->vio[i].ops.device_id) /* no entry, so no post_load */
			virtio_mmio_update_irq(&m->vio[i]);
	}
}
