#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every test program in tests/ is registered in tests/meson.build.

Usage: check_registered.py TESTS_DIR NAME...

The programs are tests/test_*.c and tests/fuzz/fuzz_*.c, less the helpers
that other programs compile in (named in HELPERS); NAME... are the programs
tests/meson.build registers. Prints each program that is not registered (and
each name that has no file) and exits 1; exits 0 when they match.
"""
import os
import sys

# Sources named like tests that are compiled into other tests.
HELPERS = {'test_sim_http', 'fuzz_main', 'test_files'}


def programs(tests_dir):
    found = set()
    for sub, prefix in (('', 'test_'), ('fuzz', 'fuzz_')):
        d = os.path.join(tests_dir, sub)
        for name in os.listdir(d):
            if name.startswith(prefix) and name.endswith('.c'):
                stem = name[:-2]
                if stem not in HELPERS:
                    found.add(os.path.join(sub, name) if sub else name)
    return found


def main():
    tests_dir, names = sys.argv[1], set(sys.argv[2:])
    files = programs(tests_dir)
    stems = {os.path.basename(f)[:-2]: f for f in files}
    problems = ['tests/%s is not registered in tests/meson.build (a test program must be; '
                'a helper compiled into other tests goes in HELPERS of %s)'
                % (stems[s], os.path.basename(__file__))
                for s in sorted(set(stems) - names)]
    problems += ['tests/meson.build registers %s, which has no tests/test_*.c or '
                 'tests/fuzz/fuzz_*.c' % n for n in sorted(names - set(stems))]
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print('%d test programs, all registered' % len(files))


if __name__ == '__main__':
    main()
