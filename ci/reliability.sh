#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's reliability figures, measured against the simulator (about
# 10 minutes on 2 cores; not part of ci/test.sh): kills at random moments of
# o3 run with a resume after each, simulator faults at every phase, hostile
# inputs, peak RSS. Arguments go to ci/reliability.py (e.g. --kills 20,
# --only kills,rss). The full-disk runs are tests/full_disk.sh (meson test
# full_disk). Exits 1 when a record was lost or duplicated, an orphan left,
# a verdict changed or o3 crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/deps.sh
. ci/deps.sh
o3_ensure_deps
build=build
o3_build "$build"
exec python3 ci/reliability.py "$build" "$@"
