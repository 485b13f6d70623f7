#!/usr/bin/env python3
import sys
sys.path.insert(0, __import__('os').path.dirname(__file__))
from fpmodel import *
from fp_arith import consts
out = []; n = 0
for P in 'sd':
    fmt = S if P == 's' else D
    c = consts(P)
    c['NSUB'] = (1 << (fmt.width-1)) | 1
    U = P.upper()
    for op in ('min', 'max'):
        for A, B in [('ONE','TWO'),('M1','ONE'),('PZ','NZ'),('NZ','PZ'),('QNAN','ONE'),('ONE','QNAN'),
                     ('SNAN','ONE'),('QNAN','QNAN'),('SNAN','QNAN'),('NINF','MAX'),('PINF','NINF'),('NQNAN','M1')]:
            r, f = minmax(fmt, c[A], c[B], op == 'max')
            n += 1; out.append(f"\tFP{U}2N {n}, f{op}.{P}, {f:#x}, {r:#x}, {c[A]:#x}, {c[B]:#x}\t/* {op} {A} {B} */")
    for op in ('eq', 'lt', 'le'):
        for A, B in [('ONE','ONE'),('ONE','TWO'),('TWO','ONE'),('PZ','NZ'),('QNAN','ONE'),('SNAN','ONE'),
                     ('ONE','QNAN'),('NINF','PINF'),('M1','M15')]:
            r, f = cmp(fmt, c[A], c[B], op)
            n += 1; out.append(f"\tFCMP{U} {n}, f{op}.{P}, {f:#x}, {r}, {c[A]:#x}, {c[B]:#x}\t/* {op} {A} {B} */")
    for A in ['NINF','M1','NSUB','NZ','PZ','MINS','ONE','PINF','SNAN','QNAN','NQNAN']:
        n += 1; out.append(f"\tFCLASS{U} {n}, {fclass(fmt, c[A]):#x}, {c[A]:#x}\t/* {A} */")
    sb = 1 << (fmt.width-1)
    for op in ('sgnj','sgnjn','sgnjx'):
        for A, B in [('ONE','M1'),('M15','M15'),('NQNAN','ONE')]:
            a, b = c[A], c[B]
            s = {'sgnj': b & sb, 'sgnjn': (b & sb) ^ sb, 'sgnjx': (a ^ b) & sb}[op]
            r = (a & ~sb) | s
            n += 1; out.append(f"\tFP{U}2N {n}, f{op}.{P}, 0, {r:#x}, {a:#x}, {b:#x}\t/* {op} {A} {B} */")
print("\n".join(out))
print(n, file=sys.stderr)
