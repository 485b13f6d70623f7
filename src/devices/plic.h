/*
 * plic.h - SiFive PLIC as on QEMU's virt board: 96 level-triggered sources
 * (source 0 reserved, so riscv,ndev = 95), 3 priority bits, two contexts
 * per hart: context 2i drives hart i's MEIP, context 2i+1 its SEIP.
 *
 * Register map (4-byte accesses only; anything else reads 0 and is ignored):
 *   0x000000 + 4*src       priority (WARL: low 3 bits kept; source 0 reads 0)
 *   0x001000 + 4*word      pending bits (read-only)
 *   0x002000 + 0x80*ctx    enable bits (bit 0 of word 0 hardwired to 0)
 *   0x200000 + 0x1000*ctx  priority threshold (0..7, larger values ignored)
 *   0x200004 + 0x1000*ctx  claim (read) / complete (write)
 *
 * Gateway (RISC-V PLIC spec): a source whose input is high and that is not
 * in service becomes pending. A claim clears the pending bit and puts the
 * source in service; while in service it cannot become pending again. A
 * complete (only from a context that has the source enabled) ends service,
 * and a source still asserted then pends again. A request that was
 * forwarded stays pending if the input drops before the claim (the spec's
 * rule; the handler finds nothing to do).
 *
 * Invariants:
 *  - `s` is all the guest-visible state (including the input levels) and
 *    holds no pointers, so migration can save and load it as bytes.
 *  - level & ~claimed is a subset of pending (the gateway has forwarded
 *    every asserted source that is not in service).
 *  - Each hart's MEIP/SEIP equal its contexts' outputs as of the last
 *    change; plic_update() recomputes them (e.g. after loading `s`).
 *    Contexts of harts the machine does not have (2*n_harts and up) read
 *    0 and ignore writes.
 *  - Touched only with the machine's device lock held (any thread).
 */
#ifndef GODWIT_DEVICES_PLIC_H
#define GODWIT_DEVICES_PLIC_H

#include <stdbool.h>
#include <stdint.h>

struct hart;
struct vmstate_desc;

#define PLIC_NUM_SOURCES 96
#define PLIC_MAX_HARTS 8
#define PLIC_NUM_CONTEXTS (2 * PLIC_MAX_HARTS) /* the state's room */
#define PLIC_NUM_WORDS ((PLIC_NUM_SOURCES + 31) / 32)
#define PLIC_PRIO_MASK 7u

#define PLIC_PRIORITY_BASE 0x0
#define PLIC_PENDING_BASE 0x1000
#define PLIC_ENABLE_BASE 0x2000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT_BASE 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000

struct plic_state {
	uint32_t priority[PLIC_NUM_SOURCES];
	uint32_t pending[PLIC_NUM_WORDS];
	uint32_t claimed[PLIC_NUM_WORDS]; /* in service: claimed, not completed */
	uint32_t level[PLIC_NUM_WORDS];   /* current input levels */
	uint32_t enable[PLIC_NUM_CONTEXTS][PLIC_NUM_WORDS];
	uint32_t threshold[PLIC_NUM_CONTEXTS];
};

struct plic {
	struct plic_state s;
	struct hart *harts; /* n_harts of them */
	int n_harts;
};

void plic_init(struct plic *p, struct hart *harts, int n_harts);
/* Input `irq` (1..PLIC_NUM_SOURCES-1) is now at `level`; others ignored. */
void plic_set_irq(void *opaque, int irq, bool level);
/* Re-run the gateways and drive MEIP/SEIP from `s`. */
void plic_update(struct plic *p);
/* Migratable state ("plic", version 2: 16 contexts). Its check's ctx is
 * struct plic_check_ctx: the destination's wired sources (bit i: a device
 * drives source i; only those may be asserted, pending or in service) and
 * its number of harts (contexts beyond them must be zero). */
struct plic_check_ctx {
	uint32_t wired[PLIC_NUM_WORDS];
	int n_harts;
};
extern const struct vmstate_desc plic_vmstate;
/* Is input irq high in s (false for an out-of-range irq)? */
bool plic_input(const struct plic *p, int irq);

uint64_t plic_read(void *opaque, uint64_t off, int size);
void plic_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
