#!/usr/bin/env bash
# build.sh - build godwit's small riscv64 Linux guest (kernel Image + an
# initramfs whose /init is our own static program, see init/) from Debian
# packages, cached outside the tree and rebuilt only when an input changes.
#
#   guest/linux/build.sh [-o OUTDIR] [--key] [-h]
#
# Output: OUTDIR/Image and OUTDIR/initramfs.cpio.gz (default OUTDIR is
# build/guest/linux in the tree). Cache: ${GODWIT_CACHE:-/var/cache/godwit}/guest:
#   kernel/<kkey>/  Image, config, build.log, gen_init_cpio (the kernel stage;
#                   kkey = sha256 of the Kconfig fragment, the kernel-stage
#                   functions of this script, the linux-source-6.1 package
#                   version and the cross toolchain version)
#   <key>/          Image, initramfs.cpio.gz, init, build.log, inputs.txt
#                   (key = sha256 of kkey, this whole script, init/*, the
#                   initramfs list and the cross libc version)
# So editing init/ rebuilds only the initramfs (seconds); editing the kernel
# fragment rebuilds the kernel (~8 min on 2 busy cores).
# Idempotent; safe to run concurrently (one flock on the cache).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TREE=$(cd "$HERE/../.." && pwd)
OUT=$TREE/build/guest/linux
CROSS=riscv64-linux-gnu-
KSRC_TARBALL=/usr/src/linux-source-6.1.tar.xz
KBUILD_TIMEOUT_S=${GODWIT_GUEST_TIMEOUT:-3600}
PACKAGES=(
	linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
	binutils-riscv64-linux-gnu gcc make flex bison bc libssl-dev libelf-dev
	cpio xz-utils gzip util-linux coreutils
)
START_S=$SECONDS

say() { echo "guest: $*"; }
die() { echo "guest: error: $*" >&2; exit 1; }
elapsed() { local s=$((SECONDS - $1)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

usage() {
	sed -n '2,/^set -e/{/^set -e/!p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# install_deps: apt-get install whatever of PACKAGES is missing (as root or
# through sudo). Does nothing, quickly, when all are installed.
install_deps() {
	local missing=() p sudo="" installed
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null |
		awk '$2 == "ii" { print $1 }' || true)
	for p in "${PACKAGES[@]}"; do
		grep -qx "$p" <<<"$installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
		sudo="sudo"
	fi
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	timeout 600 $sudo apt-get update -qq
	timeout 1800 $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pkg_version() { dpkg-query -W -f='${Version}' "$1"; }
sha() { sha256sum | cut -c1-16; }

# kernel_inputs / guest_inputs: everything each stage's output depends on,
# as text; the keys are hashes of these.
kernel_inputs() {
	echo "linux-source-6.1 $(pkg_version linux-source-6.1)"
	echo "cc $(${CROSS}gcc --version | head -1)"
	echo "ld $(${CROSS}ld --version | head -1)"
	echo "--- kernel.config"
	cat "$HERE/kernel.config"
	echo "--- kernel stage"
	declare -f kernel_configure kernel_check_config kernel_make kernel_build
}

guest_inputs() {
	local f
	echo "kkey $1"
	echo "libc6-dev-riscv64-cross $(pkg_version libc6-dev-riscv64-cross)"
	echo "--- build.sh"
	cat "${BASH_SOURCE[0]}"
	echo "--- initramfs.list"
	cat "$HERE/initramfs.list"
	for f in $(cd "$HERE/init" && LC_ALL=C ls); do
		echo "--- init/$f"
		cat "$HERE/init/$f"
	done
}

# pick_cache: the cache root, falling back to ~/.cache/godwit for a user who
# cannot write /var/cache and did not choose GODWIT_CACHE.
pick_cache() {
	local root=${GODWIT_CACHE:-/var/cache/godwit}
	if ! mkdir -p "$root/guest" 2>/dev/null || [ ! -w "$root/guest" ]; then
		[ -n "${GODWIT_CACHE:-}" ] && die "cannot write cache $root (GODWIT_CACHE)"
		root=${XDG_CACHE_HOME:-$HOME/.cache}/godwit
		mkdir -p "$root/guest" || die "cannot create cache $root"
		say "note: /var/cache/godwit not writable, using $root" >&2
	fi
	echo "$root/guest"
}

# kernel_configure SRC: tinyconfig + our fragment, then olddefconfig.
kernel_configure() {
	local src=$1
	make -C "$src" ARCH=riscv CROSS_COMPILE=$CROSS tinyconfig &&
		(cd "$src" && ARCH=riscv CROSS_COMPILE=$CROSS \
			scripts/kconfig/merge_config.sh -m .config "$HERE/kernel.config") &&
		make -C "$src" ARCH=riscv CROSS_COMPILE=$CROSS olddefconfig
}

# kernel_check_config SRC: every option the fragment sets must have
# survived the merge with that value (Kconfig silently drops options whose
# dependencies are not met).
kernel_check_config() {
	local cfg=$1/.config line opt bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$cfg" || { echo "  wanted $line, got: $(grep "^${line%%=*}=" "$cfg" || echo unset)"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			! grep -q "^$opt=" "$cfg" || { echo "  wanted $opt off, got: $(grep "^$opt=" "$cfg")"; bad=1; } ;;
		esac
	done <"$HERE/kernel.config"
	return $bad
}

# kernel_make SRC LOG: the long part: make Image in the background, bounded
# by KBUILD_TIMEOUT_S, printing a progress line every 30 s.
kernel_make() {
	local src=$1 log=$2 t0=$SECONDS pid rc=0 n last i=0
	say "kernel: make -j$(nproc) Image started $(date '+%H:%M:%S') (log: $log)"
	KBUILD_BUILD_USER=godwit KBUILD_BUILD_HOST=godwit \
	KBUILD_BUILD_TIMESTAMP="linux-source-6.1 $(pkg_version linux-source-6.1)" \
		timeout -k 30 "$KBUILD_TIMEOUT_S" nice -n 10 \
		make -C "$src" -j"$(nproc)" ARCH=riscv CROSS_COMPILE=$CROSS Image >>"$log" 2>&1 &
	pid=$!
	# if we are stopped, stop make too (timeout passes the signal on)
	trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM HUP
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		i=$((i + 1))
		if [ $((i % 6)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
			n=$(grep -c '^  CC ' "$log" || true)
			last=$(tail -1 "$log" | cut -c1-60)
			say "kernel: $(elapsed "$t0"): $n files compiled, at: $last"
		fi
	done
	wait "$pid" || rc=$?
	trap - INT TERM HUP
	if [ "$rc" -ne 0 ]; then
		tail -20 "$log" | sed 's/^/  | /'
		[ "$rc" -eq 124 ] && die "kernel build timed out after ${KBUILD_TIMEOUT_S}s (log: $log)"
		die "kernel build failed, status $rc (log: $log)"
	fi
	say "kernel: make finished in $(elapsed "$t0")"
}

# kernel_build KDIR: unpack, configure, build; leaves KDIR/Image and
# KDIR/gen_init_cpio. A failed or interrupted build resumes where it stopped.
kernel_build() {
	local kdir=$1 src=$1/src/linux-source-6.1 log=$1/build.log
	mkdir -p "$kdir"
	if [ ! -d "$src" ]; then
		say "kernel: unpacking $KSRC_TARBALL"
		rm -rf "$kdir/src.tmp"
		mkdir -p "$kdir/src.tmp"
		timeout 900 tar -xJf "$KSRC_TARBALL" -C "$kdir/src.tmp"
		mv "$kdir/src.tmp" "$kdir/src"
	fi
	say "kernel: configuring (tinyconfig + kernel.config)"
	kernel_configure "$src" >>"$log" 2>&1 || die "kernel configuration failed (log: $log)"
	kernel_check_config "$src" || die "kernel.config options did not survive the merge (above)"
	kernel_make "$src" "$log"
	cp "$src/.config" "$kdir/config"
	gcc -O2 -o "$kdir/gen_init_cpio.tmp" "$src/usr/gen_init_cpio.c"
	mv "$kdir/gen_init_cpio.tmp" "$kdir/gen_init_cpio"
	cp "$src/arch/riscv/boot/Image" "$kdir/Image.tmp"
	mv "$kdir/Image.tmp" "$kdir/Image"
	if [ -z "${GODWIT_GUEST_KEEP_TREE:-}" ]; then
		rm -rf "$kdir/src"
	fi
}

# guest_build KDIR GDIR: the init program and the initramfs around it.
guest_build() {
	local kdir=$1 gdir=$2 log=$2/build.log
	mkdir -p "$gdir"
	say "init: compiling init/*.c"
	${CROSS}gcc -static -O2 -Wall -Wextra -Werror -Wshadow -Wconversion -std=gnu11 \
		-o "$gdir/init" "$HERE"/init/*.c >>"$log" 2>&1 ||
		{ sed 's/^/  | /' "$log" | tail -30; die "init failed to compile (log: $log)"; }
	${CROSS}strip "$gdir/init"
	touch -d @0 "$gdir/init" # gen_init_cpio keeps file mtimes; keep the archive reproducible
	sed "s|@INIT@|$gdir/init|" "$HERE/initramfs.list" >"$gdir/initramfs.list"
	"$kdir/gen_init_cpio" -t 0 "$gdir/initramfs.list" | gzip -9 -n >"$gdir/initramfs.tmp"
	cp "$kdir/Image" "$gdir/Image.tmp"
	mv "$gdir/Image.tmp" "$gdir/Image"
	mv "$gdir/initramfs.tmp" "$gdir/initramfs.cpio.gz"
}

# prune_cache CACHE: keep the 5 newest guests and the 3 newest kernels, so
# the cache stays bounded (~5 MB a guest, ~4 MB a kernel once built).
prune_cache() {
	local cache=$1
	ls -1dt "$cache"/[0-9a-f]*/ 2>/dev/null | tail -n +6 | xargs -r rm -rf
	ls -1dt "$cache"/kernel/*/ 2>/dev/null | tail -n +4 | xargs -r rm -rf
}

install_out() {
	local gdir=$1 f
	mkdir -p "$OUT"
	for f in Image initramfs.cpio.gz; do
		cp "$gdir/$f" "$OUT/.$f.tmp"
		mv "$OUT/.$f.tmp" "$OUT/$f"
	done
}

main() {
	local print_key=0 cache kkey key kdir gdir
	while [ $# -gt 0 ]; do
		case $1 in
		-o) [ $# -ge 2 ] || die "-o needs a directory"; OUT=$2; shift 2 ;;
		--key) print_key=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) die "unknown argument '$1' (try -h)" ;;
		esac
	done
	install_deps
	kkey=$(kernel_inputs | sha)
	key=$(guest_inputs "$kkey" | sha)
	if [ $print_key -eq 1 ]; then echo "$key"; exit 0; fi
	cache=$(pick_cache)
	kdir=$cache/kernel/$kkey
	gdir=$cache/$key

	exec 9>"$cache/.lock"
	flock -w "$KBUILD_TIMEOUT_S" 9 || die "cache $cache is locked by another build"

	if [ -s "$gdir/Image" ] && [ -s "$gdir/initramfs.cpio.gz" ]; then
		install_out "$gdir"
		say "cached $gdir -> $OUT"
		exit 0
	fi
	say "building guest $key (kernel $kkey), logs in $kdir/build.log and $gdir/build.log"
	if [ ! -s "$kdir/Image" ]; then
		kernel_build "$kdir"
	else
		say "kernel: cached $kdir/Image"
	fi
	mkdir -p "$gdir"
	: >"$gdir/build.log"
	guest_inputs "$kkey" >"$gdir/inputs.txt"
	guest_build "$kdir" "$gdir"
	install_out "$gdir"
	prune_cache "$cache"
	say "done in $(elapsed "$START_S"): $OUT/Image ($(stat -c %s "$OUT/Image") bytes)," \
		"$OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
}

main "$@"
exit
