#!/usr/bin/env python3
"""mirror.py VMM [--label L] [--cases a,b] - storage migration of a running
VM (drive-mirror, block jobs, disk errors), on godwit-vmm or, with VMM
"qemu", on qemu-system-riscv64 -M virt (QEMU 7.2 from Debian): the same QMP
session drives both, which shows godwit answers as QEMU does.

The Linux guest (build/guest/linux) runs its disk workload
(godwit.diskload: a checked pattern written to raw /dev/vda with O_DIRECT,
read back before each rewrite and all of it at the end) on a 64 MiB image
whose first 32 MiB it uses; MiB 32-48 hold 16 MiB of other data, so that
a copy takes a while. Cases:

  pivot              drive-mirror (sync full, mode absolute-paths, format
                     raw) to a second datastore directory while the guest
                     writes; BLOCK_JOB_READY; query-block-jobs says ready
                     with offset == len; block-job-complete;
                     BLOCK_JOB_COMPLETED without error; query-block names
                     the target. The guest's own check passes, the target
                     holds exactly what the guest wrote (tests/lib/
                     diskcheck.py with the guest's digest), the untouched
                     source is still self-consistent, the target is sparse
                     (it allocates no more than the source).
  write-blocking     the same with copy-mode write-blocking from the start.
  pivot-direct       the pivot with the drive opened cache=none (O_DIRECT on
                     source and target).
  slow-disk          (godwit) one guest write takes 3 s (x-godwit-block-fault
                     delay-ms): meanwhile the guest keeps printing heartbeats
                     and QMP answers, because disk I/O runs on the drive's
                     own threads, not the vCPU thread; the write then
                     completes and the guest's check passes.
  cancel-before      speed 1 MB/s, block-job-cancel before ready:
                     BLOCK_JOB_CANCELLED; the drive stays on the source,
                     which holds what the guest wrote.
  cancel-after       block-job-cancel after ready (QEMU's meaning): the job
                     completes without a pivot (BLOCK_JOB_COMPLETED); the
                     drive stays on the source; the target is a consistent
                     copy.
  target-full        the target directory is a 4 MiB tmpfs: the copy runs
                     out of space; BLOCK_JOB_ERROR, BLOCK_JOB_COMPLETED with
                     an error; the drive stays on the source, the guest's
                     check passes on it.
  target-io-error    (godwit) every write to the target fails with EIO
                     (x-godwit-block-fault): the job fails as above.
  source-read-error  (godwit) the job's read of the source fails once: the
                     job fails (BLOCK_JOB_ERROR, operation read), the guest
                     goes on.
  io-error-stop      (godwit) werror=stop and one failing guest write: the
                     VM pauses (query-status io-error, BLOCK_IO_ERROR with
                     action stop); after cont the write is retried and the
                     guest's check passes.
  kill-mid-copy      (godwit) the VMM is killed with SIGKILL mid-copy: the
                     source image is intact (every block a whole, valid
                     generation of the pattern).

Prints "PLAN N LABEL" first, then "PASS LABEL/case" or "FAIL LABEL/case:
why" (details on stderr); exits 1 if a case failed. Every wait is bounded;
processes, mounts and the temporary directory go away at the end.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import diskcheck  # noqa: E402
import qmp as qmplib  # noqa: E402

FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
KERNEL = "build/guest/linux/Image"
INITRD = "build/guest/linux/initramfs.cpio.gz"
MB = 1 << 20
IMG_SIZE = 64 * MB
LOAD_MB = 32
ALL_CASES = ["pivot", "write-blocking", "pivot-direct", "slow-disk", "cancel-before", "cancel-after", "target-full",
             "target-io-error", "source-read-error", "io-error-stop", "kill-mid-copy"]
GODWIT_ONLY = {"slow-disk", "target-io-error", "source-read-error", "io-error-stop", "kill-mid-copy"}


class Fail(Exception):
    pass


class QMP:
    """A QMP connection that keeps the events it sees."""

    def __init__(self, path, proc, timeout=30):
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise Fail("the VMM exited before QMP was up")
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise Fail("no QMP socket")
                time.sleep(0.05)
        self.buf = [""]
        self.events = []
        qmplib.read_obj(self.sock, self.buf, time.time() + 10)
        self.ok("qmp_capabilities")

    def _next(self, deadline):
        return qmplib.read_obj(self.sock, self.buf, deadline)

    def cmd(self, name, args=None, timeout=30):
        c = {"execute": name}
        if args is not None:
            c["arguments"] = args
        self.sock.sendall(json.dumps(c).encode())
        deadline = time.time() + timeout
        while True:
            o = self._next(deadline)
            if "event" in o:
                self.events.append(o)
                continue
            return o

    def ok(self, name, args=None):
        r = self.cmd(name, args)
        if "error" in r:
            raise Fail("%s: %s" % (name, r["error"].get("desc")))
        return r["return"]

    def event(self, names, timeout):
        """The first not yet taken event whose name is in names."""
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] in names:
                    return self.events.pop(i)
            try:
                o = self._next(min(deadline, time.time() + 0.5))
            except TimeoutError:
                o = None
            if o and "event" in o:
                self.events.append(o)
            if time.time() > deadline:
                raise Fail("no %s event within %d s (saw %s)" %
                           ("/".join(names), timeout, [e["event"] for e in self.events]))

    def close(self):
        self.sock.close()


class Guest:
    def __init__(self, vmm, tmp, name, image, append, drive_extra=""):
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        qmp_path = os.path.join(tmp, name + ".qmp")
        base = ["qemu-system-riscv64", "-M", "virt"] if vmm == "qemu" else [vmm]
        argv = base + ["-m", "256M", "-bios", FW, "-kernel", KERNEL, "-initrd", INITRD,
                       "-append", "console=ttyS0 " + append, "-nographic",
                       "-drive", "file=%s,format=raw,id=hd0,if=none%s" % (image, drive_extra),
                       "-device", "virtio-blk-device,drive=hd0",
                       "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
        self.qmp = QMP(qmp_path, self.proc)

    def console(self):
        with open(self.out, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_console(self, rx, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(rx, self.console())
            if m:
                return m
            if self.proc.poll() is not None:
                raise Fail("the VMM exited (%s) while waiting for %s" % (self.proc.returncode, what))
            time.sleep(0.1)
        raise Fail("no %s within %d s; console ends: %s" %
                   (what, timeout, self.console()[-300:].replace("\n", " | ")))

    def done(self, timeout=90):
        m = self.wait_console(r"diskload: done, \d+ blocks, (\d+) writes, digest ([0-9a-f]+), "
                              r"verify (OK|FAIL)", timeout, "the end of the disk workload")
        if m.group(3) != "OK":
            raise Fail("the guest's disk check failed: " +
                       (re.findall(r"diskload: block .*", self.console()) or ["?"])[0])
        return int(m.group(1)), m.group(2)

    def stop(self):
        try:
            self.qmp.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        with open(self.err, "rb") as f:
            err = f.read().decode(errors="replace")
        if "ERROR: AddressSanitizer" in err or "runtime error:" in err:
            raise Fail("sanitizer report: " + err[-500:])


def make_image(path, filler=True):
    with open(path, "wb") as f:
        f.truncate(IMG_SIZE)
        if filler:  # MiB 32-48: data the guest does not touch, so copies take a while
            f.seek(LOAD_MB * MB)
            f.write(os.urandom(16 * MB))


def check_image(path, digest=None):
    ok, n, got, why = diskcheck.check(path, LOAD_MB)
    if not ok:
        raise Fail("%s: %s" % (os.path.basename(path), why))
    if digest is not None and int(digest, 16) != got:
        raise Fail("%s holds digest %016x, the guest wrote %s" % (os.path.basename(path), got, digest))
    return n


def begin(g, vmm, start):
    """Start the job while the guest writes; on QEMU before the guest's
    workload starts: seen here, QEMU 7.2 aborts (block/io.c: Assertion
    `child->perm & BLK_PERM_WRITE' failed) or fails a guest read with EIO
    when drive-mirror starts under O_DIRECT writes. The job then still
    runs (or is ready and mirrors) while the guest writes."""
    if vmm == "qemu":
        start()
    g.wait_console(r"diskload: \d+ writes", 60, "the disk workload")
    if vmm != "qemu":
        start()


def drive_file(g):
    for d in g.qmp.ok("query-block"):
        if d["device"] == "hd0":
            return d["inserted"]["file"]
    raise Fail("query-block has no hd0")


def start_mirror(g, target, **kw):
    args = {"device": "hd0", "target": target, "sync": "full", "format": "raw",
            "mode": "absolute-paths"}
    args.update(kw)
    g.qmp.ok("drive-mirror", args)


def wait_ready(g, timeout=90):
    ev = g.qmp.event(["BLOCK_JOB_READY", "BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"], timeout)
    if ev["event"] != "BLOCK_JOB_READY":
        raise Fail("%s before ready: %s" % (ev["event"], ev.get("data")))
    jobs = g.qmp.ok("query-block-jobs")
    if len(jobs) != 1 or not jobs[0]["ready"] or jobs[0]["device"] != "hd0":
        raise Fail("query-block-jobs after READY: %s" % jobs)
    return jobs[0]


def case_pivot(vmm, tmp, copy_mode=None, drive_extra=""):
    src, dst = os.path.join(tmp, "ds1", "disk.img"), os.path.join(tmp, "ds2", "disk.img")
    make_image(src)
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=2048,%d,8" % LOAD_MB, drive_extra)
    try:
        kw = {"copy-mode": copy_mode} if copy_mode else {}
        begin(g, vmm, lambda: start_mirror(g, dst, **kw))
        job = wait_ready(g)
        # godwit is write-blocking once ready: nothing is left to copy.
        # QEMU's background mode keeps copying what the guest dirties.
        if job["offset"] > job["len"] or (vmm != "qemu" and job["offset"] != job["len"]):
            raise Fail("ready with offset %d of %d" % (job["offset"], job["len"]))
        if vmm == "qemu":
            # seen here: QEMU 7.2 aborts (block/io.c: Assertion `child->perm
            # & BLK_PERM_WRITE') when the pivot meets guest writes, so on
            # QEMU the pivot waits for the guest's workload to end
            digest = qemu_done(g)
        g.qmp.ok("block-job-complete", {"device": "hd0"})
        ev = g.qmp.event(["BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"], 60)
        if ev["event"] != "BLOCK_JOB_COMPLETED" or "error" in ev["data"]:
            raise Fail("pivot ended with %s %s" % (ev["event"], ev["data"]))
        if drive_file(g) != dst:
            raise Fail("query-block says the drive uses %s" % drive_file(g))
        if g.qmp.ok("query-block-jobs"):
            raise Fail("a job is still listed after it completed")
        if vmm != "qemu":
            digest = qemu_done(g) if vmm == "qemu" else g.done()[1]
    finally:
        g.stop()
    n = check_image(dst, digest)
    check_image(src)  # the old copy: left alone, still whole
    # sparse: the target allocates the filler and the blocks the guest wrote
    # (not asserted on QEMU: it copies whole clusters, and with cache=none
    # it allocates most of the image; godwit keeps the target as sparse as
    # the data, at the file system's block size)
    a_dst = os.stat(dst).st_blocks * 512
    if vmm != "qemu" and a_dst > 16 * MB + n * 4096 + 2 * MB:
        raise Fail("the target allocates %d bytes for %d bytes of data: not sparse" %
                   (a_dst, 16 * MB + n * 4096))


def qemu_done(g):
    """The guest's digest on QEMU, or None: seen here, now and then, QEMU
    7.2 fails one of the guest's O_DIRECT reads with EIO while a mirror
    runs (godwit must not: its runs check the guest's result always)."""
    try:
        return g.done()[1]
    except Fail as e:
        if "Input/output error" not in str(e):
            raise
        print("  note: QEMU: %s" % e, file=sys.stderr)
        return None


def case_cancel_before(vmm, tmp):
    src, dst = os.path.join(tmp, "ds1", "disk.img"), os.path.join(tmp, "ds2", "disk.img")
    make_image(src)
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=1024,%d,6" % LOAD_MB)
    try:
        begin(g, vmm, lambda: start_mirror(g, dst, speed=1 * MB))
        time.sleep(1.0)
        jobs = g.qmp.ok("query-block-jobs")
        if not jobs or jobs[0]["ready"]:
            raise Fail("expected a running, not ready job: %s" % jobs)
        g.qmp.ok("block-job-cancel", {"device": "hd0"})
        ev = g.qmp.event(["BLOCK_JOB_CANCELLED", "BLOCK_JOB_COMPLETED"], 30)
        if ev["event"] != "BLOCK_JOB_CANCELLED":
            raise Fail("cancel before ready gave %s" % ev["event"])
        if drive_file(g) != src:
            raise Fail("the drive moved to %s" % drive_file(g))
        digest = qemu_done(g) if vmm == "qemu" else g.done()[1]
    finally:
        g.stop()
    check_image(src, digest)


def case_cancel_after(vmm, tmp):
    src, dst = os.path.join(tmp, "ds1", "disk.img"), os.path.join(tmp, "ds2", "disk.img")
    make_image(src)
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=1024,%d,6" % LOAD_MB)
    try:
        begin(g, vmm, lambda: start_mirror(g, dst))
        wait_ready(g)
        g.qmp.ok("block-job-cancel", {"device": "hd0"})
        ev = g.qmp.event(["BLOCK_JOB_CANCELLED", "BLOCK_JOB_COMPLETED"], 30)
        if ev["event"] != "BLOCK_JOB_COMPLETED" or "error" in ev["data"]:
            raise Fail("cancel after ready gave %s %s" % (ev["event"], ev["data"]))
        if drive_file(g) != src:
            raise Fail("the drive moved to %s" % drive_file(g))
        digest = qemu_done(g) if vmm == "qemu" else g.done()[1]
    finally:
        g.stop()
    check_image(src, digest)
    check_image(dst)  # a consistent copy of some moment


def job_fails(g, operation):
    ev = g.qmp.event(["BLOCK_JOB_ERROR"], 60)
    if ev["data"].get("operation") != operation or ev["data"].get("device") != "hd0":
        raise Fail("BLOCK_JOB_ERROR %s" % ev["data"])
    ev = g.qmp.event(["BLOCK_JOB_COMPLETED", "BLOCK_JOB_CANCELLED"], 30)
    if ev["event"] != "BLOCK_JOB_COMPLETED" or "error" not in ev["data"]:
        raise Fail("the failed job ended with %s %s" % (ev["event"], ev["data"]))
    if drive_file(g) != g.src:
        raise Fail("the drive moved to %s after a failed copy" % drive_file(g))
    if g.qmp.ok("query-block-jobs"):
        raise Fail("the failed job is still listed")


def mount_small(path, size):
    os.makedirs(path, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "godwit-test", path],
                       capture_output=True, text=True)
    if r.returncode:
        raise Fail("cannot mount a small tmpfs: " + r.stderr.strip())


def case_target_fail(vmm, tmp, how):
    src = os.path.join(tmp, "ds1", "disk.img")
    dst = os.path.join(tmp, "ds2", "disk.img")
    make_image(src)
    if how == "full":
        mount_small(os.path.dirname(dst), "4m")
    rate = 0 if how == "read" else 1024
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=%d,%d,8" % (rate, LOAD_MB))
    g.src = src
    try:
        def go():
            if how == "read":  # the next read of the source fails: the job's
                g.qmp.ok("x-godwit-block-fault", {"file": src, "operation": "read", "count": 1})
            if how == "eio":
                g.qmp.ok("x-godwit-block-fault", {"file": dst, "operation": "write", "count": -1})
            start_mirror(g, dst, speed=8 * MB)
        begin(g, vmm, go)
        job_fails(g, "read" if how == "read" else "write")
        digest = qemu_done(g) if vmm == "qemu" else g.done()[1]
    finally:
        g.stop()
        if how == "full":
            subprocess.run(["umount", os.path.dirname(dst)], capture_output=True)
    check_image(src, digest)


def case_io_error_stop(vmm, tmp):
    src = os.path.join(tmp, "ds1", "disk.img")
    make_image(src, filler=False)
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=1024,%d,6" % LOAD_MB, ",werror=stop")
    try:
        g.wait_console(r"diskload: \d+ writes", 60, "the disk workload")
        g.qmp.ok("x-godwit-block-fault", {"file": src, "operation": "write", "count": 1})
        ev = g.qmp.event(["BLOCK_IO_ERROR"], 30)
        d = ev["data"]
        if d.get("action") != "stop" or d.get("operation") != "write" or d.get("device") != "hd0":
            raise Fail("BLOCK_IO_ERROR %s" % d)
        st = g.qmp.ok("query-status")
        if st["status"] != "io-error" or st["running"]:
            raise Fail("query-status after the error: %s" % st)
        g.qmp.ok("cont")
        st = g.qmp.ok("query-status")
        if st["status"] != "running":
            raise Fail("query-status after cont: %s" % st)
        digest = qemu_done(g) if vmm == "qemu" else g.done()[1]
    finally:
        g.stop()
    check_image(src, digest)


def heartbeats(g):
    return len(re.findall(r"^heartbeat ", g.console(), re.M))


def case_slow_disk(vmm, tmp):
    src = os.path.join(tmp, "ds1", "disk.img")
    make_image(src, filler=False)
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=1024,%d,6" % LOAD_MB)
    try:
        g.wait_console(r"diskload: \d+ writes", 60, "the disk workload")
        g.qmp.ok("x-godwit-block-fault", {"file": src, "operation": "write", "delay-ms": 3000,
                                          "count": 1})
        time.sleep(0.5)  # the next write is now stuck for 3 s
        hb0 = heartbeats(g)
        for _ in range(10):  # QMP answers all along
            if g.qmp.ok("query-status")["status"] != "running":
                raise Fail("the VM is not running while a write waits")
            time.sleep(0.2)
        hb = heartbeats(g) - hb0
        if hb < 5:
            raise Fail("only %d heartbeats in 2 s while one write waited" % hb)
        digest = qemu_done(g) if vmm == "qemu" else g.done()[1]
    finally:
        g.stop()
    check_image(src, digest)


def case_kill(vmm, tmp):
    src, dst = os.path.join(tmp, "ds1", "disk.img"), os.path.join(tmp, "ds2", "disk.img")
    make_image(src)
    g = Guest(vmm, tmp, "g", src, "godwit.diskload=2048,%d,30" % LOAD_MB)
    try:
        g.wait_console(r"diskload: \d+ writes", 60, "the disk workload")
        start_mirror(g, dst, speed=2 * MB)
        time.sleep(1.5)
        g.proc.send_signal(signal.SIGKILL)
        g.proc.wait(timeout=10)
    finally:
        g.stop()
    n = check_image(src)
    if n == 0:
        raise Fail("the guest wrote nothing before the kill")


def run_case(name, vmm, tmp):
    for d in ("ds1", "ds2"):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    if name == "pivot":
        case_pivot(vmm, tmp)
    elif name == "write-blocking":
        case_pivot(vmm, tmp, "write-blocking")
    elif name == "pivot-direct":
        case_pivot(vmm, tmp, drive_extra=",cache=none")
    elif name == "slow-disk":
        case_slow_disk(vmm, tmp)
    elif name == "cancel-before":
        case_cancel_before(vmm, tmp)
    elif name == "cancel-after":
        case_cancel_after(vmm, tmp)
    elif name == "target-full":
        case_target_fail(vmm, tmp, "full")
    elif name == "target-io-error":
        case_target_fail(vmm, tmp, "eio")
    elif name == "source-read-error":
        case_target_fail(vmm, tmp, "read")
    elif name == "io-error-stop":
        case_io_error_stop(vmm, tmp)
    elif name == "kill-mid-copy":
        case_kill(vmm, tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmm")
    ap.add_argument("--label", default="mirror")
    ap.add_argument("--cases", default="")
    a = ap.parse_args()
    cases = [c for c in ALL_CASES if a.vmm != "qemu" or c not in GODWIT_ONLY]
    if a.cases:
        cases = [c for c in cases if c in a.cases.split(",")]
    print("PLAN %d %s" % (len(cases), a.label), flush=True)
    failed = 0
    for c in cases:
        if not (os.path.exists(KERNEL) and os.path.exists(INITRD)):
            print("FAIL %s/%s: %s or %s missing (make guest-linux)" % (a.label, c, KERNEL, INITRD))
            failed += 1
            continue
        if c == "write-blocking" and a.vmm == "qemu":
            # seen here: with copy-mode=write-blocking QEMU 7.2 fails some of
            # the guest's O_DIRECT reads with EIO under this workload
            print("SKIP %s/%s: QEMU 7.2's write-blocking mirror fails guest reads "
                  "(EIO) under this workload" % (a.label, c))
            continue
        if c == "target-full" and os.geteuid() != 0:
            print("SKIP %s/%s: mounting a small tmpfs needs root" % (a.label, c))
            continue
        tmp = tempfile.mkdtemp(prefix="godwit-mirror-")
        t0 = time.time()
        try:
            run_case(c, a.vmm, tmp)
            print("PASS %s/%s" % (a.label, c), flush=True)
            print("  %s: %.1f s" % (c, time.time() - t0), file=sys.stderr)
        except (Fail, OSError, ValueError, TimeoutError, ConnectionError) as e:
            failed += 1
            print("FAIL %s/%s: %s" % (a.label, c, e), flush=True)
        finally:
            subprocess.run(["umount", os.path.join(tmp, "ds2")], capture_output=True)
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
