/*
 * test_rtc.c - the goldfish RTC with an injected clock: time latch, time
 * writes, alarm, interrupt enable/clear, rtc_ns_to_alarm, and the line
 * wired into a PLIC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/hart.h"
#include "devices/plic.h"
#include "devices/rtc.h"

#define IRQ 11

static uint64_t fake_now;
static int irq_calls;
static int irq_last_num;
static bool irq_line;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static void record_irq(void *opaque, int irq, bool level)
{
	(void)opaque;
	irq_calls++;
	irq_last_num = irq;
	irq_line = level;
}

static int setup(void **state)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	fake_now = 1700000000ull * 1000000000ull + 123456789;
	irq_calls = 0;
	irq_last_num = -1;
	irq_line = false;
	rtc_init(r, record_irq, NULL, IRQ);
	r->now_ns = fake_clock;
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static uint32_t rd(struct rtc *r, uint64_t off)
{
	return (uint32_t)rtc_read(r, off, 4);
}

static void wr(struct rtc *r, uint64_t off, uint32_t v)
{
	rtc_write(r, off, 4, v);
}

/* As Linux reads the time: TIME_LOW, then the latched TIME_HIGH. */
static uint64_t read_time(struct rtc *r)
{
	uint64_t lo = rd(r, RTC_TIME_LOW);

	return (uint64_t)rd(r, RTC_TIME_HIGH) << 32 | lo;
}

/* As Linux sets the alarm: HIGH, then LOW (which arms it). */
static void set_alarm(struct rtc *r, uint64_t t)
{
	wr(r, RTC_ALARM_HIGH, (uint32_t)(t >> 32));
	wr(r, RTC_ALARM_LOW, (uint32_t)t);
}

static void test_default_clock_is_realtime(void **state)
{
	struct rtc r;
	uint64_t t, host;

	(void)state;
	rtc_init(&r, NULL, NULL, IRQ);
	assert_ptr_equal(r.now_ns, rtc_realtime_ns);
	t = read_time(&r);
	host = (uint64_t)time(NULL) * 1000000000ull;
	assert_true(t + 2000000000ull > host && t < host + 2000000000ull);
	assert_int_equal(rtc_ns_to_alarm(&r), UINT64_MAX);
}

static void test_time_read_latches_high(void **state)
{
	struct rtc *r = *state;
	uint64_t t0 = fake_now;

	assert_int_equal(rd(r, RTC_TIME_LOW), (uint32_t)t0);
	fake_now += 1ull << 32; /* the high half moves on... */
	assert_int_equal(rd(r, RTC_TIME_HIGH), t0 >> 32); /* ...the latch does not */
	assert_int_equal(rd(r, RTC_TIME_HIGH), t0 >> 32);
	assert_int_equal(read_time(r), fake_now);
	fake_now += 12345;
	assert_int_equal(read_time(r), fake_now);
}

static void test_time_write_sets_offset(void **state)
{
	struct rtc *r = *state;
	uint64_t host = fake_now, t = 0x0123456789abcdefull;

	/* Linux: HIGH, then LOW */
	wr(r, RTC_TIME_HIGH, (uint32_t)(t >> 32));
	wr(r, RTC_TIME_LOW, (uint32_t)t);
	assert_int_equal(read_time(r), t);
	assert_int_equal(r->s.time_offset, (int64_t)(t - host));
	fake_now += 1000; /* the guest clock runs with the host's */
	assert_int_equal(read_time(r), t + 1000);
	assert_int_equal(rtc_time_ns(r), t + 1000);
	/* a time before the host's: negative offset */
	wr(r, RTC_TIME_HIGH, 0);
	wr(r, RTC_TIME_LOW, 5);
	assert_int_equal(read_time(r), 5);
	assert_true(r->s.time_offset < 0);
	fake_now += 7;
	assert_int_equal(read_time(r), 12);
	/* writing the low half keeps the high half */
	wr(r, RTC_TIME_HIGH, 3);
	wr(r, RTC_TIME_LOW, 0x10);
	assert_int_equal(read_time(r), (3ull << 32) | 0x10);
}

static void test_alarm_fires_via_update(void **state)
{
	struct rtc *r = *state;
	uint64_t t = read_time(r);

	wr(r, RTC_IRQ_ENABLED, 1);
	set_alarm(r, t + 1000);
	assert_int_equal(rd(r, RTC_ALARM_LOW), (uint32_t)(t + 1000));
	assert_int_equal(rd(r, RTC_ALARM_HIGH), (t + 1000) >> 32);
	assert_int_equal(rd(r, RTC_ALARM_STATUS), 1);
	assert_int_equal(rtc_ns_to_alarm(r), 1000);
	fake_now += 999;
	rtc_update(r);
	assert_int_equal(irq_calls, 0);
	assert_int_equal(rtc_ns_to_alarm(r), 1);
	fake_now += 1;
	assert_int_equal(rtc_ns_to_alarm(r), 0); /* due, not yet polled */
	rtc_update(r);
	assert_int_equal(irq_calls, 1);
	assert_true(irq_line);
	assert_int_equal(irq_last_num, IRQ);
	assert_int_equal(rd(r, RTC_ALARM_STATUS), 0); /* disarmed by firing */
	assert_int_equal(rtc_ns_to_alarm(r), UINT64_MAX);
	rtc_update(r); /* a level, not re-sent */
	assert_int_equal(irq_calls, 1);
	wr(r, RTC_CLEAR_INTERRUPT, 1);
	assert_false(irq_line);
	assert_int_equal(irq_calls, 2);
	fake_now += 1000000;
	rtc_update(r); /* fires once */
	assert_false(irq_line);
}

static void test_alarm_in_past_fires_at_once(void **state)
{
	struct rtc *r = *state;

	wr(r, RTC_IRQ_ENABLED, 1);
	set_alarm(r, read_time(r) - 1);
	assert_true(irq_line);
	assert_int_equal(rd(r, RTC_ALARM_STATUS), 0);
	wr(r, RTC_CLEAR_INTERRUPT, 1);
	assert_false(irq_line);
	/* a time write past an armed alarm makes it due */
	set_alarm(r, read_time(r) + 1000000);
	assert_false(irq_line);
	wr(r, RTC_TIME_HIGH, rd(r, RTC_TIME_HIGH) + 1);
	assert_true(irq_line);
}

static void test_irq_enable_and_clear(void **state)
{
	struct rtc *r = *state;

	set_alarm(r, read_time(r) + 10);
	fake_now += 10;
	rtc_update(r);
	assert_int_equal(irq_calls, 0); /* fired, but the irq is disabled */
	assert_int_equal(rd(r, RTC_ALARM_STATUS), 0);
	wr(r, RTC_IRQ_ENABLED, 0xff); /* bit 0 only */
	assert_int_equal(rd(r, RTC_IRQ_ENABLED), 1);
	assert_true(irq_line); /* the latched interrupt shows */
	wr(r, RTC_IRQ_ENABLED, 0);
	assert_false(irq_line);
	wr(r, RTC_IRQ_ENABLED, 1);
	assert_true(irq_line);
	wr(r, RTC_CLEAR_INTERRUPT, 1);
	assert_false(irq_line);
	wr(r, RTC_IRQ_ENABLED, 0);
	wr(r, RTC_IRQ_ENABLED, 1);
	assert_false(irq_line);
	assert_int_equal(irq_calls, 4);
}

static void test_clear_alarm(void **state)
{
	struct rtc *r = *state;

	wr(r, RTC_IRQ_ENABLED, 1);
	set_alarm(r, read_time(r) + 500);
	assert_int_equal(rd(r, RTC_ALARM_STATUS), 1);
	wr(r, RTC_CLEAR_ALARM, 1);
	assert_int_equal(rd(r, RTC_ALARM_STATUS), 0);
	assert_int_equal(rtc_ns_to_alarm(r), UINT64_MAX);
	fake_now += 1000;
	rtc_update(r);
	assert_int_equal(irq_calls, 0);
	/* re-arming with the same HIGH: writing LOW alone */
	wr(r, RTC_ALARM_LOW, (uint32_t)(read_time(r) + 100));
	assert_int_equal(rtc_ns_to_alarm(r), 100);
}

static void test_ns_to_alarm_follows_guest_time(void **state)
{
	struct rtc *r = *state;

	assert_int_equal(rtc_ns_to_alarm(r), UINT64_MAX);
	/* the alarm is in guest time; the sleep is in host ns */
	wr(r, RTC_TIME_HIGH, 0);
	wr(r, RTC_TIME_LOW, 1000);
	set_alarm(r, 5000);
	assert_int_equal(rtc_ns_to_alarm(r), 4000);
	fake_now += 3000;
	assert_int_equal(rtc_ns_to_alarm(r), 1000);
	wr(r, RTC_TIME_LOW, 4900);
	assert_int_equal(rtc_ns_to_alarm(r), 100);
}

static void test_garbage_accesses_harmless(void **state)
{
	struct rtc *r = *state;
	static const int sizes[] = { 1, 2, 8, 0, -1 };
	struct rtc_state before;

	set_alarm(r, read_time(r) + 100);
	before = r->s;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (uint64_t off = 0; off < 0x20; off += 4) {
			assert_int_equal(rtc_read(r, off, sizes[i]), 0);
			rtc_write(r, off, sizes[i], ~0ull);
		}
	}
	static const uint64_t offs[] = { 0x20, 0x24, 0xffc, 0x1000, 2, ~0ull };
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(rtc_read(r, offs[i], 4), 0);
		rtc_write(r, offs[i], 4, ~0ull);
	}
	/* write-only registers read 0 */
	assert_int_equal(rd(r, RTC_CLEAR_ALARM), 0);
	assert_int_equal(rd(r, RTC_CLEAR_INTERRUPT), 0);
	assert_memory_equal(&before, &r->s, sizeof(before));
	assert_int_equal(irq_calls, 0);
	/* upper bits of a 4-byte write are dropped */
	wr(r, RTC_TIME_HIGH, 0);
	rtc_write(r, RTC_TIME_LOW, 4, 0xabcd00000042ull);
	assert_int_equal(read_time(r), 0x42);
}

static void test_wired_to_plic(void **state)
{
	struct rtc *r = *state;
	struct plic *p = calloc(1, sizeof(*p));
	struct hart *h = calloc(1, sizeof(*h));

	plic_init(p, h, 1);
	r->set_irq = plic_set_irq;
	r->irq_opaque = p;
	plic_write(p, 4 * IRQ, 4, 1);
	plic_write(p, PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE, 4, 1u << IRQ);
	wr(r, RTC_IRQ_ENABLED, 1);
	set_alarm(r, read_time(r) + 50);
	assert_false(h->hw_ip & MIP_SEIP);
	fake_now += 50;
	rtc_update(r);
	assert_true(h->hw_ip & MIP_SEIP);
	assert_false(h->hw_ip & MIP_MEIP);
	/* the Linux handler: claim, clear, complete */
	assert_int_equal(plic_read(p, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4, 4), IRQ);
	wr(r, RTC_CLEAR_INTERRUPT, 1);
	plic_write(p, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4, 4, IRQ);
	assert_false(h->hw_ip & MIP_SEIP);
	free(p);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_clock_is_realtime),
		cmocka_unit_test_setup_teardown(test_time_read_latches_high, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_write_sets_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_fires_via_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alarm_in_past_fires_at_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_irq_enable_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_alarm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ns_to_alarm_follows_guest_time, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_garbage_accesses_harmless, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wired_to_plic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
