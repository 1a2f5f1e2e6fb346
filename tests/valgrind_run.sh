#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson test --suite valgrind: o3 itself under valgrind as users run it, not
# only its unit tests: `o3 run` of the smoke suite against the simulator with
# every step in a forked child (Check's fork mode, the path of every real
# run), then `o3 report`, `o3 baseline update`, `o3 compare` and `o3 merge` of what it
# wrote. Each process (o3 and each step's child) has its own valgrind log;
# any error or definite leak in any of them fails the test. Arguments: the
# build root, the source root. Exit 77 (skipped) without valgrind.
set -u
build=$1
src=$2
cd "$src" || exit 5
command -v valgrind >/dev/null || { echo "valgrind is not installed: skipped"; exit 77; }
. ci/sim-run.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset CK_FORK # the fork path: each step in a child of its own
vg="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
vg="$vg --log-file=$work/vg.%p.log"
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

O3_WRAP=$vg o3_sim_run "$build" suites/smoke.yaml strix-halo-64g "$work/results"
rc=$?
[ $rc -eq 0 ] || fail "o3 run under valgrind exited $rc (0 expected)"
[ -s "$work/results/summaries/summary.md" ] || fail "o3 run wrote no summary"
# o3 and at least one forked step child each left a log (empty: no error)
logs=$(find "$work" -maxdepth 1 -name 'vg.*.log' | wc -l)
[ "$logs" -ge 2 ] || fail "valgrind saw $logs processes (o3 and its step children expected)"

$vg "$build/o3" report "$work/results" >/dev/null 2>&1 || fail "o3 report under valgrind"
$vg "$build/o3" baseline update --dir "$work/baselines" "$work/results" >/dev/null 2>&1 ||
	fail "o3 baseline update under valgrind"
$vg "$build/o3" compare --baseline "$work/baselines" "$work/results" >/dev/null 2>&1 ||
	fail "o3 compare under valgrind (the results against their own baseline)"

cp -r "$work/results" "$work/results-copy"
$vg "$build/o3" merge --out "$work/merged" "$work/results" "$work/results-copy" >/dev/null 2>&1 ||
	fail "o3 merge under valgrind"
[ -s "$work/merged/summary.md" ] || fail "o3 merge wrote no summary"

for f in "$work"/vg.*.log; do
	if [ -s "$f" ]; then
		fail "valgrind found errors in process ${f##*/vg.}"
		sed -n '1,60p' "$f" >&2
	fi
done
echo "valgrind: $(find "$work" -maxdepth 1 -name 'vg.*.log' | wc -l) processes checked"
exit $status
