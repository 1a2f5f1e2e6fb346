#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks o3's NVML backend against nvidia-smi on a real NVIDIA GPU.
#
#   ci/gpu-check.sh            on the GPU machine: build (meson) or use the
#                              carried build-gpu-carry/, then print
#                              `o3 monitor --list-backends`, two JSON samples,
#                              nvidia-smi's reading, and per field whether they
#                              agree (memory within 1 MiB, temperature +-2 C,
#                              power +-10 %; clocks and busy % for information).
#   ci/gpu-check.sh --prepare  here, before borrowing the machine: build
#                              build-gpu-carry/ (o3-monitor-check and the shared
#                              libraries it needs beyond glibc), for a machine
#                              without meson or the -dev packages. Carry it:
#                              run(command="ci/gpu-check.sh", carry=["build-gpu-carry"]).
# Needs no root. Exit 0 when memory, temperature and power agree, 1 when one
# does not, 4 when there is nothing to run or no nvidia-smi.
set -u
cd "$(dirname "$0")/.." || exit 4

if [ "${1:-}" = "--prepare" ]; then
	set -e
	if [ -d build-gpu/meson-private ]; then
		meson setup --reconfigure build-gpu -Dtests=disabled >/dev/null
	else
		meson setup build-gpu -Dtests=disabled --buildtype=release >/dev/null
	fi
	meson compile -C build-gpu o3-monitor-check >/dev/null
	rm -rf build-gpu-carry
	mkdir -p build-gpu-carry/lib
	cp build-gpu/src/o3-monitor-check build-gpu-carry/
	ldd build-gpu/src/o3-monitor-check | awk '$3 ~ /^\// { print $3 }' |
	while read -r lib; do
		case "$(basename "$lib")" in
		libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|ld-linux*) ;;
		*) cp -L "$lib" build-gpu-carry/lib/ ;;
		esac
	done
	du -sh build-gpu-carry
	exit 0
fi

log=$(mktemp)
mon=""
if command -v meson >/dev/null 2>&1 && command -v ninja >/dev/null 2>&1 &&
   { [ -d build-gpu/meson-private ] ||
     meson setup build-gpu -Dtests=disabled >"$log" 2>&1; }; then
	if meson compile -C build-gpu o3 >>"$log" 2>&1 && [ -x build-gpu/o3 ]; then
		mon="build-gpu/o3 monitor"
	elif meson compile -C build-gpu o3-monitor-check >>"$log" 2>&1; then
		mon="build-gpu/src/o3-monitor-check"
	fi
fi
if [ -z "$mon" ] && [ -x build-gpu-carry/o3-monitor-check ]; then
	echo "gpu-check: no meson build here ($(tail -n 1 "$log" 2>/dev/null)); using the carried build-gpu-carry/"
	LD_LIBRARY_PATH="$PWD/build-gpu-carry/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
	mon="build-gpu-carry/o3-monitor-check"
fi
if [ -z "$mon" ]; then
	echo "gpu-check: cannot build o3 here and no build-gpu-carry/ was carried:" >&2
	tail -n 5 "$log" >&2
	rm -f "$log"
	exit 4
fi
rm -f "$log"

echo "== o3 monitor --list-backends ($mon)"
list=$($mon --list-backends --no-server)
echo "$list"
echo "== o3 monitor --json --count 1, twice"
$mon --json --count 1 --no-server
sleep 1
$mon --json --count 1 --no-server

if ! command -v nvidia-smi >/dev/null 2>&1; then
	echo "gpu-check: no nvidia-smi here" >&2
	exit 4
fi
# o3's CSV (stdout is not a terminal) and nvidia-smi, as close together as possible
csv=$($mon --count 1 --no-server)
smi=$(nvidia-smi --query-gpu=memory.used,memory.total,temperature.gpu,clocks.sm,clocks.mem,power.draw,utilization.gpu --format=csv,noheader,nounits)
echo "== nvidia-smi --query-gpu=memory.used,memory.total,temperature.gpu,clocks.sm,clocks.mem,power.draw,utilization.gpu"
echo "$smi"
echo "== o3 monitor (CSV)"
echo "$csv"

echo "== PCI address and memory call"
nvidia-smi --query-gpu=index,pci.bus_id,name --format=csv,noheader | while IFS=', ' read -r idx bus _; do
	if echo "$list" | grep -q "nvml$idx, .*$bus"; then
		echo "nvml$idx: PCI $bus: agree"
	else
		echo "nvml$idx: PCI $bus: not in o3's backend list"
	fi
done
if echo "$list" | grep -q "memory v1"; then
	echo "memory: o3 fell back to nvmlDeviceGetMemoryInfo (v1): the v2 call failed"
else
	echo "memory: o3 used nvmlDeviceGetMemoryInfo_v2"
fi

echo "== comparison"
printf '%s\n' "$smi" | awk -F', *' -v csv="$csv" '
BEGIN {
	n = split(csv, rows, "\n")
	split(rows[1], head, ",")
	for (i in head) col[head[i]] = i
	g = 0
	for (r = 2; r <= n; r++) {
		split(rows[r], f, ",")
		if (f[col["backend"]] != "nvml")
			continue
		id[g] = f[col["device"]]
		used[g] = f[col["vram_used_bytes"]]; total[g] = f[col["vram_total_bytes"]]
		temp[g] = f[col["temp_c"]]; sclk[g] = f[col["sclk_mhz"]]; mclk[g] = f[col["mclk_mhz"]]
		pw[g] = f[col["power_w"]]; busy[g] = f[col["busy_pct"]]
		g++
	}
	bad = 0; good = 0; gpu = 0
}
function abs(x) { return x < 0 ? -x : x }
function say(gi, what, o3, smi, ok, rule, gating) {
	if (o3 == "") { printf "%s %s: o3 has no value, nvidia-smi %s: DIFFER\n", id[gi], what, smi; if (gating) bad++; return }
	printf "%s %s: o3 %s, nvidia-smi %s: %s (%s)\n", id[gi], what, o3, smi, ok ? "agree" : "DIFFER", rule
	if (ok) good++; else if (gating) bad++
}
{
	if (gpu >= g) { printf "nvidia-smi GPU %d: no NVML device in o3 output: DIFFER\n", gpu; bad++; gpu++; next }
	mu = used[gpu] / 1048576; mt = total[gpu] / 1048576
	say(gpu, "memory.used MiB", used[gpu] == "" ? "" : sprintf("%.1f", mu), $1, abs(mu - $1) <= 1, "within 1 MiB", 1)
	say(gpu, "memory.total MiB", total[gpu] == "" ? "" : sprintf("%.1f", mt), $2, abs(mt - $2) <= 1, "within 1 MiB", 1)
	say(gpu, "temperature C", temp[gpu], $3, abs(temp[gpu] - $3) <= 2, "+-2 C", 1)
	say(gpu, "power W", pw[gpu], $6, $6 > 0 ? abs(pw[gpu] - $6) <= 0.1 * $6 : abs(pw[gpu]) < 1, "+-10 %", 1)
	say(gpu, "clocks.sm MHz", sclk[gpu], $4, abs(sclk[gpu] - $4) <= 0.1 * $4 + 1, "+-10 %, information", 0)
	say(gpu, "clocks.mem MHz", mclk[gpu], $5, abs(mclk[gpu] - $5) <= 0.1 * $5 + 1, "+-10 %, information", 0)
	say(gpu, "utilization.gpu %", busy[gpu], $7, abs(busy[gpu] - $7) <= 10, "+-10 points, information", 0)
	gpu++
}
END {
	printf "gpu-check: %d fields agree, %d gating fields differ\n", good, bad
	exit bad ? 1 : 0
}'
