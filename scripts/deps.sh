#!/usr/bin/env bash
# deps.sh - install godwit's build and test dependencies from Debian with
# apt-get, only those that are missing. Called by `make check`, `make demo`
# and `make bench`; safe to run again (it does nothing when all is there).
set -euo pipefail

PACKAGES=(
	build-essential pkg-config time
	libfdt-dev device-tree-compiler
	libcmocka-dev libjansson-dev libxxhash-dev libssl-dev python3 python3-cryptography
	clang libclang-rt-14-dev
	gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf picolibc-riscv64-unknown-elf
	qemu-system-misc opensbi
	util-linux # mkswap, swapon: tests/unit/test_resident.c's temporary swap file
	# the emulated long-distance link (tools/netdelay, tests/lib/wanlab.sh)
	libnetfilter-queue-dev iptables iproute2 iputils-ping iperf3
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		SUDO="sudo"
	else
		echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
