#!/usr/bin/env python3
import sys, struct
sys.path.insert(0, __import__('os').path.dirname(__file__))
from fpmodel import *
from fp_arith import consts, fs, fd
RMN = ['rne','rtz','rdn','rup','rmm']
M64 = (1 << 64) - 1
def sx32(v): v &= 0xffffffff; return v - (1 << 32) if v >> 31 else v
P = sys.argv[1]
fmt = S if P == 's' else D
enc = fs if P == 's' else fd
U = P.upper()
out = []; n = 0
def emit(s):
    global n; n += 1; out.append(s.replace('@', str(n)))
c = consts(P)
vals = {'1.5': enc(1.5), '-1.5': enc(-1.5), '2.5': enc(2.5), '-0.5': enc(-0.5), '0.1': enc(0.1), '-0': c['NZ'],
        'qNaN': c['QNAN'], 'sNaN': c['SNAN'], '-qNaN': c['NQNAN'], '+inf': c['PINF'], '-inf': c['NINF'],
        '2^31': enc(2.0**31), '-2^31': enc(-2.0**31), '2^32': enc(2.0**32), '2^63': enc(2.0**63),
        '-2^63': enc(-2.0**63), '2^64': enc(2.0**64), 'max': c['MAX'], '-max': c['MAX'] | 1 << (fmt.width-1),
        'minsub': c['MINS'], '-1': enc(-1.0), '1e9': enc(1e9)}
if P == 'd':
    vals.update({'2^31-0.5': fd(2.0**31 - 0.5), '-2^31-1': fd(-2.0**31 - 1), '2^32-0.5': fd(2.0**32 - 0.5),
                 '2^63-1024': fd(2.0**63 - 1024)})
else:
    vals.update({'2^31-128': fs(2.0**31 - 128), '2^32-256': fs(2.0**32 - 256), '2^63-2^39': fs(2.0**63 - 2.0**39)})
conv = [('w', 32, True), ('wu', 32, False), ('l', 64, True), ('lu', 64, False)]
sweep = ['1.5', '-1.5', '2.5', '-0.5']
for name, bits, signed in conv:
    for vn, v in vals.items():
        rms = [0, 1, 2, 3, 4] if vn in sweep else [0]
        if vn in ('0.1', 'minsub'): rms = [0, 3]
        for rm in rms:
            r, f = to_int(fmt, v, rm, bits, signed)
            if bits == 32: r = sx32(r)   # 32-bit results are sign-extended
            emit(f"\tFCVTI{U} @, fcvt.{name}.{P}, {RMN[rm]}, {(rm+2)%5}, {f:#x}, {r & M64:#x}, {v:#x}\t/* {vn} */")
    # one dynamic-rm check per conversion
    for rm in (1, 2, 3, 4):
        r, f = to_int(fmt, vals['-1.5'], rm, bits, signed)
        if bits == 32: r = sx32(r)
        emit(f"\tFCVTI{U} @, fcvt.{name}.{P}, dyn, {rm}, {f:#x}, {r & M64:#x}, {vals['-1.5']:#x}\t/* -1.5 dyn */")
ints = [0, 1, -1, 2**24 + 1, 0x7fffffff, -2**31, 0xffffffff, 2**63 - 1, -2**63, 2**64 - 1,
        0x1234567890abcdef, 0xffffffff00000005, 0x100000003, 2**53 + 1, -(2**53 + 1)]
for name, bits, signed in conv:
    for i in ints:
        raw = i & M64
        if bits == 32:
            v = sx32(raw) if signed else raw & 0xffffffff
        else:
            v = raw - (1 << 64) if signed and raw >> 63 else raw
        inexact_possible = round_fmt(fmt, F(v), 0)[1] if v else 0
        rms = [0, 1, 2, 3, 4] if inexact_possible else [0]
        if P == 'd' and bits == 32:   # always exact: no rm operand
            r, f = from_int(fmt, v, 0)
            emit(f"\tFCVTDIX @, fcvt.{P}.{name}, {f:#x}, {r:#x}, {raw:#x}\t/* {v} */")
            continue
        for rm in rms:
            r, f = from_int(fmt, v, rm)
            emit(f"\tFCVT{U}I @, fcvt.{P}.{name}, {RMN[rm]}, {(rm+2)%5}, {f:#x}, {r:#x}, {raw:#x}\t/* {v} */")
    if P == 'd' and bits == 32:
        continue
    r, f = from_int(fmt, 0x7fffffff if bits == 32 else 2**63 - 1, 2)
    emit(f"\tFCVT{U}I @, fcvt.{P}.{name}, dyn, 2, {f:#x}, {r:#x}, {(0x7fffffff if bits == 32 else 2**63-1):#x}\t/* dyn rdn */")
if P == 's':   # fcvt.s.d
    dv = {'0.1': fd(0.1), '1e300': fd(1e300), '-1e300': fd(-1e300), '1e-300': fd(1e-300), 'qNaN': D.cnan(),
          'sNaN': 0x7ff0000000000001, '-qNaN': 0xfff8000000001234, '+inf': D.inf(0), '-0': 1 << 63,
          'maxsub': 0x000fffffffffffff, '1+2^-24': fd(1 + 2.0**-24), '-1-2^-24': fd(-1 - 2.0**-24),
          'fltmax+': fd(3.4028235677973366e38), 'minsub_s': fd(2.0**-149), '2^-150': fd(2.0**-150)}
    for vn, v in dv.items():
        rms = [0, 1, 2, 3, 4] if vn in ('0.1', '1e300', '-1e300', '1+2^-24', '-1-2^-24', '2^-150', '1e-300') else [0]
        for rm in rms:
            r, f = cvt(D, S, v, rm)
            emit(f"\tFCVTSD @, {RMN[rm]}, {(rm+2)%5}, {f:#x}, {r:#x}, {v:#x}\t/* {vn} */")
    r, f = cvt(D, S, dv['0.1'], 3)
    emit(f"\tFCVTSD @, dyn, 3, {f:#x}, {r:#x}, {dv['0.1']:#x}\t/* 0.1 dyn rup */")
else:          # fcvt.d.s
    sv = {'0.1': fs(0.1), 'qNaN': S.cnan(), 'sNaN': 0x7f800001, '-qNaN': 0xffc12345, '-inf': S.inf(1),
          '-0': 0x80000000, 'minsub': 1, 'max': 0x7f7fffff, '-1.5': fs(-1.5)}
    for vn, v in sv.items():
        r, f = cvt(S, D, v, 0)
        emit(f"\tFCVTDS @, {f:#x}, {r:#x}, {v:#x}\t/* {vn} */")
# fp -> int cases go to fp_f2i_<P>.S, the rest to fp_i2f_<P>.S; each file
# is renumbered from 1 (tools/renum.py)
print("\n".join(out))
print(P, n, file=sys.stderr)
