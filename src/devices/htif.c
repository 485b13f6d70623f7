/*
 * htif.c - Spike HTIF at the ELF's tohost/fromhost symbols (see htif.h).
 * The region covers both words; anything else in their page reads and
 * writes plain RAM through the machine's overlay handling. Its migratable
 * state (htif_vmstate) is at the end.
 */
#include "devices/htif.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "machine/machine.h"
#include "migration/vmstate.h"

void htif_init(struct htif *h, struct machine *m, uint64_t tohost,
	       uint64_t fromhost, int out_fd)
{
	memset(&h->s, 0, sizeof(h->s));
	h->m = m;
	h->tohost_addr = tohost;
	h->fromhost_addr = fromhost;
	h->out_fd = out_fd;
}

static void htif_command(struct htif *h)
{
	uint64_t v = h->s.tohost;
	uint64_t dev = v >> 56, cmd = (v >> 48) & 0xff;
	uint64_t payload = v & ((1ull << 48) - 1);

	if (v == 0)
		return;
	if (dev == 0 && cmd == 0 && (payload & 1)) {
		uint64_t test = payload >> 1;
		if (test == 0) {
			machine_request_exit(h->m, 0);
		} else {
			fprintf(stderr, "godwit-vmm: test failed: case %llu\n",
				(unsigned long long)test);
			machine_request_exit(h->m, (int)(test & 0xff) ? (int)(test & 0xff) : 1);
		}
		return;
	}
	if (dev == 1 && cmd == 1) {
		uint8_t ch = (uint8_t)payload;
		const struct uart_tx *tx = &h->m->uart.tx;

		if (tx->put) { /* the console's backend, which never blocks */
			if (tx->busy && tx->busy(tx->opaque))
				return; /* stays in tohost: the guest waits, retried on its next poll */
			tx->put(tx->opaque, ch);
		} else if (write(h->out_fd, &ch, 1) < 0) {
			/* output closed: nothing useful to do, keep running */
		}
		h->s.tohost = 0;
		h->s.fromhost = (1ull << 56) | (1ull << 48);
		return;
	}
	if (dev == 1 && cmd == 0) { /* getchar: no input */
		h->s.tohost = 0;
		return;
	}
	fprintf(stderr, "godwit-vmm: unsupported HTIF request 0x%016llx\n",
		(unsigned long long)v);
	machine_request_exit(h->m, 1);
}

static uint64_t *reg(struct htif *h, uint64_t addr, uint64_t *base)
{
	if (addr >= h->tohost_addr && addr < h->tohost_addr + 8) {
		*base = h->tohost_addr;
		return &h->s.tohost;
	}
	if (addr >= h->fromhost_addr && addr < h->fromhost_addr + 8) {
		*base = h->fromhost_addr;
		return &h->s.fromhost;
	}
	return NULL;
}

/* `off` is relative to the overlay page start; the machine passes the page
 * base as region base. */
uint64_t htif_read(void *opaque, uint64_t off, int size)
{
	struct htif *h = opaque;
	uint64_t addr = (h->tohost_addr & ~0xfffull) + off, base, v;
	uint64_t *r = reg(h, addr, &base);
	uint8_t *p;

	/* a putchar the console had no room for: try again as the guest polls */
	if (r && h->s.tohost >> 48 == 0x101)
		htif_command(h);
	if (r) {
		v = *r >> (8 * (addr - base));
		return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
	}
	p = machine_ram_ptr(h->m, addr, (uint64_t)size);
	v = 0;
	if (p)
		memcpy(&v, p, (size_t)size);
	return v;
}

void htif_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct htif *h = opaque;
	uint64_t addr = (h->tohost_addr & ~0xfffull) + off, base;
	uint64_t *r = reg(h, addr, &base);
	uint8_t *p;

	if (r) {
		unsigned sh = (unsigned)(8 * (addr - base));
		uint64_t mask = size == 8 ? ~0ull : ((1ull << (8 * size)) - 1);
		*r = (*r & ~(mask << sh)) | ((val & mask) << sh);
		/* a command runs once its most significant byte is written */
		if (r == &h->s.tohost && addr + (uint64_t)size == base + 8)
			htif_command(h);
		return;
	}
	p = machine_ram_ptr(h->m, addr, (uint64_t)size);
	if (p) {
		machine_dirty_mark(h->m, addr, (uint64_t)size);
		memcpy(p, &val, (size_t)size);
	}
}

/* ---- migration ------------------------------------------------------- */

static const struct vmstate_field htif_fields[] = {
	VMS_SCALAR(struct htif_state, tohost, VMS_ANY),
	VMS_SCALAR(struct htif_state, fromhost, VMS_ANY),
};

const struct vmstate_desc htif_vmstate = {
	.name = "htif",
	.version = 1,
	.state_size = sizeof(struct htif_state),
	.fields = htif_fields,
	.n_fields = VMS_COUNT(htif_fields),
	.dev_offset = offsetof(struct htif, s),
};
