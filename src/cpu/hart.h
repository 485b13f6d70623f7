/*
 * hart.h - one RV64GC hart: architectural state, TLBs and the interpreter
 * entry points.
 *
 * Invariants:
 *  - x[0] always reads 0. The decoder redirects writes to x0 into x[32], a
 *    sink register, so handlers never test rd == 0.
 *  - The three TLBs (read, write, code) hold translations valid for the
 *    current privilege, satp and mstatus MPRV/SUM/MXR. Only the hart's own
 *    thread fills or flushes them; other threads may only empty single
 *    write entries (hart_tlb_drop_write_ppn, when a page becomes code). Anything that changes
 *    those calls hart_tlb_flush(). An entry is valid only if its tag carries
 *    the current salt (salt_r for read, salt_x for code, salt_w for write). A write entry exists only for RAM pages
 *    whose PTE has D set, that hold no decoded code and no MMIO overlay;
 *    filling one marks the page in the machine's dirty bitmaps, so reading
 *    a dirty bitmap must be followed by a flush of the write TLB.
 *  - Architectural state (everything before `tlb_r`) is plain data with no
 *    pointers, so it can be saved and loaded as bytes by migration.
 *  - No read or write TLB entry exists for a page where a load or store
 *    trigger may fire in the current mode, so those accesses reach the slow
 *    path, which checks the triggers; trigger CSR writes and changes of
 *    tcontrol.MTE flush the TLBs. trig_armed is zero when no trigger can
 *    fire, so the interpreter pays one test at its slow points.
 */
#ifndef GODWIT_CPU_HART_H
#define GODWIT_CPU_HART_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct machine;
struct vmstate_desc;

#define HART_TLB_SIZE 4096
/* A TLB tag is the page-aligned virtual address ORed with the TLB's current
 * salt (bits 3..11, never set in a lookup key). A flush bumps the salt, so
 * it costs O(1); every 511th flush clears the entries for real. */
#define HART_TLB_SALT_STEP 8u
/* below 0xff8, so no key (which may have bits 0..2 set) ever equals ~0 */
#define HART_TLB_SALT_LIMIT 0xff8u
#define HART_PAGE_SHIFT 12
#define HART_PAGE_SIZE (1ull << HART_PAGE_SHIFT)
#define HART_QUIESCENT UINT64_MAX

enum hart_priv { PRV_U = 0, PRV_S = 1, PRV_M = 3 };

/* mstatus fields */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_XS (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SD (1ull << 63)

/* interrupt bits (mip/mie) */
#define MIP_SSIP (1ull << 1)
#define MIP_MSIP (1ull << 3)
#define MIP_STIP (1ull << 5)
#define MIP_MTIP (1ull << 7)
#define MIP_SEIP (1ull << 9)
#define MIP_MEIP (1ull << 11)

/* exception causes */
enum {
	CAUSE_MISALIGNED_FETCH = 0,
	CAUSE_FETCH_ACCESS = 1,
	CAUSE_ILLEGAL_INSN = 2,
	CAUSE_BREAKPOINT = 3,
	CAUSE_MISALIGNED_LOAD = 4,
	CAUSE_LOAD_ACCESS = 5,
	CAUSE_MISALIGNED_STORE = 6,
	CAUSE_STORE_ACCESS = 7,
	CAUSE_ECALL_U = 8,
	CAUSE_ECALL_S = 9,
	CAUSE_ECALL_M = 11,
	CAUSE_FETCH_PAGE = 12,
	CAUSE_LOAD_PAGE = 13,
	CAUSE_STORE_PAGE = 15,
};
#define CAUSE_INTERRUPT (1ull << 63)

/* misa: MXL=2 (64-bit), A C D F I M S U - exactly what is implemented. */
#define HART_MISA                                                          \
	((2ull << 62) | (1u << ('A' - 'A')) | (1u << ('C' - 'A')) |        \
	 (1u << ('D' - 'A')) | (1u << ('F' - 'A')) | (1u << ('I' - 'A')) | \
	 (1u << ('M' - 'A')) | (1u << ('S' - 'A')) | (1u << ('U' - 'A')))

#define HART_NUM_PMP 16
/* Debug triggers (Sdtrig, trigger.c) */
#define HART_NUM_TRIG 4
#define TCONTROL_MTE (1ull << 3)
#define TCONTROL_MPTE (1ull << 7)
/* access kinds, as the load/store/execute bits 0..2 of mcontrol(6) */
enum { TRIG_LOAD = 1, TRIG_STORE = 2, TRIG_EXEC = 4 };
/* mcountinhibit bits that stop mcycle and minstret */
#define MCOUNTINHIBIT_CY (1ull << 0)
#define MCOUNTINHIBIT_IR (1ull << 2)

struct hart_tlb_entry {
	uint64_t tag;     /* page-aligned virtual address | salt, ~0 when empty */
	uintptr_t addend; /* host address = addend + virtual address */
	uint64_t ppn;     /* guest physical page number (for invalidation) */
};

struct hart_code_entry {
	uint64_t tag;           /* page-aligned virtual address | salt, ~0 when empty */
	struct dpage *dp;       /* decoded slots of that physical page */
	const uint8_t *host;    /* host address of the page's first byte */
	uint64_t ppn;           /* guest physical page number */
};

/* Architectural state: plain data, saved/loaded as a whole by migration. */
struct hart_state {
	uint64_t x[33]; /* x[32] is the sink for writes to x0 */
	uint64_t f[32];
	uint64_t pc;
	uint32_t priv;
	uint32_t fflags;
	uint32_t frm;
	uint32_t wfi;      /* sleeping in WFI */
	uint64_t resv_addr; /* LR reservation (virtual address), valid if resv_valid */
	uint32_t resv_valid;
	uint32_t pad0;
	uint64_t resv_val;  /* the value LR read: SC stores only if memory
			     * still holds it (a compare-and-swap) */

	uint64_t mstatus;
	uint64_t medeleg, mideleg;
	uint64_t mie, mip; /* mip holds software-writable bits; see hart_mip() */
	uint64_t mtvec, mscratch, mepc, mcause, mtval;
	uint64_t mcounteren, mcountinhibit, menvcfg;
	uint64_t stvec, sscratch, sepc, scause, stval, satp;
	uint64_t scounteren, senvcfg;
	/* mcycle and minstret at the start of the running slice; the slice's
	 * retired instructions are added unless mcountinhibit stops the
	 * counter (hart_counter()) */
	uint64_t mcycle;
	uint64_t minstret;
	uint64_t pmpcfg[HART_NUM_PMP / 8];
	uint64_t pmpaddr[HART_NUM_PMP];
	/* debug triggers: every tdata1 is legal (hart_trig_legal_tdata1) */
	uint64_t tselect;
	uint64_t tdata1[HART_NUM_TRIG];
	uint64_t tdata2[HART_NUM_TRIG];
	uint64_t tcontrol; /* MTE and MPTE only */
};

struct hart {
	struct hart_state s;

	/* wiring and caches, not migrated */
	struct machine *m;
	int id;         /* mhartid, index in m->harts */
	uint64_t hw_ip; /* MTIP/MSIP/MEIP/SEIP driven by devices; any thread
			 * changes it atomically (hart_set_hw_irq) */
	/* decoded-code reclamation (machine/code.c): the code_gen whose
	 * retired pages this hart's code TLB no longer references, and what
	 * it publishes (HART_QUIESCENT outside hart_run) */
	uint64_t x_gen;
	uint64_t seen_gen;
	/* WFI sleep of this hart's thread (machine/cpus.c) */
	pthread_mutex_t wait_lock;
	pthread_cond_t wait_cond;
	int kicked;
	bool wait_inited;
	int64_t slice;  /* instructions granted to the current slice; 0
			 * outside hart_run */
	int64_t budget; /* instructions left in the current slice */
	uint32_t trig_armed; /* TRIG_* kinds some trigger matches in any mode,
			      * derived from tdata1 by hart_trig_update() */
	uint64_t salt_r; /* current salt of the read TLB */
	uint64_t salt_x; /* current salt of the code TLB */
	uint64_t salt_w; /* current salt of the write TLB */
	struct hart_tlb_entry tlb_r[HART_TLB_SIZE];
	struct hart_tlb_entry tlb_w[HART_TLB_SIZE];
	struct hart_code_entry tlb_x[HART_TLB_SIZE];
};

/* hart.c */
void hart_reset(struct hart *h, struct machine *m, uint64_t pc);
void hart_tlb_flush(struct hart *h);
void hart_tlb_flush_write(struct hart *h);
/* From any thread: drop h's write entries for ppn (atomically per entry). */
void hart_tlb_drop_write_ppn(struct hart *h, uint64_t ppn);
void hart_tlb_flush_code(struct hart *h);
/* Wake h's thread if it sleeps (machine/cpus.c); any thread. */
void hart_kick(struct hart *h);
uint64_t hart_mip(const struct hart *h);
void hart_set_hw_irq(struct hart *h, uint64_t bit, bool level);
uint64_t hart_instret(const struct hart *h);
uint64_t hart_counter(const struct hart *h, uint64_t inhibit_bit);
void hart_counter_write(struct hart *h, uint64_t inhibit_bit, uint64_t val);
void hart_set_mcountinhibit(struct hart *h, uint64_t val);

/* hart_state.c: the hart's migratable state ("hart", migration/vmstate.h) */
extern const struct vmstate_desc hart_vmstate;

/* exec.c: run up to max_insns instructions; returns how many retired.
 * Returns early when the hart enters WFI or the machine asks to stop. */
int64_t hart_run(struct hart *h, int64_t max_insns);

/* trap.c */
void hart_raise(struct hart *h, uint64_t cause, uint64_t tval);
bool hart_check_interrupts(struct hart *h);
bool hart_interrupt_pending(const struct hart *h);
int hart_mret(struct hart *h);
int hart_sret(struct hart *h);

/* csr.c: return 0, or -1 for an illegal access (caller raises) */
int hart_csr_read(struct hart *h, uint32_t csr, uint64_t *val);
int hart_csr_write(struct hart *h, uint32_t csr, uint64_t val);
uint64_t hart_csr_rmw_base(const struct hart *h, uint32_t csr, uint64_t read_val);
void hart_set_mstatus(struct hart *h, uint64_t val);

/* mmu.c: slow-path memory access. Return 0 or raise a trap and return -1. */
enum hart_access { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2 };
int hart_load_slow(struct hart *h, uint64_t va, int size, uint64_t *val);
int hart_store_slow(struct hart *h, uint64_t va, int size, uint64_t val);
/* hart_store_slow returns 1 (not 0) when the block must end: the store hit
 * decoded code or a device. */
int hart_translate(struct hart *h, uint64_t va, enum hart_access acc,
		   uint64_t *pa);
int hart_fetch_page(struct hart *h, uint64_t pc,
		    struct hart_code_entry **out);
int hart_fetch_u16(struct hart *h, uint64_t va, uint16_t *out);
/* Host pointer for an AMO/LR/SC operand; 0, 1 (code invalidated) or -1.
 * kinds: TRIG_LOAD (LR), TRIG_STORE (SC) or both (AMO). */
int hart_amo_addr(struct hart *h, uint64_t va, int size, unsigned kinds,
		  uint8_t **host);

/* trigger.c: Sdtrig address triggers (mcontrol, mcontrol6) */
void hart_trig_reset(struct hart *h);
void hart_trig_update(struct hart *h);
uint64_t hart_trig_legal_tdata1(uint64_t val);
int hart_trig_csr_read(const struct hart *h, uint32_t csr, uint64_t *val);
int hart_trig_csr_write(struct hart *h, uint32_t csr, uint64_t val);
/* Before the instruction at pc: -1 if a trigger fired (breakpoint raised),
 * 1 if one may fire elsewhere in pc's page (run it one instruction at a
 * time), 0 if none can fire in that page. Only if trig_armed & TRIG_EXEC. */
int hart_trig_fetch(struct hart *h, uint64_t pc);
/* Before a load/store of [va, va+size): -1 if a trigger fired (breakpoint
 * raised), else 0. */
int hart_trig_access(struct hart *h, uint64_t va, int size, unsigned kinds);
/* May a trigger of these kinds fire for an access in va's page in the
 * current mode? (then no TLB entry may be filled for it) */
bool hart_trig_page(const struct hart *h, uint64_t va, unsigned kinds);

#endif
