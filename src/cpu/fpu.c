/*
 * fpu.c - IEEE 754 binary32/binary64 arithmetic in software, with exactly
 * the results and fflags the RISC-V F and D extensions require (see fpu.h).
 *
 * Design: one generic core parameterised by a format descriptor.  Operands
 * are unpacked into (class, sign, exp, sig) with the leading 1 of sig in
 * bit 63, so a finite value is sig * 2^(exp-63).  Each operation computes
 * its result exactly, or truncated with every lost bit ORed into bit 0
 * ("sticky"), and hands it to round_pack(), the single rounding routine.
 *
 * Invariants:
 *  - integer arithmetic only: no host float types, no <fenv.h>, no libm,
 *    so results never depend on the host FPU or its rounding state;
 *  - a significand reaching round_pack() has at least two bits below the
 *    destination precision, the lowest of them sticky;
 *  - tininess is detected after rounding; UF only when tiny and inexact;
 *  - every NaN result is the canonical NaN; flags are only ever ORed in.
 */
#include "cpu/fpu.h"

__extension__ typedef unsigned __int128 u128;

struct fmt {
	int ebits, mbits; /* exponent field width, stored fraction width */
};

static const struct fmt F32 = { 8, 23 };
static const struct fmt F64 = { 11, 52 };

enum { C_ZERO, C_FIN, C_INF, C_QNAN, C_SNAN };

struct unp {
	int cls, sign, exp; /* C_FIN: value = sig * 2^(exp-63) */
	uint64_t sig;       /* C_FIN: bit 63 set; otherwise 0 */
};

/* A wide finite value: sig * 2^(exp-126), leading 1 in bit 126. */
struct wide {
	int sign, exp;
	u128 sig;
};

/* ---- format helpers ---- */

static int bias(const struct fmt *f) { return (1 << (f->ebits - 1)) - 1; }
static int emax(const struct fmt *f) { return (1 << f->ebits) - 1; }
static uint64_t sign_bit(const struct fmt *f)
{
	return 1ull << (f->ebits + f->mbits);
}

static uint64_t zero_bits(const struct fmt *f, int sign)
{
	return sign ? sign_bit(f) : 0;
}

static uint64_t inf_bits(const struct fmt *f, int sign)
{
	return zero_bits(f, sign) | (uint64_t)emax(f) << f->mbits;
}

static uint64_t nan_bits(const struct fmt *f)
{
	return inf_bits(f, 0) | 1ull << (f->mbits - 1);
}

static uint64_t invalid(const struct fmt *f, uint32_t *flags)
{
	*flags |= FPU_NV;
	return nan_bits(f);
}

static struct unp unpack(const struct fmt *f, uint64_t a)
{
	struct unp u = { C_FIN, (int)(a >> (f->ebits + f->mbits)) & 1, 0, 0 };
	uint64_t frac = a & ((1ull << f->mbits) - 1);
	int e = (int)(a >> f->mbits) & emax(f);

	if (e == emax(f)) {
		u.cls = !frac ? C_INF : frac >> (f->mbits - 1) ? C_QNAN : C_SNAN;
	} else if (e == 0 && !frac) {
		u.cls = C_ZERO;
	} else {
		if (e)
			frac |= 1ull << f->mbits;
		else
			e = 1; /* subnormal: same scale as the smallest normal */
		int sh = __builtin_clzll(frac);
		u.sig = frac << sh;
		u.exp = e - bias(f) - (sh - (63 - f->mbits));
	}
	return u;
}

/* Sets NV for a signaling NaN among x, y; returns whether either is NaN. */
static int any_nan(const struct unp *x, const struct unp *y, uint32_t *flags)
{
	if (x->cls == C_SNAN || y->cls == C_SNAN)
		*flags |= FPU_NV;
	return x->cls >= C_QNAN || y->cls >= C_QNAN;
}

/* ---- rounding ---- */

static uint64_t shr_jam(uint64_t x, int n)
{
	if (n >= 64)
		return x != 0;
	return n <= 0 ? x : x >> n | ((x << (64 - n)) != 0);
}

static u128 shr_jam128(u128 x, int n)
{
	if (n >= 128)
		return x != 0;
	return n <= 0 ? x : x >> n | ((x << (128 - n)) != 0);
}

/* sig >> s rounded per rm (1 <= s <= 63); *nx = discarded bits nonzero. */
static uint64_t round_bits(uint64_t sig, int s, int rm, int sign, int *nx)
{
	uint64_t m = sig >> s, rem = sig & ((1ull << s) - 1);
	uint64_t half = 1ull << (s - 1);
	int up;

	*nx = rem != 0;
	switch (rm) {
	case FPU_RTZ: up = 0; break;
	case FPU_RDN: up = sign && rem; break;
	case FPU_RUP: up = !sign && rem; break;
	case FPU_RMM: up = rem >= half; break;
	default: up = rem > half || (rem == half && (m & 1)); break;
	}
	return m + up;
}

static uint64_t overflow(const struct fmt *f, int sign, int rm, uint32_t *flags)
{
	int to_max = rm == FPU_RTZ || rm == (sign ? FPU_RUP : FPU_RDN);

	*flags |= FPU_OF | FPU_NX;
	return inf_bits(f, sign) - (uint64_t)to_max;
}

/* Round sig * 2^(exp-63) (sig != 0, lost bits jammed into bit 0). */
static uint64_t round_pack(const struct fmt *f, int sign, int exp,
			   uint64_t sig, int rm, uint32_t *flags)
{
	int sh = __builtin_clzll(sig), s = 63 - f->mbits, nx, tiny = 0;
	int e = exp - sh + bias(f); /* biased exponent of the leading 1 */
	uint64_t m;

	sig <<= sh;
	if (e < 1) {
		/* tiny after rounding: the result rounded to full precision
		 * with unbounded exponent is still below the smallest normal */
		m = round_bits(sig, s, rm, sign, &nx);
		tiny = e < 0 || !(m >> (f->mbits + 1));
		sig = shr_jam(sig, 1 - e);
		e = 1;
	}
	m = round_bits(sig, s, rm, sign, &nx);
	if (e - 1 + (int)(m >> f->mbits) >= emax(f))
		return overflow(f, sign, rm, flags);
	if (nx)
		*flags |= FPU_NX | (tiny ? FPU_UF : 0);
	/* m includes the hidden bit, so a carry out bumps the exponent */
	return zero_bits(f, sign) + ((uint64_t)(e - 1) << f->mbits) + m;
}

/* Round r * 2^(exp-127), r != 0. */
static uint64_t round_pack128(const struct fmt *f, int sign, int exp, u128 r,
			      int rm, uint32_t *flags)
{
	uint64_t hi = (uint64_t)(r >> 64), lo = (uint64_t)r;

	if (!hi)
		return round_pack(f, sign, exp - 64, lo, rm, flags);
	int sh = __builtin_clzll(hi);
	r <<= sh;
	hi = (uint64_t)(r >> 64) | ((uint64_t)r != 0);
	return round_pack(f, sign, exp - sh, hi, rm, flags);
}

/* ---- arithmetic ---- */

static struct wide widen(const struct unp *x)
{
	return (struct wide){ x->sign, x->exp, (u128)x->sig << 63 };
}

/* x + y for finite nonzero wide operands. */
static uint64_t add_wide(const struct fmt *f, struct wide x, struct wide y,
			 int rm, uint32_t *flags)
{
	if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
		struct wide t = x;
		x = y;
		y = t;
	}
	y.sig = shr_jam128(y.sig, x.exp - y.exp);
	u128 r = x.sign == y.sign ? x.sig + y.sig : x.sig - y.sig;
	if (!r)
		return zero_bits(f, rm == FPU_RDN);
	return round_pack128(f, x.sign, x.exp + 1, r, rm, flags);
}

/* x + y for finite nonzero operands.  Significands hold at most 53 bits,
 * so after a 1-bit shift for the carry at least 10 guard bits remain,
 * and the aligned operand's lost bits are jammed into bit 0. */
static uint64_t add_fin(const struct fmt *f, struct unp x, struct unp y,
		       int rm, uint32_t *flags)
{
	if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
		struct unp t = x;
		x = y;
		y = t;
	}
	uint64_t ys = shr_jam(y.sig >> 1, x.exp - y.exp), xs = x.sig >> 1;
	uint64_t r = x.sign == y.sign ? xs + ys : xs - ys;
	if (!r)
		return zero_bits(f, rm == FPU_RDN);
	return round_pack(f, x.sign, x.exp + 1, r, rm, flags);
}

static uint64_t add(const struct fmt *f, uint64_t a, uint64_t b, int rm,
		    uint32_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);

	if (any_nan(&x, &y, flags))
		return nan_bits(f);
	if (x.cls == C_INF || y.cls == C_INF) {
		if (x.cls == y.cls && x.sign != y.sign)
			return invalid(f, flags);
		return x.cls == C_INF ? a : b;
	}
	if (x.cls == C_ZERO && y.cls == C_ZERO)
		return zero_bits(f, x.sign == y.sign ? x.sign : rm == FPU_RDN);
	if (x.cls == C_ZERO || y.cls == C_ZERO)
		return x.cls == C_ZERO ? b : a;
	return add_fin(f, x, y, rm, flags);
}

static uint64_t mul(const struct fmt *f, uint64_t a, uint64_t b, int rm,
		    uint32_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);
	int sign = x.sign ^ y.sign;

	if (any_nan(&x, &y, flags))
		return nan_bits(f);
	if (x.cls == C_INF || y.cls == C_INF) {
		if (x.cls == C_ZERO || y.cls == C_ZERO)
			return invalid(f, flags);
		return inf_bits(f, sign);
	}
	if (x.cls == C_ZERO || y.cls == C_ZERO)
		return zero_bits(f, sign);
	return round_pack128(f, sign, x.exp + y.exp + 1, (u128)x.sig * y.sig,
			     rm, flags);
}

static uint64_t divide(const struct fmt *f, uint64_t a, uint64_t b, int rm,
		       uint32_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);
	int sign = x.sign ^ y.sign;

	if (any_nan(&x, &y, flags))
		return nan_bits(f);
	if (x.cls == C_INF)
		return y.cls == C_INF ? invalid(f, flags) : inf_bits(f, sign);
	if (y.cls == C_INF)
		return zero_bits(f, sign);
	if (y.cls == C_ZERO) {
		if (x.cls == C_ZERO)
			return invalid(f, flags);
		*flags |= FPU_DZ;
		return inf_bits(f, sign);
	}
	if (x.cls == C_ZERO)
		return zero_bits(f, sign);
	/* x.sig / y.sig is in (1/2, 2), so the quotient fits in 64 bits */
	u128 n = (u128)x.sig << 63;
	uint64_t q = (uint64_t)(n / y.sig), r = (uint64_t)(n % y.sig);
	return round_pack(f, sign, x.exp - y.exp, q | (r != 0), rm, flags);
}

/* floor(sqrt(n)) for n in [2^126, 2^128): Newton from above. */
static uint64_t isqrt128(u128 n)
{
	/* sqrt(u) <= (u+1)/2 with u = n/2^126 gives x >= sqrt(n), within
	 * 25%; quadratic convergence then needs at most 7 steps. */
	u128 x = (n >> 64) + (1ull << 62) + 1;

	for (int i = 0; i < 10; i++) {
		u128 y = (x + n / x) >> 1;
		if (y >= x)
			break;
		x = y;
	}
	return (uint64_t)x;
}

static uint64_t sqroot(const struct fmt *f, uint64_t a, int rm, uint32_t *flags)
{
	struct unp x = unpack(f, a);

	if (any_nan(&x, &x, flags))
		return nan_bits(f);
	if (x.cls == C_ZERO)
		return a;
	if (x.sign)
		return invalid(f, flags);
	if (x.cls == C_INF)
		return a;
	/* make the exponent even; n = sig * 2^63 or 2^64 */
	int odd = x.exp & 1;
	u128 n = (u128)x.sig << (63 + odd);
	uint64_t r = isqrt128(n);
	uint64_t sticky = (u128)r * r != n;
	return round_pack(f, 0, (x.exp - odd) / 2, r | sticky, rm, flags);
}

static uint64_t fused(const struct fmt *f, uint64_t a, uint64_t b, uint64_t c,
		    int rm, uint32_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b), z = unpack(f, c);
	int ps = x.sign ^ y.sign;
	int nan = any_nan(&x, &y, flags) | any_nan(&z, &z, flags);

	/* inf * 0 is invalid even when c is a quiet NaN */
	if ((x.cls == C_INF && y.cls == C_ZERO) ||
	    (x.cls == C_ZERO && y.cls == C_INF))
		return invalid(f, flags);
	if (nan)
		return nan_bits(f);
	if (x.cls == C_INF || y.cls == C_INF) {
		if (z.cls == C_INF && z.sign != ps)
			return invalid(f, flags);
		return inf_bits(f, ps);
	}
	if (z.cls == C_INF)
		return c;
	if (x.cls == C_ZERO || y.cls == C_ZERO) {
		if (z.cls != C_ZERO)
			return c;
		return zero_bits(f, ps == z.sign ? ps : rm == FPU_RDN);
	}
	struct wide p = { ps, x.exp + y.exp, (u128)x.sig * y.sig };
	if (z.cls == C_ZERO)
		return round_pack128(f, ps, p.exp + 1, p.sig, rm, flags);
	if (p.sig >> 127) { /* low bits are zero: the shift is exact */
		p.sig >>= 1;
		p.exp++;
	}
	return add_wide(f, p, widen(&z), rm, flags);
}

/* ---- min/max, compare, classify ---- */

/* Total order on non-NaN encodings with -0 < +0. */
static uint64_t order_key(const struct fmt *f, uint64_t a)
{
	uint64_t sb = sign_bit(f);
	return (a & sb ? ~a : a | sb) & (sb | (sb - 1));
}

static uint64_t minmax(const struct fmt *f, uint64_t a, uint64_t b, int max,
		       uint32_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);

	if (any_nan(&x, &y, flags)) {
		if (x.cls >= C_QNAN && y.cls >= C_QNAN)
			return nan_bits(f);
		return x.cls >= C_QNAN ? b : a;
	}
	return (order_key(f, a) < order_key(f, b)) != max ? a : b;
}

enum { CMP_UN, CMP_LT, CMP_EQ, CMP_GT };

static int compare(const struct fmt *f, uint64_t a, uint64_t b, int quiet,
		   uint32_t *flags)
{
	struct unp x = unpack(f, a), y = unpack(f, b);

	if (x.cls >= C_QNAN || y.cls >= C_QNAN) {
		if (!quiet || x.cls == C_SNAN || y.cls == C_SNAN)
			*flags |= FPU_NV;
		return CMP_UN;
	}
	if (x.cls == C_ZERO && y.cls == C_ZERO)
		return CMP_EQ;
	uint64_t ka = order_key(f, a), kb = order_key(f, b);
	return ka < kb ? CMP_LT : ka == kb ? CMP_EQ : CMP_GT;
}

static uint32_t classify(const struct fmt *f, uint64_t a)
{
	struct unp x = unpack(f, a);
	int k; /* bit index for the negative class; positive is 7 - k */

	switch (x.cls) {
	case C_SNAN: return 1u << 8;
	case C_QNAN: return 1u << 9;
	case C_INF: k = 0; break;
	case C_ZERO: k = 3; break;
	default: k = (a >> f->mbits) & (uint64_t)emax(f) ? 1 : 2; break;
	}
	return 1u << (x.sign ? k : 7 - k);
}

/* ---- conversions ---- */

static uint64_t convert(const struct fmt *to, const struct fmt *from,
			uint64_t a, int rm, uint32_t *flags)
{
	struct unp x = unpack(from, a);

	switch (x.cls) {
	case C_SNAN: return invalid(to, flags);
	case C_QNAN: return nan_bits(to);
	case C_INF: return inf_bits(to, x.sign);
	case C_ZERO: return zero_bits(to, x.sign);
	default: return round_pack(to, x.sign, x.exp, x.sig, rm, flags);
	}
}

/* Float to a w-bit integer (signed if sgn), saturating per RISC-V. */
static uint64_t to_int(const struct fmt *f, uint64_t a, int rm, int w, int sgn,
		       uint32_t *flags)
{
	struct unp x = unpack(f, a);
	uint64_t max = sgn ? (1ull << (w - 1)) - 1 : ~0ull >> (64 - w);
	uint64_t mag;
	int nx = 0;

	if (x.cls >= C_QNAN)
		x.sign = 0; /* NaN saturates like +inf */
	if (x.cls == C_ZERO)
		return 0;
	if (x.cls != C_FIN || x.exp > 63)
		goto out_of_range;
	if (x.exp == 63)
		mag = x.sig;
	else if (x.exp < 1) /* |a| < 2: cap the shift at 62, jam the rest */
		mag = round_bits(shr_jam(x.sig, 1 - x.exp), 62, rm, x.sign, &nx);
	else
		mag = round_bits(x.sig, 63 - x.exp, rm, x.sign, &nx);
	if (mag > (x.sign ? (sgn ? max + 1 : 0) : max))
		goto out_of_range;
	if (nx)
		*flags |= FPU_NX;
	return x.sign ? -mag : mag;
out_of_range:
	*flags |= FPU_NV;
	return x.sign ? (sgn ? ~max : 0) : max;
}

static uint64_t from_int(const struct fmt *f, int sign, uint64_t mag, int rm,
			 uint32_t *flags)
{
	return mag ? round_pack(f, sign, 63, mag, rm, flags) : 0;
}

static uint64_t mag64(int64_t a)
{
	return a < 0 ? -(uint64_t)a : (uint64_t)a;
}

/* ---- public entry points ---- */

#define S(x) ((uint32_t)(x))

uint32_t fpu_add_s(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{ return S(add(&F32, a, b, rm, fl)); }
uint32_t fpu_sub_s(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{ return S(add(&F32, a, b ^ 0x80000000u, rm, fl)); }
uint32_t fpu_mul_s(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{ return S(mul(&F32, a, b, rm, fl)); }
uint32_t fpu_div_s(uint32_t a, uint32_t b, int rm, uint32_t *fl)
{ return S(divide(&F32, a, b, rm, fl)); }
uint32_t fpu_sqrt_s(uint32_t a, int rm, uint32_t *fl)
{ return S(sqroot(&F32, a, rm, fl)); }
uint32_t fpu_fma_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *fl)
{ return S(fused(&F32, a, b, c, rm, fl)); }

uint64_t fpu_add_d(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return add(&F64, a, b, rm, fl); }
uint64_t fpu_sub_d(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return add(&F64, a, b ^ (1ull << 63), rm, fl); }
uint64_t fpu_mul_d(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return mul(&F64, a, b, rm, fl); }
uint64_t fpu_div_d(uint64_t a, uint64_t b, int rm, uint32_t *fl)
{ return divide(&F64, a, b, rm, fl); }
uint64_t fpu_sqrt_d(uint64_t a, int rm, uint32_t *fl)
{ return sqroot(&F64, a, rm, fl); }
uint64_t fpu_fma_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{ return fused(&F64, a, b, c, rm, fl); }

uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return S(minmax(&F32, a, b, 0, fl)); }
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return S(minmax(&F32, a, b, 1, fl)); }
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return minmax(&F64, a, b, 0, fl); }
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return minmax(&F64, a, b, 1, fl); }

int fpu_eq_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return compare(&F32, a, b, 1, fl) == CMP_EQ; }
int fpu_lt_s(uint32_t a, uint32_t b, uint32_t *fl)
{ return compare(&F32, a, b, 0, fl) == CMP_LT; }
int fpu_le_s(uint32_t a, uint32_t b, uint32_t *fl)
{ int c = compare(&F32, a, b, 0, fl); return c == CMP_LT || c == CMP_EQ; }
int fpu_eq_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return compare(&F64, a, b, 1, fl) == CMP_EQ; }
int fpu_lt_d(uint64_t a, uint64_t b, uint32_t *fl)
{ return compare(&F64, a, b, 0, fl) == CMP_LT; }
int fpu_le_d(uint64_t a, uint64_t b, uint32_t *fl)
{ int c = compare(&F64, a, b, 0, fl); return c == CMP_LT || c == CMP_EQ; }

uint32_t fpu_class_s(uint32_t a) { return classify(&F32, a); }
uint32_t fpu_class_d(uint64_t a) { return classify(&F64, a); }

uint64_t fpu_s_to_d(uint32_t a, uint32_t *fl)
{ return convert(&F64, &F32, a, FPU_RNE, fl); }
uint32_t fpu_d_to_s(uint64_t a, int rm, uint32_t *fl)
{ return S(convert(&F32, &F64, a, rm, fl)); }

int32_t fpu_s_to_i32(uint32_t a, int rm, uint32_t *fl)
{ return (int32_t)to_int(&F32, a, rm, 32, 1, fl); }
uint32_t fpu_s_to_u32(uint32_t a, int rm, uint32_t *fl)
{ return S(to_int(&F32, a, rm, 32, 0, fl)); }
int64_t fpu_s_to_i64(uint32_t a, int rm, uint32_t *fl)
{ return (int64_t)to_int(&F32, a, rm, 64, 1, fl); }
uint64_t fpu_s_to_u64(uint32_t a, int rm, uint32_t *fl)
{ return to_int(&F32, a, rm, 64, 0, fl); }
int32_t fpu_d_to_i32(uint64_t a, int rm, uint32_t *fl)
{ return (int32_t)to_int(&F64, a, rm, 32, 1, fl); }
uint32_t fpu_d_to_u32(uint64_t a, int rm, uint32_t *fl)
{ return S(to_int(&F64, a, rm, 32, 0, fl)); }
int64_t fpu_d_to_i64(uint64_t a, int rm, uint32_t *fl)
{ return (int64_t)to_int(&F64, a, rm, 64, 1, fl); }
uint64_t fpu_d_to_u64(uint64_t a, int rm, uint32_t *fl)
{ return to_int(&F64, a, rm, 64, 0, fl); }

uint32_t fpu_i32_to_s(int32_t a, int rm, uint32_t *fl)
{ return S(from_int(&F32, a < 0, mag64(a), rm, fl)); }
uint32_t fpu_u32_to_s(uint32_t a, int rm, uint32_t *fl)
{ return S(from_int(&F32, 0, a, rm, fl)); }
uint32_t fpu_i64_to_s(int64_t a, int rm, uint32_t *fl)
{ return S(from_int(&F32, a < 0, mag64(a), rm, fl)); }
uint32_t fpu_u64_to_s(uint64_t a, int rm, uint32_t *fl)
{ return S(from_int(&F32, 0, a, rm, fl)); }
uint64_t fpu_i32_to_d(int32_t a, int rm, uint32_t *fl)
{ return from_int(&F64, a < 0, mag64(a), rm, fl); }
uint64_t fpu_u32_to_d(uint32_t a, int rm, uint32_t *fl)
{ return from_int(&F64, 0, a, rm, fl); }
uint64_t fpu_i64_to_d(int64_t a, int rm, uint32_t *fl)
{ return from_int(&F64, a < 0, mag64(a), rm, fl); }
uint64_t fpu_u64_to_d(uint64_t a, int rm, uint32_t *fl)
{ return from_int(&F64, 0, a, rm, fl); }
