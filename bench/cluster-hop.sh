#!/usr/bin/env bash
# The cluster hop of `vhd serve --cluster`: what a request costs when the node a client talks to
# forwards it to the node that owns the image, against the same request sent to the owner itself.
#
#   bash bench/cluster-hop.sh
#
#   BENCH_COUNT=4000   requests per 4 KiB run (a 1 MiB run makes a tenth as many)
#   BENCH_ROUNDS=3     rounds (direct first in odd rounds, forwarded first in even ones)
#   BENCH_DIR=DIR      work directory (default /tmp/vhd-hop-bench); deleted at the end
#   VHD=PATH           a built vhd tool (JIT build) instead of publishing one
#
# Two nodes on loopback share one directory; qemu-img bench (queue depth 1) runs against each node
# for one image. The owner is the node holding the image's write lock (byte 101 of its OFD locks in
# /proc/PID/fdinfo) while a bench runs. Rows: 4 KiB and 1 MiB reads and writes; the extra cost per
# request is 1/forwarded rate - 1/direct rate.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${BENCH_COUNT:-4000}
ROUNDS=${BENCH_ROUNDS:-3}
WORK=${BENCH_DIR:-/tmp/vhd-hop-bench}
ART=$ROOT/.artifacts/bench-hop
. bench/lib.sh

need_dotnet
need_pkg qemu-img qemu-utils
machine "qemu-img:  $(qemu-img --version | head -1)"

[ -n "${VHD:-}" ] || publish_hosted "$ART"

rm -rf "$WORK"; mkdir -p "$WORK/serve"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
"$VHD" create "$WORK/serve/image.vhd" --size 1G >/dev/null
INODE=$(stat -c %i "$WORK/serve/image.vhd")

SEED=$(free_port)
declare -A URI PID
for node in a b; do
  port=$SEED; seeds=""
  [ "$node" = b ] && { port=$(free_port); seeds="--seeds 127.0.0.1:$SEED"; }
  # shellcheck disable=SC2086
  "$VHD" serve "$WORK/serve" --listen 127.0.0.1:0 --cluster --node "127.0.0.1:$port" $seeds --min-members 2 >"$WORK/$node.out" 2>"$WORK/$node.err" &
  PID[$node]=$!; PIDS+=($!)
done
for node in a b; do
  for _ in $(seq 600); do grep -q 'listening on' "$WORK/$node.out" 2>/dev/null && break; sleep 0.1; done
  URI[$node]="$(sed -n 's|^vhd serve: listening on \(nbd://[^ ]*/\) .*|\1|p' "$WORK/$node.out")image.vhd"
  [ "${URI[$node]}" != image.vhd ] || { echo "node $node did not start: $(cat "$WORK/$node.err")" >&2; exit 1; }
done

holds() { grep -qsE "OFDLCK +ADVISORY +READ +-1 +[0-9a-f]+:[0-9a-f]+:$INODE +100 +101" /proc/"$1"/fdinfo/* 2>/dev/null; }
# Find the owner: hold a connection open (a slow bench) and look at the locks.
qemu-img bench -f raw -c 200000 -d 1 -s 4096 "${URI[a]}" >/dev/null 2>&1 & probe=$!
OWNER=""
for _ in $(seq 100); do
  for node in a b; do holds "${PID[$node]}" && OWNER=$node; done
  [ -n "$OWNER" ] && break; sleep 0.1
done
kill "$probe" 2>/dev/null || true; wait "$probe" 2>/dev/null || true
[ -n "$OWNER" ] || { echo "no node holds the image" >&2; exit 1; }
OTHER=a; [ "$OWNER" = a ] && OTHER=b
echo "== owner: node $OWNER; forwarded through node $OTHER"

rate() { # uri size count write
  local w=""; [ "$4" = 1 ] && w=-w
  local secs; secs=$(qemu-img bench -f raw -t none -c "$3" -d 1 -s "$2" $w "$1" | sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p')
  awk -v c="$3" -v s="$secs" 'BEGIN {printf "%.1f", c / s}'
}
ROWS=(read4k read1m write4k write1m)
declare -A SIZE=([read4k]=4096 [read1m]=1048576 [write4k]=4096 [write1m]=1048576)
declare -A N=([read4k]=$COUNT [read1m]=$((COUNT / 10)) [write4k]=$COUNT [write1m]=$((COUNT / 10)))
declare -A W=([read4k]=0 [read1m]=0 [write4k]=1 [write1m]=1)
declare -A D F
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))"
  order="direct forwarded"; [ $((round % 2)) -eq 0 ] && order="forwarded direct"
  for row in "${ROWS[@]}"; do
    for way in $order; do
      node=$OWNER; [ "$way" = forwarded ] && node=$OTHER
      v=$(rate "${URI[$node]}" "${SIZE[$row]}" "${N[$row]}" "${W[$row]}")
      echo "  $row $way $v/s"
      if [ "$way" = direct ]; then D[$row]+="$v "; else F[$row]+="$v "; fi
    done
  done
done

echo
echo "| row (qemu-img bench, QD 1) | direct to the owner | forwarded by the other node | extra per request |"
echo "|---|---|---|---|"
for row in "${ROWS[@]}"; do
  d=$(median_of "${D[$row]}")
  f=$(median_of "${F[$row]}")
  extra=$(awk -v d="$d" -v f="$f" 'BEGIN {printf "%.0f us", (1 / f - 1 / d) * 1e6}')
  echo "| $row | $d /s | $f /s | $extra |"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
