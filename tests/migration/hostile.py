#!/usr/bin/env python3
"""hostile.py VMM [--label L] [--only PAT] [--jobs N] [--seed S] [--keep] -
hostile input on a destination's -incoming port.

A valid stream is captured once through miglib.Proxy from a real migration
(migtest guest, -m 4, a virtio-blk and a virtio-rng; the source is paused
first, so the stream has one round and the same sections every time: the
case list is stable); then, for every case, a fresh destination with the
same configuration gets, straight on its port:

  random-*     random bytes, zeros, a foreign protocol, nothing at all, a
               silent peer (the destination's idle timeout must end it)
  truncate-*   the valid stream cut at every section boundary and inside
               every section (header and payload), then EOF
  flip-*       the valid stream with one bit inverted: header fields, HELLO
               JSON, RAM run tables and page data, ROM, device state, END
  bad-*        streams whose checksums are right but whose content is not:
               wrong magic, sequence errors, huge lengths, sections out of
               order, refused HELLOs (RAM size, protocol, devices...), RAM
               runs outside RAM / overlapping / too many, bad ROM, END and
               ABORT sections, device state with bad values
  control-*    the valid stream and valid variations (a second round
               re-sending pages, device entries reordered): each must be
               ACKed and, after COMMIT, run the guest with memory intact

Every hostile case must end with the destination exiting with status 1
within a bounded time (a hang is a FAIL), exactly one stderr line
"godwit-vmm: migration failed: incoming: <reason>" (the reason checked
against what the case broke), no ACK {"ok":true} for anything corrupt,
and no crash: a signal, another exit status or a sanitizer report is a
FAIL. Checksums of the rebuilt streams come from the system's libxxhash
(ctypes), as the VMM computes them.

Prints "PASS <label>/<case>" or "FAIL <label>/<case>: reason"; exits 1 if
any case failed.
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
                    MAGIC, HDR_SIZE, PAGE)

RAM_MB = 4
GUEST_ARGS = "mem=1 rate=1 verify=1"
RAM_MAX_RUNS = 1024
RAM_BATCH_PAGES = 256
RAM_SECTION_MAX = 8 + 8 * RAM_MAX_RUNS + RAM_BATCH_PAGES * PAGE

T_EXIT = 20       # a refused stream ends the destination within this (s)
T_IDLE = 45       # a silent peer: the destination's idle timeout is 30 s
CORRUPT = r"stream corrupt|connection closed by the peer"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Case:
    def __init__(self, name, data, expect=None, close=True, ack_ok=False, after_ack=None,
                 timeout=T_EXIT, run=False):
        self.name = name
        self.data = data          # bytes sent on connect
        self.expect = expect      # regex the error line must match
        self.close = close        # EOF after data (False: stay silent)
        self.ack_ok = ack_ok      # an ACK {"ok":true} is correct here
        self.after_ack = after_ack  # bytes sent once the ACK is in
        self.timeout = timeout
        self.run = run            # control: the VM must end up running


# ---- the valid stream and its pieces ------------------------------------

class Stream:
    """The captured stream as sections (type, payload, version)."""

    def __init__(self, raw):
        secs = miglib.parse_stream(raw)
        self.raw = raw
        self.secs = secs
        self.end = next(i for i, s in enumerate(secs) if s["type"] == END)
        self.commit = secs[self.end + 1] if self.end + 1 < len(secs) else None
        self.body = secs[:self.end + 1]           # HELLO .. END
        self.body_raw = raw[:secs[self.end]["off"] + HDR_SIZE + len(secs[self.end]["payload"])]
        self.hello = json.loads(secs[0]["payload"])

    def tuples(self):
        return [(s["type"], s["payload"], s["version"]) for s in self.body]

    def index(self, typ, nth=0):
        return [i for i, s in enumerate(self.body) if s["type"] == typ][nth]

    def count(self, typ):
        return sum(1 for s in self.body if s["type"] == typ)

    def build(self, tuples):
        return miglib.build_stream(tuples)

    def replace(self, i, payload=None, typ=None, version=None):
        t = self.tuples()
        old = t[i]
        t[i] = (old[0] if typ is None else typ, old[1] if payload is None else payload,
                old[2] if version is None else version)
        return self.build(t)

    def commit_bytes(self, seq):
        return miglib.section(COMMIT, b'{"run":true}', seq)  # the source was paused: run anyway


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

def random_cases(st, rng):
    c = [Case("random-empty", b"", CORRUPT),
         Case("random-1-byte", bytes([rng.randrange(256)]), CORRUPT),
         Case("random-23-bytes", rng.randbytes(23), CORRUPT),
         Case("random-24-bytes", rng.randbytes(24), CORRUPT),
         Case("random-4k", rng.randbytes(4096), CORRUPT),
         Case("random-1m", rng.randbytes(1 << 20), CORRUPT),
         Case("random-zeros-64k", bytes(65536), CORRUPT),
         Case("random-ones-64k", b"\xff" * 65536, CORRUPT),
         Case("random-http", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", CORRUPT),
         Case("random-after-magic", struct.pack("<I", MAGIC) + rng.randbytes(4096), CORRUPT),
         Case("random-after-hello", st.body_raw[:HDR_SIZE + len(st.body[0]["payload"])]
              + rng.randbytes(65536), CORRUPT),
         Case("random-silent-peer", b"", r"peer silent", close=False, timeout=T_IDLE),
         Case("random-silent-mid-section", st.body_raw[:len(st.body_raw) // 2], r"peer silent",
              close=False, timeout=T_IDLE)]
    for i in range(4):
        c.append(Case(f"random-seeded-{i}", rng.randbytes(rng.choice([100, 5000, 70000])), CORRUPT))
    return c


def truncate_cases(st):
    cases, raw = [], st.body_raw
    for k, s in enumerate(st.body):
        off, ln = s["off"], len(s["payload"])
        name = f"{k:02d}-{miglib.SEC_NAMES.get(s['type'], s['type'])}"
        points = [("boundary", off), ("hdr1", off + 1), ("hdr12", off + 12), ("hdr23", off + 23)]
        if ln:
            points += [("pay1", off + HDR_SIZE + 1) if ln > 1 else ("pay0", off + HDR_SIZE),
                       ("payhalf", off + HDR_SIZE + ln // 2), ("paylast", off + HDR_SIZE + ln - 1)]
        seen = set()
        for where, cut in points:
            if cut in seen or cut == 0:
                continue
            seen.add(cut)
            cases.append(Case(f"truncate-{name}-{where}", raw[:cut], r"connection closed by the peer"))
    # the whole stream, then EOF instead of the COMMIT: ACKed, then refused
    cases.append(Case("truncate-before-commit", raw,
                      r"connection closed by the peer \(after the ACK, before the commit", ack_ok=True))
    return cases


def flip_cases(st, rng):
    cases, raw = [], st.body_raw
    for k, s in enumerate(st.body):
        off, ln, typ = s["off"], len(s["payload"]), s["type"]
        name = f"{k:02d}-{miglib.SEC_NAMES.get(typ, typ)}"
        pts = [("magic", 0, 0), ("type", 4, 1), ("version", 6, 0), ("len-lo", 8, 0),
               ("len-hi", 11, 7), ("seq", 12, 0), ("csum", 16, 3)]
        p = HDR_SIZE
        if ln:
            pts += [("first", p, 0), ("mid", p + ln // 2, 4), ("last", p + ln - 1, 7)]
        if typ == HELLO:
            for i in range(1, 8):
                pts.append((f"json{i}", p + ln * i // 8, rng.randrange(8)))
        elif typ == RAM:
            nruns = struct.unpack_from("<I", s["payload"])[0]
            pts += [("nruns", p, 0), ("nruns-hi", p + 3, 7), ("flags", p + 4, 0),
                    ("run0-first", p + 8, 0), ("run0-len", p + 8 + 5, 0), ("run0-kind", p + 8 + 7, 0)]
            if nruns > 1:
                pts.append(("runlast-first", p + 8 + 8 * (nruns - 1), 2))
            if ln > 8 + 8 * nruns:
                pts.append(("page-data", p + 8 + 8 * nruns + 100, 5))
        elif typ == DEVICES:
            pos = 0
            for ename, ever, epay in devstate_entries(s["payload"]):
                nl = len(ename)
                pts += [(f"{ename}-namelen", p + pos, 0), (f"{ename}-name", p + pos + 1, 0),
                        (f"{ename}-ver", p + pos + 1 + nl, 1), (f"{ename}-len", p + pos + 3 + nl, 2),
                        (f"{ename}-data", p + pos + 7 + nl + len(epay) // 2, rng.randrange(8))]
                pos += 7 + nl + len(epay)
        elif typ == ROM:
            pts += [(f"rom{i}", p + ln * i // 5, rng.randrange(8)) for i in range(1, 5)]
        seen = set()
        for what, o, bit in pts:
            if o in seen or o >= HDR_SIZE + ln:
                continue
            seen.add(o)
            b = bytearray(raw)
            b[off + o] ^= 1 << bit
            cases.append(Case(f"flip-{name}-{what}", bytes(b), CORRUPT))
    return cases


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
    raw = st.body_raw

    def body_with(i, payload=None, typ=None, version=None):
        return st.replace(i, payload, typ, version)

    def without(i):
        return build([x for j, x in enumerate(t) if j != i])

    def inserted(i, sec):
        return build(t[:i] + [sec] + t[i:])

    # framing
    first = miglib.section(HELLO, t[0][1], 0, magic=0x324D5747)
    c.append(Case("bad-magic-first", first + raw[HDR_SIZE + len(t[0][1]):], r"bad section magic"))
    secs = [miglib.section(x[0], x[1], j, x[2], magic=(0xDEADBEEF if j == iram else MAGIC))
            for j, x in enumerate(t)]
    c.append(Case("bad-magic-ram", b"".join(secs), r"bad section magic 0xdeadbeef"))
    c.append(Case("bad-seq-first-1", miglib.build_stream(t, first_seq=1), r"section 1 arrived where 0"))
    secs = [miglib.section(x[0], x[1], j + (1 if j >= 2 else 0), x[2]) for j, x in enumerate(t)]
    c.append(Case("bad-seq-skip", b"".join(secs), r"section 3 arrived where 2"))
    secs = [miglib.section(x[0], x[1], j - (1 if j >= 2 else 0), x[2]) for j, x in enumerate(t)]
    c.append(Case("bad-seq-repeat", b"".join(secs), r"section 1 arrived where 2"))
    c.append(Case("bad-seq-huge", b"".join(miglib.section(x[0], x[1], (j + 0x7FFFFFFF) & 0xFFFFFFFF, x[2])
                                         for j, x in enumerate(t)), r"arrived where 0"))

    def hdr_only(typ, length, seq, version=1):
        return miglib.section(typ, b"", seq, version, length=length)

    prefix = build(t[:iram])  # HELLO, ROM (..)
    c.append(Case("bad-len-ram-4g", prefix + hdr_only(RAM, 0xFFFFFFFF, iram), r"ram section of 4294967295 bytes"))
    c.append(Case("bad-len-ram-4m+1", prefix + hdr_only(RAM, (4 << 20) + 1, iram),
                  r"ram section of 4194305 bytes \(limit 4194304\)"))
    one_run = ram_payload([(0, 1, 1)])[:16]
    c.append(Case("bad-len-ram-limit+1", prefix + hdr_only(RAM, RAM_SECTION_MAX + 1, iram) + one_run,
                  r"RAM section: length does not match its runs|ram section of \d+ bytes \(limit"))
    c.append(Case("bad-len-ram-limit-short", prefix + hdr_only(RAM, RAM_SECTION_MAX, iram) + b"\0" * 100,
                  r"RAM section|connection closed"))
    c.append(Case("bad-len-hello-4g", hdr_only(HELLO, 0xFFFFFFFF, 0), r"hello section of 4294967295 bytes"))
    c.append(Case("bad-len-hello-64k+1", hdr_only(HELLO, 65537, 0), r"hello section of 65537 bytes"))
    c.append(Case("bad-len-devices-4g", build(t[:idev]) + hdr_only(DEVICES, 0xFFFFFFFF, idev),
                  r"devices section of 4294967295 bytes"))
    c.append(Case("bad-len-devices-4m+1", build(t[:idev]) + hdr_only(DEVICES, (4 << 20) + 1, idev),
                  r"devices section of \d+ bytes"))
    c.append(Case("bad-len-devices-4m-short", build(t[:idev]) + hdr_only(DEVICES, 4 << 20, idev) + b"\0" * 1000,
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
    seq = len(t)
    c.append(Case("bad-commit-not-json", raw, r"commit is not a JSON object", ack_ok=True,
                  after_ack=miglib.section(COMMIT, b"run!", seq)))
    c.append(Case("bad-commit-ram-instead", raw, r"expected the commit", ack_ok=True,
                  after_ack=miglib.section(RAM, ram_payload([(0, 1, 0)]), seq)))
    c.append(Case("bad-commit-abort", raw, r"the source aborted after the ACK", ack_ok=True,
                  after_ack=miglib.section(ABORT, b'{"error":"x"}', seq)))
    c.append(Case("bad-commit-seq", raw, r"arrived where", ack_ok=True,
                  after_ack=miglib.section(COMMIT, b'{"run":true}', seq + 1)))
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
    # hart: x[0] @0, x1..x32 @8, f @264, pc @520, priv @528, ..., mstatus @556
    case("hart-x0", with_entry("hart", lambda p: patch(p, 0, "<Q", 1)), r"hart: x\[0\] 1 exceeds 0")
    case("hart-pc-odd", with_entry("hart", lambda p: patch(p, 520, "<Q", 0x80000001)), r"hart: pc .* aligned")
    case("hart-priv-2", with_entry("hart", lambda p: patch(p, 528, "<I", 2)), r"hart: priv 2 is not")
    case("hart-priv-7", with_entry("hart", lambda p: patch(p, 528, "<I", 7)), r"hart: priv 7 exceeds 3")
    case("hart-mstatus", with_entry("hart", lambda p: patch(p, 556, "<Q", 1 << 63)), r"hart: mstatus")
    case("clint-msip", with_entry("clint", lambda p: patch(p, 0, "<I", 2)), r"clint: msip 2 exceeds 1")
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
    case("duplicate-entry", ents + [ents[0]], r"duplicate entry 'hart'")
    case("missing-entry", [e for e in ents if e[0] != "rtc"], r"missing entry 'rtc'")
    case("missing-all", [], r"missing entry 'hart'")
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
    c.append(Case("bad-devices-empty-blob", st.replace(idev, b""), r"device state rejected: missing entry 'hart'"))
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


def control_cases(st):
    idev = st.index(DEVICES)
    ents = devstate_entries(st.body[idev]["payload"])
    seq = len(st.body)
    two, n2 = second_round(st)
    return [Case("control-valid-stream", st.body_raw, None, ack_ok=True,
                 after_ack=st.commit_bytes(seq), run=True),
            Case("control-second-round", two, None, ack_ok=True, after_ack=st.commit_bytes(n2), run=True),
            Case("control-devices-reordered", st.replace(idev, devstate_blob(list(reversed(ents)))), None,
                 ack_ok=True, after_ack=st.commit_bytes(seq), run=True)]


# ---- running a case -----------------------------------------------------

class Runner:
    def __init__(self, vmm, label, tmp, slow):
        self.vmm = vmm
        self.label = label
        self.tmp = tmp
        self.slow = slow
        self.n = 0
        self.lock = threading.Lock()
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

    def capture(self):
        """A real migration through the proxy; returns the source's bytes."""
        src = miglib.VM(self.vmm, self.vm_args(), self.tmp, "capture-src")
        port = miglib.free_port()
        dst = miglib.VM(self.vmm, self.vm_args(["-incoming", f"tcp:127.0.0.1:{port}"]), self.tmp, "capture-dst")
        proxy = miglib.Proxy(port, None, record=True).start()
        try:
            q = src.connect(15 * self.slow)
            if not miglib.wait_for(lambda: "verify pass 2 ok" in src.console(), 30 * self.slow):
                raise RuntimeError(f"capture source did not come up: {src.console()[-200:]!r}")
            q.ret("stop")  # one round, the same sections every time
            q.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}"})
            st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("completed", "failed", "cancelled")
                                          else None)(q.ret("query-migrate")), 60 * self.slow)
            if not st or st["status"] != "completed":
                raise RuntimeError(f"capture migration did not complete: {st}")
            dq = dst.connect(15 * self.slow)
            if not miglib.wait_for(lambda: dq.ret("query-migrate").get("status") == "completed", 15 * self.slow):
                raise RuntimeError(f"capture destination: {dq.ret('query-migrate')}")
            proxy.done.wait(10)
            return bytes(proxy.data[miglib.S2D])
        finally:
            proxy.stop()
            src.kill()
            dst.kill()

    def run(self, case):
        """Returns None (pass) or the reason of the failure."""
        port = miglib.free_port()
        dst = miglib.VM(self.vmm, self.vm_args(["-incoming", f"tcp:127.0.0.1:{port}"]), self.tmp,
                        self.name("dst"))
        sock = None
        replies = []
        try:
            deadline = time.time() + 15 * self.slow
            while True:
                try:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                    break
                except OSError:
                    if not dst.alive():
                        return f"destination exited ({dst.proc.poll()}) before it listened: {dst.stderr()[-300:]!r}"
                    if time.time() > deadline:
                        return "destination never listened"
                    time.sleep(0.02)
            got_ack = threading.Event()

            def reader():
                buf = b""
                try:
                    while True:
                        chunk = sock.recv(65536)
                        if not chunk:
                            return
                        buf += chunk
                        secs = miglib.parse_stream(buf)
                        while len(replies) < len(secs):
                            s = secs[len(replies)]
                            replies.append((s["type"], s["seq"], s["payload"]))
                            if s["type"] == ACK:
                                got_ack.set()
                except OSError:
                    return

            def sender():
                try:
                    sock.sendall(case.data)
                    if case.after_ack is not None:
                        if got_ack.wait(T_EXIT * self.slow):
                            sock.sendall(case.after_ack)
                    if case.close:
                        sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass

            sock.settimeout(None)
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
        q = dst.connect(15 * self.slow)
        if not miglib.wait_for(lambda: q.ret("query-status")["status"] == "running", 15 * self.slow):
            return f"the VM does not run after COMMIT: {q.ret('query-status')}"
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
    ap.add_argument("--save-stream", default=None, help="write the captured stream here")
    a = ap.parse_args()
    vmm = os.path.abspath(a.vmm)
    if not os.access(vmm, os.X_OK):
        print(f"FAIL {a.label}: no VMM at {a.vmm}")
        return 1
    try:
        miglib.xxh3(b"")
    except RuntimeError as e:
        print(f"FAIL {a.label}: {e}")
        return 1
    slow = 2 if "asan" in vmm else 1
    tmp = tempfile.mkdtemp(prefix="godwit-hostile-")
    r = Runner(vmm, a.label, tmp, slow)
    failed = 0
    try:
        try:
            raw = r.capture()
            st = Stream(raw)
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {a.label}/capture: {type(e).__name__}: {e}")
            return 1
        if a.save_stream:
            with open(a.save_stream, "wb") as f:
                f.write(raw)
        counts = {miglib.SEC_NAMES.get(s["type"], s["type"]): 0 for s in st.body}
        for s in st.body:
            counts[miglib.SEC_NAMES.get(s["type"], s["type"])] += 1
        log(f"captured {len(st.body_raw)} bytes, sections {counts}")
        ram_pages = st.hello["machine"]["ram-size"] // PAGE
        rng = random.Random(a.seed)
        cases = (control_cases(st) + random_cases(st, rng) + truncate_cases(st) + flip_cases(st, rng)
                 + bad_cases(st, ram_pages) + devices_cases(st))
        names = set()
        for c in cases:
            assert c.name not in names, c.name
            names.add(c.name)
        if a.only:
            cases = [c for c in cases if re.search(a.only, c.name)]
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
