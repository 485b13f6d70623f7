#!/usr/bin/env bash
# cli/migrate_qemu.sh [GODWIT [LABEL]] - `godwit migrate` driving real live
# migrations between two qemu-system-riscv64 processes (Debian's QEMU 7.2,
# -M virt) through their QMP sockets, and its failure paths: bad flags, bad
# sockets, peers that are not QMP or not waiting for a migration, a refused
# godwit-only parameter, a migration that fails, Ctrl-C.
#
# GODWIT defaults to build/godwit; the plain migration runs once more under
# build/asan/godwit when that exists. Guests: Debian's OpenSBI with no
# payload (it idles forever), and build/guest/demo.elf for the case that
# checks the guest's RAM and pc arrived whole.
#
# Prints "PLAN N LABEL" first (the number of cases), then "PASS LABEL/name",
# "FAIL LABEL/name: why" or "SKIP LABEL/name: why" per case; exits 1 if any case failed. Every wait is bounded; a trap kills
# every process started here and removes the temporary directory.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
GODWIT=${1:-build/godwit}
LABEL=${2:-migrate-qemu}
ASAN_GODWIT=${ASAN_GODWIT:-build/asan/godwit}
QEMU=qemu-system-riscv64
DEMO=build/guest/demo.elf
QMP="tests/lib/qmp.py"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

TMP=$(mktemp -d)
PIDS=()
FAILED=0
declare -A VMPID

# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS $LABEL/$1"; }
fail() { echo "FAIL $LABEL/$1: $2"; FAILED=1; }
skip() { echo "SKIP $LABEL/$1: $2"; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
wait_until() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# forget PID: reaped, so the exit trap must not signal it (its number may
# belong to someone else's process by then)
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

# wait_pid PID SECONDS: the exit status of background PID, or 124 after
# killing it if it is still running then
wait_pid() {
	local pid=$1 secs=$2 i rc
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		forget "$pid"
		return 124
	fi
	wait "$pid"
	rc=$?
	forget "$pid"
	return "$rc"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# vm NAME QEMU-ARGS...: start a VM whose QMP socket is $TMP/NAME.qmp and
# wait (bounded) for that socket; its output goes to $TMP/NAME.log
vm() {
	local name=$1
	shift
	$QEMU -M virt -m 128 -display none -qmp "unix:$TMP/$name.qmp,server=on,wait=off" "$@" \
		</dev/null >"$TMP/$name.log" 2>&1 &
	VMPID[$name]=$!
	PIDS+=("$!")
	if ! wait_until 15 test -S "$TMP/$name.qmp"; then
		echo "VM $name did not start: $(head -c 300 "$TMP/$name.log")"
		return 1
	fi
}

stop_vm() { # NAME...
	local n
	for n in "$@"; do
		[ -n "${VMPID[$n]:-}" ] || continue
		kill "${VMPID[$n]}" 2>/dev/null
		wait_pid "${VMPID[$n]}" 10 >/dev/null 2>&1
		unset "VMPID[$n]"
	done
}

qmp() { # NAME COMMAND...: one JSON line per reply on stdout
	timeout 20 python3 "$QMP" "$TMP/$1.qmp" "${@:2}"
}

# the "status" of query-status on VM NAME
run_state() {
	qmp "$1" query-status | python3 -c 'import json, sys; print(json.loads(sys.stdin.readline())["return"]["status"])'
}

# godwit ARGS...: run the CLI (bounded), output in $TMP/out and $TMP/err,
# exit status in RC
godwit() {
	timeout -k 5 90 "$GW" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	RC=$?
}

crashed() { grep -qE 'Sanitizer|runtime error|Segmentation|core dumped' "$TMP/err"; }
err_text() { head -c 400 "$TMP/err" | tr '\n' ' '; }

# expect_error NAME RC REGEX: the last run exited RC with one stderr line
# matching REGEX
expect_error() {
	local name=$1 rc=$2 re=$3
	if [ "$RC" -ne "$rc" ]; then
		fail "$name" "exit status $RC, wanted $rc ($(err_text))"
	elif crashed; then
		fail "$name" "crash report: $(err_text)"
	elif [ "$(grep -vc '^$' "$TMP/err")" -ne 1 ]; then
		fail "$name" "expected one error line, got: $(err_text)"
	elif ! grep -qE -e "$re" "$TMP/err"; then
		fail "$name" "stderr does not match /$re/: $(err_text)"
	else
		pass "$name"
	fi
}

REPORT_LINES=("status: completed" "total time: [0-9]+ ms" "downtime: [0-9]+ ms"
	"setup time: [0-9]+ ms" "transferred: [0-9]+ bytes \\([0-9.]+ MiB\\)" "average throughput: [0-9.]+ MB/s"
	"rounds: [0-9]+" "max throttle: [0-9]+%")

# report_missing: the first expected report line absent from $TMP/out
report_missing() {
	local re
	for re in "${REPORT_LINES[@]}" "$@"; do
		grep -qE "^$re\$" "$TMP/out" || { echo "$re"; return 0; }
	done
	return 1
}

# ------------------------------------------------------------------
# plain migration: QEMU source, destination started with -incoming tcp:

case_plain() { # NAME GODWIT
	local name=$1 port missing
	GW=$2
	port=$(free_port)
	vm "$name-src" -bios default -serial none || { fail "$name" "source did not start"; return; }
	vm "$name-dst" -bios default -serial none -incoming "tcp:127.0.0.1:$port" ||
		{ fail "$name" "destination did not start"; stop_vm "$name-src"; return; }
	godwit migrate --from "$TMP/$name-src.qmp" --to "$TMP/$name-dst.qmp" --uri "tcp:127.0.0.1:$port"
	if [ "$RC" -ne 0 ]; then
		fail "$name" "exit status $RC: $(err_text)"
	elif crashed; then
		fail "$name" "crash report: $(err_text)"
	elif missing=$(report_missing "pause seen by the tool: [0-9]+ ms" "destination status: running"); then
		fail "$name" "report line /$missing/ missing: $(head -c 400 "$TMP/out" | tr '\n' '|')"
	elif ! grep -qE '^godwit migrate: (setup|active|completed) ' "$TMP/err"; then
		fail "$name" "no progress lines on stderr: $(err_text)"
	elif ! grep -q '^godwit migrate: note: the migration stream is not encrypted' "$TMP/err"; then
		fail "$name" "no note that a QEMU stream is not encrypted: $(err_text)"
	elif grep -vE '^godwit migrate: ([a-z-]+ [0-9?.]+%|note: the migration stream is not encrypted)' "$TMP/err" | grep -q .; then
		fail "$name" "stderr holds more than progress: $(err_text)"
	elif [ "$(run_state "$name-dst")" != running ]; then
		fail "$name" "destination status '$(run_state "$name-dst")', wanted running"
	elif [ "$(run_state "$name-src")" != postmigrate ]; then
		fail "$name" "source status '$(run_state "$name-src")', wanted postmigrate"
	else
		pass "$name"
	fi
	stop_vm "$name-src" "$name-dst"
}

# ------------------------------------------------------------------
# -incoming defer + --incoming, with every tuning flag and --json --quiet

case_defer() {
	local name=defer-json port got
	GW=$GODWIT
	port=$(free_port)
	vm "$name-src" -bios default -serial none || { fail "$name" "source did not start"; return; }
	vm "$name-dst" -bios default -serial none -incoming defer ||
		{ fail "$name" "destination did not start"; stop_vm "$name-src"; return; }
	godwit migrate --from "$TMP/$name-src.qmp" --to "$TMP/$name-dst.qmp" \
		--uri "tcp:127.0.0.1:$port" --incoming --downtime-ms 250 \
		--max-bandwidth 50000000 --auto-converge --json --quiet
	got=$(python3 -c 'import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "%d lines" % len(lines)
print(json.loads(lines[0])["status"])' "$TMP/out" 2>&1)
	if [ "$RC" -ne 0 ]; then
		fail "$name" "exit status $RC: $(err_text)"
	elif [ -s "$TMP/err" ]; then
		fail "$name" "--quiet, yet stderr: $(err_text)"
	elif [ "$got" != completed ]; then
		fail "$name" "stdout is not one query-migrate object with status completed: $got"
	elif ! qmp "$name-src" query-migrate-parameters |
		grep -q '"downtime-limit": 250.*' ||
		! qmp "$name-src" query-migrate-parameters | grep -q '"max-bandwidth": 50000000'; then
		fail "$name" "source parameters not set: $(qmp "$name-src" query-migrate-parameters | head -c 300)"
	elif ! qmp "$name-src" query-migrate-capabilities |
		grep -qE '\{"state": true, "capability": "auto-converge"\}|\{"capability": "auto-converge", "state": true\}'; then
		fail "$name" "auto-converge not enabled on the source"
	elif [ "$(run_state "$name-dst")" != running ]; then
		fail "$name" "destination status '$(run_state "$name-dst")', wanted running"
	else
		pass "$name"
	fi
	stop_vm "$name-src" "$name-dst"
}

# ------------------------------------------------------------------
# the state really moved: the demo guest (code, data and stack in the first
# 9 KiB of DRAM) is stopped on the source after a few heartbeats and
# migrated; then both sides, paused, must hold the same first MiB of RAM and
# the same pc. (The guest cannot be let run on to its end: QEMU 7.2 does not
# re-arm the CLINT timer on the destination, so a guest sleeping in WFI for
# its timer never wakes up there.)

# pc NAME: the program counter of VM NAME
pc() {
	qmp "$1" 'human-monitor-command={"command-line": "info registers"}' |
		python3 -c 'import json, re, sys
print(re.search(r"\bpc\s+([0-9a-f]+)", json.loads(sys.stdin.read())["return"]).group(1))'
}

case_demo() {
	local name=demo-state port missing n src_pc dst_pc
	GW=$GODWIT
	if [ ! -f "$DEMO" ]; then
		skip "$name" "$DEMO not built (make guests)"
		return
	fi
	port=$(free_port)
	vm "$name-src" -bios none -kernel "$DEMO" -serial "file:$TMP/$name-src.console" ||
		{ fail "$name" "source did not start"; return; }
	vm "$name-dst" -bios none -kernel "$DEMO" -serial none -incoming "tcp:127.0.0.1:$port" ||
		{ fail "$name" "destination did not start"; stop_vm "$name-src"; return; }
	if ! wait_until 20 grep -q 'heartbeat 3 ' "$TMP/$name-src.console"; then
		fail "$name" "no third heartbeat on the source console"
		stop_vm "$name-src" "$name-dst"
		return
	fi
	qmp "$name-src" stop >/dev/null
	godwit migrate --from "$TMP/$name-src.qmp" --to "$TMP/$name-dst.qmp" --uri "tcp:127.0.0.1:$port"
	for n in src dst; do
		qmp "$name-$n" "pmemsave={\"val\": 2147483648, \"size\": 1048576, \"filename\": \"$TMP/$name-$n.ram\"}" >/dev/null
	done
	src_pc=$(pc "$name-src")
	dst_pc=$(pc "$name-dst")
	if [ "$RC" -ne 0 ]; then
		fail "$name" "exit status $RC: $(err_text)"
	elif missing=$(report_missing "pause seen by the tool: unknown \\(no STOP event from the source\\)" \
		"destination status: paused"); then
		# a paused source: no STOP during the migration, the destination stays paused
		fail "$name" "report line /$missing/ missing: $(head -c 400 "$TMP/out" | tr '\n' '|')"
	elif [ ! -s "$TMP/$name-src.ram" ] || ! cmp -s "$TMP/$name-src.ram" "$TMP/$name-dst.ram"; then
		fail "$name" "guest RAM differs: $(cmp "$TMP/$name-src.ram" "$TMP/$name-dst.ram" 2>&1 | head -1)"
	elif [ -z "$src_pc" ] || [ "$src_pc" != "$dst_pc" ]; then
		fail "$name" "pc: source '$src_pc', destination '$dst_pc'"
	else
		pass "$name"
	fi
	stop_vm "$name-src" "$name-dst"
}

# ------------------------------------------------------------------
# usage errors: exit 2, one line, a hint to `godwit help migrate`

case_usage() {
	local hint='godwit help migrate' s=$TMP/none-a.qmp d=$TMP/none-b.qmp
	GW=$GODWIT
	godwit migrate --from "$s" --to "$d" --uri tcp:127.0.0.1:4444 --frobnicate
	expect_error bad-flag 2 "unknown option '--frobnicate'.*$hint"
	godwit migrate --from "$s" --to "$d"
	expect_error missing-uri 2 "--uri is required.*$hint"
	godwit migrate --from "$s" --to "$d" --uri unix:/tmp/x
	expect_error bad-uri 2 "not tcp:HOST:PORT.*$hint"
	godwit migrate --from "$s" --to "$d" --uri tcp:h:1 --downtime-ms 10ms
	expect_error bad-number 2 "--downtime-ms: '10ms' is not a whole number.*$hint"
	godwit migrate --from "$s" --from "$d" --uri tcp:h:1
	expect_error twice 2 "--from given twice.*$hint"
	godwit migrate --from "$s" --to "$d" --uri tcp:h:1 --quiet=yes
	expect_error flag-value 2 "--quiet takes no value.*$hint"
	godwit frobnicate
	expect_error bad-subcommand 2 "no subcommand 'frobnicate'.*godwit help"
	godwit help migrate
	if [ "$RC" -eq 0 ] && grep -q '^usage: godwit migrate' "$TMP/out" &&
		grep -q 'never goes back\|holds its highest' "$TMP/out"; then
		pass help-migrate
	else
		fail help-migrate "exit status $RC, stdout: $(head -c 200 "$TMP/out")"
	fi
}

# ------------------------------------------------------------------
# sockets that lead nowhere, or not to a QMP monitor: exit 1, one line

case_sockets() {
	local port pid
	GW=$GODWIT
	port=$(free_port)
	godwit migrate --from "$TMP/no-such.qmp" --to "$TMP/no-such-either.qmp" --uri "tcp:127.0.0.1:$port"
	expect_error wrong-socket 1 "no-such-either.qmp: connect: No such file"

	# a socket file nobody listens on
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$TMP/stale.qmp"
	godwit migrate --from "$TMP/no-such.qmp" --to "$TMP/stale.qmp" --uri "tcp:127.0.0.1:$port"
	expect_error refused 1 "stale.qmp: connect: Connection refused"

	# a server that speaks something else
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
while True:
    c, _ = s.accept(); c.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")' "$TMP/ssh.qmp" &
	pid=$!
	PIDS+=("$pid")
	if wait_until 15 test -S "$TMP/ssh.qmp"; then
		godwit migrate --from "$TMP/no-such.qmp" --to "$TMP/ssh.qmp" --uri "tcp:127.0.0.1:$port"
		expect_error not-qmp 1 "ssh.qmp: not a QMP server: got 'SSH-2.0"
	else
		fail not-qmp "the fake server did not start"
	fi
	kill "$pid" 2>/dev/null
	wait_pid "$pid" 5 >/dev/null 2>&1
}

# QEMU serves one QMP client at a time: a second one gets no greeting
case_busy() {
	local name=monitor-busy pid
	GW=$GODWIT
	vm "$name-dst" -bios default -serial none -incoming defer || { fail "$name" "VM did not start"; return; }
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.recv(4096)
open(sys.argv[2], "w").close(); time.sleep(60)' "$TMP/$name-dst.qmp" "$TMP/$name.held" &
	pid=$!
	PIDS+=("$pid")
	if wait_until 15 test -e "$TMP/$name.held"; then
		godwit migrate --from "$TMP/no-such.qmp" --to "$TMP/$name-dst.qmp" --uri tcp:127.0.0.1:1
		expect_error "$name" 1 "no QMP greeting within [0-9]+ ms"
	else
		fail "$name" "the first client did not connect"
	fi
	kill "$pid" 2>/dev/null
	wait_pid "$pid" 5 >/dev/null 2>&1
	stop_vm "$name-dst"
}

# ------------------------------------------------------------------
# a destination that is not waiting for a migration; a source that refuses
# the godwit-only deadline: nothing is migrated, nothing changed

case_refusals() {
	local port
	GW=$GODWIT
	port=$(free_port)
	vm ref-src -bios default -serial none || { fail not-inmigrate "source did not start"; return; }
	vm ref-run -bios default -serial none || { fail not-inmigrate "VM did not start"; stop_vm ref-src; return; }
	vm ref-dst -bios default -serial none -incoming "tcp:127.0.0.1:$port" ||
		{ fail not-inmigrate "destination did not start"; stop_vm ref-src ref-run; return; }

	godwit migrate --from "$TMP/ref-src.qmp" --to "$TMP/ref-run.qmp" --uri "tcp:127.0.0.1:$port"
	expect_error not-inmigrate 1 "ref-run.qmp: its status is 'running', not 'inmigrate'"
	godwit migrate --from "$TMP/ref-dst.qmp" --to "$TMP/ref-src.qmp" --uri "tcp:127.0.0.1:$port"
	expect_error swapped 1 "ref-src.qmp: its status is 'running', not 'inmigrate'"

	godwit migrate --from "$TMP/ref-src.qmp" --to "$TMP/ref-dst.qmp" --uri "tcp:127.0.0.1:$port" \
		--deadline-s 30 --downtime-ms 77
	expect_error deadline-refused 1 "x-godwit-deadline.*unexpected.*nothing was changed"
	if [ "$(qmp ref-src query-migrate)" != '{"return": {}}' ]; then
		fail untouched "the source migrated: $(qmp ref-src query-migrate | head -c 200)"
	elif qmp ref-src query-migrate-parameters | grep -q '"downtime-limit": 77'; then
		fail untouched "the source's downtime-limit was changed before the refusal"
	elif [ "$(run_state ref-src)" != running ] || [ "$(run_state ref-dst)" != inmigrate ]; then
		fail untouched "source '$(run_state ref-src)', destination '$(run_state ref-dst)'"
	else
		pass untouched
	fi

	# nobody listens where the source is sent: the migration fails there
	godwit migrate --from "$TMP/ref-src.qmp" --to "$TMP/ref-dst.qmp" --uri "tcp:127.0.0.1:$(free_port)"
	if [ "$RC" -ne 1 ]; then
		fail failed "exit status $RC, wanted 1: $(err_text)"
	elif crashed; then
		fail failed "crash report: $(err_text)"
	elif ! grep -q '^godwit migrate: migration failed: .*Connection refused' "$TMP/err"; then
		fail failed "no error-desc on stderr: $(err_text)"
	elif ! grep -q '^status: failed$' "$TMP/out" || ! grep -q '^pause seen by the tool: n/a' "$TMP/out"; then
		fail failed "report: $(head -c 300 "$TMP/out" | tr '\n' '|')"
	elif [ "$(run_state ref-src)" != running ]; then
		fail failed "source status '$(run_state ref-src)', wanted running"
	else
		pass failed
	fi
	stop_vm ref-src ref-run ref-dst
}

# ------------------------------------------------------------------
# Ctrl-C: migrate_cancel, a final status, exit 130; the source runs on

case_sigint() {
	local name=sigint port pid
	GW=$GODWIT
	port=$(free_port)
	vm "$name-src" -bios default -serial none || { fail "$name" "source did not start"; return; }
	vm "$name-dst" -bios default -serial none -incoming "tcp:127.0.0.1:$port" ||
		{ fail "$name" "destination did not start"; stop_vm "$name-src"; return; }
	# ~600 KB to send at 50 KB/s: some twelve seconds to interrupt it in
	"$GW" migrate --from "$TMP/$name-src.qmp" --to "$TMP/$name-dst.qmp" \
		--uri "tcp:127.0.0.1:$port" --max-bandwidth 50000 </dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	PIDS+=("$pid")
	if ! wait_until 20 grep -q '^godwit migrate: active' "$TMP/err"; then
		fail "$name" "no active migration to interrupt: $(err_text)"
		kill -9 "$pid" 2>/dev/null
		wait_pid "$pid" 5
		stop_vm "$name-src" "$name-dst"
		return
	fi
	kill -INT "$pid"
	wait_pid "$pid" 30
	RC=$?
	if [ "$RC" -ne 130 ]; then
		fail "$name" "exit status $RC, wanted 130: $(err_text)"
	elif crashed; then
		fail "$name" "crash report: $(err_text)"
	elif ! grep -q 'interrupted: cancelling the migration' "$TMP/err"; then
		fail "$name" "no cancellation message: $(err_text)"
	elif ! grep -q '^status: cancelled$' "$TMP/out"; then
		fail "$name" "report: $(head -c 300 "$TMP/out" | tr '\n' '|')"
	elif ! qmp "$name-src" query-migrate | grep -q '"status": "cancelled"'; then
		fail "$name" "source query-migrate: $(qmp "$name-src" query-migrate | head -c 200)"
	elif [ "$(run_state "$name-src")" != running ]; then
		fail "$name" "source status '$(run_state "$name-src")', wanted running"
	else
		pass "$name"
	fi
	stop_vm "$name-src" "$name-dst"
}

# ------------------------------------------------------------------

# usage 8, sockets 3, plain 1, defer 1, refusals 5, sigint 1, demo 1, busy 1,
# plain-asan 1: keep in step with the cases
PLANNED=22
if ! command -v "$QEMU" >/dev/null; then
	echo "PLAN 1 $LABEL"
	skip all "$QEMU is not installed"
	exit 0
fi
if [ ! -x "$GODWIT" ]; then
	echo "PLAN 1 $LABEL"
	fail all "$GODWIT is not built (make)"
	exit 1
fi
echo "PLAN $PLANNED $LABEL"

case_usage
case_sockets
case_plain plain "$GODWIT"
case_defer
case_refusals
case_sigint
case_demo
case_busy
if [ -x "$ASAN_GODWIT" ]; then
	case_plain plain-asan "$ASAN_GODWIT"
else
	skip plain-asan "$ASAN_GODWIT is not built (make BUILD=build/asan SAN=1 all)"
fi
exit "$FAILED"
