#!/usr/bin/env bash
# netlab.sh - "hosts" on this machine for network tests, built from network
# namespaces (source it, then call the functions):
#
#   netlab_up LAB N      N hosts LAB-h1..LAB-hN and a client LAB-c, all
#                        joined by veth pairs to one bridge in LAB-sw (the
#                        "switch"). Each host has a bridge br0 holding its
#                        uplink and a tap (tap0) for a VM, so a VM on any
#                        host is on the same L2 segment as the client.
#   netlab_down LAB      removes everything (idempotent; safe in a trap).
#   netlab_exec NS CMD   runs CMD in namespace NS.
#
# Addresses: client 10.77.0.100/24; guests pick 10.77.0.x themselves. Only
# namespaces this script made carry traffic; nothing leaves the machine.
# Needs root (ip netns). Every step is bounded; names stay under 15 chars.

NETLAB_CLIENT_IP=10.77.0.100
NETLAB_PREFIX=24

netlab_exec() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

netlab_down() {
	local lab=$1 ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case "$ns" in
		"$lab"-sw | "$lab"-c | "$lab"-h[0-9]*) ip netns del "$ns" 2>/dev/null || true ;;
		esac
	done
}

# _netlab_link LAB NS IFNAME PORT: veth NS:IFNAME <-> LAB-sw:PORT on the switch bridge
_netlab_link() {
	local lab=$1 ns=$2 ifname=$3 port=$4
	ip link add "$port" type veth peer name "$ifname" netns "$ns" || return 1
	ip link set "$port" netns "$lab-sw" || return 1
	ip -n "$lab-sw" link set "$port" master br0 up || return 1
	ip -n "$ns" link set "$ifname" up
}

netlab_up() {
	local lab=$1 n=$2 i
	netlab_down "$lab"
	ip netns add "$lab-sw" || return 1
	ip -n "$lab-sw" link add br0 type bridge || return 1
	ip -n "$lab-sw" link set br0 up
	ip -n "$lab-sw" link set lo up
	for ((i = 1; i <= n; i++)); do
		local h="$lab-h$i"
		ip netns add "$h" || return 1
		ip -n "$h" link set lo up
		_netlab_link "$lab" "$h" uplink "p-h$i" || return 1
		ip -n "$h" link add br0 type bridge || return 1
		ip -n "$h" link set uplink master br0
		ip -n "$h" tuntap add dev tap0 mode tap || return 1
		ip -n "$h" link set tap0 master br0
		ip -n "$h" link set tap0 up
		ip -n "$h" link set br0 up
	done
	ip netns add "$lab-c" || return 1
	ip -n "$lab-c" link set lo up
	_netlab_link "$lab" "$lab-c" eth0 p-c || return 1
	ip -n "$lab-c" addr add "$NETLAB_CLIENT_IP/$NETLAB_PREFIX" dev eth0
}
