#!/usr/bin/env bash
# `vhd serve` against `qemu-nbd -f vpc`, serving the same image to the same clients, in one run:
#
#   bash bench/nbd.sh
#
#   BENCH_SIZE=1G      the image (random data, a dynamic VHD made by qemu-img); the copy rows copy all of it
#   BENCH_COUNT=20000  requests per qemu-img bench run
#   BENCH_ROUNDS=3     alternating rounds (qemu-nbd first in odd rounds, vhd serve in even ones)
#   BENCH_DIR=DIR      work directory (default /tmp/vhd-nbd-bench); its files are deleted at the end
#
# Rows: qemu-img bench over NBD, 4 KiB reads and writes at queue depth 1 and 16 (offsets 1021 x 4 KiB
# apart, wrapping at the end of the disk: scattered over the whole image, the same sequence for
# both servers; qemu-img bench has no random mode), then a whole-image nbdcopy to null: and a
# qemu-img convert to a raw file out of each server. Ratio = vhd serve's speed / qemu-nbd's
# (rates: ours / theirs; times: theirs / ours); the issue's target is 1.5x on every row.
# The servers take turns (one image file, one writer at a time); each starts fresh for each row.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) echo "usage: bash bench/nbd.sh" >&2; exit 2 ;;
esac
SIZE=${BENCH_SIZE:-1G}
COUNT=${BENCH_COUNT:-20000}
ROUNDS=${BENCH_ROUNDS:-3}
WORK=${BENCH_DIR:-/tmp/vhd-nbd-bench}
ART=$ROOT/.artifacts/bench-nbd
STEP=$((1021 * 4096))
. bench/lib.sh

need_dotnet
need_pkg qemu-img qemu-utils
need_pkg qemu-nbd qemu-utils
need_pkg nbdcopy libnbd-bin

machine "qemu-nbd:  $(qemu-nbd --version | head -1)" "nbdcopy:   $(nbdcopy --version | head -1)"

# ---- build: the JIT build of the tool (serve hosts an ActorSystem), ReadyToRun as it ships ----
publish_hosted "$ART"

# ---- the image, served from a directory of its own ------------------------------------------
mkdir -p "$WORK/serve"
SERVED=$WORK/serve/image.vhd
cleanup() {
  stop_server
  rm -f "$WORK/raw" "$SERVED" "$WORK/out.raw"
}
SERVER_PID=""
trap cleanup EXIT
echo "== image: $SIZE of random data, dynamic VHD (qemu-img convert -O vpc)"
head -c "$SIZE" /dev/urandom >"$WORK/raw"
qemu-img convert -f raw -O vpc -o subformat=dynamic,force_size=on "$WORK/raw" "$SERVED"
rm -f "$WORK/raw"
cat "$SERVED" >/dev/null # cached for both


# start_server qemu|vhd: sets URI and SERVER_PID
start_server() {
  if [ "$1" = qemu ]; then
    local port; port=$(free_port)
    qemu-nbd -f vpc --persistent --shared=16 --bind 127.0.0.1 --port "$port" --export-name image.vhd "$SERVED" >"$WORK/qemu.log" 2>&1 &
    SERVER_PID=$!
    URI=nbd://127.0.0.1:$port/image.vhd
    for _ in $(seq 100); do nbdinfo --size "$URI" >/dev/null 2>&1 && return 0; sleep 0.05; done
    echo "qemu-nbd did not start" >&2; exit 1
  else
    "$VHD" serve "$WORK/serve" --listen 127.0.0.1:0 >"$WORK/vhd.out" 2>"$WORK/vhd.err" &
    SERVER_PID=$!
    for _ in $(seq 200); do
      if grep -q 'listening on' "$WORK/vhd.out" 2>/dev/null; then
        URI="$(sed -n 's|^vhd serve: listening on \(nbd://[^ ]*/\) .*|\1|p' "$WORK/vhd.out")image.vhd"
        return 0
      fi
      sleep 0.05
    done
    echo "vhd serve did not start: $(cat "$WORK/vhd.err")" >&2; exit 1
  fi
}
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

now() { date +%s.%N; }

# One measurement with a fresh server: prints a rate (requests/s) or a time (s).
measure() { # server row
  start_server "$1"
  local value
  case "$2" in
    read1|read16|write1|write16)
      local depth=${2//[a-z]/} write=""
      [[ $2 == write* ]] && write=-w
      local secs
      secs=$(qemu-img bench -f raw -c "$COUNT" -d "$depth" -s 4096 -S "$STEP" $write "$URI" | sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p')
      value=$(awk -v c="$COUNT" -v s="$secs" 'BEGIN {printf "%.0f", c / s}')
      ;;
    nbdcopy)
      local t0; t0=$(now); nbdcopy "$URI" null:; value=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}')
      ;;
    convert)
      local t0; t0=$(now); qemu-img convert -f raw -O raw "$URI" "$WORK/out.raw"; value=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}')
      rm -f "$WORK/out.raw"
      ;;
  esac
  stop_server
  echo "$value"
}

ROWS=(read1 read16 write1 write16 nbdcopy convert)
declare -A LABEL=(
  [read1]="4 KiB reads, QD 1 (qemu-img bench -d 1)" [read16]="4 KiB reads, QD 16 (-d 16)"
  [write1]="4 KiB writes, QD 1 (-w -d 1)" [write16]="4 KiB writes, QD 16 (-w -d 16)"
  [nbdcopy]="nbdcopy $SIZE to null:" [convert]="qemu-img convert $SIZE to raw")
declare -A Q V
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS"
  order="qemu vhd"; [ $((round % 2)) -eq 0 ] && order="vhd qemu"
  for row in "${ROWS[@]}"; do
    for server in $order; do
      v=$(measure "$server" "$row")
      echo "  $row $server $v"
      if [ "$server" = qemu ]; then Q[$row]+="$v "; else V[$row]+="$v "; fi
    done
  done
done

echo
echo "| row | qemu-nbd | vhd serve | ratio | target | status |"
echo "|---|---|---|---|---|---|"
for row in "${ROWS[@]}"; do
  q=$(median_of "${Q[$row]}")
  v=$(median_of "${V[$row]}")
  case "$row" in
    nbdcopy|convert) unit=s; ratio=$(awk -v q="$q" -v v="$v" 'BEGIN {printf "%.2f", q / v}') ;;
    *) unit=/s; ratio=$(awk -v q="$q" -v v="$v" 'BEGIN {printf "%.2f", v / q}') ;;
  esac
  status=$(awk -v r="$ratio" 'BEGIN {print (r >= 1.5) ? "PASS" : "SHORT"}')
  echo "| ${LABEL[$row]} | $q $unit | $v $unit | ${ratio}x | >= 1.5x | $status |"
done
