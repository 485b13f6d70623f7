/*
 * chatty.c - a bare-metal guest that writes numbered lines to the UART as
 * fast as the UART takes them, forever: "chatty 00000042 ...\n", 64 bytes
 * a line. Every byte waits for LSR.THRE, as a polling driver does, so a
 * console backend that cannot keep up makes this guest wait, and a reader
 * can check that it got every line, in order (tests/vmm/managed.py).
 * Runs unchanged on godwit-vmm and QEMU's virt board (-bios none).
 */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x10000000)
#define UART_LSR 5
#define LSR_THRE 0x20
#define LINE_LEN 64

static void putc_(char c)
{
	while (!(UART[UART_LSR] & LSR_THRE))
		;
	UART[0] = (uint8_t)c;
}

int main(void)
{
	char line[LINE_LEN];

	for (uint64_t n = 0;; n++) {
		uint64_t v = n;
		int i;

		for (i = 0; i < LINE_LEN - 1; i++)
			line[i] = (char)('a' + (n + (uint64_t)i) % 26);
		line[LINE_LEN - 1] = '\n';
		for (i = 0; i < 7; i++)
			line[i] = "chatty "[i];
		for (i = 14; i >= 7; i--) {
			line[i] = (char)('0' + v % 10);
			v /= 10;
		}
		line[15] = ' ';
		for (i = 0; i < LINE_LEN; i++)
			putc_(line[i]);
	}
	return 0;
}
