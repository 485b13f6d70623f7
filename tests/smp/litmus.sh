#!/usr/bin/env bash
# smp/litmus.sh VMM LABEL - the bare-metal SMP litmus programs
# (guest/litmus: AMO counters, an LR/SC lock, message passing, SC after
# another hart's store, cross-modifying code) on 2, 4 and 8 harts. VMM
# "qemu" runs them on qemu-system-riscv64 -M virt, which shows the programs
# are right. Prints "PLAN N LABEL", then "PASS LABEL/smpN/TEST" or
# "FAIL LABEL/smpN/TEST: why" per test and hart count. Each run is limited
# to 120 s (a hart that stops making progress fails its test instead: every
# wait in the guest is bounded).
set -uo pipefail
if [ "$1" = qemu ]; then VMM=(qemu-system-riscv64 -M virt); else VMM=("$1"); fi
LABEL=${2:-smp-litmus}
ELF=build/guest/litmus.elf
TESTS="amo-counter lrsc-lock message-pass sc-after-store cross-modify"
SMPS="2 4 8"
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

echo "PLAN $(( $(echo $TESTS | wc -w) * $(echo $SMPS | wc -w) )) $LABEL"
for n in $SMPS; do
	if [ ! -f "$ELF" ]; then
		for t in $TESTS; do echo "FAIL $LABEL/smp$n/$t: $ELF missing (make guests)"; done
		continue
	fi
	timeout 120 "${VMM[@]}" -smp "$n" -m 128M -bios none -kernel "$ELF" -nographic </dev/null >"$OUT" 2>&1
	rc=$?
	harts=$(sed -n 's/^litmus: harts \([0-9]*\).*/\1/p' "$OUT" | tr -d '\r')
	for t in $TESTS; do
		line=$(grep "^litmus: $t " "$OUT" | head -1 | tr -d '\r')
		if [ "$harts" != "$n" ]; then
			echo "FAIL $LABEL/smp$n/$t: the guest saw '${harts:-no}' harts (exit status $rc)"
		elif [ "$line" = "litmus: $t ok" ]; then
			echo "PASS $LABEL/smp$n/$t"
		elif [ -n "$line" ]; then
			echo "FAIL $LABEL/smp$n/$t: ${line#litmus: }"
		else
			echo "FAIL $LABEL/smp$n/$t: no result (exit status $rc: $(tail -1 "$OUT" | tr -d '\r'))"
		fi
	done
	# the finisher's verdict must agree with the lines: 0 only if all passed
	if [ $rc -ne 0 ] && ! grep -q FAIL "$OUT"; then
		echo "FAIL $LABEL/smp$n/exit: exit status $rc with every test ok"
	fi
done
