/*
 * test_csr.c - CSR access rules and WARL legalisation (csr.c), and traps,
 * delegation, interrupt selection and xRET (trap.c).
 *
 * Expected register values are written out as literals, not rebuilt from
 * the MSTATUS_* macros, so a wrong macro is caught too.
 */
#include "unit_machine.h"
#include "cpu/csr.h"


/* read a CSR that must be accessible */
static uint64_t rd(struct hart *h, uint32_t csr)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	if (hart_csr_read(h, csr, &v) != 0) {
		print_error("csr 0x%03x: read refused at priv %u\n", csr, h->s.priv);
		fail();
	}
	return v;
}

static void wr(struct hart *h, uint32_t csr, uint64_t v)
{
	if (hart_csr_write(h, csr, v) != 0) {
		print_error("csr 0x%03x: write refused at priv %u\n", csr, h->s.priv);
		fail();
	}
}

static int rd_rc(struct hart *h, uint32_t csr)
{
	uint64_t v;

	return hart_csr_read(h, csr, &v);
}

/* ------------------------------------------------------------ csr.c */

static void test_csr_misa_exact_and_read_only(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	/* MXL=2 and exactly A C D F I M S U */
	assert_hex_equal(rd(h, CSR_MISA), 0x800000000014112dull);
	assert_hex_equal(HART_MISA, 0x800000000014112dull);
	wr(h, CSR_MISA, 0); /* WARL: accepted and ignored */
	assert_hex_equal(rd(h, CSR_MISA), 0x800000000014112dull);
	h->s.priv = PRV_S;
	assert_int_equal(rd_rc(h, CSR_MISA), -1);
}

/* mstatus/sstatus with the UXL/SXL fields masked off: those are checked on
 * their own in test_csr_uxl_sxl_read_2. */
#define XL_BITS ((3ull << 32) | (3ull << 34))
static uint64_t mstatus_noxl(struct hart *h)
{
	return rd(h, CSR_MSTATUS) & ~XL_BITS;
}

static uint64_t sstatus_noxl(struct hart *h)
{
	return rd(h, CSR_SSTATUS) & ~XL_BITS;
}

static void test_csr_mstatus_warl(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint64_t xl = rd(h, CSR_MSTATUS) & XL_BITS;

	/* reset: everything but UXL/SXL clear */
	assert_hex_equal(mstatus_noxl(h), 0);
	/* all ones: only the implemented fields stick; SD follows FS = 3 */
	wr(h, CSR_MSTATUS, ~0ull);
	assert_hex_equal(mstatus_noxl(h), 0x80000000007e79aaull);
	assert_false(h->s.mstatus & MSTATUS_SD); /* derived, never stored */
	/* MPP = 2 is reserved: the old MPP (3) stays, the rest is written */
	wr(h, CSR_MSTATUS, 2ull << 11);
	assert_hex_equal(mstatus_noxl(h), 0x0000000000001800ull);
	wr(h, CSR_MSTATUS, 1ull << 11);
	assert_hex_equal(mstatus_noxl(h), 0x0000000000000800ull);
	wr(h, CSR_MSTATUS, 2ull << 11);
	assert_hex_equal(mstatus_noxl(h), 0x0000000000000800ull);
	/* UXL/SXL are read-only; SD is read-only */
	wr(h, CSR_MSTATUS, (1ull << 63) | (1ull << 32) | (1ull << 34));
	assert_hex_equal(mstatus_noxl(h), 0);
	wr(h, CSR_MSTATUS, 0);
	assert_hex_equal(rd(h, CSR_MSTATUS) & XL_BITS, xl);
	/* FS initial/clean/dirty: SD only when dirty */
	wr(h, CSR_MSTATUS, 1ull << 13);
	assert_hex_equal(mstatus_noxl(h), 0x0000000000002000ull);
	wr(h, CSR_MSTATUS, 2ull << 13);
	assert_hex_equal(mstatus_noxl(h), 0x0000000000004000ull);
	wr(h, CSR_MSTATUS, 3ull << 13);
	assert_hex_equal(mstatus_noxl(h), 0x8000000000006000ull);
	/* XS, UBE, SBE, MBE and WPRI bits stay zero */
	wr(h, CSR_MSTATUS, (3ull << 15) | (1ull << 6) | (3ull << 36) | 1 | (1ull << 4));
	assert_hex_equal(mstatus_noxl(h), 0);
}

/*
 * Regression (found by this test; fixed in e1cc932, src/cpu/hart.c
 * hart_reset): mstatus was reset to MSTATUS_UXL | MSTATUS_SXL, i.e. both
 * fields 3, the encoding for XLEN=128. An RV64 hart reports 2 (64-bit) in
 * mstatus.UXL, mstatus.SXL and sstatus.UXL.
 */
static void test_csr_uxl_sxl_read_2(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	assert_hex_equal(rd(h, CSR_MSTATUS) & XL_BITS, 0x0000000a00000000ull);
	assert_hex_equal(rd(h, CSR_SSTATUS) & XL_BITS, 0x0000000200000000ull);
	wr(h, CSR_MSTATUS, ~0ull);
	assert_hex_equal(rd(h, CSR_MSTATUS), 0x8000000a007e79aaull);
	assert_hex_equal(rd(h, CSR_SSTATUS), 0x80000002000c6122ull);
}

static void test_csr_sstatus_is_a_view_of_mstatus(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MSTATUS, ~0ull);
	/* SIE SPIE SPP FS SUM MXR (and UXL) and SD; none of the M-only fields */
	assert_hex_equal(sstatus_noxl(h), 0x80000000000c6122ull);
	assert_hex_equal(rd(h, CSR_SSTATUS) & (3ull << 34), 0); /* no SXL */
	wr(h, CSR_SSTATUS, 0);
	/* the S fields went, the M fields stayed */
	assert_hex_equal(mstatus_noxl(h), 0x0000000000721888ull);
	assert_hex_equal(sstatus_noxl(h), 0);
	/* writing M-only bits through sstatus does nothing */
	wr(h, CSR_MSTATUS, 0);
	wr(h, CSR_SSTATUS, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TVM |
				   MSTATUS_MPRV | MSTATUS_SIE | MSTATUS_SUM);
	assert_hex_equal(mstatus_noxl(h), 0x0000000000040002ull);
	/* and changes made through mstatus show in sstatus */
	wr(h, CSR_MSTATUS, MSTATUS_SPP | MSTATUS_MIE);
	assert_hex_equal(sstatus_noxl(h), 0x0000000000000100ull);
	/* S can use sstatus but not mstatus */
	h->s.priv = PRV_S;
	wr(h, CSR_SSTATUS, MSTATUS_SIE);
	assert_hex_equal(sstatus_noxl(h), 0x0000000000000002ull);
	assert_int_equal(rd_rc(h, CSR_MSTATUS), -1);
	assert_int_equal(hart_csr_write(h, CSR_MSTATUS, 0), -1);
	h->s.priv = PRV_U;
	assert_int_equal(rd_rc(h, CSR_SSTATUS), -1);
}

static void test_csr_sie_sip_masked_by_mideleg(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MIDELEG, ~0ull);
	assert_hex_equal(rd(h, CSR_MIDELEG), 0x222); /* SSI, STI, SEI only */
	wr(h, CSR_MIE, ~0ull);
	assert_hex_equal(rd(h, CSR_MIE), 0xaaa);
	wr(h, CSR_MIP, ~0ull);
	assert_hex_equal(rd(h, CSR_MIP), 0x222); /* M bits are read-only */

	/* nothing delegated: sie/sip read zero and ignore writes */
	wr(h, CSR_MIDELEG, 0);
	assert_hex_equal(rd(h, CSR_SIE), 0);
	assert_hex_equal(rd(h, CSR_SIP), 0);
	wr(h, CSR_SIE, 0);
	wr(h, CSR_SIP, 0);
	assert_hex_equal(rd(h, CSR_MIE), 0xaaa);
	assert_hex_equal(rd(h, CSR_MIP), 0x222);

	/* delegated: sie reaches exactly the delegated bits of mie */
	wr(h, CSR_MIDELEG, MIP_STIP | MIP_SEIP);
	assert_hex_equal(rd(h, CSR_SIE), 0x220);
	wr(h, CSR_SIE, 0);
	assert_hex_equal(rd(h, CSR_MIE), 0x88a);
	wr(h, CSR_SIE, ~0ull);
	assert_hex_equal(rd(h, CSR_MIE), 0xaaa);
	/* sip: only SSIP is writable, and only when delegated */
	assert_hex_equal(rd(h, CSR_SIP), 0x220);
	wr(h, CSR_SIP, 0);
	assert_hex_equal(rd(h, CSR_MIP), 0x222); /* SSIP not delegated, STIP read-only */
	wr(h, CSR_MIDELEG, 0x222);
	wr(h, CSR_SIP, 0);
	assert_hex_equal(rd(h, CSR_MIP), 0x220);
	/* device lines show in mip, the M ones never in sip */
	hart_set_hw_irq(h, MIP_MEIP | MIP_MTIP, true);
	assert_hex_equal(rd(h, CSR_MIP), 0xaa0);
	assert_hex_equal(rd(h, CSR_SIP), 0x220);
}

static void test_csr_medeleg_bit11_not_writable(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MEDELEG, ~0ull);
	assert_hex_equal(rd(h, CSR_MEDELEG), 0xb3ff);
	wr(h, CSR_MEDELEG, 1ull << CAUSE_ECALL_M);
	assert_hex_equal(rd(h, CSR_MEDELEG), 0);
	wr(h, CSR_MEDELEG, (1ull << CAUSE_ECALL_U) | (1ull << CAUSE_STORE_PAGE));
	assert_hex_equal(rd(h, CSR_MEDELEG), 0x8100);
}

static void test_csr_tvec_mode_legalised(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t tvec[] = { CSR_MTVEC, CSR_STVEC };

	for (int i = 0; i < 2; i++) {
		wr(h, tvec[i], 0x80001001); /* vectored: kept */
		assert_hex_equal(rd(h, tvec[i]), 0x80001001);
		wr(h, tvec[i], 0x80001002); /* mode 2: reserved */
		assert_true((rd(h, tvec[i]) & 3) < 2);
		assert_hex_equal(rd(h, tvec[i]) & ~3ull, 0x80001000);
		wr(h, tvec[i], 0x80001003); /* mode 3: reserved */
		assert_true((rd(h, tvec[i]) & 3) < 2);
		assert_hex_equal(rd(h, tvec[i]) & ~3ull, 0x80001000);
		wr(h, tvec[i], 0x80002000);
		assert_hex_equal(rd(h, tvec[i]), 0x80002000);
	}
}

static void test_csr_epc_low_bit_cleared(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MEPC, 0x80000001);
	assert_hex_equal(rd(h, CSR_MEPC), 0x80000000);
	wr(h, CSR_MEPC, 0xfffffffffffffffeull); /* bit 1 stays: RVC is enabled */
	assert_hex_equal(rd(h, CSR_MEPC), 0xfffffffffffffffeull);
	wr(h, CSR_SEPC, 0x80000003);
	assert_hex_equal(rd(h, CSR_SEPC), 0x80000002);
	wr(h, CSR_MSCRATCH, ~0ull); /* plain registers keep every bit */
	assert_hex_equal(rd(h, CSR_MSCRATCH), ~0ull);
}

static void test_csr_satp_modes(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint64_t sv39 = 0x8001234000080100ull; /* Sv39, ASID 0x1234 */
	const uint64_t sv48 = 0x9000000000080200ull;

	wr(h, CSR_SATP, sv39);
	assert_hex_equal(rd(h, CSR_SATP), sv39);
	wr(h, CSR_SATP, 0x1000000000080000ull); /* Sv32 encoding: unsupported */
	assert_hex_equal(rd(h, CSR_SATP), sv39);
	wr(h, CSR_SATP, 0xa000000000080000ull); /* Sv57: unsupported */
	assert_hex_equal(rd(h, CSR_SATP), sv39);
	wr(h, CSR_SATP, 0xf000000000080000ull); /* reserved mode */
	assert_hex_equal(rd(h, CSR_SATP), sv39);
	wr(h, CSR_SATP, sv48);
	assert_hex_equal(rd(h, CSR_SATP), sv48);
	wr(h, CSR_SATP, 0x0000000000012345ull); /* Bare */
	assert_hex_equal(rd(h, CSR_SATP) >> 60, 0);
	/* S-mode may write it too */
	h->s.priv = PRV_S;
	wr(h, CSR_SATP, sv39);
	assert_hex_equal(rd(h, CSR_SATP), sv39);
}

static void test_csr_tvm_makes_satp_illegal_in_s(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v;

	wr(h, CSR_MSTATUS, MSTATUS_TVM);
	h->s.priv = PRV_S;
	assert_int_equal(hart_csr_read(h, CSR_SATP, &v), -1);
	assert_int_equal(hart_csr_write(h, CSR_SATP, 0x8000000000080100ull), -1);
	assert_hex_equal(h->s.satp, 0);
	/* M is not affected */
	h->s.priv = PRV_M;
	wr(h, CSR_SATP, 0x8000000000080100ull);
	assert_hex_equal(rd(h, CSR_SATP), 0x8000000000080100ull);
	/* without TVM, S may access it */
	wr(h, CSR_MSTATUS, 0);
	h->s.priv = PRV_S;
	assert_hex_equal(rd(h, CSR_SATP), 0x8000000000080100ull);
}

static void test_csr_privilege_and_read_only_checks(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t v = 77;

	/* M: read-only ranges refuse writes, ID registers read 0 */
	assert_int_equal(hart_csr_write(h, CSR_CYCLE, 0), -1);
	assert_int_equal(hart_csr_write(h, CSR_TIME, 0), -1);
	assert_int_equal(hart_csr_write(h, CSR_INSTRET, 0), -1);
	assert_int_equal(hart_csr_write(h, 0xf14, 0), -1); /* mhartid */
	assert_int_equal(hart_csr_write(h, 0xf11, 0), -1); /* mvendorid */
	for (uint32_t c = 0xf11; c <= 0xf15; c++)
		assert_hex_equal(rd(h, c), 0);
	/* S: no M-level CSR, read or write */
	h->s.priv = PRV_S;
	assert_int_equal(hart_csr_read(h, CSR_MSCRATCH, &v), -1);
	assert_int_equal(v, 77); /* untouched on failure */
	assert_int_equal(hart_csr_write(h, CSR_MSCRATCH, 1), -1);
	assert_int_equal(hart_csr_write(h, CSR_MTVEC, 0), -1);
	assert_int_equal(rd_rc(h, 0xf14), -1);
	assert_int_equal(rd_rc(h, CSR_MEDELEG), -1);
	assert_hex_equal(h->s.mtvec, 0);
	/* U: no S-level CSR either */
	h->s.priv = PRV_U;
	assert_int_equal(rd_rc(h, CSR_SEPC), -1);
	assert_int_equal(hart_csr_write(h, CSR_STVEC, 0x1000), -1);
	assert_int_equal(rd_rc(h, CSR_SATP), -1);
	assert_hex_equal(h->s.stvec, 0);
}

static void test_csr_counter_access_from_s_and_u(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t t0, t1;

	wr(h, CSR_MINSTRET, 1000);
	wr(h, CSR_MCYCLE, 5000);
	/* M always */
	assert_hex_equal(rd(h, CSR_INSTRET), 1000);
	assert_hex_equal(rd(h, CSR_CYCLE), 5000);
	/* S: needs mcounteren */
	h->s.priv = PRV_S;
	assert_int_equal(rd_rc(h, CSR_CYCLE), -1);
	assert_int_equal(rd_rc(h, CSR_TIME), -1);
	assert_int_equal(rd_rc(h, CSR_INSTRET), -1);
	assert_int_equal(rd_rc(h, CSR_HPMCOUNTER3), -1);
	h->s.mcounteren = 0x5; /* CY, IR */
	assert_hex_equal(rd(h, CSR_CYCLE), 5000);
	assert_hex_equal(rd(h, CSR_INSTRET), 1000);
	assert_int_equal(rd_rc(h, CSR_TIME), -1);
	h->s.mcounteren = 0xffffffff;
	t0 = rd(h, CSR_TIME);
	t1 = rd(h, CSR_TIME);
	assert_true(t1 >= t0);
	assert_hex_equal(rd(h, CSR_HPMCOUNTER3), 0);
	/* U: needs scounteren as well */
	h->s.priv = PRV_U;
	assert_int_equal(rd_rc(h, CSR_CYCLE), -1);
	h->s.scounteren = 0x2; /* TM */
	assert_int_equal(rd_rc(h, CSR_CYCLE), -1);
	(void)rd(h, CSR_TIME);
	h->s.mcounteren = 0x1;
	h->s.scounteren = 0xffffffff;
	assert_int_equal(rd_rc(h, CSR_TIME), -1); /* M denies it */
	assert_hex_equal(rd(h, CSR_CYCLE), 5000);
	/* the enables are 32-bit registers */
	h->s.priv = PRV_M;
	wr(h, CSR_MCOUNTEREN, ~0ull);
	assert_hex_equal(rd(h, CSR_MCOUNTEREN), 0xffffffffull);
	wr(h, CSR_SCOUNTEREN, ~0ull);
	assert_hex_equal(rd(h, CSR_SCOUNTEREN), 0xffffffffull);
}

static void test_csr_fp_csrs_need_fs_and_set_dirty(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	/* FS = Off: every FP CSR access is illegal, from any mode */
	assert_int_equal(rd_rc(h, CSR_FFLAGS), -1);
	assert_int_equal(rd_rc(h, CSR_FRM), -1);
	assert_int_equal(rd_rc(h, CSR_FCSR), -1);
	assert_int_equal(hart_csr_write(h, CSR_FCSR, 0), -1);
	assert_hex_equal(h->s.mstatus & MSTATUS_FS, 0);

	/* FS = Initial: access works and a write makes FS dirty (and SD) */
	wr(h, CSR_MSTATUS, 1ull << 13);
	assert_hex_equal(rd(h, CSR_FCSR), 0);
	assert_hex_equal(h->s.mstatus & MSTATUS_FS, 1ull << 13); /* reads don't dirty */
	wr(h, CSR_FFLAGS, 0xff);
	assert_hex_equal(rd(h, CSR_FFLAGS), 0x1f);
	assert_hex_equal(h->s.mstatus & MSTATUS_FS, MSTATUS_FS);
	assert_true(rd(h, CSR_MSTATUS) & MSTATUS_SD);
	wr(h, CSR_FRM, 0xff);
	assert_hex_equal(rd(h, CSR_FRM), 7);
	assert_hex_equal(rd(h, CSR_FCSR), 0xff);
	wr(h, CSR_FCSR, 0xfa5); /* frm = 5, fflags = 5, upper bits dropped */
	assert_hex_equal(rd(h, CSR_FCSR), 0xa5);
	assert_hex_equal(rd(h, CSR_FRM), 5);
	assert_hex_equal(rd(h, CSR_FFLAGS), 5);
	/* the FP CSRs are user-level */
	wr(h, CSR_MSTATUS, 2ull << 13); /* clean */
	h->s.priv = PRV_U;
	wr(h, CSR_FFLAGS, 0);
	assert_hex_equal(h->s.mstatus & MSTATUS_FS, MSTATUS_FS);
	assert_hex_equal(rd(h, CSR_FCSR), 0xa0);
}

static void test_csr_pmp_cfg_and_lock(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	/* RV64: odd pmpcfg registers do not exist; 16 entries only */
	assert_int_equal(rd_rc(h, CSR_PMPCFG0 + 1), -1);
	assert_int_equal(rd_rc(h, CSR_PMPCFG0 + 3), -1);
	assert_int_equal(hart_csr_write(h, CSR_PMPCFG0 + 1, 0), -1);
	assert_int_equal(hart_csr_write(h, CSR_PMPCFG0 + 3, 0), -1);
	assert_int_equal(rd_rc(h, CSR_PMPCFG0 + 4), -1);
	assert_int_equal(rd_rc(h, CSR_PMPADDR0 + 16), -1);

	/* entry 0: R W TOR, entry 1: R NAPOT */
	wr(h, CSR_PMPCFG0, 0x190b);
	assert_hex_equal(rd(h, CSR_PMPCFG0), 0x190b);
	/* reserved bits 5-6 read zero; W without R keeps the old byte */
	wr(h, CSR_PMPCFG0, 0x0e62); /* byte0: W + junk, byte1: W X TOR */
	assert_hex_equal(rd(h, CSR_PMPCFG0), 0x190b);
	wr(h, CSR_PMPCFG0, 0x60190b);
	assert_hex_equal(rd(h, CSR_PMPCFG0), 0x190b);
	/* pmpcfg2 holds entries 8-15 */
	wr(h, CSR_PMPCFG0 + 2, 0x1f00000000000001ull);
	assert_hex_equal(rd(h, CSR_PMPCFG0 + 2), 0x1f00000000000001ull);
	/* pmpaddr is 54 bits */
	wr(h, CSR_PMPADDR0 + 5, ~0ull);
	assert_hex_equal(rd(h, CSR_PMPADDR0 + 5), (1ull << 54) - 1);

	for (int i = 0; i < 4; i++)
		wr(h, CSR_PMPADDR0 + (uint32_t)i, 0x1000 + (uint64_t)i);
	/* lock entry 0 (R, TOR) and entry 2 (R, TOR): entry 1's address is
	 * then the bottom of a locked TOR range */
	wr(h, CSR_PMPCFG0, 0x00890089ull);
	assert_hex_equal(rd(h, CSR_PMPCFG0), 0x00890089ull);
	/* locked bytes ignore writes; the others still change */
	wr(h, CSR_PMPCFG0, 0x00000100ull);
	assert_hex_equal(rd(h, CSR_PMPCFG0), 0x00890189ull);
	wr(h, CSR_PMPCFG0, 0);
	assert_hex_equal(rd(h, CSR_PMPCFG0), 0x00890089ull);
	for (int i = 0; i < 4; i++)
		wr(h, CSR_PMPADDR0 + (uint32_t)i, 0x2000);
	assert_hex_equal(rd(h, CSR_PMPADDR0 + 0), 0x1000); /* its entry is locked */
	assert_hex_equal(rd(h, CSR_PMPADDR0 + 1), 0x1001); /* next is locked TOR */
	assert_hex_equal(rd(h, CSR_PMPADDR0 + 2), 0x1002); /* locked */
	assert_hex_equal(rd(h, CSR_PMPADDR0 + 3), 0x2000); /* free */
	/* PMP is M-only */
	h->s.priv = PRV_S;
	assert_int_equal(rd_rc(h, CSR_PMPCFG0), -1);
	assert_int_equal(hart_csr_write(h, CSR_PMPADDR0 + 3, 0), -1);
}

static void test_csr_minstret_mcycle_writable(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MINSTRET, 1000);
	assert_hex_equal(rd(h, CSR_MINSTRET), 1000);
	assert_hex_equal(rd(h, CSR_INSTRET), 1000);
	wr(h, CSR_MCYCLE, 0xffffffffffff0000ull);
	assert_hex_equal(rd(h, CSR_MCYCLE), 0xffffffffffff0000ull);
	assert_hex_equal(rd(h, CSR_CYCLE), 0xffffffffffff0000ull);

	/* in the middle of a slice (6 of 10 executed) the value written is
	 * what the next instruction reads: the writing instruction's own
	 * retirement does not count; then the counters advance */
	h->slice = 10;
	h->budget = 4;
	wr(h, CSR_MINSTRET, 500);
	h->budget = 3; /* the csrw retires */
	assert_hex_equal(rd(h, CSR_MINSTRET), 500);
	wr(h, CSR_MCYCLE, 12345);
	h->budget = 2; /* this csrw retires; it counts for minstret */
	assert_hex_equal(rd(h, CSR_MCYCLE), 12345);
	assert_hex_equal(rd(h, CSR_MINSTRET), 501);
	h->budget = 0;
	assert_hex_equal(rd(h, CSR_MINSTRET), 503);
	assert_hex_equal(rd(h, CSR_MCYCLE), 12347);
	h->slice = 0;
	h->budget = 0;
}

static void test_csr_hpm_counters_read_zero(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t zero[] = { 0xb03, 0xb1f, 0x323, 0x33f, 0xc03, 0xc1f };

	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		assert_hex_equal(rd(h, zero[i]), 0);
	for (size_t i = 0; i < 4; i++) {
		wr(h, zero[i], ~0ull); /* mhpmcounter/mhpmevent: writable, read 0 */
		assert_hex_equal(rd(h, zero[i]), 0);
	}
	assert_int_equal(hart_csr_write(h, 0xc03, 1), -1); /* user view: read-only */
	wr(h, CSR_MCOUNTINHIBIT, ~0ull);
	assert_hex_equal(rd(h, CSR_MCOUNTINHIBIT) & ~0xffffffffull, 0); /* 32 bits */
	assert_hex_equal(rd(h, CSR_MCOUNTINHIBIT) & 2, 0); /* there is no TM bit */
}

/*
 * CY and IR stop mcycle and minstret (test_trigger.c checks the exact
 * values around the writes).
 */
static void test_csr_mcountinhibit_consistent_with_counters(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	uint64_t inh, cyc0, ins0;

	wr(h, CSR_MCOUNTINHIBIT, 0x5); /* CY, IR */
	inh = rd(h, CSR_MCOUNTINHIBIT);
	assert_hex_equal(inh, 0x5);
	cyc0 = rd(h, CSR_MCYCLE);
	ins0 = rd(h, CSR_MINSTRET);
	assert_int_equal(hart_run(h, 10), 10); /* the image's "j ." */
	if (inh & 1)
		assert_hex_equal(rd(h, CSR_MCYCLE), cyc0);
	if (inh & 4)
		assert_hex_equal(rd(h, CSR_MINSTRET), ins0);
}

static void test_csr_unknown_csr_is_illegal(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t unknown[] = {
		0x004, /* uie (N extension) */
		0x015, /* seed (Zkr) */
		0x0ff, 0x10c, /* sstateen0 */
		0x30c,        /* mstateen0 */
		0x321, 0x322, /* below mhpmevent3 */
		0x5c0, 0x7a8, /* mcontext (Sdtrig, not implemented) */
		0x7b0,        /* dcsr */
		0x7c0, 0xb20, 0xc20, 0xc80, /* cycleh: RV32 only */
		0xda0,        /* scountovf (Sscofpmf) */
		0xfff,
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		uint64_t v = 5;
		if (hart_csr_read(h, unknown[i], &v) != -1 ||
		    ((unknown[i] >> 10) != 3 && hart_csr_write(h, unknown[i], 0) != -1)) {
			print_error("csr 0x%03x should not exist\n", unknown[i]);
			fail();
		}
	}
}

/* ----------------------------------------------------------- trap.c */

static void test_trap_exception_to_m_saves_state(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	h->s.priv = PRV_U;
	h->s.pc = 0x80001000;
	h->s.mtvec = 0x80002001; /* vectored: exceptions still go to base */
	h->s.mstatus |= MSTATUS_MIE;
	h->s.wfi = 1;
	h->s.medeleg = 1ull << CAUSE_BREAKPOINT; /* some other cause */
	hart_raise(h, CAUSE_ECALL_U, 0x77);
	assert_hex_equal(h->s.mcause, CAUSE_ECALL_U);
	assert_hex_equal(h->s.mepc, 0x80001000);
	assert_hex_equal(h->s.mtval, 0x77);
	assert_hex_equal(h->s.pc, 0x80002000);
	assert_int_equal(h->s.priv, PRV_M);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 0);
	assert_true(h->s.mstatus & MSTATUS_MPIE);
	assert_false(h->s.mstatus & MSTATUS_MIE);
	assert_int_equal(h->s.wfi, 0);
	/* from S with MIE clear: MPP=S, MPIE=0 */
	h->s.priv = PRV_S;
	hart_raise(h, CAUSE_ILLEGAL_INSN, 0x13);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 1ull << 11);
	assert_false(h->s.mstatus & MSTATUS_MPIE);
	assert_hex_equal(h->s.mtval, 0x13);
}

static void test_trap_delegated_exception_goes_to_s(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MEDELEG, (1ull << CAUSE_ECALL_U) | (1ull << CAUSE_ILLEGAL_INSN));
	h->s.stvec = 0x80003001; /* vectored */
	h->s.mtvec = 0x80002000;
	h->s.mcause = 0x99;
	h->s.priv = PRV_U;
	h->s.pc = 0x4000;
	h->s.mstatus |= MSTATUS_SIE;
	hart_raise(h, CAUSE_ECALL_U, 0);
	assert_hex_equal(h->s.scause, CAUSE_ECALL_U);
	assert_hex_equal(h->s.sepc, 0x4000);
	assert_hex_equal(h->s.stval, 0);
	assert_hex_equal(h->s.pc, 0x80003000);
	assert_int_equal(h->s.priv, PRV_S);
	assert_false(h->s.mstatus & MSTATUS_SPP);
	assert_true(h->s.mstatus & MSTATUS_SPIE);
	assert_false(h->s.mstatus & MSTATUS_SIE);
	assert_hex_equal(h->s.mcause, 0x99);
	/* from S: SPP=S, SPIE takes SIE (now 0) */
	h->s.pc = 0x80003010;
	hart_raise(h, CAUSE_ILLEGAL_INSN, 0x1234);
	assert_true(h->s.mstatus & MSTATUS_SPP);
	assert_false(h->s.mstatus & MSTATUS_SPIE);
	assert_hex_equal(h->s.sepc, 0x80003010);
	assert_hex_equal(h->s.stval, 0x1234);
	assert_int_equal(h->s.priv, PRV_S);
	/* not delegated: M */
	hart_raise(h, CAUSE_BREAKPOINT, 0x55);
	assert_int_equal(h->s.priv, PRV_M);
	assert_hex_equal(h->s.mcause, CAUSE_BREAKPOINT);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 1ull << 11);
}

static void test_trap_never_delegated_from_m(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MEDELEG, ~0ull);
	wr(h, CSR_MIDELEG, ~0ull);
	h->s.stvec = 0x80003000;
	h->s.mtvec = 0x80002000;
	h->s.pc = 0x80000040;
	hart_raise(h, CAUSE_ILLEGAL_INSN, 0);
	assert_int_equal(h->s.priv, PRV_M);
	assert_hex_equal(h->s.mcause, CAUSE_ILLEGAL_INSN);
	assert_hex_equal(h->s.mepc, 0x80000040);
	assert_hex_equal(h->s.pc, 0x80002000);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, MSTATUS_MPP);
	assert_hex_equal(h->s.scause, 0);
}

static void test_trap_vectored_interrupt_offsets(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	h->s.mtvec = 0x80002001;
	h->s.priv = PRV_S;
	hart_raise(h, CAUSE_INTERRUPT | 7, 0);
	assert_hex_equal(h->s.mcause, CAUSE_INTERRUPT | 7);
	assert_hex_equal(h->s.pc, 0x80002000 + 4 * 7);
	/* delegated interrupt from U lands in S at stvec + 4 * cause */
	wr(h, CSR_MIDELEG, MIP_STIP);
	h->s.stvec = 0x80003001;
	h->s.priv = PRV_U;
	hart_raise(h, CAUSE_INTERRUPT | 5, 0);
	assert_int_equal(h->s.priv, PRV_S);
	assert_hex_equal(h->s.scause, CAUSE_INTERRUPT | 5);
	assert_hex_equal(h->s.pc, 0x80003000 + 4 * 5);
	/* direct mode: everything to base */
	h->s.mtvec = 0x80002000;
	hart_raise(h, CAUSE_INTERRUPT | 11, 0);
	assert_hex_equal(h->s.pc, 0x80002000);
}

static void test_trap_interrupt_priority_order(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const unsigned order[] = { 11, 3, 7, 9, 1, 5 }; /* MEI MSI MTI SEI SSI STI */

	wr(h, CSR_MIE, ~0ull);
	wr(h, CSR_MIP, ~0ull); /* SSIP STIP SEIP */
	hart_set_hw_irq(h, MIP_MSIP | MIP_MTIP | MIP_MEIP, true);
	h->s.mtvec = 0x80002000;
	for (size_t i = 0; i < 6; i++) {
		uint64_t bit = 1ull << order[i];
		h->s.priv = PRV_M;
		h->s.mstatus |= MSTATUS_MIE;
		assert_true(hart_check_interrupts(h));
		assert_hex_equal(h->s.mcause, CAUSE_INTERRUPT | order[i]);
		assert_hex_equal(h->s.mtval, 0);
		assert_int_equal(h->s.priv, PRV_M);
		/* acknowledge it at its source */
		hart_set_hw_irq(h, bit, false);
		h->s.mip &= ~bit;
	}
	h->s.mstatus |= MSTATUS_MIE;
	assert_false(hart_check_interrupts(h));
	assert_false(hart_interrupt_pending(h));
}

static void test_trap_interrupt_enable_rules(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	wr(h, CSR_MIE, MIP_MTIP | MIP_STIP);
	hart_set_hw_irq(h, MIP_MTIP, true);
	/* M-level interrupt in M needs MIE */
	assert_true(hart_interrupt_pending(h));
	assert_false(hart_check_interrupts(h));
	/* ... but below M it is always enabled */
	h->s.priv = PRV_S;
	assert_true(hart_check_interrupts(h));
	assert_hex_equal(h->s.mcause, CAUSE_INTERRUPT | 7);
	assert_int_equal(h->s.priv, PRV_M);
	hart_set_hw_irq(h, MIP_MTIP, false);

	/* delegated STI: never taken in M, in S only with SIE, always in U */
	wr(h, CSR_MIDELEG, MIP_STIP);
	wr(h, CSR_MIP, MIP_STIP);
	h->s.stvec = 0x80003000;
	h->s.priv = PRV_M;
	h->s.mstatus |= MSTATUS_MIE | MSTATUS_SIE;
	assert_false(hart_check_interrupts(h));
	h->s.priv = PRV_S;
	h->s.mstatus &= ~MSTATUS_SIE;
	assert_false(hart_check_interrupts(h));
	h->s.mstatus |= MSTATUS_SIE;
	assert_true(hart_check_interrupts(h));
	assert_hex_equal(h->s.scause, CAUSE_INTERRUPT | 5);
	assert_int_equal(h->s.priv, PRV_S);
	assert_hex_equal(h->s.pc, 0x80003000);
	h->s.priv = PRV_U;
	h->s.mstatus &= ~MSTATUS_SIE;
	assert_true(hart_check_interrupts(h));
	assert_int_equal(h->s.priv, PRV_S);
	/* disabled in mie: never */
	h->s.priv = PRV_M;
	wr(h, CSR_MIE, 0);
	h->s.priv = PRV_U;
	assert_false(hart_check_interrupts(h));
	assert_false(hart_interrupt_pending(h));
}

static void test_trap_mret_restores_and_clears_mprv(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	h->s.priv = PRV_S;
	assert_int_equal(hart_mret(h), -1);
	assert_int_equal(h->s.priv, PRV_S);

	h->s.priv = PRV_M;
	h->s.mepc = 0x80004000;
	wr(h, CSR_MSTATUS, MSTATUS_MPIE | (1ull << 11) | MSTATUS_MPRV);
	assert_int_equal(hart_mret(h), 0);
	assert_int_equal(h->s.priv, PRV_S);
	assert_hex_equal(h->s.pc, 0x80004000);
	assert_true(h->s.mstatus & MSTATUS_MIE);
	assert_true(h->s.mstatus & MSTATUS_MPIE);
	assert_hex_equal(h->s.mstatus & MSTATUS_MPP, 0); /* least privileged: U */
	assert_false(h->s.mstatus & MSTATUS_MPRV);       /* left M */

	/* back to M: MPRV stays, MIE takes MPIE = 0 */
	h->s.priv = PRV_M;
	wr(h, CSR_MSTATUS, MSTATUS_MIE | MSTATUS_MPP | MSTATUS_MPRV);
	assert_int_equal(hart_mret(h), 0);
	assert_int_equal(h->s.priv, PRV_M);
	assert_true(h->s.mstatus & MSTATUS_MPRV);
	assert_false(h->s.mstatus & MSTATUS_MIE);
	assert_true(h->s.mstatus & MSTATUS_MPIE);

	/* to U */
	wr(h, CSR_MSTATUS, 0);
	assert_int_equal(hart_mret(h), 0);
	assert_int_equal(h->s.priv, PRV_U);
}

static void test_trap_sret_restores_and_honours_tsr(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	h->s.priv = PRV_U;
	assert_int_equal(hart_sret(h), -1);

	h->s.sepc = 0x80005000;
	h->s.priv = PRV_M;
	wr(h, CSR_MSTATUS, MSTATUS_TSR | MSTATUS_SPP);
	h->s.priv = PRV_S;
	assert_int_equal(hart_sret(h), -1);
	assert_int_equal(h->s.priv, PRV_S);
	/* TSR does not apply to M */
	h->s.priv = PRV_M;
	assert_int_equal(hart_sret(h), 0);
	assert_int_equal(h->s.priv, PRV_S);
	assert_hex_equal(h->s.pc, 0x80005000);

	h->s.priv = PRV_M;
	wr(h, CSR_MSTATUS, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_MPRV);
	h->s.priv = PRV_S;
	assert_int_equal(hart_sret(h), 0);
	assert_int_equal(h->s.priv, PRV_S);
	assert_true(h->s.mstatus & MSTATUS_SIE);
	assert_true(h->s.mstatus & MSTATUS_SPIE);
	assert_false(h->s.mstatus & MSTATUS_SPP);
	assert_false(h->s.mstatus & MSTATUS_MPRV);
	/* SPP = U now: the next sret goes to U with SIE = SPIE = 1 */
	assert_int_equal(hart_sret(h), 0);
	assert_int_equal(h->s.priv, PRV_U);
	assert_true(h->s.mstatus & MSTATUS_SIE);
}

/*
 * Regression (a Linux guest hung in an interrupt storm): OpenSBI's
 * `csrs mip, STIP` ran while the PLIC held SEIP high, and the
 * read-modify-write copied the line into the software SEIP bit, so the
 * external interrupt never went away. CSRRS/CSRRC on mip must build on the
 * software-writable bits only.
 */
static void test_csr_mip_rmw_does_not_latch_device_seip(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	static const uint32_t prog[] = {
		0x02000293, /* li t0, 0x20 (STIP) */
		0x3442a073, /* csrs mip, t0 */
		0x3442b073, /* csrc mip, t0 */
		0x0000006f, /* j . */
	};

	for (unsigned i = 0; i < sizeof(prog) / 4; i++)
		um_w32(m, UM_DRAM + 4 * i, prog[i]);
	h->s.pc = UM_DRAM;
	hart_set_hw_irq(h, MIP_SEIP, true);
	hart_run(h, 2); /* li, csrs */
	assert_hex_equal(h->s.mip, MIP_STIP);
	assert_hex_equal(hart_mip(h) & MIP_SEIP, MIP_SEIP); /* the line still reads */
	hart_run(h, 1); /* csrc */
	assert_hex_equal(h->s.mip, 0);
	hart_set_hw_irq(h, MIP_SEIP, false);
	assert_hex_equal(hart_mip(h), 0); /* nothing left pending */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, um_setup, um_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_csr_misa_exact_and_read_only),
		T(test_csr_mstatus_warl),
		T(test_csr_uxl_sxl_read_2),
		T(test_csr_sstatus_is_a_view_of_mstatus),
		T(test_csr_sie_sip_masked_by_mideleg),
		T(test_csr_medeleg_bit11_not_writable),
		T(test_csr_tvec_mode_legalised),
		T(test_csr_epc_low_bit_cleared),
		T(test_csr_satp_modes),
		T(test_csr_tvm_makes_satp_illegal_in_s),
		T(test_csr_privilege_and_read_only_checks),
		T(test_csr_counter_access_from_s_and_u),
		T(test_csr_fp_csrs_need_fs_and_set_dirty),
		T(test_csr_pmp_cfg_and_lock),
		T(test_csr_minstret_mcycle_writable),
		T(test_csr_hpm_counters_read_zero),
		T(test_csr_mcountinhibit_consistent_with_counters),
		T(test_csr_mip_rmw_does_not_latch_device_seip),
		T(test_csr_unknown_csr_is_illegal),
		T(test_trap_exception_to_m_saves_state),
		T(test_trap_delegated_exception_goes_to_s),
		T(test_trap_never_delegated_from_m),
		T(test_trap_vectored_interrupt_offsets),
		T(test_trap_interrupt_priority_order),
		T(test_trap_interrupt_enable_rules),
		T(test_trap_mret_restores_and_clears_mprv),
		T(test_trap_sret_restores_and_honours_tsr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
