#!/usr/bin/env bash
# run.sh - the whole test suite, as `make check` runs it after building.
#
# Every suite prints one line per test: "PASS name" or "FAIL name: why"
# (or "SKIP name: why"). This script runs them all - the normal build and
# the AddressSanitizer + UndefinedBehaviorSanitizer build - keeps a log in
# build/test.log, and ends with the line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

LOG=build/test.log
mkdir -p build
: >"$LOG"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

emit() { tee -a "$LOG"; }

# cmocka TAP output -> PASS/FAIL lines; a crash or missing plan is a failure.
unit_suite() { # build-dir label
	local dir=$1 label=$2 bin name out rc
	for bin in "$dir"/tests/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$bin" 2>&1)
		rc=$?
		printf '%s\n' "$out" | awk -v p="$label/$name" '
			/^(not )?ok [0-9]+ # SKIP / { print "SKIP " p "/" $NF ": skipped by the test"; n++; next }
			/^ok [0-9]+ - / { sub(/^ok [0-9]+ - /, ""); print "PASS " p "/" $0; n++ }
			/^not ok [0-9]+ - / { sub(/^not ok [0-9]+ - /, ""); print "FAIL " p "/" $0; n++ }
			END { if (n == 0) print "FAIL " p ": no test results" }'
		if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
			echo "FAIL $label/$name: exit status $rc"
			printf '%s\n' "$out" | tail -20 | sed 's/^/    /' >&2
		fi
	done
}

echo "== unit tests" >&2
unit_suite build unit | emit
echo "== unit tests (ASan+UBSan)" >&2
unit_suite build/asan unit-asan | emit
echo "== command line and loader" >&2
tests/cli/run.sh build/godwit-vmm cli | emit
tests/cli/run.sh build/asan/godwit-vmm cli-asan | emit
echo "== godwit migrate (the command line) driving QEMU 7.2 migrations" >&2
tests/cli/migrate_qemu.sh build/godwit migrate-qemu | emit
echo "== QMP: the same session against QEMU and godwit-vmm" >&2
python3 tests/qmp/compat.py build/godwit-vmm | emit
python3 tests/qmp/compat.py --label qmp-compat-asan build/asan/godwit-vmm | emit
echo "== the VMM as a managed process: consoles, stuck readers, daemon, signals, log" >&2
python3 tests/vmm/managed.py build/godwit-vmm managed | emit
python3 tests/vmm/managed.py build/asan/godwit-vmm managed-asan | emit
python3 tests/vmm/managed.py qemu managed-qemu | emit
echo "== firmware boot (OpenSBI -> S-mode payload)" >&2
tests/boot/run.sh build/godwit-vmm boot | emit
tests/boot/run.sh build/asan/godwit-vmm boot-asan | emit
tests/boot/run.sh qemu boot-qemu | emit
echo "== Linux guest" >&2
tests/linux/run.sh build/godwit-vmm linux | emit
tests/linux/run.sh build/asan/godwit-vmm linux-asan | emit
tests/linux/run.sh qemu linux-qemu | emit
tests/linux/net.sh build/godwit-vmm linux-net | emit
tests/linux/net.sh build/asan/godwit-vmm linux-net-asan | emit
tests/linux/net.sh qemu linux-net-qemu | emit
echo "== live migration (migtest and the Linux guest, between VMM processes)" >&2
tests/migration/run.sh build/godwit-vmm migration | emit
tests/migration/run.sh build/asan/godwit-vmm migration-asan | emit
python3 tests/migration/converge.py build/godwit-vmm migration-converge | emit
python3 tests/migration/converge.py build/asan/godwit-vmm migration-converge-asan | emit
echo "== live migration: faults at every phase, hostile streams, fuzzing" >&2
python3 tests/migration/faults.py build/godwit-vmm | emit
python3 tests/migration/faults.py --label migration-faults-asan build/asan/godwit-vmm | emit
python3 tests/migration/hostile.py build/godwit-vmm | emit
python3 tests/migration/hostile.py --label migration-hostile-asan build/asan/godwit-vmm | emit
tests/fuzz/run.sh 20 | emit
echo "== ISA tests" >&2
elfs=(build/isa/*.elf)
if [ -e "${elfs[0]}" ]; then
	tests/isa/run.sh build/godwit-vmm "${elfs[@]}" | emit
	tests/isa/run.sh qemu "${elfs[@]}" | emit
	tests/isa/run.sh build/asan/godwit-vmm "${elfs[@]}" | sed -e 's#^PASS isa/godwit/#PASS isa/godwit-asan/#' -e 's#^FAIL isa/godwit/#FAIL isa/godwit-asan/#' | emit
else
	echo "FAIL isa: no ISA test ELFs were built" | emit
fi

passed=$(grep -c '^PASS ' "$LOG")
failed=$(grep -c '^FAIL ' "$LOG")
skipped=$(grep -c '^SKIP ' "$LOG")
if [ "$failed" -gt 0 ]; then
	echo "failed tests:" >&2
	grep '^FAIL ' "$LOG" >&2
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
