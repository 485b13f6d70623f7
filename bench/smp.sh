#!/usr/bin/env bash
# bench/smp.sh - multi-hart benchmark, godwit-vmm against QEMU 7.2 (MTTCG)
# in one run, same images on both:
#
#   boot      wall time from starting the VMM to the Linux guest's first
#             heartbeat line, with -smp 1, 2 and 4 (median of RUNS);
#   idle      host CPU (user+sys from /proc/PID/stat) of an idle booted
#             4-hart Linux guest over IDLE_S seconds, in % of one core;
#   parallel  bench/cpu's compute and store workloads, a fixed amount of
#             work split over 1 or 2 harts (bench/smp/par.c), wall time
#             (median of RUNS), checksums equal on both VMMs; built twice:
#             data on pages of its own, and data right after the code as
#             bench/cpu links it (see docs/bench-smp.md);
#   migrate   bench/migrate.py --smp 4: the migtest guest on 4 harts (hart 0
#             dirtying 100 MB/s, the others each rewriting a page per
#             period) migrated over loopback, 256 MiB.
# Writes the tables into docs/bench-smp.md between the result markers.
# Usage: bench/smp.sh [-n RUNS] [-w IDLE_S] [--no-doc] [--skip-migrate]
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

RUNS=3
IDLE_S=10
DOC=docs/bench-smp.md
WRITE_DOC=1
MIGRATE=1
while [ $# -gt 0 ]; do
	case "$1" in
	-n) RUNS=$2; shift 2 ;;
	-w) IDLE_S=$2; shift 2 ;;
	--no-doc) WRITE_DOC=0; shift ;;
	--skip-migrate) MIGRATE=0; shift ;;
	-h | --help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "smp.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || { echo "smp.sh: -n wants 1..99" >&2; exit 2; }

FW=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
IMG=build/guest/linux/Image
INITRD=build/guest/linux/initramfs.cpio.gz
for f in "$IMG" "$INITRD" build/godwit-vmm build/bench/smp-cpu.elf build/bench/smp-cpu-shared.elf \
	build/bench/smp-store.elf build/bench/smp-store-shared.elf; do
	[ -e "$f" ] || { echo "smp.sh: $f missing (make all guest-linux \$(SMP_BENCH_ELFS))" >&2; exit 1; }
done
TMP=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
TICK=$(getconf CLK_TCK)

vmm() { # qemu|godwit: the command
	if [ "$1" = qemu ]; then echo "qemu-system-riscv64 -M virt"; else echo "build/godwit-vmm"; fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "FAIL" }'; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# linux VM SMP [IDLE]: boot seconds to the first heartbeat; with IDLE, then
# the idle CPU % over IDLE_S seconds ("BOOT IDLE"); FAIL on trouble
linux() {
	local vm=$1 n=$2 idle=${3:-} out="$TMP/out" t0 t1 c0 c1 i
	: >"$out"
	# shellcheck disable=SC2046
	$(vmm "$vm") -smp "$n" -m 256M -bios "$FW" -kernel "$IMG" -initrd "$INITRD" \
		-append "console=ttyS0" -nographic </dev/null >"$out" 2>&1 &
	PID=$!
	t0=$EPOCHREALTIME
	for ((i = 0; i < 6000; i++)); do
		grep -q '^heartbeat 1 ' "$out" && break
		kill -0 $PID 2>/dev/null || break
		sleep 0.01
	done
	t1=$EPOCHREALTIME
	if ! grep -q '^heartbeat 1 ' "$out"; then
		kill $PID 2>/dev/null; wait $PID 2>/dev/null; PID=
		echo FAIL; return
	fi
	if [ -n "$idle" ]; then
		sleep 3 # the rest of the boot settles (init, first timers)
		c0=$(cpu_ticks $PID)
		sleep "$IDLE_S"
		c1=$(cpu_ticks $PID)
	fi
	kill $PID 2>/dev/null; wait $PID 2>/dev/null; PID=
	if [ -n "$idle" ]; then
		awk -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" -v t="$TICK" -v s="$IDLE_S" \
			'BEGIN { printf "%.3f %.2f\n", b - a, (d - c) / t / s * 100 }'
	else
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
	fi
}

# par VM ELF SMP: "SECONDS CHECKSUM" or FAIL
par() {
	local t0 t1 out
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2046
	out=$(timeout 300 $(vmm "$1") -smp "$3" -m 256M -bios none -kernel "$2" -nographic </dev/null 2>&1) || { echo FAIL; return; }
	t1=$EPOCHREALTIME
	local sum
	sum=$(printf '%s\n' "$out" | sed -n "s/^par: harts $3 checksum \([0-9a-f]*\).*/\1/p" | tr -d '\r')
	[ -n "$sum" ] || { echo FAIL; return; }
	awk -v a="$t0" -v b="$t1" -v s="$sum" 'BEGIN { printf "%.3f %s\n", b - a, s }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "FAIL" || b == "FAIL" || b == 0) print "-"; else printf "%.2fx", a / b }'; }

echo "== boot to the first heartbeat, $RUNS runs each" >&2
declare -A BOOT IDLE
for n in 1 2 4; do
	for vm in qemu godwit; do
		for ((r = 0; r < RUNS; r++)); do linux $vm $n; done >"$TMP/boot"
		BOOT[$vm,$n]=$(median <"$TMP/boot")
		echo "   -smp $n $vm: ${BOOT[$vm,$n]} s (runs: $(tr '\n' ' ' <"$TMP/boot"))" >&2
	done
done
echo "== idle 4-hart guest, ${IDLE_S} s" >&2
for vm in qemu godwit; do
	read -r _ IDLE[$vm] <<<"$(linux $vm 4 idle)"
	echo "   $vm: ${IDLE[$vm]} % of a core" >&2
done

echo "== parallel workloads, $RUNS runs each" >&2
declare -A PAR SUM
for w in cpu store; do
	for layout in "" -shared; do
		for n in 1 2; do
			for vm in qemu godwit; do
				: >"$TMP/par"
				for ((r = 0; r < RUNS; r++)); do
					set -- $(par $vm "build/bench/smp-$w$layout.elf" $n)
					echo "$1" >>"$TMP/par"
					SUM[$w$layout,$n,$vm]=${2:-none}
				done
				PAR[$w$layout,$n,$vm]=$(median <"$TMP/par")
				echo "   $w$layout -smp $n $vm: ${PAR[$w$layout,$n,$vm]} s" \
					"(runs: $(tr '\n' ' ' <"$TMP/par"), checksum ${SUM[$w$layout,$n,$vm]})" >&2
			done
		done
	done
done

MIG=""
if [ $MIGRATE = 1 ]; then
	echo "== migration of a 4-hart guest (bench/migrate.py --smp 4)" >&2
	MIG=$(python3 bench/migrate.py --smp 4 --sizes 256 --workloads dirty100 --links loopback \
		--systems godwit,qemu -n "$RUNS" --no-doc --warm-gib 0 -o build/bench/migrate-smp 2>&1 |
		sed -n '/^| RAM | workload | system/,/^$/p; /^All runs/p; /^- loopback/p')
fi

{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //') ($(nproc) CPUs), load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "QEMU: $(qemu-system-riscv64 --version | head -1); godwit: tree $(git rev-parse --short HEAD)$(git diff --quiet || echo ' with uncommitted changes'). Medians of $RUNS runs."
	echo
	echo "### Linux boot to the first heartbeat (s)"
	echo
	echo "| -smp | QEMU | godwit | QEMU / godwit |"
	echo "|---:|---:|---:|---:|"
	for n in 1 2 4; do
		echo "| $n | ${BOOT[qemu,$n]} | ${BOOT[godwit,$n]} | $(ratio "${BOOT[qemu,$n]}" "${BOOT[godwit,$n]}") |"
	done
	echo
	echo "### Idle 4-hart Linux guest: host CPU over ${IDLE_S} s (% of one core)"
	echo
	echo "| QEMU | godwit |"
	echo "|---:|---:|"
	echo "| ${IDLE[qemu]} | ${IDLE[godwit]} |"
	echo
	echo "### Parallel workloads (s; the same total work on 1 and 2 harts)"
	echo
	echo "| workload | layout | harts | QEMU | godwit | QEMU / godwit | godwit speedup 1 -> 2 | QEMU speedup 1 -> 2 | checksums equal |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
	for w in cpu store; do
		for layout in "" -shared; do
			for n in 1 2; do
				local_l=${layout:+"data after code"}
				su="-"; sq="-"
				if [ $n = 2 ]; then
					su=$(ratio "${PAR[$w$layout,1,godwit]}" "${PAR[$w$layout,2,godwit]}")
					sq=$(ratio "${PAR[$w$layout,1,qemu]}" "${PAR[$w$layout,2,qemu]}")
				fi
				eq=no
				[ "${SUM[$w$layout,$n,qemu]}" = "${SUM[$w$layout,$n,godwit]}" ] && eq=yes
				echo "| $w | ${local_l:-data on own pages} | $n | ${PAR[$w$layout,$n,qemu]} | ${PAR[$w$layout,$n,godwit]} |" \
					"$(ratio "${PAR[$w$layout,$n,qemu]}" "${PAR[$w$layout,$n,godwit]}") | $su | $sq | $eq |"
			done
		done
	done
	if [ -n "$MIG" ]; then
		echo
		echo "### Migration of a 4-hart guest dirtying ~100 MB/s (256 MiB, loopback)"
		echo
		printf '%s\n' "$MIG"
	fi
} >"$TMP/table"
cat "$TMP/table"

if [ $WRITE_DOC = 1 ]; then
	BEGIN='<!-- BEGIN bench-smp results: generated by bench/smp.sh, do not edit by hand -->'
	END='<!-- END bench-smp results -->'
	if ! grep -qF "$BEGIN" "$DOC" 2>/dev/null; then
		echo "smp.sh: $DOC has no result markers; results not written" >&2
		exit 0
	fi
	awk -v b="$BEGIN" -v e="$END" -v f="$TMP/table" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$DOC" >"$TMP/doc" && mv "$TMP/doc" "$DOC"
	echo "smp.sh: results written into $DOC" >&2
fi
