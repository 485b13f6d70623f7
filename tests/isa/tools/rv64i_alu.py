#!/usr/bin/env python3
M=(1<<64)-1
def s64(x): x&=M; return x-(1<<64) if x>>63 else x
def s32(x): x&=0xffffffff; return x-(1<<32) if x>>31 else x
def h(x): return hex(x & M)
ops = {
 'add': lambda a,b: a+b, 'sub': lambda a,b: a-b,
 'sll': lambda a,b: a<<(b&63), 'srl': lambda a,b: (a&M)>>(b&63), 'sra': lambda a,b: s64(a)>>(b&63),
 'slt': lambda a,b: int(s64(a)<s64(b)), 'sltu': lambda a,b: int((a&M)<(b&M)),
 'xor': lambda a,b: a^b, 'or': lambda a,b: a|b, 'and': lambda a,b: a&b,
 'addw': lambda a,b: s32(a+b), 'subw': lambda a,b: s32(a-b),
 'sllw': lambda a,b: s32(a<<(b&31)), 'srlw': lambda a,b: s32((a&0xffffffff)>>(b&31)),
 'sraw': lambda a,b: s32(a)>>(b&31),
}
iops = {'addi':'add','slti':'slt','sltiu':'sltu','xori':'xor','ori':'or','andi':'and',
 'slli':'sll','srli':'srl','srai':'sra','addiw':'addw','slliw':'sllw','srliw':'srlw','sraiw':'sraw'}
rr = [
 ('add',[(1,2),(0x7fffffffffffffff,1),(-1,1),(0x80000000,0x80000000),(-5,-7)]),
 ('sub',[(3,5),(0,1),(0x8000000000000000,1),(-1,-1)]),
 ('sll',[(1,0),(1,63),(0x123,64),(0x123,65),(-1,31),(0xf0f0,-1)]),
 ('srl',[(0x8000000000000000,63),(-1,0),(-1,1),(-1,64),(0x123456789abcdef0,68)]),
 ('sra',[(0x8000000000000000,63),(-1,13),(0x8000000000000000,1),(0x7ff0000000000000,60),(-256,64+4)]),
 ('slt',[(1,2),(2,1),(-1,1),(1,-1),(5,5),(0x8000000000000000,0x7fffffffffffffff)]),
 ('sltu',[(1,2),(2,1),(-1,1),(1,-1),(5,5),(0,-1)]),
 ('xor',[(0xff00ff00ff00ff00,0x0ff00ff00ff00ff0),(-1,0x5555)]),
 ('or',[(0xff00ff00ff00ff00,0x0ff00ff00ff00ff0),(0,0)]),
 ('and',[(0xff00ff00ff00ff00,0x0ff00ff00ff00ff0),(-1,0x1234)]),
 ('addw',[(0x7fffffff,1),(-1,1),(0x1ffffffff,1),(0x123456789,0x10000000)]),
 ('subw',[(0,1),(0x80000000,1),(0x100000000,0)]),
 ('sllw',[(1,31),(1,32),(3,33),(0xffffffff80000001,1),(0x12345678,-1)]),
 ('srlw',[(0x80000000,31),(-1,0),(-1,1),(0xffffffff00000010,4),(0x80000000,32)]),
 ('sraw',[(0x80000000,31),(0x80000000,1),(0x7fffffff,32),(0xffffffff7fffffff,0),(0x87654321,36)]),
]
ri = [
 ('addi',[(1,2047),(1,-2048),(0x7fffffffffffffff,1),(-1,1)]),
 ('slti',[(-1,0),(0,-1),(5,5),(4,5)]),
 ('sltiu',[(0,1),(1,1),(5,-1),(-2,-1)]),
 ('xori',[(0x00ff00ff,-1),(0x1234,0x7ff)]),
 ('ori',[(0xff00,-2048),(0,0x555)]),
 ('andi',[(-1,-2048),(0xffff,0x7f0)]),
 ('slli',[(1,63),(0x123,0),(-1,32)]),
 ('srli',[(-1,63),(-1,0),(0x8000000000000000,32)]),
 ('srai',[(0x8000000000000000,63),(0x8000000000000000,0),(0x4000000000000000,62),(-8,2)]),
 ('addiw',[(0x7fffffff,1),(0xffffffff,0),(0x12345678ffffffff,2)]),
 ('slliw',[(1,31),(0xffffffff,0),(0x80000001,1)]),
 ('srliw',[(0x80000000,31),(0xffffffff80000000,0),(-1,1)]),
 ('sraiw',[(0x80000000,31),(0x80000000,0),(0x7fffffff,30),(0x123480000000,4)]),
]
n=[0]
out=[]
def emit(s): out.append(s)
def nxt(): n[0]+=1; return n[0]
for op,cases in rr:
    for a,b in cases:
        emit(f"\tTEST_RR {nxt()}, {op}, {h(ops[op](a,b))}, {h(a)}, {h(b)}")
for op,cases in ri:
    for a,b in cases:
        emit(f"\tTEST_RI {nxt()}, {op}, {h(ops[iops[op]](a,b))}, {h(a)}, {b}")
# same-register forms
emit(f"\tTEST_RR_SAME {nxt()}, add, {h(0x246)}, 0x123")
emit(f"\tTEST_RR_SAME {nxt()}, sub, 0, 0x123")
emit(f"\tTEST_RR_SAME {nxt()}, sll, {h(ops['sll'](3,3))}, 3")
emit(f"\tTEST_RI_SAME {nxt()}, addiw, {h(s32(0x7ffffffe+1))}, 0x7ffffffe, 1")
print("\n".join(out))
print("#define ALU_LAST", n[0])
