/*
 * test_htif.c - the HTIF console (riscv-tests putchar through tohost) on a
 * console backend that has no room: the command stays in tohost and the
 * guest waits; it goes out, in order, once the backend has room and the
 * guest polls again. The VMM never blocks on a slow console reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "devices/htif.h"
#include "machine/machine.h"

#define TOHOST 0x80001000ull

static struct machine m;
static char out[64];
static int nout;
static bool full;

static void put(void *opaque, uint8_t c)
{
	(void)opaque;
	out[nout++] = (char)c;
}

static bool busy(void *opaque)
{
	(void)opaque;
	return full;
}

static void putchar_cmd(struct htif *h, char c)
{
	htif_write(h, TOHOST & 0xfff, 8, 1ull << 56 | 1ull << 48 | (uint8_t)c);
}

static void test_busy_console(void **state)
{
	const struct uart_tx tx = { put, busy, NULL };
	struct htif h;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.uart.tx = tx;
	nout = 0;
	htif_init(&h, &m, TOHOST, TOHOST + 8, -1);
	full = false;
	putchar_cmd(&h, 'a');
	assert_int_equal(nout, 1);
	assert_int_equal(h.s.tohost, 0);
	assert_int_equal(h.s.fromhost, 1ull << 56 | 1ull << 48);

	h.s.fromhost = 0;
	full = true; /* the reader stopped reading */
	putchar_cmd(&h, 'b');
	assert_int_equal(nout, 1);
	assert_int_not_equal(h.s.tohost, 0); /* still pending: the guest waits */
	for (int i = 0; i < 3; i++) /* the guest polls fromhost */
		assert_int_equal(htif_read(&h, (TOHOST + 8) & 0xfff, 8), 0);
	assert_int_equal(nout, 1);
	full = false; /* room again */
	assert_int_equal(htif_read(&h, (TOHOST + 8) & 0xfff, 8), 1ull << 56 | 1ull << 48);
	assert_int_equal(nout, 2);
	assert_memory_equal(out, "ab", 2);
	assert_int_equal(h.s.tohost, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
