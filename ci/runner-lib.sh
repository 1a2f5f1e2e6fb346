#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What the runner scripts share (sourced by ci/optimize.sh, ci/nightly.sh,
# ci/ollama-upgrade.sh, ci/fleet-merge.sh): building o3, the server check that
# refuses the simulator, messages for a person and for GitHub Actions.
#
#   O3_BIN=PATH      use this o3 and build nothing (tests pass their build's)
#   O3_BUILD=DIR     the meson build folder otherwise (default build-runner)
#   O3_ALLOW_SIM=1   accept o3's simulator as the server (tests only): every
#                    message then says SIMULATED; without it a simulator is
#                    refused like a missing server (exit 4)
# Sets o3, o3_ci_simulated and o3_ci_version for the scripts that source it.
# shellcheck disable=SC2034

o3_ci_say() { # message for the log and, on GitHub Actions, the step summary
	echo "$*"
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		printf '%s\n\n' "$*" >>"$GITHUB_STEP_SUMMARY"
	fi
}

o3_ci_annotate() { # level (error|warning|notice), message: an annotation on Actions
	if [ "${GITHUB_ACTIONS:-}" = true ]; then
		echo "::$1::$2"
	fi
}

o3_ci_fail() { # exit code, message
	local rc=$1
	shift
	echo "$(basename "$0"): $*" >&2
	o3_ci_annotate error "$*"
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		printf '**Failed (exit %s):** %s\n\n' "$rc" "$*" >>"$GITHUB_STEP_SUMMARY"
	fi
	exit "$rc"
}

o3_ci_output() { # name=value for a later workflow step
	if [ -n "${GITHUB_OUTPUT:-}" ]; then
		echo "$1" >>"$GITHUB_OUTPUT"
	fi
}

# Sets o3 (the binary): O3_BIN as it is, else built in O3_BUILD with meson.
o3_ci_build() {
	if [ -n "${O3_BIN:-}" ]; then
		o3=$O3_BIN
		[ -x "$o3" ] || o3_ci_fail 5 "O3_BIN=$o3 is not an executable"
		return 0
	fi
	# shellcheck source=ci/deps.sh
	. ci/deps.sh
	o3_ensure_deps || o3_ci_fail 4 "the packages o3 needs are missing (above)"
	local build=${O3_BUILD:-build-runner}
	o3_build "$build" --buildtype=release || o3_ci_fail 5 "the build failed"
	o3=$build/o3
}

# The server at OLLAMA_HOST must answer and be a real Ollama; sets
# o3_ci_simulated (0 or 1) and o3_ci_version. Exit 4 when none answers or when
# it is the simulator without O3_ALLOW_SIM=1.
o3_ci_server() {
	local host=${OLLAMA_HOST:-127.0.0.1:11434} env
	if ! env=$("$o3" env 2>/dev/null) || ! jq -e '.ollama.version' >/dev/null <<<"$env"; then
		o3_ci_fail 4 "no Ollama answers at $host: this script measures the runner's own Ollama and never falls back to the simulator; start it (systemctl status ollama) or point OLLAMA_HOST at it (ci/README.md)"
	fi
	o3_ci_version=$(jq -r '.ollama.version' <<<"$env")
	if jq -e '.ollama.simulated == true' >/dev/null <<<"$env"; then
		if [ "${O3_ALLOW_SIM:-0}" != 1 ]; then
			o3_ci_fail 4 "the server at $host is o3's simulator ($(jq -r '.ollama.simulator' <<<"$env")), not a real Ollama: refused (O3_ALLOW_SIM=1 accepts it, for tests only)"
		fi
		o3_ci_simulated=1
		local banner
		banner="SIMULATED: the server at $host is o3's simulator ($(jq -r '.ollama.simulator' <<<"$env")), accepted because O3_ALLOW_SIM=1; every figure below is simulated, not measured on this machine"
		echo "######## $banner" >&2
		o3_ci_say "**$banner**"
		o3_ci_annotate warning "$banner"
	else
		o3_ci_simulated=0
		echo "Ollama $o3_ci_version at $host"
	fi
}

# The baselines profile of this machine: O3_PROFILE, else what o3 says.
o3_ci_profile() {
	if [ -n "${O3_PROFILE:-}" ]; then
		echo "$O3_PROFILE"
	else
		# shellcheck disable=SC2086
		"$o3" env --profile ${O3_MACHINE_ARGS:-}
	fi
}
