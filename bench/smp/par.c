/*
 * par.c - the parallel benchmark: a fixed amount of work split evenly over
 * every hart of the board (counted in the device tree), so the wall time
 * on 1 and on 2 harts gives the speedup. Built twice (bench/smp.sh):
 *
 *   PAR_CPU    compute: per hart, rounds of a CRC-32 over a private 16 KiB
 *              buffer, a 24x24 integer matrix product and an xorshift
 *              scramble of the buffer (loads, stores, branches, multiplies);
 *   PAR_STORE  stores: per hart, passes writing its share of a 64 MiB
 *              region with 8-byte stores, then reading a word per line.
 *
 * Each hart adds its result to a shared checksum (amoadd) and counts
 * itself done; hart 0 waits for all, prints "par: harts N checksum X" on
 * the UART and powers off through the SiFive test finisher. The checksum
 * depends on the work only (not on timing), so godwit's must equal QEMU's
 * for the same hart count.
 */
#include <stdint.h>

#define MAX_HARTS 8
#define UART 0x10000000ul
#define FINISHER 0x100000ul
#ifndef PAR_ROUNDS
#define PAR_ROUNDS 12000u
#endif
#ifndef PAR_PASSES
#define PAR_PASSES 40u
#endif
#define BUF_WORDS 4096u
#define MAT_N 24
#define STORE_BYTES (64ul << 20)

static volatile uint32_t n_harts, go, done;
static volatile uint64_t checksum;
static uint32_t crc_tab[256];
#ifdef PAR_CPU
static uint32_t bufs[MAX_HARTS][BUF_WORDS];
static int32_t mats[MAX_HARTS][3][MAT_N][MAT_N];
#else
static uint64_t region[STORE_BYTES / 8] __attribute__((aligned(4096)));
#endif

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

static void puthex(uint64_t v)
{
	for (int i = 60; i >= 0; i -= 4)
		putc_uart("0123456789abcdef"[(v >> i) & 15]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* cpu@ nodes under /cpus (1 if the tree cannot be read) */
static uint32_t count_cpus(const uint8_t *fdt)
{
	uint32_t off, end, count = 0;
	int depth = 0, in_cpus = 0;

	if (!fdt || be32(fdt) != 0xd00dfeedu)
		return 1;
	off = be32(fdt + 8);
	end = off + be32(fdt + 36);
	while (off + 4 <= end) {
		uint32_t tok = be32(fdt + off);

		off += 4;
		if (tok == 1) {
			const char *name = (const char *)fdt + off;
			uint32_t len = 0;

			while (name[len])
				len++;
			depth++;
			if (depth == 2)
				in_cpus = len == 4 && name[0] == 'c' && name[1] == 'p' &&
					  name[2] == 'u' && name[3] == 's';
			else if (depth == 3 && in_cpus && name[0] == 'c' && name[3] == '@')
				count++;
			off += (len + 4) & ~3u;
		} else if (tok == 2) {
			depth--;
		} else if (tok == 3) {
			off += 8 + ((be32(fdt + off) + 3) & ~3u);
		} else if (tok == 9) {
			break;
		} else if (tok != 4) {
			return 1;
		}
	}
	return count ? count : 1;
}

static __attribute__((unused)) uint32_t crc32(const uint32_t *w, uint32_t n, uint32_t crc)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = w[i];

		for (int b = 0; b < 4; b++, v >>= 8)
			crc = crc_tab[(crc ^ v) & 0xff] ^ (crc >> 8);
	}
	return crc;
}

#ifdef PAR_CPU
static uint64_t work(uint32_t id, uint32_t rounds)
{
	uint32_t *buf = bufs[id], s = 0x2545f491u ^ (id * 0x9e3779b9u), crc = 0;
	int32_t (*a)[MAT_N] = mats[id][0], (*b)[MAT_N] = mats[id][1], (*c)[MAT_N] = mats[id][2];
	uint64_t acc = 0;

	for (uint32_t i = 0; i < BUF_WORDS; i++) {
		s ^= s << 13, s ^= s >> 17, s ^= s << 5;
		buf[i] = s;
	}
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++)
			a[i][j] = (int32_t)(buf[i * MAT_N + j] & 255) - 128,
			b[i][j] = (int32_t)(buf[i + j * MAT_N] >> 24) - 128;
	for (uint32_t r = 0; r < rounds; r++) {
		crc = crc32(buf, BUF_WORDS / 4, crc);
		for (int i = 0; i < MAT_N; i++)
			for (int j = 0; j < MAT_N; j++) {
				int32_t t = 0;

				for (int k = 0; k < MAT_N; k++)
					t += a[i][k] * b[k][j];
				c[i][j] = t;
			}
		for (uint32_t i = 0; i < BUF_WORDS; i += 4) {
			s ^= s << 13, s ^= s >> 17, s ^= s << 5;
			buf[i] ^= s + (uint32_t)c[(i >> 2) % MAT_N][(i >> 7) % MAT_N];
		}
		a[r % MAT_N][(r / MAT_N) % MAT_N] ^= (int32_t)(crc & 7);
		acc += crc;
	}
	return acc;
}
#else
static uint64_t work(uint32_t id, uint32_t passes)
{
	uint64_t words = STORE_BYTES / 8 / n_harts, acc = 0;
	uint64_t *p = region + words * id;

	for (uint32_t pass = 0; pass < passes; pass++) {
		for (uint64_t i = 0; i < words; i++)
			p[i] = i * 0x9e3779b97f4a7c15ull + pass;
		for (uint64_t i = 0; i < words; i += 8)
			acc += p[i];
	}
	return acc;
}
#endif

void main(unsigned long hartid, const uint8_t *fdt);

void main(unsigned long hartid, const uint8_t *fdt)
{
	uint32_t id = (uint32_t)hartid, total;
	uint64_t r;

	if (id == 0) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xedb88320u & -(c & 1));
			crc_tab[i] = c;
		}
		n_harts = count_cpus(fdt);
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	} else {
		while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
			;
	}
	if (id >= n_harts)
		for (;;)
			__asm__ volatile("wfi");
#ifdef PAR_CPU
	total = PAR_ROUNDS; /* rounds split over the harts */
	r = work(id, total / n_harts + (id < total % n_harts));
#else
	total = PAR_PASSES; /* every pass, over this hart's share of the region */
	r = work(id, total);
#endif
	__atomic_fetch_add(&checksum, r, __ATOMIC_RELAXED);
	__atomic_fetch_add(&done, 1, __ATOMIC_RELEASE);
	if (id != 0)
		for (;;)
			__asm__ volatile("wfi");
	while (__atomic_load_n(&done, __ATOMIC_ACQUIRE) != n_harts)
		;
	puts_uart("par: harts ");
	putc_uart((char)('0' + n_harts));
	puts_uart(" checksum ");
	puthex(checksum);
	putc_uart('\n');
	*(volatile uint32_t *)FINISHER = 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}
