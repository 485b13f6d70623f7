#!/usr/bin/env bash
# linux/run.sh VMM LABEL - Linux guest tests: the project's guest (guest/linux,
# built into build/guest/linux) on Debian's OpenSBI boots on VMM to its
# heartbeat and powers off; keeps a file on virtio-blk across a guest
# reboot; and stops and resumes under QMP without losing its clock.
# VMM "qemu" runs the same tests on qemu-system-riscv64 -M virt, which shows
# the guest and the tests are right. Prints "PLAN N LABEL" first, then
# "PASS LABEL/name" or "FAIL LABEL/name: why" per test.
set -uo pipefail
if [ "$1" = qemu ]; then VMM=(qemu-system-riscv64 -M virt); else VMM=("$1"); fi
LABEL=${2:-linux}
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
IMG=build/guest/linux/Image
INITRD=build/guest/linux/initramfs.cpio.gz
TMP=$(mktemp -d)
VMPID=
cleanup() {
	[ -n "$VMPID" ] && kill "$VMPID" 2>/dev/null && wait "$VMPID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

if [ ! -f "$IMG" ] || [ ! -f "$INITRD" ]; then
	echo "PLAN 1 $LABEL"
	echo "FAIL $LABEL/guest-image: $IMG or $INITRD missing (make guest-linux)"
	exit 0
fi

# boot-heartbeat-poweroff, heartbeat-clock-monotonic, memory-workload,
# disk-survives-reboot, qmp-stop-cont, qmp-quit
echo "PLAN 6 $LABEL"

vm() { # APPEND [extra args...]: run the guest, output in $TMP/out
	local append=$1
	shift
	timeout 120 "${VMM[@]}" -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
		-append "console=ttyS0 $append" -nographic "$@" </dev/null >"$TMP/out" 2>&1
}

fail() { echo "FAIL $LABEL/$1: $2 ($(tail -2 "$TMP/out" | tr '\n' ' '))"; }

# 1. boot to the heartbeat and power off cleanly
vm "godwit.poweroff_after=2"
rc=$?
beats=$(grep -c '^heartbeat ' "$TMP/out")
if [ $rc -ne 0 ]; then fail boot-heartbeat-poweroff "exit status $rc"
elif [ "$beats" -lt 10 ]; then fail boot-heartbeat-poweroff "only $beats heartbeats in 2 s"
elif ! grep -q 'reboot: Power down' "$TMP/out"; then fail boot-heartbeat-poweroff "no clean power-off"
else echo "PASS $LABEL/boot-heartbeat-poweroff"; fi

# heartbeats are 100 ms apart in guest time and the guest clock never goes back
if awk '/^heartbeat /{ t=$6; if (n++ && (t < last || t - last > 0.5)) bad=1; last=t } END { exit bad }' "$TMP/out"; then
	echo "PASS $LABEL/heartbeat-clock-monotonic"
else
	fail heartbeat-clock-monotonic "guest monotonic clock jumped or went back"
fi

# the memory workload (used by the migration tests) dirties and verifies
vm "godwit.dirty=20,32 godwit.poweroff_after=3"
rc=$?
oks=$(grep -c 'verify OK' "$TMP/out")
if [ $rc -ne 0 ]; then fail memory-workload "exit status $rc"
elif grep -q 'verify FAIL' "$TMP/out"; then fail memory-workload "the guest's checksum failed"
elif [ "$oks" -lt 1 ]; then fail memory-workload "no 'verify OK' progress line"
else echo "PASS $LABEL/memory-workload"; fi

# 2. a file on virtio-blk (ext2) survives a guest reboot
mke2fs -q -F -t ext2 "$TMP/disk.img" 8M >/dev/null 2>&1
vm "godwit.disktest=2" -drive file="$TMP/disk.img",format=raw,id=hd0 \
	-device virtio-blk-device,drive=hd0
rc=$?
if [ $rc -ne 0 ]; then fail disk-survives-reboot "exit status $rc"
elif [ "$(grep -c 'Run /init as init process' "$TMP/out")" -lt 2 ]; then fail disk-survives-reboot "the guest did not boot twice"
elif ! grep -q 'disk: read generation 1: OK' "$TMP/out"; then fail disk-survives-reboot "second boot did not read back the file"
elif ! grep -q 'disk: test done after 2 boots' "$TMP/out"; then fail disk-survives-reboot "test did not finish"
else echo "PASS $LABEL/disk-survives-reboot"; fi

# 3. QMP: stop freezes the guest, cont resumes it, quit ends the VMM
SOCK="$TMP/qmp.sock"
timeout 120 "${VMM[@]}" -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
	-append "console=ttyS0" -nographic -qmp "unix:$SOCK,server=on,wait=off" \
	</dev/null >"$TMP/out" 2>&1 &
VMPID=$!
for _ in $(seq 1 100); do grep -q '^heartbeat 3 ' "$TMP/out" && break; sleep 0.1; done
q() { python3 tests/lib/qmp.py "$SOCK" "$@"; }
if ! grep -q '^heartbeat 3 ' "$TMP/out"; then
	fail qmp-stop-cont "guest did not reach heartbeat 3"
elif ! q stop >/dev/null || ! q query-status | grep -q '"status": "paused"'; then
	fail qmp-stop-cont "stop/query-status failed"
else
	before=$(grep -c '^heartbeat ' "$TMP/out")
	sleep 1
	during=$(grep -c '^heartbeat ' "$TMP/out")
	q cont >/dev/null
	sleep 1
	after=$(grep -c '^heartbeat ' "$TMP/out")
	if [ "$during" -gt $((before + 1)) ]; then fail qmp-stop-cont "heartbeats went on while stopped ($before -> $during)"
	elif [ "$after" -le "$during" ]; then fail qmp-stop-cont "no heartbeat after cont"
	else echo "PASS $LABEL/qmp-stop-cont"; fi
fi
q quit >/dev/null
for _ in $(seq 1 50); do kill -0 "$VMPID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$VMPID" 2>/dev/null; then
	fail qmp-quit "VMM still running after quit"
else
	wait "$VMPID"
	rc=$?
	VMPID=
	if [ $rc -eq 0 ]; then echo "PASS $LABEL/qmp-quit"; else fail qmp-quit "exit status $rc"; fi
fi
