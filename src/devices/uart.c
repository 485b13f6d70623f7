/*
 * uart.c - NS16550A UART (see uart.h). A byte written to THR goes to the
 * backend at once; THR and the transmitter read empty unless the backend
 * is busy, as QEMU's 16550 reports a full character backend.
 * Its migratable state (uart_vmstate) is at the end.
 */
#include "devices/uart.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "migration/vmstate.h"

#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

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

static bool tx_busy(const struct uart *u)
{
	return u->tx.busy && u->tx.busy(u->tx.opaque);
}

void uart_update_irq(struct uart *u)
{
	bool busy = tx_busy(u), level;

	/* THR became empty (room came back, here or on the host a migration
	 * brought s from): that is the THR-empty interrupt's cause */
	if (!(u->s.lsr & LSR_THRE) && !busy && (u->s.ier & IER_THRI))
		u->s.thr_ipending = 1;
	level = ((u->s.ier & IER_RDI) && u->s.rx_count) ||
		     ((u->s.ier & IER_THRI) && u->s.thr_ipending);

	u->s.iir = (u->s.fcr & FCR_ENABLE) ? IIR_FIFO : 0;
	if ((u->s.ier & IER_RDI) && u->s.rx_count)
		u->s.iir |= IIR_RDI;
	else if ((u->s.ier & IER_THRI) && u->s.thr_ipending)
		u->s.iir |= IIR_THRI;
	else
		u->s.iir |= IIR_NONE;
	u->s.lsr = (busy ? 0 : LSR_THRE | LSR_TEMT) | (u->s.rx_count ? LSR_DR : 0);
	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->irq_opaque, u->irq, level);
	}
}

void uart_init(struct uart *u, int in_fd, int out_fd)
{
	memset(u, 0, sizeof(*u));
	u->in_fd = in_fd;
	u->out_fd = out_fd;
	u->s.lcr = 0x03;
	uart_update_irq(u);
}

void uart_set_tx(struct uart *u, const struct uart_tx *tx)
{
	u->tx = *tx;
	uart_update_irq(u);
}

void uart_tx_ready(struct uart *u)
{
	uart_update_irq(u); /* THRE clear in s and no longer busy: raises it */
}

/* Transmit one byte; THR-empty is pending only once the backend has room. */
static void transmit(struct uart *u, uint8_t v)
{
	if (u->tx.put) {
		u->tx.put(u->tx.opaque, v);
	} else if (write(u->out_fd, &v, 1) < 0) {
		/* host output gone: drop the byte, as a line would */
	}
	u->s.thr_ipending = !tx_busy(u); /* else raised once room returns */
}

bool uart_can_receive(const struct uart *u)
{
	return u->s.rx_count < UART_FIFO_SIZE;
}

int uart_receive(struct uart *u, const uint8_t *buf, int len)
{
	int n = 0;

	while (n < len && u->s.rx_count < UART_FIFO_SIZE) {
		u->s.rx_fifo[(u->s.rx_head + u->s.rx_count) % UART_FIFO_SIZE] = buf[n++];
		u->s.rx_count++;
	}
	uart_update_irq(u);
	return n;
}

static uint8_t rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->s.rx_count)
		return 0;
	c = u->s.rx_fifo[u->s.rx_head];
	u->s.rx_head = (uint8_t)((u->s.rx_head + 1) % UART_FIFO_SIZE);
	u->s.rx_count--;
	return c;
}

uint64_t uart_read(void *opaque, uint64_t off, int size)
{
	struct uart *u = opaque;
	uint8_t v = 0;

	(void)size;
	switch (off) {
	case UART_RBR:
		v = (u->s.lcr & LCR_DLAB) ? u->s.dll : rx_pop(u);
		break;
	case UART_IER:
		v = (u->s.lcr & LCR_DLAB) ? u->s.dlm : u->s.ier;
		break;
	case UART_IIR:
		v = u->s.iir;
		if ((v & 0x0f) == IIR_THRI)
			u->s.thr_ipending = 0; /* reading IIR acknowledges it */
		break;
	case UART_LCR: v = u->s.lcr; break;
	case UART_MCR: v = u->s.mcr; break;
	case UART_LSR: v = u->s.lsr; break;
	case UART_MSR: v = 0xb0; break; /* DCD, DSR, CTS asserted */
	case UART_SCR: v = u->s.scr; break;
	default: break;
	}
	uart_update_irq(u);
	return v;
}

void uart_write(void *opaque, uint64_t off, int size, uint64_t val)
{
	struct uart *u = opaque;
	uint8_t v = (uint8_t)val;

	(void)size;
	switch (off) {
	case UART_RBR:
		if (u->s.lcr & LCR_DLAB) {
			u->s.dll = v;
		} else {
			transmit(u, v);
		}
		break;
	case UART_IER:
		if (u->s.lcr & LCR_DLAB) {
			u->s.dlm = v;
		} else {
			if ((v & IER_THRI) && !(u->s.ier & IER_THRI) && !tx_busy(u))
				u->s.thr_ipending = 1; /* while busy: once room returns */
			u->s.ier = v & 0x0f;
		}
		break;
	case UART_IIR:
		u->s.fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX) {
			u->s.rx_count = 0;
			u->s.rx_head = 0;
		}
		break;
	case UART_LCR: u->s.lcr = v; break;
	case UART_MCR: u->s.mcr = v & 0x1f; break;
	case UART_SCR: u->s.scr = v; break;
	default: break;
	}
	uart_update_irq(u);
}

/* ---- migration ------------------------------------------------------- */

#define US(member, mx) VMS_SCALAR(struct uart_state, member, mx)

static const struct vmstate_field uart_fields[] = {
	US(ier, 0x0f),
	US(iir, VMS_ANY), /* derived: recomputed after a load */
	US(lcr, VMS_ANY),
	US(mcr, 0x1f),
	US(lsr, VMS_ANY), /* derived */
	US(msr, 0),       /* never written */
	US(scr, VMS_ANY),
	US(fcr, 0xc9),
	US(dll, VMS_ANY),
	US(dlm, VMS_ANY),
	US(thr_ipending, 1),
	US(rx_head, UART_FIFO_SIZE - 1),
	US(rx_count, UART_FIFO_SIZE),
	VMS_ARRAY(struct uart_state, rx_fifo, VMS_ANY),
};

static int uart_check(const void *state, const void *ctx, char *err, size_t errlen)
{
	const struct uart_state *s = state;

	(void)ctx;
	if (s->fcr & ~0xc9)
		return vmstate_fail(err, errlen, "fcr 0x%02x has bits outside 0xc9", s->fcr);
	return 0;
}

static void uart_post_load(void *dev)
{
	uart_update_irq(dev);
}

const struct vmstate_desc uart_vmstate = {
	.name = "uart",
	.version = 1,
	.state_size = sizeof(struct uart_state),
	.fields = uart_fields,
	.n_fields = VMS_COUNT(uart_fields),
	.check = uart_check,
	.dev_offset = offsetof(struct uart, s),
	.post_load = uart_post_load,
};
