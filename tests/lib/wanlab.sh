#!/usr/bin/env bash
# wanlab.sh - an emulated long-distance link on this machine, for tests and
# benchmarks (source it, then call the functions). This kernel has no netem:
# the delay comes from godwit-netdelay (tools/netdelay) holding every
# forwarded packet in a router namespace, the rate from tbf. docs/wan.md.
#
#   LAB-a (10.78.1.1) --veth-- LAB-r --veth-- LAB-b (10.78.2.1)
#                       ra 10.78.1.254   rb 10.78.2.254
#
#   wanlab_up LAB [RATE]   builds the three namespaces; forwarding in LAB-r
#                          sends every packet to NFQUEUE $WANLAB_QUEUE.
#                          RATE (e.g. 1gbit; "" for none) is a tbf on both
#                          of LAB-r's egress veths, so each direction is
#                          capped. The hosts get TCP buffers big enough for
#                          a long fat path (tcp_rmem/tcp_wmem up to 64 MiB).
#   wanlab_delay LAB MS [DAEMON-ARGS...]
#                          (re)starts godwit-netdelay in LAB-r with a one-way
#                          delay of MS (the round trip gains 2 x MS); its
#                          log is wanlab_log LAB. Until it runs, forwarded
#                          packets are dropped: the link never silently
#                          carries traffic without the delay.
#   wanlab_stop LAB        SIGTERM to the daemon (it accepts what it holds
#                          and prints its counters to its log); its status.
#   wanlab_down LAB        stops the daemon and removes the namespaces
#                          (idempotent; safe in a trap).
#   wanlab_exec NS CMD     runs CMD in namespace NS (LAB-a, LAB-b, LAB-r).
#
# WANLAB_NETDELAY is the daemon binary (build/godwit-netdelay), WANLAB_DIR
# where its pid and log files go (build/wanlab). Needs root, iproute2,
# iptables (the nft backend or legacy, whichever this kernel takes) and the
# kernel's NFQUEUE target. Only namespaces made here carry traffic; every
# wait is bounded; names stay under 15 characters (LAB at most 10).

WANLAB_A_IP=10.78.1.1
WANLAB_B_IP=10.78.2.1
WANLAB_QUEUE=${WANLAB_QUEUE:-7}
WANLAB_NETDELAY=${WANLAB_NETDELAY:-build/godwit-netdelay}
WANLAB_DIR=${WANLAB_DIR:-build/wanlab}

wanlab_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

wanlab_log() { echo "$WANLAB_DIR/$1-netdelay.log"; }

# _wanlab_pid LAB: the daemon's pid, if it is still the daemon we started
_wanlab_pid() {
	local f="$WANLAB_DIR/$1-netdelay.pid" pid
	[ -f "$f" ] || return 1
	pid=$(cat "$f")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
	case "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" in
	*godwit-netdelay*) echo "$pid" ;;
	*) return 1 ;;
	esac
}

# wanlab_stop LAB: SIGTERM, wait up to 5 s (then SIGKILL); returns its status
wanlab_stop() {
	local lab=$1 pid i rc=0
	pid=$(_wanlab_pid "$lab") || {
		rm -f "$WANLAB_DIR/$lab-netdelay.pid"
		return 0
	}
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		rc=137
	fi
	wait "$pid" 2>/dev/null
	local st=$?
	[ $st -eq 127 ] && st=0 # not this shell's child: its status is unknown
	[ $rc -eq 0 ] && rc=$st
	rm -f "$WANLAB_DIR/$lab-netdelay.pid"
	return $rc
}

wanlab_down() {
	local lab=$1 ns
	wanlab_stop "$lab" >/dev/null 2>&1
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case "$ns" in
		"$lab"-a | "$lab"-b | "$lab"-r) ip netns del "$ns" 2>/dev/null || true ;;
		esac
	done
	return 0
}

# _wanlab_iptables LAB ARGS...: the first iptables that takes the rule
_wanlab_iptables() {
	local lab=$1 ipt
	shift
	for ipt in iptables iptables-legacy; do
		command -v "$ipt" >/dev/null || continue
		ip netns exec "$lab-r" "$ipt" "$@" 2>/dev/null && return 0
	done
	return 1
}

wanlab_up() {
	local lab=$1 rate=${2-1gbit} side
	wanlab_down "$lab"
	mkdir -p "$WANLAB_DIR" || return 1
	for side in a b r; do
		ip netns add "$lab-$side" || return 1
		ip -n "$lab-$side" link set lo up || return 1
	done
	ip link add ra netns "$lab-r" type veth peer name eth0 netns "$lab-a" || return 1
	ip link add rb netns "$lab-r" type veth peer name eth0 netns "$lab-b" || return 1
	ip -n "$lab-r" addr add 10.78.1.254/24 dev ra || return 1
	ip -n "$lab-r" addr add 10.78.2.254/24 dev rb || return 1
	ip -n "$lab-a" addr add "$WANLAB_A_IP/24" dev eth0 || return 1
	ip -n "$lab-b" addr add "$WANLAB_B_IP/24" dev eth0 || return 1
	for side in a b; do
		ip -n "$lab-$side" link set eth0 up || return 1
		ip -n "$lab-r" link set "r$side" up || return 1
		local net=1
		[ "$side" = b ] && net=2
		ip -n "$lab-$side" route add default via "10.78.$net.254" || return 1
		# a long fat path needs windows of a bandwidth-delay product
		ip netns exec "$lab-$side" sysctl -q -w net.ipv4.tcp_rmem="4096 131072 67108864" \
			net.ipv4.tcp_wmem="4096 16384 67108864" >/dev/null || return 1
	done
	ip netns exec "$lab-r" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null || return 1
	_wanlab_iptables "$lab" -A FORWARD -j NFQUEUE --queue-num "$WANLAB_QUEUE" || {
		echo "wanlab: no iptables here takes -j NFQUEUE (kernel without xt_NFQUEUE?)" >&2
		return 1
	}
	if [ -n "$rate" ]; then
		for side in a b; do
			ip netns exec "$lab-r" tc qdisc add dev "r$side" root tbf rate "$rate" \
				burst 1mb latency 50ms || return 1
		done
	fi
}

wanlab_delay() {
	local lab=$1 ms=$2 pid i
	shift 2
	wanlab_stop "$lab" || true
	[ -x "$WANLAB_NETDELAY" ] || {
		echo "wanlab: $WANLAB_NETDELAY is not built" >&2
		return 1
	}
	ip netns exec "$lab-r" "$WANLAB_NETDELAY" --queue "$WANLAB_QUEUE" --delay-ms "$ms" "$@" \
		>"$(wanlab_log "$lab")" 2>&1 &
	pid=$!
	echo "$pid" >"$WANLAB_DIR/$lab-netdelay.pid"
	# bound: up to 5 s for the queue to be bound (the start line in its log)
	for ((i = 0; i < 50; i++)); do
		grep -q "one-way delay" "$(wanlab_log "$lab")" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "wanlab: godwit-netdelay did not start: $(tail -3 "$(wanlab_log "$lab")")" >&2
	wanlab_stop "$lab"
	return 1
}
