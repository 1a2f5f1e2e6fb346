#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages O3 needs when they are missing (sourced by the
# other scripts). Set O3_NO_APT=1 to only check.
o3_packages=(meson ninja-build pkg-config gcc libcurl4-openssl-dev libcjson-dev
	libyaml-dev libxml2-dev check libsubunit-dev libmicrohttpd-dev gcovr libxml2-utils)
o3_optional_packages=(librocm-smi-dev valgrind)

o3_missing() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	printf '%s\n' "${missing[@]}"
}

o3_ensure_deps() {
	local missing optional sudo=
	mapfile -t missing < <(o3_missing "${o3_packages[@]}")
	mapfile -t optional < <(o3_missing "${o3_optional_packages[@]}")
	missing=("${missing[@]}" "${optional[@]}")
	[ "${#missing[@]}" -eq 0 ] || [ -z "${missing[0]}" ] && return 0
	if [ "${O3_NO_APT:-0}" = 1 ]; then
		echo "missing packages: ${missing[*]}" >&2
		return 1
	fi
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing: ${missing[*]}" >&2
	$sudo apt-get update -qq >&2 || true
	# the optional ones may not exist on every release: install them apart
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		$(o3_missing "${o3_packages[@]}") >&2
	for p in $(o3_missing "${o3_optional_packages[@]}"); do
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$p" >&2 ||
			echo "optional package $p not installed" >&2
	done
}
