/*
 * smp.c - godwit.smp=THREADS: a workload on every CPU, run in a child
 * process (threads, one pinned to each CPU in turn) so heartbeats stay on
 * time. It first prints `smp: N cpus online, M in /proc/cpuinfo`.
 *
 * The threads take turns on shared memory: a turn counter and a block of
 * words, guarded by a mutex and a condition variable. Thread t waits for
 * turn % THREADS == t, checks that every word holds the turn number (what
 * the previous holder wrote), writes turn + 1 into all of them and passes
 * the turn on. Between turns each thread adds to a shared counter with an
 * atomic add and to another one under a spin lock, and checks that no
 * other thread is inside that lock. With godwit.dirty=RATE,SIZE as well,
 * each thread also rewrites its own SIZE/THREADS MB at RATE/THREADS MB/s
 * in the pattern of dirty.c (generation << 32 | word index), checking each
 * page before it rewrites it, so all CPUs dirty memory at once.
 *
 * Each second: `smp: T threads, N turns, M MB written, verify OK|FAIL`.
 * FAIL is sticky (memory or the turn order was wrong once).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "init.h"

#define SMP_WORDS 64
#define PAGE_WORDS (4096u / sizeof(uint64_t))
#define PAGES_PER_MB 256u

struct smp {
	unsigned threads;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t turn;
	uint64_t words[SMP_WORDS];
	uint64_t atomic_total;
	uint32_t spin;
	uint32_t spin_owner;
	uint64_t spin_total;
	uint64_t pages_written;
	int bad;
	unsigned rate_pages; /* per thread per second */
	size_t npages;       /* per thread */
};

struct worker {
	struct smp *s;
	unsigned id;
	uint64_t *mem;
	uint32_t *gen;
	size_t next;
	int64_t credit_ns;
};

static void fail(struct smp *s, const char *what)
{
	if (!__atomic_exchange_n(&s->bad, 1, __ATOMIC_RELAXED))
		gw_say("smp: FAIL %s", what);
}

static void take_turn(struct worker *w)
{
	struct smp *s = w->s;

	pthread_mutex_lock(&s->lock);
	while (s->turn % s->threads != w->id)
		pthread_cond_wait(&s->cond, &s->lock);
	for (int i = 0; i < SMP_WORDS; i++)
		if (s->words[i] != s->turn)
			fail(s, "shared words changed outside the turn");
	for (int i = 0; i < SMP_WORDS; i++)
		s->words[i] = s->turn + 1;
	s->turn++;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void spin_section(struct worker *w)
{
	struct smp *s = w->s;

	while (__atomic_exchange_n(&s->spin, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&s->spin, __ATOMIC_RELAXED))
			;
	__atomic_store_n(&s->spin_owner, w->id + 1, __ATOMIC_RELAXED);
	s->spin_total++;
	if (__atomic_load_n(&s->spin_owner, __ATOMIC_RELAXED) != w->id + 1)
		fail(s, "two threads inside the spin lock");
	__atomic_store_n(&s->spin_owner, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->spin, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&s->atomic_total, 1, __ATOMIC_RELAXED);
}

/* Check page p against its generation, then write the next one. */
static void dirty_page(struct worker *w, size_t p)
{
	uint64_t *m = w->mem + p * PAGE_WORDS;
	uint32_t g = w->gen[p];

	for (size_t i = 0; i < PAGE_WORDS; i++)
		if (m[i] != (g ? ((uint64_t)g << 32 | (uint32_t)(p * PAGE_WORDS + i)) : 0)) {
			fail(w->s, "dirtied page lost a write");
			break;
		}
	g = g + 1 ? g + 1 : 1;
	for (size_t i = 0; i < PAGE_WORDS; i++)
		m[i] = (uint64_t)g << 32 | (uint32_t)(p * PAGE_WORDS + i);
	w->gen[p] = g;
	__atomic_fetch_add(&w->s->pages_written, 1, __ATOMIC_RELAXED);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int64_t last = gw_clock_ns(CLOCK_MONOTONIC);

	for (;;) {
		take_turn(w);
		for (int i = 0; i < 16; i++)
			spin_section(w);
		if (w->mem) {
			int64_t now = gw_clock_ns(CLOCK_MONOTONIC);

			w->credit_ns += now - last;
			last = now;
			if (w->credit_ns > GW_NS_PER_S)
				w->credit_ns = GW_NS_PER_S; /* paused: no burst */
			while (w->credit_ns * (int64_t)w->s->rate_pages >= GW_NS_PER_S) {
				dirty_page(w, w->next);
				w->next = (w->next + 1) % w->s->npages;
				w->credit_ns -= GW_NS_PER_S / (int64_t)w->s->rate_pages;
			}
		}
	}
	return NULL;
}

static unsigned cpuinfo_processors(void)
{
	static char buf[65536];
	ssize_t n = gw_read_file("/proc/cpuinfo", buf, sizeof(buf));
	unsigned count = 0;

	for (ssize_t i = 0; n > 0 && i < n; i++)
		if ((i == 0 || buf[i - 1] == '\n') && !strncmp(buf + i, "processor", 9))
			count++;
	return count;
}

static int smp_child(const struct gw_config *cfg)
{
	static struct smp s;
	struct worker *w;
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	gw_say("smp: %ld cpus online, %u in /proc/cpuinfo", online, cpuinfo_processors());
	s.threads = cfg->smp_threads;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	w = calloc(s.threads, sizeof(*w));
	if (!w)
		return 1;
	if (cfg->have_dirty && cfg->dirty_rate_mb) {
		s.npages = (size_t)cfg->dirty_size_mb * PAGES_PER_MB / s.threads;
		s.rate_pages = cfg->dirty_rate_mb * PAGES_PER_MB / s.threads;
		if (!s.npages || !s.rate_pages)
			s.npages = 0;
	}
	for (unsigned i = 0; i < s.threads; i++) {
		pthread_t t;

		w[i].s = &s;
		w[i].id = i;
		if (s.npages) {
			w[i].mem = mmap(NULL, s.npages * 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
			w[i].gen = calloc(s.npages, sizeof(uint32_t));
			if (w[i].mem == MAP_FAILED || !w[i].gen) {
				gw_say("smp: cannot allocate the dirtied memory: %s", strerror(errno));
				return 1;
			}
		}
		if (pthread_create(&t, NULL, worker_main, &w[i])) {
			gw_say("smp: cannot start thread %u", i);
			return 1;
		}
		if (online > 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET((size_t)(i % (unsigned)online), &set);
			pthread_setaffinity_np(t, sizeof(set), &set);
		}
	}
	gw_say("smp: %u threads started%s", s.threads, s.npages ? ", each dirtying its own memory" : "");
	for (;;) {
		gw_sleep_ns(GW_NS_PER_S);
		pthread_mutex_lock(&s.lock);
		uint64_t turns = s.turn;
		pthread_mutex_unlock(&s.lock);
		gw_say("smp: %u threads, %llu turns, %llu MB written, verify %s", s.threads,
		       (unsigned long long)turns,
		       (unsigned long long)(__atomic_load_n(&s.pages_written, __ATOMIC_RELAXED) / PAGES_PER_MB),
		       __atomic_load_n(&s.bad, __ATOMIC_RELAXED) ? "FAIL" : "OK");
	}
	return 0;
}

pid_t gw_smp_start(const struct gw_config *cfg)
{
	pid_t pid;

	if (!cfg->have_smp)
		return -1;
	pid = fork();
	if (pid < 0) {
		gw_say("smp: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(smp_child(cfg));
	return pid;
}
