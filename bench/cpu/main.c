/*
 * main.c - bare-metal riscv64 driver of the godwit CPU benchmark: runs one
 * workload (BENCH_WORKLOAD_CPU or BENCH_WORKLOAD_STORE, chosen at build
 * time), prints its checksum on the NS16550A UART and powers off through the
 * SiFive test finisher: pass if the checksum equals the one the host build
 * computed (expected.h), fail otherwise. Also the trap handler and the
 * mem* functions the compiler may call.
 */
#include <stddef.h>
#include <stdint.h>

#include "expected.h"
#include "params.h"
#include "workload.h"

#define UART_BASE	0x10000000ul
#define UART_THR	0
#define UART_LSR	5
#define UART_LSR_THRE	0x20
#define FINISHER_BASE	0x100000ul
#define FINISHER_PASS	0x5555u
#define FINISHER_FAIL	0x3333u

#if defined(BENCH_WORKLOAD_CPU)
#define WORKLOAD_NAME "cpu"
#define EXPECTED CPU_EXPECTED
#elif defined(BENCH_WORKLOAD_STORE)
#define WORKLOAD_NAME "store"
#define EXPECTED STORE_EXPECTED
extern uint64_t __store_region[];	/* link.ld */
#else
#error "define BENCH_WORKLOAD_CPU or BENCH_WORKLOAD_STORE"
#endif

void bench_main(unsigned long hartid, unsigned long dtb);
void bench_trap(unsigned long mcause, unsigned long mepc, unsigned long mtval);

/* volatile so the compiler cannot evaluate the workload at build time */
static volatile uint32_t bench_seed = BENCH_SEED;

static void uart_putc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;

	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

static void put_str(const char *s)
{
	while (*s) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

static void put_hex(uint64_t v)
{
	put_str("0x");
	for (int i = 60; i >= 0; i -= 4)
		uart_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

static void put_dec(uint64_t v)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		uart_putc(buf[--n]);
}

static __attribute__((noreturn)) void finish(uint32_t code)
{
	*(volatile uint32_t *)FINISHER_BASE =
		code ? code << 16 | FINISHER_FAIL : FINISHER_PASS;
	for (;;)
		__asm__ volatile("wfi");
}

void bench_main(unsigned long hartid, unsigned long dtb)
{
	uint64_t sum;

	put_str("godwit-bench workload=" WORKLOAD_NAME " hart=");
	put_dec(hartid);
	put_str(" dtb=");
	put_hex(dtb);
	put_str("\n");
#if defined(BENCH_WORKLOAD_CPU)
	put_str("godwit-bench iterations=");
	put_dec(CPU_ITERS);
	put_str("\n");
	sum = cpu_workload(bench_seed, CPU_ITERS);
#else
	put_str("godwit-bench passes=");
	put_dec(STORE_PASSES);
	put_str(" region=");
	put_hex((uintptr_t)__store_region);
	put_str(" mib=");
	put_dec(STORE_MIB);
	put_str("\n");
	sum = store_workload(__store_region, STORE_WORDS, STORE_PASSES,
			     bench_seed);
#endif
	put_str("godwit-bench checksum=");
	put_hex(sum);
	put_str(" expected=");
	put_hex(EXPECTED);
	put_str("\n");
	if (sum == EXPECTED) {
		put_str("godwit-bench RESULT=PASS\n");
		finish(0);
	}
	put_str("godwit-bench RESULT=FAIL\n");
	finish(1);
}

void bench_trap(unsigned long mcause, unsigned long mepc, unsigned long mtval)
{
	put_str("godwit-bench TRAP mcause=");
	put_hex(mcause);
	put_str(" mepc=");
	put_hex(mepc);
	put_str(" mtval=");
	put_hex(mtval);
	put_str("\ngodwit-bench RESULT=FAIL\n");
	finish(2);
}

/* GCC may emit calls to these even when freestanding. */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	if (dp < sp) {
		while (n--)
			*dp++ = *sp++;
	} else {
		while (n--)
			dp[n] = sp[n];
	}
	return d;
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *dp = d;

	while (n--)
		*dp++ = (uint8_t)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *ap = a, *bp = b;

	for (; n; n--, ap++, bp++)
		if (*ap != *bp)
			return *ap < *bp ? -1 : 1;
	return 0;
}
