#!/usr/bin/env bash
# boot/run.sh VMM LABEL - firmware boot tests: Debian's OpenSBI (fw_jump and
# fw_dynamic) boots on the virt board and hands over to an S-mode payload
# (build/guest/sbi-hello.elf), which prints through SBI, checks the time CSR
# and powers off through SBI system reset. VMM is a godwit-vmm binary or
# "qemu" (the same command line on qemu-system-riscv64 -M virt).
# Prints "PLAN 2 LABEL" first, then "PASS LABEL/name" or "FAIL LABEL/name:
# why" per test.
set -uo pipefail
VMM=$1
LABEL=${2:-boot}
echo "PLAN 2 $LABEL" # fw_jump, fw_dynamic
FW_DIR=/usr/lib/riscv64-linux-gnu/opensbi/generic
PAYLOAD=build/guest/sbi-hello.elf
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

run() { # firmware
	if [ "$VMM" = qemu ]; then
		timeout 60 qemu-system-riscv64 -M virt -m 128M -bios "$FW_DIR/$1.bin" \
			-kernel "$PAYLOAD" -nographic </dev/null >"$OUT" 2>&1
	else
		timeout 60 "$VMM" -m 128M -bios "$FW_DIR/$1.bin" -kernel "$PAYLOAD" \
			-nographic </dev/null >"$OUT" 2>&1
	fi
}

for fw in fw_jump fw_dynamic; do
	name="$LABEL/opensbi-$fw"
	if [ ! -f "$FW_DIR/$fw.bin" ] || [ ! -f "$PAYLOAD" ]; then
		echo "FAIL $name: missing $FW_DIR/$fw.bin or $PAYLOAD"
		continue
	fi
	run "$fw"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: exit status $rc: $(tail -3 "$OUT" | tr '\n' ' ')"
	elif ! grep -q '^OpenSBI v' "$OUT"; then
		echo "FAIL $name: no OpenSBI banner"
	elif ! grep -q 'Boot HART Base ISA *: rv64imafdc' "$OUT"; then
		echo "FAIL $name: OpenSBI did not detect rv64imafdc"
	elif ! grep -q 'sbi-hello: running in S-mode' "$OUT" ||
		! grep -q 'sbi-hello: time advances; shutting down' "$OUT"; then
		echo "FAIL $name: payload output missing: $(grep sbi-hello "$OUT" | tr '\n' ' ')"
	else
		echo "PASS $name"
	fi
done
