/*
 * rtc.h - Goldfish RTC ("google,goldfish-rtc") as on QEMU's virt board:
 * nanoseconds since the Unix epoch, one alarm, one interrupt line.
 *
 * Registers (4-byte accesses only; anything else reads 0 and is ignored):
 *   0x00 TIME_LOW         read: low half of the time, latches TIME_HIGH;
 *                         write: replaces the low half of the time
 *   0x04 TIME_HIGH        read: the latched high half; write: replaces the
 *                         high half of the time
 *   0x08 ALARM_LOW        write: sets the low half of the alarm and arms it
 *                         (fires at once if already due)
 *   0x0c ALARM_HIGH       write: sets the high half of the alarm (Linux
 *                         writes HIGH, then LOW)
 *   0x10 IRQ_ENABLED      bit 0
 *   0x14 CLEAR_ALARM      write: disarms the alarm
 *   0x18 ALARM_STATUS     1 while the alarm is armed and has not fired (as
 *                         QEMU; Linux reads it as "alarm enabled")
 *   0x1c CLEAR_INTERRUPT  write: drops the interrupt
 * When an armed alarm is due (time >= alarm) it disarms and latches an
 * interrupt; the line is high while that is latched and IRQ_ENABLED is set.
 *
 * Guest time is now_ns() (host CLOCK_REALTIME unless a test injects another
 * clock) plus s.time_offset; writing the time changes only the offset.
 * The device is polled: the run loop calls rtc_update() every slice and may
 * sleep at most rtc_ns_to_alarm() nanoseconds.
 *
 * Invariants: `s` is all the guest-visible state and holds no pointers; the
 * line level equals irq_pending && irq_enabled after every register access
 * and every rtc_update().
 */
#ifndef GODWIT_DEVICES_RTC_H
#define GODWIT_DEVICES_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c

struct vmstate_desc;

struct rtc_state {
	int64_t time_offset; /* guest ns = now_ns() + time_offset */
	uint64_t alarm;      /* ALARM_HIGH:ALARM_LOW */
	uint32_t time_high;  /* latched by reading TIME_LOW */
	uint32_t alarm_armed; /* ALARM_STATUS */
	uint32_t irq_enabled;
	uint32_t irq_pending; /* alarm fired, not yet cleared */
};

struct rtc {
	struct rtc_state s;
	uint64_t (*now_ns)(void); /* host clock; rtc_realtime_ns by default */
	void (*set_irq)(void *opaque, int irq, bool level);
	void *irq_opaque;
	int irq;
	bool irq_level; /* last level sent through set_irq */
};

/* CLOCK_REALTIME in nanoseconds. */
uint64_t rtc_realtime_ns(void);
void rtc_init(struct rtc *r, void (*set_irq)(void *, int, bool), void *opaque,
	      int irq);
/* Guest time in nanoseconds since the epoch. */
uint64_t rtc_time_ns(const struct rtc *r);
/* Fire the alarm if due and drive the line from `s` (also after loading s). */
void rtc_update(struct rtc *r);
/* Nanoseconds until the armed alarm is due, 0 if it is, UINT64_MAX if none. */
uint64_t rtc_ns_to_alarm(const struct rtc *r);
/* Migratable state ("rtc"): the offset is relative to CLOCK_REALTIME
 * already, so it moves as is; a load runs rtc_update(). */
extern const struct vmstate_desc rtc_vmstate;

uint64_t rtc_read(void *opaque, uint64_t off, int size);
void rtc_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
