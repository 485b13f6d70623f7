/*
 * dpage.h - the interpreter's decoded-code cache: one struct dpage per 4 KiB
 * guest physical page that has been executed, one 16-byte slot per 2-byte
 * offset.
 *
 * Invariants:
 *  - A slot's handler is the interpreter label that executes it; a fresh
 *    page (exec_dpage_init) has every slot on the decode handler and the
 *    sentinel slot[DPAGE_SLOTS] on the page-end handler, so sequential flow
 *    off the end of the page needs no test.
 *  - The guest pc of a slot is derived from its address (8 slot bytes per
 *    code byte), so the interpreter does not track pc per instruction.
 *  - step is the slot distance to the next instruction in bytes (16 for a
 *    compressed instruction, 32 otherwise), i.e. 8 * instruction length.
 */
#ifndef GODWIT_CPU_DPAGE_H
#define GODWIT_CPU_DPAGE_H

#include <stdint.h>

struct xslot {
	const void *handler;
	uint8_t rd, rs1, rs2;
	uint8_t step;
	int32_t imm; /* immediate; CSR number; raw bits if illegal;
		      * rs3 | rm << 8 for FP arithmetic */
};

#define DPAGE_SLOTS 2048
struct dpage {
	struct xslot slot[DPAGE_SLOTS + 1];
};

/* exec.c: prepare a freshly allocated page. Only valid once hart_run has
 * run (pages are only created from inside it). */
void exec_dpage_init(struct dpage *dp);

#endif
