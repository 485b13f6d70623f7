/*
 * test_trigger.c - debug triggers (trigger.c): CSR legalisation, execute,
 * load, store and AMO matches in M/S/U with tcontrol.MTE, the TLB fast path
 * not hiding a watched page; and the mcycle/minstret write and inhibit
 * rules (hart.c) as instructions see them.
 *
 * Guest code is written as instruction words (encoders below) at DRAM
 * base; mtvec points at a "j ." so a trap stops the hart in a known place.
 */
#include "unit_machine.h"
#include "cpu/csr.h"

#define CODE UM_DRAM
#define VEC (UM_DRAM + 0x800)
#define DATA (UM_DRAM + 0x3000)
#define T_LOAD 1ull
#define T_STORE 2ull
#define T_EXEC 4ull
#define T_U (1ull << 3)
#define T_S (1ull << 4)
#define T_M (1ull << 6)
#define MATCH(n) ((uint64_t)(n) << 7)
#define MC(bits) ((2ull << 60) | (63ull << 53) | (bits)) /* mcontrol as read */
#define MC6(bits) ((6ull << 60) | (bits))

static uint32_t i_type(uint32_t op, uint32_t f3, int rd, int rs1, int32_t imm)
{
	return ((uint32_t)imm << 20) | ((uint32_t)rs1 << 15) | (f3 << 12) |
	       ((uint32_t)rd << 7) | op;
}

static uint32_t addi(int rd, int rs1, int32_t imm) { return i_type(0x13, 0, rd, rs1, imm); }
static uint32_t ld(int rd, int rs1, int32_t imm) { return i_type(0x03, 3, rd, rs1, imm); }
static uint32_t csrrwi(int rd, uint32_t csr, uint32_t uimm) { return i_type(0x73, 5, rd, (int)uimm, (int32_t)csr); }
static uint32_t csrr(int rd, uint32_t csr) { return i_type(0x73, 2, rd, 0, (int32_t)csr); }

static uint32_t sd(int rs2, int rs1, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return ((u >> 5) << 25) | ((uint32_t)rs2 << 20) | ((uint32_t)rs1 << 15) |
	       (3u << 12) | ((u & 31) << 7) | 0x23;
}

static uint32_t amoadd_d(int rd, int rs2, int rs1)
{
	return ((uint32_t)rs2 << 20) | ((uint32_t)rs1 << 15) | (3u << 12) |
	       ((uint32_t)rd << 7) | 0x2f;
}

#define J_SELF 0x0000006fu

static uint64_t rd(struct hart *h, uint32_t csr)
{
	uint64_t v = 0;

	assert_int_equal(hart_csr_read(h, csr, &v), 0);
	return v;
}

static void wr(struct hart *h, uint32_t csr, uint64_t v)
{
	assert_int_equal(hart_csr_write(h, csr, v), 0);
}

/* program trigger i in any mode (trigger.c's writer skips the M-only
 * check), so a test arms triggers without leaving the mode it runs in */
static void arm(struct hart *h, int i, uint64_t tdata1, uint64_t tdata2)
{
	assert_int_equal(hart_trig_csr_write(h, CSR_TSELECT, (uint64_t)i), 0);
	assert_int_equal(hart_trig_csr_write(h, CSR_TDATA2, tdata2), 0);
	assert_int_equal(hart_trig_csr_write(h, CSR_TDATA1, tdata1), 0);
}

/* code at CODE, the trap vector at VEC, x2 = DATA */
static void setup_code(struct machine *m, const uint32_t *w, size_t n)
{
	static const uint32_t spin = J_SELF;
	struct hart *h = &m->harts[0];

	um_code(m, CODE, w, n);
	um_code(m, VEC, &spin, 1);
	h->s.mtvec = VEC;
	h->s.stvec = VEC;
	h->s.x[2] = DATA;
}

static void expect_breakpoint(struct hart *h, uint64_t epc, uint64_t tval)
{
	assert_hex_equal(h->s.pc, VEC);
	assert_hex_equal(h->s.mcause, CAUSE_BREAKPOINT);
	assert_hex_equal(h->s.mepc, epc);
	assert_hex_equal(h->s.mtval, tval);
}

/* ---------------------------------------------------------- CSRs */

static void test_trig_csrs_legalised(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];

	/* types 2, 6 and 15, debug spec version 1 */
	assert_hex_equal(rd(h, CSR_TINFO), 0x1008044);
	wr(h, CSR_TINFO, 0);
	assert_hex_equal(rd(h, CSR_TINFO), 0x1008044);
	/* tselect: 0..3; a larger value leaves it alone */
	wr(h, CSR_TSELECT, 3);
	assert_hex_equal(rd(h, CSR_TSELECT), 3);
	wr(h, CSR_TSELECT, 4);
	assert_hex_equal(rd(h, CSR_TSELECT), 3);
	/* reset: an mcontrol6 that matches nothing */
	assert_hex_equal(rd(h, CSR_TDATA1), 6ull << 60);
	/* mcontrol: dmode, action, chain, timing, select, size dropped;
	 * maskmax reads 63 */
	wr(h, CSR_TDATA1, (2ull << 60) | (1ull << 59) | (1ull << 12) | (1ull << 11) |
				  (1ull << 18) | (1ull << 19) | (1ull << 16) | 0x5f | MATCH(3));
	assert_hex_equal(rd(h, CSR_TDATA1), MC(0x5f | MATCH(3)));
	/* unsupported match (mask low) becomes equal */
	wr(h, CSR_TDATA1, (2ull << 60) | MATCH(4) | T_M | T_EXEC);
	assert_hex_equal(rd(h, CSR_TDATA1), MC(T_M | T_EXEC));
	/* mcontrol6: vs/vu/uncertainen/size dropped, hit0 kept */
	wr(h, CSR_TDATA1, (6ull << 60) | (3ull << 23) | (1ull << 22) | (1ull << 5) |
				  (1ull << 16) | 0x5f | MATCH(1));
	assert_hex_equal(rd(h, CSR_TDATA1), MC6((1ull << 22) | 0x5f | MATCH(1)));
	/* other types, 0 included: the trigger exists but is disabled */
	for (uint64_t t = 0; t < 16; t++) {
		if (t == 2 || t == 6)
			continue;
		wr(h, CSR_TDATA1, (t << 60) | 0x5f);
		assert_hex_equal(rd(h, CSR_TDATA1), 15ull << 60);
	}
	/* tdata2 is the whole address; tdata3 reads 0 */
	wr(h, CSR_TDATA2, 0xfedcba9876543210ull);
	assert_hex_equal(rd(h, CSR_TDATA2), 0xfedcba9876543210ull);
	wr(h, CSR_TDATA3, ~0ull);
	assert_hex_equal(rd(h, CSR_TDATA3), 0);
	/* tcontrol: MTE and MPTE only */
	wr(h, CSR_TCONTROL, ~0ull);
	assert_hex_equal(rd(h, CSR_TCONTROL), 0x88);
	/* all of them are M-only */
	h->s.priv = PRV_S;
	for (uint32_t c = CSR_TSELECT; c <= CSR_TCONTROL; c++) {
		uint64_t v;
		assert_int_equal(hart_csr_read(h, c, &v), -1);
	}
}

/* ------------------------------------------------------- execute */

static void test_trig_exec_m_needs_mte(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint32_t code[] = { addi(1, 1, 1), addi(1, 1, 1), addi(1, 1, 1),
				  addi(1, 1, 1), J_SELF };

	setup_code(m, code, 5);
	arm(h, 1, MC6(T_M | T_EXEC), CODE + 12);
	assert_hex_equal(h->trig_armed, T_EXEC);
	/* MTE = 0: M-mode triggers do not fire */
	hart_run(h, 20);
	assert_hex_equal(h->s.x[1], 4);
	assert_hex_equal(h->s.pc, CODE + 16);
	/* MTE = 1: fires before the fourth addi, in the page it runs from */
	hart_reset(h, m, CODE);
	setup_code(m, code, 5);
	arm(h, 1, MC6(T_M | T_EXEC), CODE + 12);
	wr(h, CSR_TCONTROL, 0x8);
	hart_run(h, 20);
	assert_hex_equal(h->s.x[1], 3);
	expect_breakpoint(h, CODE + 12, CODE + 12);
	/* the trap moved MTE to MPTE; hit0 is set */
	assert_hex_equal(rd(h, CSR_TCONTROL), 0x80);
	assert_hex_equal(rd(h, CSR_TDATA1), MC6((1ull << 22) | T_M | T_EXEC));
	/* mret restores MTE from MPTE */
	assert_int_equal(hart_mret(h), 0);
	assert_hex_equal(rd(h, CSR_TCONTROL), 0x88);
}

static void test_trig_exec_modes_and_ranges(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint32_t code[] = { addi(1, 1, 1), addi(1, 1, 1), addi(1, 1, 1),
				  addi(1, 1, 1), J_SELF };
	static const struct {
		uint64_t tdata1, tdata2;
		uint32_t priv;
		int fires_at; /* instruction index, -1: never */
	} cases[] = {
		{ MC(T_U | T_EXEC), CODE + 8, PRV_U, 2 },
		{ MC(T_S | T_EXEC), CODE + 8, PRV_U, -1 },
		{ MC(T_S | T_EXEC), CODE + 8, PRV_S, 2 },
		{ MC(T_U | T_S | T_EXEC), CODE + 6, PRV_S, -1 }, /* mid-instruction */
		{ MC(T_U | T_LOAD | T_STORE), CODE + 8, PRV_U, -1 },
		{ MC(T_S | T_EXEC | MATCH(1)), (CODE + 8) | 3, PRV_S, 2 },  /* 8 bytes */
		{ MC(T_S | T_EXEC | MATCH(1)), (CODE + 0x1000) | 0x7ff, PRV_S, -1 },
		{ MC6(T_U | T_EXEC | MATCH(2)), CODE + 4, PRV_U, 1 },
		{ MC6(T_U | T_EXEC | MATCH(3)), CODE + 4, PRV_U, 0 },
		{ MC6(T_U | T_EXEC | MATCH(3)), CODE, PRV_U, -1 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		hart_reset(h, m, CODE);
		setup_code(m, code, 5);
		arm(h, 0, cases[c].tdata1, cases[c].tdata2);
		h->s.priv = cases[c].priv;
		hart_run(h, 20);
		if (cases[c].fires_at < 0) {
			assert_hex_equal(h->s.x[1], 4);
			assert_hex_equal(h->s.pc, CODE + 16);
		} else {
			uint64_t at = CODE + 4 * (uint64_t)cases[c].fires_at;
			assert_hex_equal(h->s.x[1], (uint64_t)cases[c].fires_at);
			expect_breakpoint(h, at, at);
		}
	}
}

/* A loop inside one decoded page (a same-page branch needs no reload)
 * still stops at a trigger in that page. */
static void test_trig_exec_loop_in_page(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint32_t code[] = {
		addi(1, 1, 1),
		0xfe009ee3, /* bnez x1, -4 (back to the addi) */
	};

	setup_code(m, code, 2);
	h->s.priv = PRV_U;
	hart_run(h, 50); /* runs the loop; the page is decoded */
	arm(h, 0, MC(T_U | T_EXEC), CODE + 4);
	h->s.priv = PRV_U;
	h->s.pc = CODE;
	h->s.x[1] = 0;
	hart_run(h, 50);
	expect_breakpoint(h, CODE + 4, CODE + 4);
	assert_hex_equal(h->s.x[1], 1);
}

/* --------------------------------------------------- loads, stores */

static void test_trig_load_store(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint32_t code[] = {
		ld(3, 2, 0x100),     /* same page, not watched */
		sd(3, 2, 0x108),
		ld(3, 2, 0x100),     /* again: would hit a TLB entry */
		ld(4, 2, 0x10),      /* the watched doubleword */
		J_SELF,
	};
	static const struct {
		uint64_t tdata1, tdata2;
		uint32_t priv;
		int fires_at;
		uint64_t tval;
	} cases[] = {
		{ MC(T_U | T_LOAD), DATA + 0x10, PRV_U, 3, DATA + 0x10 },
		{ MC(T_U | T_LOAD), DATA + 0x17, PRV_U, 3, DATA + 0x10 }, /* any byte */
		{ MC(T_U | T_LOAD), DATA + 0x18, PRV_U, -1, 0 },
		{ MC(T_S | T_LOAD), DATA + 0x10, PRV_U, -1, 0 },
		{ MC(T_U | T_STORE), DATA + 0x10, PRV_U, -1, 0 },
		{ MC(T_U | T_STORE), DATA + 0x10c, PRV_U, 1, DATA + 0x108 },
		{ MC6(T_S | T_STORE | T_LOAD | MATCH(1)), DATA + 0xff, PRV_S, 0, DATA + 0x100 },
		{ MC6(T_S | T_LOAD | MATCH(2)), DATA + 0x101, PRV_S, 0, DATA + 0x100 },
		{ MC6(T_S | T_LOAD | MATCH(3)), DATA + 0x11, PRV_S, 3, DATA + 0x10 },
		{ MC6(T_S | T_LOAD | MATCH(3)), DATA + 0x10, PRV_S, -1, 0 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		hart_reset(h, m, CODE);
		setup_code(m, code, 5);
		h->s.priv = cases[c].priv;
		hart_run(h, 3); /* fill the TLBs for DATA's page */
		h->s.pc = CODE;
		arm(h, 0, cases[c].tdata1, cases[c].tdata2); /* must flush them */
		hart_run(h, 20);
		if (cases[c].fires_at < 0) {
			assert_hex_equal(h->s.pc, CODE + 16);
		} else {
			uint64_t at = CODE + 4 * (uint64_t)cases[c].fires_at;
			expect_breakpoint(h, at, cases[c].tval);
		}
	}
}

static void test_trig_amo(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint32_t code[] = { amoadd_d(3, 1, 2), J_SELF };

	setup_code(m, code, 2);
	um_w64(m, DATA, 5);
	h->s.x[1] = 1;
	arm(h, 0, MC(T_S | T_STORE), DATA);
	h->s.priv = PRV_S;
	hart_run(h, 10);
	expect_breakpoint(h, CODE, DATA);
	assert_hex_equal(um_r64(m, DATA), 5); /* before the access */
}

/* --------------------------------------------------- counters */

static void test_counter_write_suppresses_increment(void **state)
{
	struct machine *m = *state;
	struct hart *h = &m->harts[0];
	const uint32_t code[] = {
		addi(1, 1, 1),
		csrrwi(0, CSR_MINSTRET, 0),
		csrr(10, CSR_MINSTRET),       /* 0 */
		csrrwi(0, CSR_MCYCLE, 7),
		csrr(11, CSR_MCYCLE),         /* 7 */
		csrr(12, CSR_MINSTRET),       /* 3: csrr, csrwi, csrr */
		csrrwi(0, CSR_MCOUNTINHIBIT, 4), /* IR */
		addi(1, 1, 1),
		csrr(13, CSR_MINSTRET),       /* 5: up to the csrwi */
		csrrwi(0, CSR_MCOUNTINHIBIT, 1), /* CY only */
		csrr(14, CSR_MINSTRET),       /* 5 */
		csrr(15, CSR_MINSTRET),       /* 6 */
		csrr(16, CSR_MCYCLE),         /* 13: frozen after the csrwi */
		J_SELF,
	};

	setup_code(m, code, 14);
	hart_run(h, 13);
	assert_hex_equal(h->s.x[10], 0);
	assert_hex_equal(h->s.x[11], 7);
	assert_hex_equal(h->s.x[12], 3);
	assert_hex_equal(h->s.x[13], 5);
	assert_hex_equal(h->s.x[14], 5);
	assert_hex_equal(h->s.x[15], 6);
	assert_hex_equal(h->s.x[16], 13);
	/* after the slice: minstret counted the last three, mcycle stayed */
	assert_hex_equal(rd(h, CSR_MINSTRET), 8);
	assert_hex_equal(rd(h, CSR_MCYCLE), 13);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, um_setup, um_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_trig_csrs_legalised),
		T(test_trig_exec_m_needs_mte),
		T(test_trig_exec_modes_and_ranges),
		T(test_trig_exec_loop_in_page),
		T(test_trig_load_store),
		T(test_trig_amo),
		T(test_counter_write_suppresses_increment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
