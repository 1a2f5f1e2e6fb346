#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson test ci_scripts: the scripts the workflows call, run as a person runs
# them by hand, against o3-sim started here (O3_ALLOW_SIM=1 where a runner
# script must accept it) and against no server at all:
#   quickstart.sh   the simulator fallback (said loudly), a failed gate (exit 1),
#                   the fallback refused on a self-hosted runner (exit 4);
#   optimize.sh     no server (4), the simulator refused (4), accepted with
#                   O3_ALLOW_SIM=1 (0, SIMULATED in the step summary, results
#                   file names an artifact upload takes), a failed gate (1);
#   nightly.sh      first baselines proposed as pull-request files; an
#                   inconclusive comparison refreshes nothing; a regression
#                   (--slow-decode 1.1) fails naming models and metrics and
#                   refreshes nothing;
#   ollama-upgrade.sh  nothing changed (0, nothing run); Ollama 0.24.0 ->
#                   0.33.0 with a memory regression (1, the version change
#                   named); the same upgrade passing proposes new baselines;
#                   no baselines (3);
#   deps.sh         O3_NO_APT=1: pkg-config checks, the dnf and pacman
#                   packages of what is missing.
# Arguments: the build root, the source root.
set -u
build=$1
src=$2
cd "$src" || exit 5
work=$(mktemp -d)
sim_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
	rm -rf "$work"
}
trap cleanup EXIT
export O3_BIN=$build/o3
unset GITHUB_ACTIONS GITHUB_OUTPUT GITHUB_STEP_SUMMARY RUNNER_ENVIRONMENT O3_ALLOW_SIM \
	O3_PROFILE O3_MODELS O3_INCONCLUSIVE_OK O3_FORCE_GATE O3_RUN_ARGS O3_MACHINE_ARGS
failures=0
case_no=0

# sim_start ARGS...: an o3-sim of its own on a free port; sets OLLAMA_HOST,
# O3_TIME_SCALE and O3_MACHINE_ARGS (its sysfs and procfs trees)
sim_start() {
	sim_stop
	local d=$work/sim$((++case_no))
	mkdir -p "$d/sys" "$d/proc"
	OLLAMA_HOST=127.0.0.1:0 "$build/fixtures/ollama-sim/o3-sim" --time-scale 0.002 \
		--port-file "$d/port" --sysfs-root "$d/sys" --procfs-root "$d/proc" "$@" >"$d/log" 2>&1 &
	sim_pid=$!
	for _ in $(seq 200); do [ -s "$d/port" ] && break; sleep 0.05; done
	[ -s "$d/port" ] || { echo "o3-sim did not start:"; cat "$d/log"; exit 5; }
	OLLAMA_HOST=127.0.0.1:$(cat "$d/port")
	export OLLAMA_HOST O3_TIME_SCALE=0.002
	export O3_MACHINE_ARGS="--sysfs-root $d/sys --procfs-root $d/proc"
}
sim_stop() {
	[ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; }
	sim_pid=
}
no_server() { # a port where nothing listens
	sim_stop
	export OLLAMA_HOST=127.0.0.1:1
	unset O3_TIME_SCALE O3_MACHINE_ARGS
}

fail() {
	echo "FAIL: $*"
	echo "---- output of the last command:"
	sed -n '1,80p' "$work/out"
	failures=$((failures + 1))
}
# expect RC DESCRIPTION COMMAND...: runs it, output in $work/out
expect() {
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" -eq "$want" ]; then echo "ok: $what (exit $rc)"; else fail "$what: exit $rc, expected $want"; fi
}
said() { # the last output has PATTERN (grep -E)
	grep -qE -- "$1" "$work/out" || fail "the output does not say /$1/"
}
not_said() {
	! grep -qE -- "$1" "$work/out" || fail "the output says /$1/"
}
sum_of() { find "$1" -type f -exec sha256sum {} + 2>/dev/null | sort | sha256sum; }

# ---- quickstart.sh ---------------------------------------------------------
no_server
export O3_SUITE=suites/smoke.yaml O3_RESULTS=$work/quick
expect 0 "quickstart falls back on the simulator" ci/quickstart.sh
said 'starting o3.s SIMULATOR'
said 'SIMULATED: these results come from o3.s simulator'
ls "$work/quick/defaults/"*.simulated.yaml >/dev/null 2>&1 || fail "no *.simulated.yaml presets"
O3_SUITE=tests/data/ci/smoke-unmet.yaml O3_RESULTS=$work/quick-unmet \
	expect 1 "quickstart does not hide a failed gate" ci/quickstart.sh
said 'EXIT 1: some gates failed'
RUNNER_ENVIRONMENT=self-hosted O3_RESULTS=$work/quick-runner \
	expect 4 "quickstart on a self-hosted runner refuses the simulator" ci/quickstart.sh
said 'refusing to measure the simulator'
[ ! -e "$work/quick-runner" ] || fail "quickstart measured something on a runner without Ollama"

# ---- optimize.sh -----------------------------------------------------------
export O3_RESULTS=$work/opt
expect 4 "optimize without a server" ci/optimize.sh
said 'no Ollama answers at 127.0.0.1:1'
sim_start --profile strix-halo-64g
expect 4 "optimize refuses the simulator" ci/optimize.sh
said "o3's simulator .*refused"
[ ! -e "$work/opt" ] || fail "optimize measured the simulator without O3_ALLOW_SIM=1"
export O3_ALLOW_SIM=1 GITHUB_STEP_SUMMARY=$work/step-summary.md
expect 0 "optimize with O3_ALLOW_SIM=1 against the simulator" ci/optimize.sh
said '######## SIMULATED'
grep -q 'SIMULATED' "$GITHUB_STEP_SUMMARY" || fail "the step summary does not say SIMULATED"
bad=$(cd "$work/opt" && find . -name '*[":<>|*?]*' -o -name "*$(printf '\r')*")
[ -z "$bad" ] || fail "results file names that an artifact upload refuses: $bad"
ls "$work/opt/env/"env-*.json >/dev/null 2>&1 || fail "no env snapshot in the results"
O3_SUITE=tests/data/ci/smoke-unmet.yaml O3_RESULTS=$work/opt-unmet \
	expect 1 "optimize fails on a failed gate" ci/optimize.sh
said 'a gate failed'
unset GITHUB_STEP_SUMMARY

# ---- nightly.sh ------------------------------------------------------------
export O3_SUITE=suites/regression-sim.yaml O3_RESULTS=$work/night O3_BASELINES=$work/baselines
export O3_PR_DIR=$work/pr GITHUB_OUTPUT=$work/gh-output
sim_start --profile strix-halo-64g --ollama-version 0.24.0
expect 0 "nightly writes the first baselines" ci/nightly.sh
for f in title.txt branch.txt body.md baselines.patch; do
	[ -s "$work/pr/$f" ] || fail "nightly: no $f for the pull request"
done
grep -q 'proposed=true' "$GITHUB_OUTPUT" || fail "nightly: no proposed=true step output"
grep -q '^+++ b/.*sim-strix-halo-64g/qwen2.5_3b-instruct.json' "$work/pr/baselines.patch" ||
	fail "nightly: the patch does not add the qwen2.5 baseline"
[ -s "$work/baselines/sim-strix-halo-64g/liquid-rag_latest.json" ] || fail "nightly: no baseline written"
grep -q 'SIMULATED' "$work/pr/title.txt" || fail "nightly: a simulated proposal's title does not say so"
before=$(sum_of "$work/baselines")
# noise of +-30 % on every request: decode and TTFT cannot decide at 5 repetitions
sim_start --profile strix-halo-64g --ollama-version 0.24.0 --noise 0.3 --seed 7
expect 0 "nightly: an inconclusive comparison refreshes nothing" ci/nightly.sh
said 'INCONCLUSIVE: .*NOT refreshed'
said 'max_ctx decode_at_fill: .*one sample a side'
[ ! -e "$work/pr" ] || fail "nightly: a proposal despite an inconclusive comparison"
[ "$(sum_of "$work/baselines")" = "$before" ] || fail "nightly: baselines changed on an inconclusive comparison"
sim_start --profile strix-halo-64g --ollama-version 0.24.0 --slow-decode 1.1
expect 1 "nightly fails on a regression" ci/nightly.sh
said 'qwen2.5:3b-instruct/regression/max_ctx/decode: max_ctx decode .* worse than the baseline'
said 'regression\(s\) on profile sim-strix-halo-64g'
[ ! -e "$work/pr" ] || fail "nightly: a proposal despite a regression"
[ "$(sum_of "$work/baselines")" = "$before" ] || fail "nightly: baselines changed despite a regression"

# ---- ollama-upgrade.sh -------------------------------------------------------
sim_start --profile strix-halo-64g --ollama-version 0.24.0
rm -rf "$work/night"
expect 0 "upgrade: nothing changed, nothing run" ci/ollama-upgrade.sh
said 'nothing changed, nothing to gate'
[ ! -e "$work/night" ] || fail "upgrade: measured although nothing changed"
sim_start --profile strix-halo-64g --ollama-version 0.33.0
expect 1 "upgrade to Ollama 0.33.0: liquid-rag's memory regresses" ci/ollama-upgrade.sh
said 'Ollama 0.24.0 → 0.33.0'
said 'liquid-rag:latest/regression/max_ctx/memory'
said 'regression\(s\) on profile sim-strix-halo-64g \(Ollama 0.24.0 → 0.33.0'
[ "$(sum_of "$work/baselines")" = "$before" ] || fail "upgrade: baselines changed despite a regression"
O3_MODELS=qwen2.5:3b-instruct \
	expect 0 "upgrade to Ollama 0.33.0 passing for qwen2.5 proposes its baseline" ci/ollama-upgrade.sh
grep -q 'Ollama 0.24.0 → 0.33.0' "$work/pr/title.txt" 2>/dev/null || fail "upgrade: the proposal's title does not name the version change"
grep -q '"ollama_version":[[:space:]]*"0.33.0"' "$work/baselines/sim-strix-halo-64g/qwen2.5_3b-instruct.json" ||
	fail "upgrade: qwen2.5's baseline is not the 0.33.0 one"
grep -q '"ollama_version":[[:space:]]*"0.24.0"' "$work/baselines/sim-strix-halo-64g/liquid-rag_latest.json" ||
	fail "upgrade: liquid-rag's baseline changed although it was not measured"
O3_BASELINES=$work/no-baselines expect 3 "upgrade without baselines" ci/ollama-upgrade.sh
said 'no baselines in .* for this machine'

# ---- deps.sh without apt-get (Fedora, Arch) -----------------------------------
# shellcheck disable=SC2016
O3_NO_APT=1 expect 0 "deps.sh with O3_NO_APT=1: everything is installed here" \
	bash -c '. ci/deps.sh && o3_ensure_deps'
# shellcheck disable=SC2016
O3_NO_APT=1 expect 1 "deps.sh names the dnf and pacman packages of what is missing" \
	bash -c '. ci/deps.sh && o3_check_without_apt "${o3_checks[@]}" "pc:o3-no-such-module libo3-dev o3-devel o3"'
said 'o3-no-such-module +apt-get: libo3-dev +dnf: o3-devel +pacman: o3'
not_said 'libcurl '

sim_stop
echo "ci_scripts: $failures failure(s)"
[ "$failures" -eq 0 ]
