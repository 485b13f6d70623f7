#!/usr/bin/env python3
"""echo_client.py IP [--stop-file F] [--max-seconds S] [--read-timeout T]

Keeps one TCP connection to IP:7 (the Linux guest's echo service) busy:
sends random data with up to --window bytes in flight and checks every byte
that comes back, and counts the RARP and gratuitous ARP frames that --mac
sends (a migrated VM's announcements; packet sockets, so root only). Prints "connected", then "bytes N" every second, and at the
end one line "RESULT {json}": bytes verified, the longest stall (time with
data in flight and nothing coming back) and when it happened, every stall
over 200 ms, and any error (reset, timeout: nothing back for --read-timeout
seconds, corrupt data). Stops when the stop file appears (then drains what
is in flight) or after --max-seconds; then opens a new connection for an
HTTP GET / on port 80 and reports its body. Standard library only.
"""
import argparse
import json
import os
import select
import socket
import sys
import time


def http_get(ip, timeout):
    s = socket.create_connection((ip, 80), timeout=timeout)
    try:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0] + b" ":
        raise ValueError(f"bad answer {head[:60]!r}")
    return json.loads(body)


def announce_sockets():
    """Packet sockets for RARP and ARP frames (root only; none otherwise)."""
    out = []
    for proto in (0x8035, 0x0806):
        try:
            k = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
            k.setblocking(False)
            out.append(k)
        except (OSError, AttributeError):
            pass
    return out


def announce_kind(k, mac):
    """'rarp' or 'garp' for an announcement from mac, else None."""
    try:
        f = k.recv(2048)
    except OSError:
        return None
    if len(f) < 42 or (mac and f[6:12] != mac):
        return None
    etype = int.from_bytes(f[12:14], "big")
    if etype == 0x8035:
        return "rarp"
    # gratuitous ARP: sender IP == target IP
    if etype == 0x0806 and f[28:32] == f[38:42]:
        return "garp"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ip")
    ap.add_argument("--port", type=int, default=7)
    ap.add_argument("--stop-file", default="")
    ap.add_argument("--max-seconds", type=float, default=60)
    ap.add_argument("--read-timeout", type=float, default=8)
    ap.add_argument("--window", type=int, default=32768)
    ap.add_argument("--mac", default="", help="count RARP/gratuitous ARP frames from this MAC")
    a = ap.parse_args()
    res = {"bytes": 0, "max_stall_ms": 0.0, "max_stall_at": 0.0, "stalls": [], "error": None,
           "mismatch": None}
    t0 = time.time()
    s = None
    for _ in range(50):
        try:
            s = socket.create_connection((a.ip, a.port), timeout=5)
            break
        except OSError as e:
            res["error"] = f"connect: {e}"
            time.sleep(0.2)
    if s is None:
        print("RESULT " + json.dumps(res), flush=True)
        return 1
    res["error"] = None
    print("connected", flush=True)
    s.setblocking(False)
    ann = announce_sockets()
    res["announce"] = []     # (time, "rarp"|"garp") frames from --mac
    mac = bytes.fromhex(a.mac.replace(":", "")) if a.mac else None
    inflight = bytearray()   # sent, not yet echoed
    last_rx = time.time()    # last time bytes came back (or inflight became non-empty)
    next_report = time.time() + 1
    stopping = False
    deadline = t0 + a.max_seconds
    try:
        while True:
            now = time.time()
            if not stopping and ((a.stop_file and os.path.exists(a.stop_file)) or now > deadline):
                stopping = True
            if stopping and not inflight:
                break
            want_send = not stopping and len(inflight) < a.window
            r, w, _ = select.select([s] + ann, [s] if want_send else [], [], 0.05)
            now = time.time()
            for k in ann:
                if k in r:
                    kind = announce_kind(k, mac)
                    if kind and len(res["announce"]) < 50:
                        res["announce"].append((now, kind))
            r = [x for x in r if x is s]
            if w:
                blob = os.urandom(min(8192, a.window - len(inflight)))
                try:
                    n = s.send(blob)
                except BlockingIOError:
                    n = 0
                if n and not inflight:
                    last_rx = now
                inflight += blob[:n]
            if r:
                data = s.recv(65536)
                if not data:
                    res["error"] = f"connection closed by the peer after {res['bytes']} bytes"
                    break
                gap = now - last_rx
                if gap * 1000 > res["max_stall_ms"]:
                    res["max_stall_ms"] = gap * 1000
                    res["max_stall_at"] = last_rx
                if gap > 0.2:
                    res["stalls"].append((last_rx, gap * 1000))
                if inflight[:len(data)] != data:
                    res["mismatch"] = f"echoed data differs at byte {res['bytes']}"
                    break
                del inflight[:len(data)]
                res["bytes"] += len(data)
                last_rx = now
            elif inflight and now - last_rx > a.read_timeout:
                res["error"] = (f"timeout: nothing echoed for {a.read_timeout} s with "
                                f"{len(inflight)} bytes in flight, after {res['bytes']} bytes")
                break
            if now >= next_report:
                print(f"bytes {res['bytes']}", flush=True)
                next_report = now + 1
    except OSError as e:
        res["error"] = f"{type(e).__name__}: {e} after {res['bytes']} bytes"
    finally:
        s.close()
        for k in ann:
            k.close()
    res["seconds"] = time.time() - t0
    res["stalls"] = res["stalls"][:20]
    try:
        res["http_body"] = http_get(a.ip, 10)
        res["http_ok"] = True
    except (OSError, ValueError) as e:
        res["http_ok"] = False
        res["http_error"] = f"{type(e).__name__}: {e}"
    print("RESULT " + json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
