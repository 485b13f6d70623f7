#!/usr/bin/env python3
"""soak.py [VMM] [--iterations N] [--seed S] [--doc PATH] - `make soak`.

Many live migrations in a row of one migtest guest (fill=random, dirtying
and verifying its own memory all the time), each between the process that
runs the VM now and a fresh destination, with a random fault at a random
moment:

  none        no fault
  cut         a byte-level proxy on the link closes both sides after a
              random number of bytes in a random direction (FIN)
  flip        the proxy flips one bit at a random byte in a random direction
  stall       the proxy stops forwarding in both directions after a random
              number of bytes and keeps the sockets open: a silent link
  tail-cut    a cut in the last records of a direction (the ACK, COMMIT,
              RUNNING window), found from the previous migration's sizes
  tail-stall  a silent link in the same window
  commit-cut  the ACK reaches the source, the COMMIT never reaches the
              destination (the link is cut right after the ACK)
  running-cut the destination's RUNNING confirmation is cut off
  kill-dst    SIGKILL of the destination after a random delay
  kill-src    SIGKILL of the source after a random delay (its host died:
              the VM may be lost with it, but must never run twice)
  cancel      migrate_cancel after a random delay, then at once `cont`,
              which must be refused while the migration still runs
  cli-*       godwit migrate drives the migration (with a cut, stall or
              tail-cut on the link) and must resolve what it can see:
              exit 0 only if the destination runs the VM

After each migration the test finds where the VM runs. The bar: exactly
one place (or none after kill-src, the VM's own host dying), never two;
a source left "unresolved" is resolved by the test from what the
destination shows, and then the same holds. The guest then completes a
verify sweep of all its memory with no FAIL. Every wait is bounded; every
process is killed on the way out.

Prints progress on stderr (percent, rate, time left), one PASS/FAIL line,
and writes the table of how the migrations ended to --doc.
"""
import argparse
import collections
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import migcheck  # noqa: E402
from migcheck import REG, VM, TestFailure, migtest_argv, start_incoming  # noqa: E402

FAULTS = [  # (name, weight)
    ("none", 20), ("cut", 14), ("flip", 10), ("stall", 4), ("tail-cut", 6),
    ("tail-stall", 2), ("kill-dst", 12), ("kill-src", 5), ("cancel", 14),
    ("cli-cut", 7), ("cli-tail-cut", 3), ("cli-stall", 1), ("commit-cut", 4),
    ("running-cut", 3), ("cli-commit-cut", 2),
]
FINAL = ("completed", "failed", "cancelled", "unresolved")
CLI = "build/godwit"


class FaultProxy:
    """TCP proxy for one connection with one fault: after `at` bytes in
    direction `dir` ("s2d" or "d2s") it cuts (closes both sides), flips a
    bit of that byte, or stalls (stops forwarding, sockets stay open)."""

    def __init__(self, dst_port, kind=None, direction="s2d", at=0):
        self.dst_port, self.kind, self.dir, self.at = dst_port, kind, direction, at
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.port = self.ls.getsockname()[1]
        self.count = {"s2d": 0, "d2s": 0}
        self.fired = False
        self.socks = []
        self.d2s_seen = bytearray()  # commit-cut / running-cut: records back
        self.s2d_dead = False
        self.lock = threading.Lock()
        self.done = False
        self.t = threading.Thread(target=self._accept, daemon=True)
        self.t.start()

    def _accept(self):
        self.ls.settimeout(0.2)
        while not self.done:
            try:
                a, _ = self.ls.accept()
            except OSError:
                continue
            try:
                b = socket.create_connection(("127.0.0.1", self.dst_port), timeout=5)
            except OSError:
                a.close()
                continue
            with self.lock:
                self.socks += [a, b]
            for src, dst, d in ((a, b, "s2d"), (b, a, "d2s")):
                threading.Thread(target=self._pump, args=(src, dst, d), daemon=True).start()

    def _d2s_record(self, data):
        """commit-cut / running-cut: the offset in data where a record of
        the wanted type (ACK 0x82 ends / RUNNING 0x84 starts) is, or None.
        Headers are in the clear: 48-byte preamble, then 32-byte headers."""
        base = len(self.d2s_seen)
        self.d2s_seen += data
        pos, seen = 48, self.d2s_seen
        while pos + 32 <= len(seen):
            typ = seen[pos + 4] | seen[pos + 5] << 8
            length = int.from_bytes(seen[pos + 8:pos + 12], "little")
            if self.kind == "running-cut" and typ == 0x84 and pos >= base:
                return pos - base
            if self.kind == "commit-cut" and typ == 0x82 and pos + 32 + length <= len(seen):
                return max(pos + 32 + length - base, 0)
            pos += 32 + length
        return None

    def _pump(self, src, dst, d):
        src.settimeout(0.2)
        while not self.done:
            try:
                data = src.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                break
            if self.kind in ("commit-cut", "running-cut"):
                with self.lock:
                    if d == "s2d" and self.s2d_dead:
                        continue  # the COMMIT (and anything after the ACK) is lost
                    at = self._d2s_record(data) if d == "d2s" and not self.fired else None
                    if at is not None:
                        self.fired = True
                        if self.kind == "commit-cut":
                            self.s2d_dead = True
                    cut_now = at is not None and self.kind == "running-cut"
                if cut_now:
                    data = data[:at]
                try:
                    if data:
                        dst.sendall(data)
                except OSError:
                    break
                if at is not None:
                    time.sleep(0.05)  # the source has the ACK; then the link dies
                    with self.lock:
                        self._close_socks()
                    break
                continue
            with self.lock:
                if self.fired and self.kind in ("stall", "cut"):
                    continue  # dropped: the link is silent or gone
                start = self.count[d]
                self.count[d] += len(data)
                hit = (self.kind and not self.fired and d == self.dir and
                       start <= self.at < start + len(data))
                if hit:
                    self.fired = True
                    i = self.at - start
                    if self.kind == "flip":
                        data = data[:i] + bytes([data[i] ^ 0x10]) + data[i + 1:]
                    else:
                        data = data[:i]
            try:
                if data:
                    dst.sendall(data)
            except OSError:
                break
            if hit and self.kind == "cut":
                self._close_socks()
                break

    def _close_socks(self):
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.done = True
        with self.lock:
            self._close_socks()
            for s in self.socks:
                s.close()
        self.ls.close()


class Soak:
    def __init__(self, args, tmp):
        self.a, self.tmp = args, tmp
        self.rng = random.Random(args.seed)
        self.argv = migtest_argv(args.vmm, args.mem, "fill=random rate=20 period=5 verify=1 vrate=256")
        self.cur = None        # the VM process that runs the guest now
        self.n = 0
        self.sizes = {"s2d": 0, "d2s": 0}  # bytes each way of the last clean migration
        self.table = collections.Counter()
        self.problems = []
        self.slow = 2 if "asan" in args.vmm else 1

    # -- helpers
    def name(self, what):
        self.n += 1
        return f"{what}{self.n}"

    def fresh_vm(self):
        vm = VM(self.tmp, self.name("vm"), self.argv)
        vm.connect()
        migcheck.wait_for(lambda: "migtest ready" in vm.console(), 60 * self.slow, "migtest ready",
                          vms=[vm])
        return vm

    def status(self, vm):
        try:
            return vm.qmp.ok("query-status", timeout=10)["status"]
        except (TestFailure, OSError, TimeoutError, ConnectionError, ValueError):
            return None

    def mig_status(self, vm):
        try:
            return vm.qmp.ok("query-migrate", timeout=10)
        except (TestFailure, OSError, TimeoutError, ConnectionError, ValueError):
            return None

    def drop(self, vm):
        if vm is None:
            return
        if vm.alive():
            vm.proc.kill()
        vm.wait_exit(10)
        if vm.qmp:
            vm.qmp.close()
        for p in (vm.out, vm.err, vm.sock):
            try:
                os.unlink(p)
            except OSError:
                pass

    def wait_final(self, vm, secs):
        end = time.time() + secs
        while time.time() < end:
            if not vm.alive():
                return None
            st = (self.mig_status(vm) or {}).get("status")
            if st in FINAL:
                return st
            time.sleep(0.05)
        return "hung"

    def runs(self, vm):
        """The VM runs (or owns the guest) in vm: alive, and running."""
        return vm is not None and vm.alive() and self.status(vm) == "running"

    def dst_fate(self, dst, secs=20):
        """completed / never / unknown for a destination after an unresolved source."""
        end = time.time() + secs
        while time.time() < end:
            if not dst.alive():
                # it ran only if it said so (MIGRATION completed before running)
                return "never" if "completed" not in str(dst.qmp.events) else "gone-after-run"
            m = self.mig_status(dst)
            st = (m or {}).get("status")
            if st == "completed":
                return "completed"
            if st in ("failed", "cancelled"):
                return "never"
            time.sleep(0.1)
        return "unknown"

    # -- one migration
    def fault_for(self, kind):
        if kind in ("cut", "flip", "stall", "cli-cut", "cli-stall"):
            d = self.rng.choice(["s2d", "s2d", "d2s"])
            size = max(self.sizes[d], 64)
            return FaultProxy(0, kind.replace("cli-", ""), d, self.rng.randrange(size))
        if kind in ("commit-cut", "running-cut", "cli-commit-cut"):
            return FaultProxy(0, kind.replace("cli-", ""), "d2s", 0)
        if kind in ("tail-cut", "tail-stall", "cli-tail-cut"):
            d = self.rng.choice(["s2d", "d2s"])
            size = self.sizes[d]
            back = self.rng.randrange(1, 200)  # inside the last records
            return FaultProxy(0, "stall" if kind == "tail-stall" else "cut", d, max(size - back, 0))
        return FaultProxy(0)

    def one(self, kind):
        src = self.cur
        dst, uri = start_incoming(self.tmp, self.name("vm"), self.argv, [])
        port = int(uri.rsplit(":", 1)[1])
        proxy = self.fault_for(kind)
        proxy.dst_port = port
        puri = f"tcp:127.0.0.1:{proxy.port}"
        outcome, note = None, ""
        cli_rc = None
        try:
            if kind.startswith("cli-"):
                p = subprocess.run([CLI, "migrate", "--from", src.sock, "--to", dst.sock,
                                    "--uri", puri, "--quiet"], capture_output=True, text=True,
                                   timeout=120 * self.slow)
                cli_rc, note = p.returncode, (p.stderr.strip().splitlines() or [""])[-1][:160]
                st = (self.mig_status(src) or {}).get("status")
            else:
                key = os.urandom(32).hex()
                dst.qmp.ok("migrate-set-parameters", {"x-godwit-key": key})
                src.qmp.ok("migrate-set-parameters", {"x-godwit-key": key})
                src.qmp.ok("migrate", {"uri": puri})
                if kind in ("kill-dst", "kill-src", "cancel"):
                    time.sleep(self.rng.uniform(0, 0.4))
                    if kind == "kill-dst":
                        dst.proc.kill()
                    elif kind == "kill-src":
                        src.proc.kill()
                    else:
                        r = src.qmp.cmd("migrate_cancel", timeout=10)
                        before = (self.mig_status(src) or {}).get("status")
                        c = src.qmp.cmd("cont", timeout=10)
                        after = (self.mig_status(src) or {}).get("status")
                        # cont may be accepted only once the migration has
                        # ended (it can end between the two queries)
                        if "error" not in c and before not in FINAL and after not in FINAL:
                            self.problems.append(f"{kind}: cont accepted while the migration "
                                                 f"was '{before}', then '{after}' (cancel: {r})")
                st = self.wait_final(src, 40 * self.slow) if src.alive() else None
            if st == "hung":
                self.problems.append(f"{kind}: the source shows no final status after 40 s")
            if st == "unresolved":
                fate = self.dst_fate(dst)
                where = {"completed": "destination", "never": "source"}.get(fate)
                if where is None:
                    self.problems.append(f"{kind}: unresolved and the destination's fate is {fate}")
                    outcome = "unresolved-unknown"
                else:
                    src.qmp.ok("x-godwit-migrate-resolve", {"runs-on": where})
                    outcome = f"resolved-{where}"
            # where does it run now?
            time.sleep(0.05)
            if dst.alive() and (self.mig_status(dst) or {}).get("status") not in ("completed",):
                # a destination that did not take the VM: it must not run it
                if self.status(dst) == "running":
                    self.problems.append(f"{kind}: destination runs without a completed migration")
            on_src, on_dst = self.runs(src), self.runs(dst)
            if on_src and on_dst:
                self.problems.append(f"{kind}: SPLIT BRAIN: the VM runs on both sides ({st})")
                outcome = "two-places"
            elif not on_src and not on_dst:
                if kind == "kill-dst" and st == "completed":
                    outcome = "moved-then-destination-killed"  # its new host died later
                elif kind == "kill-src":
                    outcome = outcome or "lost-with-source-host"
                else:
                    self.problems.append(f"{kind}: the VM runs nowhere (source status {st}, "
                                         f"src alive {src.alive()}, dst alive {dst.alive()})")
                    outcome = "nowhere"
            else:
                outcome = outcome or ("moved" if on_dst else "stayed")
            if kind.startswith("cli-"):
                if cli_rc == 0 and not on_dst:
                    self.problems.append(f"{kind}: godwit migrate exited 0 but the destination "
                                         f"does not run the VM ({note})")
                if cli_rc not in (0, 1, 3, 4):
                    self.problems.append(f"{kind}: godwit migrate exit {cli_rc}: {note}")
                outcome += f" (exit {cli_rc})"
            if kind == "none" and outcome == "moved":
                self.sizes = dict(proxy.count)
        finally:
            proxy.close()
        survivor = dst if self.runs(dst) else src if self.runs(src) else None
        loser = src if survivor is dst else dst
        self.drop(loser)
        if survivor is None:
            self.drop(src)
            self.cur = self.fresh_vm()
        else:
            self.cur = survivor
            self.verify(survivor, kind)
        self.table[(kind, outcome)] += 1

    def verify(self, vm, kind):
        """A whole verify sweep after the move, with no FAIL."""
        n0 = len(re.findall(r"^verify pass \d+", vm.console(), re.M))
        try:
            migcheck.wait_for(lambda: len(re.findall(r"^verify pass \d+", vm.console(), re.M)) >= n0 + 2,
                              30 * self.slow, "verify sweep", vms=[vm])
        except TestFailure as e:
            self.problems.append(f"{kind}: {e}")
        if "FAIL" in vm.console():
            self.problems.append(f"{kind}: the guest's memory check failed: "
                                 + re.findall(r".*FAIL.*", vm.console())[0][:120])

    def run(self):
        kinds = [k for k, w in FAULTS for _ in range(w)]
        if self.a.only:
            kinds = [self.a.only]
        self.cur = self.fresh_vm()
        # one clean migration first, to learn the stream's sizes
        self.one("none")
        t0 = time.time()
        tty = sys.stderr.isatty()
        for i in range(self.a.iterations):
            kind = self.rng.choice(kinds)
            try:
                self.one(kind)
            except TestFailure as e:
                self.problems.append(f"{kind}: {e}")
                self.table[(kind, "test-error")] += 1
                for vm in list(REG.vms):
                    if vm is not self.cur:
                        self.drop(vm)
                if self.cur is None or not self.cur.alive():
                    self.cur = self.fresh_vm()
            done = i + 1
            el = time.time() - t0
            rate = done / el if el > 0 else 0
            left = (self.a.iterations - done) / rate if rate else 0
            line = (f"soak: {100 * done / self.a.iterations:5.1f}% {done}/{self.a.iterations} "
                    f"migrations, {rate * 60:.0f}/min, {left / 60:.1f} min left, "
                    f"{len(self.problems)} problems")
            if tty:
                print("\r" + line, end="", file=sys.stderr, flush=True)
            elif done % 25 == 0 or done == self.a.iterations:
                print(line, file=sys.stderr, flush=True)
        if tty:
            print(file=sys.stderr)
        return time.time() - t0


def write_doc(path, soak, args, elapsed):
    total = sum(soak.table.values())
    bad = sum(n for (k, o), n in soak.table.items()
              if o in ("two-places", "nowhere", "unresolved-unknown", "test-error"))
    lines = [
        "# Migration soak",
        "",
        f"`make soak` ({args.iterations} migrations, seed {args.seed}, guest migtest "
        f"-m {args.mem}, {os.path.basename(args.vmm)}), run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{elapsed / 60:.1f} min. Each migration runs between the process that holds the VM and "
        "a fresh destination with one random fault (tests/migration/soak.py says which). "
        "Outcomes: *moved* (the destination runs it), *stayed* (the source runs it), "
        "*resolved-destination* / *resolved-source* (the source was left unresolved after the "
        "commit and the test resolved it from what the destination showed), "
        "*lost-with-source-host* (kill-src: the source, the VM's host, died before the commit), "
        "*moved-then-destination-killed* (kill-dst came after the migration had completed). "
        "Never acceptable: *two-places*, *nowhere*, *unresolved-unknown*.",
        "",
        "| fault | outcome | migrations |",
        "|---|---|---:|",
    ]
    for (k, o), n in sorted(soak.table.items()):
        lines.append(f"| {k} | {o} | {n} |")
    lines += ["", f"In all: {total} migrations, {total - bad} ended with the VM in exactly one "
              f"place (or lost with its own host) and its memory verified; "
              f"{len(soak.problems)} problems.", ""]
    if soak.problems:
        lines += ["Problems:", ""] + [f"- {p}" for p in soak.problems[:50]] + [""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmm", nargs="?", default="build/godwit-vmm")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SOAK_SEED", "1")))
    ap.add_argument("--mem", type=int, default=16)
    ap.add_argument("--doc", default="docs/soak.md")
    ap.add_argument("--only", help="one fault kind (for trials)")
    ap.add_argument("--label", default="soak")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    tmp = tempfile.mkdtemp(prefix="godwit-soak.")
    soak = Soak(args, tmp)
    try:
        elapsed = soak.run()
        write_doc(args.doc, soak, args, elapsed)
    finally:
        REG.kill_all()
        subprocess.run(["rm", "-rf", tmp])
    if soak.problems:
        print(f"FAIL {args.label}/migrations: {len(soak.problems)} problems, first: {soak.problems[0]}")
        return 1
    print(f"PASS {args.label}/migrations: {sum(soak.table.values())} migrations, table in {args.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
