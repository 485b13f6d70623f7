#!/usr/bin/env bash
# run.sh RUNNER ELF... - run ISA test ELFs and print "PLAN <n> isa/<label>"
# (n: the number of ELFs), then one line per ELF:
#   PASS isa/<label>/<name>   or   FAIL isa/<label>/<name>: <reason>
# RUNNER is `qemu` (qemu-system-riscv64 -M spike, label "qemu") or the path
# of a godwit-vmm binary (label "godwit"). Each run is limited to 30 s.
# A test passes when the runner exits with status 0 and the test printed no
# failure report. On failure the reason names the case: from the test's own
# "ISA-TEST FAIL case N" console line, godwit's "test failed: case N", or
# else the exit status (QEMU exits with the case number modulo 256).
# ISA_SMP=N runs each on N harts (the tests park every hart but hart 0)
# and adds "-smpN" to the label.
# Exit status: 0 only if every ELF passed.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 qemu|PATH-TO-godwit-vmm ELF..." >&2
	exit 2
fi
runner=$1
shift
if [ "$runner" = qemu ]; then
	label=qemu
	cmd=(qemu-system-riscv64 -M spike -m 128M -bios none -kernel)
else
	label=godwit
	cmd=("$runner" -m 128M -bios none -kernel)
fi
TIMEOUT=${ISA_TIMEOUT:-30}
if [ -n "${ISA_SMP:-}" ]; then
	label=$label-smp$ISA_SMP
	cmd=("${cmd[@]:0:${#cmd[@]}-1}" -smp "$ISA_SMP" -kernel)
fi

echo "PLAN $# isa/$label"
status=0
for elf in "$@"; do
	name=$(basename "$elf" .elf)
	if [ ! -f "$elf" ]; then
		echo "FAIL isa/$label/$name: no such file: $elf"
		status=1
		continue
	fi
	out=$(timeout "$TIMEOUT" "${cmd[@]}" "$elf" -nographic </dev/null 2>&1)
	rc=$?
	out=$(printf '%s' "$out" | tr -d '\r')
	if [ $rc -eq 0 ] && ! printf '%s\n' "$out" | grep -q 'ISA-TEST FAIL'; then
		echo "PASS isa/$label/$name"
		continue
	fi
	status=1
	case_no=$(printf '%s\n' "$out" | sed -n 's/.*ISA-TEST FAIL case \([0-9][0-9]*\).*/\1/p' | head -1)
	[ -n "$case_no" ] || case_no=$(printf '%s\n' "$out" | sed -n 's/.*test failed: case \([0-9][0-9]*\).*/\1/p' | head -1)
	detail=$(printf '%s\n' "$out" | grep -m1 'unexpected .*trap' || true)
	if [ $rc -eq 124 ]; then
		reason="timeout after ${TIMEOUT}s"
		[ -n "$case_no" ] && reason="$reason (case $case_no)"
	elif [ -n "$case_no" ]; then
		reason="case $case_no (exit status $rc)"
	elif [ "$label" = qemu ] && [ $rc -ne 0 ] && [ -z "$out" ]; then
		reason="case $rc (exit status $rc)"
	else
		last=$(printf '%s\n' "$out" | grep -v '^$' | tail -1)
		reason="exit status $rc${last:+: $last}"
	fi
	[ -n "$detail" ] && reason="$reason; $detail"
	echo "FAIL isa/$label/$name: $reason"
done
exit $status
