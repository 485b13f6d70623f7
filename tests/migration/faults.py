#!/usr/bin/env python3
"""faults.py VMM [--label L] [--only PAT] [--keep] [--smp N] - fault injection
into live migrations on the v2 (AES-256-GCM) stream, at every phase of the
protocol. With --smp N every VM has N harts and migtest runs all of them
(harts.c): after each case every other hart must have counted on, its own
page and register checks clean ("harts ... bad=0").

Every migration gets a fresh key on both VMMs (x-godwit-key over QMP).
A record-aware proxy (miglib.Proxy: it reads the clear preambles and
32-byte record headers, the payloads stay sealed) sits between a source
VMM and a fresh destination VMM for each case and holds the stream at one
phase:

  handshake      the source's HELLO (after the key proofs), before it is forwarded
  first-round    the first RAM record (before any ROUND)
  later-round    the first RAM record after ROUND 1 (a second pre-copy round)
  stop-and-copy  the first record after the source has switched over
                 (status "device", the VM paused): the final dirty pages,
                 which must be there (the guest dirties pages in every round)
  devices        the DEVICES record (CPU and device state)
  ack            the destination's ACK, held on its way back to the source

and applies one action there:

  kill     SIGKILL the destination, its connection dies with it
  cut      close both connections
  corrupt  invert one payload byte of that record and forward it (the GCM
           tag must catch it)
  cancel   QMP migrate_cancel on the source, then let the stream go on

After each of these: the source's migration is "failed" (cancel:
"cancelled") with an error-desc, the source VM is "running", its guest's
heartbeats go on and two more complete `verify pass N ok` sweeps follow (no
`verify FAIL` ever), and the destination has exited with status 1 and a
"godwit-vmm: migration failed: incoming: ..." line (kill: it was SIGKILLed),
without ever running the guest (no heartbeat on its console): the VM runs in
exactly one place. With a sanitizer build, any sanitizer report fails the case.

The commit and the window after it (see migration.h: the source commits
after the ACK, the destination confirms with RUNNING):

  commit-hold          COMMIT held: the source goes "unresolved" (10 s), then
                       `cont`, `migrate` and migrate_cancel are refused; the
                       test cuts the link, the destination (which never got
                       it) exits 1, and the test resolves runs-on=source
  commit-hold-late     COMMIT held until the source is unresolved, then
                       delivered: the destination runs the VM; the test
                       resolves runs-on=destination (the source stays paused,
                       completed)
  commit-drop          COMMIT dropped and the link cut: unresolved, the
                       destination exits 1, runs-on=source
  commit-corrupt       COMMIT with a flipped payload bit: the destination
                       refuses it and exits 1; unresolved, runs-on=source
  running-cut          the destination's RUNNING held, then the link cut:
                       unresolved, the destination runs it, runs-on=destination
  running-silent       RUNNING held and the link silent (nothing moves, no
                       FIN/RST): unresolved after 10 s, runs-on=destination
  running-kill-dest    RUNNING held, the destination SIGKILLed after it got
                       COMMIT: unresolved, the VM runs nowhere, the test
                       knows the destination is gone: runs-on=source
  silent-precopy       the link goes silent in the first round (the proxy
                       stops forwarding both ways, sockets stay open): the
                       source gives up at its x-godwit-deadline and resumes;
                       the destination must not run the VM
  silent-netns         (root only, else SKIP) a real silent link: the
                       destination in its own network namespace behind a
                       veth pair whose far end is set down in pre-copy;
                       the source gives up at its deadline and resumes, the
                       link comes back, the destination exits 1
  source-kill-precommit  the source SIGKILLed in stop-and-copy (DEVICES held):
                       the destination exits 1 and never runs the VM
  cancel-race-ack-before / -after  migrate_cancel sent just before / just
                       after the ACK passes the proxy: either outcome is
                       right, but exactly one: cancelled (the source runs, the
                       destination exits 1) or completed (the destination
                       runs, the source is postmigrate and the cancel was
                       refused)

After each: query-status on both (an exited process counts as not running)
shows the VM running in exactly one place, and its guest goes on verifying
its memory there.

Then a successful migration, with the stop-and-copy parameters, to a
destination started with -S: committed-memory-identical - once the source
reports completed, guest RAM of the paused source (postmigrate) and of the
paused destination must be identical (pmemsave of both); committed-kill-source
- the destination is continued, the source is killed with SIGKILL, and the
destination's guest must go on (heartbeats, verify passes ok).

Prints "PLAN <n> <label>" first, then "PASS <label>/<case>",
"FAIL <label>/<case>: reason" or "SKIP <label>/<case>: reason" per case
(details on stderr); exits 1 if any case failed.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import miglib  # noqa: E402
from miglib import S2D, D2S, HELLO, RAM, ROUND, DEVICES, ACK, COMMIT, RUNNING  # noqa: E402

PHASES = ["handshake", "first-round", "later-round", "stop-and-copy", "devices", "ack"]
ACTIONS = ["kill", "cut", "corrupt", "cancel"]
COMMIT_CASES = ["commit-hold", "commit-hold-late", "commit-drop", "commit-corrupt", "running-cut",
                "running-silent", "running-kill-dest", "silent-precopy", "silent-netns",
                "source-kill-precommit", "cancel-race-ack-before", "cancel-race-ack-after"]
SUCCESS_CASES = ["committed-memory-identical", "committed-kill-source"]
RAM_MB = 64
DRAM = 0x80000000
GUEST_ARGS = "mem=16 rate=20 verify=1"

# bounds (seconds); sanitizer builds get twice as long
T_READY = 30        # guest up and verified once
T_PHASE = 60        # the proxy reaches the phase
T_SOURCE_END = 45   # source reports failed/cancelled (its idle timeout is 30 s)
T_DEST_EXIT = 45    # destination exits
T_GUEST = 15        # two more heartbeats / verify passes
T_UNRESOLVED = 20   # COMMIT sent to "unresolved" (the source waits 10 s for RUNNING)
SILENT_DEADLINE_MS = 6000  # x-godwit-deadline of the silent-link cases


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
    def __init__(self, vmm, label, tmp, slow, smp=1):
        self.smp = smp
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
        smp = ["-smp", str(self.smp)] if self.smp > 1 else []
        return ["-M", "virt"] + smp + ["-m", str(RAM_MB), "-bios", "none", "-nographic",
                "-kernel", self.guest, "-append", GUEST_ARGS] + list(extra)

    @staticmethod
    def harts_min(text):
        """The smallest count of the other harts in the last report (SMP)."""
        m = re.findall(r"^harts n=\d+ min=(\d+) bad=\d+", text, re.M)
        return int(m[-1]) if m else None

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
                    r"^migtest: .*halted.*$", r"^harts n=\d+ min=\d+ bad=[1-9].*$"):
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
        h0 = self.harts_min(text) or 0

        def harts_on(t):  # SMP: every other hart counted on since
            return self.smp < 2 or (self.harts_min(t) or 0) > h0
        ok = miglib.wait_for(lambda: (max(self.heartbeats(vm.console()), default=0) >= hb0 + 2
                                      and self.verify_oks(vm.console()) >= v0 + 2
                                      and harts_on(vm.console()))
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
        p["x-godwit-deadline"] = 120000
        q.ret("migrate-set-parameters", p)

    def new_dest(self, q=None, extra=(), host="127.0.0.1", prefix=()):
        """A destination waiting on a free port; with the source's QMP q,
        both get a fresh migration key."""
        self.ndst += 1
        port = miglib.free_port()
        d = miglib.VM(self.vmm, self.vm_args(["-incoming", f"tcp:{host}:{port}"] + list(extra)),
                      self.tmp, f"dst{self.ndst}", prefix=prefix)
        if q is not None:
            miglib.set_key(q, d.connect(self.t(15)))
        return d, port

    def fault_case(self, phase, action):
        src = self.source()
        q = src.qmp
        self.set_params(q, phase)
        dst, port = self.new_dest(q)
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

    # ---- the commit, the window after it, silent links, races -------------

    @staticmethod
    def runs(vm):
        """Whether vm runs the guest now: an exited process does not."""
        if vm is None or not vm.alive():
            return False
        try:
            if vm.qmp is None:
                vm.connect(5)
            return vm.qmp.ret("query-status")["status"] == "running"
        except Exception:  # noqa: BLE001 - it may be exiting right now
            return False

    def check_one_place(self, src, dst, where):
        """The VM runs at `where` ("source" / "destination") and not at the
        other; its guest goes on and verifies its memory there."""
        want_s, want_d = where == "source", where == "destination"
        ok = miglib.wait_for(lambda: self.runs(src) == want_s and self.runs(dst) == want_d, self.t(5))
        s, d = self.runs(src), self.runs(dst)
        if not ok:
            raise CaseFail(f"the VM should run on the {where} only: source running={s}, "
                           f"destination running={d}")
        vm = src if want_s else dst
        self.check_guest_goes_on(vm, where)
        other = dst if want_s else src
        if want_s and self.heartbeats(other.console()):
            raise CaseFail("the destination ran the guest (heartbeats on its console): split brain")
        log(f"  the VM runs on the {where} only")

    def wait_unresolved(self, q):
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") not in
                                      ("setup", "active", "device", "cancelling") else None)(
            q.ret("query-migrate")), self.t(T_UNRESOLVED), 0.05)
        st = st or q.ret("query-migrate")
        if st.get("status") != "unresolved":
            raise CaseFail(f"source migration {st.get('status')} ({st.get('error-desc')!r}), "
                           "expected unresolved")
        rs = q.ret("query-status")["status"]
        if rs != "postmigrate":
            raise CaseFail(f"unresolved source run state {rs}, expected postmigrate")
        for cmd, args in (("cont", None), ("migrate", {"uri": "tcp:127.0.0.1:9"}), ("migrate_cancel", None)):
            r = q.cmd(cmd, args)
            if "error" not in r:
                raise CaseFail(f"the unresolved source accepted {cmd}")
        log(f"  source unresolved: {st.get('error-desc')}")

    def resolve(self, q, where):
        q.ret("x-godwit-migrate-resolve", {"runs-on": where})
        st = q.ret("query-migrate")
        want = "completed" if where == "destination" else "failed"
        if st.get("status") != want:
            raise CaseFail(f"after runs-on={where} the source migration is {st.get('status')}, "
                           f"expected {want}")
        if where == "source" and not st.get("error-desc"):
            raise CaseFail("resolved runs-on=source without an error-desc")
        if where == "destination":
            rs = q.ret("query-status")["status"]
            if rs != "postmigrate":
                raise CaseFail(f"after runs-on=destination the source is {rs}, expected postmigrate")
            if "error" not in q.cmd("cont"):
                raise CaseFail("the source accepted cont after runs-on=destination")

    def dest_failed(self, dst, why_pat=None):
        """The destination exited 1 with the usual line and never ran the guest."""
        rc = dst.wait(self.t(T_DEST_EXIT))
        err = dst.stderr()
        if rc is None:
            raise CaseFail(f"destination still running {self.t(T_DEST_EXIT)} s later: {err[-200:]!r}")
        if self.heartbeats(dst.console()):
            raise CaseFail("the destination ran the guest (heartbeats on its console)")
        rep = miglib.sanitizer_report(err)
        if rep:
            raise CaseFail(f"destination: sanitizer report: {rep}")
        if rc != 1:
            raise CaseFail(f"destination exit status {rc}, expected 1 ({err[-300:]!r})")
        lines = [ln for ln in err.splitlines() if ln.startswith("godwit-vmm: migration failed: incoming: ")]
        if not lines:
            raise CaseFail(f"no 'migration failed: incoming:' line: {err[-300:]!r}")
        if why_pat and not re.search(why_pat, lines[0]):
            raise CaseFail(f"destination says {lines[0]!r}, expected /{why_pat}/")
        log(f"  destination: {lines[0]}")

    def commit_case(self, name):
        if name == "silent-netns":
            return self.netns_case()
        src = self.source()
        q = src.qmp
        if name == "silent-precopy":
            q.ret("migrate-set-parameters", {"downtime-limit": 0, "max-bandwidth": 0,
                                             "x-godwit-deadline": SILENT_DEADLINE_MS})
        else:
            q.ret("migrate-set-parameters", {"downtime-limit": 60000, "max-bandwidth": 0,
                                             "x-godwit-deadline": 120000})
        dst, port = self.new_dest(q)
        race = {}

        class R:
            def header(self_, proxy, direction, typ, length):
                if name.startswith("commit-"):
                    return direction == S2D and typ == COMMIT
                if name.startswith("running-"):
                    return direction == D2S and typ == RUNNING
                if name == "silent-precopy":
                    return direction == S2D and typ == RAM
                if name == "source-kill-precommit":
                    return direction == S2D and typ == DEVICES
                if name == "cancel-race-ack-before" and direction == D2S and typ == ACK:
                    race["reply"] = q.cmd("migrate_cancel")
                return False

            def after(self_, proxy, direction, typ, head):
                if name == "cancel-race-ack-after" and direction == D2S and typ == ACK:
                    race["reply"] = q.cmd("migrate_cancel")

        proxy = miglib.Proxy(port, R()).start()
        t0 = time.time()
        try:
            q.ret("migrate", {"uri": f"tcp:127.0.0.1:{proxy.port}"})
            if name.startswith("cancel-race"):
                return self.race_outcome(q, src, dst, race)
            if not proxy.reached.wait(self.t(T_PHASE)):
                st = q.ret("query-migrate")
                raise CaseFail(f"the {name} point was not reached (source {st.get('status')}: "
                               f"{st.get('error-desc')!r}, proxy {proxy.error}; destination "
                               f"{dst.stderr()[-200:]!r})")
            if name == "commit-hold":
                self.wait_unresolved(q)
                if self.runs(dst):
                    raise CaseFail("the destination runs the VM without a COMMIT")
                proxy.close()
                self.dest_failed(dst, r"before the commit")
                self.resolve(q, "source")
                self.check_one_place(src, dst, "source")
            elif name == "commit-hold-late":
                self.wait_unresolved(q)
                proxy.release()
                if not miglib.wait_for(lambda: self.runs(dst), self.t(10)):
                    raise CaseFail("the destination does not run the VM after the late COMMIT")
                self.resolve(q, "destination")
                self.check_one_place(src, dst, "destination")
            elif name == "commit-drop":
                proxy.drop()
                self.wait_unresolved(q)
                self.dest_failed(dst, r"before the commit")
                self.resolve(q, "source")
                self.check_one_place(src, dst, "source")
            elif name == "commit-corrupt":
                proxy.corrupt()
                self.wait_unresolved(q)
                self.dest_failed(dst, r"failed authentication")
                self.resolve(q, "source")
                self.check_one_place(src, dst, "source")
            elif name in ("running-cut", "running-silent"):
                if name == "running-cut":
                    proxy.close()
                else:
                    proxy.freeze()
                self.wait_unresolved(q)
                if not self.runs(dst):
                    raise CaseFail("the destination got COMMIT but does not run the VM")
                self.resolve(q, "destination")
                self.check_one_place(src, dst, "destination")
            elif name == "running-kill-dest":
                dst.kill(signal.SIGKILL)
                proxy.close()
                self.wait_unresolved(q)
                self.resolve(q, "source")
                self.check_one_place(src, dst, "source")
            elif name == "silent-precopy":
                proxy.freeze()
                st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("failed", "cancelled",
                                                                                 "completed") else None)(
                    q.ret("query-migrate")), self.t(SILENT_DEADLINE_MS / 1000 + 15), 0.1)
                if not st or st["status"] != "failed":
                    raise CaseFail(f"source after a silent link: {st or q.ret('query-migrate')}")
                log(f"  source: failed: {st.get('error-desc')}")
                if self.runs(dst):
                    raise CaseFail("the destination runs the VM")
                self.check_one_place(src, dst, "source")
                proxy.stop()  # the link comes back as resets: the destination gives up
                self.dest_failed(dst)
            elif name == "source-kill-precommit":
                src.kill(signal.SIGKILL)
                proxy.close()
                self.src = None
                self.dest_failed(dst)
                if self.runs(dst):
                    raise CaseFail("the destination runs the VM without a COMMIT")
            self.check_sanitizers(src, "source")
            log(f"  {name}: {time.time() - t0:.1f} s")
        finally:
            proxy.stop()
            dst.kill()

    def race_outcome(self, q, src, dst, race):
        st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("failed", "cancelled", "completed",
                                                                         "unresolved") else None)(
            q.ret("query-migrate")), self.t(T_PHASE), 0.05)
        if not st:
            raise CaseFail(f"no final status: {q.ret('query-migrate')}")
        reply = race.get("reply")
        if reply is None:
            raise CaseFail("the ACK never passed the proxy")
        log(f"  source: {st['status']} ({st.get('error-desc')}), migrate_cancel -> {reply}")
        if st["status"] == "cancelled":
            self.dest_failed(dst, r"aborted|gave up|closed")
            self.check_one_place(src, dst, "source")
        elif st["status"] == "completed":
            if "error" not in reply:
                raise CaseFail("completed although migrate_cancel was accepted")
            if q.ret("query-status")["status"] != "postmigrate":
                raise CaseFail(f"completed source is {q.ret('query-status')['status']}")
            self.check_one_place(src, dst, "destination")
        else:
            raise CaseFail(f"source {st['status']} ({st.get('error-desc')}), expected cancelled or completed")
        self.check_sanitizers(src, "source")

    def netns_case(self):
        """A real silent link (root): returns a SKIP reason or None."""
        if os.geteuid() != 0:
            return "needs root (network namespaces)"
        tag = f"{os.getpid() % 10000}"
        ns, vh, vd = f"gwf{tag}", f"gwfh{tag}", f"gwfd{tag}"
        net = f"10.{200 + os.getpid() % 50}.{os.getpid() % 250}"
        hip, dip = f"{net}.1", f"{net}.2"

        def ip(*args, check=True):
            r = subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=10)
            if check and r.returncode:
                raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
            return r

        src = self.source()
        q = src.qmp
        dst = None
        try:
            try:
                ip("netns", "add", ns)
                ip("link", "add", vh, "type", "veth", "peer", "name", vd)
                ip("link", "set", vd, "netns", ns)
                ip("addr", "add", f"{hip}/30", "dev", vh)
                ip("link", "set", vh, "up")
                ip("netns", "exec", ns, "ip", "addr", "add", f"{dip}/30", "dev", vd)
                ip("netns", "exec", ns, "ip", "link", "set", vd, "up")
                ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                return f"cannot set up a network namespace: {e}"
            q.ret("migrate-set-parameters", {"downtime-limit": 0, "max-bandwidth": 5 * 1000 * 1000,
                                             "x-godwit-deadline": SILENT_DEADLINE_MS})
            dst, port = self.new_dest(q, host=dip, prefix=["ip", "netns", "exec", ns])
            q.ret("migrate", {"uri": f"tcp:{dip}:{port}"})
            if not miglib.wait_for(lambda: q.ret("query-migrate").get("ram", {}).get("transferred", 0)
                                   > 2 << 20, self.t(20)):
                raise CaseFail(f"the migration does not get going: {q.ret('query-migrate')}")
            ip("netns", "exec", ns, "ip", "link", "set", vd, "down")  # packets vanish, no RST
            st = miglib.wait_for(lambda: (lambda s: s if s.get("status") in ("failed", "cancelled",
                                                                             "completed") else None)(
                q.ret("query-migrate")), self.t(SILENT_DEADLINE_MS / 1000 + 15), 0.1)
            if not st or st["status"] != "failed":
                raise CaseFail(f"source after the link went down: {st or q.ret('query-migrate')}")
            log(f"  source: failed: {st.get('error-desc')}")
            if self.runs(dst):
                raise CaseFail("the destination runs the VM")
            self.check_one_place(src, dst, "source")
            ip("netns", "exec", ns, "ip", "link", "set", vd, "up")  # the link heals
            self.dest_failed(dst)
            self.check_sanitizers(src, "source")
            return None
        finally:
            if dst:
                dst.kill()
            ip("link", "del", vh, check=False)
            ip("netns", "del", ns, check=False)

    # ---- success, then the source dies -----------------------------------

    def success_cases(self):
        """Yields (name, error or None)."""
        src = self.source()
        q = src.qmp
        q.ret("migrate-set-parameters", {"downtime-limit": 60000, "max-bandwidth": 25 * 1000 * 1000,
                                         "x-godwit-deadline": 120000})
        dst, port = self.new_dest(q, ["-S"])
        proxy = miglib.Proxy(port, None).start()
        try:
            dq = dst.qmp
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
    ap.add_argument("--smp", type=int, default=1,
                    help="harts of each VM (migtest runs them all: harts.c)")
    a = ap.parse_args()
    vmm = os.path.abspath(a.vmm)
    if not os.access(vmm, os.X_OK):
        print(f"PLAN 1 {a.label}\nFAIL {a.label}/setup: no VMM at {a.vmm}")
        return 1
    if not os.path.exists(os.path.join(miglib.ROOT, "build/guest/migtest.elf")):
        print(f"PLAN 1 {a.label}\nFAIL {a.label}/setup: build/guest/migtest.elf missing (make guests)")
        return 1
    slow = 2 if "asan" in vmm else 1
    only = re.compile(a.only) if a.only else None
    names = ([f"{p}-{x}" for p in PHASES for x in ACTIONS] + COMMIT_CASES + SUCCESS_CASES)
    names = [n for n in names if not only or only.search(n)]
    print(f"PLAN {len(names)} {a.label}", flush=True)
    tmp = tempfile.mkdtemp(prefix="godwit-faults-")
    h = Harness(vmm, a.label, tmp, slow, a.smp)
    failed = 0
    done = set()

    def report(name, err, skip=None):
        nonlocal failed
        done.add(name)
        if skip:
            print(f"SKIP {a.label}/{name}: {skip}", flush=True)
        elif err:
            failed += 1
            print(f"FAIL {a.label}/{name}: {err}", flush=True)
        else:
            print(f"PASS {a.label}/{name}", flush=True)

    def one(name, fn):
        log(f"{a.label}/{name}")
        t0 = time.time()
        try:
            skip = fn()
            report(name, None, skip)
        except CaseFail as e:
            report(name, str(e))
        except Exception as e:  # noqa: BLE001 - one broken case must not end the run
            report(name, f"{type(e).__name__}: {e}")
        log(f"  ({time.time() - t0:.1f} s)")

    try:
        for name in names:
            if name in SUCCESS_CASES:
                continue
            if name in COMMIT_CASES:
                one(name, lambda n=name: h.commit_case(n))
            else:
                phase, action = name.rsplit("-", 1)
                one(name, lambda p=phase, x=action: h.fault_case(p, x))
        if any(n in SUCCESS_CASES for n in names):
            log(f"{a.label}/committed")
            try:
                for name, err in h.success_cases():
                    if name in names:
                        report(name, err)
            except CaseFail as e:
                for n in SUCCESS_CASES:
                    if n in names and n not in done:
                        report(n, str(e))
            except Exception as e:  # noqa: BLE001
                for n in SUCCESS_CASES:
                    if n in names and n not in done:
                        report(n, f"{type(e).__name__}: {e}")
            for n in SUCCESS_CASES:
                if n in names and n not in done:
                    report(n, "not reached (the migration before it failed)")
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
