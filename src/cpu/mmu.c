/*
 * mmu.c - Sv39/Sv48 translation with hardware A/D updates, TLB refill and
 * the slow paths of loads, stores, AMOs and instruction fetch.
 *
 * Invariants (see hart.h): write-TLB entries are only created for RAM pages
 * with no decoded code and no MMIO overlay (machine_code_write_mapped()
 * settles a race with another hart decoding the page), and creating one
 * marks the page dirty; every slow-path RAM store marks its page dirty itself. Load and
 * store triggers are checked first (a breakpoint comes before misaligned
 * and page faults) and keep their pages out of the TLBs.
 */
#include "cpu/hart.h"
#include "machine/machine.h"

#include <string.h>

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PPN_MASK ((1ull << 44) - 1)
#define PAGE_MASK (HART_PAGE_SIZE - 1)

static const uint64_t page_fault[3] = { CAUSE_LOAD_PAGE, CAUSE_STORE_PAGE,
					CAUSE_FETCH_PAGE };
static const uint64_t access_fault[3] = { CAUSE_LOAD_ACCESS,
					  CAUSE_STORE_ACCESS,
					  CAUSE_FETCH_ACCESS };

static uint32_t effective_priv(const struct hart *h, enum hart_access acc)
{
	if (acc != ACC_FETCH && h->s.priv == PRV_M &&
	    (h->s.mstatus & MSTATUS_MPRV))
		return (uint32_t)((h->s.mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
	return h->s.priv;
}

static bool leaf_allows(const struct hart *h, uint64_t pte, uint32_t priv,
			enum hart_access acc)
{
	if (priv == PRV_U && !(pte & PTE_U))
		return false;
	if (priv == PRV_S && (pte & PTE_U) &&
	    (acc == ACC_FETCH || !(h->s.mstatus & MSTATUS_SUM)))
		return false;
	switch (acc) {
	case ACC_READ:
		return (pte & PTE_R) ||
		       ((h->s.mstatus & MSTATUS_MXR) && (pte & PTE_X));
	case ACC_WRITE:
		return (pte & PTE_W) != 0;
	default:
		return (pte & PTE_X) != 0;
	}
}

/* Walk the page table; 0 and *pa, or a cause (page or access fault) + 1.
 * A and D are set with a compare-and-swap on the PTE, as hardware does:
 * when another hart changed the PTE meanwhile, the walk starts again. */
static uint64_t walk(struct hart *h, uint64_t va, enum hart_access acc,
		     uint32_t priv, uint64_t *pa)
{
	int levels = (h->s.satp >> 60) == 8 ? 3 : 4;
	int vabits = 12 + 9 * levels;
	uint64_t a, pte = 0;
	uint8_t *p = NULL;
	int i, tries = 0;

	if ((uint64_t)(((int64_t)(va << (64 - vabits))) >> (64 - vabits)) != va)
		return page_fault[acc] + 1;
retry:
	a = (h->s.satp & PPN_MASK) << 12;
	for (i = levels - 1; i >= 0; i--) {
		p = machine_ram_ptr(h->m, a + ((va >> (12 + 9 * i)) & 511) * 8, 8);
		if (!p)
			return access_fault[acc] + 1;
		pte = __atomic_load_n((uint64_t *)p, __ATOMIC_ACQUIRE);
		if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
		    (pte >> 54))
			return page_fault[acc] + 1;
		if (pte & (PTE_R | PTE_X))
			break;
		a = ((pte >> 10) & PPN_MASK) << 12;
	}
	if (i < 0 || !leaf_allows(h, pte, priv, acc))
		return page_fault[acc] + 1;
	{
		uint64_t ppn = (pte >> 10) & PPN_MASK;
		uint64_t lowmask = (1ull << (12 + 9 * i)) - 1;
		uint64_t need = PTE_A | (acc == ACC_WRITE ? PTE_D : 0);

		if (i > 0 && (ppn & ((1ull << (9 * i)) - 1)))
			return page_fault[acc] + 1; /* misaligned superpage */
		if ((pte & need) != need) {
			uint64_t expect = pte;

			machine_dirty_mark(h->m, (uint64_t)(p - h->m->ram.host) +
							 h->m->ram.base, 8);
			if (!__atomic_compare_exchange_n((uint64_t *)p, &expect, pte | need, false,
							 __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE)) {
				if (++tries < 64)
					goto retry;
				return page_fault[acc] + 1; /* a livelock: let the guest retry */
			}
		}
		*pa = ((ppn << 12) & ~lowmask) | (va & lowmask);
	}
	return 0;
}

int hart_translate(struct hart *h, uint64_t va, enum hart_access acc,
		   uint64_t *pa)
{
	uint32_t priv = effective_priv(h, acc);
	uint64_t r;

	if (priv == PRV_M || (h->s.satp >> 60) == 0) {
		*pa = va;
		return 0;
	}
	r = walk(h, va, acc, priv, pa);
	if (r) {
		hart_raise(h, r - 1, va);
		return -1;
	}
	return 0;
}

static void tlb_fill(struct hart_tlb_entry *tlb, uint64_t salt, uint64_t va,
		     uint64_t pa, const uint8_t *host_page)
{
	struct hart_tlb_entry *e = &tlb[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];

	/* tag and ppn with atomic stores: another thread may read ppn and
	 * empty the entry (hart_tlb_drop_write_ppn) */
	__atomic_store_n(&e->tag, ~0ull, __ATOMIC_RELAXED);
	e->addend = (uintptr_t)host_page - (uintptr_t)(va & ~PAGE_MASK);
	__atomic_store_n(&e->ppn, pa >> HART_PAGE_SHIFT, __ATOMIC_RELAXED);
	__atomic_store_n(&e->tag, (va & ~PAGE_MASK) | salt, __ATOMIC_RELAXED);
}

/* Host memory for [pa, pa+size) if it is plain RAM/ROM within one page. */
static uint8_t *direct(struct hart *h, uint64_t pa, int size, struct mem_range **rp)
{
	struct mem_range *r = machine_range(h->m, pa);

	if (!r || pa + (uint64_t)size > r->base + r->size)
		return NULL;
	if (h->m->overlay_ppn && (pa >> HART_PAGE_SHIFT) == h->m->overlay_ppn)
		return NULL;
	*rp = r;
	return r->host + (pa - r->base);
}

/* Fixed-size copies (a variable-size memcpy becomes a libc call). */
static uint64_t ld_n(const uint8_t *p, int size)
{
	uint8_t b;
	uint16_t hw;
	uint32_t w;
	uint64_t dw;

	switch (size) {
	case 1: memcpy(&b, p, 1); return b;
	case 2: memcpy(&hw, p, 2); return hw;
	case 4: memcpy(&w, p, 4); return w;
	default: memcpy(&dw, p, 8); return dw;
	}
}

static void st_n(uint8_t *p, int size, uint64_t v)
{
	uint8_t b = (uint8_t)v;
	uint16_t hw = (uint16_t)v;
	uint32_t w = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &b, 1); break;
	case 2: memcpy(p, &hw, 2); break;
	case 4: memcpy(p, &w, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

static bool crosses_page(uint64_t va, int size)
{
	return (va & PAGE_MASK) + (uint64_t)size > HART_PAGE_SIZE;
}

/* The bytes of a page-crossing access are checked against the triggers
 * again, in vain: none of them matches if the whole access did not. */
int hart_load_slow(struct hart *h, uint64_t va, int size, uint64_t *val)
{
	struct mem_range *r;
	uint64_t pa, v = 0;
	uint8_t *p;

	if ((h->trig_armed & TRIG_LOAD) && hart_trig_access(h, va, size, TRIG_LOAD))
		return -1;
	if (crosses_page(va, size)) {
		for (int i = 0; i < size; i++) {
			uint64_t b;
			if (hart_load_slow(h, va + (uint64_t)i, 1, &b))
				return -1;
			v |= b << (8 * i);
		}
		*val = v;
		return 0;
	}
	if (hart_translate(h, va, ACC_READ, &pa))
		return -1;
	p = direct(h, pa, size, &r);
	if (p) {
		v = ld_n(p, size);
		if (!(h->trig_armed & TRIG_LOAD) || !hart_trig_page(h, va, TRIG_LOAD))
			tlb_fill(h->tlb_r, h->salt_r, va, pa, p - (pa & PAGE_MASK));
		*val = v;
		return 0;
	}
	if (machine_phys_access(h->m, pa, size, false, val)) {
		hart_raise(h, CAUSE_LOAD_ACCESS, va);
		return -1;
	}
	return 0;
}

static int store_ram(struct hart *h, struct mem_range *r, uint8_t *p,
		     uint64_t va, uint64_t pa, int size, uint64_t val)
{
	int ret = 0;

	if (r->readonly)
		return 0; /* ROM: writes are ignored, as on QEMU */
	if (machine_code_invalidate(h->m, pa))
		ret = 1;
	machine_dirty_mark(h->m, pa, (uint64_t)size);
	st_n(p, size, val);
	if (!(h->trig_armed & TRIG_STORE) || !hart_trig_page(h, va, TRIG_STORE)) {
		struct hart_tlb_entry *e = &h->tlb_w[(va >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];

		tlb_fill(h->tlb_w, h->salt_w, va, pa, p - (pa & PAGE_MASK));
		/* another hart may have started decoding this page meanwhile */
		if (r == &h->m->ram && !machine_code_write_mapped(h->m, h, pa))
			__atomic_store_n(&e->tag, ~0ull, __ATOMIC_RELAXED);
	}
	return ret;
}

int hart_store_slow(struct hart *h, uint64_t va, int size, uint64_t val)
{
	struct mem_range *r;
	uint64_t pa;
	uint8_t *p;

	if ((h->trig_armed & TRIG_STORE) && hart_trig_access(h, va, size, TRIG_STORE))
		return -1;
	if (crosses_page(va, size)) {
		int ret = 0;
		/* probe both pages first so a fault leaves memory untouched */
		if (hart_translate(h, va, ACC_WRITE, &pa) ||
		    hart_translate(h, va + (uint64_t)size - 1, ACC_WRITE, &pa))
			return -1;
		for (int i = 0; i < size; i++) {
			int s = hart_store_slow(h, va + (uint64_t)i, 1, val >> (8 * i));
			if (s < 0)
				return -1;
			ret |= s;
		}
		return ret;
	}
	if (hart_translate(h, va, ACC_WRITE, &pa))
		return -1;
	p = direct(h, pa, size, &r);
	if (p)
		return store_ram(h, r, p, va, pa, size, val);
	if (machine_phys_access(h->m, pa, size, true, &val)) {
		hart_raise(h, CAUSE_STORE_ACCESS, va);
		return -1;
	}
	return 1; /* a device may have raised an interrupt or stopped the VM */
}

int hart_amo_addr(struct hart *h, uint64_t va, int size, unsigned kinds,
		  uint8_t **host)
{
	bool write = (kinds & TRIG_STORE) != 0;
	struct mem_range *r;
	uint64_t pa;
	uint8_t *p;
	int ret = 0;

	if ((h->trig_armed & kinds) && hart_trig_access(h, va, size, kinds))
		return -1;
	if (va & (uint64_t)(size - 1)) {
		hart_raise(h, write ? CAUSE_MISALIGNED_STORE : CAUSE_MISALIGNED_LOAD, va);
		return -1;
	}
	if (hart_translate(h, va, write ? ACC_WRITE : ACC_READ, &pa))
		return -1;
	p = direct(h, pa, size, &r);
	if (!p || (write && r->readonly)) {
		hart_raise(h, write ? CAUSE_STORE_ACCESS : CAUSE_LOAD_ACCESS, va);
		return -1;
	}
	if (write) {
		if (machine_code_invalidate(h->m, pa))
			ret = 1;
		machine_dirty_mark(h->m, pa, (uint64_t)size);
	}
	*host = p;
	return ret;
}

int hart_fetch_page(struct hart *h, uint64_t pc, struct hart_code_entry **out)
{
	struct hart_code_entry *e;
	struct mem_range *r;
	struct dpage *dp;
	uint64_t pa;

	if (hart_translate(h, pc, ACC_FETCH, &pa))
		return -1;
	r = machine_range(h->m, pa);
	dp = r ? machine_code_page(h->m, pa) : NULL;
	if (!dp) {
		hart_raise(h, CAUSE_FETCH_ACCESS, pc);
		return -1;
	}
	e = &h->tlb_x[(pc >> HART_PAGE_SHIFT) & (HART_TLB_SIZE - 1)];
	e->tag = (pc & ~PAGE_MASK) | h->salt_x;
	e->dp = dp;
	e->host = r->host + ((pa & ~PAGE_MASK) - r->base);
	e->ppn = pa >> HART_PAGE_SHIFT;
	*out = e;
	return 0;
}

int hart_fetch_u16(struct hart *h, uint64_t va, uint16_t *out)
{
	struct mem_range *r;
	uint64_t pa;

	if (hart_translate(h, va, ACC_FETCH, &pa))
		return -1;
	r = machine_range(h->m, pa);
	if (!r || pa + 2 > r->base + r->size) {
		hart_raise(h, CAUSE_FETCH_ACCESS, va);
		return -1;
	}
	memcpy(out, r->host + (pa - r->base), 2);
	return 0;
}
