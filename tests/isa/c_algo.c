/*
 * c_algo.c - compiled C (rv64gc, lp64d, -O2): recursive quicksort, hashes
 * (FNV-1a, CRC-32 with their published check values), recursion (fib,
 * Ackermann, Hanoi), 128-bit and 64-bit integer arithmetic, double-precision
 * Gaussian elimination and series, float dot product, an expected trap.
 * Inputs are read through volatiles so the work happens at run time.
 *
 * Constants marked "host" were computed by building this file for the host:
 *   gcc -O2 -ffp-contract=off -fno-math-errno -DHOST_PRINT c_algo.c && ./a.out
 * (the target build also uses -ffp-contract=off, so results are identical).
 */
#ifdef HOST_PRINT
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#define EXPECT(n, val, exp)                                                   \
	printf("case %d: 0x%016llx\n", n, (unsigned long long)(val))
#define CHECK(n, cond) do { if (!(cond)) printf("case %d: FAILS\n", n); } while (0)
#else
#include "testc.h"
/* on a mismatch, print the value computed before failing case n */
#define EXPECT(n, val, exp)                                                   \
	do {                                                                  \
		uint64_t got_ = (uint64_t)(val);                              \
		if (got_ != (uint64_t)(exp)) {                                \
			htif_puts("c_algo: got 0x");                          \
			htif_puthex(got_);                                    \
			htif_putc('\n');                                      \
		}                                                             \
		CHECK(n, got_ == (uint64_t)(exp));                            \
	} while (0)
#endif

static volatile uint32_t seed = 0x2545f491u;
static volatile int vn25 = 25, vn3 = 3, vn10 = 10;
static volatile double vtwo = 2.0;

static uint32_t rng_state;
static uint32_t rng(void)
{
	uint32_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static void quicksort(uint32_t *a, long lo, long hi)
{
	while (lo < hi) {
		uint32_t p = a[(lo + hi) / 2], t;
		long i = lo, j = hi;

		while (i <= j) {
			while (a[i] < p)
				i++;
			while (a[j] > p)
				j--;
			if (i <= j) {
				t = a[i];
				a[i] = a[j];
				a[j] = t;
				i++;
				j--;
			}
		}
		if (j - lo < hi - i) {		/* recurse on the smaller part */
			quicksort(a, lo, j);
			lo = i;
		} else {
			quicksort(a, i, hi);
			hi = j;
		}
	}
}

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint32_t crc32(const char *s, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= (unsigned char)*s++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static long fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static long ack(long m, long n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static long hanoi(int n, int from, int to, int via, uint64_t *checksum)
{
	if (n == 0)
		return 0;
	long moves = hanoi(n - 1, from, via, to, checksum);
	*checksum = *checksum * 31 + (uint64_t)(from * 3 + to);
	return moves + 1 + hanoi(n - 1, via, to, from, checksum);
}

/* determinant of the n x n Hilbert matrix by Gaussian elimination */
static double hilbert_det(int n)
{
	double m[8][8], det = 1.0;

	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			m[i][j] = 1.0 / (i + j + 1);
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (__builtin_fabs(m[r][c]) > __builtin_fabs(m[p][c]))
				p = r;
		if (p != c) {
			for (int k = 0; k < n; k++) {
				double t = m[c][k];
				m[c][k] = m[p][k];
				m[p][k] = t;
			}
			det = -det;
		}
		det *= m[c][c];
		for (int r = c + 1; r < n; r++) {
			double f = m[r][c] / m[c][c];
			for (int k = c; k < n; k++)
				m[r][k] -= f * m[c][k];
		}
	}
	return det;
}

static uint64_t dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static uint32_t arr[300];

int test_main(void)
{
	/* ---- sort ---- */
	rng_state = seed;
	for (int i = 0; i < 300; i++)
		arr[i] = rng() % 100000;
	quicksort(arr, 0, 299);
	int sorted = 1;
	uint64_t sum = 0;
	for (int i = 0; i < 300; i++) {
		if (i && arr[i - 1] > arr[i])
			sorted = 0;
		sum += (uint64_t)arr[i] * (uint64_t)(i + 1);
	}
	CHECK(1, sorted);
	EXPECT(2, sum, 0x00000000afe49da6ull);			/* host */
	EXPECT(3, arr[0] + ((uint64_t)arr[299] << 32), 0x000185270000010cull); /* host */

	/* ---- hashes (published check values) ---- */
	static const char digits[] = "123456789";
	EXPECT(4, crc32(digits, 9), 0xcbf43926u);
	EXPECT(5, fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
	EXPECT(6, fnv1a64("foobar", 6), 0x85944171f73967e8ull);
	EXPECT(7, fnv1a64(digits, 0), 0xcbf29ce484222325ull);

	/* ---- recursion ---- */
	EXPECT(8, fib(vn25), 75025);
	EXPECT(9, ack(2, vn3), 9);
	EXPECT(10, ack(vn3, 3), 61);
	uint64_t cs = 0;
	EXPECT(11, hanoi(vn10, 0, 2, 1, &cs), 1023);
	EXPECT(12, cs, 0x485c2080cd899714ull);			/* host */

	/* ---- integer arithmetic ---- */
	uint64_t a = (uint64_t)seed * 0x9e3779b97f4a7c15ull;
	unsigned __int128 p = (unsigned __int128)a * 0xfedcba9876543210ull;
	EXPECT(13, a, 0x1bd5d266921d4be5ull);			/* host */
	EXPECT(14, (uint64_t)(p >> 64), 0x1bb626cc83cfcc20ull);	/* host */
	__int128 sp = (__int128)(int64_t)a * -12345;
	EXPECT(15, (uint64_t)((unsigned __int128)sp >> 64), 0xfffffffffffffac1ull); /* host */
	uint64_t q = 0;
	for (int64_t d = -7; d <= 7; d++)
		if (d)
			q += (uint64_t)((int64_t)a / d) ^ (uint64_t)((int64_t)a % d);
	EXPECT(16, q, 0x000000000000000cull);			/* host */

	/* ---- double ---- */
	double det = hilbert_det(vn3 + 2);
	CHECK(17, det > 3.7492951e-12 && det < 3.7492952e-12); /* 1/266716800000 */
	EXPECT(18, dbits(det), 0x3d907d54bf10b46eull);		/* host */
	EXPECT(19, dbits(__builtin_sqrt(vtwo)), 0x3ff6a09e667f3bcdull);
	double x = vtwo;					/* Newton for sqrt(2) */
	for (int i = 0; i < 6; i++)
		x = 0.5 * (x + vtwo / x);
	CHECK(20, __builtin_fabs(x - 1.4142135623730951) < 1e-15);
	double pi = 0, f16 = 1;					/* BBP series */
	for (int k = 0; k < 12; k++) {
		pi += f16 * (4.0 / (8 * k + 1) - 2.0 / (8 * k + 4) - 1.0 / (8 * k + 5) - 1.0 / (8 * k + 6));
		f16 /= 16;
	}
	CHECK(21, __builtin_fabs(pi - 3.141592653589793) < 1e-14);
	EXPECT(22, dbits(pi), 0x400921fb54442d18ull);		/* host */
	EXPECT(23, (int64_t)(pi * 1e15), 3141592653589793ll);

	/* ---- float ---- */
	float fa[16], fb[16], dot = 0;
	for (int i = 0; i < 16; i++) {
		fa[i] = (float)(i + 1) / (float)vn3;
		fb[i] = (float)vtwo - (float)i * 0.25f;
	}
	for (int i = 0; i < 16; i++)
		dot += fa[i] * fb[i];
	EXPECT(24, fbits(dot), 0xc1b55556u);			/* host */
	EXPECT(25, (int64_t)dot, -22);

#ifndef HOST_PRINT
	/* ---- a trap taken from C ---- */
	trap_expect = 1;
	trap_cause = 0;
	__asm__ volatile("ebreak" ::: "memory");
	CHECK(26, trap_expect == 0 && trap_cause == 3);
	cur_test = 0;
#endif
	return 0;
}

#ifdef HOST_PRINT
int main(void)
{
	return test_main();
}
#endif
