#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson test ci_fleet_merge: ci/fleet-merge.sh as the fleet workflow's last
# job runs it, on the results of two simulated machines laid out as
# actions/download-artifact lays out the matrix's artifacts
# (FOLDER/o3_results-<label>/): one report (summary.md, report.html,
# summary.json, summary.csv) naming both machines; results of another suite
# refused (exit 3); a folder without results refused (exit 3). Skips (77)
# while this o3 has no `o3 merge` (issue 11, item 2).
# Arguments: the build root, the source root.
set -u
build=$1
src=$2
cd "$src" || exit 5
if ! "$build/o3" merge --help >/dev/null 2>&1; then
	echo "this o3 has no 'o3 merge' yet: skipping the fleet merge test"
	exit 77
fi
# shellcheck source=ci/sim-run.sh
. ci/sim-run.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export O3_BIN=$build/o3
failures=0
fail() { echo "FAIL: $*"; sed -n '1,60p' "$work/out"; failures=$((failures + 1)); }
expect() { # RC DESCRIPTION COMMAND...
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" -eq "$want" ]; then echo "ok: $what (exit $rc)"; else fail "$what: exit $rc, expected $want"; fi
}

mkdir -p "$work/fleet" "$work/other" "$work/empty"
for profile in strix-halo-64g rx7900xtx-24g; do
	o3_sim_run "$build" suites/smoke.yaml "$profile" "$work/fleet/o3_results-$profile" >/dev/null 2>&1 ||
		{ echo "o3 run on the simulator's $profile profile failed"; exit 5; }
done
O3_MERGED=$work/merged expect 0 "two simulated machines merged into one report" ci/fleet-merge.sh "$work/fleet"
for f in summary.md report.html summary.json summary.csv; do
	[ -s "$work/merged/$f" ] || fail "no $f in the merged report"
done
for label in strix-halo-64g rx7900xtx-24g; do
	grep -q "$label" "$work/merged/summary.md" 2>/dev/null || fail "summary.md does not name the machine $label"
done

cp -a "$work/fleet/o3_results-strix-halo-64g" "$work/other/o3_results-a"
o3_sim_run "$build" suites/regression-sim.yaml strix-halo-64g "$work/other/o3_results-b" >/dev/null 2>&1 ||
	{ echo "o3 run of suites/regression-sim.yaml failed"; exit 5; }
O3_MERGED=$work/merged-other expect 3 "results of different suites refused" ci/fleet-merge.sh "$work/other"
O3_MERGED=$work/merged-empty expect 3 "a folder without results refused" ci/fleet-merge.sh "$work/empty"

echo "ci_fleet_merge: $failures failure(s)"
[ "$failures" -eq 0 ]
