/*
 * test_mmu.c - address translation (bare, Sv39, Sv48), permission rules,
 * A/D updates, the load/store/AMO/fetch slow paths, decoded-code
 * invalidation and dirty tracking.
 *
 * Page tables are built by hand in guest RAM, well away from the image at
 * DRAM base and the device tree at the top of RAM.
 */
#include "unit_machine.h"

/* Sv39 tables */
#define PT_ROOT (UM_DRAM + 0x100000)
#define PT_L1 (UM_DRAM + 0x101000)
#define PT_L0 (UM_DRAM + 0x102000)
/* Sv48 tables */
#define PT48_ROOT (UM_DRAM + 0x110000)
#define PT48_L2 (UM_DRAM + 0x111000)
#define PT48_L1 (UM_DRAM + 0x112000)
#define PT48_L0 (UM_DRAM + 0x113000)

/* data pages */
#define PA_DATA (UM_DRAM + 0x300000) /* VA 0x1000 */
#define PA_DATA2 (UM_DRAM + 0x305000) /* VA 0x2000: not contiguous in PA */
#define PA_USER (UM_DRAM + 0x304000) /* VA 0x4000, U page */
#define PA_XONLY (UM_DRAM + 0x303000) /* VA 0x5000, execute-only */
#define PA_NOAD (UM_DRAM + 0x306000) /* VA 0x6000, A and D clear */

#define VA_DATA 0x1000ull
#define VA_DATA2 0x2000ull
#define VA_UNMAPPED 0x3000ull
#define VA_USER 0x4000ull
#define VA_XONLY 0x5000ull
#define VA_NOAD 0x6000ull
#define VA_WONLY 0x7000ull
#define VA_RSVD 0x8000ull
#define VA_2M 0x200000ull         /* 2 MiB leaf -> DRAM + 2 MiB */
#define VA_2M_BAD 0x400000ull     /* 2 MiB leaf with a misaligned PPN */
#define VA_1G 0x40000000ull       /* 1 GiB leaf -> DRAM */
#define VA_1G_BAD 0x80000000ull   /* 1 GiB leaf with a misaligned PPN */
#define VA_BAD_TABLE 0xc0000000ull /* non-leaf pointing outside RAM */

#define RWXAD (UM_PTE_V | UM_PTE_RWX | UM_PTE_AD)
#define RWAD (UM_PTE_V | UM_PTE_R | UM_PTE_W | UM_PTE_AD)
#define PTR UM_PTE_V

static void build_sv39(struct machine *m)
{
	um_set_pte(m, PT_ROOT, 0, 2, um_pte(PT_L1, PTR));
	um_set_pte(m, PT_ROOT, VA_1G, 2, um_pte(UM_DRAM, RWXAD));
	um_set_pte(m, PT_ROOT, VA_1G_BAD, 2, um_pte(UM_DRAM + 0x200000, RWXAD));
	um_set_pte(m, PT_ROOT, VA_BAD_TABLE, 2, um_pte(0x40000000, PTR));
	um_set_pte(m, PT_L1, 0, 1, um_pte(PT_L0, PTR));
	um_set_pte(m, PT_L1, VA_2M, 1, um_pte(UM_DRAM + 0x200000, RWXAD));
	um_set_pte(m, PT_L1, VA_2M_BAD, 1, um_pte(UM_DRAM + 0x201000, RWXAD));
	um_set_pte(m, PT_L0, VA_DATA, 0, um_pte(PA_DATA, RWAD));
	um_set_pte(m, PT_L0, VA_DATA2, 0, um_pte(PA_DATA2, RWAD));
	um_set_pte(m, PT_L0, VA_USER, 0, um_pte(PA_USER, RWXAD | UM_PTE_U));
	um_set_pte(m, PT_L0, VA_XONLY, 0,
		   um_pte(PA_XONLY, UM_PTE_V | UM_PTE_X | UM_PTE_A));
	um_set_pte(m, PT_L0, VA_NOAD, 0,
		   um_pte(PA_NOAD, UM_PTE_V | UM_PTE_R | UM_PTE_W));
	um_set_pte(m, PT_L0, VA_WONLY, 0,
		   um_pte(PA_DATA, UM_PTE_V | UM_PTE_W | UM_PTE_AD));
	um_set_pte(m, PT_L0, VA_RSVD, 0, um_pte(PA_DATA, RWAD) | (1ull << 61));
}

/* Build the Sv39 tables and enter S-mode with them. */
static void enter_sv39(struct machine *m, uint32_t priv)
{
	struct hart *h = &m->harts[0];

	build_sv39(m);
	h->s.satp = um_satp(UM_SATP_SV39, PT_ROOT);
	h->s.priv = priv;
	h->s.pc = 0x12340; /* for mepc checks; never fetched */
	hart_tlb_flush(h);
}

/* The last trap went to M with this cause and tval, from pc 0x12340. */
static void expect_m_trap(struct hart *h, uint64_t cause, uint64_t tval)
{
	assert_hex_equal(h->s.mcause, cause);
	assert_hex_equal(h->s.mtval, tval);
	assert_hex_equal(h->s.mepc, 0x12340);
	assert_int_equal(h->s.priv, PRV_M);
}

/* Run one translation from a fresh S/U state and expect a trap to M. */
static void expect_translate_fault(struct hart *h, uint32_t priv, uint64_t va,
				   enum hart_access acc, uint64_t cause)
{
	uint64_t pa = 0xdead;

	h->s.priv = priv;
	h->s.pc = 0x12340;
	h->s.mcause = ~0ull;
	hart_tlb_flush(h);
	assert_int_equal(hart_translate(h, va, acc, &pa), -1);
	expect_m_trap(h, cause, va);
}

static void expect_translate(struct hart *h, uint32_t priv, uint64_t va,
			     enum hart_access acc, uint64_t want_pa)
{
	uint64_t pa = 0xdead;

	h->s.priv = priv;
	hart_tlb_flush(h);
	h->s.mcause = ~0ull;
	assert_int_equal(hart_translate(h, va, acc, &pa), 0);
	assert_hex_equal(pa, want_pa);
	assert_hex_equal(h->s.mcause, ~0ull); /* no trap */
	assert_int_equal(h->s.priv, priv);
}

/* ------------------------------------------------------- translation */

static void test_mmu_bare_mode_is_identity(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	h->s.satp = 0;
	expect_translate(h, PRV_S, 0x80001234, ACC_READ, 0x80001234);
	expect_translate(h, PRV_U, 0x80001234, ACC_WRITE, 0x80001234);
	/* no canonical-address check in bare mode */
	expect_translate(h, PRV_S, 0xfffffffffffff000ull, ACC_FETCH,
			 0xfffffffffffff000ull);
	/* M-mode never translates, whatever satp says */
	build_sv39(m);
	h->s.satp = um_satp(UM_SATP_SV39, PT_ROOT);
	expect_translate(h, PRV_M, VA_DATA + 8, ACC_READ, VA_DATA + 8);
	expect_translate(h, PRV_M, 0x4000000000ull, ACC_FETCH, 0x4000000000ull);
}

static void test_mmu_sv39_4k_2m_1g_mappings(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v = 0;

	enter_sv39(m, PRV_S);
	expect_translate(h, PRV_S, VA_DATA + 0x234, ACC_READ, PA_DATA + 0x234);
	expect_translate(h, PRV_S, VA_DATA2 + 0xff8, ACC_WRITE, PA_DATA2 + 0xff8);
	expect_translate(h, PRV_S, VA_2M + 0x12345, ACC_FETCH,
			 UM_DRAM + 0x200000 + 0x12345);
	expect_translate(h, PRV_S, VA_2M + 0x1fffff, ACC_READ,
			 UM_DRAM + 0x3fffff);
	expect_translate(h, PRV_S, VA_1G + 0x123456, ACC_WRITE,
			 UM_DRAM + 0x123456);
	expect_translate(h, PRV_S, VA_1G + 0x3ffffff8, ACC_READ,
			 UM_DRAM + 0x3ffffff8);
	/* and the data really comes through the mapping */
	um_w64(m, PA_DATA + 0x10, 0x1122334455667788ull);
	assert_int_equal(hart_load_slow(h, VA_DATA + 0x10, 8, &v), 0);
	assert_hex_equal(v, 0x1122334455667788ull);
	assert_int_equal(hart_store_slow(h, VA_DATA2 + 0x20, 4, 0xcafef00d), 0);
	assert_hex_equal(um_r32(m, PA_DATA2 + 0x20), 0xcafef00d);
}

static void test_mmu_sv48_4k_2m_1g_512g_mappings(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint64_t base = 1ull << 39; /* root index 1: not reachable in Sv39 */

	um_set_pte(m, PT48_ROOT, 0, 3, um_pte(0, RWXAD)); /* 512 GiB identity */
	um_set_pte(m, PT48_ROOT, base, 3, um_pte(PT48_L2, PTR));
	um_set_pte(m, PT48_L2, base, 2, um_pte(PT48_L1, PTR));
	um_set_pte(m, PT48_L2, base + VA_1G, 2, um_pte(UM_DRAM, RWXAD));
	um_set_pte(m, PT48_L1, base, 1, um_pte(PT48_L0, PTR));
	um_set_pte(m, PT48_L1, base + VA_2M, 1, um_pte(UM_DRAM + 0x200000, RWXAD));
	um_set_pte(m, PT48_L0, base + VA_DATA, 0, um_pte(PA_DATA, RWAD));
	h->s.satp = um_satp(UM_SATP_SV48, PT48_ROOT);
	h->s.pc = 0x12340;

	expect_translate(h, PRV_S, base + VA_DATA + 0xabc, ACC_READ, PA_DATA + 0xabc);
	expect_translate(h, PRV_S, base + VA_2M + 0x1234, ACC_WRITE,
			 UM_DRAM + 0x201234);
	expect_translate(h, PRV_S, base + VA_1G + 0x2345678, ACC_FETCH,
			 UM_DRAM + 0x2345678);
	expect_translate(h, PRV_S, 0x80001238, ACC_READ, 0x80001238);
	/* canonical for Sv48 but with no mapping: page fault */
	expect_translate_fault(h, PRV_S, 0xffff800000000000ull, ACC_READ,
			       CAUSE_LOAD_PAGE);
	/* bit 47 set without sign extension: not canonical */
	expect_translate_fault(h, PRV_S, 0x0000800000001000ull, ACC_WRITE,
			       CAUSE_STORE_PAGE);
	/* upper bits set, bit 47 clear: not canonical, although the low 48
	 * bits hit the 512 GiB identity mapping */
	expect_translate_fault(h, PRV_S, 0xffff000080001000ull, ACC_READ,
			       CAUSE_LOAD_PAGE);
}

static void test_mmu_sv39_noncanonical_faults_to_m(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	/* each of these has the low 39 bits of a mapped page, so only the
	 * canonical check can reject them */
	const uint64_t bad_39 = (1ull << 39) | VA_DATA;      /* bit 39 without 38 */
	const uint64_t bad_top = 0xffffff8000000000ull | VA_DATA; /* 63:39 set, 38 clear */
	const uint64_t bad_u = 0xff00000000000000ull | VA_USER;
	const uint64_t bad_38 = 0x0000004000001000ull;   /* bit 38 set, 63:39 clear */

	enter_sv39(m, PRV_S);
	expect_translate_fault(h, PRV_S, bad_39, ACC_READ, CAUSE_LOAD_PAGE);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 1ull << MSTATUS_MPP_SHIFT);
	assert_hex_equal(h->s.pc, h->s.mtvec & ~3ull);
	expect_translate_fault(h, PRV_S, bad_top, ACC_WRITE, CAUSE_STORE_PAGE);
	expect_translate_fault(h, PRV_U, bad_u, ACC_FETCH, CAUSE_FETCH_PAGE);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 0);
	expect_translate_fault(h, PRV_S, bad_38, ACC_READ, CAUSE_LOAD_PAGE);
	/* the canonical forms of the same pages are fine */
	expect_translate(h, PRV_S, VA_DATA, ACC_READ, PA_DATA);
	expect_translate(h, PRV_U, VA_USER, ACC_FETCH, PA_USER);
	/* the top of the address space is canonical (and unmapped here) */
	expect_translate_fault(h, PRV_S, 0xfffffffffffff000ull, ACC_READ,
			       CAUSE_LOAD_PAGE);
}

static void test_mmu_page_fault_delegated_to_s(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v;

	enter_sv39(m, PRV_U);
	h->s.medeleg = 1ull << CAUSE_LOAD_PAGE;
	h->s.stvec = 0x9000;
	h->s.mcause = 0x55;
	assert_int_equal(hart_load_slow(h, VA_UNMAPPED + 4, 4, &v), -1);
	assert_hex_equal(h->s.scause, CAUSE_LOAD_PAGE);
	assert_hex_equal(h->s.stval, VA_UNMAPPED + 4);
	assert_hex_equal(h->s.sepc, 0x12340);
	assert_int_equal(h->s.priv, PRV_S);
	assert_hex_equal(h->s.pc, 0x9000);
	assert_hex_equal(h->s.mcause, 0x55); /* M untouched */
	/* a store fault is not delegated: it goes to M */
	assert_int_equal(hart_store_slow(h, VA_UNMAPPED, 8, 1), -1);
	assert_hex_equal(h->s.mcause, CAUSE_STORE_PAGE);
	assert_hex_equal(h->s.mtval, VA_UNMAPPED);
	assert_int_equal(h->s.priv, PRV_M);
}

static void test_mmu_u_bit_and_sum(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	enter_sv39(m, PRV_S);
	/* S on a U page: faults without SUM, data allowed with SUM */
	expect_translate_fault(h, PRV_S, VA_USER, ACC_READ, CAUSE_LOAD_PAGE);
	expect_translate_fault(h, PRV_S, VA_USER, ACC_WRITE, CAUSE_STORE_PAGE);
	h->s.mstatus |= MSTATUS_SUM;
	expect_translate(h, PRV_S, VA_USER + 8, ACC_READ, PA_USER + 8);
	expect_translate(h, PRV_S, VA_USER + 8, ACC_WRITE, PA_USER + 8);
	/* ... but S never executes from a U page, SUM or not */
	expect_translate_fault(h, PRV_S, VA_USER, ACC_FETCH, CAUSE_FETCH_PAGE);
	/* U: its own pages only */
	expect_translate(h, PRV_U, VA_USER + 0x10, ACC_FETCH, PA_USER + 0x10);
	expect_translate(h, PRV_U, VA_USER + 0x10, ACC_WRITE, PA_USER + 0x10);
	expect_translate_fault(h, PRV_U, VA_DATA, ACC_READ, CAUSE_LOAD_PAGE);
	expect_translate_fault(h, PRV_U, VA_2M, ACC_FETCH, CAUSE_FETCH_PAGE);
}

static void test_mmu_mxr_makes_execute_only_readable(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	enter_sv39(m, PRV_S);
	expect_translate(h, PRV_S, VA_XONLY, ACC_FETCH, PA_XONLY);
	expect_translate_fault(h, PRV_S, VA_XONLY + 4, ACC_READ, CAUSE_LOAD_PAGE);
	h->s.mstatus |= MSTATUS_MXR;
	expect_translate(h, PRV_S, VA_XONLY + 4, ACC_READ, PA_XONLY + 4);
	/* MXR does not make the page writable */
	expect_translate_fault(h, PRV_S, VA_XONLY + 4, ACC_WRITE, CAUSE_STORE_PAGE);
}

static void test_mmu_mprv_translates_data_with_mpp(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v = 0;

	enter_sv39(m, PRV_M);
	/* M with MPRV=1, MPP=S: loads and stores are translated as S */
	hart_set_mstatus(h, MSTATUS_MPRV | (1ull << MSTATUS_MPP_SHIFT));
	expect_translate(h, PRV_M, VA_DATA + 0x40, ACC_READ, PA_DATA + 0x40);
	expect_translate(h, PRV_M, VA_DATA + 0x40, ACC_WRITE, PA_DATA + 0x40);
	/* instruction fetch ignores MPRV */
	expect_translate(h, PRV_M, VA_DATA + 0x40, ACC_FETCH, VA_DATA + 0x40);
	um_w64(m, PA_DATA + 0x48, 0xabcdef);
	assert_int_equal(hart_load_slow(h, VA_DATA + 0x48, 8, &v), 0);
	assert_hex_equal(v, 0xabcdef);
	/* S rules apply: a U page needs SUM */
	expect_translate_fault(h, PRV_M, VA_USER, ACC_READ, CAUSE_LOAD_PAGE);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, MSTATUS_MPP); /* trapped from M */
	/* MPP=U: U rules */
	hart_set_mstatus(h, MSTATUS_MPRV);
	expect_translate(h, PRV_M, VA_USER, ACC_READ, PA_USER);
	expect_translate_fault(h, PRV_M, VA_DATA, ACC_WRITE, CAUSE_STORE_PAGE);
	/* MPP=M: bare */
	hart_set_mstatus(h, MSTATUS_MPRV | MSTATUS_MPP);
	expect_translate(h, PRV_M, VA_DATA, ACC_READ, VA_DATA);
}

static void test_mmu_accessed_and_dirty_bits_set_by_walk(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint64_t pte_pa = um_pte_addr(PT_L0, VA_NOAD, 0);
	uint64_t v;

	enter_sv39(m, PRV_S);
	assert_hex_equal(um_r64(m, pte_pa) & UM_PTE_AD, 0);
	assert_int_equal(hart_load_slow(h, VA_NOAD, 8, &v), 0);
	assert_hex_equal(um_r64(m, pte_pa) & UM_PTE_AD, UM_PTE_A);
	assert_int_equal(hart_store_slow(h, VA_NOAD + 8, 8, 5), 0);
	assert_hex_equal(um_r64(m, pte_pa) & UM_PTE_AD, UM_PTE_AD);
	assert_hex_equal(um_r64(m, pte_pa) & ~UM_PTE_AD,
			 um_pte(PA_NOAD, UM_PTE_V | UM_PTE_R | UM_PTE_W));
	/* non-leaf entries are left alone */
	assert_hex_equal(um_r64(m, um_pte_addr(PT_L1, 0, 1)), um_pte(PT_L0, PTR));
	/* a faulting access sets nothing */
	um_set_pte(m, PT_L0, VA_NOAD, 0, um_pte(PA_NOAD, UM_PTE_V | UM_PTE_R));
	expect_translate_fault(h, PRV_S, VA_NOAD, ACC_WRITE, CAUSE_STORE_PAGE);
	assert_hex_equal(um_r64(m, pte_pa) & UM_PTE_AD, 0);
}

static void test_mmu_invalid_pte_encodings_page_fault(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	enter_sv39(m, PRV_S);
	/* W without R is reserved, even for a store */
	expect_translate_fault(h, PRV_S, VA_WONLY, ACC_WRITE, CAUSE_STORE_PAGE);
	expect_translate_fault(h, PRV_S, VA_WONLY, ACC_READ, CAUSE_LOAD_PAGE);
	/* W without R in a non-leaf position too */
	um_set_pte(m, PT_L1, 0, 1, um_pte(PT_L0, UM_PTE_V | UM_PTE_W));
	expect_translate_fault(h, PRV_S, VA_DATA, ACC_READ, CAUSE_LOAD_PAGE);
	um_set_pte(m, PT_L1, 0, 1, um_pte(PT_L0, PTR));
	/* reserved / PBMT bits without Svpbmt */
	expect_translate_fault(h, PRV_S, VA_RSVD, ACC_READ, CAUSE_LOAD_PAGE);
	/* V clear */
	expect_translate_fault(h, PRV_S, VA_UNMAPPED, ACC_FETCH, CAUSE_FETCH_PAGE);
	/* a pointer at level 0 is not a leaf */
	um_set_pte(m, PT_L0, VA_UNMAPPED, 0, um_pte(PT_L0, PTR));
	expect_translate_fault(h, PRV_S, VA_UNMAPPED, ACC_READ, CAUSE_LOAD_PAGE);
}

static void test_mmu_misaligned_superpages_fault(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	enter_sv39(m, PRV_S);
	expect_translate_fault(h, PRV_S, VA_2M_BAD + 0x10, ACC_READ, CAUSE_LOAD_PAGE);
	expect_translate_fault(h, PRV_S, VA_1G_BAD, ACC_FETCH, CAUSE_FETCH_PAGE);
	expect_translate_fault(h, PRV_S, VA_1G_BAD + 0x1000, ACC_WRITE,
			       CAUSE_STORE_PAGE);
}

static void test_mmu_pte_outside_ram_is_access_fault(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	enter_sv39(m, PRV_S);
	/* a non-leaf entry pointing at unmapped physical space */
	expect_translate_fault(h, PRV_S, VA_BAD_TABLE, ACC_READ, CAUSE_LOAD_ACCESS);
	expect_translate_fault(h, PRV_S, VA_BAD_TABLE, ACC_WRITE, CAUSE_STORE_ACCESS);
	expect_translate_fault(h, PRV_S, VA_BAD_TABLE, ACC_FETCH, CAUSE_FETCH_ACCESS);
	/* a root table outside RAM (in the UART's MMIO window) */
	h->s.satp = um_satp(UM_SATP_SV39, VIRT_UART_BASE);
	expect_translate_fault(h, PRV_S, VA_DATA, ACC_READ, CAUSE_LOAD_ACCESS);
	/* the last 8 bytes of RAM are still a valid PTE location */
	h->s.satp = um_satp(UM_SATP_SV39, UM_DRAM + UM_RAM_SIZE - 0x1000);
	um_w64(m, UM_DRAM + UM_RAM_SIZE - 8, um_pte(UM_DRAM, RWXAD));
	expect_translate(h, PRV_S, 0xffffffffc0000010ull, ACC_READ, UM_DRAM + 0x10);
}

/* -------------------------------------------------------- slow paths */

static void test_mmu_load_store_slow_ram_and_unmapped_phys(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v = 0;

	h->s.pc = 0x12340;
	um_w64(m, UM_DRAM + 0x1000, 0x8877665544332211ull);
	assert_int_equal(hart_load_slow(h, UM_DRAM + 0x1000, 1, &v), 0);
	assert_hex_equal(v, 0x11);
	assert_int_equal(hart_load_slow(h, UM_DRAM + 0x1002, 2, &v), 0);
	assert_hex_equal(v, 0x4433);
	assert_int_equal(hart_load_slow(h, UM_DRAM + 0x1004, 4, &v), 0);
	assert_hex_equal(v, 0x88776655);
	assert_int_equal(hart_load_slow(h, UM_DRAM + 0x1001, 4, &v), 0); /* misaligned */
	assert_hex_equal(v, 0x55443322);
	assert_int_equal(hart_store_slow(h, UM_DRAM + 0x1003, 2, 0xbeef), 0);
	assert_hex_equal(um_r64(m, UM_DRAM + 0x1000), 0x887766beef332211ull);
	/* a load fills the read TLB for the page */
	assert_true(um_tlb_r_has(h, UM_DRAM + 0x1000));

	/* nothing at 0x40000000: access faults with the virtual address */
	assert_int_equal(hart_load_slow(h, 0x40000008, 8, &v), -1);
	expect_m_trap(h, CAUSE_LOAD_ACCESS, 0x40000008);
	h->s.pc = 0x12340;
	assert_int_equal(hart_store_slow(h, 0x40000010, 4, 1), -1);
	expect_m_trap(h, CAUSE_STORE_ACCESS, 0x40000010);
	/* just past the end of RAM */
	h->s.pc = 0x12340;
	assert_int_equal(hart_load_slow(h, UM_DRAM + UM_RAM_SIZE, 1, &v), -1);
	expect_m_trap(h, CAUSE_LOAD_ACCESS, UM_DRAM + UM_RAM_SIZE);

	/* MMIO: CLINT mtimecmp resets to all ones */
	assert_int_equal(hart_load_slow(h, VIRT_CLINT_BASE + 0x4000, 8, &v), 0);
	assert_hex_equal(v, ~0ull);
	assert_false(um_tlb_r_has(h, VIRT_CLINT_BASE + 0x4000)); /* devices are never cached */
}

static void test_mmu_misaligned_load_crossing_page(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v = 0;

	/* physical: 0x..0ffd .. 0x..1004 */
	for (int i = 0; i < 8; i++)
		um_w8(m, UM_DRAM + 0x7ffd + (uint64_t)i, (uint8_t)(0x11 * (i + 1)));
	assert_int_equal(hart_load_slow(h, UM_DRAM + 0x7ffd, 8, &v), 0);
	assert_hex_equal(v, 0x8877665544332211ull);

	/* virtual: two neighbouring pages that are far apart physically */
	enter_sv39(m, PRV_S);
	for (int i = 0; i < 4; i++) {
		um_w8(m, PA_DATA + 0xffc + (uint64_t)i, (uint8_t)(0xa1 + i));
		um_w8(m, PA_DATA2 + (uint64_t)i, (uint8_t)(0xb1 + i));
	}
	assert_int_equal(hart_load_slow(h, VA_DATA + 0xffc, 8, &v), 0);
	assert_hex_equal(v, 0xb4b3b2b1a4a3a2a1ull);
	assert_int_equal(hart_load_slow(h, VA_DATA + 0xffe, 4, &v), 0);
	assert_hex_equal(v, 0xb2b1a4a3);
	/* second half unmapped: page fault, nothing loaded */
	v = 0x77;
	assert_int_equal(hart_load_slow(h, VA_DATA2 + 0xffe, 4, &v), -1);
	assert_hex_equal(v, 0x77);
	assert_hex_equal(h->s.mcause, CAUSE_LOAD_PAGE);
	assert_in_range(h->s.mtval, VA_DATA2 + 0xffe, VA_DATA2 + 0x1001);
}

static void test_mmu_misaligned_store_crossing_into_unmapped_page(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	enter_sv39(m, PRV_S);
	um_w64(m, PA_DATA2 + 0xff8, 0x0102030405060708ull);
	assert_int_equal(hart_store_slow(h, VA_DATA2 + 0xffe, 4, 0xffffffff), -1);
	assert_hex_equal(h->s.mcause, CAUSE_STORE_PAGE);
	assert_in_range(h->s.mtval, VA_DATA2 + 0xffe, VA_DATA2 + 0x1001);
	/* the mapped half was not written */
	assert_hex_equal(um_r64(m, PA_DATA2 + 0xff8), 0x0102030405060708ull);

	/* a crossing store between two mapped pages writes both */
	h->s.priv = PRV_S;
	hart_tlb_flush(h);
	assert_int_equal(hart_store_slow(h, VA_DATA + 0xffe, 4, 0xddccbbaa), 0);
	assert_hex_equal(um_r8(m, PA_DATA + 0xffe), 0xaa);
	assert_hex_equal(um_r8(m, PA_DATA + 0xfff), 0xbb);
	assert_hex_equal(um_r8(m, PA_DATA2), 0xcc);
	assert_hex_equal(um_r8(m, PA_DATA2 + 1), 0xdd);
}

static void test_mmu_store_to_rom_is_ignored(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint32_t before;
	uint64_t v = 0;

	memcpy(&before, m->rom.host + 0x10, 4);
	assert_int_equal(hart_store_slow(h, VIRT_ROM_BASE + 0x10, 4, 0x12345678), 0);
	assert_int_equal(hart_load_slow(h, VIRT_ROM_BASE + 0x10, 4, &v), 0);
	assert_hex_equal(v, before);
	/* ROM never enters the write TLB */
	assert_false(um_tlb_w_has(h, VIRT_ROM_BASE));
}

static void test_mmu_store_to_code_page_invalidates_decoded_code(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint64_t page = UM_DRAM + 0x5000;
	const uint64_t idx = (page - UM_DRAM) >> HART_PAGE_SHIFT;
	struct hart_code_entry *ce = NULL;
	struct dpage *dp;

	assert_int_equal(hart_fetch_page(h, page + 0x10, &ce), 0);
	assert_non_null(ce);
	dp = m->ram.code[idx];
	assert_non_null(dp);
	assert_ptr_equal(ce->dp, dp);
	assert_true(um_tlb_x_has(h, page));

	/* a store to the code page ends the block and drops the decoded page */
	assert_int_equal(hart_store_slow(h, page + 0x10, 4, 0x00000013), 1);
	assert_null(m->ram.code[idx]);
	assert_hex_equal(um_r32(m, page + 0x10), 0x00000013);
	/* the page is retired: every hart's next reload drops its code TLB
	 * (machine/code.c), this one's included */
	assert_true(__atomic_load_n(&m->code_gen, __ATOMIC_SEQ_CST) != h->x_gen);
	/* the page is plain data now */
	assert_int_equal(hart_store_slow(h, page + 0x14, 4, 0x00000013), 0);
	/* other pages were never code */
	assert_int_equal(hart_store_slow(h, page + 0x1000, 8, 1), 0);

	/* an AMO on a code page reports the invalidation too */
	assert_non_null(machine_code_page(m, page));
	{
		uint8_t *p = NULL;
		assert_int_equal(hart_amo_addr(h, page + 8, 8, TRIG_LOAD | TRIG_STORE, &p), 1);
		assert_ptr_equal(p, um_ptr(m, page + 8, 8));
		assert_null(m->ram.code[idx]);
	}
}

static void test_mmu_code_page_drops_write_tlb_entry(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint64_t page = UM_DRAM + 0x6000;

	assert_int_equal(hart_store_slow(h, page, 8, 1), 0);
	assert_true(um_tlb_w_has(h, page)); /* fast path armed */
	assert_non_null(machine_code_page(m, page));
	/* the page holds decoded code now: stores must take the slow path */
	assert_false(um_tlb_w_has(h, page));
	assert_int_equal(hart_store_slow(h, page + 8, 8, 2), 1);
}

static void test_mmu_dirty_tracking_mark_sync_flush(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t out[UM_RAM_SIZE / HART_PAGE_SIZE / 64];
	int id;

	/* a write entry made before tracking starts must not survive it */
	assert_int_equal(hart_store_slow(h, UM_DRAM + 0x3000, 8, 1), 0);
	assert_true(um_tlb_w_has(h, UM_DRAM + 0x3000));
	id = machine_dirty_start(m);
	assert_true(id >= 0);
	assert_false(um_tlb_w_has(h, UM_DRAM + 0x3000));

	memset(out, 0xff, sizeof(out));
	assert_int_equal(machine_dirty_sync(m, id, out), 0);
	for (size_t i = 0; i < sizeof(out) / 8; i++)
		assert_hex_equal(out[i], 0);

	assert_int_equal(hart_store_slow(h, UM_DRAM + 0x3000, 8, 1), 0);
	assert_int_equal(hart_store_slow(h, UM_DRAM + 0x3008, 1, 2), 0);
	assert_int_equal(hart_store_slow(h, UM_DRAM + 0x4ffe, 4, 3), 0); /* pages 4, 5 */
	assert_int_equal(hart_store_slow(h, UM_DRAM + UM_RAM_SIZE - 8, 8, 4), 0);
	assert_true(um_tlb_w_has(h, UM_DRAM + 0x3000));

	assert_int_equal(machine_dirty_sync(m, id, out), 4);
	assert_hex_equal(out[0], (1ull << 3) | (1ull << 4) | (1ull << 5));
	assert_hex_equal(out[sizeof(out) / 8 - 1], 1ull << 63);
	/* the sync flushed the write TLB, so the next store marks again */
	assert_false(um_tlb_w_has(h, UM_DRAM + 0x3000));
	assert_int_equal(machine_dirty_sync(m, id, out), 0);
	assert_int_equal(hart_store_slow(h, UM_DRAM + 0x3010, 8, 5), 0);
	assert_int_equal(machine_dirty_sync(m, id, out), 1);
	assert_hex_equal(out[0], 1ull << 3);
	/* loads do not dirty anything */
	{
		uint64_t v;
		assert_int_equal(hart_load_slow(h, UM_DRAM + 0x9000, 8, &v), 0);
		assert_int_equal(machine_dirty_sync(m, id, out), 0);
	}
	machine_dirty_stop(m, id);
}

static void test_mmu_ad_update_marks_page_table_dirty(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t out[UM_RAM_SIZE / HART_PAGE_SIZE / 64];
	const uint64_t pt_page = (PT_L0 - UM_DRAM) >> HART_PAGE_SHIFT;
	uint64_t v;
	int id;

	enter_sv39(m, PRV_S);
	id = machine_dirty_start(m);
	assert_true(id >= 0);
	assert_int_equal(hart_load_slow(h, VA_NOAD, 8, &v), 0); /* sets A */
	assert_int_equal(machine_dirty_sync(m, id, out), 1);
	assert_hex_equal(out[pt_page / 64], 1ull << (pt_page % 64));
	/* an access that needs no update writes nothing */
	hart_tlb_flush(h);
	assert_int_equal(hart_load_slow(h, VA_DATA, 8, &v), 0);
	assert_int_equal(machine_dirty_sync(m, id, out), 0);
	machine_dirty_stop(m, id);
}

static void test_mmu_amo_address_checks(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint8_t *p = NULL;

	h->s.pc = 0x12340;
	assert_int_equal(hart_amo_addr(h, UM_DRAM + 0x104, 8, TRIG_LOAD | TRIG_STORE, &p), -1);
	expect_m_trap(h, CAUSE_MISALIGNED_STORE, UM_DRAM + 0x104);
	h->s.pc = 0x12340;
	assert_int_equal(hart_amo_addr(h, UM_DRAM + 0x102, 4, TRIG_LOAD, &p), -1);
	expect_m_trap(h, CAUSE_MISALIGNED_LOAD, UM_DRAM + 0x102);
	/* AMOs to ROM or to devices are access faults */
	h->s.pc = 0x12340;
	assert_int_equal(hart_amo_addr(h, VIRT_ROM_BASE + 8, 8, TRIG_LOAD | TRIG_STORE, &p), -1);
	expect_m_trap(h, CAUSE_STORE_ACCESS, VIRT_ROM_BASE + 8);
	h->s.pc = 0x12340;
	assert_int_equal(hart_amo_addr(h, VIRT_CLINT_BASE, 4, TRIG_LOAD, &p), -1);
	expect_m_trap(h, CAUSE_LOAD_ACCESS, VIRT_CLINT_BASE);
	/* LR from ROM is fine */
	assert_int_equal(hart_amo_addr(h, VIRT_ROM_BASE + 8, 8, TRIG_LOAD, &p), 0);
	assert_ptr_equal(p, m->rom.host + 8);
	assert_int_equal(hart_amo_addr(h, UM_DRAM + 0x108, 8, TRIG_LOAD | TRIG_STORE, &p), 0);
	assert_ptr_equal(p, um_ptr(m, UM_DRAM + 0x108, 8));
	/* translated AMOs fault as stores */
	enter_sv39(m, PRV_S);
	assert_int_equal(hart_amo_addr(h, VA_XONLY, 4, TRIG_LOAD | TRIG_STORE, &p), -1);
	expect_m_trap(h, CAUSE_STORE_PAGE, VA_XONLY);
}

static void test_mmu_fetch_outside_memory_is_access_fault(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	struct hart_code_entry *ce = NULL;
	uint16_t half = 0;

	h->s.pc = 0x12340;
	assert_int_equal(hart_fetch_page(h, VIRT_UART_BASE, &ce), -1);
	expect_m_trap(h, CAUSE_FETCH_ACCESS, VIRT_UART_BASE);
	h->s.pc = 0x12340;
	assert_int_equal(hart_fetch_u16(h, UM_DRAM + UM_RAM_SIZE, &half), -1);
	expect_m_trap(h, CAUSE_FETCH_ACCESS, UM_DRAM + UM_RAM_SIZE);
	/* the boot ROM is executable */
	assert_int_equal(hart_fetch_page(h, VIRT_ROM_BASE + 4, &ce), 0);
	assert_ptr_equal(ce->host, m->rom.host);
	assert_int_equal(hart_fetch_u16(h, VIRT_ROM_BASE, &half), 0);
	assert_hex_equal(half, 0x0297); /* auipc t0,0 */
}

static void test_mmu_context_changes_flush_tlb(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v;

	enter_sv39(m, PRV_S);
	assert_int_equal(hart_load_slow(h, VA_DATA, 8, &v), 0);
	assert_true(um_tlb_r_has(h, VA_DATA));
	assert_int_equal(hart_csr_write(h, 0x180, um_satp(UM_SATP_SV39, PT_ROOT)), 0);
	assert_false(um_tlb_r_has(h, VA_DATA));

	assert_int_equal(hart_load_slow(h, VA_DATA, 8, &v), 0);
	assert_int_equal(hart_csr_write(h, 0x100, MSTATUS_SUM), 0); /* sstatus */
	assert_false(um_tlb_r_has(h, VA_DATA));

	assert_int_equal(hart_load_slow(h, VA_DATA, 8, &v), 0);
	h->s.pc = 0x12340;
	hart_raise(h, CAUSE_ILLEGAL_INSN, 0); /* S -> M */
	assert_false(um_tlb_r_has(h, VA_DATA));
}

/*
 * Regression (found by this test; fixed in e1cc932, src/cpu/trap.c): a trap
 * taken while already in M-mode rewrites mstatus.MPP to M, and with MPRV=1
 * MPP selects the translation of loads and stores, so the TLBs must be
 * flushed even though the privilege does not change. Otherwise entries
 * filled under MPP=S survive into the handler, which should see bare
 * physical memory (hart.h: TLB entries are valid for the current MPRV
 * context).
 */
static void test_mmu_m_trap_with_mprv_flushes_tlb(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	struct hart_tlb_entry *e;
	uint64_t v = 0, pa = 0;

	enter_sv39(m, PRV_M);
	hart_set_mstatus(h, MSTATUS_MPRV | (1ull << MSTATUS_MPP_SHIFT)); /* MPP=S */
	um_w64(m, PA_DATA, 0x5555aaaa5555aaaaull);
	assert_int_equal(hart_load_slow(h, VA_DATA, 8, &v), 0);
	assert_hex_equal(v, 0x5555aaaa5555aaaaull);

	hart_raise(h, CAUSE_ILLEGAL_INSN, 0); /* M -> M: MPP becomes M */
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, MSTATUS_MPP);
	assert_true(h->s.mstatus & MSTATUS_MPRV);
	/* the handler's loads are untranslated now ... */
	assert_int_equal(hart_translate(h, VA_DATA, ACC_READ, &pa), 0);
	assert_hex_equal(pa, VA_DATA);
	/* ... so a read-TLB entry for VA_DATA, if any, must map to PA VA_DATA */
	e = um_tlb_r(h, VA_DATA);
	if (um_tlb_r_has(h, VA_DATA))
		assert_ptr_equal((uint8_t *)(e->addend + VA_DATA),
				 m->rom.host + (VA_DATA - VIRT_ROM_BASE));
}

/* The same regression seen by guest code: the handler's load must not hit
 * an entry filled before the trap. */
static void test_exec_mprv_load_after_m_trap_is_untranslated(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t prog[] = {
		0x0005b503, /* ld a0,0(a1)   MPRV=1, MPP=S: VA 0x1000 -> PA_DATA */
		0x00000073, /* ecall         M -> M, MPP := M */
	};
	static const uint32_t handler[] = {
		0x0005b603, /* ld a2,0(a1)   now untranslated: boot ROM at 0x1000 */
		0x10500073, /* wfi */
	};
	uint64_t rom_word;

	build_sv39(m);
	um_code(m, UM_DRAM, prog, 2);
	um_code(m, UM_DRAM + 0x100, handler, 2);
	um_w64(m, PA_DATA, 0x5555aaaa5555aaaaull);
	memcpy(&rom_word, m->rom.host + (VA_DATA - VIRT_ROM_BASE), 8);
	h->s.satp = um_satp(UM_SATP_SV39, PT_ROOT);
	h->s.mtvec = UM_DRAM + 0x100;
	hart_set_mstatus(h, MSTATUS_MPRV | (1ull << MSTATUS_MPP_SHIFT));
	h->s.x[11] = VA_DATA;
	hart_run(h, 100);
	assert_hex_equal(h->s.mcause, CAUSE_ECALL_M);
	assert_hex_equal(h->s.x[10], 0x5555aaaa5555aaaaull);
	assert_hex_equal(h->s.x[12], rom_word);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, um_setup, um_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mmu_bare_mode_is_identity),
		T(test_mmu_sv39_4k_2m_1g_mappings),
		T(test_mmu_sv48_4k_2m_1g_512g_mappings),
		T(test_mmu_sv39_noncanonical_faults_to_m),
		T(test_mmu_page_fault_delegated_to_s),
		T(test_mmu_u_bit_and_sum),
		T(test_mmu_mxr_makes_execute_only_readable),
		T(test_mmu_mprv_translates_data_with_mpp),
		T(test_mmu_accessed_and_dirty_bits_set_by_walk),
		T(test_mmu_invalid_pte_encodings_page_fault),
		T(test_mmu_misaligned_superpages_fault),
		T(test_mmu_pte_outside_ram_is_access_fault),
		T(test_mmu_load_store_slow_ram_and_unmapped_phys),
		T(test_mmu_misaligned_load_crossing_page),
		T(test_mmu_misaligned_store_crossing_into_unmapped_page),
		T(test_mmu_store_to_rom_is_ignored),
		T(test_mmu_store_to_code_page_invalidates_decoded_code),
		T(test_mmu_code_page_drops_write_tlb_entry),
		T(test_mmu_dirty_tracking_mark_sync_flush),
		T(test_mmu_ad_update_marks_page_table_dirty),
		T(test_mmu_amo_address_checks),
		T(test_mmu_fetch_outside_memory_is_access_fault),
		T(test_mmu_context_changes_flush_tlb),
		T(test_mmu_m_trap_with_mprv_flushes_tlb),
		T(test_exec_mprv_load_after_m_trap_is_untranslated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
