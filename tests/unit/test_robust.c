/*
 * test_robust.c - hostile guest code must never crash the VMM.
 *
 * Each test fills guest RAM with pseudo-random instruction words (from a
 * fixed seed), installs trap handlers that skip the faulting parcel, and
 * runs the hart for a bounded number of instructions, from every privilege
 * mode and with paging on (the page tables being garbage too). Whatever the guest does - illegal instructions, wild
 * loads and stores, MMIO pokes, CSR writes, self-modifying stores - the
 * interpreter must return and the state must stay within its invariants.
 * Run under ASan+UBSan by `make check`.
 */
#include "unit_machine.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Random image biased towards valid encodings: mostly real major opcodes
 * with random fields, some compressed parcels, some pure noise. */
static uint8_t *garbage(size_t len)
{
	static const uint8_t majors[] = { 0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23,
					  0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43, 0x53,
					  0x63, 0x67, 0x6f, 0x73 };
	uint8_t *img = malloc(len);

	for (size_t i = 0; i + 4 <= len; i += 4) {
		uint32_t w = rnd(), kind = rnd() % 8;
		if (kind < 5)
			w = (w & ~0x7fu) | majors[rnd() % sizeof(majors)];
		else if (kind == 5)
			w &= 0xffff; /* compressed parcel plus zero */
		memcpy(img + i, &w, 4);
	}
	return img;
}

static uint64_t run_garbage(uint64_t seed, uint32_t priv, bool paging)
{
	size_t len = 64 * 1024;
	uint8_t *img;
	struct machine *m;
	struct hart *h;
	uint64_t retired;

	static const uint32_t m_handler[] = {
		0x341022f3, /* csrr t0, mepc */
		0x00228293, /* addi t0, t0, 2: resume on the next parcel */
		0x34129073, /* csrw mepc, t0 */
		0x30200073, /* mret */
	};
	static const uint32_t s_handler[] = {
		0x141022f3, /* csrr t0, sepc */
		0x00228293, /* addi t0, t0, 2 */
		0x14129073, /* csrw sepc, t0 */
		0x10200073, /* sret */
	};

	rng_state = seed;
	img = garbage(len);
	/* handlers that skip the faulting parcel keep the garbage running */
	memcpy(img + len - 64, m_handler, sizeof(m_handler));
	memcpy(img + len - 32, s_handler, sizeof(s_handler));
	m = um_create(img, len);
	assert_non_null(m);
	m->uart.out_fd = -1; /* the guest's UART output would garble TAP */
	m->uart.in_fd = -1;
	h = &m->harts[0];
	h->s.mtvec = UM_DRAM + len - 64;
	h->s.stvec = UM_DRAM + len - 32;
	h->s.medeleg = rnd() & 0xb3ff;
	h->s.mstatus |= MSTATUS_FS;
	h->s.priv = priv;
	if (paging) /* root table inside the garbage: walks see random PTEs */
		h->s.satp = (8ull << 60) | ((UM_DRAM >> 12) + 4);
	hart_tlb_flush(h);
	for (int slice = 0; slice < 50 && !m->stop_requested; slice++) {
		hart_run(h, 20000);
		/* invariants the rest of the VMM relies on */
		assert_true(h->s.priv == PRV_M || h->s.priv == PRV_S || h->s.priv == PRV_U);
		assert_int_equal(h->s.x[0], 0);
		assert_true(((h->s.mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) != 2);
		h->s.wfi = 0;
	}
	if (getenv("ROBUST_VERBOSE"))
		fprintf(stderr, "seed %llx: %llu retired, mcause %llx, stop %d\n",
			(unsigned long long)seed, (unsigned long long)h->s.minstret,
			(unsigned long long)h->s.mcause, m->stop_requested);
	retired = h->s.minstret;
	machine_destroy(m);
	free(m);
	free(img);
	return retired;
}

static void test_garbage_m_mode(void **state)
{
	uint64_t total = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 12; seed++)
		total += run_garbage(seed * 0x9e3779b97f4a7c15ull, PRV_M, false);
	/* the test means something only if the garbage really ran */
	assert_true(total > 5000000);
}

static void test_garbage_s_mode_paged(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 12; seed++)
		run_garbage(seed * 0xbf58476d1ce4e5b9ull, PRV_S, true);
}

static void test_garbage_u_mode_paged(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 12; seed++)
		run_garbage(seed * 0x94d049bb133111ebull, PRV_U, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_garbage_m_mode),
		cmocka_unit_test(test_garbage_s_mode_paged),
		cmocka_unit_test(test_garbage_u_mode_paged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
