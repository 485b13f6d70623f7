/*
 * out.c - output on the NS16550A UART at 0x10000000 of the virt board: poll
 * LSR.THRE (bit 5), then write THR. No initialisation is needed on QEMU or
 * godwit. Lines end in "\n" only, like the rest of the guests.
 */
#include "migtest.h"

#define UART ((volatile uint8_t *)0x10000000ul)
#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

static void out_char(char c)
{
	while (!(UART[UART_LSR] & LSR_THRE))
		;
	UART[UART_THR] = (uint8_t)c;
}

void out_str(const char *s)
{
	while (*s)
		out_char(*s++);
}

void out_u64(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_str(&buf[i]);
}

void out_kv(const char *key, uint64_t v)
{
	out_str(key);
	out_u64(v);
}
