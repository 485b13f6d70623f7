#!/usr/bin/env python3
"""echo-watch.py HOST PORT STOPFILE - keep one TCP connection to an echo
service busy (1 KiB round trips, each checked) until STOPFILE appears or
120 s pass, then print one line: round trips, bytes, and the longest gap
between two answered round trips, which is the pause a client of a
migrating VM sees. Exit status 1 if the connection broke or data came back
wrong. Standard library only; used by `make demo`."""
import os
import socket
import sys
import time


def main():
    host, port, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(10)
    seq = 0
    longest = 0.0
    last = time.monotonic()
    t_end = last + 120
    ok = True
    while not os.path.exists(stop) and time.monotonic() < t_end:
        msg = (b"%08d" % seq) * 128
        try:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                chunk = s.recv(len(msg) - len(got))
                if not chunk:
                    raise ConnectionError("closed by the guest")
                got += chunk
        except (OSError, ConnectionError) as e:
            print(f"   client: connection broke after {seq} round trips: {e}")
            ok = False
            break
        if got != msg:
            print(f"   client: round trip {seq} came back wrong")
            ok = False
            break
        now = time.monotonic()
        longest = max(longest, now - last)
        last = now
        seq += 1
        time.sleep(0.002)
    if ok:
        print(f"   client: one TCP connection, {seq} echo round trips ({seq} KiB each way), "
              f"all intact; longest pause seen by the client: {longest * 1000:.0f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
