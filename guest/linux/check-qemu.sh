#!/usr/bin/env bash
# check-qemu.sh - boot the Linux test guest (build.sh's Image + initramfs) on
# a riscv64 `virt` VMM and check it end to end; prints one PASS/FAIL line per
# check and exits non-zero if any failed.
#
#   guest/linux/check-qemu.sh            # on qemu-system-riscv64 -M virt
#   VMM=build/godwit-vmm guest/linux/check-qemu.sh   # same checks on another VMM
#
# 1. boot: heartbeats start (host time to the first one is reported), and
#    godwit.poweroff_after=5 powers the VM off so the VMM exits by itself.
# 2. net: user-mode network with host forwards 127.0.0.1:$HTTP_PORT -> :80 and
#    127.0.0.1:$ECHO_PORT -> :7; GET / returns the JSON status, bytes sent to
#    the echo port come back, the dirty workload verifies OK.
# Everything is bounded by timeouts; the VMs are killed by pid on the way out.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
VMM=${VMM:-qemu-system-riscv64}
GUEST=${GUEST:-$TREE/build/guest/linux}
BIOS=${BIOS:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin}
HTTP_PORT=${HTTP_PORT:-18080}
ECHO_PORT=${ECHO_PORT:-18007}
BOOT_TIMEOUT_S=${BOOT_TIMEOUT_S:-120}
WORK=$(mktemp -d /tmp/godwit-guest-check.XXXXXX)
VM_PID=""
FAILS=0

cleanup() {
	if [ -n "$VM_PID" ] && kill -0 "$VM_PID" 2>/dev/null; then
		kill "$VM_PID" 2>/dev/null || true
		wait "$VM_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "PASS guest-linux: $*"; }
fail() { echo "FAIL guest-linux: $*"; FAILS=$((FAILS + 1)); }
now() { date +%s.%N; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# vm_start LOG APPEND [EXTRA ARGS...]: the VMM in the background, console to LOG.
vm_start() {
	local log=$1 append=$2
	shift 2
	timeout -k 5 "$BOOT_TIMEOUT_S" "$VMM" -M virt -m 256M -smp 1 -bios "$BIOS" \
		-kernel "$GUEST/Image" -initrd "$GUEST/initramfs.cpio.gz" \
		-append "console=ttyS0 $append" -nographic "$@" </dev/null >"$log" 2>&1 &
	VM_PID=$!
}

# wait_for LOG REGEX SECONDS: until a console line matches (or the VM ends).
wait_for() {
	local log=$1 re=$2 deadline=$((SECONDS + $3))
	while [ $SECONDS -lt "$deadline" ]; do
		grep -qE "$re" "$log" 2>/dev/null && return 0
		kill -0 "$VM_PID" 2>/dev/null || { grep -qE "$re" "$log"; return; }
		sleep 0.05
	done
	return 1
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_boot() {
	local log=$WORK/boot.log t0 t_hb rc=0 n
	t0=$(now)
	vm_start "$log" "godwit.poweroff_after=5"
	if wait_for "$log" '^heartbeat 1 ' "$BOOT_TIMEOUT_S"; then
		t_hb=$(secs_since "$t0")
		pass "boot: first heartbeat ${t_hb}s after VMM start ($(grep -m1 '^heartbeat 1 ' "$log" | tr -d '\r'))"
	else
		fail "boot: no heartbeat within ${BOOT_TIMEOUT_S}s (log: tail below)"
		tail -15 "$log" | sed 's/^/  | /'
	fi
	wait "$VM_PID" || rc=$?
	VM_PID=""
	n=$(grep -c '^heartbeat ' "$log" || true)
	if [ "$rc" -eq 0 ] && grep -q 'init: powering off' "$log"; then
		pass "boot: powered off by itself after $(secs_since "$t0")s, $n heartbeats"
	else
		fail "boot: VMM exit status $rc, $n heartbeats, power-off line $(grep -c 'powering off' "$log" || true)"
		tail -5 "$log" | sed 's/^/  | /'
	fi
}

check_echo() {
	local msg="godwit echo check $RANDOM" reply=""
	exec 3<>"/dev/tcp/127.0.0.1/$ECHO_PORT" || { fail "net: echo: cannot connect"; return; }
	printf '%s\n' "$msg" >&3
	read -r -t 10 reply <&3 || true
	exec 3<&- 3>&-
	if [ "$reply" = "$msg" ]; then pass "net: echo on 127.0.0.1:$ECHO_PORT returned '$reply'"
	else fail "net: echo returned '$reply', expected '$msg'"; fi
}

check_http() {
	local body
	body=$(curl -s --max-time 10 "http://127.0.0.1:$HTTP_PORT/" || true)
	if echo "$body" | grep -qE '^\{"uptime_ms":[0-9]+,"heartbeat":[0-9]+,"echo_bytes":[1-9][0-9]*,"dirty_mb":[0-9]+'; then
		pass "net: GET http://127.0.0.1:$HTTP_PORT/ -> $body"
	else
		fail "net: GET / returned '$body'"
	fi
}

check_net() {
	local log=$WORK/net.log p
	for p in "$HTTP_PORT" "$ECHO_PORT"; do
		port_free "$p" || { fail "net: host port $p is in use (set HTTP_PORT/ECHO_PORT)"; return; }
	done
	vm_start "$log" "godwit.ip=10.0.2.15/24 godwit.gw=10.0.2.2 godwit.dirty=10,32 godwit.poweroff_after=60" \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$HTTP_PORT-:80,hostfwd=tcp:127.0.0.1:$ECHO_PORT-:7" \
		-device virtio-net-device,netdev=n0
	if ! wait_for "$log" '^net: eth0 10\.0\.2\.15/24 up' "$BOOT_TIMEOUT_S" ||
		! wait_for "$log" '^server: echo on' 10; then
		fail "net: eth0 or the servers did not come up"
		tail -15 "$log" | sed 's/^/  | /'
		return
	fi
	pass "$(grep -m1 '^net: eth0 10' "$log" | tr -d '\r')"
	check_echo
	check_http
	if wait_for "$log" '^dirty: [0-9]+ MB written, verify OK' 15 && ! grep -q 'verify FAIL' "$log"; then
		pass "dirty: $(grep '^dirty: .*written' "$log" | tail -1 | tr -d '\r')"
	else
		fail "dirty: no 'verify OK' progress line"
	fi
	kill "$VM_PID" 2>/dev/null || true
	wait "$VM_PID" 2>/dev/null || true
	VM_PID=""
}

main() {
	command -v "$VMM" >/dev/null || [ -x "$VMM" ] || { echo "check-qemu: no VMM '$VMM'" >&2; exit 1; }
	if [ ! -s "$GUEST/Image" ] || [ ! -s "$GUEST/initramfs.cpio.gz" ]; then
		"$HERE/build.sh" -o "$GUEST"
	fi
	check_boot
	check_net
	[ "$FAILS" -eq 0 ]
}

main "$@"
