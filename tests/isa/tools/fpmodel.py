# Exact IEEE-754 binary32/64 reference model with RISC-V semantics.
from fractions import Fraction as F
from math import isqrt
NX,UF,OF,DZ,NV = 1,2,4,8,16
RNE,RTZ,RDN,RUP,RMM = 0,1,2,3,4
class Fmt:
    def __init__(s, e, m):
        s.e, s.m = e, m
        s.bias = (1 << (e-1)) - 1
        s.emin = 1 - s.bias
        s.emax = s.bias
        s.width = 1 + e + m
    def cnan(s): return ((1 << s.e) - 1) << s.m | 1 << (s.m-1)
    def inf(s, sign): return (sign << (s.width-1)) | (((1 << s.e)-1) << s.m)
    def zero(s, sign): return sign << (s.width-1)
    def maxf(s, sign): return (sign << (s.width-1)) | ((((1 << s.e)-2) << s.m) | ((1 << s.m)-1))
S = Fmt(8, 23); D = Fmt(11, 52)

def decode(fmt, b):
    sign = b >> (fmt.width-1) & 1
    ex = b >> fmt.m & ((1 << fmt.e)-1)
    fr = b & ((1 << fmt.m)-1)
    if ex == (1 << fmt.e)-1:
        if fr == 0: return ('inf', sign, None)
        return ('snan' if not (fr >> (fmt.m-1)) else 'qnan', sign, None)
    if ex == 0:
        if fr == 0: return ('zero', sign, F(0))
        v = F(fr, 1 << fmt.m) * F(2)**fmt.emin
    else:
        v = F((1 << fmt.m) | fr, 1 << fmt.m) * F(2)**(ex - fmt.bias)
    return ('num', sign, -v if sign else v)

def ilog2(a):  # floor(log2(a)) for Fraction a > 0
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if F(2)**e > a: e -= 1
    if F(2)**(e+1) <= a: e += 1
    return e

def rnd_int(m, rm, sign):  # m: Fraction >= 0 (magnitude); returns integer
    fl = m.numerator // m.denominator
    frac = m - fl
    if frac == 0: return fl
    if rm == RTZ: return fl
    if rm == RDN: return fl + 1 if sign else fl
    if rm == RUP: return fl if sign else fl + 1
    if frac > F(1,2): return fl + 1
    if frac < F(1,2): return fl
    if rm == RMM: return fl + 1
    return fl if fl % 2 == 0 else fl + 1

def round_fmt(fmt, x, rm, zsign=0):
    """x: exact Fraction (nonzero unless zsign given). returns (bits, flags)"""
    if x == 0: return fmt.zero(zsign), 0
    sign = 1 if x < 0 else 0
    a = -x if sign else x
    e = ilog2(a)
    # tininess after rounding: round with unbounded exponent
    q = F(2)**(e - fmt.m)
    mu = rnd_int(a / q, rm, sign)
    tiny = mu * q < F(2)**fmt.emin
    ec = max(e, fmt.emin)
    q = F(2)**(ec - fmt.m)
    mi = rnd_int(a / q, rm, sign)
    flags = 0
    inexact = (mi * q != a)
    if mi == 1 << (fmt.m+1):
        mi >>= 1; ec += 1
    if ec > fmt.emax:
        flags = OF | NX
        if rm in (RNE, RMM) or (rm == RUP and not sign) or (rm == RDN and sign):
            return fmt.inf(sign), flags
        return fmt.maxf(sign), flags
    if inexact:
        flags |= NX
        if tiny: flags |= UF
    if mi < (1 << fmt.m):
        bits = mi  # subnormal or zero
    else:
        bits = ((ec + fmt.bias) << fmt.m) | (mi - (1 << fmt.m))
    return (sign << (fmt.width-1)) | bits, flags

def nan_check(fmt, *ops):
    fl = NV if any(o[0] == 'snan' for o in ops) else 0
    if any(o[0] in ('snan','qnan') for o in ops): return True, fl
    return False, fl

def add(fmt, a, b, rm, sub=False):
    A, B = decode(fmt, a), decode(fmt, b)
    if sub:
        B = (B[0], B[1]^1, -B[2] if B[2] is not None else None)
    isn, fl = nan_check(fmt, A, B)
    if isn: return fmt.cnan(), fl
    if A[0] == 'inf' or B[0] == 'inf':
        if A[0] == 'inf' and B[0] == 'inf' and A[1] != B[1]: return fmt.cnan(), NV
        return fmt.inf(A[1] if A[0] == 'inf' else B[1]), 0
    s = A[2] + B[2]
    if s == 0:
        if A[0] == 'zero' and B[0] == 'zero' and A[1] == B[1]: zs = A[1]
        else: zs = 1 if rm == RDN else 0
        return fmt.zero(zs), 0
    return round_fmt(fmt, s, rm)

def mul(fmt, a, b, rm):
    A, B = decode(fmt, a), decode(fmt, b)
    isn, fl = nan_check(fmt, A, B)
    if isn: return fmt.cnan(), fl
    sg = A[1] ^ B[1]
    if A[0] == 'inf' or B[0] == 'inf':
        if A[0] == 'zero' or B[0] == 'zero': return fmt.cnan(), NV
        return fmt.inf(sg), 0
    p = A[2] * B[2]
    if p == 0: return fmt.zero(sg), 0
    return round_fmt(fmt, p, rm)

def div(fmt, a, b, rm):
    A, B = decode(fmt, a), decode(fmt, b)
    isn, fl = nan_check(fmt, A, B)
    if isn: return fmt.cnan(), fl
    sg = A[1] ^ B[1]
    if A[0] == 'inf':
        if B[0] == 'inf': return fmt.cnan(), NV
        return fmt.inf(sg), 0
    if B[0] == 'inf': return fmt.zero(sg), 0
    if B[0] == 'zero':
        if A[0] == 'zero': return fmt.cnan(), NV
        return fmt.inf(sg), DZ
    if A[0] == 'zero': return fmt.zero(sg), 0
    return round_fmt(fmt, A[2] / B[2], rm)

def sqrt(fmt, a, rm):
    A = decode(fmt, a)
    isn, fl = nan_check(fmt, A)
    if isn: return fmt.cnan(), fl
    if A[0] == 'zero': return fmt.zero(A[1]), 0
    if A[1]: return fmt.cnan(), NV
    if A[0] == 'inf': return fmt.inf(0), 0
    v = A[2]
    k = max(10, (260 - ilog2(v)) // 2 + 1)
    t = v * F(4)**k
    ti = t.numerator // t.denominator
    r = isqrt(ti)
    exact = (r * r == ti) and (t == ti)
    approx = F(r, 2**k) if exact else (F(r, 2**k) + F(1, 2**(k+1)))
    return round_fmt(fmt, approx, rm)

def fma(fmt, a, b, c, rm, negprod=False, negc=False):
    A, B, C = decode(fmt, a), decode(fmt, b), decode(fmt, c)
    if negprod: A = (A[0], A[1]^1, -A[2] if A[2] is not None else None)
    if negc: C = (C[0], C[1]^1, -C[2] if C[2] is not None else None)
    fl = NV if any(o[0] == 'snan' for o in (A, B, C)) else 0
    if (A[0] == 'inf' and B[0] == 'zero') or (A[0] == 'zero' and B[0] == 'inf'):
        return fmt.cnan(), NV
    if any(o[0] in ('snan','qnan') for o in (A, B, C)): return fmt.cnan(), fl
    ps = A[1] ^ B[1]
    if A[0] == 'inf' or B[0] == 'inf':
        if C[0] == 'inf' and C[1] != ps: return fmt.cnan(), NV
        return fmt.inf(ps), 0
    if C[0] == 'inf': return fmt.inf(C[1]), 0
    p = A[2] * B[2]
    s = p + C[2]
    if s == 0:
        if p == 0 and C[0] == 'zero' and ps == C[1]: zs = ps
        else: zs = 1 if rm == RDN else 0
        return fmt.zero(zs), 0
    return round_fmt(fmt, s, rm)

def is_nan(fmt, b): return decode(fmt, b)[0] in ('snan','qnan')
def minmax(fmt, a, b, ismax):
    A, B = decode(fmt, a), decode(fmt, b)
    fl = NV if A[0] == 'snan' or B[0] == 'snan' else 0
    an, bn = is_nan(fmt, a), is_nan(fmt, b)
    if an and bn: return fmt.cnan(), fl
    if an: return b, fl
    if bn: return a, fl
    def key(o):
        if o[0] == 'inf': return (F(10)**400 if not o[1] else -F(10)**400, 0)
        return (o[2], -o[1])  # -0 < +0
    ka, kb = key(A), key(B)
    if ismax: return (a if ka >= kb else b), fl
    return (a if ka <= kb else b), fl

def cmp(fmt, a, b, op):
    A, B = decode(fmt, a), decode(fmt, b)
    an, bn = is_nan(fmt, a), is_nan(fmt, b)
    if an or bn:
        if op == 'eq': return 0, NV if (A[0] == 'snan' or B[0] == 'snan') else 0
        return 0, NV
    def val(o):
        if o[0] == 'inf': return F(10)**400 * (-1 if o[1] else 1)
        return o[2]
    x, y = val(A), val(B)
    return int({'eq': x == y, 'lt': x < y, 'le': x <= y}[op]), 0

def fclass(fmt, a):
    k, s, v = decode(fmt, a)
    ex = a >> fmt.m & ((1 << fmt.e)-1)
    if k == 'inf': return 1 << (0 if s else 7)
    if k == 'zero': return 1 << (3 if s else 4)
    if k == 'snan': return 1 << 8
    if k == 'qnan': return 1 << 9
    if ex == 0: return 1 << (2 if s else 5)
    return 1 << (1 if s else 6)

def to_int(fmt, a, rm, bits, signed):
    A = decode(fmt, a)
    lo, hi = (-(1 << (bits-1)), (1 << (bits-1)) - 1) if signed else (0, (1 << bits) - 1)
    if A[0] in ('snan','qnan'): return hi, NV
    if A[0] == 'inf': return (lo if A[1] else hi), NV
    v = A[2]
    if v == 0: return 0, 0
    sg = 1 if v < 0 else 0
    r = rnd_int(-v if sg else v, rm, sg)
    r = -r if sg else r
    if r < lo: return lo, NV
    if r > hi: return hi, NV
    return r, (NX if F(r) != v else 0)

def from_int(fmt, i, rm):
    if i == 0: return fmt.zero(0), 0
    return round_fmt(fmt, F(i), rm)

def cvt(src, dst, a, rm):
    A = decode(src, a)
    if A[0] in ('snan','qnan'): return dst.cnan(), NV if A[0] == 'snan' else 0
    if A[0] == 'inf': return dst.inf(A[1]), 0
    if A[0] == 'zero': return dst.zero(A[1]), 0
    return round_fmt(dst, A[2], rm)
