#!/usr/bin/env python3
"""storage.py VMM [--label L] [--only PAT] [--keep] - shared-nothing
migration (migrate "blk", `godwit migrate --with-storage`): the disks move
in the migration stream to a destination with its own images.

migtest guest (-m 64), images in separate datastore directories:

  sparse           a 4 GiB image holding 100 MiB of data, moved with
                   `godwit migrate --with-storage` to an empty sparse image:
                   exit 0, the report shows disk and RAM bytes; the disk
                   bytes sent are 100-102 MiB (not 4 GiB), the images are
                   equal and the target's st_blocks stays under 108 MiB
  refused-size     the destination's image is 2 MiB, the source's 1 MiB
  refused-readonly the destination's drive is read-only
  refused-nodrive  the destination has no disk
                   (each: refused in the handshake with a reason naming the
                   disk; the destination exits 1, the source runs on)
  fault-P-A        a proxy holds the stream at phase P - disk (the first
                   DISK record of round 1), devices (the stop-and-copy, VM
                   paused, final disk blocks sent), ack (the destination's
                   ACK) - and applies A: kill-dst, kill-src (disk phase),
                   cut, cancel. Then the VM runs in exactly one place: the
                   source runs (failed/cancelled) with its image unchanged
                   (sha256) and the destination exited without running it,
                   or (kill-src) the destination exited 1 without running it

The Linux guest (needs root: network namespaces, tmpfs and loop mounts):
one source in host namespace 1 writing a checked pattern to its disk
(godwit.diskload) moves to host namespace 2, each with its own datastore.
Each fault starts a fresh destination and must leave the source running,
its diskload reporting "verify OK":

  linux-target-full  the destination's datastore is a 2 MiB tmpfs: its
                     writes fail (ENOSPC), it exits 1 naming the disk
  linux-io-error     the destination's datastore is ext4 on a loop device,
                     shut down (FS_IOC_SHUTDOWN) during the disk copy: EIO
  linux-cancel       migrate_cancel during the disk copy
  linux-cut          the destination's link goes down during the disk copy
  linux-diskload     then the move that completes (`godwit migrate
                     --with-storage`, destination started with -S): both
                     images equal block by block while both sides are
                     paused; after `cont` the guest's diskload ends with
                     "verify OK" on the destination and tests/lib/diskcheck.py
                     finds the destination's image holds exactly what it
                     wrote (digest)

Prints "PLAN <n> <label>" first, then PASS/FAIL/SKIP lines; exits 1 if a
case failed. Every wait is bounded; mounts, namespaces, processes and the
temporary directory are removed at the end.
"""
import argparse
import fcntl
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import diskcheck  # noqa: E402  (tests/lib/diskcheck.py)
import miglib  # noqa: E402
from miglib import S2D, D2S, DISK, DEVICES, ACK  # noqa: E402

ROOT = miglib.ROOT
MIGTEST = os.path.join(ROOT, "build/guest/migtest.elf")
LINUX_IMG = os.path.join(ROOT, "build/guest/linux/Image")
LINUX_INITRD = os.path.join(ROOT, "build/guest/linux/initramfs.cpio.gz")
FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
MIB = 1 << 20
FS_IOC_SHUTDOWN = 0x8004587D      # _IOR('X', 125, __u32)
SHUTDOWN_NOLOGFLUSH = 2
FAILED_LINE = "godwit-vmm: migration failed: incoming: "

FAULTS = [("disk", "kill-dst"), ("disk", "kill-src"), ("disk", "cut"), ("disk", "cancel"),
          ("devices", "kill-dst"), ("devices", "cut"), ("devices", "cancel"),
          ("ack", "kill-dst"), ("ack", "cut")]
MIGTEST_CASES = (["sparse", "refused-size", "refused-readonly", "refused-nodrive"]
                 + [f"fault-{p}-{a}" for p, a in FAULTS])
LINUX_CASES = ["linux-target-full", "linux-io-error", "linux-cancel", "linux-cut", "linux-diskload"]


class CaseFail(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(4 * MIB)
            if not b:
                return h.hexdigest()
            h.update(b)


def make_image(path, size, data_mib=0, seed=1):
    """A sparse image of size bytes with data_mib distinct 1 MiB blocks of
    random data at random places."""
    with open(path, "wb") as f:
        f.truncate(size)
        rng = random.Random(seed)
        for blk in rng.sample(range(size // MIB), data_mib):
            f.seek(blk * MIB)
            f.write(rng.randbytes(MIB))


def final(q, timeout):
    return miglib.wait_for(lambda: (lambda s: s if s.get("status") in (
        "completed", "failed", "cancelled", "unresolved") else None)(q.ret("query-migrate")), timeout, 0.1)


def never_ran(dst, rc):
    """Problems if the destination ran the VM or did not end as a refused
    or killed destination must (rc: its exit status, None: still alive)."""
    err = dst.stderr()
    rep = miglib.sanitizer_report(err)
    if rep:
        return f"destination sanitizer: {rep}"
    if rc is None:
        return f"the destination still runs: {err[-200:]!r}"
    if rc > 0 and rc != 1:
        return f"destination exit status {rc}, want 1"
    if rc == 1 and FAILED_LINE not in err:
        return f"destination exited 1 without a '{FAILED_LINE}' line: {err[-300:]!r}"
    return None


class Lab:
    """Datastores and mounts made by the test (removed by cleanup)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.mounts = []
        self.loops = []

    def store(self, name):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        return d

    def tmpfs(self, name, size):
        d = self.store(name)
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", d], check=True)
        self.mounts.append(d)
        return d

    def ext4(self, name, size_mib):
        backing = os.path.join(self.tmp, name + ".fs")
        with open(backing, "wb") as f:
            f.truncate(size_mib * MIB)
        subprocess.run(["mkfs.ext4", "-q", "-F", backing], check=True, stdout=subprocess.DEVNULL)
        dev = subprocess.run(["losetup", "-f", "--show", backing], check=True,
                             capture_output=True, text=True).stdout.strip()
        self.loops.append(dev)
        d = self.store(name)
        subprocess.run(["mount", dev, d], check=True)
        self.mounts.append(d)
        return d

    def cleanup(self):
        for d in reversed(self.mounts):
            subprocess.run(["umount", "-l", d], stderr=subprocess.DEVNULL)
        for dev in self.loops:
            subprocess.run(["losetup", "-d", dev], stderr=subprocess.DEVNULL)
        self.mounts, self.loops = [], []


# ---- migtest cases --------------------------------------------------------

class Migtest:
    def __init__(self, vmm, tmp, slow, lab):
        self.vmm = vmm
        self.tmp = tmp
        self.slow = slow
        self.lab = lab
        self.n = 0

    def args(self, img, extra=(), drive_opts=""):
        a = ["-M", "virt", "-m", "64", "-bios", "none", "-nographic", "-kernel", MIGTEST,
             "-append", "mem=4 rate=1"]
        if img:
            a += ["-drive", f"file={img},format=raw,id=d0,if=none{drive_opts}",
                  "-device", "virtio-blk-device,drive=d0"]
        return a + list(extra)

    def vm(self, name, img, extra=(), drive_opts=""):
        self.n += 1
        v = miglib.VM(self.vmm, self.args(img, extra, drive_opts), self.tmp, f"{name}{self.n}")
        v.connect(15 * self.slow)
        return v

    def dest(self, img, drive_opts=""):
        port = miglib.free_port()
        return self.vm("dst", img, ["-incoming", f"tcp:127.0.0.1:{port}"], drive_opts), port

    def sparse(self):
        s1, s2 = self.lab.store("sp-h1"), self.lab.store("sp-h2")
        src_img, dst_img = os.path.join(s1, "disk.img"), os.path.join(s2, "disk.img")
        make_image(src_img, 4 << 30, 100)
        make_image(dst_img, 4 << 30)
        src = self.vm("src", src_img)
        dst, port = self.dest(dst_img)
        try:
            cli = os.path.join(os.path.dirname(self.vmm), "godwit")
            r = subprocess.run([cli, "migrate", "--from", src.qmp_path, "--to", dst.qmp_path,
                                "--uri", f"tcp:127.0.0.1:{port}", "--with-storage"],
                               capture_output=True, text=True, timeout=120 * self.slow)
            log(f"  sparse: godwit migrate exit {r.returncode}; report:\n    "
                + r.stdout.strip().replace("\n", "\n    "))
            if r.returncode != 0 or "status: completed" not in r.stdout:
                raise CaseFail(f"godwit migrate exit {r.returncode}: {r.stderr.strip()[-300:]!r}")
            m = re.search(r"^disk transferred: (\d+) bytes", r.stdout, re.M)
            if not m or not re.search(r"^RAM transferred: \d+ bytes", r.stdout, re.M):
                raise CaseFail(f"the report shows no disk and RAM bytes: {r.stdout!r}")
            sent = int(m.group(1))
            q = src.qmp.ret("query-migrate")
            if q.get("disk", {}).get("transferred") != sent or q["disk"].get("total") != 4 << 30:
                raise CaseFail(f"query-migrate disk {q.get('disk')} disagrees with the report ({sent})")
            if not 100 * MIB <= sent <= 102 * MIB:
                raise CaseFail(f"{sent} disk bytes sent for 100 MiB of data in a 4 GiB image")
            if sha(src_img) != sha(dst_img):
                raise CaseFail("the destination's image differs from the source's")
            alloc = os.stat(dst_img).st_blocks * 512
            log(f"  sparse: {sent} disk bytes sent ({sent / MIB:.2f} MiB); destination image "
                f"allocates {alloc / MIB:.1f} MiB (source {os.stat(src_img).st_blocks * 512 / MIB:.1f})")
            if alloc > 108 * MIB:
                raise CaseFail(f"the destination image allocates {alloc} bytes: not sparse")
            if dst.qmp.ret("query-status")["status"] != "running":
                raise CaseFail("the destination does not run the VM")
        finally:
            src.kill()
            dst.kill()
            for p in (src_img, dst_img):
                os.unlink(p)

    def refused(self, kind):
        s1, s2 = self.lab.store("rf-h1"), self.lab.store("rf-h2")
        src_img, dst_img = os.path.join(s1, "disk.img"), os.path.join(s2, "disk.img")
        make_image(src_img, MIB, 1)
        make_image(dst_img, 2 * MIB if kind == "size" else MIB)
        ro = ",readonly=on" if kind == "readonly" else ""
        expect = {"size": r"disk 0 \(d0\) size differs: source 1048576 bytes, destination 2097152",
                  "readonly": r"disk 0 \(d0\) is read-only on the destination",
                  "nodrive": r"the source sends disk 0 \(d0\) with the VM \(blk\), this side has no "
                             r"such drive"}[kind]
        src = self.vm("src", src_img, drive_opts=ro)
        dst, port = self.dest(None if kind == "nodrive" else dst_img, ro)
        try:
            before = sha(src_img)
            miglib.set_key(src.qmp, dst.qmp)
            src.qmp.ret("migrate", {"uri": f"tcp:127.0.0.1:{port}", "blk": True})
            st = final(src.qmp, 30 * self.slow)
            if not st or st["status"] != "failed":
                raise CaseFail(f"migration ended {st}, want failed")
            rc = dst.wait(20 * self.slow)
            err = never_ran(dst, rc)
            if err or rc != 1:
                raise CaseFail(err or f"destination exit {rc}, want 1")
            line = next(ln for ln in dst.stderr().splitlines() if FAILED_LINE in ln)
            log(f"  refused-{kind}: {line}")
            if not re.search(expect, line) or not re.search(expect, st.get("error-desc", "")):
                raise CaseFail(f"reason {line!r} / {st.get('error-desc')!r} does not match /{expect}/")
            if src.qmp.ret("query-status")["status"] != "running":
                raise CaseFail("the source does not run the VM")
            if sha(src_img) != before:
                raise CaseFail("the source's image changed")
        finally:
            src.kill()
            dst.kill()

    def fault(self, phase, action, shared):
        """shared: {"src", "img"} a source reused while it survives."""
        s1, s2 = self.lab.store("ft-h1"), self.lab.store("ft-h2")
        if "src" not in shared or not shared["src"].alive():
            shared["img"] = os.path.join(s1, "disk.img")
            make_image(shared["img"], 64 * MIB, 24, seed=7)
            shared["src"] = self.vm("src", shared["img"])
            shared["sha"] = sha(shared["img"])
        src, src_img = shared["src"], shared["img"]
        dst_img = os.path.join(s2, "disk.img")
        make_image(dst_img, 64 * MIB)
        dst, port = self.dest(dst_img)
        q = src.qmp

        class Rule:
            def header(self, proxy, direction, typ, length):
                if phase == "disk":
                    return direction == S2D and typ == DISK
                if phase == "devices":
                    return direction == S2D and typ == DEVICES
                return direction == D2S and typ == ACK

        proxy = miglib.Proxy(port, Rule()).start()
        try:
            miglib.set_key(q, dst.qmp)
            # slow enough that round 1 of the disk is many records
            q.ret("migrate-set-parameters", {"max-bandwidth": 64 * MIB})
            q.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}", "blk": True})
            if not proxy.reached.wait(30 * self.slow):
                raise CaseFail(f"the stream never reached the {phase} phase "
                               f"({q.ret('query-migrate')}; {proxy.error})")
            if action == "kill-dst":
                dst.kill()
                proxy.close()
            elif action == "kill-src":
                src.kill()
                proxy.close()
            elif action == "cut":
                proxy.close()
            else:
                q.ret("migrate_cancel")
                proxy.release()
            if action == "kill-src":
                rc = dst.wait(40 * self.slow)
                err = never_ran(dst, rc)
                if err or rc != 1:
                    raise CaseFail(err or f"destination exit {rc}, want 1")
                return
            st = final(q, 40 * self.slow)
            want = "cancelled" if action == "cancel" else "failed"
            if not st or st["status"] != want:
                raise CaseFail(f"source migration ended {st and st.get('status')}, want {want}: {st}")
            if not miglib.wait_for(lambda: q.ret("query-status")["status"] == "running", 10 * self.slow):
                raise CaseFail(f"the source VM is {q.ret('query-status')['status']}, not running")
            rc = dst.wait(40 * self.slow)
            err = never_ran(dst, rc)
            if err:
                raise CaseFail(err)
            if sha(src_img) != shared["sha"]:
                raise CaseFail("the source's image changed")
            rep = miglib.sanitizer_report(src.stderr())
            if rep:
                raise CaseFail(f"source sanitizer: {rep}")
            log(f"  fault-{phase}-{action}: source {want} ({st.get('error-desc')}), running; "
                f"destination exit {rc}")
        finally:
            proxy.stop()
            dst.kill()
            q.ret("migrate-set-parameters", {"max-bandwidth": 0}) if src.alive() else None
            os.unlink(dst_img)


# ---- the Linux guest between two host namespaces --------------------------

class Linux:
    RATE_KB, SIZE_MB, DISK_MB = 2000, 32, 64

    def __init__(self, vmm, tmp, slow, lab):
        self.vmm = vmm
        self.tmp = tmp
        self.slow = slow
        self.lab = lab
        self.ns = f"sn{os.getpid() % 100000}"
        self.up = False
        self.n = 0
        self.src = None
        self.seconds = int(90 * slow)

    def netlab(self, cmd):
        return subprocess.run(["bash", "-c", f". tests/lib/netlab.sh && {cmd}"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    def setup(self):
        r = self.netlab(f"netlab_up {self.ns} 2")
        self.up = True
        if r.returncode:
            raise CaseFail(f"netlab: {r.stderr.strip()[-200:]}")
        for h, ip in ((1, "10.77.0.211"), (2, "10.77.0.212")):
            subprocess.run(["ip", "-n", f"{self.ns}-h{h}", "addr", "add", f"{ip}/24", "dev", "br0"],
                           check=True)

    def cleanup(self):
        if self.src:
            self.src.kill()
        if self.up:
            self.netlab(f"netlab_down {self.ns}")

    def args(self, img, extra=(), append=""):
        return ["-m", "128M", "-bios", FW, "-kernel", LINUX_IMG, "-initrd", LINUX_INITRD,
                "-append", f"console=ttyS0 {append}".strip(), "-nographic",
                "-drive", f"file={img},format=raw,id=d0,if=none",
                "-device", "virtio-blk-device,drive=d0"] + list(extra)

    def vm(self, name, host, img, extra=(), append=""):
        self.n += 1
        v = miglib.VM(self.vmm, self.args(img, extra, append), self.tmp, f"{name}{self.n}",
                      prefix=["ip", "netns", "exec", f"{self.ns}-h{host}"])
        v.connect(30 * self.slow)
        return v

    def dest(self, store, extra=()):
        img = os.path.join(store, "disk.img")
        make_image(img, self.DISK_MB * MIB)
        return self.vm("dst", 2, img, ["-incoming", "tcp:10.77.0.212:4444"] + list(extra)), img

    def src_ok(self):
        """The source still runs its guest and its disk checks pass."""
        q = self.src.qmp
        if not miglib.wait_for(lambda: q.ret("query-status")["status"] == "running", 10 * self.slow):
            raise CaseFail(f"the source VM is {q.ret('query-status')['status']}, not running")
        n0 = len(re.findall(r"diskload: \d+ writes", self.src.console()))
        if not miglib.wait_for(lambda: len(re.findall(r"diskload: \d+ writes", self.src.console())) >= n0 + 2,
                               20 * self.slow):
            raise CaseFail("the source's diskload stopped reporting")
        if "verify FAIL" in self.src.console():
            raise CaseFail("the source's diskload reports verify FAIL")
        rep = miglib.sanitizer_report(self.src.stderr())
        if rep:
            raise CaseFail(f"source sanitizer: {rep}")

    def start_source(self):
        s1 = self.lab.store("lx-h1")
        self.src_img = os.path.join(s1, "disk.img")
        make_image(self.src_img, self.DISK_MB * MIB)
        self.src = self.vm("src", 1, self.src_img,
                           append=f"godwit.diskload={self.RATE_KB},{self.SIZE_MB},{self.seconds}")
        if not miglib.wait_for(lambda: re.search(r"diskload: [1-9]\d* writes", self.src.console())
                               or not self.src.alive(), 180 * self.slow, 0.5):
            raise CaseFail(f"no diskload on the source: {self.src.console()[-300:]!r}")
        # some data on the disk before the first migration
        miglib.wait_for(lambda: False, 5 * self.slow, 0.5)

    def copying(self, q):
        """Wait until the disk copy is under way."""
        if not miglib.wait_for(lambda: q.ret("query-migrate").get("disk", {}).get("transferred", 0) > MIB,
                               30 * self.slow):
            raise CaseFail(f"the disk copy did not start: {q.ret('query-migrate')}")

    def fault(self, kind):
        q = self.src.qmp
        store = {"target-full": lambda: self.lab.tmpfs("lx-full", "2m"),
                 "io-error": lambda: self.lab.ext4("lx-eio", 96)}.get(kind, lambda: self.lab.store("lx-h2"))()
        dst, img = self.dest(store)
        try:
            miglib.set_key(q, dst.qmp)
            slow_link = kind in ("io-error", "cancel", "cut")
            q.ret("migrate-set-parameters", {"max-bandwidth": 4 * MIB if slow_link else 0})
            q.ret("migrate", {"uri": "tcp:10.77.0.212:4444", "blk": True})
            if kind == "io-error":
                self.copying(q)
                fd = os.open(store, os.O_RDONLY)
                try:
                    fcntl.ioctl(fd, FS_IOC_SHUTDOWN, SHUTDOWN_NOLOGFLUSH.to_bytes(4, "little"))
                finally:
                    os.close(fd)
            elif kind == "cancel":
                self.copying(q)
                q.ret("migrate_cancel")
            elif kind == "cut":
                self.copying(q)
                subprocess.run(["ip", "-n", f"{self.ns}-h2", "link", "set", "uplink", "down"], check=True)
            st = final(q, 60 * self.slow)
            want = "cancelled" if kind == "cancel" else "failed"
            if not st or st["status"] != want:
                raise CaseFail(f"source migration ended {st}, want {want}")
            rc = dst.wait(40 * self.slow)
            err = never_ran(dst, rc)
            if err or rc != 1:
                raise CaseFail(err or f"destination exit {rc}, want 1")
            line = next(ln for ln in dst.stderr().splitlines() if FAILED_LINE in ln)
            log(f"  linux-{kind}: source: {st.get('error-desc')}; destination: {line}")
            expect = {"target-full": r"disk d0: writing .* failed: No space left on device",
                      "io-error": r"disk d0: .*(Input/output error|fdatasync failed)"}.get(kind)
            if expect and not re.search(expect, line):
                raise CaseFail(f"destination reason {line!r} does not match /{expect}/")
            self.src_ok()
        finally:
            dst.kill()
            if kind == "cut":
                subprocess.run(["ip", "-n", f"{self.ns}-h2", "link", "set", "uplink", "up"])
            if os.path.exists(img):
                try:
                    os.unlink(img)
                except OSError:
                    pass
            q.ret("migrate-set-parameters", {"max-bandwidth": 0})

    def diskload(self):
        if "diskload: done" in self.src.console():
            raise CaseFail("the source's diskload ended before the move (the faults took too long)")
        store = self.lab.store("lx-h2")
        dst, img = self.dest(store, ["-S"])
        try:
            cli = os.path.join(os.path.dirname(self.vmm), "godwit")
            r = subprocess.run([cli, "migrate", "--from", self.src.qmp_path, "--to", dst.qmp_path,
                                "--uri", "tcp:10.77.0.212:4444", "--with-storage"],
                               capture_output=True, text=True, timeout=300 * self.slow)
            log("  linux-diskload: godwit migrate exit %d; report:\n    %s" %
                (r.returncode, r.stdout.strip().replace("\n", "\n    ")))
            if r.returncode != 0:
                raise CaseFail(f"godwit migrate exit {r.returncode}: {r.stderr.strip()[-300:]!r}")
            if self.src.qmp.ret("query-status")["status"] != "postmigrate":
                raise CaseFail("the source is not postmigrate")
            # both paused: the images must be equal block by block
            if sha(self.src_img) != sha(img):
                raise CaseFail("source and destination images differ at the switchover")
            dst.qmp.ret("cont")
            done = miglib.wait_for(lambda: re.search(r"^diskload: done.*$", dst.console(), re.M),
                                   (self.seconds + 120) * self.slow, 0.5)
            if not done:
                raise CaseFail(f"no 'diskload: done' on the destination: {dst.console()[-300:]!r}")
            line = done.group(0).strip()
            log(f"  linux-diskload: destination: {line}")
            m = re.search(r"digest ([0-9a-f]+), verify OK", line)
            if not m:
                raise CaseFail(f"the guest's check failed: {line}")
            ok, n, digest, why = diskcheck.check(img, self.SIZE_MB)
            log(f"  linux-diskload: diskcheck of the destination image: {ok}, {n} blocks, "
                f"digest {digest:016x} {why}")
            if not ok or digest != int(m.group(1), 16):
                raise CaseFail(f"the destination image does not hold what the guest wrote: {why or 'digest'}")
            if "verify FAIL" in self.src.console() + dst.console():
                raise CaseFail("a diskload reported verify FAIL")
            rep = miglib.sanitizer_report(dst.stderr())
            if rep:
                raise CaseFail(f"destination sanitizer: {rep}")
        finally:
            dst.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmm")
    ap.add_argument("--label", default="migration-storage")
    ap.add_argument("--only", default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    cases = [c for c in MIGTEST_CASES + LINUX_CASES if not a.only or re.search(a.only, c)]
    print(f"PLAN {len(cases)} {a.label}", flush=True)
    vmm = os.path.abspath(a.vmm)
    slow = 2 if "asan" in vmm else 1
    tmp = tempfile.mkdtemp(prefix="godwit-storage-")
    lab = Lab(tmp)
    failed = 0

    def report(name, fn):
        nonlocal failed
        try:
            fn()
            print(f"PASS {a.label}/{name}", flush=True)
        except Exception as e:  # noqa: BLE001 - one line per case, whatever happened
            failed += 1
            print(f"FAIL {a.label}/{name}: {type(e).__name__ if not isinstance(e, CaseFail) else ''}"
                  f"{': ' if not isinstance(e, CaseFail) else ''}{e}", flush=True)

    try:
        mt = Migtest(vmm, tmp, slow, lab)
        shared = {}
        for c in cases:
            if c == "sparse":
                report(c, mt.sparse)
            elif c.startswith("refused-"):
                report(c, lambda k=c[8:]: mt.refused(k))
            elif c.startswith("fault-"):
                p, act = c[6:].split("-", 1)
                report(c, lambda p=p, act=act: mt.fault(p, act, shared))
        if "src" in shared:
            shared["src"].kill()
        lcases = [c for c in cases if c in LINUX_CASES]
        if lcases:
            missing = [f for f in (LINUX_IMG, LINUX_INITRD, FW) if not os.path.exists(f)]
            if os.getuid() != 0 or missing:
                why = f"{missing[0]} missing (make guest-linux)" if missing else \
                    "needs root (namespaces, mounts)"
                for c in lcases:
                    print(f"SKIP {a.label}/{c}: {why}", flush=True)
                return 1 if failed else 0
            lx = Linux(vmm, tmp, slow, lab)
            try:
                lx.setup()
                lx.start_source()
            except Exception as e:  # noqa: BLE001
                for c in lcases:
                    print(f"FAIL {a.label}/{c}: setup: {e}", flush=True)
                lx.cleanup()
                return 1
            try:
                for c in lcases:
                    report(c, lx.diskload if c == "linux-diskload" else
                           (lambda k=c[6:]: lx.fault(k)))
            finally:
                lx.cleanup()
    finally:
        lab.cleanup()
        if a.keep or failed:
            log(f"(logs in {tmp})")
            for f in os.listdir(tmp):
                p = os.path.join(tmp, f)
                if f.endswith(".img") or (os.path.isdir(p) and not a.keep):
                    shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.unlink(p)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
