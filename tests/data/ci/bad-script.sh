#!/usr/bin/env bash
# ci/lint.sh's check that shellcheck finds something: an unquoted variable.
dir=$1
rm -rf $dir/results
