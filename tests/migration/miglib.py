"""miglib.py - shared pieces of the migration tests (faults.py, hostile.py,
godwit_faults.py, tests/fuzz/make_corpus.py): the v2 record layer of the
migration stream (src/migration/stream.h, handshake.h, seal.h) - preambles,
the connection keys (HKDF-SHA256), AES-256-GCM records, rekeying, plain
records with their XXH3 check through the system's libxxhash (ctypes) - a
migration endpoint that speaks it (a hand-made source or destination), a QMP
client, VMM processes whose console and stderr go to files, and a
record-aware TCP proxy that can hold, corrupt, cut or silence the stream at
a chosen record and record what passes through.

Standard library plus python3-cryptography. Every wait is bounded.
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

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import qmp as qmplib  # noqa: E402  (tests/lib/qmp.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# ---- the stream ---------------------------------------------------------

MAGIC = 0x324D5747            # "GWM2": a record
PRE_MAGIC = 0x504D5747        # "GWMP": a preamble
WIRE_VERSION = 2
MODE_PLAIN, MODE_GCM = 0, 1
HDR = struct.Struct("<IHHII16s")  # magic, type, version, length, seq, tag
HDR_SIZE = HDR.size  # 32
AAD_SIZE = 16
PRE_SIZE = 48
TAG_SIZE = 16
HELLO, ROM, RAM, ROUND, DEVICES, END, COMMIT, ABORT, AUTH = 1, 2, 3, 4, 5, 6, 7, 8, 9
DISK = 10  # a disk range (src/migration/disk.h), shared-nothing migration only
WELCOME, ACK, ROUND_ACK, RUNNING, DAUTH = 0x81, 0x82, 0x83, 0x84, 0x89
SEC_NAMES = {HELLO: "hello", ROM: "rom", RAM: "ram", ROUND: "round", DEVICES: "devices",
             END: "end", COMMIT: "commit", ABORT: "abort", AUTH: "auth", DISK: "disk", WELCOME: "welcome",
             ACK: "ack", ROUND_ACK: "round-ack", RUNNING: "running", DAUTH: "dest-auth"}
AUTH_SRC = b"godwit migration: source"
AUTH_DST = b"godwit migration: destination"
DIR_S2D, DIR_D2S = 1, 2
REKEY_EVERY = 65536
INFO_S2D = b"godwit migration v2 s2d"
INFO_D2S = b"godwit migration v2 d2s"
INFO_REKEY = b"godwit migration v2 rekey"
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


def new_key():
    """A fresh migration key: 64 hex digits."""
    return os.urandom(32).hex()


def key_bytes(key):
    """A key given as hex text or bytes -> 32 bytes (None stays None: plain)."""
    if key is None or isinstance(key, (bytes, bytearray)):
        return key
    return bytes.fromhex(key)


def preamble(mode=MODE_GCM, nonce=None, version=WIRE_VERSION, magic=PRE_MAGIC, tail=bytes(8)):
    nonce = os.urandom(32) if nonce is None else nonce
    return struct.pack("<IHH", magic, version, mode) + bytes(nonce) + bytes(tail)


def parse_preamble(b):
    """{"magic", "version", "mode", "nonce"} of a 48-byte preamble, or None
    if it is not one (wrong magic or size, non-zero tail)."""
    if len(b) != PRE_SIZE:
        return None
    magic, ver, mode = struct.unpack_from("<IHH", b)
    if magic != PRE_MAGIC or any(b[40:]):
        return None
    return {"magic": magic, "version": ver, "mode": mode, "nonce": bytes(b[8:40])}


def conn_keys(mkey, pre_s, pre_d):
    """(k_s2d, k_d2s) of one connection: HKDF-SHA256 of the migration key
    with both preambles as the salt."""
    mkey = key_bytes(mkey)
    salt = bytes(pre_s) + bytes(pre_d)
    return tuple(HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(mkey)
                 for info in (INFO_S2D, INFO_D2S))


def rekey(k):
    """The next key of a direction (HKDF-Expand only, as OpenSSL EXPAND_ONLY)."""
    return HKDFExpand(algorithm=hashes.SHA256(), length=32, info=INFO_REKEY).derive(k)


def plain_tag(head16, payload):
    return struct.pack("<Q", xxh3(payload, xxh3(head16))) + bytes(8)


class AuthError(Exception):
    pass


class Sealer:
    """One direction of one connection: seals (or opens) records 0, 1, 2...
    key None: plain records (XXH3 tag). Keys rekey every rekey_every records
    as seal.c does."""

    def __init__(self, key=None, direction=DIR_S2D, rekey_every=REKEY_EVERY):
        self.base = key
        self.dir = direction
        self.rekey_every = rekey_every
        self.n = 0
        self._keys = [key]

    @property
    def plain(self):
        return self.base is None

    def key_for(self, n):
        i = n // self.rekey_every
        while len(self._keys) <= i:
            self._keys.append(rekey(self._keys[-1]))
        return self._keys[i]

    def nonce(self, n):
        return struct.pack(">IQ", self.dir, n)

    def record(self, typ, payload, version=1, seq=None, length=None, magic=MAGIC, n=None):
        """The next record (n: seal as record n instead, without advancing;
        seq/length/magic: override those header fields, sealed over them)."""
        payload = bytes(payload)
        use_n = self.n if n is None else n
        ln = len(payload) if length is None else length
        sq = (use_n if seq is None else seq) & 0xFFFFFFFF
        head16 = struct.pack("<IHHII", magic, typ, version, ln & 0xFFFFFFFF, sq)
        if self.plain:
            tag, body = plain_tag(head16, payload), payload
        else:
            ct = AESGCM(self.key_for(use_n)).encrypt(self.nonce(use_n), payload, head16)
            body, tag = ct[:-TAG_SIZE], ct[-TAG_SIZE:]
        if n is None:
            self.n += 1
        return head16 + tag + body

    def open(self, head, body, n=None):
        """Check (and decrypt) one record as record n (default: the next);
        returns the payload or raises AuthError."""
        use_n = self.n if n is None else n
        head16, tag = bytes(head[:AAD_SIZE]), bytes(head[AAD_SIZE:HDR_SIZE])
        if self.plain:
            if plain_tag(head16, body) != tag:
                raise AuthError(f"record {use_n}: checksum mismatch")
            out = bytes(body)
        else:
            try:
                out = AESGCM(self.key_for(use_n)).decrypt(self.nonce(use_n), bytes(body) + tag, head16)
            except Exception as e:  # cryptography's InvalidTag
                raise AuthError(f"record {use_n}: authentication failed") from e
        if n is None:
            self.n += 1
        return out


def parse_records(data, off=0):
    """Split bytes into records (as on the wire): list of dicts with type,
    version, length, seq, tag, off (of the header), head (32 bytes), body
    (payload bytes as sent: ciphertext when sealed). Stops at the first
    incomplete or foreign record."""
    out = []
    while off + HDR_SIZE <= len(data):
        magic, typ, ver, ln, seq, tag = HDR.unpack_from(data, off)
        if magic != MAGIC or off + HDR_SIZE + ln > len(data):
            break
        out.append({"type": typ, "version": ver, "length": ln, "seq": seq, "tag": tag, "off": off,
                    "head": bytes(data[off:off + HDR_SIZE]),
                    "body": bytes(data[off + HDR_SIZE:off + HDR_SIZE + ln])})
        off += HDR_SIZE + ln
    return out


def split_stream(data):
    """(preamble or None, records) of one direction's bytes."""
    if len(data) >= PRE_SIZE and parse_preamble(data[:PRE_SIZE]):
        return bytes(data[:PRE_SIZE]), parse_records(data, PRE_SIZE)
    return None, parse_records(data)


def open_stream(s2d, d2s, key):
    """Decrypt a recorded connection (both directions' bytes, as a proxy
    with record=True keeps them) with the migration key (None: plain).
    Returns (s2d sections, d2s sections): lists of dicts with type,
    version, seq, payload (plaintext)."""
    pre_s, rs = split_stream(s2d)
    pre_d, rd = split_stream(d2s)
    if key is None:
        ks = kd = None
    else:
        ks, kd = conn_keys(key, pre_s, pre_d)
    out = []
    for recs, k, d in ((rs, ks, DIR_S2D), (rd, kd, DIR_D2S)):
        op = Sealer(k, d)
        out.append([{"type": r["type"], "version": r["version"], "seq": r["seq"],
                     "payload": op.open(r["head"], r["body"])} for r in recs])
    return out[0], out[1]


def build_records(sections, key=None, direction=DIR_S2D, first=0):
    """Records [(type, payload[, version])] sealed from record number
    `first` on (key: a connection key, None: plain)."""
    s = Sealer(key, direction)
    s.n = first
    out = bytearray()
    for sec in sections:
        out += s.record(sec[0], sec[1], sec[2] if len(sec) > 2 else 1)
    return bytes(out)


class Endpoint:
    """One side of a migration connection made by hand over a connected
    socket: role "source" or "dest", key (hex or bytes; None: plain).

        e.preambles()    exchange preambles (source first) and derive keys
        e.prove()        source: send AUTH, read DAUTH; dest: read AUTH
                         (AuthError if wrong), send DAUTH
        e.send(type, payload[, version]) / e.send_raw(bytes)
        e.recv(timeout)  the next record as a dict (payload in plaintext);
                         ConnectionError at EOF, AuthError on a bad tag
    Every read is bounded by the socket timeout given to recv()."""

    def __init__(self, sock, role, key=None, mode=None, timeout=10):
        self.sock = sock
        self.role = role
        self.key = key_bytes(key)
        self.mode = mode if mode is not None else (MODE_PLAIN if key is None else MODE_GCM)
        self.timeout = timeout
        self.mine = self.peer = None
        self.tx = self.rx = None
        self.buf = bytearray()
        self.sent = bytearray()

    def _read(self, n, timeout=None):
        self.sock.settimeout(timeout or self.timeout)
        while len(self.buf) < n:
            c = self.sock.recv(max(65536, n - len(self.buf)))
            if not c:
                raise ConnectionError("connection closed by the peer")
            self.buf += c
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def send_raw(self, data):
        self.sock.sendall(data)
        self.sent += data

    def preambles(self, mine=None):
        self.mine = mine or preamble(self.mode)
        if self.role == "source":
            self.send_raw(self.mine)
            self.peer = self._read(PRE_SIZE)
        else:
            self.peer = self._read(PRE_SIZE)
            self.send_raw(self.mine)
        pre_s, pre_d = (self.mine, self.peer) if self.role == "source" else (self.peer, self.mine)
        if self.key is None:
            ks = kd = None
        else:
            ks, kd = conn_keys(self.key, pre_s, pre_d)
        if self.role == "source":
            self.tx, self.rx = Sealer(ks, DIR_S2D), Sealer(kd, DIR_D2S)
        else:
            self.tx, self.rx = Sealer(kd, DIR_D2S), Sealer(ks, DIR_S2D)
        return parse_preamble(self.peer)

    def send(self, typ, payload, version=1, **kw):
        rec = self.tx.record(typ, payload, version, **kw)
        self.send_raw(rec)
        return rec

    def recv(self, timeout=None):
        head = self._read(HDR_SIZE, timeout)
        magic, typ, ver, ln, seq, tag = HDR.unpack(head)
        if magic != MAGIC:
            raise AuthError(f"bad record magic 0x{magic:08x}")
        if ln > 64 << 20:
            raise AuthError(f"record of {ln} bytes")
        body = self._read(ln, timeout)
        return {"type": typ, "version": ver, "seq": seq, "payload": self.rx.open(head, body)}

    def prove(self):
        if self.role == "source":
            self.send(AUTH, AUTH_SRC)
            r = self.recv()
            if r["type"] != DAUTH or r["payload"] != AUTH_DST:
                raise AuthError(f"the destination's proof is {r}")
        else:
            r = self.recv()
            if r["type"] != AUTH or r["payload"] != AUTH_SRC:
                raise AuthError(f"the source's proof is {r}")
            self.send(DAUTH, AUTH_DST)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def set_key(*qmps, key=None, plain=False):
    """Hand one fresh migration key (or plain mode) to every QMP given;
    returns the key (hex; None when plain)."""
    if plain:
        for q in qmps:
            q.ret("migrate-set-parameters", {"x-godwit-plain": True})
        return None
    key = key or new_key()
    for q in qmps:
        q.ret("migrate-set-parameters", {"x-godwit-key": key})
    return key


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

    def __init__(self, binary, args, workdir, name, env=None, prefix=()):
        self.name = name
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        self.qmp_path = os.path.join(workdir, name + ".qmp")
        self.argv = list(prefix) + [binary] + list(args) + ["-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
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
    """A TCP proxy between a migration source and destination that
    understands the v2 stream in both directions: a 48-byte clear preamble,
    then records with a 32-byte clear header (type and length are readable
    even when the payload is sealed).

    rule: an object with optional methods
        header(proxy, direction, type, length) -> bool   hold before this record?
        after(proxy, direction, type, payload_head)      after a record passed
    The first header() that returns True stops that direction before the
    record's header is forwarded: `reached` is set, `hit` = (direction,
    type, length), and the direction waits for a command from the test:
        release()        forward it unchanged and go on
        corrupt(offset)  forward it with payload byte offset inverted (offset
                         None: the middle; a payload of 0 bytes: the tag),
                         which the tag (GCM or XXH3) must catch
        drop()           forward nothing of it and close both connections
        close()          the same (a cut)
        freeze()         a silent link: nothing moves any more in either
                         direction, no FIN, no RST; the sockets stay open
                         until stop()
    freeze() also works without a held record. A direction that sees EOF
    passes it on (FIN); an error on either socket closes both, as a dying
    TCP connection would. record=True keeps every byte forwarded in each
    direction in proxy.data[direction]; `passed` counts the records
    forwarded per direction and `types` their types.
    """

    def __init__(self, dest_port, rule=None, record=False, dest_host="127.0.0.1"):
        self.dest = (dest_host, dest_port)
        self.rule = rule
        self.record = record
        self.data = {S2D: bytearray(), D2S: bytearray()}
        self.sections = {S2D: [], D2S: []}
        self.preambles = {S2D: None, D2S: None}
        self.rounds = 0
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.reached = threading.Event()
        self.done = threading.Event()
        self.frozen = threading.Event()
        self.hit = None
        self.held_head = None  # the header of the held record (not forwarded)
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

    drop = close

    def freeze(self):
        self.frozen.set()
        self.cmds.put(("freeze",))

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
                if time.time() > deadline or self.closed:
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

    def _silent(self):
        """Frozen: drop what was read and wait (without reading more) until
        the test ends the proxy."""
        while not self.closed:
            time.sleep(0.05)
        raise OSError("proxy stopped")

    def _send(self, direction, sock, data):
        if self.frozen.is_set():
            self._silent()
        sock.sendall(data)
        if self.record:
            self.data[direction] += data

    def _pump(self, direction, src, dst):
        try:
            self._pump_records(direction, src, dst)
        except OSError:
            if not self.frozen.is_set():
                self._close_all()  # a reset on one side resets the other

    def _eof(self, direction, dst):
        if self.frozen.is_set():
            self._silent()
        self.eof[direction] = True
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if all(self.eof.values()):
            self._close_all()

    def _pump_records(self, direction, src, dst):
        pre = self._recv_exact(src, PRE_SIZE)
        if pre:
            self._send(direction, dst, pre)
        if len(pre) < PRE_SIZE:
            return self._eof(direction, dst)
        self.preambles[direction] = pre
        raw = parse_preamble(pre) is None  # not this protocol: pass it through
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
            magic, typ, ver, length, seq, tag = HDR.unpack(head)
            if magic != MAGIC:  # not a record: pass the rest through as it is
                self._send(direction, dst, head)
                raw = True
                continue
            flip = None
            rule_header = getattr(self.rule, "header", None)
            if not self.fired and rule_header and rule_header(self, direction, typ, length):
                self.fired = True
                self.hit = (direction, typ, length)
                self.held_head = head
                self.reached.set()
                cmd = self.cmds.get()
                if cmd[0] == "freeze" or self.frozen.is_set():
                    self._silent()
                if cmd[0] == "close" or self.closed:
                    self._close_all()
                    return
                if cmd[0] == "corrupt":
                    flip = cmd[1] if cmd[1] is not None else length // 2
                    if length == 0:
                        flip = -1  # no payload: the tag instead
                    else:
                        flip = min(max(flip, 0), length - 1)
                    self.corrupted = (direction, typ, flip)
            if flip == -1:
                head = head[:AAD_SIZE] + bytes([head[AAD_SIZE] ^ 0xFF]) + head[AAD_SIZE + 1:]
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
