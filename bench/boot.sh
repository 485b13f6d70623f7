#!/usr/bin/env bash
# boot.sh - Linux boot time and idle host CPU, godwit-vmm against QEMU TCG,
# same firmware, kernel and initramfs, same run.
#
#   boot: wall time from starting the VMM to the guest's first heartbeat
#         line on the console (OpenSBI + kernel + init);
#   idle: host CPU (user+sys, from /proc/PID/stat) the VMM uses over a
#         window while the booted guest idles (it wakes every 100 ms for its
#         heartbeat), as a percentage of one core.
# Prints a table and writes it into docs/bench-boot.md between the result
# markers. Usage: bench/boot.sh [-n RUNS] [-w IDLE_SECONDS] [--no-doc]
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=5
IDLE_S=5
DOC=docs/bench-boot.md
WRITE_DOC=1
while [ $# -gt 0 ]; do
	case "$1" in
	-n) RUNS=$2; shift 2 ;;
	-w) IDLE_S=$2; shift 2 ;;
	--no-doc) WRITE_DOC=0; shift ;;
	-h | --help) sed -n '2,12p' "$0"; exit 0 ;;
	*) echo "boot.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
IMG=build/guest/linux/Image
INITRD=build/guest/linux/initramfs.cpio.gz
[ -f "$IMG" ] || { echo "boot.sh: $IMG missing: run make guest-linux" >&2; exit 1; }
[ -x build/godwit-vmm ] || { echo "boot.sh: build/godwit-vmm missing: run make" >&2; exit 1; }
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
TICK=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# one run: prints "BOOT_SECONDS IDLE_PERCENT" or "FAIL"
run_one() {
	local vm=$1 out="$TMP/out" t0 t1 c0 c1 i
	: >"$out"
	if [ "$vm" = qemu ]; then
		qemu-system-riscv64 -M virt -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
			-append "console=ttyS0" -nographic </dev/null >"$out" 2>&1 &
	else
		build/godwit-vmm -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
			-append "console=ttyS0" -nographic </dev/null >"$out" 2>&1 &
	fi
	PID=$!
	t0=$(date +%s%N)
	for ((i = 0; i < 3000; i++)); do
		grep -q '^heartbeat 1 ' "$out" && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.01
	done
	t1=$(date +%s%N)
	if ! grep -q '^heartbeat 1 ' "$out"; then
		kill $PID 2>/dev/null; wait $PID 2>/dev/null; PID=
		echo FAIL
		return
	fi
	sleep 1 # let boot-time work settle
	c0=$(cpu_ticks $PID)
	sleep "$IDLE_S"
	c1=$(cpu_ticks $PID)
	kill $PID 2>/dev/null; wait $PID 2>/dev/null || true; PID=
	awk -v a="$t0" -v b="$t1" -v c0="$c0" -v c1="$c1" -v hz="$TICK" -v w="$IDLE_S" \
		'BEGIN { printf "%.3f %.1f\n", (b - a) / 1e9, (c1 - c0) / hz / w * 100 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A BOOT IDLE
for vm in qemu godwit; do : >"$TMP/$vm.boot"; : >"$TMP/$vm.idle"; done
for ((r = 1; r <= RUNS; r++)); do
	for vm in qemu godwit; do
		res=$(run_one $vm)
		echo "run $r $vm: $res" >&2
		[ "$res" = FAIL ] && continue
		echo "${res% *}" >>"$TMP/$vm.boot"
		echo "${res#* }" >>"$TMP/$vm.idle"
	done
done
for vm in qemu godwit; do
	BOOT[$vm]=$(median <"$TMP/$vm.boot")
	IDLE[$vm]=$(median <"$TMP/$vm.idle")
done
ratio=$(awk -v q="${BOOT[qemu]}" -v g="${BOOT[godwit]}" 'BEGIN { if (g > 0 && q > 0) printf "%.2fx", q / g; else print "-" }')

table=$(cat <<TXT
Run of $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/boot.sh -n $RUNS -w $IDLE_S\`, medians of $RUNS runs.

| | QEMU 7.2 TCG | godwit | godwit speed-up |
|---|---:|---:|---:|
| boot to first heartbeat (s) | ${BOOT[qemu]} | ${BOOT[godwit]} | $ratio |
| idle host CPU (% of a core) | ${IDLE[qemu]} | ${IDLE[godwit]} | |

Host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs; $(qemu-system-riscv64 --version | head -1); guest: Linux $(strings "$IMG" | grep -m1 -o 'Linux version [0-9.]*' | cut -d' ' -f3), 256 MiB, OpenSBI fw_jump.
TXT
)
echo "$table"
if [ "$WRITE_DOC" = 1 ] && [ -f "$DOC" ]; then
	awk -v t="$table" '/<!-- results:begin -->/ { print; print t; skip = 1; next }
		/<!-- results:end -->/ { skip = 0 } !skip' "$DOC" >"$TMP/doc" && cp "$TMP/doc" "$DOC"
	echo "== results written to $DOC" >&2
fi
