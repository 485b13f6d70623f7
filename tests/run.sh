#!/usr/bin/env bash
# run.sh - the whole test suite, as `make check` runs it after building.
#
# Every suite prints "PLAN N LABEL" (how many cases it has), then one line
# per test: "PASS name" or "FAIL name: why" (or "SKIP name: why"). This
# script runs them all - the normal build and the AddressSanitizer +
# UndefinedBehaviorSanitizer build - through `suite` (tests/lib/suite.sh),
# which adds a FAIL line for a suite that declared no plan, reported fewer
# cases than it declared or exited non-zero without a FAIL line; keeps a log
# in build/test.log; and ends with the line "N passed, N failed, N skipped".
# tests/run_selftest.sh checks that accounting first.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=lib/suite.sh
. tests/lib/suite.sh

LOG=build/test.log
mkdir -p build
: >"$LOG"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

emit() { tee -a "$LOG"; }

# unit_one BIN NAME: one cmocka binary, its TAP output as PLAN/PASS/FAIL/SKIP
# lines (a test that skips may say why on a "# skip TEST: why" line first).
unit_one() {
	local out rc
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$1" 2>&1)
	rc=$?
	printf '%s\n' "$out" | awk -v p="$2" '
		/^1\.\.[0-9]+/ { n = $1; sub(/^1\.\./, "", n); print "PLAN " n " " p; next }
		/^# skip [^ :]+: / { s = $0; sub(/^# skip /, "", s); i = index(s, ":")
			why[substr(s, 1, i - 1)] = substr(s, i + 2); next }
		/^(not )?ok [0-9]+ # SKIP / { t = $NF
			print "SKIP " p "/" t ": " (t in why ? why[t] : "skipped by the test"); next }
		/^ok [0-9]+ - / { sub(/^ok [0-9]+ - /, ""); print "PASS " p "/" $0 }
		/^not ok [0-9]+ - / { sub(/^not ok [0-9]+ - /, ""); print "FAIL " p "/" $0 }'
	[ $rc -eq 0 ] || printf '%s\n' "$out" | tail -20 | sed 's/^/    /' >&2
	return $rc
}

unit_suite() { # build-dir label
	local dir=$1 label=$2 bin name
	for bin in "$dir"/tests/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		suite "$label/$name" unit_one "$bin" "$label/$name"
	done
}

# the ISA tests on the ASan build, labelled as such
isa_asan() {
	tests/isa/run.sh build/asan/godwit-vmm "$@" | sed -e 's#^PASS isa/godwit/#PASS isa/godwit-asan/#' \
		-e 's#^FAIL isa/godwit/#FAIL isa/godwit-asan/#' -e 's#^PLAN \([0-9]*\) isa/godwit$#PLAN \1 isa/godwit-asan#'
}

echo "== the accounting of this script" >&2
suite run-selftest tests/run_selftest.sh | emit
echo "== unit tests" >&2
unit_suite build unit | emit
echo "== unit tests (ASan+UBSan)" >&2
unit_suite build/asan unit-asan | emit
echo "== command line and loader" >&2
suite cli tests/cli/run.sh build/godwit-vmm cli | emit
suite cli-asan tests/cli/run.sh build/asan/godwit-vmm cli-asan | emit
echo "== godwit migrate (the command line) driving QEMU 7.2 migrations" >&2
suite migrate-qemu tests/cli/migrate_qemu.sh build/godwit migrate-qemu | emit
echo "== QMP: the same session against QEMU and godwit-vmm" >&2
suite qmp-compat python3 tests/qmp/compat.py build/godwit-vmm | emit
suite qmp-compat-asan python3 tests/qmp/compat.py --label qmp-compat-asan build/asan/godwit-vmm | emit
echo "== the VMM as a managed process: consoles, stuck readers, daemon, signals, log" >&2
suite managed python3 tests/vmm/managed.py build/godwit-vmm managed | emit
suite managed-asan python3 tests/vmm/managed.py build/asan/godwit-vmm managed-asan | emit
suite managed-qemu python3 tests/vmm/managed.py qemu managed-qemu | emit
echo "== firmware boot (OpenSBI -> S-mode payload)" >&2
suite boot tests/boot/run.sh build/godwit-vmm boot | emit
suite boot-asan tests/boot/run.sh build/asan/godwit-vmm boot-asan | emit
suite boot-qemu tests/boot/run.sh qemu boot-qemu | emit
echo "== Linux guest" >&2
suite linux tests/linux/run.sh build/godwit-vmm linux | emit
suite linux-asan tests/linux/run.sh build/asan/godwit-vmm linux-asan | emit
suite linux-qemu tests/linux/run.sh qemu linux-qemu | emit
suite linux-net tests/linux/net.sh build/godwit-vmm linux-net | emit
suite linux-net-asan tests/linux/net.sh build/asan/godwit-vmm linux-net-asan | emit
suite linux-net-qemu tests/linux/net.sh qemu linux-net-qemu | emit
echo "== storage migration: drive-mirror and block jobs (the same session on QEMU), disk errors" >&2
suite mirror python3 tests/block/mirror.py build/godwit-vmm --label mirror | emit
# (ASan: the cases that take the most distinct code paths; all of them run above)
suite mirror-asan python3 tests/block/mirror.py build/asan/godwit-vmm --label mirror-asan \
	--cases pivot,cancel-after,target-io-error,source-read-error,io-error-stop | emit
suite mirror-qemu python3 tests/block/mirror.py qemu --label mirror-qemu | emit
echo "== the emulated long-distance link: delay daemon, RTT accuracy, one TCP stream" >&2
suite wan tests/net/wan.sh build/godwit-netdelay wan | emit
suite wan-asan tests/net/wan.sh build/asan/godwit-netdelay wan-asan | emit
echo "== SMP: litmus programs and the Linux guest on 2, 4 and 8 harts" >&2
suite smp-litmus tests/smp/litmus.sh build/godwit-vmm smp-litmus | emit
suite smp-litmus-asan tests/smp/litmus.sh build/asan/godwit-vmm smp-litmus-asan | emit
suite smp-litmus-qemu tests/smp/litmus.sh qemu smp-litmus-qemu | emit
suite smp-linux tests/smp/linux.sh build/godwit-vmm smp-linux | emit
suite smp-linux-qemu tests/smp/linux.sh qemu smp-linux-qemu | emit
echo "== live migration (migtest and the Linux guest, between VMM processes)" >&2
suite migration tests/migration/run.sh build/godwit-vmm migration | emit
suite migration-asan tests/migration/run.sh build/asan/godwit-vmm migration-asan | emit
suite migration-converge python3 tests/migration/converge.py build/godwit-vmm migration-converge | emit
suite migration-converge-asan python3 tests/migration/converge.py build/asan/godwit-vmm migration-converge-asan | emit
echo "== live migration: faults at every phase, hostile streams, fuzzing" >&2
suite migration-faults python3 tests/migration/faults.py build/godwit-vmm | emit
suite migration-faults-asan python3 tests/migration/faults.py --label migration-faults-asan build/asan/godwit-vmm | emit
suite migration-faults-smp python3 tests/migration/faults.py --smp 4 --label migration-faults-smp build/godwit-vmm | emit
suite migration-hostile python3 tests/migration/hostile.py build/godwit-vmm | emit
suite migration-hostile-asan python3 tests/migration/hostile.py --label migration-hostile-asan build/asan/godwit-vmm | emit
suite migration-godwit-faults python3 tests/migration/godwit_faults.py build/godwit-vmm | emit
suite migration-godwit-faults-asan python3 tests/migration/godwit_faults.py --label migration-godwit-faults-asan build/asan/godwit-vmm | emit
suite migration-disks python3 tests/migration/disks.py build/godwit-vmm | emit
suite migration-disks-asan python3 tests/migration/disks.py --label migration-disks-asan build/asan/godwit-vmm | emit
suite migration-storage python3 tests/migration/storage.py build/godwit-vmm | emit
# (ASan: the migtest cases, whose disk sections take every path of disk.c;
# the Linux guest's 3-minute workload runs on the normal build above)
suite migration-storage-asan python3 tests/migration/storage.py --label migration-storage-asan \
	--only '^(?!linux-)' build/asan/godwit-vmm | emit
suite fuzz/migration tests/fuzz/run.sh 20 | emit
echo "== ISA tests" >&2
elfs=(build/isa/*.elf)
if [ -e "${elfs[0]}" ]; then
	suite isa/godwit tests/isa/run.sh build/godwit-vmm "${elfs[@]}" | emit
	ISA_SMP=4 suite isa/godwit-smp4 tests/isa/run.sh build/godwit-vmm "${elfs[@]}" | emit
	ISA_SMP=4 suite isa/qemu-smp4 tests/isa/run.sh qemu "${elfs[@]}" | emit
	suite isa/qemu tests/isa/run.sh qemu "${elfs[@]}" | emit
	suite isa/godwit-asan isa_asan "${elfs[@]}" | emit
else
	echo "FAIL isa: no ISA test ELFs were built" | emit
fi

if grep -q '^FAIL ' "$LOG"; then
	echo "failed tests:" >&2
	grep '^FAIL ' "$LOG" >&2
fi
suite_summary "$LOG"
