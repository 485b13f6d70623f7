#!/usr/bin/env python3
"""faults.py VMM [--label L] [--only PAT] [--keep] - fault injection into live
migrations, at every phase of the protocol.

A section-aware proxy (miglib.Proxy) sits between a source VMM and a fresh
destination VMM for each case and holds the stream at one phase:

  handshake      the source's HELLO, before it is forwarded
  first-round    the first RAM section (before any ROUND)
  later-round    the first RAM section after ROUND 1 (a second pre-copy round)
  stop-and-copy  the first section after the source has switched over
                 (status "device", the VM paused): the final dirty pages,
                 which must be there (the guest dirties pages in every round)
  devices        the DEVICES section (CPU and device state)
  ack            the destination's ACK, held on its way back to the source

and applies one action there:

  kill     SIGKILL the destination, its connection dies with it
  cut      close both connections
  corrupt  invert one payload byte of that section and forward it
  cancel   QMP migrate_cancel on the source, then let the stream go on

After every case: the source's migration is "failed" (cancel: "cancelled")
with an error-desc, the source VM is "running", its guest's heartbeats go on
and two more complete `verify pass N ok` sweeps follow (no `verify FAIL`
ever), and the destination has exited with status 1 and a
"godwit-vmm: migration failed: incoming: ..." line (kill: it was SIGKILLed),
without ever running the guest (no heartbeat on its console). With a
sanitizer build, any sanitizer report on either side fails the case.

One source (migtest, -m 64, a 16 MiB region dirtied at 20 MB/s and verified
in the background: mem=16 rate=20 verify=1) serves every case; a failed
migration leaves it running, so the next case migrates it again. The source's
parameters steer the phases: downtime-limit 0 keeps it in pre-copy for the
early phases; for stop-and-copy, max-bandwidth 25 MB/s against the guest's
20 MB/s makes the rounds stop shrinking, so it switches over with a large
final dirty set.

Then a successful migration, with the stop-and-copy parameters, to a
destination started with -S: committed-memory-identical - once the source
reports completed, guest RAM of the paused source (postmigrate) and of the
paused destination must be identical (pmemsave of both); committed-kill-source
- the destination is continued, the source is killed with SIGKILL, and the
destination's guest must go on (heartbeats, verify passes ok).

Prints "PLAN <n> <label>" first (the number of cases selected), then
"PASS <label>/<phase>-<action>" or "FAIL <label>/<case>: reason" per
case (details on stderr); exits 1 if any case failed.
"""
import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import miglib  # noqa: E402
from miglib import S2D, D2S, HELLO, RAM, ROUND, DEVICES, ACK  # noqa: E402

PHASES = ["handshake", "first-round", "later-round", "stop-and-copy", "devices", "ack"]
ACTIONS = ["kill", "cut", "corrupt", "cancel"]
RAM_MB = 64
DRAM = 0x80000000
GUEST_ARGS = "mem=16 rate=20 verify=1"

# bounds (seconds); sanitizer builds get twice as long
T_READY = 30        # guest up and verified once
T_PHASE = 60        # the proxy reaches the phase
T_SOURCE_END = 45   # source reports failed/cancelled (its idle timeout is 30 s)
T_DEST_EXIT = 45    # destination exits
T_GUEST = 15        # two more heartbeats / verify passes


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class CaseFail(Exception):
    pass


# ---- the rules that define the phases ------------------------------------

class Rule:
    """Hold the stream at one phase (see the module docstring)."""

    def __init__(self, phase, src_qmp):
        self.phase = phase
        self.qmp = src_qmp
        self.switched = False  # stop-and-copy: the source switched over
        self.note = ""

    def header(self, proxy, direction, typ, length):
        p = self.phase
        if p == "handshake":
            return direction == S2D and typ == HELLO
        if p == "first-round":
            return direction == S2D and typ == RAM and proxy.rounds == 0
        if p == "later-round":
            return direction == S2D and typ == RAM and proxy.rounds >= 1
        if p == "stop-and-copy":
            if direction == S2D and self.switched:
                if typ != RAM:
                    self.note = (f"the source sent {miglib.SEC_NAMES.get(typ, typ)} first after "
                                 "switching over: no final RAM although the guest dirtied pages "
                                 "in the last round (lost pages?)")
                return True
            return False
        if p == "devices":
            return direction == S2D and typ == DEVICES
        if p == "ack":
            return direction == D2S and typ == ACK
        return False

    def after(self, proxy, direction, typ, head):
        """stop-and-copy: after ROUND k, did the source switch over right
        after it? Its status turns "device" at once if so; while the proxy
        does not forward, the source cannot get past round k+1 unseen
        (dirty-sync-count tells)."""
        if self.phase != "stop-and-copy" or direction != S2D or typ != ROUND:
            return
        k = proxy.rounds
        deadline = time.time() + 1.5
        while time.time() < deadline:
            try:
                st = self.qmp.ret("query-migrate")
            except Exception:  # noqa: BLE001 - the source is checked later
                return
            count = st.get("ram", {}).get("dirty-sync-count", 0)
            if count > k:
                return  # a later round already ended: this one was pre-copy
            if st.get("status") in ("device", "completed") and count == k:
                self.switched = True
                return
            if st.get("status") not in ("active", "device"):
                return
            time.sleep(0.01)


# ---- the source ---------------------------------------------------------

class Harness:
    def __init__(self, vmm, label, tmp, slow):
        self.vmm = vmm
        self.label = label
        self.tmp = tmp
        self.slow = slow
        self.src = None
        self.nsrc = 0
        self.ndst = 0
        self.guest = os.path.join(miglib.ROOT, "build/guest/migtest.elf")

    def t(self, secs):
        return secs * self.slow

    def vm_args(self, extra=()):
        return ["-M", "virt", "-m", str(RAM_MB), "-bios", "none", "-nographic",
                "-kernel", self.guest, "-append", GUEST_ARGS] + list(extra)

    # console parsing
    @staticmethod
    def heartbeats(text):
        return [int(n) for n in re.findall(r"^hb (\d+) ", text, re.M)]

    @staticmethod
    def verify_oks(text):
        return len(re.findall(r"^verify pass \d+ ok", text, re.M))

    @staticmethod
    def guest_trouble(text):
        for pat in (r"^.*verify.*FAIL.*$", r"^mtime BACKWARDS.*$", r"^migtest: unexpected trap.*$",
                    r"^migtest: .*halted.*$"):
            m = re.search(pat, text, re.M)
            if m:
                return m.group(0)
        return None

    def start_source(self):
        self.nsrc += 1
        name = f"src{self.nsrc}"
        self.src = miglib.VM(self.vmm, self.vm_args(), self.tmp, name)
        q = self.src.connect(self.t(15))
        ok = miglib.wait_for(lambda: self.verify_oks(self.src.console()) >= 1 or not self.src.alive(),
                             self.t(T_READY))
        if not ok or not self.src.alive():
            raise CaseFail(f"source did not come up: {self.src.console()[-300:]!r} "
                           f"{self.src.stderr()[-300:]!r}")
        return q

    def source(self):
        if self.src is None or not self.src.alive():
            if self.src is not None:
                log(f"  (source {self.src.name} is gone; starting a new one)")
            self.start_source()
        else:
            try:
                st = self.src.qmp.ret("query-status")["status"]
            except Exception as e:  # noqa: BLE001
                st = f"error {e}"
            if st != "running":
                log(f"  (source state {st}; starting a new one)")
                self.src.kill()
                self.start_source()
        return self.src

    def check_guest_goes_on(self, vm, what):
        """Two more heartbeats and two more complete verify sweeps."""
        text = vm.console()
        hb0 = max(self.heartbeats(text), default=0)
        v0 = self.verify_oks(text)
        ok = miglib.wait_for(lambda: (max(self.heartbeats(vm.console()), default=0) >= hb0 + 2
                                      and self.verify_oks(vm.console()) >= v0 + 2)
                             or not vm.alive(), self.t(T_GUEST), 0.1)
        text = vm.console()
        bad = self.guest_trouble(text)
        if bad:
            raise CaseFail(f"{what} guest: {bad}")
        if not vm.alive():
            raise CaseFail(f"{what} died (status {vm.proc.poll()}): {vm.stderr()[-300:]!r}")
        if not ok:
            raise CaseFail(f"{what} guest stalled: heartbeat {hb0} -> "
                           f"{max(self.heartbeats(text), default=0)}, verify passes "
                           f"{v0} -> {self.verify_oks(text)} in {self.t(T_GUEST)} s")

    def check_sanitizers(self, vm, what):
        rep = miglib.sanitizer_report(vm.stderr())
        if rep:
            raise CaseFail(f"{what}: sanitizer report: {rep}")

    # ---- one fault case --------------------------------------------------

    def set_params(self, q, phase):
        if phase in ("handshake", "first-round", "later-round"):
            p = {"downtime-limit": 0, "max-bandwidth": 0}
        elif phase == "stop-and-copy":
            p = {"downtime-limit": 60000, "max-bandwidth": 25 * 1000 * 1000}
        else:
            p = {"downtime-limit": 60000, "max-bandwidth": 0}
        q.ret("migrate-set-parameters", p)

    def new_dest(self, extra=()):
        self.ndst += 1
        port = miglib.free_port()
        d = miglib.VM(self.vmm, self.vm_args(["-incoming", f"tcp:127.0.0.1:{port}"] + list(extra)),
                      self.tmp, f"dst{self.ndst}")
        return d, port

    def fault_case(self, phase, action):
        src = self.source()
        q = src.qmp
        self.set_params(q, phase)
        dst, port = self.new_dest()
        rule = Rule(phase, q)
        proxy = miglib.Proxy(port, rule).start()
        t0 = time.time()
        try:
            q.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}"})
            if not proxy.reached.wait(self.t(T_PHASE)):
                st = q.ret("query-migrate")
                raise CaseFail(f"phase not reached in {self.t(T_PHASE)} s (source {st.get('status')}, "
                               f"proxy {proxy.error or 'sections ' + str(len(proxy.sections[S2D]))})")
            if rule.note:  # the last round's dirty pages were not sent
                raise CaseFail(rule.note)
            if phase == "later-round" or phase == "first-round":
                st = q.ret("query-migrate")["status"]
                if st != "active":
                    raise CaseFail(f"source status {st} in {phase}, expected active")
            if phase == "stop-and-copy":
                st = q.ret("query-status")["status"]
                if st != "finish-migrate":
                    raise CaseFail(f"source run state {st} in stop-and-copy, expected finish-migrate")
            self.act(action, q, dst, proxy)
            self.check_source(q, action)
            self.check_dest(dst, action)
            self.check_guest_goes_on(src, "source")
            self.check_sanitizers(src, "source")
            log(f"  {phase}-{action}: {time.time() - t0:.1f} s")
        finally:
            proxy.stop()
            dst.kill()

    def act(self, action, q, dst, proxy):
        if action == "kill":
            dst.kill(signal.SIGKILL)
            proxy.close()
        elif action == "cut":
            proxy.close()
        elif action == "corrupt":
            proxy.corrupt()
        elif action == "cancel":
            q.ret("migrate_cancel")
            # let the source act on it before any held byte moves (an ACK
            # released first would be a commit the cancel came too late for)
            miglib.wait_for(lambda: q.ret("query-migrate").get("status") in ("cancelled", "failed"),
                            self.t(T_SOURCE_END), 0.05)
            proxy.release()

    def check_source(self, q, action):
        want = "cancelled" if action == "cancel" else "failed"
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in
                                      ("failed", "cancelled", "completed") else None)(
            q.ret("query-migrate")), self.t(T_SOURCE_END), 0.05)
        if not st:
            st = q.ret("query-migrate")
            raise CaseFail(f"source migration still {st.get('status')} after {self.t(T_SOURCE_END)} s")
        if st["status"] != want:
            raise CaseFail(f"source migration {st['status']}, expected {want} "
                           f"(error-desc {st.get('error-desc')!r})")
        if not st.get("error-desc"):
            raise CaseFail(f"source migration {st['status']} without an error-desc")
        log(f"  source: {st['status']}: {st['error-desc']}")
        rs = miglib.wait_for(lambda: q.ret("query-status")["status"] == "running", self.t(5))
        if not rs:
            raise CaseFail(f"source VM is {q.ret('query-status')['status']}, not running")

    def check_dest(self, dst, action):
        rc = dst.wait(self.t(T_DEST_EXIT))
        err = dst.stderr()
        if rc is None:
            raise CaseFail(f"destination still running {self.t(T_DEST_EXIT)} s after the fault "
                           f"(stderr {err[-200:]!r})")
        if self.heartbeats(dst.console()):
            raise CaseFail("the destination ran the guest (heartbeats on its console): split brain")
        rep = miglib.sanitizer_report(err)
        if rep:
            raise CaseFail(f"destination: sanitizer report: {rep}")
        if action == "kill":
            if rc != -signal.SIGKILL:
                raise CaseFail(f"destination exited with {rc} before it was killed: {err[-300:]!r}")
            return
        if rc != 1:
            raise CaseFail(f"destination exit status {rc}, expected 1 (stderr {err[-300:]!r})")
        lines = [ln for ln in err.splitlines()
                 if ln.startswith("godwit-vmm: migration failed: incoming: ")]
        if not lines:
            raise CaseFail(f"no 'godwit-vmm: migration failed: incoming:' line on the "
                           f"destination's stderr: {err[-300:]!r}")
        log(f"  destination: {lines[0]}")

    # ---- success, then the source dies -----------------------------------

    def success_cases(self):
        """Yields (name, error or None)."""
        src = self.source()
        q = src.qmp
        q.ret("migrate-set-parameters", {"downtime-limit": 60000, "max-bandwidth": 25 * 1000 * 1000})
        dst, port = self.new_dest(["-S"])
        proxy = miglib.Proxy(port, None).start()
        try:
            dq = dst.connect(self.t(15))
            q.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}"})
            st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in
                                          ("failed", "cancelled", "completed") else None)(
                q.ret("query-migrate")), self.t(T_PHASE), 0.1)
            if not st or st["status"] != "completed":
                yield ("committed-memory-identical",
                       f"migration did not complete: {st or q.ret('query-migrate')}")
                return
            log(f"  migration completed: {st.get('ram', {}).get('dirty-sync-count')} rounds, "
                f"downtime {st.get('downtime')} ms")
            miglib.wait_for(lambda: dq.ret("query-migrate").get("status") == "completed", self.t(10))
            yield ("committed-memory-identical", self.compare_memory(q, dq))
            try:
                self.after_commit_kill_source(dq, dst)
                yield ("committed-kill-source", None)
            except CaseFail as e:
                yield ("committed-kill-source", str(e))
        finally:
            proxy.stop()
            dst.kill()
            if self.src:
                self.src.kill()
                self.src = None

    def compare_memory(self, q, dq):
        sst = q.ret("query-status")["status"]
        dstat = dq.ret("query-status")["status"]
        if sst != "postmigrate" or dstat != "paused":
            return f"after the commit: source {sst} (want postmigrate), destination {dstat} (want paused)"
        a = os.path.join(self.tmp, "src.ram")
        b = os.path.join(self.tmp, "dst.ram")
        q.ret("pmemsave", {"val": DRAM, "size": RAM_MB << 20, "filename": a})
        dq.ret("pmemsave", {"val": DRAM, "size": RAM_MB << 20, "filename": b})
        with open(a, "rb") as fa, open(b, "rb") as fb:
            x, y = fa.read(), fb.read()
        os.unlink(a)
        os.unlink(b)
        if len(x) != len(y) or len(x) != RAM_MB << 20:
            return f"pmemsave sizes {len(x)} and {len(y)}"
        diff = [p for p in range(len(x) // 4096) if x[p * 4096:(p + 1) * 4096] != y[p * 4096:(p + 1) * 4096]]
        if diff:
            return (f"{len(diff)} of {len(x) // 4096} guest RAM pages differ between the paused "
                    f"source and the arrived destination (first at 0x{DRAM + diff[0] * 4096:x})")
        return None

    def after_commit_kill_source(self, dq, dst):
        dq.ret("cont")
        self.src.kill(signal.SIGKILL)
        self.src = None
        if dq.ret("query-status")["status"] != "running":
            raise CaseFail(f"destination is {dq.ret('query-status')['status']} after cont")
        self.check_guest_goes_on(dst, "destination")
        self.check_sanitizers(dst, "destination")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vmm")
    ap.add_argument("--label", default="migration-faults")
    ap.add_argument("--only", default=None, help="regex on case names")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    vmm = os.path.abspath(a.vmm)
    only = re.compile(a.only) if a.only else None
    planned = [f"{p}-{x}" for p in PHASES for x in ACTIONS] + [
        "committed-memory-identical", "committed-kill-source"]
    print(f"PLAN {len([n for n in planned if not only or only.search(n)])} {a.label}",
          flush=True)
    if not os.access(vmm, os.X_OK):
        print(f"FAIL {a.label}: no VMM at {a.vmm}")
        return 1
    if not os.path.exists(os.path.join(miglib.ROOT, "build/guest/migtest.elf")):
        print(f"FAIL {a.label}: build/guest/migtest.elf missing (make guests)")
        return 1
    slow = 2 if "asan" in vmm else 1
    tmp = tempfile.mkdtemp(prefix="godwit-faults-")
    h = Harness(vmm, a.label, tmp, slow)
    failed = 0

    def report(name, err):
        nonlocal failed
        if err:
            failed += 1
            print(f"FAIL {a.label}/{name}: {err}", flush=True)
        else:
            print(f"PASS {a.label}/{name}", flush=True)

    try:
        for phase in PHASES:
            for action in ACTIONS:
                name = f"{phase}-{action}"
                if only and not only.search(name):
                    continue
                log(f"{a.label}/{name}")
                try:
                    h.fault_case(phase, action)
                    report(name, None)
                except CaseFail as e:
                    report(name, str(e))
                except Exception as e:  # noqa: BLE001 - one broken case must not end the run
                    report(name, f"{type(e).__name__}: {e}")
        if not only or only.search("committed-memory-identical") or only.search("committed-kill-source"):
            log(f"{a.label}/committed")
            try:
                for name, err in h.success_cases():
                    report(name, err)
            except CaseFail as e:
                report("committed", str(e))
            except Exception as e:  # noqa: BLE001
                report("committed", f"{type(e).__name__}: {e}")
    finally:
        if h.src:
            h.src.kill()
        if a.keep or failed:
            log(f"(logs kept in {tmp})")
        if not a.keep and not failed:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
