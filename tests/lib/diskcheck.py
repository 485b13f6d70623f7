#!/usr/bin/env python3
"""diskcheck.py - check a disk image against the Linux guest's disk workload
(guest/linux/init/diskload.c): every 4 KiB block of the first SIZE MB is
either all zeros (never written) or 256 copies of { le64 b ^ MAGIC, le64 g }
for its own index b; the sum of mix(b << 32 | g) over written blocks must
equal the digest the guest printed at the end.

    diskcheck.py IMAGE SIZE_MB [DIGEST_HEX]

Prints one line: "diskcheck: OK, N written blocks, digest HEX" or
"diskcheck: FAIL ..." and exits 0 / 1. Also usable as a module: check().
"""
import struct
import sys

BLOCK = 4096
MAGIC = 0x474f445749544442
M64 = (1 << 64) - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)


def check(path, size_mb):
    """Returns (ok, written_blocks, digest, reason)."""
    zero = bytes(BLOCK)
    digest = 0
    written = 0
    with open(path, 'rb') as f:
        for b in range(size_mb * 1024 * 1024 // BLOCK):
            data = f.read(BLOCK)
            if len(data) != BLOCK:
                return False, written, digest, 'block %d: short read' % b
            if data == zero:
                continue
            key, gen = struct.unpack_from('<QQ', data, 0)
            if key != b ^ MAGIC or gen == 0 or gen >= 1 << 32:
                return False, written, digest, 'block %d: foreign or corrupt data' % b
            if data != data[:16] * (BLOCK // 16):
                return False, written, digest, 'block %d: torn (generation %d)' % (b, gen)
            written += 1
            digest = (digest + mix(b << 32 | gen)) & M64
    return True, written, digest, ''


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    ok, n, digest, why = check(sys.argv[1], int(sys.argv[2]))
    if ok and len(sys.argv) == 4 and int(sys.argv[3], 16) != digest:
        ok, why = False, 'digest %016x, the guest wrote %s' % (digest, sys.argv[3])
    print('diskcheck: %s, %d written blocks, digest %016x%s' %
          ('OK' if ok else 'FAIL', n, digest, '' if ok else ': ' + why))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
