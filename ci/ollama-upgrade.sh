#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Ollama-upgrade gate of one runner (or by hand on its machine): when this
# machine's Ollama version, or the digest of a model that has a baseline,
# differs from what the baselines of this machine's profile were measured
# with, run the gate of ci/nightly.sh: a regression fails (exit 1) naming the
# models, the metrics and the version change; a pass proposes the new
# baselines as the nightly job does. Nothing changed: exit 0, nothing run.
#
#   O3_BASELINES=DIR   the baselines folder (default baselines)
#   O3_PROFILE=P       the baselines profile (default: o3 env --profile)
#   O3_FORCE_GATE=1    run the gate even when nothing changed
#   everything else as ci/nightly.sh (O3_SUITE, O3_RESULTS, O3_PR_DIR, ...)
#
# Exit: ci/nightly.sh's; 3 when the profile has no baselines to compare with
# (run the nightly job first), 4 when no real Ollama answers.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/runner-lib.sh
. ci/runner-lib.sh
o3_ci_build
o3_ci_server

baselines=${O3_BASELINES:-baselines}
profile=$(o3_ci_profile)
shopt -s nullglob
files=("$baselines/$profile"/*.json)
[ "${#files[@]}" -gt 0 ] ||
	o3_ci_fail 3 "no baselines in $baselines/$profile/ for this machine (profile $profile): the upgrade gate has nothing to compare with; run ci/nightly.sh (the nightly job) and merge its pull request first"

# shellcheck disable=SC2086
env=$("$o3" env ${O3_MACHINE_ARGS:-})
# one line per baselined model: model, the baseline's version, its digest, the server's digest
changes=$(jq -n -r --argjson env "$env" '
	def bare: (. // "") | sub("^sha256:"; "");
	($env.ollama.version) as $now |
	([$env.ollama.models[]? | {(.name): (.digest | bare)}] | add // {}) as $pulled |
	[inputs | {model, was: .identity.ollama_version, digest: (.identity.model_digest | bare)}] |
	(map(select(.was != $now)) | group_by(.was)[] |
		"Ollama \(.[0].was) → \($now) (the baselines of \(map(.model) | join(", ")))"),
	(.[] | select($pulled[.model] != null and .digest != "" and $pulled[.model] != .digest) |
		"\(.model): digest \(.digest[0:12]) → \($pulled[.model][0:12])")
' "${files[@]}")

if [ -z "$changes" ]; then
	o3_ci_say "Ollama $o3_ci_version and the models' digests are those of the baselines in $baselines/$profile/: nothing changed, nothing to gate."
	[ "${O3_FORCE_GATE:-0}" = 1 ] || exit 0
	o3_ci_say "O3_FORCE_GATE=1: gating all the same."
else
	o3_ci_say "$(printf 'Changed since the baselines of %s:\n- %s' "$profile" "${changes//$'\n'/$'\n'- }")"
fi
O3_PR_REASON=$(paste -sd ';' <<<"$changes" | sed 's/;/; /g')
export O3_PR_REASON O3_BIN=$o3 O3_PROFILE=$profile
exec ci/nightly.sh
