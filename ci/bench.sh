#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# O3's own performance (README "Performance", issue 13): every table in one
# run, against o3-sim and a loopback stream server on this machine.
#   ci/bench.sh [BUILD [ITEM...]]   (BUILD: build; ITEM: 1 2 3 4 5 6, default all;
#                                    meson test --benchmark runs it)
# Needs python3; the JavaScript client's row needs node and `npm ci` in
# ci/bench (skipped, and said so, without them). Figures, never a verdict:
# it exits 0 whatever they are, non-zero only when it could not measure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
if [ -d "$here/bench" ] && [ ! -d "$here/bench/node_modules" ] && command -v npm >/dev/null; then
	(cd "$here/bench" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
		echo "bench: npm ci failed in ci/bench: the JavaScript client's row is skipped" >&2
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d" " -f1-3 /proc/loadavg)"
exec python3 "$here/bench/bench.py" "$build" "$here/.." "${@:2}"
