#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nightly job of one runner (or by hand on its machine): the suite against
# this machine's own Ollama, then the regression gate against the baselines.
#   - a regression: exit 1, naming each model, preset and metric; nothing is
#     refreshed;
#   - a gate of the run failed (no configuration meets the criteria): exit 1;
#     nothing is refreshed;
#   - an inconclusive comparison: said out loud, exit 0; nothing is refreshed
#     (except the metrics named in O3_INCONCLUSIVE_OK);
#   - no regression: `o3 baseline update`, and the files of a pull request in
#     O3_PR_DIR: title.txt, branch.txt, body.md and baselines.patch (the
#     refreshed files are in the baselines folder itself, ready to commit).
# The workflows nightly.yml and ollama-upgrade.yml open the pull request.
#
#   O3_SUITE=FILE        the suite (default suites/default.yaml)
#   O3_MODELS="A B"      only these models of the suite (default: all of them)
#   O3_RESULTS=DIR       results folder (default o3_results; started afresh)
#   O3_BASELINES=DIR     the baselines folder (default baselines)
#   O3_PROFILE=P         the baselines profile (default: o3 env --profile)
#   O3_PR_DIR=DIR        where the pull request's files go (default o3_baseline_pr)
#   O3_PR_REASON=TEXT    why (ci/ollama-upgrade.sh: the version change)
#   O3_INCONCLUSIVE_OK="decode_at_fill ttft_at_fill"  metrics whose
#                        inconclusive verdict does not block a refresh
#   O3_RUN_ARGS, O3_BIN, O3_BUILD, O3_ALLOW_SIM: see ci/optimize.sh
#
# Exit: 0 (refreshed, nothing to refresh, or inconclusive), 1 (a regression or
# a failed gate), 3 (a bad suite or baselines), 4 (no real server), 5.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/runner-lib.sh
. ci/runner-lib.sh
o3_ci_build
o3_ci_server

suite=${O3_SUITE:-suites/default.yaml}
results=${O3_RESULTS:-o3_results}
baselines=${O3_BASELINES:-baselines}
pr=${O3_PR_DIR:-o3_baseline_pr}
profile=$(o3_ci_profile)
reason=${O3_PR_REASON:-}
rm -rf "$pr" # a proposal from an earlier night never survives
mkdir -p "$baselines"

model_args=()
for m in ${O3_MODELS:-}; do model_args+=(--model "$m"); done
status=0
# shellcheck disable=SC2086
"$o3" run --suite "$suite" --results "$results" --fresh --no-progress "${model_args[@]}" \
	--baseline "$baselines" ${O3_MACHINE_ARGS:-} ${O3_RUN_ARGS:-} || status=$?
[ "$status" -le 1 ] ||
	o3_ci_fail "$status" "o3 run of $suite stopped with exit $status (README, Exit codes): nothing compared, nothing refreshed"
compare=0
"$o3" compare --baseline "$baselines" --profile "$profile" "$results" >/dev/null || compare=$?
[ "$compare" -le 1 ] || o3_ci_fail "$compare" "o3 compare of $results stopped with exit $compare"
cmp=$results/summaries/compare.json
[ -n "$reason" ] && o3_ci_say "Since the baselines: $reason"

# what changed, per model, as o3 compare says it
jq -r '.comparisons[] | select(.identity_change != "nothing") |
	"\(.model): since the baseline: \(.identity_change)"' "$cmp"

regressions=$(jq -r '.comparisons[] | .gates[] | select(.pass == false) |
	"- \(.name): \(.message // "regressed")"' "$cmp")
if [ -n "$regressions" ]; then
	o3_ci_say "$(printf 'Regressions against %s/%s/ (nothing refreshed):\n%s' "$baselines" "$profile" "$regressions")"
	o3_ci_fail 1 "$(grep -c '^- ' <<<"$regressions") regression(s) on profile $profile${reason:+ ($reason)}: $(sed 's/: .*//; s/^- //' <<<"$regressions" | paste -sd ' ')"
fi
[ "$compare" -eq 0 ] ||
	o3_ci_fail 1 "o3 compare found a regression on profile $profile (see $results/summaries/compare.md): nothing refreshed"
gate_failures=$(jq -r '.models[] | .gates[]? | select(.pass == false) |
	"- \(.name): \(.message // "failed")"' "$results/summaries/summary.json")
if [ -n "$gate_failures" ]; then
	o3_ci_say "$(printf 'Gates of the run failed (nothing refreshed):\n%s' "$gate_failures")"
	o3_ci_fail 1 "a gate of the run failed on profile $profile: $(sed 's/: .*//; s/^- //' <<<"$gate_failures" | paste -sd ' ')"
fi
[ "$status" -eq 0 ] || o3_ci_fail 1 "o3 run exited 1 with no regression and no failed gate in its reports: see $results"

blocking=$(jq -r --arg ok "${O3_INCONCLUSIVE_OK:-}" '($ok | split(" ") | map(select(. != ""))) as $ok |
	.comparisons[] | .model as $m | .verdicts[] |
	select(.verdict == "inconclusive" and (.metric | IN($ok[]) | not)) |
	"- \($m) \(.preset) \(.metric): \(.explanation)"' "$cmp")
if [ -n "$blocking" ]; then
	o3_ci_say "$(printf 'INCONCLUSIVE: no regression was found, but these comparisons could not decide (too few samples, or noise larger than the tolerance), so the baselines are NOT refreshed:\n%s' "$blocking")"
	o3_ci_annotate warning "inconclusive comparison on profile $profile: baselines not refreshed"
	exit 0
fi

# no regression: refresh, and propose the change
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$baselines/$profile" "$work/old"
cp -a "$baselines/$profile/." "$work/old/"
"$o3" baseline update --dir "$baselines" --profile "$profile" "$results" ||
	o3_ci_fail 3 "o3 baseline update refused the results (above): nothing refreshed"
mkdir -p "$pr"
cp -a "$baselines/$profile" "$work/new"
where=${baselines#/}/$profile
(cd "$work" && git diff --no-index --no-color old new) |
	sed -E "s#(^diff --git | )(a|b)/(old|new)/#\\1\\2/$where/#g; s#^(---|[+]{3}) (a|b)/(old|new)/#\\1 \\2/$where/#" \
		>"$pr/baselines.patch" || true
if [ ! -s "$pr/baselines.patch" ]; then
	rm -rf "$pr"
	o3_ci_say "No regression on profile $profile; the baselines are unchanged: nothing to propose."
	o3_ci_output proposed=false
	exit 0
fi
simulated=
[ "${o3_ci_simulated:-0}" = 1 ] && simulated="SIMULATED "
title="${simulated}Baselines of $profile refreshed by o3 $("$o3" --version 2>/dev/null | head -n 1 | awk '{print $NF}')${reason:+: $reason}"
echo "$title" >"$pr/title.txt"
echo "o3-baselines/$profile" >"$pr/branch.txt"
{
	echo "Refreshed by \`ci/nightly.sh\` on \`$(hostname)\`, Ollama $o3_ci_version, suite \`$suite\`."
	[ -n "$reason" ] && echo && echo "Since the baselines: $reason"
	[ -n "$simulated" ] && echo && echo "**SIMULATED: measured on o3's simulator, not on a real machine. Do not merge.**"
	echo
	echo "The regression gate found no regression, and every comparison decided (a model without a"
	echo "baseline gets its first one)${O3_INCONCLUSIVE_OK:+, except the metrics that may stay inconclusive: $O3_INCONCLUSIVE_OK}:"
	echo
	sed -n '1,400p' "$results/summaries/compare.md"
	echo
	echo "Changed files: $(grep -c '^diff --git' "$pr/baselines.patch")."
} >"$pr/body.md"
o3_ci_say "No regression on profile $profile: the baselines in $baselines/$profile/ are refreshed; the pull request's files are in $pr/ ($title)."
o3_ci_output proposed=true
o3_ci_output "title=$title"
o3_ci_output "branch=$(cat "$pr/branch.txt")"
