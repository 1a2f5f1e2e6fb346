#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages O3 needs when they are missing (sourced by the
# other scripts). Set O3_NO_APT=1 to only check.
o3_packages=(meson ninja-build pkg-config gcc libcurl4-openssl-dev libcjson-dev
	libyaml-dev libxml2-dev check libsubunit-dev libmicrohttpd-dev gcovr libxml2-utils
	python3-numpy)
o3_optional_packages=(librocm-smi-dev valgrind)
# The real-engine suite's llama.cpp fixture (fixtures/llamacpp-server) needs
# node 20 or later and npm, which Debian 12 does not ship (its nodejs is 18):
# they come from the machine (NodeSource, actions/setup-node); without them
# the suite is skipped. o3_node_packages installs the fixture's packages.
o3_node_packages() {
	if ! command -v node >/dev/null || ! command -v npm >/dev/null ||
		[ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
		echo "node 20+ and npm not found: the real-engine suite will be skipped" >&2
		return 0
	fi
	# the pinned lock file; the linux-x64 CPU binaries only (--omit=optional);
	# no install scripts (node-llama-cpp's would look for or build binaries);
	# npm's cache in the build folder, nothing outside the repository
	npm ci --prefix fixtures/llamacpp-server --omit=optional --ignore-scripts \
		--no-audit --no-fund --cache "${1:-build}/npm-cache" >&2
}

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
