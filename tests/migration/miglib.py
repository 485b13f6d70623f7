"""miglib.py - shared pieces of the migration tests (faults.py, hostile.py,
tests/fuzz/make_corpus.py): the section framing of the migration stream
(src/migration/stream.h), its XXH3 checksum through the system's libxxhash
(ctypes, nothing to build), a QMP client, VMM processes whose console and
stderr go to files, and a section-aware TCP proxy that can hold, corrupt or
cut the stream at a chosen section and record what passes through.

Standard library only. Every wait is bounded.
"""
import ctypes
import ctypes.util
import json
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qmp as qmplib  # noqa: E402  (tests/lib/qmp.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# ---- the stream ---------------------------------------------------------

MAGIC = 0x314D5747
HDR = struct.Struct("<IHHIIQ")  # magic, type, version, length, seq, csum
HDR_SIZE = HDR.size  # 24
HELLO, ROM, RAM, ROUND, DEVICES, END, COMMIT, ABORT = 1, 2, 3, 4, 5, 6, 7, 8
WELCOME, ACK, ROUND_ACK = 0x81, 0x82, 0x83
SEC_NAMES = {HELLO: "hello", ROM: "rom", RAM: "ram", ROUND: "round", DEVICES: "devices",
             END: "end", COMMIT: "commit", ABORT: "abort", WELCOME: "welcome", ACK: "ack",
             ROUND_ACK: "round-ack"}
PAGE = 4096


def _load_xxhash():
    names = [ctypes.util.find_library("xxhash"), "libxxhash.so.0", "libxxhash.so"]
    for n in names:
        if not n:
            continue
        try:
            lib = ctypes.CDLL(n)
            f = lib.XXH3_64bits_withSeed
            f.restype = ctypes.c_uint64
            f.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint64]
            return f
        except (OSError, AttributeError):
            continue
    return None


_xxh3 = _load_xxhash()


def xxh3(data, seed=0):
    if _xxh3 is None:
        raise RuntimeError("libxxhash (XXH3_64bits_withSeed) not found")
    data = bytes(data)
    return _xxh3(data, len(data), seed)


def section(typ, payload, seq, version=1, magic=MAGIC, length=None):
    """One section with a correct checksum (length: override the field)."""
    payload = bytes(payload)
    ln = len(payload) if length is None else length
    head16 = struct.pack("<IHHII", magic, typ, version, ln, seq)
    csum = xxh3(payload, xxh3(head16))
    return head16 + struct.pack("<Q", csum) + payload


def parse_stream(data):
    """Split a byte stream into sections: list of dicts with type, version,
    seq, csum, payload, off (offset of the header). Stops at the first
    incomplete or foreign section."""
    out, off = [], 0
    while off + HDR_SIZE <= len(data):
        magic, typ, ver, ln, seq, csum = HDR.unpack_from(data, off)
        if magic != MAGIC or off + HDR_SIZE + ln > len(data):
            break
        out.append({"type": typ, "version": ver, "seq": seq, "csum": csum, "off": off,
                    "payload": bytes(data[off + HDR_SIZE:off + HDR_SIZE + ln])})
        off += HDR_SIZE + ln
    return out


def build_stream(sections, first_seq=0):
    """Serialise [(type, payload[, version])] with seq numbers and checksums."""
    out = bytearray()
    for i, s in enumerate(sections):
        ver = s[2] if len(s) > 2 else 1
        out += section(s[0], s[1], first_seq + i, ver)
    return bytes(out)


# ---- processes ----------------------------------------------------------

SAN_PATTERNS = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
                          r"SUMMARY: UndefinedBehaviorSanitizer|AddressSanitizer:DEADLYSIGNAL")


def sanitizer_report(text):
    """The first line of a sanitizer report in text, or None."""
    for line in text.splitlines():
        if SAN_PATTERNS.search(line):
            return line.strip()
    return None


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class QMP:
    """One QMP connection; cmd() is safe to call from several threads."""

    def __init__(self, path, timeout=15):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = [""]
        self.lock = threading.Lock()
        qmplib.read_obj(self.sock, self.buf, time.time() + 10)
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        c = {"execute": name}
        if args is not None:
            c["arguments"] = args
        with self.lock:
            self.sock.sendall(json.dumps(c).encode())
            return qmplib.reply(self.sock, self.buf)

    def ret(self, name, args=None):
        r = self.cmd(name, args)
        if "error" in r:
            raise RuntimeError(f"QMP {name}: {r['error'].get('desc', r['error'])}")
        return r["return"]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class VM:
    """A godwit-vmm process; console (stdout) and stderr go to files."""

    def __init__(self, binary, args, workdir, name, env=None):
        self.name = name
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        self.qmp_path = os.path.join(workdir, name + ".qmp")
        self.argv = [binary] + list(args) + ["-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        e = dict(os.environ)
        if env:
            e.update(env)
        with open(self.out_path, "wb") as o, open(self.err_path, "wb") as er:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=o,
                                         stderr=er, env=e)
        self.qmp = None
        self.rc = None

    def connect(self, timeout=15):
        self.qmp = QMP(self.qmp_path, timeout)
        return self.qmp

    def console(self):
        try:
            with open(self.out_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def stderr(self):
        try:
            with open(self.err_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def wait(self, timeout):
        try:
            self.rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.rc

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self.qmp:
            self.qmp.close()
            self.qmp = None


def wait_for(pred, timeout, step=0.05):
    """Poll pred() until it returns a true value or timeout seconds pass."""
    deadline = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() > deadline:
            return v
        time.sleep(step)


# ---- the proxy ----------------------------------------------------------

S2D, D2S = "s2d", "d2s"


class Proxy:
    """A TCP proxy between a migration source and destination that parses
    sections in both directions.

    rule: an object with optional methods
        header(proxy, direction, type, length) -> bool   hold before this section?
        after(proxy, direction, type, payload_head)      after a section passed
    The first header() that returns True stops that direction before the
    section's header is forwarded: `reached` is set, `hit` = (direction,
    type, length), and the direction waits for a command from the test:
        release()        forward it unchanged and go on
        corrupt(offset)  forward it with payload byte offset inverted (offset
                         None: the middle; a payload of 0 bytes: the checksum)
        close()          drop it and close both connections (a cut)
    A direction that sees EOF passes it on (FIN); an error on either socket
    closes both, as a dying TCP connection would. record=True keeps every
    byte forwarded in each direction in proxy.data[direction].
    """

    def __init__(self, dest_port, rule=None, record=False, dest_host="127.0.0.1"):
        self.dest = (dest_host, dest_port)
        self.rule = rule
        self.record = record
        self.data = {S2D: bytearray(), D2S: bytearray()}
        self.sections = {S2D: [], D2S: []}
        self.rounds = 0
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.reached = threading.Event()
        self.done = threading.Event()
        self.hit = None
        self.fired = False
        self.cmds = queue.Queue()
        self.lock = threading.Lock()
        self.socks = []
        self.closed = False
        self.eof = {S2D: False, D2S: False}
        self.error = None
        self.corrupted = None
        self.threads = []
        self.main = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.main.start()
        return self

    # commands from the test, for a held direction
    def release(self):
        self.cmds.put(("release",))

    def corrupt(self, offset=None):
        self.cmds.put(("corrupt", offset))

    def close(self):
        self.cmds.put(("close",))
        self._close_all()

    def stop(self, timeout=5):
        """End everything (test cleanup)."""
        self.cmds.put(("close",))
        self._close_all()
        try:
            self.lsock.close()
        except OSError:
            pass
        for t in [self.main] + self.threads:
            if t.is_alive():
                t.join(timeout)

    def _close_all(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
            for s in self.socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    s.close()
                except OSError:
                    pass

    def _run(self):
        try:
            self.lsock.settimeout(60)
            src, _ = self.lsock.accept()
        except OSError as e:
            self.error = f"no connection from the source: {e}"
            self.done.set()
            return
        finally:
            try:
                self.lsock.close()
            except OSError:
                pass
        dst = None
        deadline = time.time() + 15
        while dst is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.connect(self.dest)
                dst = s
            except OSError as e:
                s.close()
                if time.time() > deadline:
                    self.error = f"cannot connect to the destination: {e}"
                    src.close()
                    self.done.set()
                    return
                time.sleep(0.02)
        for s in (src, dst):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.lock:
            self.socks = [src, dst]
            if self.closed:  # stop() came first
                src.close()
                dst.close()
                self.done.set()
                return
        self.threads = [threading.Thread(target=self._pump, args=(S2D, src, dst), daemon=True),
                        threading.Thread(target=self._pump, args=(D2S, dst, src), daemon=True)]
        for t in self.threads:
            t.start()
        for t in self.threads:
            t.join()
        self._close_all()
        self.done.set()

    @staticmethod
    def _recv_exact(sock, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                break
            buf += chunk
        return bytes(buf)

    def _send(self, direction, sock, data):
        sock.sendall(data)
        if self.record:
            self.data[direction] += data

    def _pump(self, direction, src, dst):
        try:
            self._pump_sections(direction, src, dst)
        except OSError:
            self._close_all()  # a reset on one side resets the other

    def _eof(self, direction, dst):
        self.eof[direction] = True
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if all(self.eof.values()):
            self._close_all()

    def _pump_sections(self, direction, src, dst):
        raw = False
        while True:
            if raw:
                chunk = src.recv(1 << 20)
                if not chunk:
                    return self._eof(direction, dst)
                self._send(direction, dst, chunk)
                continue
            head = self._recv_exact(src, HDR_SIZE)
            if len(head) < HDR_SIZE:
                if head:
                    self._send(direction, dst, head)
                return self._eof(direction, dst)
            magic, typ, ver, length, seq, csum = HDR.unpack(head)
            if magic != MAGIC:  # not a section: pass the rest through as it is
                self._send(direction, dst, head)
                raw = True
                continue
            flip = None
            rule_header = getattr(self.rule, "header", None)
            if not self.fired and rule_header and rule_header(self, direction, typ, length):
                self.fired = True
                self.hit = (direction, typ, length)
                self.reached.set()
                cmd = self.cmds.get()
                if cmd[0] == "close" or self.closed:
                    self._close_all()
                    return
                if cmd[0] == "corrupt":
                    flip = cmd[1] if cmd[1] is not None else length // 2
                    if length == 0:
                        flip = -1  # no payload: the checksum field instead
                    else:
                        flip = min(max(flip, 0), length - 1)
                    self.corrupted = (direction, typ, flip)
            if flip == -1:
                head = head[:16] + bytes([head[16] ^ 0xFF]) + head[17:]
            self._send(direction, dst, head)
            self.sections[direction].append((typ, length))
            left, pos, first = length, 0, b""
            while left:
                chunk = src.recv(min(left, 1 << 20))
                if not chunk:
                    return self._eof(direction, dst)
                if flip is not None and flip >= 0 and pos <= flip < pos + len(chunk):
                    b = bytearray(chunk)
                    b[flip - pos] ^= 0xFF
                    chunk = bytes(b)
                if len(first) < 64:
                    first += chunk[:64 - len(first)]
                self._send(direction, dst, chunk)
                pos += len(chunk)
                left -= len(chunk)
            if direction == S2D and typ == ROUND:
                self.rounds += 1
            rule_after = getattr(self.rule, "after", None)
            if rule_after:
                rule_after(self, direction, typ, first)
