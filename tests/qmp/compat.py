#!/usr/bin/env python3
"""compat.py - one QMP session, byte for byte, against QEMU and godwit-vmm.

Usage: tests/qmp/compat.py [--qemu PROG] [--label NAME] VMM

Starts QEMU (qemu-system-riscv64, the peer) and VMM (build/godwit-vmm) on
an idle guest (a raw 'wfi; j .' image written here) with
    -M virt -m 128M -bios none -kernel IMG -qmp unix:SOCK,server=on,wait=off
sends both the same steps and compares what comes back. A tool that works
with one must work with the other, so the comparison is strict except for
what may legitimately differ, which is normalised first:
  - event timestamps (checked for shape, then dropped);
  - the version numbers and package in the greeting and query-version;
  - the capabilities offered (QEMU offers "oob", godwit none);
  - the text after "JSON parse error" (each parser words it its own way);
  - query-commands: godwit's list must be a subset of QEMU's;
  - the order of an event and the reply of the command that caused it
    (replies must be in the same order; events the same set).
Prints "PLAN N label" (the number of steps) first, then "PASS label/step"
or "FAIL label/step: why" for every step, like tests/run.sh's suites. Needs only python3's standard library.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

QUIET_S = 0.25      # a step's output is complete after this long without data
STEP_MAX_S = 3.0    # and never takes longer than this

# (name, [chunks]): chunks are sent one after the other, 50 ms apart
STEPS = [
    ("greeting", []),
    ("gate-query-status", [b'{"execute": "query-status", "id": 1}']),
    ("gate-unknown", [b'{"execute": "no-such-command"}']),
    ("gate-parse-error", [b'{"execute": }']),
    ("gate-bad-enable", [b'{"execute": "qmp_capabilities", "arguments": {"enable": "oob"}}']),
    ("gate-bad-arg", [b'{"execute": "qmp_capabilities", "arguments": {"x": 1}}']),
    ("qmp_capabilities", [b'{"execute": "qmp_capabilities", "id": "cap"}\r\n']),
    ("qmp_capabilities-again", [b'{"execute": "qmp_capabilities"}']),
    ("qmp_capabilities-again-oob",
     [b'{"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}, "id": 17}']),
    ("query-status", [b'{"execute": "query-status", "id": 2}']),
    ("query-version", [b'{"execute": "query-version"}']),
    ("query-commands", [b'{"execute": "query-commands", "id": "c"}']),
    ("stop", [b'{"execute": "stop", "id": 3}']),
    ("query-status-paused", [b'{"execute": "query-status"}']),
    ("stop-again", [b'{"execute": "stop", "id": 4}']),
    ("cont", [b'{"execute": "cont", "id": 5}']),
    ("cont-again", [b'{"execute": "cont", "id": 6}']),
    ("system_powerdown", [b'{"execute": "system_powerdown", "id": 7}']),
    ("unknown-command", [b'{"execute": "nope", "id": {"a": [1, null]}}']),
    ("non-object-array", [b'[1, 2]']),
    ("non-object-number", [b'42 ']),
    ("non-object-string", [b'"str"']),
    ("execute-not-string", [b'{"execute": 1}']),
    ("arguments-not-object", [b'{"execute": "stop", "arguments": []}']),
    ("unexpected-member", [b'{"execute": "stop", "foo": 1}']),
    ("lacks-execute", [b'{"arguments": {}}']),
    ("exec-oob", [b'{"exec-oob": "query-status", "id": 8}']),
    ("unexpected-parameter", [b'{"execute": "stop", "arguments": {"x": 1}, "id": 9}']),
    ("two-in-one-write",
     [b'{"execute": "query-status", "id": 10}{"execute": "query-version", "id": 11}\n']),
    ("split-command", [b'{"execute": "query-st', b'atus", "id": 12}']),
    ("split-in-escape", [b'{"execute": "query-status", "id": "\\u00', b'e9"}']),
    ("split-in-number", [b'{"execute": "query-status", "id": -', b'1}']),
    ("byte-by-byte", [bytes([b]) for b in b'{"execute":"query-status","id":13}']),
    ("parse-error-garbage", [b'{"execute": "query-status" garbage}\n']),
    ("parse-error-closer", [b'}']),
    ("parse-error-duplicate", [b'{"execute": "query-status", "execute": "stop"}']),
    ("resync-ff", [b'{"execute": "query-st\xff{"execute": "query-status", "id": 14}']),
    ("stray-control", [b'{"execute": "query-status", "id": "a\x01b"}{"execute": "query-status", "id": 15}']),
    ("single-quotes", [b"{'execute': 'query-status', 'id': 'it\\'s \"q\"'}"]),
    ("id-null", [b'{"execute": "query-status", "id": null}']),
    ("id-unicode", [b'{"execute": "query-status", "id": "caf\xc3\xa9 \\u00e9"}']),
    ("quit", [b'{"execute": "quit", "id": "bye"}']),
]


def guest_image(path):
    # wfi; j . -- an idle guest for both
    with open(path, "wb") as f:
        f.write((0x10500073).to_bytes(4, "little") + (0xffdff06f).to_bytes(4, "little"))


class Session:
    def __init__(self, argv, sock_path):
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        deadline = time.time() + 10
        self.sock = None
        while time.time() < deadline and self.proc.poll() is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sock_path)
                self.sock = s
                break
            except OSError:
                s.close()
                time.sleep(0.05)
        if not self.sock:
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
            self.close()
            raise RuntimeError("no QMP socket: %s" % (err.strip().splitlines() or ["timeout"])[-1])
        self.sock.settimeout(0.02)
        self.buf = b""
        self.eof = False

    def send(self, chunk):
        try:
            self.sock.sendall(chunk)
        except OSError:
            self.eof = True

    def read(self):
        """Read what is there; True if anything came."""
        if self.eof:
            return False
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def lines(self):
        msgs = []
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            msgs.append(line)
        return msgs

    def close(self):
        if self.sock:
            self.sock.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def check_line(raw):
    """A server line: CRLF-terminated ASCII JSON object. Returns it or raises."""
    if not raw.endswith(b"\r"):
        raise ValueError("line not terminated by CRLF: %r" % raw[:80])
    if any(b > 0x7e or b < 0x20 for b in raw[:-1]):
        raise ValueError("non-ASCII byte in %r" % raw[:80])
    msg = json.loads(raw[:-1])
    if not isinstance(msg, dict):
        raise ValueError("not an object: %r" % raw[:80])
    return msg


def normalise(msg, commands):
    m = dict(msg)
    if "timestamp" in m:
        ts = m.pop("timestamp")
        if set(ts) != {"seconds", "microseconds"} or not all(isinstance(v, int) for v in ts.values()):
            raise ValueError("bad timestamp %r" % ts)
    if "QMP" in m:
        q = dict(m["QMP"])
        if set(q) != {"version", "capabilities"} or not isinstance(q["capabilities"], list):
            raise ValueError("bad greeting %r" % m)
        q["version"] = "VERSION"
        q["capabilities"] = "CAPABILITIES"
        m["QMP"] = q
    ret = m.get("return")
    if isinstance(ret, dict) and set(ret) == {"qemu", "package"}:
        m["return"] = "VERSION"
    if isinstance(ret, list) and ret and all(isinstance(x, dict) and set(x) == {"name"} for x in ret):
        commands.append({x["name"] for x in ret})
        m["return"] = "COMMANDS"
    err = m.get("error")
    if isinstance(err, dict) and str(err.get("desc", "")).startswith("JSON parse error"):
        m["error"] = dict(err, desc="JSON parse error, ...")
    return m


def split(msgs, commands):
    replies, events = [], []
    for raw in msgs:
        m = normalise(check_line(raw), commands)
        (events if "event" in m else replies).append(json.dumps(m, sort_keys=True))
    return replies, sorted(events)


def own(names):
    """godwit's command set without its own namespaced extensions (x-godwit-*,
    e.g. x-godwit-migrate-resolve): every other command must be QEMU's."""
    return {n for n in names if not n.startswith("x-godwit-")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vmm")
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--label", default="qmp-compat")
    args = ap.parse_args()
    label = args.label
    if not shutil.which(args.qemu):
        print("PLAN 1 %s" % label)
        print("SKIP %s: %s not installed" % (label, args.qemu))
        return 0
    print("PLAN %d %s" % (len(STEPS), label), flush=True)
    tmp = tempfile.mkdtemp(prefix="godwit-qmp-compat-")
    img = os.path.join(tmp, "idle.bin")
    guest_image(img)
    common = ["-M", "virt", "-m", "128M", "-bios", "none", "-kernel", img]
    sessions = {}
    failed = 0
    try:
        for name, argv, extra in (("qemu", [args.qemu], ["-display", "none", "-serial", "null",
                                                         "-monitor", "none"]),
                                  ("godwit", [args.vmm], ["-nographic"])):
            sock = os.path.join(tmp, name + ".sock")
            try:
                sessions[name] = Session(argv + common + extra +
                                         ["-qmp", "unix:%s,server=on,wait=off" % sock], sock)
            except (RuntimeError, OSError) as e:
                print("FAIL %s/start-%s: %s" % (label, name, e))
                for step, _ in STEPS:  # every declared case gets its line
                    print("FAIL %s/%s: %s did not start" % (label, step, name))
                return 1
        for step, chunks in STEPS:
            out = {}
            commands = {}
            for i, c in enumerate(chunks):  # both in step
                if i:
                    time.sleep(0.05)
                for s in sessions.values():
                    s.send(c)
            last = start = time.time()
            while time.time() - last < QUIET_S and time.time() - start < STEP_MAX_S:
                if any([s.read() for s in sessions.values()]):
                    last = time.time()
            try:
                for name, s in sessions.items():
                    commands[name] = []
                    out[name] = split(s.lines(), commands[name]) + (s.eof,)
            except ValueError as e:
                print("FAIL %s/%s: %s sent %s" % (label, step, name, e))
                failed += 1
                continue
            q, g = out["qemu"], out["godwit"]
            why = None
            if q[0] != g[0]:
                why = "replies differ:\n    qemu:   %s\n    godwit: %s" % (q[0], g[0])
            elif q[1] != g[1]:
                why = "events differ:\n    qemu:   %s\n    godwit: %s" % (q[1], g[1])
            elif q[2] != g[2]:
                why = "connection %s on qemu, %s on godwit" % (
                    "closed" if q[2] else "open", "closed" if g[2] else "open")
            elif commands["godwit"] and not own(commands["godwit"][0]) <= commands["qemu"][0]:
                why = "commands QEMU lacks: %s" % sorted(own(commands["godwit"][0]) - commands["qemu"][0])
            if why:
                print("FAIL %s/%s: %s" % (label, step, why))
                failed += 1
            else:
                print("PASS %s/%s" % (label, step))
    finally:
        for s in sessions.values():
            s.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
