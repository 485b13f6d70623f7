#!/usr/bin/env bash
# run_selftest.sh - the accounting of tests/run.sh (tests/lib/suite.sh)
# against fake suites: each fake suite runs through `suite`, and the
# summary of what it left must be the expected "N passed, N failed, N
# skipped". A suite that crashes before printing, prints fewer cases than
# it declared, or exits non-zero after PASS lines must count as failed;
# honest suites must count exactly their own lines.
#
# SUITE_LIB=FILE tests another implementation of suite/suite_summary (to
# show that the old accounting, which only counted lines, fails here).
# Prints "PLAN N run-selftest", then "PASS run-selftest/name" or
# "FAIL run-selftest/name: why"; exits 1 if a case failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=lib/suite.sh
. "${SUITE_LIB:-tests/lib/suite.sh}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LABEL=run-selftest
FAILED=0

# name | body of the fake suite | expected summary
CASES=(
	'crash-before-output|kill -SEGV $$|0 passed, 1 failed, 0 skipped'
	'crash-after-plan|echo "PLAN 2 x"; echo "PASS x/a"; kill -SEGV $$|1 passed, 1 failed, 0 skipped'
	'fewer-than-declared|echo "PLAN 3 x"; echo "PASS x/a"; echo "PASS x/b"|2 passed, 1 failed, 0 skipped'
	'nonzero-after-pass|echo "PLAN 2 x"; echo "PASS x/a"; echo "PASS x/b"; exit 3|2 passed, 1 failed, 0 skipped'
	'no-plan|echo "PASS x/a"|1 passed, 1 failed, 0 skipped'
	'clean|echo "PLAN 2 x"; echo "PASS x/a"; echo "SKIP x/b: not here"|1 passed, 0 failed, 1 skipped'
	'honest-failure|echo "PLAN 2 x"; echo "PASS x/a"; echo "FAIL x/b: broken"; exit 1|1 passed, 1 failed, 0 skipped'
	'two-plans|echo "PLAN 1 x"; echo "PASS x/a"; echo "PLAN 1 y"; echo "PASS y/b"|2 passed, 0 failed, 0 skipped'
)
echo "PLAN ${#CASES[@]} $LABEL"

for c in "${CASES[@]}"; do
	IFS='|' read -r name body want <<<"$c"
	printf '#!/usr/bin/env bash\n%s\n' "$body" >"$TMP/$name"
	chmod +x "$TMP/$name"
	suite "fake/$name" "$TMP/$name" >"$TMP/$name.out" 2>/dev/null
	got=$(suite_summary "$TMP/$name.out")
	if [ "$got" = "$want" ]; then
		echo "PASS $LABEL/$name"
	else
		echo "FAIL $LABEL/$name: summary '$got', want '$want' (output: $(tr '\n' '|' <"$TMP/$name.out"))"
		FAILED=1
	fi
done
exit "$FAILED"
