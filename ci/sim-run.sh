#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One o3 run of a suite against a simulator of its own (sourced by
# ci/baselines-sim.sh and tests/regression.sh):
#   o3_sim_run BUILD SUITE PROFILE RESULTS [o3-sim args...] -- [o3 run args...]
# The simulator and o3 run at time scale 0.002 (the baselines' own), on a free
# loopback port, o3 reading the simulated machine's sysfs and procfs trees;
# the simulator is stopped before it returns o3's exit code. O3_WRAP, when
# set, is a command that o3 runs under (tests/valgrind_run.sh: valgrind).
o3_sim_run() {
	local build=$1 suite=$2 profile=$3 results=$4
	shift 4
	local sim_args=() run_args=() seen=0 dir rc pid
	for a in "$@"; do
		if [ "$a" = -- ]; then seen=1; continue; fi
		if [ $seen = 0 ]; then sim_args+=("$a"); else run_args+=("$a"); fi
	done
	dir=$(mktemp -d)
	mkdir -p "$dir/sys" "$dir/proc"
	OLLAMA_HOST=127.0.0.1:0 "$build/fixtures/ollama-sim/o3-sim" --profile "$profile" \
		--time-scale 0.002 --port-file "$dir/port" --sysfs-root "$dir/sys" \
		--procfs-root "$dir/proc" "${sim_args[@]}" >"$dir/sim.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.05; done
	if [ ! -s "$dir/port" ]; then
		echo "the simulator did not start:" >&2
		cat "$dir/sim.log" >&2
		kill "$pid" 2>/dev/null
		rm -rf "$dir"
		return 4
	fi
	local wrap=()
	[ -z "${O3_WRAP:-}" ] || read -r -a wrap <<<"$O3_WRAP"
	OLLAMA_HOST=127.0.0.1:$(cat "$dir/port") O3_TIME_SCALE=0.002 "${wrap[@]}" "$build/o3" run --suite "$suite" \
		--results "$results" --no-progress --sysfs-root "$dir/sys" --procfs-root "$dir/proc" \
		"${run_args[@]}"
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$dir"
	return $rc
}
