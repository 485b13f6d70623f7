/*
 * uart.h - NS16550A UART: 16-byte receive FIFO fed from the host input fd,
 * transmit to a backend (struct uart_tx) or, without one, straight to the
 * host output fd; interrupt line to the interrupt controller through a
 * callback.
 *
 * Invariants: `s` is all the guest-visible state (registers and the receive
 * FIFO) and holds no pointers; the irq level is recomputed from it by
 * uart_update_irq() after every change. While the backend is busy, LSR's
 * THRE and TEMT read clear and no THR-empty interrupt is raised; the
 * backend calls uart_tx_ready() when room returns, which raises it (the
 * guest waits, not the VMM). Whether THR was full is s.lsr itself, so a
 * VM migrated while busy gets its interrupt on the new host.
 */
#ifndef GODWIT_DEVICES_UART_H
#define GODWIT_DEVICES_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_FIFO_SIZE 16

struct vmstate_desc;

struct uart_state {
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, fcr;
	uint8_t dll, dlm;
	uint8_t thr_ipending; /* THR-empty interrupt pending */
	uint8_t rx_head, rx_count;
	uint8_t rx_fifo[UART_FIFO_SIZE];
};

/* Where transmitted bytes go: put() takes one byte, busy() says the
 * backend has no room for more (the transmitter stays "full"). */
struct uart_tx {
	void (*put)(void *opaque, uint8_t c);
	bool (*busy)(void *opaque);
	void *opaque;
};

struct uart {
	struct uart_state s;
	int in_fd, out_fd;
	struct uart_tx tx;  /* put == NULL: write to out_fd */
	void (*set_irq)(void *opaque, int irq, bool level);
	void *irq_opaque;
	int irq;
	bool irq_level;
};

void uart_init(struct uart *u, int in_fd, int out_fd);
void uart_set_tx(struct uart *u, const struct uart_tx *tx);
/* The backend has room again: THRE reads set, THR-empty interrupt fires. */
void uart_tx_ready(struct uart *u);
/* Queue received bytes; returns how many fit. */
int uart_receive(struct uart *u, const uint8_t *buf, int len);
bool uart_can_receive(const struct uart *u);
/* Recompute IIR, LSR and the irq line from s (e.g. after loading s). */
void uart_update_irq(struct uart *u);
/* Migratable state ("uart"); a load recomputes IIR, LSR and the line. */
extern const struct vmstate_desc uart_vmstate;

uint64_t uart_read(void *opaque, uint64_t off, int size);
void uart_write(void *opaque, uint64_t off, int size, uint64_t val);

#endif
