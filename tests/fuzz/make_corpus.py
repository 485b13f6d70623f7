#!/usr/bin/env python3
"""make_corpus.py [VMM] [OUTDIR] - seed streams for tests/fuzz/fuzz_migration.

Runs real source VMMs (default build/godwit-vmm) with the configuration of
the fuzzer's machine - 1 MiB RAM, -bios none, a raw kernel, a virtio-blk on
a 1 MiB image and a virtio-rng - and migrates each to a stand-in
destination written here, which answers like dest.c (WELCOME, ROUND_ACK, ACK, all ok) and
records what the source sends from HELLO to END (the part mig_dest_receive
reads). Seeds (OUTDIR, default tests/fuzz/corpus):

  spin-running    kernel "j .": the first round and a quiet second one
  dirty-running   a kernel that keeps writing 4 pages: several rounds,
                  data pages in every one, a non-empty final set
  dirty-paused    the same, paused before the migration: one round
  hello-only      the HELLO of dirty-running (and nothing else)
  hello-rom-ram   dirty-running up to its first RAM section

The stream does not depend on the disk's contents or on the raw kernel
beyond RAM, so the fuzzer's own machine ("j .") accepts every seed.
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

class FakeDest:
    """Accepts one connection, answers as dest.c does (WELCOME after HELLO,
    ROUND_ACK after each ROUND, ACK after END, all ok) and records the
    source's sections up to END."""

    def __init__(self):
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.data = bytearray()
        self.error = None
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _recv(self, sock, n):
        buf = bytearray()
        while len(buf) < n:
            c = sock.recv(n - len(buf))
            if not c:
                raise ConnectionError("source closed early")
            buf += c
        return bytes(buf)

    def _run(self):
        self.lsock.settimeout(30)
        try:
            sock, _ = self.lsock.accept()
            sock.settimeout(30)
            seq = 0
            while True:
                head = self._recv(sock, miglib.HDR_SIZE)
                magic, typ, ver, ln, sseq, csum = miglib.HDR.unpack(head)
                payload = self._recv(sock, ln)
                self.data += head + payload
                if typ == miglib.HELLO:
                    sock.sendall(miglib.section(miglib.WELCOME, b'{"ok":true}', seq))
                    seq += 1
                elif typ == miglib.ROUND and len(payload) >= 4:  # as dest.c: "all in RAM"
                    sock.sendall(miglib.section(miglib.ROUND_ACK, payload[:4], seq))
                    seq += 1
                elif typ == miglib.END:
                    self.ended.set()
                    sock.sendall(miglib.section(miglib.ACK, b'{"ok":true}', seq))
                    try:
                        self._recv(sock, miglib.HDR_SIZE)  # the COMMIT
                    except (OSError, ConnectionError):
                        pass
                    break
            sock.close()
        except Exception as e:  # noqa: BLE001
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.lsock.close()


def capture(vmm, tmp, kernel, paused):
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
    dest = FakeDest()
    try:
        q = vm.connect()
        time.sleep(0.3)
        if paused:
            q.ret("stop")
        q.ret("migrate", {"uri": f"tcp:127.0.0.1:{dest.port}"})
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("completed", "failed", "cancelled")
                                      else None)(q.ret("query-migrate")), 30)
        dest.thread.join(10)
        if not st or st["status"] != "completed" or dest.error:
            raise RuntimeError(f"migration did not complete: {st} {dest.error} {vm.stderr()[-300:]!r}")
        return bytes(dest.data)
    finally:
        vm.kill()


def main():
    root = miglib.ROOT
    vmm = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/godwit-vmm")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="godwit-corpus-") as tmp:
        seeds = {"spin-running": capture(vmm, tmp, SPIN, False),
                 "dirty-running": capture(vmm, tmp, DIRTY, False),
                 "dirty-paused": capture(vmm, tmp, DIRTY, True)}
    secs = miglib.parse_stream(seeds["dirty-running"])
    seeds["hello-only"] = seeds["dirty-running"][:secs[1]["off"]]
    first_ram = next(s for s in secs if s["type"] == miglib.RAM)
    seeds["hello-rom-ram"] = seeds["dirty-running"][:first_ram["off"] + miglib.HDR_SIZE + len(first_ram["payload"])]
    for name, data in seeds.items():
        kinds = [miglib.SEC_NAMES.get(s["type"], s["type"]) for s in miglib.parse_stream(data)]
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes, {len(kinds)} sections: {' '.join(kinds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
