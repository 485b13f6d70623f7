/*
 * runloop.c - the VMM's main loop: runs the hart in slices and, between
 * slices, serves host events - file descriptors of poll sources (console,
 * control socket, device backends), device timers and dirty-log syncs. When
 * the guest waits in WFI, or the VM is paused, it sleeps in poll() until the
 * next device deadline or event.
 *
 * Invariants: the loop never sleeps while an enabled interrupt is pending
 * and never past a device deadline (CLINT timer, RTC alarm); it sleeps at
 * most MAX_SLEEP_MS at a time. Everything here runs on the vCPU thread, so
 * device callbacks need no locking against the hart.
 */
#include "machine/machine.h"
#include "chardev/chardev.h"
#include "devices/virtio_blk.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MACHINE_SLICE 200000
#define DIRTY_SYNC_NS 50000000ull
#define MAX_SLEEP_MS 100
#define MAX_POLLFDS 64

int machine_poll_add(struct machine *m, const struct machine_poll_src *src)
{
	if (m->n_poll >= MACHINE_MAX_POLL)
		return -1;
	m->poll[m->n_poll++] = *src;
	return 0;
}

int machine_timer_add(struct machine *m, const struct machine_timer_src *src)
{
	if (m->n_timers >= MACHINE_MAX_TIMERS)
		return -1;
	m->timers[m->n_timers++] = *src;
	return 0;
}

void machine_set_paused(struct machine *m, bool paused)
{
	bool resuming = m->paused && !paused;

	m->paused = paused;
	/* While paused, no device looked at its queues (a migration may even
	 * have brought them from another host): look now, as if kicked. */
	for (int i = 0; resuming && m->has_plic && i < VIRT_VIRTIO_COUNT; i++)
		virtio_mmio_kick(&m->vio[i]);
}

/* Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A; returns bytes kept. */
static ssize_t console_filter(struct machine *m, uint8_t *buf, ssize_t n)
{
	ssize_t out = 0;

	for (ssize_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		if (m->escape_pending) {
			m->escape_pending = false;
			if (c == 'x') {
				fprintf(stderr, "\r\ngodwit-vmm: terminated from the console\r\n");
				m->console_exit = true;
				machine_request_exit(m, 0);
				return out;
			}
			if (c != 0x01)
				continue;
		} else if (c == 0x01) {
			m->escape_pending = true;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

/* The console backend feeds the UART while its receive FIFO has room and
 * takes what the UART transmits; the UART reads busy while it is full. */
static size_t console_can_receive(void *opaque)
{
	struct machine *m = opaque;

	return m->paused ? 0 : (size_t)(UART_FIFO_SIZE - m->uart.s.rx_count);
}

static void console_receive(void *opaque, const uint8_t *buf, size_t n)
{
	struct machine *m = opaque;
	uint8_t tmp[256];
	ssize_t got;

	if (n > sizeof(tmp))
		n = sizeof(tmp);
	memcpy(tmp, buf, n);
	got = m->console_escape ? console_filter(m, tmp, (ssize_t)n) : (ssize_t)n;
	if (got > 0)
		uart_receive(&m->uart, tmp, (int)got);
}

static void console_writable(void *opaque)
{
	struct machine *m = opaque;

	uart_tx_ready(&m->uart);
}

static void console_put(void *opaque, uint8_t c)
{
	chardev_write(opaque, &c, 1);
}

static bool console_busy(void *opaque)
{
	return chardev_busy(opaque);
}

/* Wire the UART to a console backend (again after a reset's uart_init). */
void machine_console_wire(struct machine *m)
{
	const struct uart_tx tx = { console_put, console_busy, m->console };
	const struct chardev_frontend fe = { console_can_receive, console_receive,
					     console_writable, m };

	if (!m->console)
		return;
	m->uart.in_fd = m->uart.out_fd = -1;
	uart_set_tx(&m->uart, &tx);
	chardev_set_frontend(m->console, &fe);
}

void machine_set_console(struct machine *m, struct chardev *c)
{
	m->console = c;
	machine_console_wire(m);
}

/* The console: its backend, or (no backend: unit tests) stdin feeding the
 * UART while its receive FIFO has room. */
static int console_fill(void *opaque, struct pollfd *fds, int max)
{
	struct machine *m = opaque;

	if (m->console)
		return chardev_pollfds(m->console, fds, max,
				       !m->paused && uart_can_receive(&m->uart));
	if (max < 1 || m->uart.in_fd < 0 || m->paused || !uart_can_receive(&m->uart))
		return 0;
	fds[0].fd = m->uart.in_fd;
	fds[0].events = POLLIN;
	return 1;
}

static void console_dispatch(void *opaque, const struct pollfd *fds, int n)
{
	struct machine *m = opaque;
	uint8_t buf[UART_FIFO_SIZE];
	ssize_t got;

	if (m->console) {
		chardev_dispatch(m->console, fds, n);
		return;
	}
	if (n < 1 || !fds[0].revents)
		return;
	if (fds[0].revents & (POLLERR | POLLNVAL)) {
		m->uart.in_fd = -1;
		return;
	}
	got = read(m->uart.in_fd, buf, UART_FIFO_SIZE - m->uart.s.rx_count);
	if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
		m->uart.in_fd = -1; /* end of input: stop polling it */
		return;
	}
	if (got > 0 && m->console_escape)
		got = console_filter(m, buf, got);
	if (got > 0)
		uart_receive(&m->uart, buf, (int)got);
}

static uint64_t clint_ns_until(void *opaque)
{
	struct machine *m = opaque;
	uint64_t ticks;

	if (!(m->hart.s.mie & MIP_MTIP))
		return UINT64_MAX; /* the timer cannot wake the hart */
	ticks = clint_ticks_to_deadline(&m->clint);
	if (ticks == UINT64_MAX)
		return UINT64_MAX;
	return ticks * (1000000000ull / MACHINE_TIMEBASE_HZ);
}

static void clint_tick(void *opaque)
{
	struct machine *m = opaque;

	clint_update(&m->clint);
}

int machine_runloop_init(struct machine *m)
{
	const struct machine_poll_src console = { console_fill, console_dispatch, m };
	const struct machine_timer_src clint = { clint_ns_until, clint_tick, m };

	if (machine_poll_add(m, &console) || machine_timer_add(m, &clint))
		return -1;
	return 0;
}

static void update_timers(struct machine *m)
{
	for (int i = 0; i < m->n_timers; i++)
		m->timers[i].update(m->timers[i].opaque);
}

/* Poll every source once; sleep up to timeout_ms if nothing is ready. */
static void serve_events(struct machine *m, int timeout_ms)
{
	struct pollfd fds[MAX_POLLFDS];
	int first[MACHINE_MAX_POLL], count[MACHINE_MAX_POLL], n = 0, r;

	for (int i = 0; i < m->n_poll; i++) {
		first[i] = n;
		count[i] = m->poll[i].fill(m->poll[i].opaque, fds + n, MAX_POLLFDS - n);
		n += count[i];
	}
	r = poll(fds, (nfds_t)n, timeout_ms);
	if (r <= 0)
		return;
	for (int i = 0; i < m->n_poll && !m->stop_requested; i++)
		if (count[i])
			m->poll[i].dispatch(m->poll[i].opaque, fds + first[i], count[i]);
}

/* Milliseconds the loop may sleep: until the nearest device deadline. */
static int sleep_budget_ms(struct machine *m)
{
	uint64_t ns = (uint64_t)MAX_SLEEP_MS * 1000000ull;

	for (int i = 0; i < m->n_timers; i++) {
		uint64_t t = m->timers[i].ns_until(m->timers[i].opaque);
		if (t < ns)
			ns = t;
	}
	if (ns > 0 && ns < 1000000ull) {
		struct timespec ts = { 0, (long)ns }; /* sub-millisecond: sleep exactly */
		nanosleep(&ts, NULL);
		return 0;
	}
	return (int)(ns / 1000000ull);
}

static bool must_sleep(struct machine *m)
{
	if (m->stop_requested)
		return false;
	if (m->paused)
		return true;
	if (!m->hart.s.wfi)
		return false;
	update_timers(m);
	return !hart_interrupt_pending(&m->hart);
}

/* Auto-converge: with throttle p%, every slice that ran t ns is followed by
 * t*p/(100-p) ns in which the hart does not run (events are still served). */
static void throttle_account(struct machine *m, uint64_t t0, uint64_t *until)
{
	int p = m->throttle_pct;
	uint64_t t1;

	if (p <= 0)
		return;
	if (p > 99)
		p = 99;
	t1 = machine_now_ns();
	*until = t1 + (t1 - t0) * (uint64_t)p / (uint64_t)(100 - p);
}

/* Still inside a throttle pause: sleep in poll() (at most until its end)
 * and tell the caller to go round the loop again. */
static bool throttled(struct machine *m, uint64_t *until)
{
	uint64_t now = machine_now_ns(), ms;

	if (m->throttle_pct <= 0 || now >= *until) {
		*until = 0;
		return false;
	}
	ms = (*until - now + 999999) / 1000000;
	if (ms > MAX_SLEEP_MS)
		ms = MAX_SLEEP_MS;
	serve_events(m, (int)ms);
	return true;
}

int machine_run(struct machine *m, const struct machine_config *cfg)
{
	uint64_t start_ns = machine_now_ns(), next_sync = start_ns + DIRTY_SYNC_NS;
	uint64_t *scratch = NULL, throttle_until = 0;
	int dirty_id = -1;

	if (cfg->dirty_tracking) {
		scratch = calloc((m->ram_pages + 63) / 64, sizeof(uint64_t));
		dirty_id = scratch ? machine_dirty_start(m) : -1;
		if (dirty_id < 0) {
			fprintf(stderr, "godwit-vmm: cannot start dirty tracking\n");
			free(scratch);
			return 1;
		}
	}
	for (;;) {
		if (m->reset_requested && !m->exited) {
			fprintf(stderr, "godwit-vmm: guest reboot\n");
			if (machine_reset(m)) {
				machine_request_exit(m, 1);
				break;
			}
		}
		if (m->stop_requested)
			break;
		if (__atomic_load_n(&m->call_fn, __ATOMIC_ACQUIRE))
			machine_call_serve(m);
		update_timers(m);
		serve_events(m, 0);
		if (!m->paused && throttled(m, &throttle_until))
			continue;
		if (!m->paused) {
			uint64_t t0 = machine_now_ns();
			hart_run(&m->hart, MACHINE_SLICE);
			throttle_account(m, t0, &throttle_until);
		}
		if (dirty_id >= 0 && machine_now_ns() >= next_sync) {
			machine_dirty_sync(m, dirty_id, scratch);
			next_sync = machine_now_ns() + DIRTY_SYNC_NS;
		}
		if (must_sleep(m))
			serve_events(m, sleep_budget_ms(m));
	}
	machine_call_shutdown(m);
	if (getenv("GODWIT_STATS")) {
		double secs = (double)(machine_now_ns() - start_ns) / 1e9;
		fprintf(stderr, "godwit-vmm: %llu instructions in %.3f s (%.1f MIPS), %zu code pages\n",
			(unsigned long long)m->hart.s.minstret, secs,
			(double)m->hart.s.minstret / secs / 1e6, m->n_dpages);
		for (int i = 0; m->has_plic && i < VIRT_VIRTIO_COUNT; i++)
			if (m->vio[i].ops.device_id && m->vio[i].ops.print_stats)
				m->vio[i].ops.print_stats(m->vio[i].dev, i);
	}
	if (dirty_id >= 0) {
		fprintf(stderr, "godwit-vmm: dirty tracking: %llu syncs\n",
			(unsigned long long)m->dirty_syncs);
		machine_dirty_stop(m, dirty_id);
	}
	free(scratch);
	return m->exit_code;
}
