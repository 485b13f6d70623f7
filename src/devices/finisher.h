/*
 * finisher.h - SiFive test finisher ("sifive,test1") at 0x100000: a 32-bit
 * write of 0x5555 powers off with status 0, (code << 16) | 0x3333 powers off
 * with failure `code`, 0x7777 resets the machine (a guest reboot). Other
 * values are ignored.
 */
#ifndef GODWIT_DEVICES_FINISHER_H
#define GODWIT_DEVICES_FINISHER_H

#include <stdint.h>

struct machine;

struct finisher {
	struct machine *m;
};

void finisher_init(struct finisher *f, struct machine *m);
uint64_t finisher_read(void *opaque, uint64_t off, int size);
void finisher_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
