#!/usr/bin/env bash
# cli/run.sh VMM LABEL - command-line and loader tests for godwit-vmm: bad
# flags and bad files get a one-line error and a non-zero exit, never a
# crash; the HTIF and finisher exit conventions give the right status.
# Prints "PLAN N LABEL" first (the number of cases), then "PASS LABEL/name"
# or "FAIL LABEL/name: why" per test.
set -uo pipefail
VMM=$1
LABEL=${2:-cli}
# one case per `expect` line below, plus htif-putchar-output and ram-alloc-fails
echo "PLAN $(($(grep -c '^expect ' "${BASH_SOURCE[0]}") + 2)) $LABEL"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CC=riscv64-unknown-elf-gcc
CFLAGS="-march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -Wl,-n -Wl,--no-warn-rwx-segments"

# expect NAME RC REGEX -- ARGS...: exit status RC, stderr one line matching REGEX
expect() {
	local name=$1 rc=$2 re=$3
	shift 4
	local err got
	timeout 20 "$VMM" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	got=$?
	err=$(cat "$TMP/err")
	if [ "$got" -ne "$rc" ]; then
		echo "FAIL $LABEL/$name: exit status $got, wanted $rc ($(head -c 300 "$TMP/err" | tr '\n' ' '))"
	elif grep -qE 'Sanitizer|runtime error|Segmentation|core dumped' "$TMP/err"; then
		echo "FAIL $LABEL/$name: crash report: $(head -c 300 "$TMP/err" | tr '\n' ' ')"
	elif [ -n "$re" ] && ! grep -qE "$re" <<<"$err"; then
		echo "FAIL $LABEL/$name: stderr does not match /$re/: $err"
	elif [ "$rc" -ne 0 ] && [ "$(grep -vc '^$' "$TMP/err")" -ne 1 ]; then
		echo "FAIL $LABEL/$name: expected one error line, got: $err"
	else
		echo "PASS $LABEL/$name"
	fi
}

asm_elf() { # NAME ADDR ASM: build a tiny bare-metal ELF
	printf '%s\n' "$3" >"$TMP/$1.S"
	$CC $CFLAGS -Ttext="$2" -o "$TMP/$1.elf" "$TMP/$1.S" 2>"$TMP/cc.err" ||
		{ echo "FAIL $LABEL/build-$1: $(cat "$TMP/cc.err")"; return 1; }
}

HTIF_PASS='.globl _start
_start: li t0, 1
 la t1, tohost
 sd t0, 0(t1)
1: j 1b
.section .tohost,"aw",@progbits
.align 6
.globl tohost
tohost: .dword 0
.align 6
.globl fromhost
fromhost: .dword 0'
asm_elf htif_pass 0x80000000 "$HTIF_PASS"
asm_elf htif_fail 0x80000000 "${HTIF_PASS/li t0, 1/li t0, 11}"
asm_elf finisher_fail 0x80000000 '.globl _start
_start: li t0, 0x100000
 li t1, (7 << 16) | 0x3333
 sw t1, 0(t0)
1: j 1b'
asm_elf far 0x90000000 "$HTIF_PASS"

# putchar through HTIF, then pass
asm_elf htif_putc 0x80000000 '.globl _start
_start: la t1, tohost
 li t0, (1 << 56) | (1 << 48) | 0x4b
 sd t0, 0(t1)
2: ld t2, 0(t1)
 bnez t2, 2b
 li t0, 1
 sd t0, 0(t1)
1: j 1b
.section .tohost,"aw",@progbits
.align 6
.globl tohost
tohost: .dword 0
.align 6
.globl fromhost
fromhost: .dword 0'

# reboot: the first boot leaves a marker outside the image and resets the
# machine through the finisher; the second boot finds it and passes
asm_elf reboot 0x80000000 '.globl _start
_start: li t0, 0x80100000
 li t1, 0x600dbeef
 lw t2, 0(t0)
 beq t2, t1, 2f
 sw t1, 0(t0)
 li t0, 0x100000
 li t1, 0x7777
 sw t1, 0(t0)
1: j 1b
2: li t0, 1
 la t1, tohost
 sd t0, 0(t1)
3: j 3b
.section .tohost,"aw",@progbits
.align 6
.globl tohost
tohost: .dword 0
.align 6
.globl fromhost
fromhost: .dword 0'

printf '\177ELF\002\001\001' >"$TMP/trunc.elf"
head -c 64 "$TMP/htif_pass.elf" >"$TMP/hdr-only.elf"
cp "$TMP/htif_pass.elf" "$TMP/badph.elf"
# point e_phoff far outside the file
printf '\377\377\377\377' | dd of="$TMP/badph.elf" bs=1 seek=32 conv=notrunc status=none
: >"$TMP/empty.elf"

expect help 0 '' -- -h
expect unknown-flag 1 'unknown option' -- -frobnicate
expect missing-value 1 'missing value' -- -kernel
expect bad-size 1 'invalid size' -- -m lots -kernel "$TMP/htif_pass.elf"
expect bad-machine 1 "only the 'virt'" -- -M spike -kernel "$TMP/htif_pass.elf"
expect no-kernel 1 'no kernel' -- -m 64M
expect unknown-device 1 'unknown device' -- -device floppy -kernel "$TMP/htif_pass.elf"
expect drive-needs-id 1 'id= is required' -- -drive file=/dev/null -kernel "$TMP/htif_pass.elf"
expect drive-format 1 'only format=raw' -- -drive file=/dev/null,id=d,format=qcow2 -kernel "$TMP/htif_pass.elf"
expect device-drive-missing 1 "drive 'd0' not found" -- -device virtio-blk-device,drive=d0 -kernel "$TMP/htif_pass.elf"
expect disk-missing 1 'nope.img: No such file' -- -drive file="$TMP/nope.img",id=d0 -device virtio-blk-device,drive=d0 -kernel "$TMP/htif_pass.elf"
printf 'x' >"$TMP/odd.img"
expect disk-odd-size 1 'not a non-zero multiple of 512' -- -drive file="$TMP/odd.img",id=d0 -device virtio-blk-device,drive=d0 -kernel "$TMP/htif_pass.elf"
expect netdev-unknown-type 1 'netdev' -- -netdev bridge,id=n0 -kernel "$TMP/htif_pass.elf"
expect netdev-missing 1 "netdev 'n0' not found" -- -device virtio-net-device,netdev=n0 -kernel "$TMP/htif_pass.elf"
expect bad-mac 1 'mac' -- -netdev socket,id=n0,listen=127.0.0.1:0 -device virtio-net-device,netdev=n0,mac=zz:00 -kernel "$TMP/htif_pass.elf"
expect device-bad-kv 1 'unknown device property' -- -device virtio-rng-device,colour=blue -kernel "$TMP/htif_pass.elf"
K=(-kernel "$TMP/htif_pass.elf")
expect serial-bad 1 'expected stdio' -- -serial tty:/dev/ttyS0 "${K[@]}"
expect serial-two 1 'only one serial' -- -serial null -serial null "${K[@]}"
expect serial-chardev-missing 1 "chardev 'c9' not found" -- -serial chardev:c9 "${K[@]}"
expect serial-unix-client 1 'only server=on' -- -serial unix:"$TMP/s",server=off "${K[@]}"
expect serial-file-dir 1 'serial:.*Is a directory|No such file' -- -serial file:"$TMP/no/such/dir/f" "${K[@]}"
expect chardev-no-id 1 'id= is required' -- -chardev null "${K[@]}"
expect chardev-unknown 1 'unknown backend' -- -chardev pty,id=c0 "${K[@]}"
expect chardev-bad-key 1 'unknown chardev property' -- -chardev null,id=c0,colour=red "${K[@]}"
expect chardev-dup-id 1 'duplicate id' -- -chardev null,id=c0 -chardev null,id=c0 "${K[@]}"
expect chardev-file-no-path 1 'path= is required' -- -chardev file,id=c0 "${K[@]}"
expect chardev-bad-wait 1 'wait= must be on or off' -- -chardev socket,id=c0,path="$TMP/s",server=on,wait=maybe "${K[@]}"
expect name-empty 1 'guest= is empty' -- -name guest= "${K[@]}"
expect pidfile-bad-dir 1 'pidfile' -- -pidfile "$TMP/no/such/dir/pid" "${K[@]}"
expect log-bad-dir 1 '^godwit-vmm: -D' -- -D "$TMP/no/such/dir/log" "${K[@]}"
expect daemonize-stdio 1 'cannot be on stdio' -- -daemonize -serial stdio "${K[@]}"
expect display-sdl 1 "only 'none'" -- -display sdl "${K[@]}"
expect file-console-exit 0 '' -- -serial file:"$TMP/console.out" "${K[@]}"
expect missing-elf 1 'No such file' -- -bios none -kernel "$TMP/nope.elf"
expect truncated-elf 1 'ELF' -- -bios none -kernel "$TMP/trunc.elf"
expect header-only-elf 1 'outside the file|no loadable' -- -bios none -kernel "$TMP/hdr-only.elf"
expect bad-phoff 1 'outside the file' -- -bios none -kernel "$TMP/badph.elf"
expect empty-file 1 'not a regular, non-empty|fit' -- -bios none -kernel "$TMP/empty.elf"
expect segment-outside-ram 1 'outside guest RAM' -- -m 16M -bios none -kernel "$TMP/far.elf"
expect htif-pass 0 '' -- -m 16M -bios none -kernel "$TMP/htif_pass.elf" -nographic
expect htif-fail 5 'case 5' -- -m 16M -bios none -kernel "$TMP/htif_fail.elf" -nographic
expect finisher-fail 7 '' -- -m 16M -bios none -kernel "$TMP/finisher_fail.elf" -nographic
expect guest-reboot 0 'guest reboot' -- -m 16M -bios none -kernel "$TMP/reboot.elf" -nographic
expect htif-putchar 0 '' -- -m 16M -bios none -kernel "$TMP/htif_putc.elf" -nographic
if [ "$(cat "$TMP/out")" = "K" ]; then echo "PASS $LABEL/htif-putchar-output"; else echo "FAIL $LABEL/htif-putchar-output: got '$(cat "$TMP/out")'"; fi
if [[ "$LABEL" == *asan* ]]; then
	echo "SKIP $LABEL/ram-alloc-fails: address-space limits do not apply under ASan"
else
	( ulimit -v 400000; expect ram-alloc-fails 1 'cannot allocate' -- -m 2G -bios none -kernel "$TMP/htif_pass.elf" )
fi
