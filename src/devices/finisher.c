/*
 * finisher.c - SiFive test finisher: lets a guest power the VM off with an
 * exit status (see finisher.h).
 */
#include "devices/finisher.h"
#include "machine/machine.h"

#include <stdio.h>

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555
#define FINISHER_RESET 0x7777

void finisher_init(struct finisher *f, struct machine *m)
{
	f->m = m;
}

uint64_t finisher_read(void *opaque, uint64_t off, int size)
{
	(void)opaque;
	(void)off;
	(void)size;
	return 0;
}

void finisher_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct finisher *f = opaque;
	uint32_t code = (uint32_t)(val >> 16) & 0xffff;

	(void)size;
	if (off != 0)
		return;
	switch (val & 0xffff) {
	case FINISHER_PASS:
		machine_request_exit(f->m, 0);
		break;
	case FINISHER_FAIL:
		fprintf(stderr, "godwit-vmm: guest powered off with failure code %u\n", code);
		machine_request_exit(f->m, (code & 0xff) ? (int)(code & 0xff) : 1);
		break;
	case FINISHER_RESET:
		machine_request_reset(f->m);
		break;
	default:
		break;
	}
}
