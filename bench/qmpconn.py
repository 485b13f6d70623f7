"""bench/qmpconn.py - a persistent QMP connection for benchmarks.

One QMPConn per VMM: connects to its QMP unix socket (retrying until the
socket appears, bounded), negotiates capabilities, runs commands, and keeps a
reader thread that stamps every message with the host CLOCK_MONOTONIC time
of its receipt (time.monotonic()), so events from several VMMs can be
compared on one clock. Parsing reuses read_obj() from tests/lib/qmp.py.
Standard library only.

    c = QMPConn("/tmp/x.qmp", name="src")
    c.execute("query-status")            # -> the "return" value
    c.execute("migrate", {"uri": ...})   # raises QMPError on an error reply
    t = c.wait_event("STOP", timeout=5)  # -> receipt time, or None
    c.close()
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
import qmp as _qmp  # noqa: E402  (tests/lib/qmp.py)


class QMPError(Exception):
    pass


class QMPConn:
    def __init__(self, path, name="vm", connect_timeout=15.0):
        self.name = name
        self.path = path
        self.events = []  # (receipt time, event name, data)
        self._replies = []
        self._cv = threading.Condition()
        self._closed = False
        self._sock = None
        deadline = time.monotonic() + connect_timeout
        while True:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                self._sock = s
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise QMPError(f"{name}: cannot connect to {path}")
                time.sleep(0.02)
        self._buf = [""]
        # the greeting, read synchronously before the reader thread starts
        self.greeting = _qmp.read_obj(self._sock, self._buf, time.time() + 10)
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name=f"qmp-{name}")
        self._reader.start()
        self.execute("qmp_capabilities")

    def _read_loop(self):
        while True:
            try:
                # a deadline far away: read_obj raises TimeoutError only then
                obj = _qmp.read_obj(self._sock, self._buf, time.time() + 1e6)
            except (OSError, ValueError, ConnectionError, TimeoutError):
                break
            t = time.monotonic()
            with self._cv:
                if "event" in obj:
                    self.events.append((t, obj["event"], obj.get("data", {})))
                else:
                    self._replies.append(obj)
                self._cv.notify_all()
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def execute(self, cmd, args=None, timeout=10.0):
        """Runs cmd; returns its "return" value or raises QMPError."""
        msg = {"execute": cmd}
        if args is not None:
            msg["arguments"] = args
        with self._cv:
            if self._closed:
                raise QMPError(f"{self.name}: connection closed")
            self._replies.clear()
        self._sock.sendall(json.dumps(msg).encode())
        deadline = time.monotonic() + timeout
        with self._cv:
            while not self._replies:
                left = deadline - time.monotonic()
                if self._closed:
                    raise QMPError(f"{self.name}: connection closed during {cmd}")
                if left <= 0:
                    raise QMPError(f"{self.name}: no reply to {cmd} in {timeout:.0f} s")
                self._cv.wait(left)
            r = self._replies.pop(0)
        if "error" in r:
            raise QMPError(f"{self.name}: {cmd}: {r['error'].get('desc', r['error'])}")
        return r.get("return")

    def event_time(self, name, after=0.0):
        """Receipt time of the first event `name` received after `after`."""
        with self._cv:
            for t, ev, _ in self.events:
                if ev == name and t >= after:
                    return t
        return None

    def wait_event(self, name, timeout, after=0.0):
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for t, ev, _ in self.events:
                    if ev == name and t >= after:
                        return t
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return None
                self._cv.wait(left)

    def close(self):
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._reader.join(timeout=2)
