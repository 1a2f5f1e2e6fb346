#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# On a runner (or by hand on its machine): `o3 run` of a suite against this
# machine's own Ollama, never the simulator. The workflow optimize.yml calls it.
#
#   O3_SUITE=FILE      the suite (default suites/default.yaml)
#   O3_MODELS="A B"    only these models of the suite (default: all of them)
#   O3_RESULTS=DIR     results folder (default o3_results)
#   O3_RUN_ARGS=...    more 'o3 run' arguments (e.g. --fresh)
#   O3_BIN, O3_BUILD, O3_ALLOW_SIM: see ci/runner-lib.sh
#
# Exit: o3 run's (0 every gate passed, 1 a gate failed, 3 a bad suite, 4 no
# server (or the simulator, refused), 5 internal error); reports in
# O3_RESULTS: junit.xml, report.html, summaries/summary.md (also appended to
# the step summary on GitHub Actions).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/runner-lib.sh
. ci/runner-lib.sh
o3_ci_build
o3_ci_server

suite=${O3_SUITE:-suites/default.yaml}
results=${O3_RESULTS:-o3_results}
model_args=()
for m in ${O3_MODELS:-}; do model_args+=(--model "$m"); done
status=0
# shellcheck disable=SC2086
"$o3" run --suite "$suite" --results "$results" --no-progress "${model_args[@]}" \
	${O3_MACHINE_ARGS:-} ${O3_RUN_ARGS:-} || status=$?
case $status in
0) o3_ci_say "o3 run of $suite: every gate passed. Reports: $results/report.html, $results/summaries/summary.md, $results/junit.xml" ;;
1) o3_ci_fail 1 "o3 run of $suite: a gate failed (a model with no configuration meeting the suite's criteria, an unstable preset or an OOM in a recommended one): see $results/summaries/summary.md and $results/junit.xml" ;;
*) o3_ci_fail "$status" "o3 run of $suite stopped with exit $status (README, Exit codes); what was measured is in $results/logs/run.jsonl" ;;
esac
