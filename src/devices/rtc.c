/*
 * rtc.c - Goldfish RTC (see rtc.h), and its migratable state (rtc_vmstate,
 * at the end).
 */
#include "devices/rtc.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "migration/vmstate.h"

uint64_t rtc_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t rtc_time_ns(const struct rtc *r)
{
	return r->now_ns() + (uint64_t)r->s.time_offset;
}

static void set_time(struct rtc *r, uint64_t t)
{
	r->s.time_offset = (int64_t)(t - r->now_ns());
}

static void update_irq(struct rtc *r)
{
	bool level = r->s.irq_pending && r->s.irq_enabled;

	if (level != r->irq_level) {
		r->irq_level = level;
		if (r->set_irq)
			r->set_irq(r->irq_opaque, r->irq, level);
	}
}

/* Fire the alarm if it is armed and due. */
static void check_alarm(struct rtc *r)
{
	if (r->s.alarm_armed && rtc_time_ns(r) >= r->s.alarm) {
		r->s.alarm_armed = 0;
		r->s.irq_pending = 1;
	}
}

void rtc_init(struct rtc *r, void (*set_irq)(void *, int, bool), void *opaque,
	      int irq)
{
	memset(r, 0, sizeof(*r));
	r->now_ns = rtc_realtime_ns;
	r->set_irq = set_irq;
	r->irq_opaque = opaque;
	r->irq = irq;
}

void rtc_update(struct rtc *r)
{
	check_alarm(r);
	update_irq(r);
}

uint64_t rtc_ns_to_alarm(const struct rtc *r)
{
	uint64_t now;

	if (!r->s.alarm_armed)
		return UINT64_MAX;
	now = rtc_time_ns(r);
	return r->s.alarm > now ? r->s.alarm - now : 0;
}

uint64_t rtc_read(void *opaque, uint64_t off, int size)
{
	struct rtc *r = opaque;
	uint64_t v = 0, t;

	if (size != 4)
		return 0;
	switch (off) {
	case RTC_TIME_LOW:
		t = rtc_time_ns(r);
		r->s.time_high = (uint32_t)(t >> 32);
		v = t & 0xffffffffull;
		break;
	case RTC_TIME_HIGH: v = r->s.time_high; break;
	case RTC_ALARM_LOW: v = r->s.alarm & 0xffffffffull; break;
	case RTC_ALARM_HIGH: v = r->s.alarm >> 32; break;
	case RTC_IRQ_ENABLED: v = r->s.irq_enabled; break;
	case RTC_ALARM_STATUS:
		check_alarm(r);
		v = r->s.alarm_armed;
		break;
	default: break;
	}
	update_irq(r);
	return v;
}

void rtc_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct rtc *r = opaque;
	uint64_t v = val & 0xffffffffull;

	if (size != 4)
		return;
	switch (off) {
	case RTC_TIME_LOW:
		set_time(r, (rtc_time_ns(r) & ~0xffffffffull) | v);
		break;
	case RTC_TIME_HIGH:
		set_time(r, (rtc_time_ns(r) & 0xffffffffull) | (v << 32));
		break;
	case RTC_ALARM_LOW:
		r->s.alarm = (r->s.alarm & ~0xffffffffull) | v;
		r->s.alarm_armed = 1;
		break;
	case RTC_ALARM_HIGH:
		r->s.alarm = (r->s.alarm & 0xffffffffull) | (v << 32);
		break;
	case RTC_IRQ_ENABLED: r->s.irq_enabled = (uint32_t)v & 1; break;
	case RTC_CLEAR_ALARM: r->s.alarm_armed = 0; break;
	case RTC_CLEAR_INTERRUPT: r->s.irq_pending = 0; break;
	default: break;
	}
	check_alarm(r);
	update_irq(r);
}

/* ---- migration ------------------------------------------------------- */

static const struct vmstate_field rtc_fields[] = {
	VMS_SCALAR(struct rtc_state, time_offset, VMS_ANY),
	VMS_SCALAR(struct rtc_state, alarm, VMS_ANY),
	VMS_SCALAR(struct rtc_state, time_high, VMS_ANY),
	VMS_SCALAR(struct rtc_state, alarm_armed, 1),
	VMS_SCALAR(struct rtc_state, irq_enabled, 1),
	VMS_SCALAR(struct rtc_state, irq_pending, 1),
};

static void rtc_post_load(void *dev)
{
	rtc_update(dev);
}

const struct vmstate_desc rtc_vmstate = {
	.name = "rtc",
	.version = 1,
	.state_size = sizeof(struct rtc_state),
	.fields = rtc_fields,
	.n_fields = VMS_COUNT(rtc_fields),
	.dev_offset = offsetof(struct rtc, s),
	.post_load = rtc_post_load,
};
