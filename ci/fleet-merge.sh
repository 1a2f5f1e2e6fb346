#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The last job of the fleet workflow (or by hand, on results copied from
# several machines): one report of every machine's results with `o3 merge`,
# a column per machine. Needs no server.
#
#   ci/fleet-merge.sh FOLDER
#
# FOLDER holds one results folder per machine, named o3_results-<label> (as
# actions/download-artifact lays out the artifacts of fleet.yml's matrix); the
# label names the machine's column. Each is passed as --name LABEL=DIR DIR.
#   O3_MERGED=DIR    the report's folder (default o3_merged): summary.md,
#                    report.html, summary.json, summary.csv
#   O3_MERGE_ARGS=.. more 'o3 merge' arguments (--force merges different suites)
#   O3_BIN, O3_BUILD: see ci/runner-lib.sh
# Exit: o3 merge's (0 written, 2 usage, 3 bad or incompatible results), 3 when
# FOLDER holds no results, 5 when this o3 has no merge command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/runner-lib.sh
. ci/runner-lib.sh
[ $# -eq 1 ] || { echo "usage: ci/fleet-merge.sh FOLDER" >&2; exit 2; }
folder=$1
o3_ci_build
"$o3" merge --help >/dev/null 2>&1 || o3_ci_fail 5 "$o3 has no 'o3 merge' command (issue 11, item 2)"
out=${O3_MERGED:-o3_merged}
names=()
dirs=()
for d in "$folder"/*/; do
	d=${d%/}
	[ -f "$d/logs/run.jsonl" ] || { echo "skipped $d: no logs/run.jsonl (not a results folder)" >&2; continue; }
	label=$(basename "$d")
	label=${label#o3_results-}
	names+=(--name "$label=$d")
	dirs+=("$d")
done
[ "${#dirs[@]}" -gt 0 ] || o3_ci_fail 3 "no results folder (with logs/run.jsonl) under $folder"
echo "merging ${#dirs[@]} machine(s): ${dirs[*]}"
status=0
# shellcheck disable=SC2086
"$o3" merge --out "$out" "${names[@]}" ${O3_MERGE_ARGS:-} "${dirs[@]}" || status=$?
[ "$status" -eq 0 ] || o3_ci_fail "$status" "o3 merge of ${dirs[*]} failed with exit $status (above)"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$out/summary.md" ]; then
	cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi
echo "one report of ${#dirs[@]} machine(s): $out/report.html, $out/summary.md, $out/summary.json, $out/summary.csv"
