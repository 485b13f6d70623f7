#!/usr/bin/env python3
"""make_corpus.py [VMM] [OUTDIR] - seed streams for tests/fuzz/fuzz_migration.

Runs real source VMMs (default build/godwit-vmm) with the configuration of
the fuzzer's machine - 1 MiB RAM, -bios none, a raw kernel, a virtio-blk on
a 1 MiB image and a virtio-rng - and migrates each to a stand-in
destination written here, which answers like dest.c (WELCOME, ROUND_ACK, ACK, all ok) and
records what the source sends from HELLO to END (the part mig_dest_receive
reads). Seeds (OUTDIR, default tests/fuzz/corpus), each
"<selector byte><source preamble><records>" as fuzz_migration.c reads them,
for selector 0 (plain: "plain-*") and 1 (sealed with FUZZ_KEY by the
fuzzer's writer: "sealed-*", records in plaintext):

  *-spin-running    kernel "j .": the first round and a quiet second one
  *-dirty-running   a kernel that keeps writing 4 pages: several rounds,
                    data pages in every one, a non-empty final set
  *-dirty-paused    the same, paused before the migration: one round
  *-hello-only      AUTH and HELLO of dirty-running (and nothing else)
  *-hello-rom-ram   dirty-running up to its first RAM record
  sealed-wire-dirty-paused  selector 3: the records sealed as they were on
                    the wire (another connection's keys: they fail
                    authentication at the AUTH)

The stand-in destination here speaks the v2 handshake with the source (the
same key, or plain) and answers like dest.c. The stream does not depend on
the disk's contents or on the raw kernel beyond RAM, so the fuzzer's own
machine ("j .") accepts every seed.
"""
import os
import socket
import struct
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "migration"))
import miglib  # noqa: E402


# ---- a few RV64 instructions, encoded by hand ---------------------------

def r_type(f7, rs2, rs1, f3, rd, op):
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def i_type(imm, rs1, f3, rd, op):
    return (imm & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op


def s_type(imm, rs2, rs1, f3, op):
    imm &= 0xFFF
    return (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 31) << 7 | op


def b_type(imm, rs2, rs1, f3):
    imm &= 0x1FFF
    return ((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 \
        | ((imm >> 1) & 0xF) << 8 | ((imm >> 11) & 1) << 7 | 0x63


def j_type(imm, rd):
    imm &= 0x1FFFFF
    return ((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3FF) << 21 | ((imm >> 11) & 1) << 20 \
        | ((imm >> 12) & 0xFF) << 12 | rd << 7 | 0x6F


T0, T1, T2, T3, T4 = 5, 6, 7, 28, 29
SPIN = [j_type(0, 0)]  # j .
DIRTY = [  # write a counter over 4 pages at DRAM + 256 KiB, forever
    0x17 | T0 << 7,                      # 0x00 auipc t0, 0
    (0x40 << 12) | T1 << 7 | 0x37,       # 0x04 lui   t1, 0x40
    r_type(0, T1, T0, 0, T0, 0x33),      # 0x08 add   t0, t0, t1
    (0x4 << 12) | T2 << 7 | 0x37,        # 0x0c lui   t2, 0x4
    r_type(0, T2, T0, 0, T2, 0x33),      # 0x10 add   t2, t0, t2
    i_type(0, T0, 0, T3, 0x13),          # 0x14 mv    t3, t0
    s_type(0, T4, T3, 3, 0x23),          # 0x18 sd    t4, 0(t3)
    i_type(1, T4, 0, T4, 0x13),          # 0x1c addi  t4, t4, 1
    i_type(512, T3, 0, T3, 0x13),        # 0x20 addi  t3, t3, 512 (8 stores a page)
    b_type(-12, T2, T3, 6),              # 0x24 bltu  t3, t2, 0x18
    i_type(0, T0, 0, T3, 0x13),          # 0x28 mv    t3, t0
    j_type(-20, 0),                      # 0x2c j     0x18
]


def image(words):
    return b"".join(struct.pack("<I", w) for w in words)


# ---- a stand-in destination ---------------------------------------------

FUZZ_KEY = "676f647769742066757a7a206b6579202d206e6f7420612073656372657421ff"  # fuzz_migration.c


class FakeDest:
    """Accepts one connection, speaks the v2 handshake (preambles, AUTH and
    DAUTH) with `key` (None: plain), answers as dest.c does (WELCOME after
    HELLO, ROUND_ACK after each ROUND, ACK after END, all ok) and keeps the
    source's preamble, its raw bytes and its records in plaintext up to END."""

    def __init__(self, key):
        self.key = key
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.records = []  # (header 32 bytes, plaintext payload)
        self.preamble = None
        self.mine = None
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.lsock.settimeout(30)
        try:
            sock, _ = self.lsock.accept()
            ep = miglib.Endpoint(sock, "dest", self.key, timeout=30)
            ep.preambles()
            self.preamble, self.mine = ep.peer, ep.mine
            while True:
                n = ep.rx.n
                r = ep.recv()
                head = struct.pack("<IHHII", miglib.MAGIC, r["type"], r["version"], len(r["payload"]), n)
                self.records.append((head, r["payload"]))
                typ, payload = r["type"], r["payload"]
                if typ == miglib.AUTH:
                    ep.send(miglib.DAUTH, miglib.AUTH_DST)
                elif typ == miglib.HELLO:
                    ep.send(miglib.WELCOME, b'{"ok":true}')
                elif typ == miglib.ROUND and len(payload) >= 4:  # as dest.c: "all in RAM"
                    ep.send(miglib.ROUND_ACK, payload[:4])
                elif typ == miglib.END:
                    ep.send(miglib.ACK, b'{"ok":true}')
                    try:
                        ep.recv(timeout=10)  # the COMMIT
                    except (OSError, ConnectionError, miglib.AuthError):
                        pass
                    break
            sock.close()
        except Exception as e:  # noqa: BLE001
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.lsock.close()

    def plain_input(self, upto=None):
        """A fuzzer input: selector, preamble, records with plain tags (the
        fuzzer repairs them anyway) or plaintext payloads (selector 1)."""
        recs = self.records[:upto]
        return b"".join(h + miglib.plain_tag(h, p) + p for h, p in recs)


def capture(vmm, tmp, kernel, paused, key):
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    kpath = os.path.join(tmp, "kernel.bin")
    with open(kpath, "wb") as f:
        f.write(image(kernel))
    vm = miglib.VM(vmm, ["-M", "virt", "-m", "1M", "-bios", "none", "-nographic", "-kernel", kpath,
                         "-drive", f"file={disk},format=raw,id=d0,if=none",
                         "-device", "virtio-blk-device,drive=d0", "-device", "virtio-rng-device"],
                   tmp, "corpus-src")
    dest = FakeDest(key)
    try:
        q = vm.connect()
        miglib.set_key(q, key=key, plain=key is None)
        time.sleep(0.3)
        if paused:
            q.ret("stop")
        q.ret("migrate", {"uri": f"tcp:127.0.0.1:{dest.port}"})
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("completed", "failed", "cancelled",
                                                                         "unresolved")
                                      else None)(q.ret("query-migrate")), 30)
        dest.thread.join(15)
        if dest.error or not dest.records or dest.records[-1][0][4] != miglib.END:
            raise RuntimeError(f"migration did not reach END: {st} {dest.error} {vm.stderr()[-300:]!r}")
        return dest
    finally:
        vm.kill()


def main():
    root = miglib.ROOT
    vmm = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/godwit-vmm")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    seeds = {}
    with tempfile.TemporaryDirectory(prefix="godwit-corpus-") as tmp:
        for mode, key in (("plain", None), ("sealed", FUZZ_KEY)):
            sel = b"\x00" if key is None else b"\x01"
            caps = {"spin-running": capture(vmm, tmp, SPIN, False, key),
                    "dirty-running": capture(vmm, tmp, DIRTY, False, key),
                    "dirty-paused": capture(vmm, tmp, DIRTY, True, key)}
            for name, d in caps.items():
                seeds[f"{mode}-{name}"] = sel + d.preamble + d.plain_input()
            d = caps["dirty-running"]
            types = [h[4] for h, _ in d.records]
            seeds[f"{mode}-hello-only"] = sel + d.preamble + d.plain_input(2)
            seeds[f"{mode}-hello-rom-ram"] = sel + d.preamble + d.plain_input(types.index(miglib.RAM) + 1)
        # sealed records as they were on the wire: they fail authentication
        # (another connection's keys) - the header and tag paths
        d = capture(vmm, tmp, DIRTY, True, FUZZ_KEY)
        ks, _ = miglib.conn_keys(FUZZ_KEY, d.preamble, d.mine)
        wire = miglib.build_records([(h[4], p, struct.unpack_from("<H", h, 6)[0]) for h, p in d.records], ks)
        seeds["sealed-wire-dirty-paused"] = b"\x03" + d.preamble + wire
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))  # the v1 seeds
    for name, data in seeds.items():
        kinds = [miglib.SEC_NAMES.get(r["type"], r["type"]) for r in miglib.parse_records(data, 1 + miglib.PRE_SIZE)]
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes, {len(kinds)} records: {' '.join(kinds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
