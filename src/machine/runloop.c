/*
 * runloop.c - the VMM's I/O thread: starts one thread per hart (cpus.c),
 * then serves host events - file descriptors of poll sources (console,
 * control socket, device backends), device timers, calls from other
 * threads (machine_call), guest reboots and dirty-log syncs - sleeping in
 * poll() until the next device deadline or event. The harts' own timers
 * (CLINT) are their threads' business.
 *
 * Invariants: the loop never sleeps past a device deadline (RTC alarm,
 * announce); it sleeps at most MAX_SLEEP_MS at a time. Device timers and
 * poll-source dispatch run with dev_lock held; calls and resets run with
 * every hart parked, taken before dev_lock (cpus.c: never wait for harts
 * while holding it). Anything that needs the loop (a call, a reset, an
 * exit asked for by a hart) writes the call eventfd (machine_wake_io).
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

/* The harts stop within one reload of the gate closing (microseconds);
 * callers that need them parked hold them (machine_call does). */
void machine_set_paused(struct machine *m, bool paused)
{
	bool resuming = m->paused && !paused;

	machine_run_lock(m);
	m->paused = paused;
	machine_run_unlock(m);
	machine_gate_update(m);
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

int machine_runloop_init(struct machine *m)
{
	const struct machine_poll_src console = { console_fill, console_dispatch, m };

	return machine_poll_add(m, &console);
}

void machine_wake_io(struct machine *m)
{
	uint64_t one = 1;

	if (m->call_fd >= 0 && write(m->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return; /* cannot happen with an eventfd; the loop wakes anyway */
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

	pthread_mutex_lock(&m->dev_lock);
	for (int i = 0; i < m->n_poll; i++) {
		first[i] = n;
		count[i] = m->poll[i].fill(m->poll[i].opaque, fds + n, MAX_POLLFDS - n);
		n += count[i];
	}
	pthread_mutex_unlock(&m->dev_lock);
	r = poll(fds, (nfds_t)n, timeout_ms);
	if (r <= 0)
		return;
	pthread_mutex_lock(&m->dev_lock);
	for (int i = 0; i < m->n_poll && !m->stop_requested; i++)
		if (count[i])
			m->poll[i].dispatch(m->poll[i].opaque, fds + first[i], count[i]);
	pthread_mutex_unlock(&m->dev_lock);
}

/* Nanoseconds the loop may sleep: until the nearest device deadline.
 * dev_lock held. */
static uint64_t sleep_budget_ns(struct machine *m)
{
	uint64_t ns = (uint64_t)MAX_SLEEP_MS * 1000000ull;

	for (int i = 0; i < m->n_timers; i++) {
		uint64_t t = m->timers[i].ns_until(m->timers[i].opaque);
		if (t < ns)
			ns = t;
	}
	return ns;
}

/* poll() timeout for a sleep of ns; a sub-millisecond one is slept here,
 * exactly (without dev_lock). */
static int sleep_timeout_ms(uint64_t ns)
{
	if (ns > 0 && ns < 1000000ull) {
		struct timespec ts = { 0, (long)ns };
		nanosleep(&ts, NULL);
		return 0;
	}
	return (int)(ns / 1000000ull);
}

/* Run fn with every hart parked and the device lock held. */
static void with_harts_held(struct machine *m, void (*fn)(struct machine *m, void *arg), void *arg)
{
	machine_harts_hold(m);
	pthread_mutex_lock(&m->dev_lock);
	fn(m, arg);
	pthread_mutex_unlock(&m->dev_lock);
	machine_harts_release(m);
}

static void do_reset(struct machine *m, void *arg)
{
	(void)arg;
	fprintf(stderr, "godwit-vmm: guest reboot\n");
	if (machine_reset(m))
		machine_request_exit(m, 1);
}

struct dirty_sync {
	int id;
	uint64_t *out;
};

static void do_dirty_sync(struct machine *m, void *arg)
{
	struct dirty_sync *ds = arg;

	machine_dirty_sync(m, ds->id, ds->out);
}

static uint64_t instructions(const struct machine *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->n_harts; i++)
		n += m->harts[i].s.minstret;
	return n;
}

int machine_run(struct machine *m, const struct machine_config *cfg)
{
	uint64_t start_ns = machine_now_ns(), next_sync = start_ns + DIRTY_SYNC_NS;
	struct dirty_sync ds = { -1, NULL };

	if (cfg->dirty_tracking) {
		ds.out = calloc((m->ram_pages + 63) / 64, sizeof(uint64_t));
		ds.id = ds.out ? machine_dirty_start(m) : -1;
		if (ds.id < 0) {
			fprintf(stderr, "godwit-vmm: cannot start dirty tracking\n");
			free(ds.out);
			return 1;
		}
	}
	machine_gate_update(m);
	if (machine_cpus_start(m))
		goto out;
	for (;;) {
		uint64_t ns;

		if (m->stop_requested)
			break;
		if (m->reset_requested && !m->exited)
			with_harts_held(m, do_reset, NULL);
		if (__atomic_load_n(&m->call_fn, __ATOMIC_ACQUIRE))
			machine_call_serve(m);
		if (ds.id >= 0 && machine_now_ns() >= next_sync) {
			with_harts_held(m, do_dirty_sync, &ds);
			next_sync = machine_now_ns() + DIRTY_SYNC_NS;
		}
		pthread_mutex_lock(&m->dev_lock);
		update_timers(m);
		ns = sleep_budget_ns(m);
		pthread_mutex_unlock(&m->dev_lock);
		if (ds.id >= 0 && ns > DIRTY_SYNC_NS)
			ns = DIRTY_SYNC_NS;
		serve_events(m, sleep_timeout_ms(ns));
	}
	machine_cpus_stop(m);
out:
	machine_call_shutdown(m);
	if (getenv("GODWIT_STATS")) {
		double secs = (double)(machine_now_ns() - start_ns) / 1e9;
		fprintf(stderr, "godwit-vmm: %llu instructions in %.3f s (%.1f MIPS), %zu code pages\n",
			(unsigned long long)instructions(m), secs,
			(double)instructions(m) / secs / 1e6, m->n_dpages);
		for (int i = 0; m->has_plic && i < VIRT_VIRTIO_COUNT; i++)
			if (m->vio[i].ops.device_id && m->vio[i].ops.print_stats)
				m->vio[i].ops.print_stats(m->vio[i].dev, i);
	}
	if (ds.id >= 0) {
		fprintf(stderr, "godwit-vmm: dirty tracking: %llu syncs\n",
			(unsigned long long)m->dirty_syncs);
		machine_dirty_stop(m, ds.id);
	}
	free(ds.out);
	return m->exit_code;
}
