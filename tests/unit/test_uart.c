/*
 * test_uart.c - the NS16550A UART with its output on a pipe and a fake
 * interrupt line: THR to the host fd, LSR, the receive FIFO, the divisor
 * latch, IER/IIR/FCR interrupt logic (16550 datasheet semantics as Linux's
 * 8250 driver relies on them), register read-back, garbage accesses, a dead
 * output fd, and the line wired into a PLIC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpu/hart.h"
#include "devices/plic.h"
#include "devices/uart.h"

#define IRQ 10

/* register offsets */
#define RBR 0 /* THR on write; DLL with DLAB */
#define IER 1 /* DLM with DLAB */
#define IIR 2 /* FCR on write */
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0
#define LCR_DLAB 0x80
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

struct fixture {
	struct uart u;
	int rfd, wfd; /* the pipe: the UART writes wfd, the test reads rfd */
};

/* what the fake interrupt controller saw */
static int irq_calls;
static int irq_last_num;
static void *irq_last_opaque;
static bool irq_line;
static char irq_tag; /* the opaque the fixture passes */

static void record_irq(void *opaque, int irq, bool level)
{
	irq_calls++;
	irq_last_num = irq;
	irq_last_opaque = opaque;
	irq_line = level;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fds[2];

	if (!f)
		return -1;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(f);
		return -1;
	}
	f->rfd = fds[0];
	f->wfd = fds[1];
	irq_calls = 0;
	irq_last_num = -1;
	irq_last_opaque = NULL;
	irq_line = false;
	uart_init(&f->u, -1, f->wfd);
	f->u.set_irq = record_irq;
	f->u.irq_opaque = &irq_tag;
	f->u.irq = IRQ;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->rfd >= 0)
		close(f->rfd);
	if (f->wfd >= 0)
		close(f->wfd);
	free(f);
	return 0;
}

static uint8_t rd(struct fixture *f, uint64_t off)
{
	uint64_t v = uart_read(&f->u, off, 1);

	assert_true(v <= 0xff);
	return (uint8_t)v;
}

static void wr(struct fixture *f, uint64_t off, uint8_t v)
{
	uart_write(&f->u, off, 1, v);
}

static int rx(struct fixture *f, const char *s)
{
	return uart_receive(&f->u, (const uint8_t *)s, (int)strlen(s));
}

/* Everything transmitted so far (the pipe is non-blocking). */
static size_t drain(struct fixture *f, char *buf, size_t cap)
{
	ssize_t n = read(f->rfd, buf, cap);

	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		return 0;
	}
	return (size_t)n;
}

static void assert_no_output(struct fixture *f)
{
	char c;

	assert_int_equal(drain(f, &c, 1), 0);
}

static void test_init_state(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->u.in_fd, -1);
	assert_int_equal(f->u.out_fd, f->wfd);
	assert_int_equal(rd(f, LCR), 0x03); /* 8N1 */
	assert_int_equal(rd(f, IER), 0);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	assert_int_equal(rd(f, MCR), 0);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(f, SCR), 0);
	assert_int_equal(rd(f, RBR), 0); /* empty FIFO */
	assert_true(uart_can_receive(&f->u));
	assert_false(f->u.irq_level);
	assert_int_equal(irq_calls, 0);
	assert_no_output(f);
}

static void test_thr_write_goes_to_out_fd(void **state)
{
	struct fixture *f = *state;
	const char *msg = "Hello, godwit!\r\n";
	char buf[64];

	for (const char *p = msg; *p; p++)
		wr(f, RBR, (uint8_t)*p);
	assert_int_equal(drain(f, buf, sizeof(buf)), strlen(msg));
	assert_memory_equal(buf, msg, strlen(msg));
	/* every byte value, and only the low byte of a wide value */
	for (int i = 0; i < 256; i++)
		wr(f, RBR, (uint8_t)i);
	uart_write(&f->u, RBR, 1, 0xabcd0041ull);
	uart_write(&f->u, RBR, 4, 0x142ull);
	assert_int_equal(drain(f, buf, sizeof(buf)), sizeof(buf));
	for (int i = 0; i < 64; i++)
		assert_int_equal((uint8_t)buf[i], i);
	char all[256];
	assert_int_equal(drain(f, all, sizeof(all)), 256 - 64 + 2);
	for (int i = 64; i < 256; i++)
		assert_int_equal((uint8_t)all[i - 64], i);
	assert_int_equal(all[192], 'A');
	assert_int_equal(all[193], 'B');
	/* transmitting touches neither the receiver nor the line */
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(irq_calls, 0);
}

static void test_lsr_thre_temt_always_set_dr_follows_fifo(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	wr(f, RBR, 'x');
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT); /* sent at once */
	assert_int_equal(rx(f, "ab"), 2);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR); /* no side effect */
	assert_int_equal(rd(f, RBR), 'a');
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	assert_int_equal(rd(f, RBR), 'b');
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	/* a full FIFO, FIFOs enabled, interrupts on: still THRE|TEMT|DR */
	wr(f, IIR, FCR_ENABLE);
	wr(f, IER, IER_RDI | IER_THRI);
	assert_int_equal(rx(f, "0123456789abcdef"), 16);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	/* LSR is read-only (the factory-test write is ignored) */
	wr(f, LSR, 0);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
}

static void test_receive_fills_fifo_up_to_16(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[20];

	for (int i = 0; i < 20; i++)
		buf[i] = (uint8_t)(0x80 + i);
	assert_int_equal(uart_receive(&f->u, buf, 0), 0);
	assert_int_equal(rd(f, LSR) & LSR_DR, 0);
	assert_int_equal(uart_receive(&f->u, buf, 10), 10);
	assert_true(uart_can_receive(&f->u));
	assert_int_equal(uart_receive(&f->u, buf + 10, 10), 6); /* 6 of 10 fit */
	assert_false(uart_can_receive(&f->u));
	assert_int_equal(uart_receive(&f->u, buf + 16, 4), 0); /* full */
	assert_int_equal(f->u.s.rx_count, UART_FIFO_SIZE);
	/* the overflow was dropped, not written over the oldest bytes */
	for (int i = 0; i < 16; i++)
		assert_int_equal(rd(f, RBR), 0x80 + i);
	assert_int_equal(rd(f, LSR) & LSR_DR, 0);
	assert_true(uart_can_receive(&f->u));
	/* one popped makes room for exactly one */
	assert_int_equal(uart_receive(&f->u, buf, 20), 16);
	assert_int_equal(rd(f, RBR), 0x80);
	assert_true(uart_can_receive(&f->u));
	assert_int_equal(uart_receive(&f->u, buf + 16, 4), 1);
	assert_false(uart_can_receive(&f->u));
	for (int i = 1; i < 17; i++)
		assert_int_equal(rd(f, RBR), 0x80 + i);
}

static void test_rbr_pops_in_order_across_wrap(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rx(f, "0123456789"), 10);
	for (const char *p = "012345"; *p; p++)
		assert_int_equal(rd(f, RBR), *p);
	/* 4 left at the head's offset 6; 12 more wrap around the ring */
	assert_int_equal(rx(f, "ABCDEFGHIJKLMN"), 12);
	for (const char *p = "6789ABCDEFGHIJKL"; *p; p++) {
		assert_true(rd(f, LSR) & LSR_DR);
		assert_int_equal(rd(f, RBR), *p);
	}
	assert_false(rd(f, LSR) & LSR_DR);
	/* reading an empty RBR gives 0 and disturbs nothing */
	assert_int_equal(rd(f, RBR), 0);
	assert_int_equal(rd(f, RBR), 0);
	assert_int_equal(f->u.s.rx_count, 0);
	assert_int_equal(rx(f, "xy"), 2);
	assert_int_equal(rd(f, RBR), 'x');
	assert_int_equal(rd(f, RBR), 'y');
	assert_int_equal(rd(f, RBR), 0);
}

static void test_dlab_switches_to_divisor_latch(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_RDI);
	assert_int_equal(rx(f, "z"), 1);
	assert_true(irq_line);
	/* Linux's serial8250_set_divisor: LCR|DLAB, DLL, DLM, LCR */
	wr(f, LCR, 0x03 | LCR_DLAB);
	assert_int_equal(rd(f, LCR), 0x83);
	wr(f, RBR, 0x0c); /* DLL: 9600 baud at 1.8432 MHz */
	wr(f, IER, 0x5a); /* DLM */
	assert_int_equal(rd(f, RBR), 0x0c);
	assert_int_equal(rd(f, IER), 0x5a);
	assert_int_equal(f->u.s.dll, 0x0c);
	assert_int_equal(f->u.s.dlm, 0x5a);
	/* neither transmitted, nor touched the FIFO, IER or the line */
	assert_no_output(f);
	assert_int_equal(f->u.s.ier, IER_RDI);
	assert_int_equal(f->u.s.rx_count, 1);
	assert_true(irq_line);
	assert_int_equal(irq_calls, 1);
	/* IIR, LSR, MCR, SCR do not depend on DLAB */
	assert_int_equal(rd(f, IIR), IIR_RDI);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT | LSR_DR);
	wr(f, SCR, 0x77);
	assert_int_equal(rd(f, SCR), 0x77);
	/* DLAB off: back to RBR/THR and IER */
	wr(f, LCR, 0x03);
	assert_int_equal(rd(f, IER), IER_RDI);
	assert_int_equal(rd(f, RBR), 'z');
	assert_false(irq_line);
	wr(f, RBR, 'q');
	char c;
	assert_int_equal(drain(f, &c, 1), 1);
	assert_int_equal(c, 'q');
	/* the divisor latch kept its value, and DLAB brings it back */
	assert_int_equal(f->u.s.dll, 0x0c);
	wr(f, LCR, LCR_DLAB);
	assert_int_equal(rd(f, RBR), 0x0c);
	assert_int_equal(rd(f, IER), 0x5a);
	wr(f, LCR, 0x03);
}

static void test_ier_masks_rx_data_irq(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rx(f, "ab"), 2);
	assert_int_equal(irq_calls, 0); /* data, but RDI off */
	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IER, IER_RDI);
	assert_true(irq_line);
	assert_int_equal(rd(f, IIR), IIR_RDI);
	wr(f, IER, 0);
	assert_false(irq_line);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IER, IER_RDI);
	assert_true(irq_line);
	assert_int_equal(rd(f, RBR), 'a');
	assert_true(irq_line); /* one byte left */
	assert_int_equal(rd(f, RBR), 'b');
	assert_false(irq_line); /* FIFO empty */
	assert_int_equal(rd(f, IIR), IIR_NONE);
	assert_int_equal(rx(f, "c"), 1); /* data arriving with RDI on */
	assert_true(irq_line);
	assert_int_equal(rd(f, RBR), 'c');
	assert_false(irq_line);
	assert_int_equal(irq_calls, 6);
	/* IER keeps its low 4 bits only */
	wr(f, IER, 0xf0);
	assert_int_equal(rd(f, IER), 0);
	wr(f, IER, 0xff);
	assert_int_equal(rd(f, IER), 0x0f);
}

static void test_ier_masks_thr_empty_irq(void **state)
{
	struct fixture *f = *state;

	wr(f, RBR, 'a'); /* THR empty again at once, but THRI is off */
	assert_int_equal(irq_calls, 0);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IER, IER_RDI); /* RDI alone: no THRE interrupt */
	wr(f, RBR, 'b');
	assert_int_equal(irq_calls, 0);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IER, IER_RDI | IER_THRI);
	assert_true(irq_line);
	assert_int_equal(rd(f, IIR), IIR_THRI); /* acknowledged */
	assert_false(irq_line);
	wr(f, RBR, 'c');
	assert_true(irq_line);
	wr(f, IER, IER_RDI); /* masked: the line drops */
	assert_false(irq_line);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	assert_int_equal(irq_calls, 4);
}

static void test_iir_rx_data_over_thr_empty(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_RDI | IER_THRI);
	assert_true(irq_line); /* THRE */
	assert_int_equal(rx(f, "xy"), 2);
	assert_int_equal(rd(f, IIR), IIR_RDI); /* the higher priority */
	/* reporting RX data does not acknowledge the THRE interrupt */
	assert_int_equal(rd(f, IIR), IIR_RDI);
	assert_int_equal(rd(f, RBR), 'x');
	assert_int_equal(rd(f, IIR), IIR_RDI);
	assert_int_equal(rd(f, RBR), 'y');
	assert_true(irq_line); /* THRE still pending */
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_false(irq_line);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	/* a THR write while data waits: RX data is still reported first */
	assert_int_equal(rx(f, "z"), 1);
	wr(f, RBR, '!');
	assert_int_equal(rd(f, IIR), IIR_RDI);
	assert_int_equal(rd(f, RBR), 'z');
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	assert_false(irq_line);
}

static void test_iir_fifo_bits_follow_fcr(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IIR, FCR_ENABLE);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
	/* Linux: FCR = ENABLE | trigger level 14 | clear both */
	wr(f, IIR, 0xc0 | FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
	wr(f, IER, IER_RDI | IER_THRI);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_THRI);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
	assert_int_equal(rx(f, "d"), 1);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_RDI);
	/* the FCR is write-only: offset 2 reads IIR, never the FCR */
	wr(f, IIR, 0);
	assert_int_equal(rd(f, IIR), IIR_RDI);
	assert_int_equal(rd(f, RBR), 'd');
	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IIR, 0xc0); /* trigger bits without ENABLE: FIFOs stay off */
	assert_int_equal(rd(f, IIR), IIR_NONE);
	wr(f, IIR, FCR_ENABLE);
	wr(f, RBR, 'e');
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_THRI);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
}

static void test_iir_read_acknowledges_thre(void **state)
{
	struct fixture *f = *state;

	wr(f, IIR, FCR_ENABLE);
	wr(f, IER, IER_THRI);
	assert_true(irq_line);
	/* LSR, MSR, SCR, IER and LCR reads do not acknowledge it */
	rd(f, LSR);
	rd(f, MSR);
	rd(f, SCR);
	rd(f, IER);
	rd(f, LCR);
	rd(f, RBR);
	assert_true(irq_line);
	assert_int_equal(irq_calls, 1);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_THRI);
	assert_false(irq_line);
	assert_int_equal(f->u.s.thr_ipending, 0);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
	assert_false(irq_line);
	/* THR stays empty, but the acknowledged interrupt does not come back */
	rd(f, LSR);
	wr(f, SCR, 1);
	wr(f, MCR, 0x0b);
	rd(f, IIR);
	assert_false(irq_line);
	assert_int_equal(irq_calls, 2);
}

static void test_thr_write_rearms_thre(void **state)
{
	struct fixture *f = *state;
	char buf[8];

	wr(f, IER, IER_THRI);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_false(irq_line);
	wr(f, RBR, '1');
	assert_true(irq_line);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_false(irq_line);
	/* several THR writes before the ack: one interrupt, one ack */
	wr(f, RBR, '2');
	wr(f, RBR, '3');
	assert_true(irq_line);
	assert_int_equal(irq_calls, 5);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_int_equal(rd(f, IIR), IIR_NONE);
	assert_false(irq_line);
	assert_int_equal(drain(f, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "123", 3);
	/* a THR write with THRI masked re-arms it for when it is unmasked */
	wr(f, IER, 0);
	wr(f, RBR, '4');
	assert_false(irq_line);
	wr(f, IER, IER_THRI);
	assert_true(irq_line);
}

static void test_etbei_enable_raises_thre(void **state)
{
	struct fixture *f = *state;
	uint8_t iir1, iir2;

	/* nothing was ever transmitted; THR is empty since reset */
	wr(f, IER, IER_THRI);
	assert_true(irq_line);
	assert_int_equal(irq_last_num, IRQ);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_false(irq_line);
	/*
	 * serial8250_do_startup's UART_BUG_THRE probe: THRI on, read IIR,
	 * THRI off, THRI on, read IIR. A real 16550 reasserts THRE both times.
	 */
	wr(f, IER, 0);
	wr(f, IER, IER_THRI);
	iir1 = rd(f, IIR);
	wr(f, IER, 0);
	wr(f, IER, IER_THRI);
	iir2 = rd(f, IIR);
	wr(f, IER, 0);
	assert_int_equal(iir1 & IIR_NONE, 0);
	assert_int_equal(iir2 & IIR_NONE, 0);
	assert_int_equal(iir2 & 0x0f, IIR_THRI);
	assert_false(irq_line);
	/* enabling it along with RDI, with no data: THRE at once */
	wr(f, IER, IER_RDI | IER_THRI);
	assert_true(irq_line);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	/* adding THRI to an IER that has RDI */
	wr(f, IER, IER_RDI);
	assert_false(irq_line);
	wr(f, IER, IER_RDI | IER_THRI);
	assert_true(irq_line);
}

static void test_fcr_clear_rx_empties_fifo(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_RDI);
	assert_int_equal(rx(f, "0123456789"), 10);
	assert_int_equal(rd(f, RBR), '0');
	assert_true(irq_line);
	/* enabling FIFOs without the clear bit keeps the data */
	wr(f, IIR, FCR_ENABLE);
	assert_true(rd(f, LSR) & LSR_DR);
	assert_int_equal(f->u.s.rx_count, 9);
	/* clear TX alone keeps it too */
	wr(f, IIR, FCR_ENABLE | FCR_CLEAR_TX);
	assert_int_equal(f->u.s.rx_count, 9);
	assert_true(irq_line);
	wr(f, IIR, FCR_ENABLE | FCR_CLEAR_RX);
	assert_false(irq_line);
	assert_false(rd(f, LSR) & LSR_DR);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
	assert_int_equal(rd(f, RBR), 0);
	assert_true(uart_can_receive(&f->u));
	/* the whole FIFO is free again, and fills in order */
	assert_int_equal(rx(f, "ABCDEFGHIJKLMNOPQR"), 16);
	assert_true(irq_line);
	for (const char *p = "ABCDEFGHIJKLMNOP"; *p; p++)
		assert_int_equal(rd(f, RBR), *p);
	assert_false(irq_line);
}

static void test_irq_only_on_level_changes(void **state)
{
	struct fixture *f = *state;

	wr(f, IER, IER_RDI);
	assert_int_equal(irq_calls, 0);
	assert_int_equal(rx(f, "a"), 1);
	assert_int_equal(irq_calls, 1);
	assert_true(irq_line);
	assert_int_equal(irq_last_num, IRQ);
	assert_ptr_equal(irq_last_opaque, &irq_tag);
	/* more data, register traffic, THR writes: the level stays, no calls */
	assert_int_equal(rx(f, "bc"), 2);
	rd(f, LSR);
	rd(f, IIR);
	rd(f, MSR);
	wr(f, SCR, 5);
	wr(f, LCR, 0x13);
	wr(f, MCR, 0x08);
	wr(f, RBR, '>');
	wr(f, IER, IER_RDI | IER_THRI);
	wr(f, IIR, FCR_ENABLE);
	rd(f, RBR);
	rd(f, RBR);
	assert_int_equal(irq_calls, 1);
	rd(f, RBR); /* the last byte; THRE takes over, the line stays high */
	assert_int_equal(irq_calls, 1);
	assert_true(irq_line);
	rd(f, IIR); /* THRE acknowledged: the line drops */
	assert_int_equal(irq_calls, 2);
	assert_false(irq_line);
	rd(f, IIR);
	rd(f, RBR);
	wr(f, IER, IER_RDI | IER_THRI);
	assert_int_equal(uart_receive(&f->u, (const uint8_t *)"", 0), 0);
	assert_int_equal(irq_calls, 2);
	/* no callback set: levels are tracked but nothing is called */
	f->u.set_irq = NULL;
	assert_int_equal(rx(f, "q"), 1);
	assert_true(f->u.irq_level);
	rd(f, RBR);
	assert_false(f->u.irq_level);
	assert_int_equal(irq_calls, 2);
}

static void test_mcr_scr_lcr_read_back(void **state)
{
	struct fixture *f = *state;

	for (int v = 0; v < 256; v++) {
		wr(f, SCR, (uint8_t)v);
		assert_int_equal(rd(f, SCR), v);
		wr(f, MCR, (uint8_t)v);
		assert_int_equal(rd(f, MCR), v & 0x1f); /* bits 5-7 read 0 */
		wr(f, LCR, (uint8_t)v);
		assert_int_equal(rd(f, LCR), v);
	}
	wr(f, LCR, 0x03);
	/* Linux's MCR: DTR | RTS | OUT2 */
	wr(f, MCR, 0x0b);
	assert_int_equal(rd(f, MCR), 0x0b);
	/* none of this transmitted or interrupted */
	assert_no_output(f);
	assert_int_equal(irq_calls, 0);
	assert_int_equal(rd(f, IER), 0);
}

static void test_msr_value(void **state)
{
	struct fixture *f = *state;
	struct uart_state before;

	/* DCD, DSR and CTS asserted; no deltas, no ring */
	assert_int_equal(rd(f, MSR), 0xb0);
	assert_int_equal(rd(f, MSR), 0xb0);
	before = f->u.s;
	wr(f, MSR, 0x0f); /* read-only: the write changes nothing */
	wr(f, MSR, 0xff);
	assert_memory_equal(&before, &f->u.s, sizeof(before));
	assert_int_equal(rd(f, MSR), 0xb0);
	wr(f, MCR, 0x0b);
	assert_int_equal(rd(f, MSR), 0xb0);
	wr(f, LCR, LCR_DLAB);
	assert_int_equal(rd(f, MSR), 0xb0);
}

static void test_out_of_range_offsets_harmless(void **state)
{
	struct fixture *f = *state;
	static const uint64_t offs[] = { 8, 9, 0xf, 0x10, 0xff, 0x100, 0x1000,
					 0x80000000ull, ~0ull, ~0ull - 7 };
	static const int sizes[] = { 1, 2, 4, 8 };
	struct uart_state before;

	wr(f, IER, IER_RDI);
	wr(f, IIR, FCR_ENABLE);
	wr(f, SCR, 0x42);
	assert_int_equal(rx(f, "abc"), 3);
	assert_int_equal(irq_calls, 1);
	before = f->u.s;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			assert_int_equal(uart_read(&f->u, offs[i], sizes[j]), 0);
			uart_write(&f->u, offs[i], sizes[j], ~0ull);
			uart_write(&f->u, offs[i], sizes[j], 0);
		}
	}
	/* also with DLAB set */
	wr(f, LCR, 0x83);
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		assert_int_equal(uart_read(&f->u, offs[i], 1), 0);
		uart_write(&f->u, offs[i], 1, 0xff);
	}
	wr(f, LCR, before.lcr);
	assert_memory_equal(&before, &f->u.s, sizeof(before));
	assert_no_output(f);
	assert_int_equal(irq_calls, 1);
	assert_true(irq_line);
	assert_int_equal(rd(f, RBR), 'a');
}

static void test_closed_out_fd_does_not_crash(void **state)
{
	struct fixture *f = *state;
	void (*old)(int);

	wr(f, IER, IER_THRI);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	/* the read end gone: EPIPE (the VMM ignores SIGPIPE, as main.c does) */
	old = signal(SIGPIPE, SIG_IGN);
	close(f->rfd);
	f->rfd = -1;
	wr(f, RBR, 'a');
	signal(SIGPIPE, old);
	assert_true(irq_line); /* the byte is dropped, THR empties as usual */
	assert_int_equal(rd(f, IIR), IIR_THRI);
	/* the fd itself closed: EBADF */
	close(f->wfd);
	f->wfd = -1;
	wr(f, RBR, 'b');
	assert_true(irq_line);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	/* no output fd at all */
	f->u.out_fd = -1;
	for (int i = 0; i < 100; i++)
		wr(f, RBR, (uint8_t)i);
	assert_int_equal(rd(f, LSR), LSR_THRE | LSR_TEMT);
	assert_int_equal(rd(f, IIR), IIR_THRI);
	assert_false(irq_line);
	/* the receiver is unaffected */
	assert_int_equal(rx(f, "ok"), 2);
	assert_int_equal(rd(f, RBR), 'o');
	assert_int_equal(rd(f, RBR), 'k');
}

/* The console path of Linux's 8250 driver on a PLIC, as on the virt board. */
static void test_wired_to_plic(void **state)
{
	struct fixture *f = *state;
	struct plic *p = calloc(1, sizeof(*p));
	struct hart *h = calloc(1, sizeof(*h));
	const uint64_t claim = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4;
	char buf[4];

	assert_non_null(p);
	assert_non_null(h);
	plic_init(p, h, 1);
	f->u.set_irq = plic_set_irq;
	f->u.irq_opaque = p;
	plic_write(p, 4 * IRQ, 4, 1);
	plic_write(p, PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE, 4, 1u << IRQ);
	wr(f, IIR, 0xc0 | FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	wr(f, MCR, 0x0b);
	wr(f, IER, IER_RDI);
	assert_false(h->hw_ip & MIP_SEIP);
	/* a key press */
	assert_int_equal(rx(f, "k"), 1);
	assert_true(h->hw_ip & MIP_SEIP);
	assert_int_equal(plic_read(p, claim, 4), IRQ);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_RDI);
	while (rd(f, LSR) & LSR_DR)
		assert_int_equal(rd(f, RBR), 'k');
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_NONE);
	plic_write(p, claim, 4, IRQ);
	assert_false(h->hw_ip & MIP_SEIP);
	/* start_tx: THRI on, the interrupt fires, the handler fills THR */
	wr(f, IER, IER_RDI | IER_THRI);
	assert_true(h->hw_ip & MIP_SEIP);
	assert_int_equal(plic_read(p, claim, 4), IRQ);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_THRI);
	assert_true(rd(f, LSR) & LSR_THRE);
	wr(f, RBR, 'o');
	wr(f, RBR, 'k');
	plic_write(p, claim, 4, IRQ);
	assert_true(h->hw_ip & MIP_SEIP); /* THR empty again */
	assert_int_equal(plic_read(p, claim, 4), IRQ);
	assert_int_equal(rd(f, IIR), IIR_FIFO | IIR_THRI);
	wr(f, IER, IER_RDI); /* nothing left: stop_tx */
	plic_write(p, claim, 4, IRQ);
	assert_false(h->hw_ip & MIP_SEIP);
	assert_int_equal(drain(f, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "ok", 2);
	free(p);
	free(h);
}

/* A backend that is busy on demand and records what it took. */
struct fake_tx {
	bool busy;
	uint8_t got[64];
	int n;
};

static void fake_put(void *opaque, uint8_t c)
{
	struct fake_tx *t = opaque;

	if (t->n < (int)sizeof(t->got))
		t->got[t->n++] = c;
}

static bool fake_busy(void *opaque)
{
	return ((struct fake_tx *)opaque)->busy;
}

/* A full backend: THRE/TEMT read clear and no THR-empty interrupt until
 * uart_tx_ready(); then both come back, and nothing written was lost. */
static void test_busy_backend_holds_thre(void **state)
{
	struct fixture *f = *state;
	struct fake_tx t = { 0 };
	const struct uart_tx tx = { fake_put, fake_busy, &t };

	uart_set_tx(&f->u, &tx);
	wr(f, 1, 0x02); /* IER: THR empty */
	assert_int_equal(rd(f, 2) & 0x0f, 0x02);
	wr(f, 0, 'a');
	assert_true(rd(f, 5) & 0x60);
	t.busy = true;
	wr(f, 0, 'b'); /* this one fills the backend */
	assert_int_equal(rd(f, 5) & 0x60, 0);
	assert_int_equal(rd(f, 2) & 0x0f, 0x01);
	assert_false(irq_line);
	uart_tx_ready(&f->u); /* still busy: nothing changes */
	assert_int_equal(rd(f, 5) & 0x60, 0);
	assert_false(irq_line);
	t.busy = false;
	uart_tx_ready(&f->u);
	assert_int_equal(rd(f, 5) & 0x60, 0x60);
	assert_true(irq_line);
	assert_int_equal(rd(f, 2) & 0x0f, 0x02);
	assert_int_equal(t.n, 2);
	assert_memory_equal(t.got, "ab", 2);
}

/* Enabling the THR-empty interrupt while busy raises it only once room
 * returns, as on a 16550 whose THR is still full. */
static void test_etbei_while_busy_waits(void **state)
{
	struct fixture *f = *state;
	struct fake_tx t = { .busy = true };
	const struct uart_tx tx = { fake_put, fake_busy, &t };

	uart_set_tx(&f->u, &tx);
	wr(f, 1, 0x02);
	assert_false(irq_line);
	t.busy = false;
	uart_tx_ready(&f->u);
	assert_true(irq_line);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_state),
		T(test_thr_write_goes_to_out_fd),
		T(test_lsr_thre_temt_always_set_dr_follows_fifo),
		T(test_receive_fills_fifo_up_to_16),
		T(test_rbr_pops_in_order_across_wrap),
		T(test_dlab_switches_to_divisor_latch),
		T(test_ier_masks_rx_data_irq),
		T(test_ier_masks_thr_empty_irq),
		T(test_iir_rx_data_over_thr_empty),
		T(test_iir_fifo_bits_follow_fcr),
		T(test_iir_read_acknowledges_thre),
		T(test_thr_write_rearms_thre),
		T(test_etbei_enable_raises_thre),
		T(test_fcr_clear_rx_empties_fifo),
		T(test_irq_only_on_level_changes),
		T(test_mcr_scr_lcr_read_back),
		T(test_msr_value),
		T(test_out_of_range_offsets_harmless),
		T(test_closed_out_fd_does_not_crash),
		T(test_wired_to_plic),
		T(test_busy_backend_holds_thre),
		T(test_etbei_while_busy_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
