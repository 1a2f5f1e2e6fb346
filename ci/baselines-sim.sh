#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the simulator's baselines (baselines/sim-<profile>/) with
# suites/regression-sim.yaml, one run per profile at the simulator's default
# Ollama version. Run it after a deliberate change to what o3 measures, and
# review the diff of baselines/ with the change.
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/deps.sh
o3_ensure_deps
. ci/sim-run.sh
build=${O3_BUILD:-build}
[ -d "$build/meson-private" ] || meson setup "$build" >/dev/null
meson compile -C "$build" >/dev/null
for profile in strix-halo-64g rx7900xtx-24g; do
	results=$(mktemp -d)
	o3_sim_run "$build" suites/regression-sim.yaml "$profile" "$results" >/dev/null
	"$build/o3" baseline update --dir baselines "$results"
	rm -rf "$results"
done
