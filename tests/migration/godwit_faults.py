#!/usr/bin/env python3
"""godwit_faults.py VMM [--label L] [--only PAT] [--keep] - `godwit migrate`
(build/godwit, next to VMM's build directory) between two godwit-vmm under
the faults of the commit and the window after it (faults.py's proxy and
checks):

  control            no fault: exit 0, "status: completed", the destination
                     runs the VM
  commit-drop        COMMIT dropped, the link cut: the source is unresolved,
                     the destination exits 1 without running the VM; the tool
                     resolves runs-on=source: exit 3, the source runs
  commit-corrupt     COMMIT with a flipped bit: the same
  running-cut        RUNNING held, then the link cut: the destination runs the
                     VM; the tool resolves runs-on=destination: exit 3
  running-kill-dest  RUNNING held, the destination SIGKILLed: exit 3 (the tool
                     resumed the source) or 4 (it could not tell: the source is
                     left paused, and the test resolves runs-on=source)

After each: the exit status, a "godwit migrate: " line on stderr that says
where the VM runs (exit 3/4), "status: completed" on stdout only when the
destination runs the VM, and the VM running in exactly one place with its
guest verifying its memory there.

Prints "PLAN <n> <label>" first, then PASS/FAIL lines; exits 1 if any failed.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import miglib  # noqa: E402
from miglib import S2D, D2S, COMMIT, RUNNING  # noqa: E402

CASES = ["control", "commit-drop", "commit-corrupt", "running-cut", "running-kill-dest"]
T_TOOL = 90  # the tool's own waits: 10 s confirmation, up to 45 s for the destination's fate


class CaseFail(faults.CaseFail):
    pass


def run_case(h, tool, name):
    src = h.source()
    q = src.qmp
    q.ret("migrate-set-parameters", {"downtime-limit": 60000, "max-bandwidth": 0, "x-godwit-deadline": 120000})
    dst, port = h.new_dest()  # no key: the tool makes one

    class R:
        def header(self, proxy, direction, typ, length):
            if name.startswith("commit-"):
                return direction == S2D and typ == COMMIT
            if name.startswith("running-"):
                return direction == D2S and typ == RUNNING
            return False

    proxy = miglib.Proxy(port, R()).start()
    tool_p = None
    try:
        dst.connect(h.t(15))
        tool_p = subprocess.Popen([tool, "migrate", "--from", src.qmp_path, "--to", dst.qmp_path,
                                   "--uri", f"tcp:127.0.0.1:{proxy.port}", "--quiet"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if name != "control":
            if not proxy.reached.wait(h.t(60)):
                raise CaseFail(f"the {name} point was not reached ({proxy.error})")
            if name == "commit-drop":
                proxy.drop()
            elif name == "commit-corrupt":
                proxy.corrupt()
            elif name == "running-cut":
                proxy.close()
            elif name == "running-kill-dest":
                dst.kill(signal.SIGKILL)
                proxy.close()
        try:
            out, err = tool_p.communicate(timeout=h.t(T_TOOL))
        except subprocess.TimeoutExpired:
            tool_p.kill()
            out, err = tool_p.communicate()
            raise CaseFail(f"godwit migrate still runs after {h.t(T_TOOL)} s: {err[-300:]!r}")
        rc = tool_p.returncode
        faults.log(f"  godwit migrate: exit {rc}; stdout {out.strip()[:200]!r}; stderr {err.strip()[-300:]!r}")
        completed_line = re.search(r"^status: completed", out, re.M)
        dest_runs = faults.Harness.runs(dst)
        if completed_line and not dest_runs:
            raise CaseFail("the tool printed 'status: completed' but the destination does not run the VM")
        lines = [ln for ln in err.splitlines() if ln.startswith("godwit migrate: ")]
        if name == "control":
            if rc != 0 or not completed_line:
                raise CaseFail(f"exit {rc}, expected 0 with 'status: completed' ({err[-300:]!r})")
            h.check_one_place(src, dst, "destination")
        elif name in ("commit-drop", "commit-corrupt"):
            if rc != 3:
                raise CaseFail(f"exit {rc}, expected 3 ({err[-300:]!r})")
            if not any(re.search(r"needed resolving.*runs on the source", ln) for ln in lines):
                raise CaseFail(f"no 'needed resolving ... runs on the source' line: {lines}")
            h.dest_failed(dst)
            h.check_one_place(src, dst, "source")
        elif name == "running-cut":
            if rc != 3:
                raise CaseFail(f"exit {rc}, expected 3 ({err[-300:]!r})")
            if not any(re.search(r"needed resolving.*runs on the destination", ln) for ln in lines):
                raise CaseFail(f"no 'needed resolving ... runs on the destination' line: {lines}")
            h.check_one_place(src, dst, "destination")
        elif name == "running-kill-dest":
            if rc == 3:
                if not any(re.search(r"runs on the source", ln) for ln in lines):
                    raise CaseFail(f"exit 3 without 'runs on the source': {lines}")
            elif rc == 4:
                if q.ret("query-migrate").get("status") != "unresolved" or \
                        q.ret("query-status")["status"] != "postmigrate":
                    raise CaseFail(f"exit 4 but the source is {q.ret('query-migrate').get('status')} / "
                                   f"{q.ret('query-status')['status']}")
                if not lines:
                    raise CaseFail("exit 4 without a 'godwit migrate: ' line")
                h.resolve(q, "source")  # the test knows: it killed the destination
            else:
                raise CaseFail(f"exit {rc}, expected 3 or 4 ({err[-300:]!r})")
            h.check_one_place(src, dst, "source")
        h.check_sanitizers(src, "source")
    finally:
        if tool_p and tool_p.poll() is None:
            tool_p.kill()
            tool_p.wait(5)
        proxy.stop()
        dst.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vmm")
    ap.add_argument("--label", default="migration-godwit-faults")
    ap.add_argument("--only", default=None)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    vmm = os.path.abspath(a.vmm)
    tool = os.path.join(os.path.dirname(vmm), "godwit")
    names = [n for n in CASES if not a.only or re.search(a.only, n)]
    print(f"PLAN {len(names)} {a.label}", flush=True)
    if not os.access(vmm, os.X_OK) or not os.access(tool, os.X_OK):
        for n in names:
            print(f"FAIL {a.label}/{n}: no VMM at {vmm} or no tool at {tool}")
        return 1
    slow = 2 if "asan" in vmm else 1
    tmp = tempfile.mkdtemp(prefix="godwit-gfaults-")
    h = faults.Harness(vmm, a.label, tmp, slow)
    failed = 0
    try:
        for n in names:
            faults.log(f"{a.label}/{n}")
            t0 = time.time()
            try:
                run_case(h, tool, n)
                print(f"PASS {a.label}/{n}", flush=True)
            except faults.CaseFail as e:
                failed += 1
                print(f"FAIL {a.label}/{n}: {e}", flush=True)
            except Exception as e:  # noqa: BLE001
                failed += 1
                print(f"FAIL {a.label}/{n}: {type(e).__name__}: {e}", flush=True)
            faults.log(f"  ({time.time() - t0:.1f} s)")
    finally:
        if h.src:
            h.src.kill()
        if a.keep or failed:
            faults.log(f"(logs kept in {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
