/*
 * work_cpu.c - the CPU workload of the godwit CPU benchmark: a CoreMark-like
 * mix of integer arithmetic, linked-list manipulation, an integer matrix
 * multiply, a state machine over a byte string, CRC-32, a branchy bytecode
 * interpreter calling through a function table, recursion and memory copies.
 *
 * Portable C with no undefined or implementation-defined behaviour that
 * differs between x86-64 and riscv64 (fixed-width unsigned arithmetic, no
 * pointer values in the checksum), so the host build computes the checksum
 * the guest must print. Every round is seeded by the previous round's CRC, so
 * nothing can be hoisted out of the loop.
 */
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

#define NOINLINE __attribute__((noinline))

/* ---- pseudo-random numbers: xorshift32 (state never 0) ---- */

static uint32_t rng(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* ---- CRC-32 (reflected, poly 0xEDB88320): table and bitwise forms ---- */

static uint32_t crc_tab[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
		crc_tab[i] = c;
	}
}

NOINLINE static uint32_t crc32_buf(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_tab[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* Bitwise (branchy) CRC of a 32-bit word, little-endian byte order. */
NOINLINE static uint32_t crc32_word(uint32_t crc, uint32_t w)
{
	crc = ~crc;
	for (int i = 0; i < 32; i++) {
		uint32_t bit = (crc ^ (w >> i)) & 1;

		crc >>= 1;
		if (bit)
			crc ^= 0xEDB88320u;
	}
	return ~crc;
}

/* ---- integer arithmetic: mul, div/rem (signed and unsigned), shifts ---- */

NOINLINE static uint32_t arith_step(uint32_t *rs, uint32_t crc)
{
	uint64_t a = rng(rs) | (uint64_t)rng(rs) << 32;
	uint64_t acc = crc;
	uint32_t m = rng(rs) | 1;

	for (uint32_t i = 0; i < 24; i++) {
		uint64_t d = (a >> (i & 31)) | 1;
		uint64_t n = a ^ acc;
		uint32_t w;
		int32_t sw;

		acc += (n / d) * 0x9E3779B97F4A7C15ull + ((n % d) << (i & 7));
		w = (uint32_t)acc * m + (uint32_t)(acc >> 32);
		m = m * 0x01000193u + i;
		sw = (int32_t)(w & 0x7fffffffu) - (int32_t)(w >> 31) * 0x40000000;
		acc ^= (uint64_t)(int64_t)(sw / (-3 * (int32_t)(i + 1)));
		acc ^= (uint64_t)(uint32_t)(sw % 7 + 7) << 40;
		a = (a << 13) | (a >> 51);
		a += acc >> 17;
	}
	return crc32_word(crc32_word(crc, (uint32_t)acc), (uint32_t)(acc >> 32));
}

/* ---- linked lists: find with move-to-front, reverse, merge sort ---- */

#define LIST_NODES 64

struct node {
	struct node *next;
	uint32_t key;
	uint32_t val;
};

static struct node pool[LIST_NODES];
static struct node *list_head;

static void list_init(uint32_t *rs)
{
	for (int i = 0; i < LIST_NODES; i++) {
		pool[i].key = rng(rs) & 0x3ff;
		pool[i].val = rng(rs);
		pool[i].next = i + 1 < LIST_NODES ? &pool[i + 1] : NULL;
	}
	list_head = &pool[0];
}

/* Find `key`, move it to the front; returns its old position or ~0u. */
NOINLINE static uint32_t list_find(uint32_t key)
{
	struct node *prev = NULL;
	uint32_t pos = 0;

	for (struct node *n = list_head; n; prev = n, n = n->next, pos++) {
		if (n->key != key)
			continue;
		if (prev) {
			prev->next = n->next;
			n->next = list_head;
			list_head = n;
		}
		return pos;
	}
	return ~0u;
}

NOINLINE static struct node *list_reverse(struct node *h)
{
	struct node *r = NULL;

	while (h) {
		struct node *next = h->next;

		h->next = r;
		r = h;
		h = next;
	}
	return r;
}

static struct node *list_merge(struct node *a, struct node *b, uint32_t mask)
{
	struct node head, *t = &head;

	while (a && b) {
		if ((a->key ^ mask) <= (b->key ^ mask)) {
			t->next = a;
			a = a->next;
		} else {
			t->next = b;
			b = b->next;
		}
		t = t->next;
	}
	t->next = a ? a : b;
	return head.next;
}

/* Stable recursive merge sort on key ^ mask. */
NOINLINE static struct node *list_sort(struct node *h, uint32_t mask)
{
	struct node *slow = h, *fast, *second;

	if (!h || !h->next)
		return h;
	fast = h->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	second = slow->next;
	slow->next = NULL;
	return list_merge(list_sort(h, mask), list_sort(second, mask), mask);
}

NOINLINE static uint32_t list_step(uint32_t *rs, uint32_t crc)
{
	uint32_t acc = 0, i = 0;
	struct node *n, *tail;

	for (int k = 0; k < 6; k++) {
		uint32_t r = rng(rs);
		uint32_t key = pool[r % LIST_NODES].key ^ ((r >> 8) & 1);

		crc = crc32_word(crc, list_find(key));
	}
	list_head = list_reverse(list_head);
	list_head = list_sort(list_head, rng(rs) & 0x3ff);
	for (n = list_head; n; n = n->next, i++) {
		acc = acc * 31 + (n->val ^ n->key);
		if (i % 3 == 0)
			n->val = n->val * 3 + n->key;
		if ((n->val & 0xf) == 0)
			n->key = (n->key + 1) & 0x3ff;
	}
	/* Rotate: the second node moves to the tail. */
	n = list_head->next;
	list_head->next = n->next;
	for (tail = list_head; tail->next; tail = tail->next)
		;
	tail->next = n;
	n->next = NULL;
	return crc32_word(crc, acc);
}

/* ---- integer matrix multiply ---- */

#define MAT_N 16

static int32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static int32_t small(uint32_t r)
{
	return (int32_t)(r & 0xff) - 128;
}

static void mat_init(uint32_t *rs)
{
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			mat_a[i][j] = small(rng(rs));
			mat_b[i][j] = small(rng(rs));
		}
}

NOINLINE static void mat_mul(void)
{
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			int32_t s = 0;

			for (int k = 0; k < MAT_N; k++)
				s += mat_a[i][k] * mat_b[k][j];
			mat_c[i][j] = s;
		}
}

NOINLINE static uint32_t mat_step(uint32_t *rs, uint32_t crc)
{
	uint32_t row = rng(rs) % MAT_N, acc = 0, pos = 0;

	for (int j = 0; j < MAT_N; j++)
		mat_a[row][j] = small(rng(rs));
	mat_mul();
	for (int i = 0; i < MAT_N; i++)
		for (int j = 0; j < MAT_N; j++) {
			int32_t v = mat_c[i][j];

			acc += (uint32_t)v;
			if (v > 0)
				pos++;
			else if ((v & 0xff) == 0)
				acc ^= (uint32_t)(i << 8 | j);
			/* Feed back into B, kept within -128..127. */
			mat_b[i][j] = small((uint32_t)v >> 3);
		}
	return crc32_word(crc32_word(crc, acc), pos);
}

/* ---- state machine: classify number-like tokens in a byte string ---- */

#define TEXT_LEN 256

enum {
	S_START, S_SIGN, S_ZERO, S_INT, S_DOT, S_FRAC, S_EXP, S_EXPSIGN,
	S_EXPINT, S_HEXX, S_HEX, S_BAD, S_COUNT
};

static uint8_t text[TEXT_LEN];

static const char *const tokens[] = {
	"42", "-17", "3.1415", "1e-9", "0x1F", "+.5", "abc", "0777", "12e",
	"-", "0xZZ", "6.02e23", "-0.0", ".", "99999", "0x", "1.2.3", "7E+2",
};

static const char alphabet[] = "0123456789+-.eExX, abf";

static void text_init(uint32_t *rs)
{
	size_t pos = 0;

	while (pos < TEXT_LEN) {
		const char *t = tokens[rng(rs) % (sizeof(tokens) / sizeof(tokens[0]))];

		while (*t && pos < TEXT_LEN)
			text[pos++] = (uint8_t)*t++;
		if (pos < TEXT_LEN)
			text[pos++] = (rng(rs) & 1) ? ',' : ' ';
	}
}

static int is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(uint8_t c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

NOINLINE static int sm_next(int st, uint8_t c)
{
	switch (st) {
	case S_START:
		if (c == '+' || c == '-')
			return S_SIGN;
		if (c == '0')
			return S_ZERO;
		if (is_digit(c))
			return S_INT;
		if (c == '.')
			return S_DOT;
		return S_BAD;
	case S_SIGN:
		if (c == '0')
			return S_ZERO;
		if (is_digit(c))
			return S_INT;
		if (c == '.')
			return S_DOT;
		return S_BAD;
	case S_ZERO:
		if (c == 'x' || c == 'X')
			return S_HEXX;
		/* fall through */
	case S_INT:
		if (is_digit(c))
			return S_INT;
		if (c == '.')
			return S_FRAC;
		if (c == 'e' || c == 'E')
			return S_EXP;
		return S_BAD;
	case S_DOT:
		return is_digit(c) ? S_FRAC : S_BAD;
	case S_FRAC:
		if (is_digit(c))
			return S_FRAC;
		if (c == 'e' || c == 'E')
			return S_EXP;
		return S_BAD;
	case S_EXP:
		if (c == '+' || c == '-')
			return S_EXPSIGN;
		/* fall through */
	case S_EXPSIGN:
		return is_digit(c) ? S_EXPINT : S_BAD;
	case S_EXPINT:
		return is_digit(c) ? S_EXPINT : S_BAD;
	case S_HEXX:
	case S_HEX:
		return is_hex(c) ? S_HEX : S_BAD;
	default:
		return S_BAD;
	}
}

NOINLINE static uint32_t sm_step(uint32_t *rs, uint32_t crc, uint32_t round)
{
	uint32_t kinds[5] = { 0 }, trans[S_COUNT] = { 0 };
	int st = S_START;

	if (round % 64 == 63)
		text_init(rs);
	for (int k = 0; k < 4; k++) {
		uint32_t r = rng(rs);

		text[r % TEXT_LEN] = (uint8_t)alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
	}
	for (size_t i = 0; i <= TEXT_LEN; i++) {
		uint8_t c = i < TEXT_LEN ? text[i] : ',';
		int kind;

		if (c != ',' && c != ' ') {
			int nst = sm_next(st, c);

			if (nst != st)
				trans[nst]++;
			st = nst;
			continue;
		}
		switch (st) {
		case S_START:
			kind = 0;	/* empty */
			break;
		case S_ZERO:
		case S_INT:
			kind = 1;	/* integer */
			break;
		case S_FRAC:
		case S_EXPINT:
			kind = 2;	/* float */
			break;
		case S_HEX:
			kind = 3;	/* hex */
			break;
		default:
			kind = 4;	/* invalid */
			break;
		}
		kinds[kind]++;
		st = S_START;
	}
	for (int k = 0; k < 5; k++)
		crc = crc32_word(crc, kinds[k] << 8 | (uint32_t)k);
	/* uint32_t array as bytes: same little-endian layout on both ends. */
	return crc32_buf(crc, (const uint8_t *)trans, sizeof(trans));
}

/* ---- branches and calls: a tiny stack bytecode interpreter ---- */

enum {
	OP_LOAD, OP_PUSH, OP_ADD, OP_SUB, OP_XOR, OP_SHR, OP_DUP, OP_SWAP,
	OP_DROP, OP_CALL, OP_DEC, OP_JNZ, OP_HALT
};

NOINLINE static uint32_t fn_gcd(uint32_t x)
{
	uint32_t a = x | 1, b = (x >> 7) | 1;

	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a * 0x9E3779B1u ^ x;
}

NOINLINE static uint32_t fn_isqrt(uint32_t x)
{
	uint32_t r = 0, bit = 1u << 30;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

NOINLINE static uint32_t fn_bits(uint32_t x)
{
	uint32_t pop = 0, y = x;

	while (y) {
		y &= y - 1;
		pop++;
	}
	return ((x << (pop & 31)) | (x >> ((32 - pop) & 31))) + pop;
}

NOINLINE static uint32_t fn_collatz(uint32_t x)
{
	uint32_t steps = 0;

	x |= 1;
	while (x != 1 && steps < 40) {
		x = (x & 1) ? x * 3 + 1 : x >> 1;
		steps++;
	}
	return x + steps * 0x10001u;
}

static uint32_t (*const vm_fns[])(uint32_t) = {
	fn_gcd, fn_isqrt, fn_bits, fn_collatz,
};

static const uint8_t vm_prog[] = {
	OP_LOAD, 0,			/* acc */
	OP_PUSH, 10,			/* acc n */
	/* 4: loop */
	OP_SWAP,			/* n acc */
	OP_DUP, OP_CALL, 0, OP_XOR,	/* n acc^gcd(acc) */
	OP_LOAD, 1, OP_ADD,
	OP_DUP, OP_CALL, 1, OP_ADD,
	OP_DUP, OP_PUSH, 3, OP_SHR, OP_CALL, 2, OP_XOR,
	OP_DUP, OP_CALL, 3, OP_SUB,
	OP_SWAP,			/* acc n */
	OP_DEC,
	OP_JNZ, 4,
	OP_DROP,
	OP_HALT,
};

NOINLINE static uint32_t vm_run(const uint8_t *code, size_t len,
				const uint32_t *in)
{
	uint32_t st[16];
	size_t pc = 0, steps = 0;
	int sp = 0;

#define NEED(n) do { if (sp < (n)) return 0xdead0001u; } while (0)
#define ROOM() do { if (sp >= 16) return 0xdead0002u; } while (0)
	while (pc < len && steps++ < 4096) {
		uint8_t op = code[pc++];
		uint32_t t;

		switch (op) {
		case OP_LOAD:
			ROOM();
			st[sp++] = in[code[pc++] & 1];
			break;
		case OP_PUSH:
			ROOM();
			st[sp++] = code[pc++];
			break;
		case OP_ADD:
			NEED(2);
			sp--;
			st[sp - 1] += st[sp];
			break;
		case OP_SUB:
			NEED(2);
			sp--;
			st[sp - 1] -= st[sp];
			break;
		case OP_XOR:
			NEED(2);
			sp--;
			st[sp - 1] ^= st[sp];
			break;
		case OP_SHR:
			NEED(2);
			sp--;
			st[sp - 1] >>= st[sp] & 31;
			break;
		case OP_DUP:
			NEED(1);
			ROOM();
			st[sp] = st[sp - 1];
			sp++;
			break;
		case OP_SWAP:
			NEED(2);
			t = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = t;
			break;
		case OP_DROP:
			NEED(1);
			sp--;
			break;
		case OP_CALL:
			NEED(1);
			st[sp - 1] = vm_fns[code[pc++] & 3](st[sp - 1]);
			break;
		case OP_DEC:
			NEED(1);
			st[sp - 1]--;
			break;
		case OP_JNZ:
			NEED(1);
			t = code[pc++];
			if (st[sp - 1])
				pc = t;
			break;
		case OP_HALT:
			NEED(1);
			return st[sp - 1];
		default:
			return 0xdead0003u;
		}
	}
	return 0xdead0004u;
#undef NEED
#undef ROOM
}

/* Recursion with data-dependent fan-out. */
NOINLINE static uint32_t rec_mix(uint32_t x, unsigned depth)
{
	if (depth == 0)
		return x * 2654435761u;
	if (x & 1)
		return rec_mix(x >> 1, depth - 1) + rec_mix(x * 3 + 1, depth - 1);
	return rec_mix((x >> 1) ^ depth, depth - 1) ^ 0x5bd1e995u;
}

NOINLINE static uint32_t vm_step(uint32_t *rs, uint32_t crc)
{
	uint32_t in[2] = { rng(rs), crc };

	crc = crc32_word(crc, vm_run(vm_prog, sizeof(vm_prog), in));
	return crc32_word(crc, rec_mix(rng(rs), 7));
}

/* ---- memory copies: byte, word, overlapping and fill ---- */

#define COPY_LEN 1024
#define COPY_PAD 64

static uint64_t copy_src[(COPY_LEN + COPY_PAD) / 8];
static uint64_t copy_dst[(COPY_LEN + COPY_PAD) / 8];

NOINLINE static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
	while (n--)
		*d++ = *s++;
}

NOINLINE static void copy_words(uint64_t *d, const uint64_t *s, size_t n)
{
	while (n >= 4) {
		uint64_t a = s[0], b = s[1], c = s[2], e = s[3];

		d[0] = a;
		d[1] = b;
		d[2] = c;
		d[3] = e;
		d += 4;
		s += 4;
		n -= 4;
	}
	while (n--)
		*d++ = *s++;
}

NOINLINE static void move_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
}

NOINLINE static void fill_bytes(uint8_t *d, uint8_t v, size_t n)
{
	while (n--)
		*d++ = v;
}

static void copy_init(uint32_t *rs)
{
	for (size_t i = 0; i < sizeof(copy_src) / 8; i++)
		copy_src[i] = rng(rs) | (uint64_t)rng(rs) << 32;
}

NOINLINE static uint32_t copy_step(uint32_t *rs, uint32_t crc)
{
	uint8_t *src = (uint8_t *)copy_src, *dst = (uint8_t *)copy_dst;
	uint32_t r = rng(rs);
	size_t so = r & 7, dof = (r >> 3) & 7, n = COPY_LEN - ((r >> 6) & 63);

	for (int k = 0; k < 8; k++) {
		uint32_t x = rng(rs);

		src[x % (COPY_LEN + COPY_PAD)] = (uint8_t)(x >> 24);
	}
	copy_bytes(dst + dof, src + so, n);
	copy_words(copy_dst + 16, copy_src + 1 + (r >> 12) % 8, 64);
	move_bytes(dst + 5, dst + 3 + ((r >> 16) & 3), 700);
	move_bytes(dst + 2 + ((r >> 18) & 7), dst + 1, 500);
	fill_bytes(dst + ((r >> 21) & 255), (uint8_t)(r >> 8), 37);
	crc = crc32_buf(crc, dst, COPY_LEN + COPY_PAD);
	/* Feed part of the result back so the source evolves. */
	copy_words(copy_src + 32, copy_dst + 1, 24);
	return crc;
}

uint64_t cpu_workload(uint32_t seed, uint32_t iters)
{
	uint32_t rs = seed ? seed : 1, crc = 0;
	uint64_t total = 0;

	crc_init();
	list_init(&rs);
	mat_init(&rs);
	text_init(&rs);
	copy_init(&rs);
	for (uint32_t it = 0; it < iters; it++) {
		rs ^= crc;
		if (rs == 0)
			rs = 1;
		crc = arith_step(&rs, crc);
		crc = list_step(&rs, crc);
		crc = mat_step(&rs, crc);
		crc = sm_step(&rs, crc, it);
		crc = vm_step(&rs, crc);
		crc = copy_step(&rs, crc);
		total += crc;
	}
	return (uint64_t)crc << 32 ^ total;
}
