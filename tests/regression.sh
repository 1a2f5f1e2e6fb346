#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson test --suite regression: o3 measured again with the suite behind the
# simulator's committed baselines (suites/regression-sim.yaml) on each of
# their profiles, and compared with them: exit 0 unless o3 now measures
# something else than when they were written (a change in o3 that shifts its
# own figures is caught too). Arguments: the build root, the source root.
set -u
build=$1
src=$2
cd "$src" || exit 5
. ci/sim-run.sh
status=0
for dir in baselines/sim-*/; do
	profile=${dir#baselines/sim-}
	profile=${profile%/}
	results=$(mktemp -d)
	if ! o3_sim_run "$build" suites/regression-sim.yaml "$profile" "$results" >/dev/null; then
		echo "o3 run on the simulator's $profile profile failed" >&2
		status=1
	elif ! "$build/o3" compare --baseline baselines "$results"; then
		echo "the simulator's $profile profile regressed against baselines/sim-$profile/" >&2
		sed -n '1,200p' "$results/summaries/compare.md" >&2
		status=1
	fi
	rm -rf "$results"
done
exit $status
