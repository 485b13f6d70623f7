#!/usr/bin/env python3
"""converge.py VMM [LABEL] - a guest that dirties memory faster than the
link can move it: with auto-converge the source throttles its vCPU (and
says so in query-migrate) until the migration completes; without it, the
deadline ends the attempt cleanly, the VM keeps running on the source and
the destination exits with a clear error.

Guest: build/guest/migtest.elf with rate=20000 (MB/s of wall time: far
more than this interpreter can touch, so the guest dirties as fast as its
vCPU runs). Prints "PLAN N LABEL" first, then "PASS LABEL/name" or
"FAIL LABEL/name: why" per case.
Every wait is bounded; every process started here is killed at the end.
"""
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import qmp as qmplib  # noqa: E402

GUEST = "build/guest/migtest.elf"


class Qmp:
    def __init__(self, path):
        deadline = time.time() + 10
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = [""]
        qmplib.read_obj(self.s, self.buf, time.time() + 10)
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        c = {"execute": name}
        if args is not None:
            c["arguments"] = args
        self.s.sendall(json.dumps(c).encode())
        return qmplib.reply(self.s, self.buf)


def start(vmm, tmp, name, extra):
    sock = os.path.join(tmp, name + ".sock")
    out = open(os.path.join(tmp, name + ".out"), "w")
    p = subprocess.Popen([vmm, "-M", "virt", "-m", "64", "-bios", "none", "-nographic",
                          "-kernel", GUEST, "-append", "fill=random rate=20000 verify=1",
                          "-qmp", f"unix:{sock},server=on,wait=off"] + extra,
                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    return p, sock, os.path.join(tmp, name + ".out")


def wait_for(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return None


def text(path):
    with open(path, errors="replace") as f:
        return f.read()


def beats(path):
    m = re.findall(r"^hb (\d+) ", text(path), re.M)
    return int(m[-1]) if m else 0


def case(vmm, label, tmp, name, auto, deadline_ms, procs):
    port = random.randint(20000, 40000)
    src, ssock, sout = start(vmm, tmp, name + "-src", [])
    dst, dsock, dout = start(vmm, tmp, name + "-dst", ["-incoming", f"tcp:127.0.0.1:{port}"])
    procs += [src, dst]
    if not wait_for(lambda: "migtest ready" in text(sout), 60):
        return f"FAIL {label}/{name}: the guest did not start"
    q = Qmp(ssock)
    key = os.urandom(32).hex()  # this migration's key, on both sides
    dq = Qmp(dsock)
    r = dq.cmd("migrate-set-parameters", {"x-godwit-key": key})
    if "error" in r:
        return f"FAIL {label}/{name}: destination key: {r['error']['desc']}"
    params = {"x-godwit-key": key, "x-godwit-deadline": deadline_ms, "downtime-limit": 5}
    if not auto:
        # a capped link: the guest out-dirties it even when its vCPU gets
        # little CPU (an ASan build on a loaded machine converged once on
        # the uncapped loopback)
        params["max-bandwidth"] = 16 << 20
    q.cmd("migrate-set-parameters", params)
    q.cmd("migrate-set-capabilities",
          {"capabilities": [{"capability": "auto-converge", "state": auto}]})
    r = q.cmd("migrate", {"uri": f"tcp:127.0.0.1:{port}"})
    if "error" in r:
        return f"FAIL {label}/{name}: migrate: {r['error']['desc']}"
    throttle = 0
    info = {}
    end = time.time() + deadline_ms / 1000 + 30
    while time.time() < end:
        info = q.cmd("query-migrate")["return"]
        throttle = max(throttle, info.get("cpu-throttle-percentage", 0))
        if info.get("status") in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.1)
    st = info.get("status")
    if auto:
        if st != "completed":
            return f"FAIL {label}/{name}: status {st}: {info.get('error-desc')}"
        if throttle <= 0:
            return f"FAIL {label}/{name}: completed but no throttle was reported"
        b = beats(dout)
        if not wait_for(lambda: beats(dout) > b + 1, 15) or "verify FAIL" in text(dout):
            return f"FAIL {label}/{name}: the guest did not go on cleanly on the destination"
        return (f"PASS {label}/{name}: throttled up to {throttle}%, completed in "
                f"{info.get('total-time')} ms, downtime {info.get('downtime')} ms")
    if st != "failed" or "deadline" not in (info.get("error-desc") or ""):
        return f"FAIL {label}/{name}: expected a deadline failure, got {st}: {info.get('error-desc')}"
    run = q.cmd("query-status")["return"]
    b = beats(sout)
    if run.get("status") != "running" or not wait_for(lambda: beats(sout) > b + 1, 15):
        return f"FAIL {label}/{name}: the source VM is not running on: {run}"
    try:
        rc = dst.wait(15)
    except subprocess.TimeoutExpired:
        return f"FAIL {label}/{name}: the destination did not exit"
    if rc != 1 or "migration failed" not in text(dout):
        return f"FAIL {label}/{name}: destination exit {rc} without a clear error"
    return f"PASS {label}/{name}: {info.get('error-desc')}"


def main():
    vmm = sys.argv[1] if len(sys.argv) > 1 else "build/godwit-vmm"
    label = sys.argv[2] if len(sys.argv) > 2 else "migration-converge"
    procs = []
    only_deadline = bool(os.environ.get("CONVERGE_ONLY_DEADLINE"))
    print(f"PLAN {1 if only_deadline else 2} {label}", flush=True)
    with tempfile.TemporaryDirectory(dir=os.environ.get("CONVERGE_TMP")) as tmp:
        try:
            if not only_deadline:
                print(case(vmm, label, tmp, "auto-converge", True, 60000, procs), flush=True)
            print(case(vmm, label, tmp, "deadline", False, 4000, procs), flush=True)
            if os.environ.get("CONVERGE_TMP"):
                subprocess.run(["cp", "-r", tmp, "/tmp/smoke/conv"])
        except (OSError, ValueError, KeyError) as e:
            print(f"FAIL {label}: {e}")
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
