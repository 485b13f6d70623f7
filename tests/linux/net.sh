#!/usr/bin/env bash
# linux/net.sh VMM LABEL - the Linux guest on the network: a "host"
# namespace runs VMM with virtio-net on a tap in the host's bridge; a client
# namespace on the same switch talks to the guest's HTTP (port 80) and TCP
# echo (port 7) services over real IP. Then the tap is deleted under the
# running VM: the VMM must keep running (link down), the guest too.
# Needs root for namespaces; prints SKIP otherwise. "qemu" runs the same on
# qemu-system-riscv64 -M virt. Prints "PLAN N LABEL" first, then one
# PASS/FAIL/SKIP line per case.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "$1" = qemu ]; then VMM=(qemu-system-riscv64 -M virt); else VMM=("$1"); fi
LABEL=${2:-linux-net}
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
IMG=build/guest/linux/Image
INITRD=build/guest/linux/initramfs.cpio.gz
LAB=gn$$
GUEST_IP=10.77.0.10
TMP=$(mktemp -d)
VMPID=

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "PLAN 1 $LABEL"
	echo "SKIP $LABEL/network: needs root for network namespaces"
	exit 0
fi
# shellcheck source=../lib/netlab.sh
. tests/lib/netlab.sh
cleanup() {
	[ -n "$VMPID" ] && kill "$VMPID" 2>/dev/null && wait "$VMPID" 2>/dev/null
	netlab_down "$LAB"
	rm -rf "$TMP"
}
trap cleanup EXIT

if ! netlab_up "$LAB" 1 >"$TMP/netlab.log" 2>&1; then
	echo "PLAN 1 $LABEL"
	echo "FAIL $LABEL/netlab: $(tail -2 "$TMP/netlab.log" | tr '\n' ' ')"
	exit 0
fi
echo "PLAN 3 $LABEL" # client-http, client-echo-256k, tap-vanishes
ip netns exec "$LAB-h1" timeout 120 "${VMM[@]}" -m 256M -bios "$FW" -kernel "$IMG" \
	-initrd "$INITRD" -append "console=ttyS0 godwit.ip=$GUEST_IP/24" -nographic \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-device,netdev=n0,mac=52:54:00:77:00:10 \
	</dev/null >"$TMP/out" 2>&1 &
VMPID=$!
for _ in $(seq 1 200); do grep -q '^heartbeat 2 ' "$TMP/out" && break; sleep 0.1; done

# the client: HTTP GET and a 256 KiB echo round trip, bounded by timeouts
ip netns exec "$LAB-c" timeout 30 python3 - "$GUEST_IP" >"$TMP/client" 2>&1 <<'PY'
import json, os, socket, sys, time
ip = sys.argv[1]
def connect(port):
    for _ in range(50):
        try:
            return socket.create_connection((ip, port), timeout=5)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"cannot connect to {ip}:{port}")
s = connect(80)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = b""
while chunk := s.recv(4096):
    data += chunk
body = json.loads(data.split(b"\r\n\r\n", 1)[1])
print("http ok uptime_ms", body["uptime_ms"])
s = connect(7)
blob = os.urandom(256 * 1024)
got = b""
s.setblocking(False)
sent = 0
deadline = time.time() + 20
while len(got) < len(blob) and time.time() < deadline:
    if sent < len(blob):
        try:
            sent += s.send(blob[sent:sent + 16384])
        except BlockingIOError:
            pass
    try:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
    except BlockingIOError:
        time.sleep(0.001)
print("echo ok" if got == blob else f"echo BAD {len(got)} of {len(blob)} bytes")
PY
if grep -q '^http ok' "$TMP/client"; then echo "PASS $LABEL/client-http"
else echo "FAIL $LABEL/client-http: $(tr '\n' ' ' <"$TMP/client" | tail -c 300)"; fi
if grep -q '^echo ok' "$TMP/client"; then echo "PASS $LABEL/client-echo-256k"
else echo "FAIL $LABEL/client-echo-256k: $(tr '\n' ' ' <"$TMP/client" | tail -c 300)"; fi

# the tap vanishes under the running VM: nothing crashes, the guest goes on
ip -n "$LAB-h1" link del tap0
before=$(grep -c '^heartbeat ' "$TMP/out")
sleep 1.5
after=$(grep -c '^heartbeat ' "$TMP/out")
if ! kill -0 "$VMPID" 2>/dev/null; then
	echo "FAIL $LABEL/tap-vanishes: the VMM exited ($(tail -2 "$TMP/out" | tr '\n' ' '))"
elif [ "$after" -le "$before" ]; then
	echo "FAIL $LABEL/tap-vanishes: the guest stopped ($before -> $after heartbeats)"
else
	echo "PASS $LABEL/tap-vanishes"
fi
