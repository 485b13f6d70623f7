#!/usr/bin/env python3
"""disks.py VMM [--label L] - disk images at a migration's switchover, as
with storage shared between two hosts (NFS and the like), where a host sees
another's writes only by close-to-open: the writer flushes, the reader
opens after that.

Played on one local filesystem, so only what can be seen here is checked:

  reopen            the destination opened the image at start-up; before the
                    migration the file at that path is replaced (a second
                    file renamed over it: "the other host's newer version").
                    After the migration the destination must hold the file
                    now at the path (its inode, via /proc/PID/fd), not the
                    one it opened first: it reopened after the source's flush.
  flush             the source, quit after the migration, reports (under
                    GODWIT_STATS) at least 2 fdatasyncs of the image made by
                    the VMM itself: before the stop and inside it. (Whether
                    the data reached a server cannot be seen locally.)
  reopen-refused    the file at the path is replaced by one of another size:
                    the destination must refuse (exit 1, a "migration failed"
                    line naming the size) and the source keep the VM running.

The guest is migtest (-m 64) with a 1 MiB virtio-blk it does not use.
Prints "PLAN 3 LABEL" first, then "PASS LABEL/name" or "FAIL LABEL/name:
why" per case (details on stderr); exits 1 if a case failed. Every wait is
bounded; the temporary directory and processes go away at the end.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import miglib  # noqa: E402

CASES = ["reopen", "flush", "reopen-refused"]
DISK = 1 << 20


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def write_image(path, fill, size):
    with open(path, "wb") as f:
        f.write(bytes([fill]) * size)


def replace_image(path, fill, size):
    """Another host's version of the image: a new file renamed over path."""
    tmp = path + ".new"
    write_image(tmp, fill, size)
    os.rename(tmp, path)


def image_fds(pid, path):
    """Inodes of the fds of process pid that name path (or its deleted
    predecessor)."""
    out = []
    d = f"/proc/{pid}/fd"
    for fd in os.listdir(d):
        try:
            target = os.readlink(os.path.join(d, fd))
            if target == path or target.startswith(path + " (deleted)"):
                out.append((target, os.stat(os.path.join(d, fd)).st_ino))
        except OSError:
            continue
    return out


class Run:
    def __init__(self, vmm, tmp, slow):
        self.vmm = vmm
        self.tmp = tmp
        self.slow = slow
        self.guest = os.path.join(miglib.ROOT, "build/guest/migtest.elf")
        self.disk = os.path.join(tmp, "disk.img")

    def args(self, extra=()):
        return ["-M", "virt", "-m", "64", "-bios", "none", "-nographic",
                "-kernel", self.guest, "-append", "mem=4 rate=1",
                "-drive", f"file={self.disk},format=raw,id=d0,if=none",
                "-device", "virtio-blk-device,drive=d0"] + list(extra)

    def start(self, name, extra=()):
        return miglib.VM(self.vmm, self.args(extra), self.tmp, name, env={"GODWIT_STATS": "1"})

    def migrate(self, src, port, dst):
        q = src.qmp
        key = os.urandom(32).hex()  # this migration's key, on both sides
        dst.qmp.ret("migrate-set-parameters", {"x-godwit-key": key})
        q.ret("migrate-set-parameters", {"x-godwit-key": key})
        q.ret("migrate", {"uri": f"tcp:127.0.0.1:{port}"})
        return miglib.wait_for(lambda: (lambda s: s if s.get("status") in
                                        ("failed", "cancelled", "completed") else None)(
            q.ret("query-migrate")), 60 * self.slow, 0.1)

    def success(self):
        """reopen and flush: yields (name, error or None)."""
        write_image(self.disk, ord("A"), DISK)
        src = self.start("src1")
        dst = None
        try:
            src.connect(15 * self.slow)
            port = miglib.free_port()
            dst = self.start("dst1", ["-S", "-incoming", f"tcp:127.0.0.1:{port}"])
            dq = dst.connect(15 * self.slow)
            old = os.stat(self.disk).st_ino
            replace_image(self.disk, ord("B"), DISK)
            new = os.stat(self.disk).st_ino
            st = self.migrate(src, port, dst)
            if not st or st["status"] != "completed":
                err = f"migration did not complete: {st}; dst: {dst.stderr()[-300:]!r}"
                yield ("reopen", err)
                yield ("flush", err)
                return
            miglib.wait_for(lambda: dq.ret("query-migrate").get("status") == "completed",
                            10 * self.slow)
            fds = image_fds(dst.proc.pid, self.disk)
            log(f"  destination's image fds: {fds} (first inode {old}, now at the path {new})")
            if not any(ino == new for _, ino in fds):
                yield ("reopen", f"the destination has no fd on the image now at {self.disk} "
                       f"(inode {new}); it still reads the one it opened at start-up "
                       f"(inode {old}): no reopen after the source's flush")
            elif any(ino == old for _, ino in fds):
                yield ("reopen", f"the destination still holds the old image (inode {old}) "
                       "besides the new one")
            else:
                yield ("reopen", None)
            src.qmp.ret("quit")
            if src.wait(15 * self.slow) is None:
                yield ("flush", "the source did not exit after quit")
                return
            m = re.search(r"blk slot \d+: .*?(\d+) host flushes", src.stderr())
            if not m:
                yield ("flush", f"no 'blk slot N: K host flushes' line on the source's "
                       f"stderr: {src.stderr()[-300:]!r}")
            elif int(m.group(1)) < 2:
                yield ("flush", f"the source fdatasynced the image {m.group(1)} time(s) at the "
                       "switchover; want at least 2 (before the stop and inside it)")
            else:
                log(f"  source: {m.group(0)}")
                yield ("flush", None)
        finally:
            if dst:
                dst.kill()
            src.kill()

    def refused(self):
        write_image(self.disk, ord("A"), DISK)
        src = self.start("src2")
        dst = None
        try:
            q = src.connect(15 * self.slow)
            port = miglib.free_port()
            dst = self.start("dst2", ["-S", "-incoming", f"tcp:127.0.0.1:{port}"])
            dst.connect(15 * self.slow)
            replace_image(self.disk, ord("B"), 2 * DISK)
            st = self.migrate(src, port, dst)
            if not st or st["status"] != "failed":
                return f"the migration ended {st and st.get('status')}, want failed"
            rc = dst.wait(30 * self.slow)
            line = [x for x in dst.stderr().splitlines() if "migration failed" in x]
            if rc != 1 or not line or "size" not in line[0]:
                return (f"destination: exit {rc}, want 1 with a 'migration failed' line naming "
                        f"the size: {dst.stderr()[-300:]!r}")
            log(f"  destination: {line[0]}")
            run = miglib.wait_for(lambda: q.ret("query-status")["status"] == "running",
                                  10 * self.slow)
            if not run:
                return f"source VM is {q.ret('query-status')['status']}, want running"
            return None
        finally:
            if dst:
                dst.kill()
            src.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmm")
    ap.add_argument("--label", default="migration-disks")
    a = ap.parse_args()
    print(f"PLAN {len(CASES)} {a.label}", flush=True)
    if not os.access(a.vmm, os.X_OK) or not os.path.exists(
            os.path.join(miglib.ROOT, "build/guest/migtest.elf")):
        for c in CASES:
            print(f"FAIL {a.label}/{c}: {a.vmm} or build/guest/migtest.elf not built")
        return 1
    slow = 2 if "asan" in a.vmm else 1
    tmp = tempfile.mkdtemp(prefix="godwit-disks-")
    failed = 0
    try:
        r = Run(os.path.abspath(a.vmm), tmp, slow)
        results = []
        try:
            for res in r.success():
                results.append(res)
        except Exception as e:  # noqa: BLE001 - one line per case, whatever happened
            results += [(c, f"{type(e).__name__}: {e}") for c in ("reopen", "flush")
                        if c not in dict(results)]
        try:
            results.append(("reopen-refused", r.refused()))
        except Exception as e:  # noqa: BLE001
            results.append(("reopen-refused", f"{type(e).__name__}: {e}"))
        for name, err in results:
            if err:
                failed += 1
                print(f"FAIL {a.label}/{name}: {err}", flush=True)
            else:
                print(f"PASS {a.label}/{name}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
