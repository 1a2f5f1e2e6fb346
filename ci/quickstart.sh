#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job, from a fresh checkout: install what is missing, build, then
# optimize every model of a suite with `o3 run`. Against the Ollama at
# OLLAMA_HOST when one answers (suite O3_SUITE, default suites/default.yaml);
# otherwise against the bundled simulator, started here on a free loopback
# port and stopped at the end (suite suites/strix-halo-64g.yaml: the
# handoff's five models), saying so loudly: those figures are the
# simulator's, not this machine's. Prints each model's ceiling and presets and
# where the reports are.
#
# Exit: o3 run's. 0 every gate passed; 1 a gate failed (a model with no
# configuration meeting the suite's criteria: a finding, listed, and not
# hidden); 3 a bad suite; 4 no server and no simulator, or the fallback refused
# on a self-hosted GitHub Actions runner (RUNNER_ENVIRONMENT=self-hosted: a
# runner measures its own Ollama, ci/optimize.sh; O3_ALLOW_SIM=1 allows it).
#
#   O3_RESULTS=DIR      results folder (default o3_results)
#   O3_SUITE=FILE       the suite
#   O3_SIM_PROFILE=P    simulator hardware profile (default strix-halo-64g)
#   O3_SIM_TIME_SCALE=F simulator time scale (default 0.001: a simulated hour
#                       takes 3.6 s); o3 measures in the simulator's time
#   O3_RUN_ARGS=...     extra arguments for 'o3 run' (e.g. --fresh)
#   O3_BIN=PATH         use this o3 (and the o3-sim beside it in its build
#                       folder) and build nothing
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${O3_BIN:-}" ]; then
	o3=$O3_BIN
	build=$(dirname "$o3")
else
	# shellcheck source=ci/deps.sh
	. ci/deps.sh
	o3_ensure_deps
	build=build
	o3_build "$build"
	o3="$build/o3"
fi
results=${O3_RESULTS:-o3_results}
sim_pid=
machine_args=()
workdir=$(mktemp -d)
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$workdir"
}
trap cleanup EXIT

simulated=0
if "$o3" env --check 2>/dev/null; then
	suite=${O3_SUITE:-suites/default.yaml}
	target="Ollama at ${OLLAMA_HOST:-127.0.0.1:11434}"
	if "$o3" env 2>/dev/null | jq -e '.ollama.simulated == true' >/dev/null; then
		simulated=1
		target="o3's simulator at ${OLLAMA_HOST:-127.0.0.1:11434}"
	fi
	echo "$target answers: running $suite"
else
	if [ "${RUNNER_ENVIRONMENT:-}" = self-hosted ] && [ "${O3_ALLOW_SIM:-0}" != 1 ]; then
		echo "no Ollama at ${OLLAMA_HOST:-127.0.0.1:11434}, and this is a self-hosted runner: refusing to measure the simulator instead (a runner measures its own Ollama: ci/optimize.sh; O3_ALLOW_SIM=1 allows the simulator)" >&2
		exit 4
	fi
	simulated=1
	profile=${O3_SIM_PROFILE:-strix-halo-64g}
	scale=${O3_SIM_TIME_SCALE:-0.001}
	suite=${O3_SUITE:-suites/strix-halo-64g.yaml}
	echo "######## no Ollama at ${OLLAMA_HOST:-127.0.0.1:11434}: starting o3's SIMULATOR instead (profile $profile)"
	echo "######## every figure below is SIMULATED, not measured on this machine"
	# the simulator keeps a fake amdgpu sysfs tree and /proc/meminfo of the simulated
	# machine; o3's monitor reads them, so the memory criteria judge that machine
	OLLAMA_HOST=127.0.0.1:0 "$build/fixtures/ollama-sim/o3-sim" --profile "$profile" \
		--time-scale "$scale" --port-file "$workdir/port" \
		--sysfs-root "$workdir/sys" --procfs-root "$workdir/proc" >"$workdir/sim.log" 2>&1 &
	sim_pid=$!
	for _ in $(seq 100); do
		[ -s "$workdir/port" ] && break
		kill -0 "$sim_pid" 2>/dev/null || { cat "$workdir/sim.log" >&2; exit 4; }
		sleep 0.1
	done
	[ -s "$workdir/port" ] || { echo "the simulator did not start" >&2; exit 4; }
	OLLAMA_HOST="127.0.0.1:$(cat "$workdir/port")"
	export OLLAMA_HOST
	export O3_TIME_SCALE="$scale"
	machine_args=(--sysfs-root "$workdir/sys" --procfs-root "$workdir/proc")
	target="the simulator (profile $profile, time scale $scale) at $OLLAMA_HOST"
fi

status=0
# shellcheck disable=SC2086
"$o3" run --suite "$suite" --results "$results" "${machine_args[@]}" ${O3_RUN_ARGS:-} || status=$?
echo
echo "Ran $suite on $target."
echo "Reports: $results/report.html (the dashboard), $results/summaries/summary.md, $results/summaries/*.csv, $results/junit.xml, $results/defaults/; log: $results/logs/run.jsonl"
if [ "$status" -eq 1 ]; then
	echo "EXIT 1: some gates failed (a model with no configuration meeting the criteria, or an unstable"
	echo "preset): findings about the models on this machine, listed above and in summary.md."
fi
if [ "$simulated" = 1 ]; then
	echo "######## SIMULATED: these results come from o3's simulator, not from a real Ollama on this machine;"
	echo "######## their presets are named *.simulated.* and are not to be applied. Start Ollama for real figures."
fi
exit "$status"
