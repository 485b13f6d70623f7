/*
 * test_plic.c - the PLIC's registers, gateways, claim/complete and the
 * MEIP/SEIP outputs, on a bare zeroed hart (hart_set_hw_irq only touches
 * hw_ip, so no machine is needed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cpu/hart.h"
#include "devices/plic.h"

struct fixture {
	struct plic p;
	struct hart h;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	plic_init(&f->p, &f->h, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

#define PRIO(src) (PLIC_PRIORITY_BASE + 4ull * (src))
#define PENDING(w) (PLIC_PENDING_BASE + 4ull * (w))
#define ENABLE(ctx, w) (PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * (uint64_t)(ctx) + 4ull * (w))
#define THRESHOLD(ctx) (PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * (uint64_t)(ctx))
#define CLAIM(ctx) (THRESHOLD(ctx) + 4)

static uint32_t rd(struct fixture *f, uint64_t off)
{
	return (uint32_t)plic_read(&f->p, off, 4);
}

static void wr(struct fixture *f, uint64_t off, uint32_t v)
{
	plic_write(&f->p, off, 4, v);
}

static bool meip(struct fixture *f)
{
	return f->h.hw_ip & MIP_MEIP;
}

static bool seip(struct fixture *f)
{
	return f->h.hw_ip & MIP_SEIP;
}

static bool is_pending(struct fixture *f, int src)
{
	return rd(f, PENDING(src / 32)) >> (src % 32) & 1;
}

static void enable(struct fixture *f, int ctx, int src)
{
	wr(f, ENABLE(ctx, src / 32), rd(f, ENABLE(ctx, src / 32)) | 1u << (src % 32));
}

static void disable(struct fixture *f, int ctx, int src)
{
	wr(f, ENABLE(ctx, src / 32), rd(f, ENABLE(ctx, src / 32)) & ~(1u << (src % 32)));
}

static void test_reset_state(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < PLIC_NUM_SOURCES; i++)
		assert_int_equal(rd(f, PRIO(i)), 0);
	for (int w = 0; w < PLIC_NUM_WORDS; w++) {
		assert_int_equal(rd(f, PENDING(w)), 0);
		assert_int_equal(rd(f, ENABLE(0, w)), 0);
		assert_int_equal(rd(f, ENABLE(1, w)), 0);
	}
	assert_int_equal(rd(f, THRESHOLD(0)), 0);
	assert_int_equal(rd(f, CLAIM(0)), 0);
	assert_false(meip(f));
	assert_false(seip(f));
	assert_int_equal(PLIC_NUM_SOURCES, 96);
}

static void test_priority_warl(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(5), 0xffffffff);
	assert_int_equal(rd(f, PRIO(5)), 7);
	wr(f, PRIO(5), 8);
	assert_int_equal(rd(f, PRIO(5)), 0);
	wr(f, PRIO(5), 0xd);
	assert_int_equal(rd(f, PRIO(5)), 5);
	wr(f, PRIO(95), 3); /* the last source */
	assert_int_equal(rd(f, PRIO(95)), 3);
	wr(f, PRIO(0), 7); /* source 0 is reserved */
	assert_int_equal(rd(f, PRIO(0)), 0);
	wr(f, PRIO(96), 7); /* past the last source */
	assert_int_equal(rd(f, PRIO(96)), 0);
	/* threshold: 0..7 kept, larger values ignored */
	wr(f, THRESHOLD(0), 6);
	assert_int_equal(rd(f, THRESHOLD(0)), 6);
	wr(f, THRESHOLD(0), 9);
	assert_int_equal(rd(f, THRESHOLD(0)), 6);
	assert_int_equal(rd(f, THRESHOLD(1)), 0);
}

static void test_threshold(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(5), 3);
	enable(f, 0, 5);
	plic_set_irq(&f->p, 5, true);
	assert_true(is_pending(f, 5));
	wr(f, THRESHOLD(0), 2);
	assert_true(meip(f));
	wr(f, THRESHOLD(0), 3); /* priority must exceed the threshold */
	assert_false(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 0);
	assert_true(is_pending(f, 5)); /* a failed claim changes nothing */
	wr(f, THRESHOLD(0), 0);
	assert_true(meip(f));
	wr(f, PRIO(5), 0); /* priority 0: never interrupts */
	assert_false(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 0);
	wr(f, PRIO(5), 1);
	assert_true(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 5);
}

static void test_claim_order_and_ties(void **state)
{
	struct fixture *f = *state;
	static const int srcs[] = { 70, 3, 40, 9, 7, 95, 1 };
	static const uint32_t prio[] = { 1, 2, 5, 5, 5, 4, 1 };
	static const uint32_t order[] = { 7, 9, 40, 95, 3, 1, 70, 0 };

	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		wr(f, PRIO(srcs[i]), prio[i]);
		enable(f, 0, srcs[i]);
		plic_set_irq(&f->p, srcs[i], true);
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		assert_int_equal(meip(f), order[i] != 0);
		assert_int_equal(rd(f, CLAIM(0)), order[i]);
	}
	assert_false(meip(f));
}

static void test_claim_clears_pending(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(33), 1);
	enable(f, 0, 33);
	plic_set_irq(&f->p, 33, true);
	assert_int_equal(rd(f, PENDING(1)), 1u << 1);
	wr(f, PENDING(1), 0); /* pending bits are read-only */
	assert_int_equal(rd(f, PENDING(1)), 1u << 1);
	assert_int_equal(rd(f, CLAIM(0)), 33);
	assert_int_equal(rd(f, PENDING(1)), 0);
	assert_false(meip(f));
	/* in service: the gateway forwards nothing, even on a new edge */
	plic_set_irq(&f->p, 33, false);
	plic_set_irq(&f->p, 33, true);
	assert_false(is_pending(f, 33));
	assert_false(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 0);
	wr(f, PENDING(1), 1u << 1);
	assert_false(is_pending(f, 33));
}

static void test_complete_repends_asserted_source(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(10), 1);
	enable(f, 0, 10);
	plic_set_irq(&f->p, 10, true);
	assert_int_equal(rd(f, CLAIM(0)), 10);
	assert_false(meip(f));
	wr(f, CLAIM(0), 10); /* still asserted: pends again */
	assert_true(is_pending(f, 10));
	assert_true(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 10);
	plic_set_irq(&f->p, 10, false); /* the handler quiets the device */
	wr(f, CLAIM(0), 10);
	assert_false(is_pending(f, 10));
	assert_false(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 0);
	/* a new assertion after completion is forwarded again */
	plic_set_irq(&f->p, 10, true);
	assert_true(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 10);
}

static void test_deassert_before_claim_stays_pending(void **state)
{
	struct fixture *f = *state;

	/* spec: a forwarded request stays pending if the source drops */
	wr(f, PRIO(2), 1);
	enable(f, 0, 2);
	plic_set_irq(&f->p, 2, true);
	plic_set_irq(&f->p, 2, false);
	assert_true(is_pending(f, 2));
	assert_true(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 2);
	wr(f, CLAIM(0), 2);
	assert_false(is_pending(f, 2));
	assert_false(meip(f));
}

static void test_disabled_source_never_claimed(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(20), 7);
	wr(f, PRIO(21), 1);
	enable(f, 0, 21);
	plic_set_irq(&f->p, 20, true);
	plic_set_irq(&f->p, 21, true);
	assert_true(is_pending(f, 20)); /* pending regardless of enables */
	assert_int_equal(rd(f, CLAIM(0)), 21);
	assert_int_equal(rd(f, CLAIM(0)), 0);
	assert_false(meip(f));
	/* a complete from a context that has the source disabled is ignored */
	disable(f, 0, 21);
	wr(f, CLAIM(0), 21);
	enable(f, 0, 21);
	assert_false(is_pending(f, 21)); /* still in service */
	assert_false(meip(f));
	wr(f, CLAIM(0), 21);
	assert_true(is_pending(f, 21));
	/* enabling a pending source raises the output; disabling drops it */
	enable(f, 0, 20);
	assert_true(meip(f));
	disable(f, 0, 20);
	disable(f, 0, 21);
	assert_false(meip(f));
	/* source 0 cannot be enabled */
	wr(f, ENABLE(0, 0), 0xffffffff);
	assert_int_equal(rd(f, ENABLE(0, 0)), 0xfffffffe);
	assert_int_equal(rd(f, CLAIM(0)), 20);
}

static void test_contexts_independent(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(5), 4);
	wr(f, PRIO(6), 2);
	enable(f, 1, 5);
	plic_set_irq(&f->p, 5, true);
	assert_true(seip(f));
	assert_false(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 0); /* not enabled for M */
	assert_true(seip(f));
	enable(f, 0, 6);
	plic_set_irq(&f->p, 6, true);
	assert_true(meip(f));
	assert_true(seip(f));
	/* thresholds are per context */
	wr(f, THRESHOLD(1), 4);
	assert_false(seip(f));
	assert_true(meip(f));
	assert_int_equal(rd(f, THRESHOLD(0)), 0);
	wr(f, THRESHOLD(1), 0);
	assert_int_equal(rd(f, CLAIM(1)), 5);
	assert_false(seip(f));
	assert_true(meip(f));
	assert_int_equal(rd(f, CLAIM(0)), 6);
	assert_false(meip(f));
	/* in service is per source: enabled in both, claimed by S */
	enable(f, 0, 5);
	wr(f, CLAIM(1), 5);
	assert_true(meip(f));
	assert_true(seip(f));
	assert_int_equal(rd(f, CLAIM(1)), 5);
	assert_false(meip(f));
	assert_false(seip(f));
	assert_int_equal(rd(f, CLAIM(0)), 0);
	wr(f, CLAIM(0), 5); /* M may complete it: enabled there too */
	assert_true(meip(f));
	assert_true(seip(f));
}

static void test_outputs_follow_state(void **state)
{
	struct fixture *f = *state;

	wr(f, PRIO(64), 2);
	plic_set_irq(&f->p, 64, true);
	assert_false(meip(f) || seip(f));
	enable(f, 0, 64);
	assert_true(meip(f));
	wr(f, THRESHOLD(0), 2);
	assert_false(meip(f));
	wr(f, PRIO(64), 3);
	assert_true(meip(f));
	assert_false(seip(f));
	/* the PLIC owns only MEIP and SEIP */
	f->h.hw_ip |= MIP_MTIP;
	wr(f, PRIO(64), 0);
	assert_false(meip(f));
	assert_true(f->h.hw_ip & MIP_MTIP);
	/* plic_update recomputes the outputs from `s` (migration) */
	f->h.hw_ip = 0;
	f->p.s.priority[64] = 3;
	plic_update(&f->p);
	assert_true(meip(f));
}

static void test_garbage_accesses_harmless(void **state)
{
	struct fixture *f = *state;
	static const uint64_t offs[] = {
		PRIO(96), 0xffc, PENDING(3), 0x1ffc, ENABLE(0, 3), ENABLE(0, 31),
		ENABLE(2, 0), 0x1ffffc, THRESHOLD(0) + 8, THRESHOLD(1) + 0xffc,
		THRESHOLD(2), CLAIM(2), 0x5ffffc, 0x600000, 1ull << 40, ~3ull,
	};
	static const int sizes[] = { 1, 2, 8, 0, -1, 3 };
	struct plic_state before;
	uint64_t seed = 0x243f6a8885a308d3ull;

	wr(f, PRIO(9), 5);
	enable(f, 0, 9);
	enable(f, 1, 9);
	plic_set_irq(&f->p, 9, true);
	before = f->p.s;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(plic_read(&f->p, offs[i], 4), 0);
		plic_write(&f->p, offs[i], 4, 0xffffffff);
	}
	/* wrong sizes and misaligned offsets: read 0, writes ignored, no claim */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(plic_read(&f->p, PRIO(9), sizes[i]), 0);
		assert_int_equal(plic_read(&f->p, CLAIM(0), sizes[i]), 0);
		plic_write(&f->p, PRIO(9), sizes[i], 1);
		plic_write(&f->p, THRESHOLD(0), sizes[i], 7);
	}
	assert_int_equal(plic_read(&f->p, PRIO(9) + 1, 4), 0);
	assert_int_equal(plic_read(&f->p, CLAIM(0) + 2, 4), 0);
	plic_write(&f->p, PRIO(9) + 2, 4, 1);
	/* garbage completes and inputs */
	wr(f, CLAIM(0), 0);
	wr(f, CLAIM(0), 96);
	wr(f, CLAIM(0), 0xffffffff);
	wr(f, CLAIM(1), 9); /* not in service: no effect */
	plic_set_irq(&f->p, 0, true);
	plic_set_irq(&f->p, -1, true);
	plic_set_irq(&f->p, 96, true);
	plic_set_irq(&f->p, 1 << 30, true);
	assert_memory_equal(&before, &f->p.s, sizeof(before));
	assert_true(meip(f) && seip(f));

	/* random traffic over the whole window: no crash, invariants hold */
	for (int i = 0; i < 200000; i++) {
		uint64_t off, val;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		switch (seed % 4) {
		case 0: off = seed >> 20 & 0x1ff; break;
		case 1: off = 0x1000 + (seed >> 20 & 0x1fff); break;
		case 2: off = 0x200000 + (seed >> 20 & 0x1fff); break;
		default: off = seed >> 20 & 0x7fffff; break;
		}
		val = seed >> 8 & 0x7f;
		if (seed >> 40 & 1)
			val = seed;
		if (seed >> 41 & 1)
			plic_write(&f->p, off & ~3ull, 4, val);
		else
			(void)plic_read(&f->p, off & ~3ull, 4);
		if (!(seed >> 42 & 7))
			plic_set_irq(&f->p, (int)(seed >> 45 & 0x7f), seed >> 52 & 1);
		assert_int_equal(f->p.s.pending[0] & 1, 0);
		assert_int_equal(f->p.s.enable[0][0] & 1, 0);
		assert_int_equal(f->p.s.enable[1][0] & 1, 0);
		assert_true(f->p.s.threshold[0] <= 7 && f->p.s.threshold[1] <= 7);
		for (int w = 0; w < PLIC_NUM_WORDS; w++) {
			/* an asserted source is pending or in service */
			assert_int_equal(f->p.s.level[w] & ~f->p.s.claimed[w] &
					 ~f->p.s.pending[w], 0);
			/* a claimed source is not pending */
			assert_int_equal(f->p.s.claimed[w] & f->p.s.pending[w], 0);
		}
		for (int s = 0; s < PLIC_NUM_SOURCES; s++)
			assert_true(f->p.s.priority[s] <= 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_warl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_order_and_ties, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_clears_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_repends_asserted_source, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_deassert_before_claim_stays_pending,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_source_never_claimed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_contexts_independent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outputs_follow_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_accesses_harmless, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
