#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND [COMMAND...] - a minimal QMP client for tests.

Connects to a QMP unix socket, negotiates capabilities, runs each COMMAND
(a command name, or name=JSON-arguments) and prints each reply as one JSON
line. Exits 1 on an error reply, a timeout (10 s) or a closed socket.
Standard library only.
"""
import json
import socket
import sys
import time


def read_obj(sock, buf, deadline):
    dec = json.JSONDecoder()
    while True:
        text = buf[0].lstrip()
        if text:
            try:
                obj, end = dec.raw_decode(text)
                buf[0] = text[end:]
                return obj
            except ValueError:
                pass
        if time.time() > deadline:
            raise TimeoutError("no reply")
        sock.settimeout(max(0.05, deadline - time.time()))
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("socket closed")
        buf[0] += data.decode()


def reply(sock, buf):
    deadline = time.time() + 10
    while True:
        obj = read_obj(sock, buf, deadline)
        if "return" in obj or "error" in obj:
            return obj


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    buf = [""]
    read_obj(sock, buf, time.time() + 10)  # greeting
    sock.sendall(b'{"execute": "qmp_capabilities"}')
    reply(sock, buf)
    status = 0
    for arg in sys.argv[2:]:
        name, _, args = arg.partition("=")
        cmd = {"execute": name}
        if args:
            cmd["arguments"] = json.loads(args)
        sock.sendall(json.dumps(cmd).encode())
        try:
            r = reply(sock, buf)
        except ConnectionError:
            if name == "quit":
                print('{"return": {}}')
                continue
            raise
        print(json.dumps(r))
        if "error" in r:
            status = 1
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, TimeoutError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        sys.exit(1)
