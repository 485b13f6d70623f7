#!/usr/bin/env bash
# migration/run.sh VMM LABEL - live migration of running guests between
# godwit-vmm processes (tests/migration/migcheck.py does the work):
#   integrity  migtest under load (-m 256, rate=50, dirtying every 1 ms)
#              moves at max-bandwidth 256 MiB/s (so the stop-and-copy always
#              has pages left to send) to a destination started with -S;
#              pmemsave of the paused source (postmigrate) and destination
#              must match page by page; after `cont` the guest finishes a
#              whole verify sweep, heartbeats, touches and mtime going on
#              from the source's
#   pingpong   20 migrations back and forth between fresh processes
#              (rate=20 verify=1): no verify FAIL, heartbeats go on, a whole
#              verify sweep after the last move; downtimes reported
#   smp-linux  the Linux guest on 4 harts, every CPU running a thread of
#              the guest's godwit.smp workload and dirtying its own memory,
#              moves to a destination started with -S: RAM compared page by
#              page (and the stopped source checked for writes), then the
#              guest's checks go on passing with every hart running
#   linux-tcp  the Linux guest on host namespace 1 moves to host namespace 2
#              while a client namespace keeps a TCP echo connection busy: the
#              connection survives with every byte checked, the guest's
#              heartbeat and clocks go on, the longest stall is reported
#              (needs root for namespaces, else SKIP)
# An ASan build (a VMM path containing "asan") gets smaller guests and
# longer timeouts. Prints "PLAN 4 LABEL" first, then "PASS LABEL/name", "FAIL LABEL/name: why" or
# "SKIP LABEL/name: why" per test, details (timings, downtimes, stalls) on
# stderr; exits 1 if a test failed. Every wait is bounded; a trap kills
# what was started and removes the namespaces and files it made.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
VMM=${1:-build/godwit-vmm}
LABEL=${2:-migration}
PY=tests/migration/migcheck.py
LAB=mg$$
TMP=$(mktemp -d)
export MIGCHECK_PIDFILE=$TMP/pids
CHILD=
NETLAB=
FAILED=0

# shellcheck disable=SC2317  # called from the trap
cleanup() {
	local p
	if [ -n "$CHILD" ]; then
		kill "$CHILD" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$CHILD" 2>/dev/null
		wait "$CHILD" 2>/dev/null
	fi
	# processes the helper started and did not reap (it was killed hard)
	if [ -s "$TMP/pids" ]; then
		while read -r p; do kill -9 "$p" 2>/dev/null; done <"$TMP/pids"
	fi
	[ -n "$NETLAB" ] && netlab_down "$LAB"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "PLAN 4 $LABEL" # integrity, pingpong, smp-linux, linux-tcp
if [ ! -x "$VMM" ]; then
	for t in integrity pingpong smp-linux linux-tcp; do echo "FAIL $LABEL/$t: $VMM not built"; done
	exit 1
fi
if [ ! -f build/guest/migtest.elf ]; then
	for t in integrity pingpong; do echo "FAIL $LABEL/$t: build/guest/migtest.elf missing (make guests)"; done
	FAILED=1
fi

case "$VMM" in
*asan*) SLOW=2 INT_ARGS=(--mem 128) PP_ARGS=(--mem 64) ;;
*) SLOW=1 INT_ARGS=() PP_ARGS=() ;;
esac

# run_py ARGS...: the helper in the background, so that the trap can act
run_py() {
	python3 "$PY" "$@" --slow "$SLOW" &
	CHILD=$!
	wait "$CHILD" || FAILED=1
	CHILD=
}

if [ -f build/guest/migtest.elf ]; then
	run_py integrity "$VMM" "$LABEL" "${INT_ARGS[@]}"
	run_py pingpong "$VMM" "$LABEL" "${PP_ARGS[@]}"
fi
run_py smp-linux "$VMM" "$LABEL"

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "SKIP $LABEL/linux-tcp: needs root for network namespaces"
	exit "$FAILED"
fi
# shellcheck source=../lib/netlab.sh
. tests/lib/netlab.sh
NETLAB=1
if ! netlab_up "$LAB" 2 >"$TMP/netlab.log" 2>&1; then
	echo "FAIL $LABEL/linux-tcp: netlab: $(tail -2 "$TMP/netlab.log" | tr '\n' ' ')"
	exit 1
fi
# the hosts' own addresses, for the migration connection
ip -n "$LAB-h1" addr add 10.77.0.201/24 dev br0
ip -n "$LAB-h2" addr add 10.77.0.202/24 dev br0
run_py linux-tcp "$VMM" "$LABEL" --lab "$LAB" --dst-ip 10.77.0.202 --port 4444
exit "$FAILED"
