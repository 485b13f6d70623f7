#!/usr/bin/env bash
# smp/linux.sh VMM LABEL - the Linux guest (guest/linux) on 2, 4 and 8
# harts: it boots to its heartbeat and powers off cleanly, the kernel
# brings up every CPU and /proc/cpuinfo lists each of them, and the
# all-CPU workload (godwit.smp=N with godwit.dirty: N threads taking turns
# on shared memory under a mutex, a spin lock and atomics, each rewriting
# and checking its own memory) reports verify OK every second and never
# FAIL. VMM "qemu" runs the same on qemu-system-riscv64 -M virt. Prints
# "PLAN N LABEL", then "PASS LABEL/smpN/name" or "FAIL ...: why".
set -uo pipefail
if [ "$1" = qemu ]; then VMM=(qemu-system-riscv64 -M virt); else VMM=("$1"); fi
LABEL=${2:-smp-linux}
FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
IMG=build/guest/linux/Image
INITRD=build/guest/linux/initramfs.cpio.gz
SMPS="2 4 8"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

# boot-poweroff, cpus, workload per hart count
echo "PLAN $(( 3 * $(echo $SMPS | wc -w) )) $LABEL"
for n in $SMPS; do
	if [ ! -f "$IMG" ] || [ ! -f "$INITRD" ]; then
		for t in boot-poweroff cpus workload; do
			echo "FAIL $LABEL/smp$n/$t: $IMG or $INITRD missing (make guest-linux)"
		done
		continue
	fi
	timeout 120 "${VMM[@]}" -smp "$n" -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
		-append "console=ttyS0 godwit.smp=$n godwit.dirty=16,32 godwit.poweroff_after=6" \
		-nographic </dev/null >"$OUT" 2>&1
	rc=$?
	tr -d '\r' <"$OUT" >"$OUT.c" && mv "$OUT.c" "$OUT"
	why="exit status $rc: $(tail -1 "$OUT")"
	if [ $rc -eq 0 ] && grep -q '^heartbeat ' "$OUT" && grep -q 'reboot: Power down' "$OUT"; then
		echo "PASS $LABEL/smp$n/boot-poweroff"
	else
		echo "FAIL $LABEL/smp$n/boot-poweroff: $why"
	fi
	if grep -q "smp: Brought up 1 node, $n CPUs" "$OUT" &&
		grep -q "^smp: $n cpus online, $n in /proc/cpuinfo" "$OUT"; then
		echo "PASS $LABEL/smp$n/cpus"
	else
		echo "FAIL $LABEL/smp$n/cpus: $(grep -E '^smp: (Brought|[0-9]+ cpus)' "$OUT" | tr '\n' ' ')"
	fi
	oks=$(grep -c "^smp: $n threads, .* verify OK" "$OUT")
	if grep -q 'verify FAIL\|^smp: FAIL' "$OUT"; then
		echo "FAIL $LABEL/smp$n/workload: $(grep -m1 'FAIL' "$OUT")"
	elif [ "$oks" -lt 2 ]; then
		echo "FAIL $LABEL/smp$n/workload: only $oks 'verify OK' lines ($why)"
	else
		echo "PASS $LABEL/smp$n/workload"
	fi
done
