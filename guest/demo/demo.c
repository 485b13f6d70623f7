/*
 * demo.c - the bare-metal guest `make demo` runs: a heartbeat every 100 ms
 * for two seconds, sleeping in WFI on the CLINT timer in between (so an idle
 * guest costs no host CPU), then a short burst of work with a checksum, then
 * power-off through the SiFive test finisher.
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)
#define MTIME (*(volatile uint64_t *)0x200bff8)
#define MTIMECMP (*(volatile uint64_t *)0x2004000)
#define FINISHER (*(volatile uint32_t *)0x100000)
#define TICKS_PER_MS 10000ull

volatile uint64_t ticks;

static void putc_(char c)
{
	while (!(UART[5] & 0x20))
		;
	UART[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putu(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_(&buf[i]);
}

static void sleep_until(uint64_t t)
{
	uint64_t before = ticks;

	MTIMECMP = t;
	while (ticks == before)
		__asm__ volatile("wfi");
}

int main(void)
{
	uint64_t start = MTIME, h = 1469598103934665603ull;

	puts_("godwit demo guest: hello from RV64GC on the virt board\n");
	__asm__ volatile("csrs mie, %0" ::"r"(1 << 7));      /* MTIE */
	__asm__ volatile("csrs mstatus, %0" ::"r"(1 << 3));  /* MIE */
	for (int beat = 1; beat <= 20; beat++) {
		sleep_until(start + (uint64_t)beat * 100 * TICKS_PER_MS);
		puts_("heartbeat ");
		putu((uint64_t)beat);
		puts_("  guest time ");
		putu((MTIME - start) / TICKS_PER_MS);
		puts_(" ms\n");
	}
	for (uint64_t i = 0; i < 20000000; i++)
		h = (h ^ i) * 1099511628211ull;
	puts_("work done: checksum ");
	putu(h);
	puts_("\npowering off\n");
	FINISHER = 0x5555;
	return 0;
}
