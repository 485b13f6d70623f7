/*
 * cpus.c - the vCPU threads: one host thread per hart, running it in
 * slices; WFI sleeps of one hart; parking every hart at a safe point for
 * the I/O thread (machine_harts_hold), for pause, reset and exit.
 *
 * Invariants:
 *  - A hart's architectural state, TLBs and counters are touched only by
 *    its own thread while it runs; other threads touch them only while it
 *    is parked (n_parked counts it) or, for hw_ip and single write-TLB
 *    entries, atomically.
 *  - A hart parks only between two slices, never inside hart_run and never
 *    holding dev_lock or code_lock, so a holder waiting for n_parked ==
 *    n_threads (without those locks) always gets there.
 *  - gate is nonzero whenever hold, paused, reset_requested or
 *    stop_requested asks the harts to leave hart_run; it is computed under
 *    run_lock, and every change is followed by a kick of every hart, so a
 *    hart asleep in WFI notices too.
 *  - A hart sleeps in WFI only after it has seen no enabled interrupt
 *    pending and no kick; a device raising one of its lines kicks it
 *    (hart_set_hw_irq), and its own timer bounds the sleep.
 */
#include "machine/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MACHINE_SLICE 200000
#define MAX_SLEEP_NS 1000000000ull

static int gate_closed(const struct machine *m)
{
	return __atomic_load_n(&m->gate, __ATOMIC_RELAXED);
}

static void gate_compute(struct machine *m)
{
	__atomic_store_n(&m->gate, m->stop_requested || m->reset_requested || m->paused ||
				   m->hold > 0, __ATOMIC_RELAXED);
}

void machine_run_lock(struct machine *m)
{
	if (m->threads_inited)
		pthread_mutex_lock(&m->run_lock);
}

void machine_run_unlock(struct machine *m)
{
	if (m->threads_inited)
		pthread_mutex_unlock(&m->run_lock);
}

static void kick_all(struct machine *m)
{
	for (int i = 0; i < m->n_harts; i++)
		hart_kick(&m->harts[i]);
}

void machine_gate_update(struct machine *m)
{
	if (!m->threads_inited) {
		gate_compute(m);
		return;
	}
	pthread_mutex_lock(&m->run_lock);
	gate_compute(m);
	pthread_cond_broadcast(&m->run_cond);
	pthread_mutex_unlock(&m->run_lock);
	kick_all(m);
}

void hart_kick(struct hart *h)
{
	if (!h->wait_inited)
		return;
	pthread_mutex_lock(&h->wait_lock);
	h->kicked = 1;
	pthread_cond_signal(&h->wait_cond);
	pthread_mutex_unlock(&h->wait_lock);
}

static int cond_init_mono(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int r;

	if (pthread_condattr_init(&a))
		return -1;
	r = pthread_condattr_setclock(&a, CLOCK_MONOTONIC) || pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return r ? -1 : 0;
}

int machine_cpus_init(struct machine *m)
{
	int i;

	m->harts = calloc((size_t)m->n_harts, sizeof(*m->harts));
	if (!m->harts)
		return -1;
	for (i = 0; i < m->n_harts; i++) {
		struct hart *h = &m->harts[i];

		hart_reset(h, m, VIRT_ROM_BASE);
		h->id = i;
		h->seen_gen = HART_QUIESCENT;
		if (pthread_mutex_init(&h->wait_lock, NULL))
			goto out_harts;
		if (cond_init_mono(&h->wait_cond)) {
			pthread_mutex_destroy(&h->wait_lock);
			goto out_harts;
		}
		h->wait_inited = true;
	}
	if (pthread_mutex_init(&m->run_lock, NULL))
		goto out_harts;
	if (pthread_cond_init(&m->run_cond, NULL))
		goto out_lock;
	if (pthread_cond_init(&m->parked_cond, NULL))
		goto out_cond;
	m->threads_inited = true;
	return 0;
out_cond:
	pthread_cond_destroy(&m->run_cond);
out_lock:
	pthread_mutex_destroy(&m->run_lock);
out_harts:
	while (i-- > 0) {
		pthread_cond_destroy(&m->harts[i].wait_cond);
		pthread_mutex_destroy(&m->harts[i].wait_lock);
	}
	free(m->harts);
	m->harts = NULL;
	return -1;
}

void machine_cpus_destroy(struct machine *m)
{
	if (!m->harts)
		return;
	if (m->threads_inited) {
		pthread_cond_destroy(&m->parked_cond);
		pthread_cond_destroy(&m->run_cond);
		pthread_mutex_destroy(&m->run_lock);
		m->threads_inited = false;
	}
	for (int i = 0; i < m->n_harts; i++) {
		if (!m->harts[i].wait_inited)
			continue;
		m->harts[i].wait_inited = false;
		pthread_cond_destroy(&m->harts[i].wait_cond);
		pthread_mutex_destroy(&m->harts[i].wait_lock);
	}
	free(m->harts);
	m->harts = NULL;
}

uint64_t machine_hart_deadline_ns(struct machine *m, struct hart *h)
{
	uint64_t ticks;

	if (!(h->s.mie & MIP_MTIP))
		return UINT64_MAX; /* the timer cannot wake the hart */
	ticks = clint_ticks_to_deadline(&m->clint, h->id);
	if (ticks == UINT64_MAX)
		return UINT64_MAX;
	return ticks * (1000000000ull / MACHINE_TIMEBASE_HZ);
}

/* Sleep on h's condition until absolute monotonic time `until` (ns), a
 * kick, or the gate. */
static void wait_until(struct hart *h, uint64_t until)
{
	struct timespec ts = { (time_t)(until / 1000000000ull), (long)(until % 1000000000ull) };

	pthread_mutex_lock(&h->wait_lock);
	if (!h->kicked && !gate_closed(h->m))
		pthread_cond_timedwait(&h->wait_cond, &h->wait_lock, &ts);
	h->kicked = 0;
	pthread_mutex_unlock(&h->wait_lock);
}

/* WFI: sleep until an enabled interrupt is pending or the gate closes. */
static void hart_sleep(struct hart *h)
{
	struct machine *m = h->m;

	for (;;) {
		uint64_t ns;

		clint_update_hart(&m->clint, h->id);
		if (gate_closed(m) || hart_interrupt_pending(h))
			return;
		ns = machine_hart_deadline_ns(m, h);
		if (ns > MAX_SLEEP_NS)
			ns = MAX_SLEEP_NS;
		wait_until(h, machine_now_ns() + ns);
	}
}

/* Between slices, with the gate closed: park while asked to. Returns true
 * if the thread must end. */
static bool park(struct machine *m)
{
	bool end = false;

	pthread_mutex_lock(&m->run_lock);
	for (;;) {
		if (m->stop_requested) {
			end = true;
			break;
		}
		if (!m->hold && !m->paused && !m->reset_requested)
			break;
		m->n_parked++;
		pthread_cond_broadcast(&m->parked_cond);
		pthread_cond_wait(&m->run_cond, &m->run_lock);
		m->n_parked--;
	}
	pthread_mutex_unlock(&m->run_lock);
	return end;
}

/* Auto-converge: with throttle p%, every slice that ran t ns is followed
 * by t*p/(100-p) ns in which the hart does not run. */
static void throttle(struct hart *h, uint64_t t0)
{
	int p = h->m->throttle_pct;
	uint64_t t1, until;

	if (p <= 0)
		return;
	if (p > 99)
		p = 99;
	t1 = machine_now_ns();
	until = t1 + (t1 - t0) * (uint64_t)p / (uint64_t)(100 - p);
	while (!gate_closed(h->m) && machine_now_ns() < until)
		wait_until(h, until);
}

static void *vcpu_main(void *arg)
{
	struct hart *h = arg;
	struct machine *m = h->m;

	for (;;) {
		uint64_t t0;

		if (gate_closed(m) && park(m))
			break;
		clint_update_hart(&m->clint, h->id);
		if (h->s.wfi && !hart_interrupt_pending(h)) {
			hart_sleep(h);
			continue;
		}
		t0 = machine_now_ns();
		hart_run(h, MACHINE_SLICE);
		throttle(h, t0);
	}
	pthread_mutex_lock(&m->run_lock);
	m->n_threads--;
	pthread_cond_broadcast(&m->parked_cond);
	pthread_mutex_unlock(&m->run_lock);
	return NULL;
}

int machine_cpus_start(struct machine *m)
{
	for (int i = 0; i < m->n_harts; i++) {
		char name[16];

		pthread_mutex_lock(&m->run_lock);
		m->n_threads++;
		pthread_mutex_unlock(&m->run_lock);
		if (pthread_create(&m->vcpu_thread[i], NULL, vcpu_main, &m->harts[i])) {
			fprintf(stderr, "godwit-vmm: cannot start the thread of hart %d\n", i);
			pthread_mutex_lock(&m->run_lock);
			m->n_threads--;
			pthread_mutex_unlock(&m->run_lock);
			m->exited = true;
			m->exit_code = 1;
			machine_request_stop(m);
			for (int k = 0; k < i; k++)
				pthread_join(m->vcpu_thread[k], NULL);
			return -1;
		}
		snprintf(name, sizeof(name), "vcpu%d", i);
		pthread_setname_np(m->vcpu_thread[i], name);
	}
	return 0;
}

void machine_cpus_stop(struct machine *m)
{
	if (!m->stop_requested)
		machine_request_stop(m);
	else
		machine_gate_update(m);
	for (int i = 0; i < m->n_harts; i++)
		pthread_join(m->vcpu_thread[i], NULL);
}

void machine_harts_hold(struct machine *m)
{
	pthread_mutex_lock(&m->run_lock);
	m->hold++;
	gate_compute(m);
	pthread_mutex_unlock(&m->run_lock);
	kick_all(m);
	pthread_mutex_lock(&m->run_lock);
	while (m->n_parked < m->n_threads)
		pthread_cond_wait(&m->parked_cond, &m->run_lock);
	pthread_mutex_unlock(&m->run_lock);
}

void machine_harts_release(struct machine *m)
{
	pthread_mutex_lock(&m->run_lock);
	if (m->hold > 0)
		m->hold--;
	gate_compute(m);
	pthread_cond_broadcast(&m->run_cond);
	pthread_mutex_unlock(&m->run_lock);
}
