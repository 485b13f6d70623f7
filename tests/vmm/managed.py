#!/usr/bin/env python3
"""managed.py VMM LABEL - godwit-vmm as a managed process (issue 14).

VMM is a godwit-vmm binary or "qemu" (qemu-system-riscv64, the peer: the
same checks where QEMU has the same option). Prints one line per case:
PASS/FAIL/SKIP LABEL/name. The guest is build/guest/chatty.elf, which
writes numbered 64-byte lines as fast as the UART takes them (waiting for
LSR.THRE), so the concatenation of everything any console saw, across a
migration, must be one unbroken sequence.

Cases: each console backend (stdio, file, null, unix socket with clients
attaching and leaving, -chardev forms); a reader that stops reading (pipe,
socket) and a QMP client that stops reading events: QMP keeps answering
within a second, a migration started meanwhile completes, and after the
reader drains the output is whole and in order; -daemonize with -pidfile;
-name; -D with SIGHUP; SIGTERM/SIGINT; SIGPIPE; two QMP sessions at once.
Every process started is killed at the end of its case; loops are bounded.
"""
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "migration"))
import miglib  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
GUEST = os.path.join(ROOT, "build", "guest", "chatty.elf")
QEMU = "qemu-system-riscv64"
LINE = 64
LINE_RE = re.compile(rb"chatty (\d{8}) [a-z]{47}\n")


class Ctx:
    def __init__(self, vmm, label, tmp):
        self.qemu = vmm == "qemu"
        self.binary = QEMU if self.qemu else os.path.abspath(vmm)
        self.label = label
        self.tmp = tmp
        self.procs = []
        self.err_paths = []
        self.failed = 0
        self.lines = []  # printed after "PLAN n": a case may report several lines

    def report(self, name, why=None, skip=False):
        if skip:
            self.lines.append(f"SKIP {self.label}/{name}: {why}")
        elif why:
            self.failed += 1
            self.lines.append(f"FAIL {self.label}/{name}: {why}")
        else:
            self.lines.append(f"PASS {self.label}/{name}")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def argv(self, extra, qmp=None):
        a = [self.binary, "-M", "virt", "-m", "16M", "-bios", "none", "-kernel", GUEST]
        if self.qemu:
            a += ["-display", "none", "-monitor", "none"]
        if qmp:
            a += ["-qmp", f"unix:{qmp},server=on,wait=off"]
        return a + list(extra)

    def start(self, extra, qmp=None, stdout=subprocess.DEVNULL, stderr=None, **kw):
        if stderr is None:
            self.nerr = getattr(self, "nerr", 0) + 1
            path = self.path("stderr.%d" % self.nerr)
            self.err_paths.append(path)
            with open(path, "wb") as f:
                return self._spawn(extra, qmp, stdout, f, kw)
        return self._spawn(extra, qmp, stdout, stderr, kw)

    def _spawn(self, extra, qmp, stdout, stderr, kw):
        p = subprocess.Popen(self.argv(extra, qmp), stdin=subprocess.DEVNULL,
                             stdout=stdout, stderr=stderr, **kw)
        self.procs.append(p)
        return p

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.procs = []
        for path in self.err_paths:  # a sanitizer report fails the run
            text = read_file(path).decode(errors="replace")
            if miglib.sanitizer_report(text):
                self.report("sanitizer", f"{os.path.basename(path)}: "
                            f"{miglib.sanitizer_report(text)[:300]}")
        self.err_paths = []


def check_stream(data, first=0):
    """Whole lines numbered first, first+1, ...; a cut last line is fine.
    Returns (count, error or None)."""
    n = len(data) // LINE
    for i in range(n):
        m = LINE_RE.fullmatch(data[i * LINE:(i + 1) * LINE])
        if not m or int(m.group(1)) != first + i:
            return i, f"line {first + i} missing or garbled at byte {i * LINE}: " \
                      f"{data[i * LINE:(i + 1) * LINE][:40]!r}"
    tail = data[n * LINE:]
    expect = b"chatty %08d " % (first + n)
    if tail and not (expect + b"x" * 64).startswith(tail[:len(expect)]) and \
            not expect.startswith(tail[:len(expect)]):
        return n, f"bad partial last line {tail[:40]!r}"
    return n, None


def qmp_fast(q, rounds=5, limit=1.0):
    """query-status answers within `limit` seconds, `rounds` times."""
    worst = 0.0
    for _ in range(rounds):
        t = time.time()
        r = q.cmd("query-status")
        dt = time.time() - t
        worst = max(worst, dt)
        if "return" not in r:
            return f"query-status: {r}"
        if dt > limit:
            return f"query-status took {dt:.2f} s"
        time.sleep(0.05)
    return None


def status(q):
    return q.ret("query-status")["status"]


def migrate(ctx, src_qmp, dest_extra):
    """The one place a migration is set up (encryption keys go here later):
    starts a destination with -incoming, runs `migrate`, waits until it is
    completed. Returns (dest process, dest QMP, error or None)."""
    port = miglib.free_port()
    dq_path = ctx.path("dest.qmp")
    dest = ctx.start(list(dest_extra) + ["-incoming", f"tcp:127.0.0.1:{port}"], qmp=dq_path)
    dq = miglib.QMP(dq_path)
    if not ctx.qemu:  # this migration's key, on both sides (the stream is encrypted)
        key = os.urandom(32).hex()
        for q in (dq, src_qmp):
            r = q.cmd("migrate-set-parameters", {"x-godwit-key": key})
            if "error" in r:
                return dest, dq, f"migration key: {r['error'].get('desc')}"
    r = src_qmp.cmd("migrate", {"uri": f"tcp:127.0.0.1:{port}"})
    if "error" in r:
        return dest, dq, f"migrate: {r['error'].get('desc')}"
    deadline = time.time() + 60
    while time.time() < deadline:
        info = src_qmp.ret("query-migrate")
        st = info.get("status")
        if st == "completed":
            return dest, dq, None
        if st in ("failed", "cancelled"):
            return dest, dq, f"migration {st}: {info}"
        time.sleep(0.1)
    return dest, dq, "migration did not complete in 60 s"


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def drain(fd_or_sock, quiet=1.0, limit=30.0):
    """Read until nothing came for `quiet` s (or EOF, or `limit`)."""
    out = bytearray()
    end = time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd_or_sock], [], [], quiet)
        if not r:
            break
        if isinstance(fd_or_sock, socket.socket):
            b = fd_or_sock.recv(65536)
        else:
            b = os.read(fd_or_sock, 65536)
        if not b:
            break
        out += b
    return bytes(out)


def stuck_reader(ctx, name, kind):
    """The console's reader stops reading (a pipe nobody reads, or a socket
    client that stops): QMP answers, the guest waits (running), a migration
    completes, and source + destination output is one whole sequence."""
    qp = ctx.path(name + ".qmp")
    sock = None
    if kind == "pipe":
        src = ctx.start(["-S", "-serial", "stdio"], qmp=qp, stdout=subprocess.PIPE)
        reader = src.stdout.fileno()
    else:
        sp = ctx.path(name + ".sock")
        src = ctx.start(["-S", "-serial", f"unix:{sp},server=on,wait=off"], qmp=qp)
        q0 = miglib.QMP(qp)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(sp)
        q0.close()
        reader = sock
    q = miglib.QMP(qp)
    q.ret("cont")
    time.sleep(2.5)  # the guest fills the pipe/socket and the console's buffer
    err = qmp_fast(q, rounds=10)
    if not err and status(q) != "running":
        err = f"status {status(q)} while the reader is stuck"
    dest_out = ctx.path(name + ".dest.out")
    dest = dq = None
    if not err:
        dest, dq, err = migrate(ctx, q, ["-serial", f"file:{dest_out}"])
    if not err:
        time.sleep(0.5)
        if status(dq) != "running":
            err = f"destination status {status(dq)}"
    ctx.report(name, err)
    out_err = "skipped: the VM part failed" if err else None
    if not out_err:
        data = drain(reader)
        n, out_err = check_stream(data)
        if not out_err and n < 100:
            out_err = f"only {n} lines before the migration"
    if not out_err:
        dq.ret("stop")
        whole = data + read_file(dest_out)
        total, out_err = check_stream(whole)
        if not out_err and total * LINE <= len(data):
            out_err = "the destination printed nothing"
    for c in (q, dq):
        if c:
            c.close()
    if sock:
        sock.close()
    ctx.cleanup()
    if ctx.qemu and out_err and not err:
        ctx.report(name + "-whole-output", f"QEMU 7.2 loses or withholds console output "
                   f"here ({out_err})", skip=True)
    else:
        ctx.report(name + "-whole-output", out_err)


def stuck_qmp(ctx):
    """A QMP client that stops reading events: the others keep answering,
    a migration completes, and the slow one is disconnected with a log line."""
    name = "stuck-qmp-events"
    if ctx.qemu:
        ctx.report(name, "QEMU buffers a slow monitor's output without a bound", skip=True)
        return
    qp, log, out = ctx.path("sq.qmp"), ctx.path("sq.log"), ctx.path("sq.out")
    ctx.err_paths.append(log)
    ctx.start(["-serial", f"file:{out}", "-D", log], qmp=qp)
    slow = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    err = None
    deadline = time.time() + 15
    while True:
        try:
            slow.connect(qp)
            break
        except OSError:
            if time.time() > deadline:
                err = "no QMP socket"
                break
            time.sleep(0.05)
    q = None if err else miglib.QMP(qp)
    if not err:
        slow.sendall(b'{"execute":"qmp_capabilities"}')
        batch = b'{"execute":"system_powerdown"}' * 100
        for _ in range(300):  # up to 30000 POWERDOWN events (~3 MB)
            with q.lock:
                q.sock.sendall(batch)
                for _ in range(100):
                    miglib.qmplib.reply(q.sock, q.buf)
            if b"QMP client disconnected" in read_file(log):
                break
        else:
            err = "the slow client was never disconnected"
    if not err:
        err = qmp_fast(q)
    if not err:
        line = [ln for ln in read_file(log).decode(errors="replace").splitlines()
                if "QMP client disconnected" in ln]
        if not line or not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z ", line[0]):
            err = f"log line without a timestamp: {line}"
    dq = None
    if not err:
        _, dq, err = migrate(ctx, q, ["-serial", "null"])
    if not err:
        n, err = check_stream(read_file(out))
    for c in (q, dq):
        if c:
            c.close()
    slow.close()
    ctx.cleanup()
    ctx.report(name, err)


def backend_file(ctx, name, extra, path):
    qp = ctx.path(name + ".qmp")
    ctx.start(extra, qmp=qp)
    q = miglib.QMP(qp)
    time.sleep(1.0)
    err = qmp_fast(q, rounds=2)
    q.ret("stop")
    n, e2 = check_stream(read_file(path))
    err = err or e2 or (None if n >= 10 else f"only {n} lines in the file")
    q.close()
    ctx.cleanup()
    ctx.report(name, err)


def backend_stdio(ctx, name, extra):
    qp = ctx.path(name + ".qmp")
    out = ctx.path(name + ".out")
    with open(out, "wb") as o:
        ctx.start(extra, qmp=qp, stdout=o)
    q = miglib.QMP(qp)
    time.sleep(1.0)
    err = qmp_fast(q, rounds=2)
    q.ret("stop")
    n, e2 = check_stream(read_file(out))
    err = err or e2 or (None if n >= 10 else f"only {n} lines on stdout")
    q.close()
    ctx.cleanup()
    ctx.report(name, err)


def backend_null(ctx):
    qp = ctx.path("null.qmp")
    out = ctx.path("null.out")
    with open(out, "wb") as o:
        ctx.start(["-serial", "null"], qmp=qp, stdout=o)
    q = miglib.QMP(qp)
    time.sleep(0.5)
    err = qmp_fast(q, rounds=2) or (None if status(q) == "running" else "not running")
    if not err and b"chatty" in read_file(out):
        err = "guest output reached stdout"
    q.close()
    ctx.cleanup()
    ctx.report("serial-null", err)


def read_lines_from(sock, want, limit=10.0):
    """Read until `want` whole lines (after the first line start) came."""
    data = bytearray()
    end = time.time() + limit
    sock.settimeout(1.0)
    while time.time() < end:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            continue
        if not b:
            break
        data += b
        start = data.find(b"chatty ")
        if start >= 0 and len(data) - start >= want * LINE:
            return bytes(data[start:])
    return None


def backend_socket(ctx, name, extra, sp):
    """Clients attach and leave while the guest runs; each sees whole,
    consecutive lines; the VM never waits on a client that left."""
    qp = ctx.path(name + ".qmp")
    ctx.start(extra, qmp=qp)
    q = miglib.QMP(qp)
    err = None
    for k in range(3):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(sp)
        except OSError as e:
            err = f"client {k}: connect: {e}"
            break
        data = read_lines_from(s, 50)
        s.close()
        if data is None:
            err = f"client {k}: fewer than 50 lines in 10 s"
            break
        first = int(data[7:15])
        _, e = check_stream(data, first)
        if e:
            err = f"client {k}: {e}"
            break
        err = qmp_fast(q, rounds=2)
        if err:
            break
        time.sleep(0.3)  # nobody attached: output is discarded, the guest runs
    if not err and status(q) != "running":
        err = f"status {status(q)}"
    q.close()
    ctx.cleanup()
    ctx.report(name, err)


def daemonize(ctx):
    name = "daemonize-pidfile"
    pidf, qp, out = ctx.path("d.pid"), ctx.path("d.qmp"), ctx.path("d.out")
    log = ctx.path("d.log")
    ctx.err_paths.append(log)
    extra = ["-daemonize", "-pidfile", pidf, "-serial", f"file:{out}", "-name", "gw-daemon-t",
             "-D", log]
    t = time.time()
    try:
        r = subprocess.run(ctx.argv(extra, qp), stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=30)
    except subprocess.TimeoutExpired:
        ctx.report(name, "the command did not return in 30 s")
        return
    err = None
    pid = None
    if r.returncode != 0:
        err = f"exit status {r.returncode}: {r.stderr.decode(errors='replace').strip()}"
    elif not os.path.exists(pidf):
        err = "no pidfile when the command returned"
    else:
        pid = int(read_file(pidf).split()[0])
        if not os.path.exists(f"/proc/{pid}"):
            err = f"pid {pid} from the pidfile is not running"
    if not err:
        comm = read_file(f"/proc/{pid}/comm").decode().strip()
        if not ctx.qemu and comm != "gw-daemon-t":
            err = f"process name {comm!r}, expected the -name"
        if os.getsid(pid) == os.getsid(0):
            err = "the daemon is still in the caller's session"
    if not err:
        q = miglib.QMP(qp)
        err = qmp_fast(q, rounds=2)
        q.close()
    if pid and not err:
        os.kill(pid, signal.SIGTERM)
        end = time.time() + 10
        while os.path.exists(f"/proc/{pid}") and time.time() < end:
            time.sleep(0.05)
        if os.path.exists(f"/proc/{pid}"):
            err = "still running 10 s after SIGTERM"
        elif os.path.exists(pidf):
            err = "pidfile left behind after exit"
    if pid and os.path.exists(f"/proc/{pid}"):
        os.kill(pid, signal.SIGKILL)
    ctx.report(name, err)
    ctx.report("daemonize-pidfile-time", None if time.time() - t < 30 else "slow")

    # a daemon that cannot start: the command says why and exits 1, no pidfile
    pid2 = ctx.path("d2.pid")
    bad = [a if a != GUEST else ctx.path("missing.elf") for a in ctx.argv(
        ["-daemonize", "-pidfile", pid2, "-serial", "null"])]
    r = subprocess.run(bad, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    lines = r.stderr.decode(errors="replace").strip().splitlines()
    err = None
    if r.returncode != 1:
        err = f"exit status {r.returncode}"
    elif not lines:
        err = "no error message"
    elif os.path.exists(pid2):
        err = "pidfile left behind"
    ctx.report("daemonize-failure", err)

    r = subprocess.run(ctx.argv(["-daemonize", "-serial", "stdio"]), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30)
    ctx.report("daemonize-stdio-refused",
               None if r.returncode == 1 else f"exit status {r.returncode}")


def sighup_log(ctx):
    name = "sighup-reopens-log"
    log, qp = ctx.path("h.log"), ctx.path("h.qmp")
    ctx.err_paths += [log, log + ".1"]
    p = ctx.start(["-serial", "null", "-D", log, "-name", "guest=hup,debug-threads=on"], qmp=qp)
    q = miglib.QMP(qp)
    err = None
    if ctx.qemu:
        os.kill(p.pid, signal.SIGHUP)
        try:
            rc = p.wait(timeout=10)
            ctx.report("sighup-qemu-terminates", None)  # the documented difference
            print(f"    (QEMU exited with status {rc} on SIGHUP; godwit reopens its -D log)")
        except subprocess.TimeoutExpired:
            ctx.report("sighup-qemu-terminates", "QEMU kept running on SIGHUP")
        q.close()
        ctx.cleanup()
        return
    first = read_file(log).decode(errors="replace")
    if not re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z hup godwit-vmm: started", first, re.M):
        err = f"no timestamped start line in the log: {first[:200]!r}"
    if not err:
        os.rename(log, log + ".1")
        os.kill(p.pid, signal.SIGHUP)
        end = time.time() + 5
        while b"log reopened" not in read_file(log) and time.time() < end:
            time.sleep(0.05)
        if b"log reopened" not in read_file(log):
            err = "no 'log reopened' line in the new log"
    if not err:
        err = qmp_fast(q, rounds=2)
    if not err:
        q.ret("quit")
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            err = "did not quit"
        if not err and b"exiting with status 0" not in read_file(log):
            err = "no exit line in the reopened log"
        if not err and b"exiting" in read_file(log + ".1"):
            err = "wrote to the rotated file after SIGHUP"
    q.close()
    ctx.cleanup()
    ctx.report(name, err)


def term_signal(ctx, sig):
    name = f"sig{signal.Signals(sig).name[3:].lower()}-shutdown"
    qp = ctx.path(name + ".qmp")
    p = ctx.start(["-serial", "null"], qmp=qp)
    q = miglib.QMP(qp)
    os.kill(p.pid, sig)
    err = None
    try:
        rc = p.wait(timeout=10)
        if rc != 0:
            err = f"exit status {rc}"
    except subprocess.TimeoutExpired:
        err = "still running 10 s later"
    if not err:
        ev = None
        try:
            while True:
                o = miglib.qmplib.read_obj(q.sock, q.buf, time.time() + 2)
                if o.get("event") == "SHUTDOWN":
                    ev = o
                    break
        except (TimeoutError, ConnectionError, OSError, ValueError):
            pass
        if not ev or ev["data"].get("reason") != "host-signal":
            err = f"no SHUTDOWN event with reason host-signal ({ev})"
    q.close()
    ctx.cleanup()
    ctx.report(name, err)


def sigpipe(ctx):
    """The console's reader closes its end: the VMM runs on."""
    qp = ctx.path("pipe.qmp")
    p = ctx.start(["-serial", "stdio"], qmp=qp, stdout=subprocess.PIPE)
    q = miglib.QMP(qp)
    p.stdout.read(4096)
    p.stdout.close()
    time.sleep(0.5)
    err = None if p.poll() is None else f"exited with {p.returncode}"
    err = err or qmp_fast(q, rounds=2)
    q.close()
    ctx.cleanup()
    ctx.report("sigpipe-reader-gone", err)


def two_sessions(ctx):
    """A second QMP client while one is attached: its own session at once
    (godwit), or it waits until the first leaves (QEMU)."""
    qp = ctx.path("two.qmp")
    ctx.start(["-serial", "null"], qmp=qp)
    a = miglib.QMP(qp)
    err = None
    b = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    b.connect(qp)
    buf = [""]
    try:
        miglib.qmplib.read_obj(b, buf, time.time() + 2)
        waited = False
    except (TimeoutError, socket.timeout):
        waited = True
        a.close()
        a = None
        try:
            miglib.qmplib.read_obj(b, buf, time.time() + 5)
        except (TimeoutError, socket.timeout, ConnectionError):
            err = "no greeting, even after the first client left"
    if not err:
        b.sendall(b'{"execute":"qmp_capabilities"}{"execute":"query-status"}')
        try:
            miglib.qmplib.reply(b, buf)
            r = miglib.qmplib.reply(b, buf)
            if "return" not in r:
                err = f"query-status: {r}"
        except (TimeoutError, ConnectionError) as e:
            err = f"second session: {e}"
    if not err and a:
        err = qmp_fast(a, rounds=1)
    if not err and waited and not ctx.qemu:
        err = "the second client had to wait (godwit serves 8 at once)"
    if a:
        a.close()
    b.close()
    ctx.cleanup()
    ctx.report("qmp-second-session", err)
    if not err:
        print(f"    ({'waited for the first client to leave' if waited else 'own session at once'})")


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    vmm, label = sys.argv[1], sys.argv[2]
    if not os.path.exists(GUEST):
        print(f"FAIL {label}: {GUEST} is missing (make guests)")
        return 1
    with tempfile.TemporaryDirectory(prefix="godwit-managed-") as tmp:
        ctx = Ctx(vmm, label, tmp)
        cases = [
            lambda: backend_stdio(ctx, "serial-stdio", ["-serial", "stdio"]),
            lambda: backend_stdio(ctx, "chardev-stdio", ["-chardev", "stdio,id=c0",
                                                         "-serial", "chardev:c0"]),
            lambda: backend_file(ctx, "serial-file", ["-serial", f"file:{ctx.path('f1')}"],
                                 ctx.path("f1")),
            lambda: backend_file(ctx, "chardev-file", ["-chardev", f"file,id=c0,path={ctx.path('f2')}",
                                                       "-serial", "chardev:c0"], ctx.path("f2")),
            lambda: backend_null(ctx),
            lambda: backend_socket(ctx, "serial-unix", ["-serial", f"unix:{ctx.path('s1')},server=on,wait=off"],
                                   ctx.path("s1")),
            lambda: backend_socket(ctx, "chardev-socket",
                                   ["-chardev", f"socket,id=c0,path={ctx.path('s2')},server=on,wait=off",
                                    "-serial", "chardev:c0"], ctx.path("s2")),
            lambda: two_sessions(ctx),
            lambda: term_signal(ctx, signal.SIGTERM),
            lambda: term_signal(ctx, signal.SIGINT),
            lambda: sigpipe(ctx),
            lambda: sighup_log(ctx),
            lambda: daemonize(ctx),
            lambda: stuck_reader(ctx, "stuck-pipe", "pipe"),
            lambda: stuck_reader(ctx, "stuck-socket", "socket"),
            lambda: stuck_qmp(ctx),
        ]
        only = os.environ.get("MANAGED_ONLY")
        for i, case in enumerate(cases):
            if only and str(i) not in only.split(","):
                continue
            try:
                case()
            except Exception as e:  # a broken case is a failure, not a crash
                ctx.report(f"case{i}", f"{type(e).__name__}: {e}")
            finally:
                ctx.cleanup()
    print(f"PLAN {len(ctx.lines)} {label}")
    print("\n".join(ctx.lines), flush=True)
    return 1 if ctx.failed else 0


if __name__ == "__main__":
    sys.exit(main())
