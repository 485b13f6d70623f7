/*
 * litmus.c - bare-metal SMP litmus programs, run on every hart of a `virt`
 * board (QEMU or godwit, -bios none): shared-memory behaviour that a
 * multi-threaded emulator can get wrong.
 *
 *   amo-counter    every hart adds 1 to shared words with amoadd.w/.d,
 *                  sets its bit with amoor and raises amomax; the totals
 *                  must add up exactly.
 *   lrsc-lock      an LR/SC spin lock guards a plain (load, add, store)
 *                  counter and an owner word: the count must be exact and
 *                  no hart may see another inside the lock.
 *   message-pass   hart 0 fills a buffer, fence w,w, raises a flag; the
 *                  others wait for the flag, fence r,r, and must see the
 *                  whole buffer of that round.
 *   sc-after-store a hart holds an LR reservation while another hart stores
 *                  a different value to the word: the SC must fail.
 *   cross-modify   each round one hart writes a tiny function (li a0, r;
 *                  ret), fence.i, raises a flag; every hart waits, runs
 *                  fence.i and calls it: it must return r (the code every
 *                  hart ran the round before must not survive).
 *
 * Output on the NS16550 UART: "litmus: harts N", then "litmus: NAME ok" or
 * "litmus: NAME FAIL why" per test, from hart 0. The SiFive test finisher
 * ends the run: 0x5555 (pass) or (failures << 16) | 0x3333. Every wait loop
 * is bounded (SPIN_LIMIT iterations): a lost store fails the test instead
 * of hanging it. RAM is zero at power-on on both VMMs, so .bss needs no
 * clearing (and the harts' stacks live in it).
 */
#include <stdint.h>

#define MAX_HARTS 8
#define UART 0x10000000ul
#define FINISHER 0x100000ul
#define SPIN_LIMIT 400000000ul

#define AMO_ITERS 20000
#define LOCK_ITERS 4000
/* Rounds of the lock-step tests, divided by n_harts squared (rounds()):
 * every round needs every hart scheduled, and with more harts than host
 * cores a round costs host time slices. */
#define MP_ROUNDS 4000
#define MP_WORDS 16
#define SC_ROUNDS 800
#define XMOD_ROUNDS 2000

static volatile uint32_t n_harts;     /* set by hart 0 from the device tree */
static volatile uint32_t go;
static volatile uint32_t failures;
static volatile uint32_t stuck;       /* some hart gave up waiting */

/* ---- console and exit (hart 0) ---------------------------------------- */

static void putc_uart(char c)
{
	volatile uint8_t *u = (volatile uint8_t *)UART;

	while (!(u[5] & 0x20))
		;
	u[0] = (uint8_t)c;
}

static void puts_uart(const char *s)
{
	while (*s)
		putc_uart(*s++);
}

static void putu(uint64_t v)
{
	char b[24];
	int n = 0;

	do {
		b[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_uart(b[--n]);
}

static void report(const char *name, int ok, const char *why, uint64_t got, uint64_t want)
{
	puts_uart("litmus: ");
	puts_uart(name);
	if (ok) {
		puts_uart(" ok\n");
		return;
	}
	failures++;
	puts_uart(" FAIL ");
	puts_uart(why);
	puts_uart(" got ");
	putu(got);
	puts_uart(" want ");
	putu(want);
	putc_uart('\n');
}

static void finish(void)
{
	volatile uint32_t *f = (volatile uint32_t *)FINISHER;

	*f = failures ? (failures << 16) | 0x3333 : 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}

/* ---- device tree: count /cpus/cpu@N ------------------------------------ */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int name_is(const char *n, const char *want)
{
	while (*want)
		if (*n++ != *want++)
			return 0;
	return 1;
}

/* Nodes named cpu@... directly under /cpus; 0 if the tree looks wrong. */
static uint32_t count_cpus(const uint8_t *fdt)
{
	uint32_t off, end, count = 0;
	int depth = 0, in_cpus = 0;

	if (!fdt || be32(fdt) != 0xd00dfeedu)
		return 0;
	off = be32(fdt + 8);
	end = off + be32(fdt + 36);
	while (off + 4 <= end) {
		uint32_t tok = be32(fdt + off);

		off += 4;
		if (tok == 1) { /* BEGIN_NODE */
			const char *name = (const char *)fdt + off;
			uint32_t len = 0;

			while (name[len])
				len++;
			depth++;
			if (depth == 2)
				in_cpus = name_is(name, "cpus") && len == 4;
			else if (depth == 3 && in_cpus && name_is(name, "cpu@"))
				count++;
			off += (len + 4) & ~3u;
		} else if (tok == 2) { /* END_NODE */
			depth--;
		} else if (tok == 3) { /* PROP: len, nameoff, value */
			off += 8 + ((be32(fdt + off) + 3) & ~3u);
		} else if (tok == 9) { /* END */
			break;
		} else if (tok != 4) { /* not NOP */
			return 0;
		}
	}
	return count;
}

/* ---- synchronisation ---------------------------------------------------- */

static volatile uint32_t bar_count, bar_sense;

/* Every hart of n_harts arrives before any leaves (sense-reversing). */
static void barrier(void)
{
	uint32_t sense = bar_sense;
	unsigned long spins = 0;

	if (__atomic_fetch_add(&bar_count, 1, __ATOMIC_ACQ_REL) == n_harts - 1) {
		bar_count = 0;
		__atomic_store_n(&bar_sense, !sense, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&bar_sense, __ATOMIC_ACQUIRE) == sense)
		if (++spins > SPIN_LIMIT) {
			stuck = 1;
			return;
		}
}

/* Wait until *p == v; 0, or -1 (and `stuck`) after SPIN_LIMIT tries. */
static int wait_eq(volatile uint32_t *p, uint32_t v)
{
	for (unsigned long i = 0; i < SPIN_LIMIT; i++)
		if (*p == v)
			return 0;
	stuck = 1;
	return -1;
}

static uint32_t rounds(uint32_t base)
{
	uint32_t r = base / (n_harts * n_harts);

	return r < 16 ? 16 : r;
}

/* Wait until *p >= v (a counter others keep raising). */
static int wait_ge(volatile uint32_t *p, uint32_t v)
{
	for (unsigned long i = 0; i < SPIN_LIMIT; i++)
		if (*p >= v)
			return 0;
	stuck = 1;
	return -1;
}

/* ---- amo-counter -------------------------------------------------------- */

static volatile uint32_t amo_w;
static volatile uint64_t amo_d;
static volatile uint64_t amo_bits;
static volatile int64_t amo_max;

static void t_amo(uint32_t id)
{
	for (int i = 0; i < AMO_ITERS; i++) {
		__asm__ volatile("amoadd.w zero, %1, %0" : "+A"(amo_w) : "r"(1) : "memory");
		__asm__ volatile("amoadd.d zero, %1, %0" : "+A"(amo_d) : "r"(3ul) : "memory");
		__asm__ volatile("amomax.d zero, %1, %0" : "+A"(amo_max)
				 : "r"((int64_t)(i * MAX_HARTS + id)) : "memory");
	}
	__asm__ volatile("amoor.d zero, %1, %0" : "+A"(amo_bits) : "r"(1ul << id) : "memory");
	barrier();
	if (id)
		return;
	report("amo-counter", amo_w == (uint32_t)n_harts * AMO_ITERS, "amoadd.w", amo_w,
	       (uint64_t)n_harts * AMO_ITERS);
	if (amo_d != 3ul * n_harts * AMO_ITERS)
		report("amo-counter-d", 0, "amoadd.d", amo_d, 3ul * n_harts * AMO_ITERS);
	if (amo_bits != (1ul << n_harts) - 1)
		report("amo-counter-or", 0, "amoor.d", amo_bits, (1ul << n_harts) - 1);
	if (amo_max != (int64_t)((AMO_ITERS - 1) * MAX_HARTS + n_harts - 1))
		report("amo-counter-max", 0, "amomax.d", (uint64_t)amo_max,
		       (uint64_t)((AMO_ITERS - 1) * MAX_HARTS + n_harts - 1));
}

/* ---- lrsc-lock ---------------------------------------------------------- */

static volatile uint32_t lock_word;
static volatile uint64_t lock_count;
static volatile uint32_t lock_owner;
static volatile uint32_t lock_violations;

static void lock(volatile uint32_t *l)
{
	uint32_t tmp, one = 1;

	__asm__ volatile("1: lr.w.aq %0, %1\n"
			 "   bnez %0, 1b\n"
			 "   sc.w %0, %2, %1\n"
			 "   bnez %0, 1b\n"
			 : "=&r"(tmp), "+A"(*l)
			 : "r"(one)
			 : "memory");
}

static void unlock(volatile uint32_t *l)
{
	__asm__ volatile("fence rw, w\n"
			 "sw zero, %0\n" : "=m"(*l) : : "memory");
}

static void t_lock(uint32_t id)
{
	for (int i = 0; i < LOCK_ITERS; i++) {
		lock(&lock_word);
		lock_owner = id + 1;
		lock_count = lock_count + 1; /* a plain load, add and store */
		for (int k = 0; k < 4; k++)
			if (lock_owner != id + 1)
				lock_violations++;
		lock_owner = 0;
		unlock(&lock_word);
	}
	barrier();
	if (id)
		return;
	if (lock_violations)
		report("lrsc-lock", 0, "another hart inside the lock", lock_violations, 0);
	else
		report("lrsc-lock", lock_count == (uint64_t)n_harts * LOCK_ITERS, "count",
		       lock_count, (uint64_t)n_harts * LOCK_ITERS);
}

/* ---- message-pass ------------------------------------------------------- */

static volatile uint64_t mp_data[MP_WORDS];
static volatile uint32_t mp_flag, mp_acks, mp_bad;
static volatile uint64_t mp_bad_got, mp_bad_want;

static void t_mp(uint32_t id)
{
	for (uint32_t r = 1; r <= rounds(MP_ROUNDS) && !stuck; r++) {
		if (id == 0) {
			for (int j = 0; j < MP_WORDS; j++)
				mp_data[j] = (uint64_t)r * 1000 + (uint64_t)j;
			__asm__ volatile("fence w, w" ::: "memory");
			mp_flag = r;
			wait_ge(&mp_acks, r * (n_harts - 1));
			continue;
		}
		if (wait_eq(&mp_flag, r))
			break;
		__asm__ volatile("fence r, r" ::: "memory");
		for (int j = 0; j < MP_WORDS; j++) {
			uint64_t v = mp_data[j];

			if (v != (uint64_t)r * 1000 + (uint64_t)j && !mp_bad) {
				mp_bad_got = v;
				mp_bad_want = (uint64_t)r * 1000 + (uint64_t)j;
				mp_bad = 1;
			}
		}
		__atomic_fetch_add(&mp_acks, 1, __ATOMIC_RELEASE);
	}
	barrier();
	if (id == 0)
		report("message-pass", !mp_bad && !stuck, stuck ? "stuck" : "stale data",
		       mp_bad_got, mp_bad_want);
}

/* ---- sc-after-store ----------------------------------------------------- */

static volatile uint32_t sc_word, sc_step, sc_wrong;

static void t_sc(uint32_t id)
{
	for (uint32_t r = 1; r <= rounds(SC_ROUNDS) && !stuck && n_harts > 1; r++) {
		uint32_t holder = r % n_harts, storer = (r + 1) % n_harts;

		if (id == holder) {
			uint32_t v, fail, val = 7;

			__asm__ volatile("lr.w %0, %1" : "=r"(v), "+A"(sc_word) : : "memory");
			sc_step = 2 * r - 1; /* reservation held: store now */
			wait_eq(&sc_step, 2 * r);
			__asm__ volatile("sc.w %0, %2, %1" : "=r"(fail), "+A"(sc_word) : "r"(val) : "memory");
			if (!fail)
				sc_wrong++;
			(void)v;
		} else if (id == storer) {
			if (wait_eq(&sc_step, 2 * r - 1) == 0) {
				sc_word = sc_word + 1 + r; /* a different value */
				__asm__ volatile("fence w, w" ::: "memory");
				sc_step = 2 * r;
			}
		}
		barrier();
	}
	if (id == 0)
		report("sc-after-store", !sc_wrong && !stuck, stuck ? "stuck" : "SC succeeded",
		       sc_wrong, 0);
}

/* ---- cross-modify ------------------------------------------------------- */

static uint32_t xcode[1024] __attribute__((aligned(4096)));
static volatile uint32_t x_flag, x_acks, x_bad;
static volatile uint64_t x_bad_got, x_bad_want;

typedef long (*xfn)(void);

static void t_xmod(uint32_t id)
{
	for (uint32_t r = 1; r <= rounds(XMOD_ROUNDS) && !stuck; r++) {
		uint32_t writer = r % n_harts, want = r & 0x7ff;
		long got;

		if (id == writer) {
			/* li a0, want ; ret */
			((volatile uint32_t *)xcode)[0] = 0x00000513u | (want << 20);
			((volatile uint32_t *)xcode)[1] = 0x00008067u;
			__asm__ volatile("fence.i\n fence w, w" ::: "memory");
			x_flag = r;
		} else if (wait_eq(&x_flag, r)) {
			break;
		}
		__asm__ volatile("fence r, r\n fence.i" ::: "memory");
		got = ((xfn)(uintptr_t)xcode)();
		if ((uint64_t)got != want && !x_bad) {
			x_bad_got = (uint64_t)got;
			x_bad_want = want;
			x_bad = 1;
		}
		/* nobody writes the next round's code before all ran this one */
		__atomic_fetch_add(&x_acks, 1, __ATOMIC_ACQ_REL);
		wait_ge(&x_acks, r * n_harts);
	}
	barrier();
	if (id == 0)
		report("cross-modify", !x_bad && !stuck, stuck ? "stuck" : "stale code",
		       x_bad_got, x_bad_want);
}

/* ---- main --------------------------------------------------------------- */

void main(unsigned long hartid, const uint8_t *fdt);

void main(unsigned long hartid, const uint8_t *fdt)
{
	uint32_t id = (uint32_t)hartid;

	if (id == 0) {
		uint32_t n = count_cpus(fdt);

		if (n < 1 || n > MAX_HARTS) {
			report("device-tree", 0, "cpus", n, 1);
			finish();
		}
		n_harts = n;
		puts_uart("litmus: harts ");
		putu(n);
		putc_uart('\n');
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	} else if (wait_eq(&go, 1)) {
		for (;;)
			__asm__ volatile("wfi");
	}
	if (id >= n_harts)
		for (;;)
			__asm__ volatile("wfi");
	t_amo(id);
	t_lock(id);
	t_mp(id);
	t_sc(id);
	t_xmod(id);
	barrier();
	if (id == 0) {
		if (stuck)
			report("all-harts", 0, "a hart gave up waiting", 0, 0);
		finish();
	}
	for (;;)
		__asm__ volatile("wfi");
}
