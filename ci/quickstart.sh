#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job, from a fresh checkout: install what is missing, build, then
# measure every model. Against the Ollama at OLLAMA_HOST when one answers;
# otherwise against the bundled simulator, started here on a free loopback
# port and stopped at the end. Prints where the results are.
#
#   O3_RESULTS=DIR      results folder (default o3_results)
#   O3_SIM_PROFILE=P    simulator hardware profile (default strix-halo-64g)
#   O3_SIM_TIME_SCALE=F simulator time scale (default 1: real time)
#   O3_TRIAL_ARGS=...   extra arguments for every 'o3 trial'
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/deps.sh
o3_ensure_deps

build=build
if [ -d "$build/meson-private" ]; then
	meson setup --reconfigure "$build" >/dev/null
else
	meson setup "$build" >/dev/null
fi
meson compile -C "$build" >/dev/null
o3="$build/o3"
results=${O3_RESULTS:-o3_results}
sim_pid=
workdir=$(mktemp -d)
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
	rm -rf "$workdir"
}
trap cleanup EXIT

if "$o3" env --check 2>/dev/null; then
	echo "Ollama answers at ${OLLAMA_HOST:-127.0.0.1:11434}: measuring its models"
	mapfile -t models < <("$o3" env --list-models)
	target="Ollama at ${OLLAMA_HOST:-127.0.0.1:11434}"
else
	profile=${O3_SIM_PROFILE:-strix-halo-64g}
	echo "no Ollama at ${OLLAMA_HOST:-127.0.0.1:11434}: starting the simulator (profile $profile)"
	OLLAMA_HOST=127.0.0.1:0 "$build/fixtures/ollama-sim/o3-sim" --profile "$profile" \
		--time-scale "${O3_SIM_TIME_SCALE:-1}" --port-file "$workdir/port" \
		>"$workdir/sim.log" 2>&1 &
	sim_pid=$!
	for _ in $(seq 100); do
		[ -s "$workdir/port" ] && break
		kill -0 "$sim_pid" 2>/dev/null || { cat "$workdir/sim.log" >&2; exit 4; }
		sleep 0.1
	done
	[ -s "$workdir/port" ] || { echo "the simulator did not start" >&2; exit 4; }
	export OLLAMA_HOST="127.0.0.1:$(cat "$workdir/port")"
	mapfile -t models < <("$o3" env --list-models)
	target="the simulator (profile $profile) at $OLLAMA_HOST"
fi

[ "${#models[@]}" -gt 0 ] && [ -n "${models[0]}" ] || { echo "no models to measure on $target" >&2; exit 4; }
status=0
for m in "${models[@]}"; do
	# shellcheck disable=SC2086
	"$o3" trial --results "$results" --unload ${O3_TRIAL_ARGS:-} "$m" || status=$?
done
echo
echo "Measured ${#models[@]} model(s) on $target."
echo "Records: $results/logs/trials.jsonl   Environment: $results/env/"
exit "$status"
