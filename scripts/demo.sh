#!/usr/bin/env bash
# demo.sh - what `make demo` shows, for now: godwit-vmm booting a bare-metal
# RV64GC guest on the virt board. The guest prints a heartbeat every 100 ms
# while sleeping in WFI between beats, does a burst of work, and powers off.
# At the end we print how much host CPU the VM used: an idle guest should
# cost next to nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VMM=build/godwit-vmm
GUEST=build/guest/demo.elf
echo "== godwit demo: $VMM -m 64M -bios none -kernel $GUEST -nographic"
start=$(date +%s.%N)
status=0
/usr/bin/time -f '%U %S' -o build/demo.time "$VMM" -m 64M -bios none -kernel "$GUEST" -nographic || status=$?
end=$(date +%s.%N)
read -r user sys <build/demo.time
echo
awk -v s="$start" -v e="$end" -v u="$user" -v k="$sys" -v st="$status" 'BEGIN {
	printf "== guest exited with status %d after %.2f s; host CPU used by the VM: %.2f s\n", st, e - s, u + k }'
echo "   (2 s of the run the guest was idle in WFI; that idle time costs no host CPU)"
