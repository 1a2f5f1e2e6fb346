#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A full disk (issue: o3 went on recording nothing and reported false
# findings). The results folder on a small tmpfs, in a mount namespace of the
# test's own: the run stops when the log cannot be written, with exit 3 and a
# message naming the log; the reports already there survive; when space
# returns, the same command resumes and finishes (exit 0) with no false
# failure in the log. Skips (77) where no mount namespace can be made (not
# root). Arguments: the build root, the source root.
set -u
build=$1
src=$2
cd "$src" || exit 5
if ! unshare -m true 2>/dev/null; then
	echo "no mount namespace here (not root?): skipping the full-disk test"
	exit 77
fi
. ci/sim-run.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tfs"
export build work
# shellcheck disable=SC2016
unshare -m bash -c '
	set -u
	. ci/sim-run.sh
	mount -t tmpfs -o size=48k tmpfs "$work/tfs" || exit 77
	o3_sim_run "$build" suites/smoke.yaml strix-halo-64g "$work/tfs/results" >"$work/out1" 2>"$work/err1"
	echo $? >"$work/rc1"
	mount -o remount,size=8m "$work/tfs"
	o3_sim_run "$build" suites/smoke.yaml strix-halo-64g "$work/tfs/results" >"$work/out2" 2>"$work/err2"
	echo $? >"$work/rc2"
	grep -c harness_crash "$work/tfs/results/logs/run.jsonl" >"$work/crashes"
	true
'
status=$?
[ $status = 77 ] && exit 77
rc1=$(cat "$work/rc1" 2>/dev/null)
rc2=$(cat "$work/rc2" 2>/dev/null)
fail=0
if [ "$rc1" != 3 ]; then echo "a full disk: exit $rc1, not 3"; cat "$work/err1"; fail=1; fi
if ! grep -q "cannot write the log" "$work/err1"; then
	echo "a full disk: no message naming the log"; cat "$work/err1"; fail=1
fi
if [ "$rc2" != 0 ]; then echo "space back: exit $rc2, not 0"; cat "$work/err2"; fail=1; fi
if [ "$(cat "$work/crashes")" != 0 ]; then echo "a false harness_crash in the log"; fail=1; fi
[ $fail = 0 ] && echo "full disk: stopped with exit 3, resumed with exit 0"
exit $fail
