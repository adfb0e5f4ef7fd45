#!/usr/bin/env bash
# Issue 12's two measurements, rerunnable on a quiet machine:
#  1. compact of a 4 GiB dynamic image (2 MiB blocks, every block written, every other one then
#     zeroed): wall time and bytes reclaimed;
#  2. resize of a 100 GiB dynamic image with data in 64 blocks to 200 GiB (its BAT moves to the
#     end of the file): wall time; it must not rewrite data (the file grows by the new BAT only).
# Usage: bash bench/maintenance.sh [VHD]   (VHD: the vhd binary; default: build the JIT tool)
# BENCH_DIR: where the images go (default a temporary folder, deleted at the end).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vhd=${1:-}
if [[ -z "$vhd" ]]; then
  dotnet build "$root/src/VhdTool" -c Release -v q -nologo >/dev/null
  vhd="$root/src/VhdTool/bin/Release/net10.0/vhd"
fi
dir=${BENCH_DIR:-$(mktemp -d)}
trap '[[ -z "${BENCH_DIR:-}" ]] && rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

img="$dir/compact.vhd"
rm -f "$img"
"$vhd" create "$img" --size 4G --exact-size
# Every block written: random data in the even ones, zeros in the odd ones.
python3 -c 'import os, sys
z = bytes(2 << 20)
for b in range(2048): sys.stdout.buffer.write(os.urandom(2 << 20) if b % 2 == 0 else z)' | "$vhd" write "$img" --offset 0 -q
sync
before=$(stat -c %s "$img")
start=$(date +%s.%N)
"$vhd" compact "$img" --json -q > "$dir/compact.json"
end=$(date +%s.%N)
echo "| compact 4 GiB, half the blocks zeroed | $(awk -v e="$end" -v s="$start" 'BEGIN { printf "%.2f", e - s }') s | $(grep -o '"bytesReclaimed": [0-9]*' "$dir/compact.json" | grep -o '[0-9]*$') bytes reclaimed of $before |"
rm -f "$img"

img="$dir/resize.vhd"
"$vhd" create "$img" --size 100G --exact-size
head -c 128M /dev/urandom | "$vhd" write "$img" --offset 50G -q
sync
before=$(stat -c %s "$img")
start=$(date +%s.%N)
"$vhd" resize "$img" --size 200G
end=$(date +%s.%N)
echo "| resize 100 GiB dynamic to 200 GiB | $(awk -v e="$end" -v s="$start" 'BEGIN { printf "%.2f", e - s }') s | file $before -> $(stat -c %s "$img") bytes |"
rm -f "$img"
