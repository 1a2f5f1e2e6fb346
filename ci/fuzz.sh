#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the fuzz targets with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer in build-fuzz, then runs each for a while.
#   ci/fuzz.sh [seconds per target, default 60] [target ...]
# Targets: ndjson show ps host error suite monitor record analyze baseline (default: all). Each starts from the replay
# samples and its seed corpus; new inputs go to build-fuzz/corpus/<target>,
# crashes to build-fuzz/artifacts/. Exits non-zero when a target fails.
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ndjson show ps host error suite monitor record analyze baseline)

if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang is needed (libFuzzer)" >&2
	exit 4
fi

# -fsanitize=fuzzer-no-link instruments the libraries for coverage; only the
# *-libfuzzer executables link libFuzzer itself. Warnings are not errors here:
# this build hunts crashes (the normal builds keep --werror).
if [ -d build-fuzz/meson-private ]; then
	meson setup --reconfigure build-fuzz >/dev/null
else
	CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false \
		-Dc_args=-fsanitize=fuzzer-no-link -Dc_link_args=-fsanitize=fuzzer-no-link \
		-Dbuildtype=debugoptimized >/dev/null
fi
for t in "${targets[@]}"; do
	if ! out=$(ninja -C build-fuzz "tests/fuzz_$t-libfuzzer" 2>&1); then
		echo "$out" | tail -n 30 >&2
		exit 5
	fi
done

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
mkdir -p build-fuzz/artifacts
for t in "${targets[@]}"; do
	corpus=build-fuzz/corpus/$t
	mkdir -p "$corpus"
	echo "== fuzz_$t for ${secs}s"
	if ! "build-fuzz/tests/fuzz_$t-libfuzzer" -max_total_time="$secs" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/artifacts/$t-" \
		"$corpus" fixtures/replay/ollama "tests/fuzz/corpus/$t" 2>"build-fuzz/fuzz_$t.log"; then
		echo "fuzz_$t FAILED (log: build-fuzz/fuzz_$t.log)" >&2
		tail -n 40 "build-fuzz/fuzz_$t.log" >&2
		status=1
	else
		grep -E 'stat::number_of_executed_units|cov:' "build-fuzz/fuzz_$t.log" | tail -n 2
	fi
done
exit $status
