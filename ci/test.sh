#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds O3 and runs every test that needs no real Ollama and no GPU:
#  0. the lint: actionlint over the workflows, shellcheck over the scripts
#     (ci/lint.sh);
#  1. a coverage build: all unit, replay, simulator, end-to-end, ci-script and
#     real-engine (llama.cpp) tests, then gcovr;
#  2. an AddressSanitizer + UndefinedBehaviorSanitizer build: the same tests but
#     the ci scripts and real-engine (their C side runs under ASan with the
#     simulator);
#  3. valgrind (memcheck) over the unit tests, the fuzz corpora, and o3 run
#     end to end with every step in a forked child (tests/valgrind_run.sh).
# Warnings are errors here (--werror), not in a user's build.
# Set O3_QUICK=1 to run only step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
. ci/deps.sh
o3_ensure_deps

jobs=$(nproc 2>/dev/null || echo 2)
t0=$(date +%s)

echo "== lint (workflows and scripts)"
ci/lint.sh

setup() { # dir, meson options...
	local dir=$1; shift
	if [ -d "$dir/meson-private" ]; then
		meson setup --reconfigure "$dir" --werror "$@" >/dev/null
	else
		meson setup "$dir" --werror "$@" >/dev/null
	fi
	meson compile -C "$dir" -j "$jobs"
}

echo "== coverage build"
setup build-ci -Db_coverage=true
echo "== node packages of the llama.cpp fixture"
o3_node_packages build-ci
# stale counters from an earlier run would be merged into this one
find build-ci -name '*.gcda' -delete
meson test -C build-ci --print-errorlogs --num-processes "$jobs" --no-suite optimize --no-suite valgrind
echo "== coverage (src/)"
gcovr --root . --object-directory build-ci --filter 'src/' --print-summary \
	--xml build-ci/coverage.xml --txt build-ci/coverage.txt >/dev/null
tail -n 4 build-ci/coverage.txt || true
gcovr --root . --object-directory build-ci --filter 'src/' --print-summary 2>/dev/null | tail -n 3 |
	tee build-ci/coverage-summary.txt
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
	fence="\`\`\`"
	printf '### Coverage of src/\n\n%s\n%s\n%s\n' "$fence" "$(cat build-ci/coverage-summary.txt)" "$fence" \
		>>"$GITHUB_STEP_SUMMARY"
fi

if [ "${O3_QUICK:-0}" != 1 ]; then
	echo "== address and undefined-behaviour sanitizers"
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes "$jobs" --no-suite optimize \
			--no-suite valgrind --no-suite ci --no-suite real-engine
	if command -v valgrind >/dev/null; then
		echo "== valgrind (unit tests and fuzz corpora)"
		meson test -C build-ci --setup valgrind --suite unit --suite fuzz-corpus --print-errorlogs \
			--num-processes "$jobs"
		echo "== valgrind (o3 run end to end, steps in forked children)"
		meson test -C build-ci --suite valgrind --print-errorlogs
	else
		echo "== valgrind not installed: skipped"
	fi
fi
echo "ci/test.sh: all tests passed in $(( $(date +%s) - t0 )) s"
