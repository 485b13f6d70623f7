/*
 * clock.c - time and sleep. The guest's clock is the goldfish RTC (wall
 * time in ns, which both QEMU and godwit migrate); sleeping arms its alarm
 * and waits in WFI for its interrupt (source 11) through the PLIC, context
 * 0 = hart 0 M-mode. The CLINT timer is never used: QEMU 7.2 does not
 * migrate mtimecmp. CLINT mtime is only read, to check it is monotonic.
 *
 * Invariants: interrupts are never taken (mstatus.MIE = 0, start.S); mie
 * has only MEIE set, and between sleeps the RTC alarm is disarmed and no
 * PLIC interrupt is pending or in service, so WFI wakes for our alarm only.
 */
#include "migtest.h"

#define RTC_BASE 0x101000ul
#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_CLEAR_INTERRUPT 0x1c
#define RTC_IRQ 11

#define PLIC_BASE 0xc000000ul
#define PLIC_PRIORITY(src) (PLIC_BASE + 4ul * (src))
#define PLIC_ENABLE0 (PLIC_BASE + 0x2000ul)   /* context 0, sources 0..31 */
#define PLIC_THRESHOLD0 (PLIC_BASE + 0x200000ul)
#define PLIC_CLAIM0 (PLIC_BASE + 0x200004ul)

#define CLINT_MTIME 0x200bff8ul
#define MIE_MEIE (1ul << 11)

static inline void wr32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

static inline uint32_t rd32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}

static void rtc_wr(unsigned off, uint32_t v)
{
	wr32(RTC_BASE + off, v);
}

uint64_t clock_rtc_ns(void)
{
	uint32_t lo = rd32(RTC_BASE + RTC_TIME_LOW); /* latches TIME_HIGH */

	return (uint64_t)rd32(RTC_BASE + RTC_TIME_HIGH) << 32 | lo;
}

uint64_t clock_mtime(void)
{
	return *(volatile uint64_t *)CLINT_MTIME;
}

/* Disarm the alarm, drop its interrupt, and claim and complete whatever the
 * PLIC still holds for context 0, so that MEIP is low again. */
static void clock_quiesce(void)
{
	uint32_t src;

	rtc_wr(RTC_CLEAR_ALARM, 1);
	rtc_wr(RTC_CLEAR_INTERRUPT, 1);
	while ((src = rd32(PLIC_CLAIM0)) != 0)
		wr32(PLIC_CLAIM0, src);
}

void clock_init(void)
{
	rtc_wr(RTC_IRQ_ENABLED, 0);
	wr32(PLIC_PRIORITY(RTC_IRQ), 1);
	wr32(PLIC_ENABLE0, 1u << RTC_IRQ);
	wr32(PLIC_THRESHOLD0, 0);
	clock_quiesce();
	rtc_wr(RTC_IRQ_ENABLED, 1);
	__asm__ volatile("csrs mie, %0" ::"r"(MIE_MEIE));
}

void clock_sleep_until(uint64_t t)
{
	rtc_wr(RTC_ALARM_HIGH, (uint32_t)(t >> 32));
	rtc_wr(RTC_ALARM_LOW, (uint32_t)t); /* arms; fires at once if t is past */
	while (clock_rtc_ns() < t)
		__asm__ volatile("wfi");
	clock_quiesce();
}
