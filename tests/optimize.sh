#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# meson test --suite optimize: the main job against the Ollama at OLLAMA_HOST.
# Skips (exit 77) when no server answers. Arguments: the o3 binary, the
# source root. O3_SUITE picks the suite (default suites/default.yaml),
# O3_RESULTS the results folder.
set -u
o3=$1
src=$2
if ! "$o3" env --check 2>/dev/null; then
	echo "no Ollama answers at ${OLLAMA_HOST:-127.0.0.1:11434}: skipping the optimize suite"
	exit 77
fi
exec "$o3" run --suite "${O3_SUITE:-$src/suites/default.yaml}" \
	--results "${O3_RESULTS:-o3_results}" --no-progress
