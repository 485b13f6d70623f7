# shellcheck shell=bash
# suite.sh - running one test suite and accounting for it; sourced by
# tests/run.sh and tests/run_selftest.sh.
#
# A suite prints "PLAN N LABEL" (N cases to come; several PLAN lines add
# up) before its cases, then one line per case: "PASS name",
# "FAIL name: why" or "SKIP name: why". Its stdout passes through
# unchanged; after it ends, one more line "FAIL LABEL: why" is added when
# the suite cannot be trusted:
#   - it printed no PLAN line (it crashed before starting, or never says
#     how many cases it has);
#   - it printed fewer cases than it declared (it stopped half-way);
#   - it exited non-zero without a FAIL line (it crashed after its PASS
#     lines, or failed in a way it did not report).
# So a suite that dies loses no failure: the summary counts it.

# suite LABEL COMMAND [ARGS...]: run COMMAND (a program or a function),
# pass its stdout through, then account for it. Returns COMMAND's status.
suite() {
	local label=$1 out rc
	shift
	out=$(mktemp) || {
		echo "FAIL $label: mktemp failed"
		return 1
	}
	"$@" | tee "$out"
	rc=${PIPESTATUS[0]}
	suite_account "$label" "$rc" <"$out"
	rm -f "$out"
	return "$rc"
}

# suite_account LABEL STATUS < OUTPUT: the extra FAIL line, if one is due.
suite_account() {
	awk -v label="$1" -v rc="$2" '
		/^PLAN [0-9]+( |$)/ { plan += $2; plans++; next }
		/^(PASS|SKIP) / { n++; next }
		/^FAIL / { n++; f++; next }
		END {
			why = ""
			if (!plans)
				why = "no PLAN line (the suite did not declare its cases)"
			else if (n < plan)
				why = "only " n " of the " plan " declared cases reported"
			if (rc != 0 && !f)
				why = why (why ? "; " : "") "exit status " rc " without a FAIL line"
			else if (why != "")
				why = why " (exit status " rc ")"
			if (why != "")
				print "FAIL " label ": " why
		}'
}

# suite_summary LOG: "N passed, N failed, N skipped"; status 1 if any failed.
suite_summary() {
	local passed failed skipped
	passed=$(grep -c '^PASS ' "$1")
	failed=$(grep -c '^FAIL ' "$1")
	skipped=$(grep -c '^SKIP ' "$1")
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
