#!/usr/bin/env python3
import sys, re
n = 0
for line in sys.stdin:
    n += 1
    print(re.sub(r'^(\t\w+ )\d+,', lambda m: f"{m.group(1)}{n},", line.rstrip('\n')))
print(n, file=sys.stderr)
