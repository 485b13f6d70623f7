#!/usr/bin/env python3
"""migcheck.py TEST VMM LABEL [options] - live migration tests on godwit-vmm.

Tests (each prints one "PASS LABEL/TEST", "FAIL LABEL/TEST: why" or
"SKIP LABEL/TEST: why" line on stdout; details go to stderr as "info" lines):

  integrity  migtest (fill=random rate=50 period=1 verify=1) migrates under
             load at --max-bandwidth (so the last round always leaves dirty
             pages for the stop-and-copy) to a destination started with -S;
             the RAM of the paused source (postmigrate) and of the paused
             destination are dumped with pmemsave and compared page by page; then the destination runs
             and must finish a whole verify sweep of its own with the
             heartbeat counter, touches and mtime going on from the source's.
  pingpong   N migrations back and forth between fresh VMM processes on this
             host, each old source quit after completion; the guest's
             console (all processes in order) must show no verify FAIL,
             consecutive heartbeats, and a full verify sweep after the last.
  linux-tcp  the Linux guest on LAB-h1 (tap0) migrates to LAB-h2 while a
             client in LAB-c keeps a TCP echo connection busy (run.sh sets
             up the namespaces); the connection must survive with every byte
             checked, heartbeats and the guest clocks go on, and a new HTTP
             connection works after the move.

Every process started here is killed on the way out (also on SIGTERM), its
pid listed in $MIGCHECK_PIDFILE while it runs so that the calling script's
trap can kill it too. Every wait is bounded.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from qmp import read_obj  # noqa: E402  (tests/lib/qmp.py)

MIGTEST = os.path.join(ROOT, "build/guest/migtest.elf")
FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
LINUX_IMG = os.path.join(ROOT, "build/guest/linux/Image")
LINUX_INITRD = os.path.join(ROOT, "build/guest/linux/initramfs.cpio.gz")
RAM_BASE = 0x80000000
PAGE = 4096
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "SUMMARY: UndefinedBehaviorSanitizer")


class TestFailure(Exception):
    pass


def info(label, msg):
    print(f"  info {label}: {msg}", file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- processes

class Registry:
    """Every VMM and helper process started here; killed on the way out."""

    def __init__(self):
        self.procs = []
        self.vms = []
        self.pidfile = os.environ.get("MIGCHECK_PIDFILE")

    def _write(self):
        if not self.pidfile:
            return
        live = [str(p.pid) for p in self.procs if p.returncode is None]
        tmp = self.pidfile + ".new"
        with open(tmp, "w") as f:
            f.write("\n".join(live) + ("\n" if live else ""))
        os.replace(tmp, self.pidfile)

    def add(self, proc):
        self.procs.append(proc)
        self._write()

    def reaped(self):
        self._write()

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    p.kill()
                except OSError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self._write()


REG = Registry()


class QMP:
    """A persistent QMP connection; events are kept in self.events."""

    def __init__(self, path, alive, timeout=60):
        deadline = time.time() + timeout
        self.buf = [""]
        self.events = []
        while True:
            if not alive():
                raise TestFailure(f"VMM exited before its QMP socket {os.path.basename(path)} answered")
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                break
            except OSError:
                s.close()
                if time.time() > deadline:
                    raise TestFailure(f"no QMP socket {path} after {timeout} s")
                time.sleep(0.05)
        self.sock = s
        read_obj(s, self.buf, deadline)  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None, timeout=60):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode())
        deadline = time.time() + timeout
        while True:
            obj = read_obj(self.sock, self.buf, deadline)
            if "event" in obj:
                self.events.append(obj)
            elif "return" in obj or "error" in obj:
                return obj

    def ok(self, name, args=None, timeout=60):
        r = self.cmd(name, args, timeout)
        if "error" in r:
            raise TestFailure(f"QMP {name} failed: {r['error'].get('desc')}")
        return r["return"]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class VM:
    def __init__(self, tmp, name, argv, netns=None):
        self.name = name
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        self.sock = os.path.join(tmp, name + ".qmp")
        cmd = (["ip", "netns", "exec", netns] if netns else []) + list(argv) + [
            "-qmp", f"unix:{self.sock},server=on,wait=off"]
        self.cmdline = cmd
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
        REG.add(self.proc)
        REG.vms.append(self)
        self.qmp = None

    def alive(self):
        return self.proc.poll() is None

    def connect(self, timeout=60):
        self.qmp = QMP(self.sock, self.alive, timeout)
        return self.qmp

    def console(self):
        with open(self.out, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def sanitizer_report(self):
        e = self.stderr()
        for mark in SANITIZER_MARKS:
            i = e.find(mark)
            if i >= 0:
                return e[i:i + 300].replace("\n", " | ")
        return None

    def status(self):
        return self.qmp.ok("query-status")["status"]

    def wait_exit(self, timeout):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        REG.reaped()
        return rc

    def quit(self, timeout=30):
        """QMP quit; the exit status, or raise if it does not go away."""
        try:
            self.qmp.cmd("quit", timeout=10)
        except (OSError, TimeoutError, ConnectionError):
            pass
        self.qmp.close()
        rc = self.wait_exit(timeout)
        if rc is None:
            self.proc.kill()
            self.wait_exit(10)
            raise TestFailure(f"{self.name}: VMM still running {timeout} s after quit")
        return rc

    def tail(self, n=3):
        lines = (self.stderr().strip().splitlines() or self.console().strip().splitlines())
        return " / ".join(lines[-n:])[-300:]


def wait_for(cond, timeout, what, step=0.1, vms=()):
    """Poll cond() until it returns a true value; raise TestFailure after timeout."""
    deadline = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        for vm in vms:
            if not vm.alive():
                raise TestFailure(f"{what}: {vm.name} exited with status {vm.proc.returncode} ({vm.tail()})")
        if time.time() > deadline:
            raise TestFailure(f"{what}: not within {timeout} s")
        time.sleep(step)


def arm_key(src, dst):
    """A fresh migration key (256 random bits, as `godwit migrate` makes one)
    on both sides: the stream is AES-256-GCM; each key serves one migration."""
    key = os.urandom(32).hex()
    dst.qmp.ok("migrate-set-parameters", {"x-godwit-key": key})
    src.qmp.ok("migrate-set-parameters", {"x-godwit-key": key})


def migrate(src, dst_uri, timeout, dst=None):
    """Run one migration from src; the final query-migrate reply."""
    if dst is not None:
        arm_key(src, dst)
    src.qmp.ok("migrate", {"uri": dst_uri})
    last = {}

    def done():
        nonlocal last
        last = src.qmp.ok("query-migrate")
        return last.get("status") in ("completed", "failed", "cancelled")
    vms = [src] if dst is None else [src, dst]
    try:
        wait_for(done, timeout, "migration", step=0.05, vms=vms)
    except TestFailure:
        if last.get("status") not in ("completed", "failed", "cancelled"):
            try:
                src.qmp.cmd("migrate_cancel")
            except (OSError, TimeoutError, ConnectionError):
                pass
            raise TestFailure(f"migration did not finish in {timeout} s (last status "
                              f"{last.get('status')}, {json.dumps(last.get('ram', {}))})")
        raise
    if last["status"] != "completed":
        raise TestFailure(f"migration {last['status']}: {last.get('error-desc')}")
    return last


def start_incoming(tmp, name, argv, extra, host="127.0.0.1", port=None, netns=None, tries=3):
    """A destination VMM listening on host:port (a free port if none given)."""
    for _ in range(tries):
        p = port or free_port()
        vm = VM(tmp, name, list(argv) + list(extra) + ["-incoming", f"tcp:{host}:{p}"], netns)
        try:
            vm.connect(timeout=60)
            return vm, f"tcp:{host}:{p}"
        except TestFailure:
            if vm.alive() or port:
                raise
            if "in use" not in vm.stderr():
                raise TestFailure(f"{name}: the destination VMM exited: {vm.tail()}")
            vm.wait_exit(5)
    raise TestFailure(f"{name}: no free port to listen on")


# ----------------------------------------------------------- migtest stream

HB = re.compile(r"^hb (\d+) t_ms=(\d+) touches=(\d+) gap_us=(\d+) maxgap_us=(\d+) mtime=(\d+)\s*$")
VPASS = re.compile(r"^verify pass (\d+) (ok|FAIL)\b")
BAD = ("verify FAIL", "BACKWARDS", "unexpected trap", "halted")


class MigtestStream:
    """The guest's console over several VMM processes, in order."""

    def __init__(self, parts):
        # parts: [(vm_name, text)]; a line cut by a switchover continues
        # in the next process's output, so the texts are joined as is
        self.lines = []
        text = ""
        owner = []
        for name, t in parts:
            text += t
            owner.append((len(text), name))
        pos = 0
        for line in text.split("\n"):
            end = pos + len(line)
            who = next((n for lim, n in owner if end <= lim), owner[-1][1] if owner else "?")
            self.lines.append((who, line.rstrip("\r")))
            pos = end + 1
        self.hbs = []     # (who, n, t_ms, touches, gap_us, maxgap_us, mtime)
        self.passes = []  # (who, n, ok)
        self.bad = []
        for who, line in self.lines:
            m = HB.match(line)
            if m:
                self.hbs.append((who,) + tuple(int(x) for x in m.groups()))
                continue
            m = VPASS.match(line)
            if m:
                self.passes.append((who, int(m.group(1)), m.group(2) == "ok"))
            if any(b in line for b in BAD):
                self.bad.append(f"{who}: {line.strip()}")

    def check(self):
        """Problems in the stream as a list of strings (empty: all good)."""
        probs = list(self.bad[:5])
        prev = None
        for h in self.hbs:
            if prev:
                if h[1] != prev[1] + 1:
                    probs.append(f"heartbeat {prev[1]} ({prev[0]}) followed by {h[1]} ({h[0]})")
                if h[3] < prev[3]:
                    probs.append(f"touches went back {prev[3]} -> {h[3]} at hb {h[1]} ({h[0]})")
                elif h[3] == prev[3]:
                    probs.append(f"touches did not grow ({h[3]}) at hb {h[1]} ({h[0]})")
                if h[6] < prev[6]:
                    probs.append(f"mtime went back {prev[6]} -> {h[6]} at hb {h[1]} ({h[0]})")
            prev = h
        pn = None
        for who, n, ok in self.passes:
            if not ok:
                probs.append(f"verify pass {n} FAIL ({who})")
            if pn is not None and n != pn + 1:
                probs.append(f"verify pass {pn} followed by {n} ({who})")
            pn = n
        if not self.hbs:
            probs.append("no heartbeats at all")
        return probs

    def hbs_of(self, who):
        return [h for h in self.hbs if h[0] == who]

    def passes_of(self, who):
        return [p for p in self.passes if p[0] == who]


def migtest_argv(vmm, mem, append):
    return [vmm, "-M", "virt", "-m", str(mem), "-bios", "none", "-nographic",
            "-kernel", MIGTEST, "-append", append]


def count_re(vm, rx):
    return len(re.findall(rx, vm.console(), re.M))


# ------------------------------------------------------------ test: integrity

def compare_dumps(a, b, size):
    """First differing page numbers (up to 8) and how many differ."""
    diffs, ndiff = [], 0
    chunk = 16 << 20
    with open(a, "rb") as fa, open(b, "rb") as fb:
        off = 0
        while off < size:
            x, y = fa.read(chunk), fb.read(chunk)
            if len(x) != len(y):
                raise TestFailure(f"dump sizes differ near offset {off:#x}")
            if not x:
                break
            if x != y:
                for p in range(0, len(x), PAGE):
                    if x[p:p + PAGE] != y[p:p + PAGE]:
                        ndiff += 1
                        if len(diffs) < 8:
                            diffs.append((off + p) // PAGE)
            off += len(x)
        if off != size:
            raise TestFailure(f"dumps are {off} bytes, expected {size}")
    return diffs, ndiff


def test_integrity(args, tmp):
    label = f"{args.label}/integrity"
    mem = args.mem or 256
    size = mem << 20
    append = f"fill=random rate={args.rate or 50} period={args.period} verify=1"
    argv = migtest_argv(args.vmm, mem, append)
    slow = args.slow
    a = VM(tmp, "int-src", argv)
    a.connect()
    b, uri = start_incoming(tmp, "int-dst", argv, ["-S"])
    wait_for(lambda: "migtest ready" in a.console(), 60 * slow, "source migtest ready", vms=[a])
    wait_for(lambda: count_re(a, r"^hb \d+ ") >= 2, 20 * slow, "source heartbeat 2", vms=[a])
    if args.max_bandwidth:
        # a link slower than loopback: each round leaves pages dirty for
        # the next, so the final stop-and-copy always has some to send
        a.qmp.ok("migrate-set-parameters", {"max-bandwidth": args.max_bandwidth << 20})
    t0 = time.time()
    res = migrate(a, uri, 120 * slow, dst=b)
    took = time.time() - t0
    info(label, f"migrated {mem} MiB (max-bandwidth {args.max_bandwidth or 'unlimited'} MiB/s) "
                f"in {took:.2f} s: total-time {res.get('total-time')} ms, "
                f"downtime {res.get('downtime')} ms, dirty-sync-count "
                f"{res['ram'].get('dirty-sync-count')}, transferred {res['ram'].get('transferred')}")
    wait_for(lambda: b.qmp.ok("query-migrate").get("status") == "completed", 20 * slow,
             "destination query-migrate completed", vms=[b])
    st_a, st_b = a.status(), b.status()
    if st_a != "postmigrate":
        raise TestFailure(f"source runstate {st_a}, expected postmigrate")
    if st_b != "paused":
        raise TestFailure(f"destination runstate {st_b} under -S, expected paused")
    da, db = os.path.join(tmp, "src.mem"), os.path.join(tmp, "dst.mem")
    a.qmp.ok("pmemsave", {"val": RAM_BASE, "size": size, "filename": da}, timeout=120)
    b.qmp.ok("pmemsave", {"val": RAM_BASE, "size": size, "filename": db}, timeout=120)
    diffs, ndiff = compare_dumps(da, db, size)
    os.unlink(da)
    os.unlink(db)
    if ndiff:
        raise TestFailure(f"{ndiff} of {size // PAGE} RAM pages differ between source and "
                          f"destination; first: " + ", ".join(
                              f"{RAM_BASE + p * PAGE:#x}" for p in diffs))
    info(label, f"pmemsave: all {size // PAGE} RAM pages equal on the source and the destination")
    src_text = a.console()
    rc = a.quit()
    if rc != 0:
        raise TestFailure(f"source exited with status {rc} after quit")
    before = b.console()
    if before.strip():
        raise TestFailure(f"the destination printed before cont: {before.strip()[:100]!r}")
    b.qmp.ok("cont")
    src_pass = MigtestStream([("src", src_text)]).passes
    # the sweep running at the switchover ends first; the one after it is
    # a whole sweep on the destination
    wait_for(lambda: len(MigtestStream([("dst", b.console())]).passes) >= 2 or
             "FAIL" in b.console(), 90 * slow, "two verify passes on the destination", vms=[b])
    s = MigtestStream([("src", src_text), ("dst", b.console())])
    probs = s.check()
    sh, dh = s.hbs_of("src"), s.hbs_of("dst")
    if not sh or not dh:
        probs.append(f"heartbeats: {len(sh)} on the source, {len(dh)} on the destination")
    else:
        info(label, f"source hb {sh[0][1]}..{sh[-1][1]}, destination hb {dh[0][1]}..{dh[-1][1]}; "
                    f"touches {sh[-1][3]} -> {dh[0][3]}; gap at the move {dh[0][4]} us")
    dp = s.passes_of("dst")
    info(label, f"verify passes: source {[p[1] for p in src_pass]}, destination {[p[1] for p in dp]}")
    if len(dp) < 2:
        probs.append("no whole verify sweep on the destination")
    for p in (b,):
        r = p.sanitizer_report()
        if r:
            probs.append(f"{p.name}: {r}")
    r = a.sanitizer_report()
    if r:
        probs.append(f"{a.name}: {r}")
    if probs:
        raise TestFailure("; ".join(probs[:6]))
    rc = b.quit()
    if rc != 0:
        raise TestFailure(f"destination exited with status {rc} after quit")


# ------------------------------------------------------------- test: pingpong

def test_pingpong(args, tmp):
    label = f"{args.label}/pingpong"
    mem = args.mem or 128
    n = args.count
    slow = args.slow
    argv = migtest_argv(args.vmm, mem, f"fill=random rate={args.rate or 20} verify=1")
    vms = []
    cur = VM(tmp, "pp00", argv)
    vms.append(cur)
    cur.connect()
    wait_for(lambda: "migtest ready" in cur.console(), 60 * slow, "migtest ready", vms=[cur])
    wait_for(lambda: count_re(cur, r"^hb \d+ ") >= 1, 20 * slow, "first heartbeat", vms=[cur])
    downtimes, totals, passes_seen = [], [], []
    t_start = time.time()
    for i in range(1, n + 1):
        nxt, uri = start_incoming(tmp, f"pp{i:02d}", argv, [])
        vms.append(nxt)
        try:
            res = migrate(cur, uri, 60 * slow, dst=nxt)
        except TestFailure as e:
            raise TestFailure(f"migration {i} ({cur.name} -> {nxt.name}): {e}")
        downtimes.append(res.get("downtime"))
        totals.append(res.get("total-time"))
        st = cur.status()
        if st != "postmigrate":
            raise TestFailure(f"migration {i}: source runstate {st}, expected postmigrate")
        rc = cur.quit()
        if rc != 0:
            raise TestFailure(f"migration {i}: old source {cur.name} exited with status {rc}")
        r = cur.sanitizer_report()
        if r:
            raise TestFailure(f"{cur.name}: {r}")
        cur = nxt
        try:
            wait_for(lambda: count_re(cur, r"^hb \d+ ") >= 1, 15 * slow,
                     f"migration {i}: a heartbeat on {cur.name}", vms=[cur])
        except TestFailure as e:
            raise TestFailure(f"{e} (runstate {cur.status()})")
        bad = [x for x in BAD if x in cur.console()]
        if bad:
            raise TestFailure(f"after migration {i}: guest reports {bad[0]!r}")
    t_moves = time.time() - t_start
    wait_for(lambda: count_re(cur, r"^verify pass \d+ ") >= 2 or "FAIL" in cur.console(),
             60 * slow, "a whole verify sweep after the last migration", vms=[cur])
    s = MigtestStream([(v.name, v.console()) for v in vms])
    probs = s.check()
    last = s.passes_of(cur.name)
    allp = [p[1] for p in s.passes]
    info(label, f"{n} migrations of {mem} MiB in {t_moves:.1f} s; verify passes {allp[0] if allp else '-'}.."
                f"{allp[-1] if allp else '-'} ({len(allp)} sweeps, {len(last)} after the last move); "
                f"heartbeats {s.hbs[0][1]}..{s.hbs[-1][1]}")
    dl = [d for d in downtimes if d is not None]
    info(label, f"downtime ms: {downtimes} (min {min(dl)}, median {statistics.median(dl)}, max {max(dl)})")
    info(label, f"total-time ms: {totals}")
    maxgap = max(h[4] for h in s.hbs)
    info(label, f"largest guest wake-up gap {maxgap} us")
    if len(last) < 2:
        probs.append("no whole verify sweep after the last migration")
    r = cur.sanitizer_report()
    if r:
        probs.append(f"{cur.name}: {r}")
    if probs:
        raise TestFailure("; ".join(probs[:6]))
    rc = cur.quit()
    if rc != 0:
        raise TestFailure(f"last VMM exited with status {rc} after quit")


# ------------------------------------------------------------ test: linux-tcp

GUEST_MAC = "52:54:00:77:00:10"
LHB = re.compile(r"^heartbeat (\d+) guest-time (\d+\.\d+) mono (\d+\.\d+)\s*$")


def linux_heartbeats(parts):
    text = "".join(t for _, t in parts)
    out = []
    for line in text.split("\n"):
        m = LHB.match(line.strip("\r"))
        if m:
            out.append((int(m.group(1)), float(m.group(2)), float(m.group(3))))
    return out


def test_linux_tcp(args, tmp):
    label = f"{args.label}/linux-tcp"
    lab = args.lab
    slow = args.slow
    for f in (LINUX_IMG, LINUX_INITRD, FW):
        if not os.path.exists(f):
            raise TestFailure(f"{f} missing (make guest-linux)")
    guest_ip = "10.77.0.10"
    argv = [args.vmm, "-m", "256M", "-bios", FW, "-kernel", LINUX_IMG, "-initrd", LINUX_INITRD,
            "-append", f"console=ttyS0 godwit.ip={guest_ip}/24", "-nographic",
            "-netdev", "tap,id=n0,ifname=tap0,script=no,downscript=no",
            "-device", f"virtio-net-device,netdev=n0,mac={GUEST_MAC}"]
    a = VM(tmp, "lx-src", argv, netns=f"{lab}-h1")
    a.connect()
    b, uri = start_incoming(tmp, "lx-dst", argv, [], host=args.dst_ip, port=args.port,
                            netns=f"{lab}-h2")
    wait_for(lambda: re.search(r"^heartbeat 3 ", a.console(), re.M), 90 * slow,
             "Linux guest heartbeat 3", vms=[a])
    cout = os.path.join(tmp, "client.out")
    stop = os.path.join(tmp, "client.stop")
    with open(cout, "wb") as o, open(os.path.join(tmp, "client.err"), "wb") as e:
        client = subprocess.Popen(
            ["ip", "netns", "exec", f"{lab}-c", sys.executable, os.path.join(HERE, "echo_client.py"),
             guest_ip, "--stop-file", stop, "--max-seconds", str(int(120 * slow)),
             "--read-timeout", "8", "--mac", GUEST_MAC], stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    REG.add(client)

    def client_text():
        with open(cout) as f:
            return f.read()

    def client_bytes():
        m = re.findall(r"^bytes (\d+)", client_text(), re.M)
        return int(m[-1]) if m else 0

    def client_running():
        if client.poll() is not None:
            m = re.search(r"^RESULT (.*)$", client_text(), re.M)
            why = client_text().strip()[-300:]
            if m:
                r = json.loads(m.group(1))
                why = (f"{r.get('error') or r.get('mismatch')} (after {r.get('seconds', 0):.1f} s; "
                       f"longest stall {r.get('max_stall_ms', 0):.0f} ms)")
            raise TestFailure(f"the echo client ended early: {why}")
        return True

    wait_for(lambda: client_running() and "connected" in client_text(), 30 * slow,
             "echo client connected", vms=[a])
    wait_for(lambda: client_running() and client_bytes() > 0, 30 * slow, "echo traffic", vms=[a])
    time.sleep(2)  # steady traffic before the move
    client_running()
    b0 = client_bytes()
    t_mig = time.time()
    res = migrate(a, uri, 120 * slow, dst=b)
    info(label, f"migration: total-time {res.get('total-time')} ms, downtime {res.get('downtime')} ms, "
                f"transferred {res['ram'].get('transferred')} bytes, dirty-sync-count "
                f"{res['ram'].get('dirty-sync-count')}")
    st = a.status()
    if st != "postmigrate":
        raise TestFailure(f"source runstate {st}, expected postmigrate")
    src_text = a.console()
    rc = a.quit()
    if rc != 0:
        raise TestFailure(f"source exited with status {rc} after quit")
    wait_for(lambda: len(linux_heartbeats([("d", b.console())])) >= 20, 30 * slow,
             "20 heartbeats on the destination", vms=[b])
    b1 = client_bytes()
    wait_for(lambda: client_running() and client_bytes() > b1 + 65536, 30 * slow,
             "echo traffic after the move", vms=[b])
    t_end = time.time()
    open(stop, "w").close()
    try:
        client.wait(timeout=60 * slow)
    except subprocess.TimeoutExpired:
        raise TestFailure("the echo client did not stop")
    REG.reaped()
    ctext = client_text()
    m = re.search(r"^RESULT (.*)$", ctext, re.M)
    if not m:
        raise TestFailure(f"echo client gave no result: {ctext.strip()[-300:]}")
    r = json.loads(m.group(1))
    probs = []
    if r.get("error"):
        probs.append(f"echo connection: {r['error']}")
    if r.get("mismatch"):
        probs.append(f"echo data corrupt: {r['mismatch']}")
    if not r.get("http_ok"):
        probs.append(f"HTTP GET after the move: {r.get('http_error')}")
    info(label, f"echo: {r.get('bytes')} bytes verified in {r.get('seconds'):.1f} s "
                f"({b1 - b0} during the migration), longest stall {r.get('max_stall_ms'):.0f} ms "
                f"at +{r.get('max_stall_at', 0) - t_mig:.2f} s from migrate; stalls > 200 ms: "
                f"{[(round(x[0] - t_mig, 2), round(x[1])) for x in r.get('stalls', [])]}; "
                f"HTTP after the move: {r.get('http_body')}")
    ann = [(round(t - t_mig, 3), k) for t, k in r.get("announce", []) if t >= t_mig]
    info(label, f"announcements from {GUEST_MAC} seen by the client after migrate (s, kind): {ann}")
    if not ann:
        probs.append("the client saw no RARP or gratuitous ARP from the guest's MAC after the move")
    hbs = linux_heartbeats([("s", src_text), ("d", b.console())])
    nsrc = len(linux_heartbeats([("s", src_text)]))
    prev = None
    maxgap = 0.0
    for h in hbs:
        if prev:
            if h[0] != prev[0] + 1:
                probs.append(f"heartbeat {prev[0]} followed by {h[0]}")
            if h[1] < prev[1]:
                probs.append(f"guest-time went back {prev[1]} -> {h[1]} at heartbeat {h[0]}")
            if h[2] < prev[2]:
                probs.append(f"mono went back {prev[2]} -> {h[2]} at heartbeat {h[0]}")
            maxgap = max(maxgap, h[2] - prev[2])
        prev = h
    if nsrc < 3 or len(hbs) - nsrc < 20:
        probs.append(f"heartbeats: {nsrc} on the source, {len(hbs) - nsrc} on the destination")
    else:
        info(label, f"heartbeats {hbs[0][0]}..{hbs[nsrc - 1][0]} on the source, "
                    f"{hbs[nsrc][0]}..{hbs[-1][0]} on the destination; mono across the move "
                    f"{hbs[nsrc - 1][2]:.3f} -> {hbs[nsrc][2]:.3f}; largest mono step {maxgap:.3f} s")
    if r.get("max_stall_ms", 0) >= args.max_stall_ms:
        probs.append(f"longest echo stall {r['max_stall_ms']:.0f} ms (limit {args.max_stall_ms} ms: "
                     f"was the MAC announced?)")
    for vm in (a, b):
        s = vm.sanitizer_report()
        if s:
            probs.append(f"{vm.name}: {s}")
    if probs:
        raise TestFailure("; ".join(probs[:6]))
    rc = b.quit()
    if rc != 0:
        raise TestFailure(f"destination exited with status {rc} after quit")
    info(label, f"client ran {t_end - t_mig:.1f} s after migrate")


# -------------------------------------------------------------- test: smp-linux

SMPL = re.compile(r"^smp: (\d+) threads, (\d+) turns, (\d+) MB written, verify (OK|FAIL)\s*$", re.M)


def smp_lines(text):
    return [(int(a), int(b), int(c), v) for a, b, c, v in SMPL.findall(text.replace("\r", ""))]


def test_smp_linux(args, tmp):
    """The Linux guest on several harts, every CPU running a thread of the
    godwit.smp workload (turns on shared memory, a spin lock, atomics) and
    dirtying its own memory (checked page by page in the guest), moves to
    a destination started with -S: source and destination RAM compared page
    by page (a hart still running on the source after the stop would make
    them differ), then the destination runs and the guest's own checks keep
    saying OK while the turn count grows (each thread is pinned to its own
    CPU and they take turns, so it grows only if every hart runs)."""
    label = f"{args.label}/smp-linux"
    slow = args.slow
    n = args.smp
    for f in (LINUX_IMG, LINUX_INITRD, FW):
        if not os.path.exists(f):
            raise TestFailure(f"{f} missing (make guest-linux)")
    mem = 256
    size = mem << 20
    rate = args.rate or 40
    argv = [args.vmm, "-smp", str(n), "-m", f"{mem}M", "-bios", FW, "-kernel", LINUX_IMG,
            "-initrd", LINUX_INITRD, "-append",
            f"console=ttyS0 godwit.smp={n} godwit.dirty={rate},64", "-nographic"]
    a = VM(tmp, "smp-src", argv)
    a.connect()
    b, uri = start_incoming(tmp, "smp-dst", argv, ["-S"])
    wait_for(lambda: len(smp_lines(a.console())) >= 2, 120 * slow, "source workload running", vms=[a])
    if not re.search(rf"^smp: {n} cpus online, {n} in /proc/cpuinfo", a.console(), re.M):
        raise TestFailure(f"the guest does not see {n} CPUs")
    if args.max_bandwidth:
        a.qmp.ok("migrate-set-parameters", {"max-bandwidth": args.max_bandwidth << 20})
    res = migrate(a, uri, 180 * slow, dst=b)
    info(label, f"{n} harts, dirtying {rate} MB/s: total-time {res.get('total-time')} ms, "
                f"downtime {res.get('downtime')} ms, dirty-sync-count "
                f"{res['ram'].get('dirty-sync-count')}, transferred {res['ram'].get('transferred')}")
    wait_for(lambda: b.qmp.ok("query-migrate").get("status") == "completed", 20 * slow,
             "destination query-migrate completed", vms=[b])
    if a.status() != "postmigrate":
        raise TestFailure(f"source runstate {a.status()}, expected postmigrate")
    if b.status() != "paused":
        raise TestFailure(f"destination runstate {b.status()} under -S, expected paused")
    da, db = os.path.join(tmp, "src.mem"), os.path.join(tmp, "dst.mem")
    a.qmp.ok("pmemsave", {"val": RAM_BASE, "size": size, "filename": da}, timeout=120)
    time.sleep(0.2)  # a hart the stop missed would go on writing meanwhile
    a.qmp.ok("pmemsave", {"val": RAM_BASE, "size": size, "filename": da + "2"}, timeout=120)
    b.qmp.ok("pmemsave", {"val": RAM_BASE, "size": size, "filename": db}, timeout=120)
    for x, y, what in ((da, da + "2", "the stopped source changed"),
                       (da, db, "source and destination differ")):
        diffs, ndiff = compare_dumps(x, y, size)
        if ndiff:
            raise TestFailure(f"{what}: {ndiff} pages, first " +
                              ", ".join(f"{RAM_BASE + p * PAGE:#x}" for p in diffs))
    for f in (da, da + "2", db):
        os.unlink(f)
    info(label, f"pmemsave: all {size // PAGE} RAM pages equal on the source and the destination")
    src_lines = smp_lines(a.console())
    rc = a.quit()
    if rc != 0:
        raise TestFailure(f"source exited with status {rc} after quit")
    b.qmp.ok("cont")
    wait_for(lambda: len(smp_lines(b.console())) >= 3 or "FAIL" in b.console(), 90 * slow,
             "three workload reports on the destination", vms=[b])
    dst_lines = smp_lines(b.console())
    probs = []
    if "FAIL" in a.console() + b.console():
        probs.append("the guest reported FAIL: " + next(
            line for line in (a.console() + b.console()).splitlines() if "FAIL" in line)[:160])
    turns = [t for _, t, _, _ in dst_lines]
    if len(turns) >= 2 and turns[-1] <= turns[0]:
        probs.append(f"turns stopped growing on the destination ({turns})")
    if dst_lines and src_lines and dst_lines[0][1] < src_lines[-1][1]:
        probs.append(f"turns went back: {src_lines[-1][1]} on the source, {dst_lines[0][1]} after")
    hb_src = linux_heartbeats([("src", a.console())])
    hb_dst = linux_heartbeats([("dst", b.console())])
    if not hb_dst or (hb_src and hb_dst[0][0] != hb_src[-1][0] + 1):
        probs.append(f"heartbeats: source last {hb_src[-1][0] if hb_src else None}, "
                     f"destination first {hb_dst[0][0] if hb_dst else None}")
    for vm in (a, b):
        r = vm.sanitizer_report()
        if r:
            probs.append(f"{vm.name}: {r}")
    info(label, f"turns: source ..{src_lines[-1][1] if src_lines else '?'}, destination {turns}")
    if probs:
        raise TestFailure("; ".join(probs[:4]))
    rc = b.quit()
    if rc != 0:
        raise TestFailure(f"destination exited with status {rc} after quit")


TESTS = {"integrity": test_integrity, "pingpong": test_pingpong, "linux-tcp": test_linux_tcp,
         "smp-linux": test_smp_linux}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("test", choices=sorted(TESTS))
    ap.add_argument("vmm")
    ap.add_argument("label")
    ap.add_argument("--mem", type=int, default=0, help="guest RAM in MiB (migtest tests)")
    ap.add_argument("--rate", type=int, default=0, help="migtest dirty rate, MB/s")
    ap.add_argument("--max-bandwidth", type=int, default=256,
                    help="integrity: migration bandwidth limit in MiB/s, 0 = unlimited")
    ap.add_argument("--period", type=int, default=1,
                    help="integrity: migtest work period in ms (1: pages dirtied evenly, not in bursts)")
    ap.add_argument("--count", type=int, default=20, help="pingpong: number of migrations")
    ap.add_argument("--slow", type=float, default=1.0, help="multiply every timeout (sanitizer builds)")
    ap.add_argument("--lab", default="", help="linux-tcp: netlab name")
    ap.add_argument("--dst-ip", default="10.77.0.202", help="linux-tcp: destination host address")
    ap.add_argument("--port", type=int, default=4444, help="linux-tcp: destination port")
    ap.add_argument("--max-stall-ms", type=int, default=1000,
                    help="linux-tcp: the longest echo stall allowed")
    ap.add_argument("--smp", type=int, default=4, help="smp-linux: harts")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    name = f"{args.label}/{args.test}"

    def on_term(sig, frame):
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    tmp = tempfile.mkdtemp(prefix="migcheck.")
    t0 = time.time()
    verdict = None
    try:
        TESTS[args.test](args, tmp)
        verdict = f"PASS {name}"
    except TestFailure as e:
        verdict = f"FAIL {name}: {e}"
    except (OSError, TimeoutError, ConnectionError, ValueError, KeyError) as e:
        verdict = f"FAIL {name}: {type(e).__name__}: {e}"
    finally:
        REG.kill_all()
        if verdict is None:
            verdict = f"FAIL {name}: interrupted"
        if verdict.startswith("FAIL"):
            for vm in REG.vms[-3:]:
                for what, path in (("console", vm.out), ("stderr", vm.err)):
                    try:
                        with open(path, "rb") as f:
                            lines = f.read().decode("utf-8", "replace").strip().splitlines()
                    except OSError:
                        continue
                    for line in lines[-4:]:
                        info(name, f"{vm.name} {what}: {line[:200]}")
        for f in os.listdir(tmp):
            if f.endswith(".mem"):
                os.unlink(os.path.join(tmp, f))
        if args.keep or os.environ.get("MIGCHECK_KEEP"):
            info(name, f"logs kept in {tmp}")
        else:
            subprocess.run(["rm", "-rf", tmp])
        info(name, f"took {time.time() - t0:.1f} s")
        print(verdict.replace("\n", " "), flush=True)
    return 0 if verdict.startswith("PASS") else 1


if __name__ == "__main__":
    sys.exit(main())
