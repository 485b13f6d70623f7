/*
 * uart.h - NS16550A UART: 16-byte receive FIFO fed from the host input fd,
 * transmit written straight to the host output fd, interrupt line to the
 * interrupt controller through a callback.
 *
 * Invariant: `s` is all the guest-visible state (registers and the receive
 * FIFO) and holds no pointers; the irq level is recomputed from it by
 * uart_update_irq() after every change.
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

struct uart {
	struct uart_state s;
	int in_fd, out_fd;
	void (*set_irq)(void *opaque, int irq, bool level);
	void *irq_opaque;
	int irq;
	bool irq_level;
};

void uart_init(struct uart *u, int in_fd, int out_fd);
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
