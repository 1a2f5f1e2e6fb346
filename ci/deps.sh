#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The packages O3 needs (sourced by the other scripts). On Debian and Ubuntu
# (apt-get) the missing ones are installed. Elsewhere, and with O3_NO_APT=1,
# nothing is installed: the libraries are checked with pkg-config and the
# tools with `command -v`, and what is missing is named with the packages of
# apt-get, dnf (Fedora) and pacman (Arch) that hold it.
o3_packages=(meson ninja-build pkg-config gcc libcurl4-openssl-dev libcjson-dev
	libyaml-dev libxml2-dev check libsubunit-dev libmicrohttpd-dev gcovr libxml2-utils jq
	python3-numpy)
o3_optional_packages=(librocm-smi64-1 valgrind)
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

# what to check without apt: "kind:name apt dnf pacman" (kind pc = a
# pkg-config module, cmd = a command, py = a python3 module)
o3_checks=(
	"cmd:meson meson meson meson"
	"cmd:ninja ninja-build ninja-build ninja"
	"cmd:pkg-config pkg-config pkgconf-pkg-config pkgconf"
	"cmd:cc gcc gcc gcc"
	"pc:libcurl libcurl4-openssl-dev libcurl-devel curl"
	"pc:libcjson libcjson-dev cjson-devel cjson"
	"pc:yaml-0.1 libyaml-dev libyaml-devel libyaml"
	"pc:libxml-2.0 libxml2-dev libxml2-devel libxml2"
	"pc:check check check-devel check"
	"pc:libmicrohttpd libmicrohttpd-dev libmicrohttpd-devel libmicrohttpd"
	"cmd:gcovr gcovr gcovr gcovr"
	"cmd:xmllint libxml2-utils libxml2 libxml2"
	"cmd:jq jq jq jq"
	"py:numpy python3-numpy python3-numpy python-numpy"
)
o3_lint_checks=(
	"cmd:shellcheck shellcheck ShellCheck shellcheck"
	"cmd:node nodejs nodejs nodejs"
	"cmd:npm npm npm npm"
)

o3_missing() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	printf '%s\n' "${missing[@]}"
}

# Checks without a package manager; prints what is missing and returns 1.
o3_check_without_apt() {
	local c what name apt dnf pacman bad=0
	for c in "$@"; do
		read -r what apt dnf pacman <<<"$c"
		name=${what#*:}
		case $what in
		pc:*) pkg-config --exists "$name" 2>/dev/null && continue ;;
		cmd:*) command -v "$name" >/dev/null && continue ;;
		py:*) # the python3 on PATH, or the system's (a pyenv one may lack it)
			python3 -c "import $name" 2>/dev/null && continue
			[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $name" 2>/dev/null && continue ;;
		esac
		[ $bad = 1 ] || echo "missing (install with apt-get, dnf or pacman):" >&2
		bad=1
		printf '  %-14s apt-get: %-22s dnf: %-22s pacman: %s\n' "$name" "$apt" "$dnf" "$pacman" >&2
	done
	return $bad
}

o3_apt_install() { # packages...; the optional ones apart (not on every release)
	local missing sudo=
	mapfile -t missing < <(o3_missing "$@")
	[ "${#missing[@]}" -eq 0 ] || [ -z "${missing[0]}" ] && return 0
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "installing: ${missing[*]}" >&2
	$sudo apt-get update -qq >&2 || true
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2
}

o3_ensure_deps() {
	local p sudo=
	if [ "${O3_NO_APT:-0}" = 1 ] || ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
		o3_check_without_apt "${o3_checks[@]}"
		return
	fi
	o3_apt_install "${o3_packages[@]}" || return
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	for p in $(o3_missing "${o3_optional_packages[@]}"); do
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$p" >&2 ||
			echo "optional package $p not installed" >&2
	done
}

# The lint of ci/lint.sh needs shellcheck, node and npm (node and npm kept where they are
# already, as on GitHub's hosted runners)
o3_ensure_lint_deps() {
	local want=(shellcheck)
	if [ "${O3_NO_APT:-0}" = 1 ] || ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
		o3_check_without_apt "${o3_lint_checks[@]}"
		return
	fi
	command -v node >/dev/null || want+=(nodejs)
	command -v npm >/dev/null || want+=(npm)
	o3_apt_install "${want[@]}"
}

# Configure (once; later runs reconfigure) and build DIR with meson; the
# options after DIR apply when it is first configured. Quiet unless it fails.
o3_build() {
	local dir=$1
	shift
	if [ -d "$dir/meson-private" ]; then
		meson setup --reconfigure "$dir" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
	meson compile -C "$dir" >/dev/null
}
