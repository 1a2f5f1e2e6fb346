#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The suite reader's files call only into the layers below them.

Usage: check_suite_layers.py NM LIBRARY HEADER

The layers come from the "layers:" list in HEADER (src/suite_internal.h);
the calls from the symbols each object of LIBRARY (the static library of the
suite reader) defines and leaves undefined, as NM lists them. Fails naming
each call that goes up or sideways.
"""
import re
import subprocess
import sys


def layers(header):
    out, inside = {}, False
    for line in open(header, encoding='utf-8'):
        text = line.strip().lstrip('*').strip()
        if text == 'layers:':
            inside = True
            continue
        if not inside:
            continue
        m = re.match(r'(\d+)\s+((?:suite\w*\.c\s*)+)', text)
        if not m:
            break
        for name in m.group(2).split():
            out[name] = int(m.group(1))
    return out


def main():
    nm, lib, header = sys.argv[1:4]
    layer = layers(header)
    if not layer:
        sys.exit('%s: no "layers:" list' % header)
    listing = subprocess.run([nm, lib], check=True, capture_output=True, text=True).stdout
    defines, uses, member = {}, {}, None
    for line in listing.splitlines():
        if line.endswith(':') and not line.startswith(' '):
            member = line[:-1]
            uses[member] = set()
            continue
        parts = line.split()
        if member is None or len(parts) < 2:
            continue
        kind, sym = parts[-2], parts[-1]
        if kind == 'U':
            uses[member].add(sym)
        elif kind in ('T', 'D', 'B', 'R'):
            defines[sym] = member

    def source(obj):
        # meson names an object <prefix>_<file>.c.o or <file>.c.o
        m = re.search(r'(suite\w*\.c)\.o(bj)?$', obj)
        return m.group(1) if m else obj

    bad = []
    for obj, syms in sorted(uses.items()):
        src = source(obj)
        if src not in layer:
            bad.append('%s is not in the layers of %s' % (src, header))
            continue
        for sym in sorted(syms):
            target = defines.get(sym)
            if target is None:
                continue
            dst = source(target)
            if dst not in layer:
                bad.append('%s is not in the layers of %s' % (dst, header))
            elif layer[dst] >= layer[src] and dst != src:
                bad.append('%s (layer %d) calls %s of %s (layer %d): a call up or sideways'
                           % (src, layer[src], sym, dst, layer[dst]))
    for b in sorted(set(bad)):
        print(b)
    if bad:
        sys.exit(1)
    print('suite layers: %d files, every call goes down' % len(uses))


if __name__ == '__main__':
    main()
