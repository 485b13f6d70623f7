#!/usr/bin/env python3
M=(1<<64)-1; M32=(1<<32)-1
def s64(x): x&=M; return x-(1<<64) if x>>63 else x
def s32(x): x&=M32; return x-(1<<32) if x>>31 else x
def u64(x): return x&M
def h(x): return hex(x & M)
def tdiv(a,b):
    q=abs(a)//abs(b)
    return q if (a<0)==(b<0) else -q
def div(a,b):
    a,b=s64(a),s64(b)
    if b==0: return -1
    if a==-(1<<63) and b==-1: return a
    return tdiv(a,b)
def rem(a,b):
    a,b=s64(a),s64(b)
    if b==0: return a
    if a==-(1<<63) and b==-1: return 0
    return a-tdiv(a,b)*b
def divu(a,b):
    a,b=u64(a),u64(b)
    return M if b==0 else a//b
def remu(a,b):
    a,b=u64(a),u64(b)
    return a if b==0 else a%b
def divw(a,b):
    a,b=s32(a),s32(b)
    if b==0: return -1
    if a==-(1<<31) and b==-1: return a
    return s32(tdiv(a,b))
def remw(a,b):
    a,b=s32(a),s32(b)
    if b==0: return a
    if a==-(1<<31) and b==-1: return 0
    return s32(a-tdiv(a,b)*b)
def divuw(a,b):
    a,b=a&M32,b&M32
    return -1 if b==0 else s32(a//b)
def remuw(a,b):
    a,b=a&M32,b&M32
    return s32(a) if b==0 else s32(a%b)
ops={
 'mul': lambda a,b: s64(a)*s64(b),
 'mulh': lambda a,b: (s64(a)*s64(b))>>64,
 'mulhsu': lambda a,b: (s64(a)*u64(b))>>64,
 'mulhu': lambda a,b: (u64(a)*u64(b))>>64,
 'mulw': lambda a,b: s32(a*b),
 'div':div,'divu':divu,'rem':rem,'remu':remu,'divw':divw,'divuw':divuw,'remw':remw,'remuw':remuw}
MIN=1<<63; MAX=(1<<63)-1
cases=[
 ('mul',[(3,7),(-3,7),(-1,-1),(MAX,2),(0x123456789,0x987654321),(MIN,-1)]),
 ('mulh',[(3,7),(-3,7),(-1,-1),(MIN,MIN),(MAX,MAX),(MIN,-1),(0x123456789abcdef0,-0x7edcba9876543210)]),
 ('mulhsu',[(-1,-1),(-1,1),(MIN,M),(MAX,M),(5,M),(-5,0x8000000000000000)]),
 ('mulhu',[(-1,-1),(M,2),(MIN,MIN),(0x123456789abcdef0,0xfedcba9876543210),(7,9)]),
 ('mulw',[(0x7fffffff,2),(-1,-1),(0x100000001,0x100000003),(0x80000000,-1),(0x12345678,0x9abcdef)]),
 ('div',[(20,6),(-20,6),(20,-6),(-20,-6),(MIN,-1),(MIN,1),(5,0),(-5,0),(0,0)]),
 ('divu',[(20,6),(-20,6),(M,1),(5,0),(0,0),(MIN,3)]),
 ('rem',[(20,6),(-20,6),(20,-6),(-20,-6),(MIN,-1),(5,0),(-5,0)]),
 ('remu',[(20,6),(-20,6),(5,0),(M,0),(MIN,3)]),
 ('divw',[(20,6),(-20,6),(0xffffffff80000000,-1),(0x80000000,-1),(5,0),(0x100000014,6),(0x12300000000,0)]),
 ('divuw',[(20,6),(-20,6),(0x80000000,1),(5,0),(0x1ffffffff,1),(0xfffffffe,0xffffffff)]),
 ('remw',[(20,6),(-20,6),(0x80000000,-1),(5,0),(0x1fffffffb,0),(-20,0x100000006)]),
 ('remuw',[(20,6),(-20,6),(5,0),(0x80000005,0),(0x1ffffffff,0x10)]),
]
n=0
for op,cs in cases:
    for a,b in cs:
        n+=1
        print(f"\tTEST_RR {n}, {op}, {h(ops[op](a,b))}, {h(a)}, {h(b)}")
