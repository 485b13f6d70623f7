#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] - build and run the migration-stream fuzzer
# (tests/fuzz/fuzz_migration.c) for SECONDS (default 30), starting from the
# seed streams in tests/fuzz/corpus. New inputs go to build/fuzz/corpus (the
# checked-in seeds are never written); a crash leaves its input in
# build/fuzz/artifacts/ and the sanitizer report in build/fuzz/fuzz.log.
#
# Prints "PASS fuzz/migration: N runs, no crash" or "FAIL fuzz/migration: why";
# exits 1 on a failure. Reproduce a crash with
#     build/fuzz/fuzz_migration build/fuzz/artifacts/crash-...
set -uo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-30}
LABEL=fuzz/migration
OUT=build/fuzz
LOG=$OUT/fuzz.log

echo "PLAN 1 $LABEL"
mkdir -p "$OUT"
if ! make -s fuzz >"$OUT/build.log" 2>&1; then
	echo "FAIL $LABEL: the fuzzer does not build (see $OUT/build.log)"
	tail -5 "$OUT/build.log" | sed 's/^/    /' >&2
	exit 1
fi
mkdir -p "$OUT/corpus" "$OUT/artifacts"
# -max_len: the seeds are ~100 KB (the boot ROM alone is 60 KiB);
# -timeout: no single input may take a second (the loader never waits on a
# closed peer); rss limit: the loader allocates at most a few MiB per input
ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	timeout -k 10 $((SECS + 120)) "$OUT/fuzz_migration" \
	-max_total_time="$SECS" -max_len=262144 -timeout=5 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$OUT/artifacts/" \
	"$OUT/corpus" tests/fuzz/corpus >"$LOG" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG" | tail -1)
if [ $rc -eq 0 ] && [ -n "$runs" ]; then
	echo "PASS $LABEL: $runs runs, no crash"
	exit 0
fi
why=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|fuzz_migration: ' "$LOG")
art=$(sed -n 's/.*Test unit written to //p' "$LOG" | tail -1)
[ $rc -eq 124 ] && why="timed out"
echo "FAIL $LABEL: exit status $rc${why:+: $why}${art:+ (input: $art)}"
grep -A 25 -m1 -E 'ERROR: |runtime error:' "$LOG" | sed 's/^/    /' >&2
exit 1
