#!/usr/bin/env bash
# demo.sh - what `make demo` shows: godwit-vmm booting the project's Linux
# guest (Debian's OpenSBI, Linux 6.1, our init) with a virtio disk and a
# virtio-net NIC on a tap in a "host" network namespace, and a client in
# another namespace talking to the guest over real IP: HTTP, then a TCP echo
# round trip. Then the running guest is live-migrated to a second host
# namespace while the client keeps a TCP connection busy, and the pause the
# client saw is printed. At the end the VM is stopped through QMP and the
# host CPU it used is printed.
# Without root (no namespaces) it falls back to a bare-metal guest.
set -euo pipefail
cd "$(dirname "$0")/.."

VMM=build/godwit-vmm
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
IMG=build/guest/linux/Image
INITRD=build/guest/linux/initramfs.cpio.gz

bare_metal_demo() {
	echo "== (not root: no network namespaces) bare-metal demo guest instead"
	"$VMM" -m 64M -bios none -kernel build/guest/demo.elf -nographic
}
if [ "$(id -u)" -ne 0 ]; then
	bare_metal_demo
	exit 0
fi

. tests/lib/netlab.sh
LAB=demo
TMP=$(mktemp -d)
VMPID=
DSTPID=
TAILPID=
cleanup() {
	[ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
	[ -n "$VMPID" ] && kill "$VMPID" 2>/dev/null && wait "$VMPID" 2>/dev/null
	[ -n "$DSTPID" ] && kill "$DSTPID" 2>/dev/null && wait "$DSTPID" 2>/dev/null
	netlab_down "$LAB"
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "== network: host namespaces $LAB-h1 and $LAB-h2 (bridge + tap0 each), client $LAB-c ($NETLAB_CLIENT_IP), one switch"
netlab_up "$LAB" 2
ip -n "$LAB-h1" addr add 10.77.0.201/24 dev br0 # the hosts' own addresses,
ip -n "$LAB-h2" addr add 10.77.0.202/24 dev br0 # used by the migration stream
mke2fs -q -F -t ext2 "$TMP/disk.img" 16M >/dev/null
echo "== starting godwit-vmm in $LAB-h1: Linux guest at 10.77.0.10"
start=$(date +%s%N)
ip netns exec "$LAB-h1" "$VMM" -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
	-append "console=ttyS0 quiet godwit.ip=10.77.0.10/24" -nographic \
	-drive file="$TMP/disk.img",format=raw,id=hd0 -device virtio-blk-device,drive=hd0 \
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
	-device virtio-net-device,netdev=n0 -device virtio-rng-device \
	-qmp "unix:$TMP/qmp.sock,server=on,wait=off" </dev/null >"$TMP/console" 2>&1 &
VMPID=$!
tail -n +1 -f "$TMP/console" | grep --line-buffered -E '^(init|net|server|heartbeat [0-9]*[05] )' &
TAILPID=$!
for _ in $(seq 1 300); do grep -q '^heartbeat 1 ' "$TMP/console" && break; sleep 0.05; done
booted=$(date +%s%N)
echo "== guest up: first heartbeat $(( (booted - start) / 1000000 )) ms after start"
sleep 1
echo "== client ($LAB-c): GET http://10.77.0.10/ and a 1 MiB TCP echo round trip"
ip netns exec "$LAB-c" timeout 30 python3 - <<'PY'
import json, os, socket, time
t = time.time()
s = socket.create_connection(("10.77.0.10", 80), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = b""
while chunk := s.recv(4096):
    data += chunk
print("   HTTP", data.split(b"\r\n", 1)[0].decode(), data.split(b"\r\n\r\n", 1)[1].decode().strip(),
      f"({(time.time() - t) * 1000:.0f} ms)")
blob = os.urandom(1 << 20)
s = socket.create_connection(("10.77.0.10", 7), timeout=5)
s.setblocking(False)
t = time.time(); sent = 0; got = b""
while len(got) < len(blob) and time.time() - t < 20:
    if sent < len(blob):
        try: sent += s.send(blob[sent:sent + 65536])
        except BlockingIOError: pass
    try:
        chunk = s.recv(1 << 16)
        if not chunk: break
        got += chunk
    except BlockingIOError:
        time.sleep(0.0005)
dt = time.time() - t
print(f"   echo: {len(got)} of {len(blob)} bytes back {'intact' if got == blob else 'CORRUPT'} "
      f"in {dt * 1000:.0f} ms ({len(blob) * 2 / dt / 1e6:.1f} MB/s both ways)")
PY
GUEST=(-m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD"
	-append "console=ttyS0 quiet godwit.ip=10.77.0.10/24" -nographic
	-drive file="$TMP/disk.img",format=raw,id=hd0 -device virtio-blk-device,drive=hd0
	-netdev tap,id=n0,ifname=tap0,script=no,downscript=no
	-device virtio-net-device,netdev=n0 -device virtio-rng-device)
echo "== live migration: $LAB-h1 -> $LAB-h2 while the client keeps a TCP connection busy"
ip netns exec "$LAB-h2" "$VMM" "${GUEST[@]}" -incoming tcp:10.77.0.202:4444 \
	-qmp "unix:$TMP/dst.sock,server=on,wait=off" </dev/null >"$TMP/dst-console" 2>&1 &
DSTPID=$!
ip netns exec "$LAB-c" python3 scripts/echo-watch.py 10.77.0.10 7 "$TMP/stop" &
WATCH=$!
sleep 1
cpu=$(awk '{print ($14 + $15)}' /proc/$VMPID/stat)
build/godwit migrate --from "$TMP/qmp.sock" --to "$TMP/dst.sock" --uri tcp:10.77.0.202:4444 |
	sed 's/^/   /'
sleep 1
touch "$TMP/stop"
wait "$WATCH" || true
kill "$TAILPID" 2>/dev/null || true
tail -n +1 -f "$TMP/dst-console" | grep --line-buffered -E '^heartbeat [0-9]*[05] ' &
TAILPID=$!
ip netns exec "$LAB-c" timeout 10 python3 -c '
import socket, time
t = time.time()
s = socket.create_connection(("10.77.0.10", 80), timeout=5)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
d = b""
while c := s.recv(4096):
    d += c
print("   after the move, a new connection: HTTP", d.split(b"\r\n", 1)[0].decode(),
      f"({(time.time() - t) * 1000:.0f} ms)")'
sleep 1
python3 tests/lib/qmp.py "$TMP/qmp.sock" query-status | sed 's/^/   source QMP: /'
python3 tests/lib/qmp.py "$TMP/qmp.sock" quit >/dev/null
wait "$VMPID" || true
VMPID=
python3 tests/lib/qmp.py "$TMP/dst.sock" query-status quit | sed 's/^/   destination QMP: /'
wait "$DSTPID" || true
DSTPID=
end=$(date +%s%N)
awk -v c="$cpu" -v hz="$(getconf CLK_TCK)" -v w="$(( (end - start) / 1000000 ))" 'BEGIN {
	printf "== the demo ran %.1f s; the source VM used %.2f s of host CPU up to the migration (boot included)\n", w / 1000, c / hz }'
