#!/usr/bin/env python3
M=(1<<64)-1; M32=(1<<32)-1
def s64(x): x&=M; return x-(1<<64) if x>>63 else x
def s32(x): x&=M32; return x-(1<<32) if x>>31 else x
def h(x): return hex(x & M)
fn={'swap':lambda a,b:b,'add':lambda a,b:a+b,'xor':lambda a,b:a^b,'and':lambda a,b:a&b,'or':lambda a,b:a|b}
def mk(w):
    S = s32 if w else s64
    U = (lambda x:x&M32) if w else (lambda x:x&M)
    d=dict(fn)
    d['min']=lambda a,b: a if S(a)<S(b) else b
    d['max']=lambda a,b: a if S(a)>S(b) else b
    d['minu']=lambda a,b: a if U(a)<U(b) else b
    d['maxu']=lambda a,b: a if U(a)>U(b) else b
    return d
vals_d=[(0x0123456789abcdef,0x1111111111111111),(0x8000000000000000,0x7fffffffffffffff),(-5,3)]
vals_w=[(0x89abcdef,0x11111111),(0x80000000,0x7fffffff),(0xfffffffb,3)]
HI=0xcafebabe00000000
n=[0]
def nxt(): n[0]+=1; return n[0]
for op in ['swap','add','xor','and','or','min','max','minu','maxu']:
    for w,vals in ((0,vals_d),(1,vals_w)):
        d=mk(w)
        for a,b in vals:
            if w:
                init=HI|a; new=d[op](a,b)&M32; mem=HI|new; old=s32(a)
                print(f"\tTEST_AMO {nxt()}, amo{op}.w, {h(init)}, {h(b|0xdead000000000000)}, {h(mem)}, {h(old)}")
            else:
                init=a&M; new=d[op](a&M,b&M)&M; print(f"\tTEST_AMO {nxt()}, amo{op}.d, {h(init)}, {h(b)}, {h(new)}, {h(init)}")
