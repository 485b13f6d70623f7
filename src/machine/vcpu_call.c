/*
 * vcpu_call.c - run a function on the machine, with every hart stopped,
 * from another thread.
 *
 * A migration thread that needs to sync the dirty log, stop the VM or load
 * device state asks the I/O thread (the run loop) to do it: machine_call()
 * posts (fn, arg), wakes the loop through an eventfd and waits on a
 * condition variable until the loop has parked every hart at a safe point
 * (machine_harts_hold: between two slices, or asleep in WFI), run fn with
 * the device lock held, and let the harts go again. A hart reaches its
 * safe point at its next reload (the gate), which is microseconds away in
 * practice and at most one slice.
 *
 * Invariants: at most one call is pending (callers are serialised by
 * call_lock and wait for their own call to finish); once the loop has
 * ended (machine_call_shutdown) every pending and future call returns -1
 * without running, so no caller waits forever.
 */
#include "machine/machine.h"

#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static bool call_closed(const struct machine *m)
{
	return m->call_fd == -2;
}

static int call_fill(void *opaque, struct pollfd *fds, int max)
{
	struct machine *m = opaque;

	if (max < 1 || m->call_fd < 0)
		return 0;
	fds[0].fd = m->call_fd;
	fds[0].events = POLLIN;
	return 1;
}

static void call_dispatch(void *opaque, const struct pollfd *fds, int n)
{
	struct machine *m = opaque;
	uint64_t v;

	/* only wake up: the call runs at the top of the loop, never between
	 * two poll sources' dispatches (a device whose fds were polled before
	 * a call paused the VM would still touch guest RAM) */
	if (n >= 1 && (fds[0].revents & POLLIN))
		if (read(m->call_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return;
}

int machine_call_init(struct machine *m)
{
	const struct machine_poll_src src = { call_fill, call_dispatch, m };

	m->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (m->call_fd < 0)
		return -1;
	if (pthread_mutex_init(&m->call_lock, NULL))
		goto out_fd;
	if (pthread_cond_init(&m->call_done, NULL))
		goto out_mutex;
	if (machine_poll_add(m, &src))
		goto out_cond;
	return 0;
out_cond:
	pthread_cond_destroy(&m->call_done);
out_mutex:
	pthread_mutex_destroy(&m->call_lock);
out_fd:
	close(m->call_fd);
	m->call_fd = -1;
	return -1;
}

void machine_call_destroy(struct machine *m)
{
	if (m->call_fd == -1)
		return;
	if (m->call_fd >= 0)
		close(m->call_fd);
	m->call_fd = -1;
	pthread_cond_destroy(&m->call_done);
	pthread_mutex_destroy(&m->call_lock);
}

int machine_call(struct machine *m, void (*fn)(struct machine *m, void *arg), void *arg)
{
	uint64_t one = 1, seq;
	int r = 0;

	if (m->call_fd == -1)
		return -1;
	pthread_mutex_lock(&m->call_lock);
	while (m->call_fn && !call_closed(m)) /* another caller's call */
		pthread_cond_wait(&m->call_done, &m->call_lock);
	if (call_closed(m)) {
		pthread_mutex_unlock(&m->call_lock);
		return -1;
	}
	m->call_arg = arg;
	/* the loop peeks at call_fn without the lock (runloop.c) */
	__atomic_store_n(&m->call_fn, fn, __ATOMIC_RELEASE);
	seq = ++m->call_seq;
	if (write(m->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		r = -1; /* cannot happen with an eventfd; the loop polls anyway */
	while (m->call_finished < seq && !call_closed(m))
		pthread_cond_wait(&m->call_done, &m->call_lock);
	if (m->call_finished < seq)
		r = -1;
	pthread_mutex_unlock(&m->call_lock);
	return r;
}

void machine_call_serve(struct machine *m)
{
	void (*fn)(struct machine *, void *);
	void *arg;

	if (m->call_fd < 0)
		return;
	pthread_mutex_lock(&m->call_lock);
	fn = m->call_fn;
	arg = m->call_arg;
	pthread_mutex_unlock(&m->call_lock);
	if (!fn)
		return;
	/* without call_lock: fn may take its time */
	machine_harts_hold(m);
	pthread_mutex_lock(&m->dev_lock);
	fn(m, arg);
	pthread_mutex_unlock(&m->dev_lock);
	machine_harts_release(m);
	pthread_mutex_lock(&m->call_lock);
	__atomic_store_n(&m->call_fn, NULL, __ATOMIC_RELAXED);
	m->call_finished = m->call_seq;
	pthread_cond_broadcast(&m->call_done);
	pthread_mutex_unlock(&m->call_lock);
}

void machine_call_shutdown(struct machine *m)
{
	if (m->call_fd < 0)
		return;
	pthread_mutex_lock(&m->call_lock);
	close(m->call_fd);
	m->call_fd = -2;
	__atomic_store_n(&m->call_fn, NULL, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&m->call_done);
	pthread_mutex_unlock(&m->call_lock);
}
