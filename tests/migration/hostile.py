#!/usr/bin/env python3
"""hostile.py VMM [--label L] [--only PAT] [--jobs N] [--seed S] [--keep] -
hostile input on a destination's -incoming port, on the v2 (AES-256-GCM)
stream.

A valid stream is captured once through miglib.Proxy from a real migration
(migtest guest, -m 4, a virtio-blk and a virtio-rng; the source is paused
first, so the stream has one round and the same records every time: the
case list is stable) and decrypted with its key. Then every case gets a
fresh destination with the same configuration on its port.

Peers that never prove the key (the destination must drop the connection
with a "dropped a connection from ..." line, say nothing about itself, and
keep waiting; a real source involved keeps running):

  auth-wrong-key       preamble and AUTH sealed with another key
  auth-stale-key       the key of the captured (earlier) migration
  auth-no-key          a plain preamble and AUTH to an encrypted destination
  auth-plain-dest      an encrypted peer against a plain-mode destination
  auth-bad-preamble-*  a wrong magic, version, mode, non-zero tail
  auth-not-a-proof     a HELLO sealed with the right key instead of the AUTH
  auth-silent          connects and says nothing (dropped after 5 s)
  connect-close        a bare connect and close
  random-*             random bytes, zeros, a foreign protocol
  hello-probe          a plain preamble and a HELLO without the key: the
                       reply must be the destination's 48-byte preamble and
                       nothing else (no WELCOME, no configuration)
  replay-other-dest    the captured stream (preamble + records) replayed
                       against another destination that has the same key
  replay-same-dest     a real source's first connection, cut at its AUTH,
                       replayed on a new connection to the same destination;
                       then that destination receives a real migration
                       (end-to-end: the guest runs there, memory verified)
  real-plain-to-encrypted / real-encrypted-to-plain  a real godwit-vmm
                       source in the other mode: its migration fails with a
                       clear error, it keeps running, the destination keeps
                       waiting and then receives a real migration in the
                       right mode

Peers that prove the key (records properly sealed with the key the test set
on the destination, so they reach the loader behind the record layer): the
destination must exit with status 1 within a bounded time (a hang is a
FAIL), print exactly one "godwit-vmm: migration failed: incoming: <reason>"
line (the reason checked against what the case broke), never ACK
{"ok":true} anything corrupt, and not crash:

  random-after-auth    random bytes after a valid AUTH
  silent-after-auth    nothing after the AUTH (its idle timeout ends it)
  truncate-*           the valid records cut at every record boundary and
                       inside every record (header and payload), then EOF
  flip-*               the valid sealed records with one bit inverted:
                       header fields, tag, payload (the tag catches it)
  reorder-*            two records swapped (their sequence numbers tell),
                       or swapped with the sequence fields rewritten (the
                       nonces tell)
  replay-record        a record sent twice
  bad-*                records whose tags are right but whose content is
                       not: wrong magic, sequence errors, huge lengths,
                       records out of order, refused HELLOs (RAM size,
                       protocol, devices...), RAM runs outside RAM /
                       overlapping / too many, bad ROM, END and ABORT
                       records, device state with bad values, bad commits
  bad-disk-*, bad-hello-blk-*  disk sections of a shared-nothing stream
                       (blk; src/migration/disk.h) with a drive index that
                       does not exist, offsets or lengths outside the image,
                       not whole sectors, zero, too long or not matching the
                       record, a source image size that differs, unknown
                       flags or version; a disk section the HELLO did not
                       announce; a wrong disk section count in END; HELLOs
                       whose disks differ from the destination's
  control-*            the valid stream and valid variations (a second round
                       re-sending pages, device entries reordered, disk
                       sections with data and zero ranges): each must
                       be ACKed and, after COMMIT, run the guest with memory
                       intact

Prints "PLAN <n> <label>" first, then "PASS <label>/<case>" or
"FAIL <label>/<case>: reason"; exits 1 if any case failed.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import miglib  # noqa: E402
from miglib import (HELLO, ROM, RAM, ROUND, DEVICES, END, COMMIT, ABORT, WELCOME, ACK,  # noqa: E402
                    MAGIC, HDR_SIZE, PAGE, PRE_SIZE, AUTH, DISK)

RAM_MB = 4
GUEST_ARGS = "mem=1 rate=1 verify=1"
RAM_MAX_RUNS = 1024
RAM_BATCH_PAGES = 256
RAM_SECTION_MAX = 8 + 8 * RAM_MAX_RUNS + RAM_BATCH_PAGES * PAGE

T_EXIT = 20       # a refused stream ends the destination within this (s)
T_IDLE = 45       # a silent peer after the key proof: the idle timeout is 30 s
CORRUPT = r"stream corrupt|connection closed by the peer"
AUTHFAIL = r"failed authentication"
DROPPED = "godwit-vmm: migration: dropped a connection from "


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- records to send, sealed once the connection's keys are known -------

def R(typ, payload, version=1, **kw):
    """One record: sealed with the connection's next record number. kw:
    seq (absolute), seq_delta (relative to the record number), length,
    magic: header overrides (sealed over, as a hostile peer with the key
    would); n_delta: seal it as another record number."""
    return ("rec", typ, bytes(payload), version, kw)


def RAW(data):
    return ("raw", bytes(data))


def serialize(items, tx):
    out = bytearray()
    for it in items:
        if it[0] == "raw":
            out += it[1]
            continue
        _, typ, payload, version, kw = it
        kw = dict(kw)
        if "seq_delta" in kw:
            kw["seq"] = (tx.n + kw.pop("seq_delta")) & 0xFFFFFFFF
        nd = kw.pop("n_delta", None)
        if nd is not None:
            kw["n"] = tx.n + nd
            out += tx.record(typ, payload, version, **kw)
            tx.n += 1
        else:
            out += tx.record(typ, payload, version, **kw)
    return bytes(out)


class Case:
    def __init__(self, name, items, expect=None, close=True, ack_ok=False, after_ack=None,
                 timeout=T_EXIT, run=False, cut=None, flip=None):
        self.name = name
        self.items = items        # records sent after the key proof
        self.expect = expect      # regex the error line must match
        self.close = close        # EOF after data (False: stay silent)
        self.ack_ok = ack_ok      # an ACK {"ok":true} is correct here
        self.after_ack = after_ack  # records sent once the ACK is in
        self.timeout = timeout
        self.run = run            # control: the VM must end up running
        self.cut = cut            # send only this many bytes of the items
        self.flip = flip          # (offset, bit) inverted in the sent bytes


class PreCase:
    """A peer that does not prove the key: fn(runner, port, dst) talks to
    the destination and returns None or what went wrong; the destination
    must then log a dropped connection matching expect and keep waiting.
    key: the destination's mode: "key" (a fresh key), "plain", or a key.
    e2e: afterwards a real migration to it must succeed."""

    def __init__(self, name, fn, expect, key="key", e2e=False, timeout=T_EXIT):
        self.name = name
        self.fn = fn
        self.expect = expect
        self.key = key
        self.e2e = e2e
        self.timeout = timeout


# ---- the valid stream and its pieces ------------------------------------

class Stream:
    """The captured stream, decrypted: records (type, payload, version)."""

    def __init__(self, secs, raw, key):
        self.raw = raw            # the source's bytes as captured (sealed)
        self.key = key            # its migration key
        secs = [s for s in secs if s["type"] != AUTH]
        self.secs = secs
        self.end = next(i for i, s in enumerate(secs) if s["type"] == END)
        self.body = secs[:self.end + 1]           # HELLO .. END
        self.hello = json.loads(secs[0]["payload"])
        plain = miglib.build_records(self.tuples(), None)
        offs = miglib.parse_records(plain)
        for s, r in zip(self.body, offs):
            s["off"] = r["off"]                   # offset in the sent bytes
        self.body_len = len(plain)
        self.body_items = self.build(self.tuples())

    def tuples(self):
        return [(s["type"], s["payload"], s["version"]) for s in self.body]

    def index(self, typ, nth=0):
        return [i for i, s in enumerate(self.body) if s["type"] == typ][nth]

    def count(self, typ):
        return sum(1 for s in self.body if s["type"] == typ)

    @staticmethod
    def build(tuples):
        return [R(*t) for t in tuples]

    def replace(self, i, payload=None, typ=None, version=None):
        t = self.tuples()
        old = t[i]
        t[i] = (old[0] if typ is None else typ, old[1] if payload is None else payload,
                old[2] if version is None else version)
        return self.build(t)

    @staticmethod
    def commit_items():
        return [R(COMMIT, b'{"run":true}')]  # the source was paused: run anyway


def ram_payload(runs, pages=0, nruns=None, flags=0):
    """A RAM section payload: runs = [(first, npages, kind)]."""
    words = [first | (n - 1) << 40 | kind << 56 for first, n, kind in runs]
    return (struct.pack("<II", len(runs) if nruns is None else nruns, flags)
            + b"".join(struct.pack("<Q", w & (2**64 - 1)) for w in words)
            + b"\x5a" * (PAGE * pages))


def devstate_entries(blob):
    """[(name, version, payload)] of a device-state blob (devstate.h)."""
    out, pos = [], 0
    while pos < len(blob):
        nl = blob[pos]
        name = blob[pos + 1:pos + 1 + nl].decode()
        ver, plen = struct.unpack_from("<HI", blob, pos + 1 + nl)
        pos += 1 + nl + 6
        out.append((name, ver, blob[pos:pos + plen]))
        pos += plen
    return out


def devstate_blob(entries):
    out = b""
    for name, ver, payload in entries:
        nb = name.encode() if isinstance(name, str) else name
        out += bytes([len(nb)]) + nb + struct.pack("<HI", ver, len(payload)) + payload
    return out


def patch(buf, off, fmt, value):
    b = bytearray(buf)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)


# ---- the cases ----------------------------------------------------------


# ---- the cases ----------------------------------------------------------

def random_cases(st, rng):
    """After a valid key proof."""
    return [Case("random-after-auth", [RAW(rng.randbytes(4096))], CORRUPT),
            Case("random-after-auth-magic", [RAW(struct.pack("<I", MAGIC) + rng.randbytes(4096))], CORRUPT),
            Case("random-after-hello", st.body_items[:1] + [RAW(rng.randbytes(65536))], CORRUPT),
            Case("silent-after-auth", [], r"peer silent", close=False, timeout=T_IDLE),
            Case("silent-mid-record", st.body_items, r"peer silent", close=False, timeout=T_IDLE,
                 cut=st.body_len // 2)]


def truncate_cases(st):
    cases = []
    for k, s in enumerate(st.body):
        off, ln = s["off"], len(s["payload"])
        name = f"{k:02d}-{miglib.SEC_NAMES.get(s['type'], s['type'])}"
        points = [("boundary", off), ("hdr1", off + 1), ("hdr16", off + 16), ("hdr31", off + 31)]
        if ln:
            points += [("pay1", off + HDR_SIZE + 1) if ln > 1 else ("pay0", off + HDR_SIZE),
                       ("payhalf", off + HDR_SIZE + ln // 2), ("paylast", off + HDR_SIZE + ln - 1)]
        seen = set()
        for where, cut in points:
            if cut in seen or cut == 0:
                continue
            seen.add(cut)
            cases.append(Case(f"truncate-{name}-{where}", st.body_items, r"connection closed by the peer",
                              cut=cut))
    # the whole stream, then EOF instead of the COMMIT: ACKed, then refused
    cases.append(Case("truncate-before-commit", st.body_items,
                      r"connection closed by the peer \(after the ACK, before the commit", ack_ok=True))
    return cases


def flip_cases(st, rng):
    """One bit of the sealed records: header fields are checked before the
    tag (magic, sequence, length limits) or authenticated with it (type,
    version, length); payload and tag bits fail the tag."""
    cases = []
    for k, s in enumerate(st.body):
        off, ln, typ = s["off"], len(s["payload"]), s["type"]
        name = f"{k:02d}-{miglib.SEC_NAMES.get(typ, typ)}"
        pts = [("magic", 0, 0, r"bad section magic"), ("type", 4, 1, CORRUPT), ("version", 6, 0, CORRUPT),
               ("len-lo", 8, 0, CORRUPT), ("len-hi", 11, 7, CORRUPT), ("seq", 12, 0, r"arrived where"),
               ("tag", 16, 3, AUTHFAIL), ("tag-last", 31, 7, AUTHFAIL)]
        pay = AUTHFAIL if typ != RAM else CORRUPT  # a RAM record is read in parts
        if ln:
            pts += [("first", HDR_SIZE, 0, pay), ("mid", HDR_SIZE + ln // 2, 4, pay),
                    ("last", HDR_SIZE + ln - 1, 7, pay)]
        seen = set()
        for what, o, bit, exp in pts:
            if o in seen or o >= HDR_SIZE + ln:
                continue
            seen.add(o)
            cases.append(Case(f"flip-{name}-{what}", st.body_items, exp, flip=(off + o, bit)))
    return cases


def reorder_cases(st):
    t = st.tuples()
    irom, iram = st.index(ROM), st.index(RAM)
    swapped = t[:irom] + [t[iram], t[irom]] + t[iram + 1:] if iram == irom + 1 else None
    c = []
    if swapped:
        items = st.build(t[:irom]) + [R(*t[iram], n_delta=1, seq_delta=1), R(*t[irom], n_delta=-1,
                                                                              seq_delta=-1)] \
            + st.build(t[iram + 1:])
        c.append(Case("reorder-swap", items, rf"record {irom + 2} arrived where {irom + 1}"))
        # the RAM record opened under the ROM's nonce: its run table is read
        # (decrypted garbage) before the tag is checked, so the reason may
        # be a RAM one
        c.append(Case("reorder-swap-seq-rewritten", items_rewritten(st, irom, iram), CORRUPT))
    idev = st.index(DEVICES)
    c.append(Case("reorder-devices-later", st.build(t[:idev]) + [R(*t[idev + 1], n_delta=1, seq_delta=1)],
                  rf"record {idev + 2} arrived where {idev + 1}"))
    c.append(Case("replay-record", st.build(t[:iram + 1]) + [R(*t[iram], n_delta=-1, seq_delta=-1)],
                  rf"record {iram + 1} arrived where {iram + 2}"))
    c.append(Case("replay-record-seq-rewritten", st.build(t[:iram + 1]) + [R(*t[iram], n_delta=-1, seq_delta=0)],
                  CORRUPT))
    ird = st.index(ROUND)
    c.append(Case("replay-record-round-seq-rewritten",
                  st.build(t[:ird + 1]) + [R(*t[ird], n_delta=-1, seq_delta=0)], AUTHFAIL))
    return c


def items_rewritten(st, irom, iram):
    """ROM and RAM swapped, each keeping the sequence number of its new
    place but sealed under the nonce of its old one."""
    t = st.tuples()
    return st.build(t[:irom]) + [R(*t[iram], n_delta=1, seq_delta=0), R(*t[irom], n_delta=-1, seq_delta=0)] \
        + st.build(t[iram + 1:])


def hello_with(st, **changes):
    h = json.loads(json.dumps(st.hello))
    for k, v in changes.items():
        if k.startswith("m_"):
            h["machine"][k[2:].replace("_", "-")] = v
        else:
            h[k] = v
    return json.dumps(h).encode()


def bad_cases(st, ram_pages):
    c = []
    t = st.tuples()
    build = st.build
    iram = st.index(RAM)
    irom = st.index(ROM)
    idev = st.index(DEVICES)
    iend = st.end
    raw = st.body_items

    def body_with(i, payload=None, typ=None, version=None):
        return st.replace(i, payload, typ, version)

    def without(i):
        return build([x for j, x in enumerate(t) if j != i])

    def inserted(i, sec):
        return build(t[:i] + [sec] + t[i:])

    # framing
    # (record numbers: the AUTH is record 0, the HELLO record 1)
    first = [R(HELLO, t[0][1], magic=0x314D5747)]  # the v1 magic
    c.append(Case("bad-magic-first", first + raw[1:], r"bad section magic 0x314d5747"))
    c.append(Case("bad-magic-ram", [R(*x, magic=(0xDEADBEEF if j == iram else MAGIC)) for j, x in enumerate(t)],
                  r"bad section magic 0xdeadbeef"))
    c.append(Case("bad-seq-first-2", [R(*x, seq_delta=1) for x in t], r"record 2 arrived where 1"))
    c.append(Case("bad-seq-skip", [R(*x, seq_delta=(1 if j >= 2 else 0)) for j, x in enumerate(t)],
                  r"record 4 arrived where 3"))
    c.append(Case("bad-seq-repeat", [R(*x, seq_delta=(-1 if j >= 2 else 0)) for j, x in enumerate(t)],
                  r"record 2 arrived where 3"))
    c.append(Case("bad-seq-huge", [R(*x, seq_delta=0x7FFFFFFF) for x in t], r"arrived where 1"))
    c.append(Case("bad-seq-auth-again", [R(AUTH, miglib.AUTH_SRC, seq_delta=-1, n_delta=-1)],
                  r"record 0 arrived where 1"))

    def hdr_only(typ, length, seq=None, version=1):
        return [R(typ, b"", version, length=length)]

    prefix = build(t[:iram])  # HELLO, ROM (..)
    c.append(Case("bad-len-ram-4g", prefix + hdr_only(RAM, 0xFFFFFFFF, iram), r"ram section of 4294967295 bytes"))
    c.append(Case("bad-len-ram-4m+1", prefix + hdr_only(RAM, (4 << 20) + 1, iram),
                  r"ram section of 4194305 bytes \(limit 4194304\)"))
    one_run = [RAW(ram_payload([(0, 1, 1)])[:16])]
    c.append(Case("bad-len-ram-limit+1", prefix + hdr_only(RAM, RAM_SECTION_MAX + 1, iram) + one_run,
                  r"RAM section: length does not match its runs|ram section of \d+ bytes \(limit"))
    c.append(Case("bad-len-ram-limit-short", prefix + hdr_only(RAM, RAM_SECTION_MAX, iram) + [RAW(b"\0" * 100)],
                  r"RAM section|connection closed|ram record \d+ failed authentication"))
    c.append(Case("bad-len-hello-4g", hdr_only(HELLO, 0xFFFFFFFF, 0), r"hello section of 4294967295 bytes"))
    c.append(Case("bad-len-hello-64k+1", hdr_only(HELLO, 65537, 0), r"hello section of 65537 bytes"))
    c.append(Case("bad-len-devices-4g", build(t[:idev]) + hdr_only(DEVICES, 0xFFFFFFFF, idev),
                  r"devices section of 4294967295 bytes"))
    c.append(Case("bad-len-devices-4m+1", build(t[:idev]) + hdr_only(DEVICES, (4 << 20) + 1, idev),
                  r"devices section of \d+ bytes"))
    c.append(Case("bad-len-devices-4m-short", build(t[:idev]) + hdr_only(DEVICES, 4 << 20, idev) + [RAW(b"\0" * 1000)],
                  r"connection closed by the peer"))
    c.append(Case("bad-len-round-65", inserted(iram + 1, (ROUND, b"\0" * 65)), r"round section of 65 bytes \(limit 64\)"))
    c.append(Case("bad-len-abort-4g", build(t[:iram]) + hdr_only(ABORT, 0xFFFFFFFF, iram), r"abort section of"))

    # order and types
    c.append(Case("bad-order-no-hello", build(t[1:]), r"does not start with a hello"))
    c.append(Case("bad-order-hello-twice", inserted(1, t[0]), r"unexpected section type 1"))
    c.append(Case("bad-order-rom-twice", inserted(irom + 1, t[irom]), r"boot ROM section"))
    c.append(Case("bad-order-devices-twice", inserted(idev + 1, t[idev]), r"unexpected device state"))
    c.append(Case("bad-order-end-without-devices", without(idev), r"without ROM or device state"))
    c.append(Case("bad-order-end-without-rom", without(irom), r"without ROM or device state"))
    c.append(Case("bad-order-end-first", build([t[0], t[iend]]), r"without ROM or device state"))
    c.append(Case("bad-order-commit-early", inserted(iram, (COMMIT, b'{"run":true}')), r"unexpected section type 7"))
    c.append(Case("bad-type-welcome-from-source", inserted(iram, (WELCOME, b'{"ok":true}')),
                  r"unexpected section type 129"))
    c.append(Case("bad-type-ack-from-source", inserted(iram, (ACK, b'{"ok":true}')), r"unexpected section type 130"))
    c.append(Case("bad-type-0", inserted(iram, (0, b"")), r"unexpected section type 0"))
    c.append(Case("bad-type-65535", inserted(iram, (0xFFFF, b"x")), r"unexpected section type 65535"))
    c.append(Case("bad-version-hello", body_with(0, version=2), r"does not start with a hello"))
    c.append(Case("bad-version-ram", body_with(iram, version=2), r"RAM section: unknown version"))
    c.append(Case("bad-version-devices", body_with(idev, version=0), r"unexpected device state"))

    # HELLO: refused configurations and broken JSON
    mb = st.hello["machine"]["ram-size"] >> 20
    c.append(Case("bad-hello-ram-size", body_with(0, hello_with(st, m_ram_size=(mb * 2) << 20)),
                  rf"refused: RAM size differs: source {mb * 2} MiB, destination {mb} MiB"))
    c.append(Case("bad-hello-ram-size-huge", body_with(0, hello_with(st, m_ram_size=1 << 62)),
                  r"refused: RAM size differs"))
    c.append(Case("bad-hello-ram-size-string", body_with(0, hello_with(st, m_ram_size="4M")),
                  r"refused: RAM size differs"))
    c.append(Case("bad-hello-protocol-2", body_with(0, hello_with(st, protocol=2)), r"refused: protocol version 2"))
    c.append(Case("bad-hello-protocol-missing", body_with(0, json.dumps({"machine": st.hello["machine"]}).encode()),
                  r"refused: protocol version"))
    c.append(Case("bad-hello-no-machine", body_with(0, b'{"protocol":1}'), r"refused: the source sent no machine"))
    c.append(Case("bad-hello-board", body_with(0, hello_with(st, m_board="sifive_u")), r"refused: board differs"))
    c.append(Case("bad-hello-rom-size", body_with(0, hello_with(st, m_rom_size=4096)), r"refused: boot ROM size"))
    c.append(Case("bad-hello-misa", body_with(0, hello_with(st, m_misa=1)), r"refused: CPU features"))
    c.append(Case("bad-hello-plic", body_with(0, hello_with(st, m_plic=False)), r"refused: interrupt controller"))
    c.append(Case("bad-hello-htif", body_with(0, hello_with(st, m_htif_page=12345)), r"refused: HTIF"))
    slots = st.hello["machine"]["slots"]
    c.append(Case("bad-hello-slots-fewer", body_with(0, hello_with(st, m_slots=slots[:-1])), r"refused: virtio slot count"))
    c.append(Case("bad-hello-slots-not-array", body_with(0, hello_with(st, m_slots={"a": 1})), r"refused: virtio slot count"))
    c.append(Case("bad-hello-slots-many", body_with(0, hello_with(st, m_slots=slots * 60)), r"refused: virtio slot count"))
    s2 = json.loads(json.dumps(slots))
    bi = next(i for i, s in enumerate(s2) if s["device"] == "virtio-blk")
    s2[bi]["sectors"] += 1
    c.append(Case("bad-hello-disk-size", body_with(0, hello_with(st, m_slots=s2)), rf"refused: virtio slot {bi} sectors"))
    s2 = json.loads(json.dumps(slots))
    s2[bi] = "virtio-blk"
    c.append(Case("bad-hello-slot-not-object", body_with(0, hello_with(st, m_slots=s2)), rf"refused: virtio slot {bi}"))
    s2 = json.loads(json.dumps(slots))
    ri = next(i for i, s in enumerate(s2) if s["device"] == "virtio-rng")
    s2[ri]["device"], s2[bi]["device"] = s2[bi]["device"], s2[ri]["device"]
    c.append(Case("bad-hello-slots-swapped", body_with(0, hello_with(st, m_slots=s2)), r"refused: virtio slot \d device"))
    c.append(Case("bad-hello-not-json", body_with(0, b"hello, world"), r"hello is not a JSON object"))
    c.append(Case("bad-hello-empty", body_with(0, b""), r"hello is not a JSON object"))
    c.append(Case("bad-hello-array", body_with(0, b"[1,2,3]"), r"hello is not a JSON object"))
    c.append(Case("bad-hello-nul", body_with(0, t[0][1][:10] + b"\0" + t[0][1][10:]), r"hello is not a JSON object"))
    c.append(Case("bad-hello-duplicate-key", body_with(0, b'{"protocol":1,"protocol":1}'), r"hello is not a JSON object"))
    c.append(Case("bad-hello-deep", body_with(0, b"[" * 30000 + b"]" * 30000), r"hello is not a JSON object"))
    c.append(Case("bad-hello-deep-object", body_with(0, b'{"a":' * 10000 + b"1" + b"}" * 10000), r"refused|not a JSON"))
    c.append(Case("bad-hello-64k", body_with(0, hello_with(st, pad="x" * 65000)), r"hello section of|refused"))

    # RAM run tables (checksums right)
    n = ram_pages
    bad_ram = [
        ("outside-start", [(n, 1, 0)], 0, r"outside RAM"),
        ("outside-end", [(n - 1, 2, 0)], 0, r"outside RAM"),
        ("outside-data", [(n - 1, 2, 1)], 2, r"outside RAM"),
        ("outside-2^40", [((1 << 40) - 1, 1, 0)], 0, r"outside RAM"),
        ("outside-max-run", [(0, 65536, 0)], 0, r"outside RAM"),
        ("overlap", [(10, 10, 0), (15, 10, 0)], 0, r"out of order"),
        ("overlap-data", [(10, 2, 1), (11, 2, 1)], 4, r"out of order"),
        ("decreasing", [(20, 1, 0), (10, 1, 0)], 0, r"out of order"),
        ("duplicate", [(5, 1, 1), (5, 1, 1)], 2, r"out of order"),
        ("kind-2", [(0, 1, 2)], 0, r"unknown run kind"),
        ("kind-255", [(0, 1, 255)], 0, r"unknown run kind"),
        ("too-much-data", [(0, 257, 1)], 257, r"length does not match"),
        ("data-short", [(0, 2, 1)], 1, r"length does not match"),
        ("data-long", [(0, 1, 1)], 2, r"length does not match"),
    ]
    for name, runs, pages, exp in bad_ram:
        c.append(Case(f"bad-ram-{name}", body_with(iram, ram_payload(runs, pages)), exp))
    c.append(Case("bad-ram-zero-runs", body_with(iram, ram_payload([], 0)), r"bad run count"))
    c.append(Case("bad-ram-too-many-runs", body_with(iram, ram_payload([(i, 1, 0) for i in range(RAM_MAX_RUNS + 1)])),
                  r"bad run count"))
    c.append(Case("bad-ram-nruns-huge", body_with(iram, ram_payload([(0, 1, 0)], nruns=0xFFFFFFFF)), r"bad run count"))
    c.append(Case("bad-ram-nruns-more-than-table", body_with(iram, ram_payload([(0, 1, 0)], nruns=50)),
                  r"shorter than its run table"))
    c.append(Case("bad-ram-flags", body_with(iram, ram_payload([(0, 1, 0)], flags=1)), r"bad run count or flags"))
    c.append(Case("bad-ram-short-prefix", body_with(iram, b"\1\0\0\0"), r"too short"))
    c.append(Case("bad-ram-max-runs-ok-then-bad", body_with(iram, ram_payload(
        [(2 * i, 1, 0) for i in range(RAM_MAX_RUNS - 1)] + [(n, 1, 0)])), r"outside RAM"))
    # a RAM section whose every run is valid but the page count in END is off
    e = st.body[iend]["payload"]
    c.append(Case("bad-end-page-count", body_with(iend, patch(e, 0, "<Q", struct.unpack_from("<Q", e)[0] + 1)),
                  r"page count differs"))
    c.append(Case("bad-end-short", body_with(iend, e[:8]), r"bad end section"))
    c.append(Case("bad-end-long", body_with(iend, e + b"\0"), r"end section of 17 bytes \(limit 16\)"))
    c.append(Case("bad-rom-short", body_with(irom, t[irom][1][:-1]), r"boot ROM section of the wrong size"))
    c.append(Case("bad-rom-empty", body_with(irom, b""), r"boot ROM section of the wrong size"))
    c.append(Case("bad-abort", inserted(iram, (ABORT, b'{"error":"disk on fire"}')),
                  r"the source gave up: disk on fire"))
    c.append(Case("bad-abort-not-json", inserted(iram, (ABORT, b"\xff\xfe")), r"the source gave up: no reason given"))
    c.append(Case("bad-abort-error-not-string", inserted(iram, (ABORT, b'{"error":[1]}')),
                  r"the source gave up: no reason given"))

    # after the ACK
    c.append(Case("bad-commit-not-json", raw, r"commit is not a JSON object", ack_ok=True,
                  after_ack=[R(COMMIT, b"run!")]))
    c.append(Case("bad-commit-ram-instead", raw, r"expected the commit", ack_ok=True,
                  after_ack=[R(RAM, ram_payload([(0, 1, 0)]))]))
    c.append(Case("bad-commit-abort", raw, r"the source aborted after the ACK", ack_ok=True,
                  after_ack=[R(ABORT, b'{"error":"x"}')]))
    c.append(Case("bad-commit-seq", raw, r"arrived where", ack_ok=True,
                  after_ack=[R(COMMIT, b'{"run":true}', seq_delta=1)]))
    c.append(Case("bad-commit-forged", raw, AUTHFAIL, ack_ok=True,
                  after_ack=[R(COMMIT, b'{"run":true}', n_delta=1, seq_delta=0)]))
    return c


def devices_cases(st):
    """Device state with bad values (devstate.h layout; offsets on the wire)."""
    c = []
    idev = st.index(DEVICES)
    ents = devstate_entries(st.body[idev]["payload"])
    names = [e[0] for e in ents]

    def with_entry(name, fn):
        return [(n, v, fn(p) if n == name else p) for n, v, p in ents]

    def case(cname, entries, expect):
        c.append(Case(f"bad-devices-{cname}", st.replace(idev, devstate_blob(entries)),
                      r"device state rejected: " + expect))

    vio = next(n for n in names if n.startswith("virtio-mmio."))
    # hart.0 (version 3): x[0] @0, x1..x32 @8, f @264, pc @520, priv @528,
    # ..., resv_valid @552, pad0 @556, resv_val @560, mstatus @568
    case("hart-x0", with_entry("hart.0", lambda p: patch(p, 0, "<Q", 1)), r"hart\.0: x\[0\] 1 exceeds 0")
    case("hart-pc-odd", with_entry("hart.0", lambda p: patch(p, 520, "<Q", 0x80000001)), r"hart\.0: pc .* aligned")
    case("hart-priv-2", with_entry("hart.0", lambda p: patch(p, 528, "<I", 2)), r"hart\.0: priv 2 is not")
    case("hart-priv-7", with_entry("hart.0", lambda p: patch(p, 528, "<I", 7)), r"hart\.0: priv 7 exceeds 3")
    case("hart-mstatus", with_entry("hart.0", lambda p: patch(p, 568, "<Q", 1 << 63)), r"hart\.0: mstatus")
    case("clint-msip", with_entry("clint", lambda p: patch(p, 0, "<I", 2)), r"clint: msip\[0\] 2 exceeds 1")
    case("plic-priority0", with_entry("plic", lambda p: patch(p, 0, "<I", 1)), r"plic: priority\[0\]")
    case("plic-pending-unwired", with_entry("plic", lambda p: patch(p, 96 * 4, "<I", 1 << 31)),
         r"plic: pending\[0\] .* not wired")
    case("uart-ier", with_entry("uart", lambda p: patch(p, 0, "<B", 0xFF)), r"uart: ier 255 exceeds 15")
    case("uart-rx-count", with_entry("uart", lambda p: patch(p, 12, "<B", 200)), r"uart: rx_count 200 exceeds 16")
    case("rtc-alarm-armed", with_entry("rtc", lambda p: patch(p, 20, "<I", 7)), r"rtc: alarm_armed 7 exceeds 1")
    # virtio-mmio: status @0, ... vq[0] @36: num, ready, desc, avail, used (40 bytes a queue)
    case("virtio-status", with_entry(vio, lambda p: patch(p, 0, "<I", 0x100)), rf"{vio}: status 256 exceeds 255")
    case("virtio-int-status", with_entry(vio, lambda p: patch(p, 24, "<I", 4)), rf"{vio}: int_status 4 exceeds 3")

    def ready_queue(num, desc):
        def f(p):
            p = patch(p, 36, "<I", num)
            p = patch(p, 40, "<I", 1)
            p = patch(p, 44, "<Q", desc)
            p = patch(p, 52, "<Q", (desc + 0x1000) & (2**64 - 1))
            return patch(p, 60, "<Q", (desc + 0x2000) & (2**64 - 1))
        return f
    case("virtio-ring-outside-ram", with_entry(vio, ready_queue(8, 0x1000)), rf"{vio}: vq\[0\] rings .* outside guest RAM")
    case("virtio-ring-end-of-ram", with_entry(vio, ready_queue(8, 0x80000000 + (RAM_MB << 20) - 0x1000)),
         rf"{vio}: vq\[0\] rings .* outside guest RAM")
    case("virtio-ring-wraps", with_entry(vio, ready_queue(8, 0xFFFFFFFFFFFFF000)),
         rf"{vio}: vq\[0\] rings .* outside guest RAM")
    case("virtio-num-not-pow2", with_entry(vio, ready_queue(3, 0x80100000)), rf"{vio}: vq\[0\].num 3")
    case("virtio-num-huge", with_entry(vio, ready_queue(1 << 30, 0x80100000)), rf"{vio}: vq\[0\].num")
    case("virtio-extra-queue", with_entry(vio, lambda p: patch(p, 36 + 7 * 40, "<I", 8)),
         rf"{vio}: vq\[7\] is set up")
    case("virtio-features", with_entry(vio, lambda p: patch(patch(p, 0, "<I", 8), 12, "<Q", 1 << 62)),
         rf"{vio}: driver_features .* not offered")
    case("unknown-entry", ents + [("bogus", 1, b"")], r"unknown entry 'bogus'")
    case("unknown-entry-binary", ents + [(b"\x01\x02'\xff", 1, b"")], r"unknown entry '\?\?\?\?'")
    case("duplicate-entry", ents + [ents[0]], r"duplicate entry 'hart.0'")
    case("missing-entry", [e for e in ents if e[0] != "rtc"], r"missing entry 'rtc'")
    case("missing-all", [], r"missing entry 'hart.0'")
    case("entry-version", [(n, 2 if n == "uart" else v, p) for n, v, p in ents], r"uart: version 2")
    case("entry-short", with_entry("uart", lambda p: p[:-1]), r"uart: payload is \d+ bytes, expected")
    case("entry-long", with_entry("uart", lambda p: p + b"\0"), r"uart: payload is \d+ bytes, expected")
    blob = devstate_blob(ents)
    c.append(Case("bad-devices-trailing-byte", st.replace(idev, blob + b"\x05"),
                  r"device state rejected: truncated entry header"))
    c.append(Case("bad-devices-empty-name", st.replace(idev, blob + b"\0" + b"\0" * 6),
                  r"device state rejected: entry at byte \d+ has an empty name"))
    c.append(Case("bad-devices-truncated-payload", st.replace(idev, blob[:-1]),
                  r"device state rejected: .*truncated payload"))
    c.append(Case("bad-devices-len-huge", st.replace(idev, devstate_blob(ents[:1]) + b"\x04uart\x01\x00\xff\xff\xff\xff"),
                  r"device state rejected: uart: truncated payload"))
    c.append(Case("bad-devices-name-255", st.replace(idev, b"\xff" + b"A" * 255 + b"\x01\x00\x00\x00\x00\x00"),
                  r"device state rejected: unknown entry"))
    c.append(Case("bad-devices-empty-blob", st.replace(idev, b""), r"device state rejected: missing entry 'hart.0'"))
    return c


def ram_runs(payload):
    n = struct.unpack_from("<I", payload)[0]
    runs = []
    for i in range(n):
        w = struct.unpack_from("<Q", payload, 8 + 8 * i)[0]
        runs.append((w & ((1 << 40) - 1), ((w >> 40) & 0xFFFF) + 1, w >> 56))
    return runs


def second_round(st):
    """The stream with a second round before the device state: a RAM
    section re-sending a page of migtest's region (same bytes: its verify
    would see anything else) and a page that was zero, a ROUND 2, and END
    counting both."""
    t = st.tuples()
    best = None  # the middle page of the longest data run: migtest's region
    zero_page = None
    for typ, payload, _ in t:
        if typ != RAM:
            continue
        runs = ram_runs(payload)
        pos = 8 + 8 * len(runs)
        for first, n, kind in runs:
            if kind == 0 and zero_page is None:
                zero_page = first
            if kind == 1:
                if best is None or n > best[0]:
                    mid = pos + (n // 2) * PAGE
                    best = (n, first + n // 2, payload[mid:mid + PAGE])
                pos += n * PAGE
    _, data_page, page = best
    ram = ram_payload(sorted([(data_page, 1, 1), (zero_page, 1, 0)])) + page
    rnd = struct.pack("<III", 2, 2, 0)
    idev = st.index(DEVICES)
    end = st.body[st.end]["payload"]
    end = patch(end, 0, "<Q", struct.unpack_from("<Q", end)[0] + 2)
    t = t[:idev] + [(RAM, ram, 1), (ROUND, rnd, 1)] + t[idev:]
    t[-1] = (END, end, 1)
    return st.build(t), len(t)


DISK_SIZE = 1 << 20                # the image of vm_args
DISK_HDR = struct.Struct("<IIQQQ")  # drive, flags, offset, length, size
DISK_CHUNK = 1 << 20


def disk_sec(drive=0, flags=0, off=0, length=4096, size=DISK_SIZE, data=None):
    if data is None:
        data = b"" if flags & 1 else bytes([0xa5]) * length
    return DISK_HDR.pack(drive, flags, off & (2**64 - 1), length, size) + data


def blk_hello(st, disks=None):
    h = json.loads(json.dumps(st.hello))
    h["machine"]["blk"] = True
    h["machine"]["disks"] = [{"id": "d0", "size": DISK_SIZE, "readonly": False}] if disks is None else disks
    if disks == "none":
        del h["machine"]["disks"]
    return json.dumps(h).encode()


def blk_stream(st, secs, end_count=None, hello=None):
    """The captured stream as a shared-nothing one: a blk HELLO, the DISK
    sections secs [(payload, version)] before DEVICES, their count in END."""
    t = st.tuples()
    idev = st.index(DEVICES)
    t[0] = (HELLO, blk_hello(st) if hello is None else hello, 1)
    t[st.end] = (END, patch(t[st.end][1], 8, "<Q", len(secs) if end_count is None else end_count), 1)
    return st.build(t[:idev] + [(DISK, p, v) for p, v in secs] + t[idev:])


def disk_cases(st):
    D = r"stream corrupt: disk section: (drive 0: )?"
    one = [(disk_sec(), 1)]
    c = [Case("bad-disk-drive", blk_stream(st, [(disk_sec(drive=1), 1)]), D + r"drive 1, but this side has 1"),
         Case("bad-disk-drive-huge", blk_stream(st, [(disk_sec(drive=0xFFFFFFFF), 1)]),
              D + r"drive 4294967295, but this side has 1"),
         Case("bad-disk-beyond-end", blk_stream(st, [(disk_sec(off=DISK_SIZE), 1)]), D + r"range 1048576\+4096 beyond the end \(1048576 bytes\)"),
         Case("bad-disk-straddles-end", blk_stream(st, [(disk_sec(off=DISK_SIZE - 512, length=1024), 1)]),
              D + r"range 1048064\+1024 beyond the end"),
         Case("bad-disk-offset-wraps", blk_stream(st, [(disk_sec(off=-512, length=1024), 1)]),
              D + r"range 18446744073709551104\+1024 beyond the end"),
         Case("bad-disk-zero-beyond-end", blk_stream(st, [(disk_sec(flags=1, off=0, length=2 * DISK_SIZE), 1)]),
              D + r"range 0\+2097152 beyond the end"),
         Case("bad-disk-unaligned-offset", blk_stream(st, [(disk_sec(off=100), 1)]), D + r"offset 100 length 4096 not whole sectors"),
         Case("bad-disk-unaligned-length", blk_stream(st, [(disk_sec(length=1000), 1)]), D + r"offset 0 length 1000 not whole sectors"),
         Case("bad-disk-zero-length", blk_stream(st, [(disk_sec(length=0), 1)]), D + r"offset 0 length 0 not whole sectors"),
         Case("bad-disk-size-differs", blk_stream(st, [(disk_sec(size=2 * DISK_SIZE), 1)]),
              D + r"drive 0 \(d0\): the source's image has 2097152 bytes, this one 1048576"),
         Case("bad-disk-flags", blk_stream(st, [(disk_sec(flags=2), 1)]), D + r"unknown flags 0x2"),
         Case("bad-disk-data-short", blk_stream(st, [(disk_sec(length=8192, data=bytes(4096)), 1)]),
              D + r"section of 4128 bytes for a data range of 8192"),
         Case("bad-disk-zero-with-data", blk_stream(st, [(disk_sec(flags=1, data=bytes(4096)), 1)]),
              D + r"section of 4128 bytes for a zero range of 4096"),
         Case("bad-disk-version", blk_stream(st, [(disk_sec(), 2)]), r"disk section version 2"),
         Case("bad-disk-short-header", blk_stream(st, [(disk_sec()[:16], 1)]), r"disk section version 1 of 16 bytes"),
         Case("bad-disk-oversized", blk_stream(st, [(disk_sec(length=DISK_CHUNK, data=bytes(DISK_CHUNK + 1)), 1)]),
              r"disk section of 1048609 bytes \(limit 1048608\)"),
         Case("bad-disk-not-announced", blk_stream(st, one, hello=st.body[0]["payload"]),
              r"did not announce its disks"),
         Case("bad-disk-end-count", blk_stream(st, one, end_count=2), r"disk section count differs"),
         Case("bad-disk-end-count-none", blk_stream(st, one, end_count=0), r"disk section count differs"),
         Case("bad-hello-blk-size", blk_stream(st, one, hello=blk_hello(st, [
             {"id": "d0", "size": 2 * DISK_SIZE, "readonly": False}])),
              r"refused: disk 0 \(d0\) size differs: source 2097152 bytes, destination 1048576"),
         Case("bad-hello-blk-extra-drive", blk_stream(st, one, hello=blk_hello(st, [
             {"id": "d0", "size": DISK_SIZE, "readonly": False},
             {"id": "d1", "size": DISK_SIZE, "readonly": False}])), r"refused: .*this side has no such drive"),
         Case("bad-hello-blk-no-disks", blk_stream(st, one, hello=blk_hello(st, "none")),
              r"refused: the source asks to send its disks \(blk\) but lists none"),
         Case("bad-hello-blk-not-bool", blk_stream(st, one, hello=json.dumps(dict(
             st.hello, machine=dict(st.hello["machine"], blk="yes"))).encode()),
              r"refused: the source's blk is not a boolean")]
    return c


def control_cases(st):
    idev = st.index(DEVICES)
    ents = devstate_entries(st.body[idev]["payload"])
    two, _ = second_round(st)
    disks = blk_stream(st, [(disk_sec(off=0, length=8192), 1), (disk_sec(flags=1, off=8192, length=65536), 1),
                            (disk_sec(off=DISK_SIZE - 512, length=512), 1),
                            (disk_sec(flags=1, off=0, length=DISK_SIZE), 1)])
    return [Case("control-disk-sections", disks, None, ack_ok=True, after_ack=st.commit_items(), run=True),
            Case("control-valid-stream", st.body_items, None, ack_ok=True,
                 after_ack=st.commit_items(), run=True),
            Case("control-second-round", two, None, ack_ok=True, after_ack=st.commit_items(), run=True),
            Case("control-devices-reordered", st.replace(idev, devstate_blob(list(reversed(ents)))), None,
                 ack_ok=True, after_ack=st.commit_items(), run=True)]


# ---- peers that never prove the key ------------------------------------

def _connect(port, timeout=5):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def _read_until_eof(sock, timeout):
    """Everything the destination says until it closes (bounded)."""
    out = bytearray()
    deadline = time.time() + timeout
    while time.time() < deadline:
        sock.settimeout(max(0.05, deadline - time.time()))
        try:
            c = sock.recv(65536)
        except socket.timeout:
            break
        except OSError:  # a reset: it closed with our bytes unread
            return bytes(out), True
        if not c:
            return bytes(out), True
        out += c
    return bytes(out), False


def _told_nothing(reply, eof):
    """A dropped peer may get the destination's preamble, nothing more."""
    if not eof:
        return "the destination did not close the connection"
    if reply and (len(reply) != PRE_SIZE or not miglib.parse_preamble(reply)):
        return (f"the destination said more than its preamble: {len(reply)} bytes "
                f"({reply[:80]!r}{' ... ram-size!' if b'ram-size' in reply else ''})")
    return None


def send_and_listen(port, data, timeout=10, shut=False):
    s = _connect(port)
    try:
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it dropped us before taking everything: what did it say?
        return _read_until_eof(s, timeout)
    finally:
        s.close()


def keyed_peer(key, mode=None, first=None, dest_key_plain=False):
    """A peer with `key` (None: plain): preamble, then its AUTH (or `first`
    records); returns fn for a PreCase."""
    def fn(runner, port, dst, ctx):
        s = _connect(port)
        try:
            ep = miglib.Endpoint(s, "source", key, mode=mode)
            try:
                ep.preambles()
            except (ConnectionError, OSError):
                return _told_nothing(bytes(ep.buf), True)
            got = ep.peer
            if first is None:
                ep.send(AUTH, miglib.AUTH_SRC)
            else:
                for typ, payload in first:
                    ep.send(typ, payload)
            more, eof = _read_until_eof(s, 10)
            return _told_nothing(got + more if more else got, eof)
        finally:
            s.close()
    return fn


def raw_peer(data, shut=True, timeout=10):
    def fn(runner, port, dst, ctx):
        try:
            reply, eof = send_and_listen(port, data, timeout, shut)
        except OSError as e:
            return f"cannot talk to the destination: {e}"
        return _told_nothing(reply, eof)
    return fn


def silent_peer(runner, port, dst, ctx):
    s = _connect(port)
    try:
        reply, eof = _read_until_eof(s, 10 * runner.slow)
        return _told_nothing(reply, eof)
    finally:
        s.close()


def connect_close(runner, port, dst, ctx):
    _connect(port).close()
    return None


def replay_peer(runner, port, dst, ctx):
    """The captured source bytes (preamble, AUTH, HELLO...) on a new
    connection to a destination that holds the same key."""
    return raw_peer(runner.stream.raw, shut=False)(runner, port, dst, ctx)


def Proxy_read(sock, n):
    buf = b""
    while len(buf) < n:
        c = sock.recv(n - len(buf))
        if not c:
            break
        buf += c
    return buf


def replay_same_dest(runner, port, dst, ctx):
    """A real source's connection to dst, cut at its AUTH (the destination
    drops it and keeps waiting); its bytes replayed on a new connection."""
    src = ctx["src"] = runner.source_vm()
    miglib.set_key(src.qmp, dst.qmp)

    class HoldAuth:
        def header(self, proxy, direction, typ, length):
            return direction == miglib.S2D and typ == AUTH

    proxy = miglib.Proxy(port, HoldAuth(), record=True).start()
    try:
        src.qmp.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}"})
        if not proxy.reached.wait(15 * runner.slow):
            return f"the source's AUTH never came ({proxy.error})"
        pre = bytes(proxy.data[miglib.S2D])
        # the AUTH is held, never forwarded: read it off the source's socket
        ssock = proxy.socks[0]
        ssock.settimeout(5)
        body = Proxy_read(ssock, proxy.hit[2])
        proxy.close()
        recorded = pre + proxy.held_head + body
    finally:
        proxy.stop()
    if len(pre) != PRE_SIZE:
        return f"recorded {len(pre)} bytes before the AUTH, expected a preamble"
    st = miglib.wait_for(lambda: src.qmp.ret("query-migrate").get("status") in ("failed", "cancelled"),
                         30 * runner.slow)
    if not st:
        return f"the source migration: {src.qmp.ret('query-migrate')}"
    if not miglib.wait_for(lambda: DROPPED in dst.stderr(), 10 * runner.slow):
        return f"the destination did not drop the first connection: {dst.stderr()[-300:]!r}"
    n0 = dst.stderr().count(DROPPED)
    reply, eof = send_and_listen(port, recorded, 10, shut=False)
    bad = _told_nothing(reply, eof)
    if bad:
        return bad
    if not miglib.wait_for(lambda: dst.stderr().count(DROPPED) > n0, 10 * runner.slow):
        return "the destination did not drop the replayed connection"
    return None


def real_source_mode(src_plain):
    """A real godwit-vmm source in the other mode than the destination."""
    def fn(runner, port, dst, ctx):
        src = ctx["src"] = runner.source_vm()
        q = src.qmp
        if src_plain:
            miglib.set_key(q, plain=True)
        else:
            miglib.set_key(q)
        q.ret("migrate", {"uri": f"tcp:127.0.0.1:{port}"})
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("failed", "cancelled", "completed")
                                      else None)(q.ret("query-migrate")), 30 * runner.slow)
        if not st or st["status"] != "failed":
            return f"the source migration: {st or q.ret('query-migrate')}"
        want = r"requires an encrypted stream" if src_plain else r"destination is in plain mode"
        if not re.search(want, st.get("error-desc", "")):
            return f"source error-desc {st.get('error-desc')!r} does not match /{want}/"
        log(f"  {runner.label}: source: {st['error-desc']}")
        if not miglib.wait_for(lambda: q.ret("query-status")["status"] == "running", 5):
            return f"the source VM is {q.ret('query-status')['status']}"
        if src_plain:  # back to an encrypted source for the end-to-end run
            q.ret("migrate-set-parameters", {"x-godwit-plain": False})
        return None
    return fn


def pre_cases(st, rng):
    c = []
    hello = st.body[0]["payload"]
    pre = miglib.preamble
    c.append(PreCase("auth-wrong-key", keyed_peer(miglib.new_key()), r"could not prove the migration key"))
    c.append(PreCase("auth-stale-key", keyed_peer(st.key), r"could not prove the migration key"))
    c.append(PreCase("auth-no-key", keyed_peer(None), r"wants a plain stream, this side requires encryption"))
    c.append(PreCase("auth-plain-dest", keyed_peer(miglib.new_key()),
                     r"wants an encrypted stream, this side is in plain mode", key="plain"))
    # (the record's length is checked against the AUTH's before its type)
    c.append(PreCase("auth-not-a-proof", None, r"first record is not a key proof|hello section of \d+ bytes \(limit 64\)"))  # fn set in Runner
    c.append(PreCase("auth-bad-preamble-magic", raw_peer(pre(magic=0x314D5747)), r"not a migration stream"))
    c.append(PreCase("auth-bad-preamble-version", raw_peer(pre(version=3)), r"another protocol version"))
    c.append(PreCase("auth-bad-preamble-mode", raw_peer(pre(mode=7)), r"not a migration stream"))
    c.append(PreCase("auth-bad-preamble-tail", raw_peer(pre(tail=b"\0" * 7 + b"\1")), r"not a migration stream"))
    c.append(PreCase("auth-silent", silent_peer, r"deadline reached|silent"))
    c.append(PreCase("connect-close", connect_close, r"connection closed|went away"))
    c.append(PreCase("random-4k", raw_peer(rng.randbytes(4096)), r"not a migration stream"))
    c.append(PreCase("random-zeros-64k", raw_peer(bytes(65536)), r"not a migration stream"))
    c.append(PreCase("random-http", raw_peer(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), r"connection closed"))
    c.append(PreCase("random-v1-stream", raw_peer(struct.pack("<IHHIIQ", 0x314D5747, HELLO, 1, len(hello), 0, 0)
                                                  + hello), r"not a migration stream"))
    c.append(PreCase("hello-probe", keyed_peer(None, first=[(HELLO, hello)]), r"wants a plain stream"))
    c.append(PreCase("hello-probe-plain-dest", keyed_peer(None, first=[(HELLO, hello)]),
                     r"first record is not a key proof|hello section of \d+ bytes \(limit 64\)", key="plain"))
    c.append(PreCase("replay-other-dest", replay_peer, r"could not prove the migration key", key=st.key))
    c.append(PreCase("replay-same-dest", replay_same_dest, r"could not prove the migration key", e2e=True,
                     timeout=40))
    c.append(PreCase("real-plain-to-encrypted", real_source_mode(True), r"wants a plain stream", e2e=True,
                     timeout=40))
    c.append(PreCase("real-encrypted-to-plain", real_source_mode(False), r"is in plain mode", key="plain",
                     e2e=True, timeout=40))
    return c


# ---- running a case -----------------------------------------------------

class Runner:
    def __init__(self, vmm, label, tmp, slow):
        self.vmm = vmm
        self.label = label
        self.tmp = tmp
        self.slow = slow
        self.n = 0
        self.lock = threading.Lock()
        self.stream = None
        self.disk = os.path.join(tmp, "disk.img")
        with open(self.disk, "wb") as f:
            f.truncate(1 << 20)
        self.guest = os.path.join(miglib.ROOT, "build/guest/migtest.elf")

    def vm_args(self, extra=()):
        return ["-M", "virt", "-m", str(RAM_MB), "-bios", "none", "-nographic",
                "-kernel", self.guest, "-append", GUEST_ARGS,
                "-drive", f"file={self.disk},format=raw,id=d0,if=none",
                "-device", "virtio-blk-device,drive=d0", "-device", "virtio-rng-device"] + list(extra)

    def name(self, prefix):
        with self.lock:
            self.n += 1
            return f"{prefix}{self.n}"

    def source_vm(self):
        src = miglib.VM(self.vmm, self.vm_args(), self.tmp, self.name("src"))
        src.connect(15 * self.slow)
        if not miglib.wait_for(lambda: "verify pass 1 ok" in src.console() or not src.alive(), 30 * self.slow):
            src.kill()
            raise RuntimeError(f"source did not come up: {src.console()[-200:]!r}")
        return src

    def capture(self):
        """A real migration through the proxy; returns the decrypted stream."""
        src = miglib.VM(self.vmm, self.vm_args(), self.tmp, "capture-src")
        port = miglib.free_port()
        dst = miglib.VM(self.vmm, self.vm_args(["-incoming", f"tcp:127.0.0.1:{port}"]), self.tmp, "capture-dst")
        proxy = miglib.Proxy(port, None, record=True).start()
        try:
            q = src.connect(15 * self.slow)
            dq = dst.connect(15 * self.slow)
            key = miglib.set_key(q, dq)
            if not miglib.wait_for(lambda: "verify pass 2 ok" in src.console(), 30 * self.slow):
                raise RuntimeError(f"capture source did not come up: {src.console()[-200:]!r}")
            q.ret("stop")  # one round, the same records every time
            q.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}"})
            st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("completed", "failed", "cancelled")
                                          else None)(q.ret("query-migrate")), 60 * self.slow)
            if not st or st["status"] != "completed":
                raise RuntimeError(f"capture migration did not complete: {st}")
            if not miglib.wait_for(lambda: dq.ret("query-migrate").get("status") == "completed", 15 * self.slow):
                raise RuntimeError(f"capture destination: {dq.ret('query-migrate')}")
            proxy.done.wait(10)
            s2d, _ = miglib.open_stream(proxy.data[miglib.S2D], proxy.data[miglib.D2S], key)
            return Stream(s2d, bytes(proxy.data[miglib.S2D]), key)
        finally:
            proxy.stop()
            src.kill()
            dst.kill()

    def new_dest(self, key="key"):
        """A destination with a fresh key (or plain, or the key given);
        returns (vm, port, key)."""
        port = miglib.free_port()
        dst = miglib.VM(self.vmm, self.vm_args(["-incoming", f"tcp:127.0.0.1:{port}"]), self.tmp,
                        self.name("dst"))
        q = dst.connect(15 * self.slow)
        if key == "plain":
            miglib.set_key(q, plain=True)
            return dst, port, None
        return dst, port, miglib.set_key(q, key=None if key == "key" else key)

    def run_pre(self, case):
        dst, port, key = self.new_dest(case.key)
        ctx = {}
        try:
            fn = case.fn
            if case.name == "auth-not-a-proof":
                fn = keyed_peer(key, first=[(HELLO, self.stream.body[0]["payload"])])
            err = fn(self, port, dst, ctx)
            if err:
                return err
            ok = miglib.wait_for(lambda: any(DROPPED in ln and re.search(case.expect, ln)
                                             for ln in dst.stderr().splitlines()) or not dst.alive(),
                                 case.timeout * self.slow)
            text = dst.stderr()
            rep = miglib.sanitizer_report(text)
            if rep:
                return f"sanitizer: {rep}"
            if not dst.alive():
                return f"the destination exited ({dst.proc.poll()}): {text[-300:]!r}"
            if not ok:
                return f"no '{DROPPED}... /{case.expect}/' line: {text[-300:]!r}"
            line = next(ln for ln in text.splitlines() if DROPPED in ln and re.search(case.expect, ln))
            log(f"  {self.label}/{case.name}: {line}")
            time.sleep(0.2)
            if not dst.alive():
                return "the destination exited after dropping the connection"
            st = dst.qmp.ret("query-status")["status"]
            if st != "inmigrate":
                return f"the destination is {st}, not still waiting (inmigrate)"
            if "src" in ctx:
                src = ctx["src"]
                if not src.alive() or src.qmp.ret("query-status")["status"] != "running":
                    return "the real source does not run any more"
                rep = miglib.sanitizer_report(src.stderr())
                if rep:
                    return f"source sanitizer: {rep}"
            if case.e2e:
                return self.end_to_end(ctx, dst, port, key)
            return None
        finally:
            dst.kill()
            if "src" in ctx:
                ctx["src"].kill()

    def end_to_end(self, ctx, dst, port, key):
        """A real migration to the destination that dropped the hostile
        peers: it must complete and the guest must run there, verified."""
        src = ctx.get("src") or self.source_vm()
        ctx["src"] = src
        q = src.qmp
        if key is None:
            miglib.set_key(q, plain=True)
        else:
            miglib.set_key(q, dst.qmp, key=miglib.new_key())
        q.ret("migrate", {"uri": f"tcp:127.0.0.1:{port}"})
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("completed", "failed", "cancelled",
                                                                         "unresolved") else None)(
            q.ret("query-migrate")), 60 * self.slow)
        if not st or st["status"] != "completed":
            return f"the real migration after the hostile peer: {st or q.ret('query-migrate')}"
        if not miglib.wait_for(lambda: dst.qmp.ret("query-status")["status"] == "running", 10 * self.slow):
            return f"the destination does not run the VM: {dst.qmp.ret('query-status')}"
        c0 = len(re.findall(r"^verify pass \d+ ok", dst.console(), re.M))
        if not miglib.wait_for(lambda: len(re.findall(r"^verify pass \d+ ok", dst.console(), re.M)) >= c0 + 2,
                               15 * self.slow):
            return "no verify passes from the guest on the destination"
        if "FAIL" in dst.console():
            return f"the guest found its memory corrupt: {dst.console()[-300:]!r}"
        if q.ret("query-status")["status"] == "running":
            return "split brain: the source runs too"
        return None

    def run(self, case):
        """Returns None (pass) or the reason of the failure."""
        if isinstance(case, PreCase):
            return self.run_pre(case)
        dst, port, key = self.new_dest()
        sock = None
        replies = []
        try:
            sock = _connect(port)
            ep = miglib.Endpoint(sock, "source", key, timeout=10 * self.slow)
            try:
                ep.preambles()
                ep.prove()
            except (OSError, ConnectionError, miglib.AuthError) as e:
                return f"the key proof failed: {e} (stderr {dst.stderr()[-300:]!r})"
            data = serialize(case.items, ep.tx)
            if case.cut is not None:
                data = data[:case.cut]
            if case.flip is not None:
                b = bytearray(data)
                b[case.flip[0]] ^= 1 << case.flip[1]
                data = bytes(b)
            after = serialize(case.after_ack, ep.tx) if case.after_ack is not None else None
            got_ack = threading.Event()

            def reader():
                try:
                    while True:
                        r = ep.recv(timeout=case.timeout * self.slow + 30)
                        replies.append((r["type"], r["seq"], r["payload"]))
                        if r["type"] == ACK:
                            got_ack.set()
                except (OSError, ConnectionError, miglib.AuthError):
                    return

            def sender():
                try:
                    sock.sendall(data)
                    if after is not None:
                        if got_ack.wait(T_EXIT * self.slow):
                            sock.sendall(after)
                    if case.close:
                        sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

            rt = threading.Thread(target=reader, daemon=True)
            wt = threading.Thread(target=sender, daemon=True)
            rt.start()
            wt.start()
            if case.run:
                return self.check_runs(case, dst, got_ack, replies)
            rc = dst.wait(case.timeout * self.slow)
            wt.join(5)
            err = dst.stderr()
            if rc is None:
                return f"hang: the destination still runs {case.timeout * self.slow} s later " \
                       f"(stderr {err[-200:]!r})"
            rep = miglib.sanitizer_report(err)
            if rep:
                return f"sanitizer: {rep}"
            if rc < 0:
                return f"killed by signal {-rc} (stderr {err[-300:]!r})"
            if rc != 1:
                return f"exit status {rc}, expected 1 (stderr {err[-300:]!r})"
            rt.join(2)
            oks = [r for r in replies if r[0] == ACK and b'"ok":true' in r[2]]
            if oks and not case.ack_ok:
                return "the destination ACKed {\"ok\":true} a corrupt stream"
            if case.ack_ok and not oks:
                return f"no ACK {{\"ok\":true}} for a valid stream (replies {replies})"
            lines = [ln for ln in err.splitlines() if ln.strip()]
            prefix = "godwit-vmm: migration failed: incoming: "
            if len(lines) != 1 or not lines[0].startswith(prefix):
                return f"stderr is not one '{prefix}...' line: {err[-400:]!r}"
            reason = lines[0][len(prefix):]
            if not reason.strip():
                return "empty reason"
            if case.expect and not re.search(case.expect, reason):
                return f"reason {reason!r} does not match /{case.expect}/"
            return None
        finally:
            if sock:
                try:
                    sock.close()
                except OSError:
                    pass
            dst.kill()

    def check_runs(self, case, dst, got_ack, replies):
        if not got_ack.wait(T_EXIT * self.slow):
            return f"no ACK (replies {replies}, stderr {dst.stderr()[-300:]!r})"
        oks = [r for r in replies if r[0] == ACK and b'"ok":true' in r[2]]
        if not oks:
            return f"ACK refused: {replies[-1][2][:200]!r}"
        q = dst.qmp
        if not miglib.wait_for(lambda: q.ret("query-status")["status"] == "running", 15 * self.slow):
            return f"the VM does not run after COMMIT: {q.ret('query-status')}"
        if not miglib.wait_for(lambda: any(r[0] == miglib.RUNNING for r in replies), 5 * self.slow):
            return f"no RUNNING confirmation after COMMIT (replies {[r[0] for r in replies]})"
        ok = miglib.wait_for(lambda: re.search(r"^hb \d+", dst.console(), re.M)
                             and re.search(r"^verify pass \d+ ok", dst.console(), re.M), 15 * self.slow)
        if "FAIL" in dst.console():
            return f"the guest found its memory corrupt: {dst.console()[-300:]!r}"
        if not ok:
            return "no heartbeat and verify pass from the guest after COMMIT"
        rep = miglib.sanitizer_report(dst.stderr())
        if rep:
            return f"sanitizer: {rep}"
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vmm")
    ap.add_argument("--label", default="migration-hostile")
    ap.add_argument("--only", default=None, help="regex on case names")
    ap.add_argument("--jobs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--save-stream", default=None, help="write the captured (sealed) stream here")
    a = ap.parse_args()
    vmm = os.path.abspath(a.vmm)
    if not os.access(vmm, os.X_OK):
        print(f"PLAN 1 {a.label}\nFAIL {a.label}/setup: no VMM at {a.vmm}")
        return 1
    try:
        miglib.xxh3(b"")
    except RuntimeError as e:
        print(f"PLAN 1 {a.label}\nFAIL {a.label}/setup: {e}")
        return 1
    slow = 2 if "asan" in vmm else 1
    tmp = tempfile.mkdtemp(prefix="godwit-hostile-")
    r = Runner(vmm, a.label, tmp, slow)
    failed = 0
    try:
        # the case list does not depend on the capture's contents beyond
        # its record layout, which is the same every time (paused source)
        try:
            st = r.capture()
            r.stream = st
        except Exception as e:  # noqa: BLE001
            print(f"PLAN 1 {a.label}\nFAIL {a.label}/capture: {type(e).__name__}: {e}")
            failed = 1
            return 1
        if a.save_stream:
            with open(a.save_stream, "wb") as f:
                f.write(st.raw)
        counts = {}
        for s in st.body:
            k = miglib.SEC_NAMES.get(s["type"], s["type"])
            counts[k] = counts.get(k, 0) + 1
        log(f"captured {len(st.raw)} bytes, records {counts}")
        ram_pages = st.hello["machine"]["ram-size"] // PAGE
        rng = random.Random(a.seed)
        cases = (control_cases(st) + pre_cases(st, rng) + random_cases(st, rng) + truncate_cases(st)
                 + flip_cases(st, rng) + reorder_cases(st) + bad_cases(st, ram_pages) + devices_cases(st)
                 + disk_cases(st))
        names = set()
        for c in cases:
            assert c.name not in names, c.name
            names.add(c.name)
        if a.only:
            cases = [c for c in cases if re.search(a.only, c.name)]
        print(f"PLAN {len(cases)} {a.label}", flush=True)
        log(f"{len(cases)} cases")
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
            futs = {ex.submit(r.run, c): c for c in cases}
            for f in concurrent.futures.as_completed(futs):
                c = futs[f]
                try:
                    err = f.result()
                except Exception as e:  # noqa: BLE001
                    err = f"{type(e).__name__}: {e}"
                if err:
                    failed += 1
                    print(f"FAIL {a.label}/{c.name}: {err}", flush=True)
                else:
                    print(f"PASS {a.label}/{c.name}", flush=True)
        log(f"{len(cases)} cases, {failed} failed, {time.time() - t0:.0f} s")
    finally:
        if a.keep or failed:
            log(f"(logs in {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
