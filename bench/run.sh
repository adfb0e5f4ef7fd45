#!/usr/bin/env bash
# vhd against qemu-img, side by side on the same files, in one run:
#
#   bash bench/run.sh            every row of the Performance table (README), medians of
#                                alternating rounds, ratio, target and PASS/SHORT
#   bash bench/run.sh --facade   only the facade's overhead: Stopwatch loops (median, p99 per
#                                4 KiB request) and the BenchmarkDotNet facade benchmarks (short job)
#   bash bench/run.sh --service  only the issue 16 rows: parallel readers, one image many tasks,
#                                many images, durable writes, memory (also part of the full run)
#   bash bench/run.sh --startup  only the one-shot commands' wall time (info, check, create 1G, 4 KiB
#                                read and write), the native vhd against qemu-img/qemu-io, medians
#                                of BENCH_STARTUP_RUNS (default 21) alternating runs; target: within 2x
#
#   BENCH_SIZE=2G      the random raw image (the table's 2 GiB; 1G to shrink)
#   BENCH_ROUNDS=4     alternating rounds (qemu first in odd rounds, vhd first in even ones; even: each goes first as often)
#   BENCH_COUNT=20000  requests per bench run (qemu-img bench -c)
#   BENCH_DIR=DIR      work directory (default /tmp/vhd-bench); its big files are deleted at the end
#   BENCH_DURABLE_COUNT=2000  requests per durable-write run (a flush after each)
#   BENCH_TASK_REQUESTS=200000, BENCH_IMAGE_REQUESTS=10000: requests of the 8-task row, per writer of the 64-image row
#   BENCH_IMAGES=1000  images held open for the memory row; BENCH_DIFF_GIB=2040: the differencing child read end to end (2040 GiB is the largest VHD)
#   BENCH_WARM=1       touch RAM (a tmpfs file of SIZE+1 GiB) before every timed command; 0: off
#
# The page cache cannot be dropped here, so every file is read once before the first timed run
# and both tools always find it cached; `sync` runs (untimed) before every timed command, so the
# write-back of one run's output never lands in the next one's time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MODE=all
case "${1:-}" in
  "") ;;
  --facade) MODE=facade ;;
  --startup) MODE=startup ;;
  --service) MODE=service ;;
  -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
  *) echo "usage: bash bench/run.sh [--facade|--startup|--service]" >&2; exit 2 ;;
esac
SIZE=${BENCH_SIZE:-2G}
ROUNDS=${BENCH_ROUNDS:-4}
COUNT=${BENCH_COUNT:-20000}
WORK=${BENCH_DIR:-/tmp/vhd-bench}
ART=$ROOT/.artifacts/bench
. bench/lib.sh

need_dotnet
need_pkg qemu-img qemu-utils
[ -x /usr/bin/time ] || need_pkg /usr/bin/time time

# ---- machine -------------------------------------------------------------------------------
machine "qemu-img:  $(qemu-img --version | head -1)"

# ---- build (Release, into .artifacts/bench so other builds of the tree do not interfere) -----
# The tool is published as it ships for speed: Native AOT (scripts/publish-native.sh), with the
# ReadyToRun JIT companion that runs `vhd bench` (Akka.NET needs the JIT).
build() { # verb project extra-args...
  local i verb=$1 project=$2; shift 2
  for i in 1 2 3; do
    if dotnet "$verb" "$project" -c Release --artifacts-path "$ART" -v q -nologo "$@" >"$ART.build.log" 2>&1; then return 0; fi
    echo "$verb of $project failed (attempt $i; other builds may hold files); retrying" >&2; sleep 5
  done
  tail -30 "$ART.build.log" >&2; exit 1
}
mkdir -p "$ART"
echo "== build (Release)"
if [ "$MODE" != facade ]; then
  bash scripts/publish-native.sh "$ART/vhd" >"$ART.build.log" 2>&1 || { tail -30 "$ART.build.log" >&2; exit 1; }
fi
[ "$MODE" = startup ] || build build bench/Benchmarks/Benchmarks.csproj
VHD=$ART/vhd/vhd
BENCH="dotnet $ART/bin/Benchmarks/release/Storage.Benchmarks.dll"

# ---- helpers ----------------------------------------------------------------------------------
num() { awk -v x="$1" 'BEGIN {printf "%.3f", x}'; }
ROWS=()
row() { # label qemu ours ratio target-text pass(0/1) unit
  local status=SHORT; [ "$6" = 1 ] && status=PASS
  ROWS+=("| $1 | $2 | $3 | $(num "$4")x | $5 | $status |")
}
facade_rows() {
  local inline messages
  echo "== facade overhead per 4 KiB request (100k requests per path, Stopwatch, median and p99)"
  inline=$($BENCH overhead 100000 --json)
  messages=$($BENCH overhead 100000 --json --messages)
  echo "inline (default): $inline"
  echo "messages (InlineIo=false): $messages"
  for op in read write; do
    local p50 p99 m50 m99
    p50=$(echo "$inline" | sed -n "s/.*\"$op\":{[^}]*\"overheadP50Us\":\([-0-9.e]*\).*/\1/p")
    p99=$(echo "$inline" | sed -n "s/.*\"$op\":{[^}]*\"overheadP99Us\":\([-0-9.e]*\).*/\1/p")
    m50=$(echo "$messages" | sed -n "s/.*\"$op\":{[^}]*\"overheadP50Us\":\([-0-9.e]*\).*/\1/p")
    m99=$(echo "$messages" | sed -n "s/.*\"$op\":{[^}]*\"overheadP99Us\":\([-0-9.e]*\).*/\1/p")
    ROWS+=("| facade overhead, 4 KiB $op (IDisk minus VirtualDisk) | - | $(num "$p50") us median, $(num "$p99") us p99 (InlineIo=false: $(num "$m50") / $(num "$m99") us) | - | < 3 us median | $(awk -v x="$p50" 'BEGIN {print (x < 3) ? "PASS" : "SHORT"}') |")
  done
}
print_table() {
  echo
  echo "| row | qemu-img (median) | vhd (median) | ratio | target | status |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) at the end"
}

if [ "$MODE" = startup ]; then
  # One-shot commands, each timed as a whole process (fork to exit), both tools on the same files.
  RUNS=${BENCH_STARTUP_RUNS:-21}
  W=$(mktemp -d /tmp/vhd-startup.XXXXXX)
  trap 'rm -rf "$W"' EXIT
  qemu-img create -q -f vpc "$W/img.vhd" 1G
  qemu-io -f vpc -c "write -P 7 0 4k" "$W/img.vhd" > /dev/null
  head -c 4096 /dev/urandom > "$W/in.bin"
  wall_ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000 )) | awk '{printf "%.3f\n", $1 / 1000}'; }
  startup_row() { # label "qemu command" "vhd command" [setup command run untimed before each]
    local i q o r
    rm -f "$W/q.res" "$W/o.res"
    for i in $(seq 1 "$RUNS"); do
      for tool in $([ $((i % 2)) = 1 ] && echo "q o" || echo "o q"); do
        [ -n "${4:-}" ] && eval "$4"
        if [ "$tool" = q ]; then eval "wall_ms $2" >> "$W/q.res"; else eval "wall_ms $3" >> "$W/o.res"; fi
      done
    done
    q=$(median < "$W/q.res"); o=$(median < "$W/o.res"); r=$(awk -v q="$q" -v o="$o" 'BEGIN {print q / o}')
    row "$1" "$(num "$q") ms" "$(num "$o") ms" "$r" ">= 0.5x (within 2x)" "$(awk -v r="$r" 'BEGIN {print (r >= 0.5) ? 1 : 0}')"
  }
  echo "== start-up: $RUNS alternating runs per row, load $(cut -d' ' -f1 /proc/loadavg)"
  startup_row "info (qemu-img info)" "qemu-img info $W/img.vhd" "$VHD info $W/img.vhd"
  startup_row "check (qemu-img check: vpc has no checks, it exits at once)" "qemu-img check $W/img.vhd" "$VHD check $W/img.vhd"
  startup_row "create 1G dynamic (qemu-img create -f vpc)" "qemu-img create -q -f vpc $W/new.vhd 1G" "$VHD create $W/new.vhd --size 1G" "rm -f $W/new.vhd"
  startup_row "read 4 KiB (qemu-io -c 'read 0 4k')" "qemu-io -f vpc -c 'read 0 4k' $W/img.vhd" "$VHD read $W/img.vhd --offset 0 --length 4096"
  startup_row "write 4 KiB + flush (qemu-io -c 'write 0 4k')" "qemu-io -f vpc -c 'write 0 4k' $W/img.vhd" "$VHD write $W/img.vhd --offset 0 --input $W/in.bin"
  print_table
  exit 0
fi

if [ "$MODE" = facade ]; then
  facade_rows
  echo "== BenchmarkDotNet: facade benchmarks, short job, in process"
  (cd "$ART" && $BENCH --job short --inProcess --filter '*FacadeBenchmarks*')
  print_table
  exit 0
fi

# ---- files ------------------------------------------------------------------------------------
mkdir -p "$WORK"
cleanup() { rm -f "$WORK"/*.raw "$WORK"/*.vhd "$WORK"/*.time "$WORK"/run.out "$WORK"/line /dev/shm/vhd-bench-warm; }
trap cleanup EXIT
bytes=$(numfmt --from=iec "$SIZE")
need=$(( bytes * 4 + (3 << 30) ))
avail=$(df -B1 --output=avail "$WORK" | tail -1)
if [ "$avail" -lt "$need" ]; then
  echo "bench: $WORK has $(numfmt --to=iec "$avail") free, needs about $(numfmt --to=iec "$need") (set BENCH_SIZE=1G or BENCH_DIR)" >&2
  exit 1
fi
echo "== files in $WORK ($(df -T "$WORK" | awk 'NR==2 {print $2}')), $SIZE random raw"
if [ "$MODE" = all ]; then
  head -c "$SIZE" /dev/urandom > "$WORK/src.raw"
  qemu-img convert -f raw -O vpc "$WORK/src.raw" "$WORK/src.vhd"          # the dynamic source (made by qemu-img)
  if [ "$bytes" -eq $((1 << 30)) ]; then ln -f "$WORK/src.raw" "$WORK/mem.raw"; else head -c 1G "$WORK/src.raw" > "$WORK/mem.raw"; fi
  cat "$WORK/src.raw" "$WORK/src.vhd" "$WORK/mem.raw" > /dev/null
fi
qemu-img create -q -f vpc "$WORK/template.vhd" 4G                       # fresh 4 GiB dynamic image for the bench rows

# Memory made hot before every timed command. In a VM that hands freed guest pages back to the
# host (free page reporting), a command that fills gigabytes of page cache pays a host fault per
# page it gets from the free lists unless something touched those pages moments before: measured
# here, the same 2 GiB convert took 0.5 s right after a 2 GiB file was deleted and 1.4-3.6 s
# otherwise, whichever tool ran. Writing and deleting a tmpfs file bigger than any output gives
# every timed command the same start. WARM=0 turns it off.
WARM=${BENCH_WARM:-1}
warm_memory() {
  [ "$WARM" = 1 ] || return 0
  head -c $(( bytes + (1 << 30) )) /dev/zero > /dev/shm/vhd-bench-warm 2>/dev/null || true
  rm -f /dev/shm/vhd-bench-warm
}

# One timed command: prints "wall_seconds cpu_seconds max_rss_kb". Output files are removed by the caller.
timed() {
  local tf=$WORK/run.time s e
  sync
  warm_memory
  s=$(date +%s%N)
  /usr/bin/time -f "%U %S %M" -o "$tf" "$@" > "$WORK/run.out" 2>&1 || { cat "$WORK/run.out" >&2; echo "bench: failed: $*" >&2; exit 1; }
  e=$(date +%s%N)
  awk -v w=$(( (e - s) / 1000 )) '{printf "%.6f %.2f %d\n", w / 1e6, $1 + $2, $3}' "$tf"
}
record() { echo "$2" >> "$WORK/$1.res"; }   # file value
med() { median < "$WORK/$1.res"; }
best() { sort -g "$WORK/$1.res" | head -1; }
rm -f "$WORK"/*.res

convert_ours() { # from to format
  local fmt=$3; timed "$VHD" convert "$1" "$2" --to "$fmt"; }
convert_qemu() { # from to format
  case "$3" in
    dynamic) timed qemu-img convert -f raw -O vpc "$1" "$2" ;;
    fixed)   timed qemu-img convert -f raw -O vpc -o subformat=fixed "$1" "$2" ;;
    raw)     timed qemu-img convert -f vpc -O raw "$1" "$2" ;;
  esac; }

if [ "$MODE" = all ]; then
  echo "== warm-up (untimed)"
  for tool in ours qemu; do
    convert_$tool "$WORK/src.raw" "$WORK/w.vhd" dynamic > /dev/null; rm -f "$WORK/w.vhd"
    convert_$tool "$WORK/src.vhd" "$WORK/w.raw" raw > /dev/null; rm -f "$WORK/w.raw"
  done
fi

# qemu-img bench: "Run completed in X seconds." -> requests/s; vhd bench --json -> requests/s.
bench_qemu() { # image extra-args...
  local img=$1; shift
  sync
  local count=${BCOUNT:-$COUNT}
  qemu-img bench -f vpc -c "$count" -d "${BDEPTH:-1}" -s 4096 -S 2101248 "$@" "$img" \
    | sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p' | awk -v c="$count" '{printf "%.1f\n", c / $1}'
}
bench_ours() { # image extra-args...
  local img=$1; shift
  sync
  "$VHD" bench "$img" -c "${BCOUNT:-$COUNT}" -d "${BDEPTH:-1}" -s 4096 -S 2101248 "$@" --json | sed -n 's/.*"requestsPerSecond": *\([0-9.]*\).*/\1/p'
}


# ---- issue 16: what a service feels (parallel readers, many tasks, many images, durable writes, memory)
DCOUNT=${BENCH_DURABLE_COUNT:-2000}
ge() { awk -v a="$1" -v b="$2" 'BEGIN {print (a >= b) ? 1 : 0}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > 0) ? a / b : 0}'; }
json() { sed -n "s/.*\"$1\": *\([-0-9.e]*\).*/\1/p"; } # field < line
service_rounds() {
  local round order tool d img
  # An image every row reads from, allocated where the requests land (-S 2101248: one 4 KiB
  # request per 2 MiB block, wrapping over the 4 GiB disk; the same offsets for every depth).
  cp --sparse=always "$WORK/template.vhd" "$WORK/par.vhd"
  "$VHD" bench "$WORK/par.vhd" -c "$COUNT" -d 1 -s 4096 -S 2101248 -w > /dev/null
  cat "$WORK/par.vhd" > /dev/null
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="qemu ours"; else order="ours qemu"; fi
    echo "== issue 16 round $round/$ROUNDS ($order), load $(cut -d' ' -f1 /proc/loadavg)"
    for tool in $order; do
      for d in 1 2 4 8; do record "par$d.$tool" "$(BDEPTH=$d bench_$tool "$WORK/par.vhd" | tail -1)"; done
      echo "   $tool reads at depth 1/2/4/8: $(for d in 1 2 4 8; do printf '%s ' "$(tail -1 "$WORK/par$d.$tool.res")"; done)/s"
      # Durable writes: a flush after every request (qemu-img bench --flush-interval=1; vhd bench the same).
      img=$WORK/dur-$tool.vhd
      cp --sparse=always "$WORK/template.vhd" "$img"
      record "dnew.$tool" "$(BCOUNT=$DCOUNT bench_$tool "$img" -w --flush-interval=1 | tail -1)"
      record "dall.$tool" "$(BCOUNT=$DCOUNT bench_$tool "$img" -w --flush-interval=1 | tail -1)"
      rm -f "$img"
      echo "   $tool durable writes: new blocks $(tail -1 "$WORK/dnew.$tool.res")/s, allocated $(tail -1 "$WORK/dall.$tool.res")/s"
    done
  done
  rm -f "$WORK/par.vhd"
  echo "== issue 16: 8 tasks on one image (IDisk against the same harness on a plain file), load $(cut -d' ' -f1 /proc/loadavg)"
  TASKS_JSON=$(BENCH_TMP=$WORK $BENCH service tasks 8 "${BENCH_TASK_REQUESTS:-200000}"); echo "   $TASKS_JSON"
  echo "== issue 16: 64 images, one writer each, load $(cut -d' ' -f1 /proc/loadavg)"
  IMAGES_JSON=$(BENCH_TMP=$WORK $BENCH service images 64 "${BENCH_IMAGE_REQUESTS:-10000}"); echo "   $IMAGES_JSON"
  echo "== issue 16: memory, ${BENCH_IMAGES:-1000} open 64 GiB dynamic images; a ${BENCH_DIFF_GIB:-2040} GiB differencing child read end to end, load $(cut -d' ' -f1 /proc/loadavg)"
  OPEN_JSON=$(BENCH_TMP=$WORK $BENCH memory open "${BENCH_IMAGES:-1000}" 64); echo "   $OPEN_JSON"
  # The child is a 2 TiB sparse file of about two million extents: on ext4 mounted with `discard`
  # (this machine's root) deleting it took over 30 minutes; on tmpfs it is instant. The row measures
  # the process's RSS, which the file system under the file does not change.
  mkdir -p /dev/shm/vhd-bench-mem
  DIFF_JSON=$(BENCH_TMP=/dev/shm/vhd-bench-mem $BENCH memory diff "${BENCH_DIFF_GIB:-2040}"); echo "   $DIFF_JSON"
  rmdir /dev/shm/vhd-bench-mem
}
service_table() {
  local d q o r one two
  for d in 1 2 4 8; do
    q=$(med "par$d.qemu"); o=$(med "par$d.ours"); r=$(ratio "$o" "$q")
    row "parallel readers: 4 KiB reads at depth $d through IDisk (\`bench -d $d -s 4096 -S 2101248\`, allocated)" "$(printf '%.0f' "$q")/s" "$(printf '%.0f' "$o")/s" "$r" ">= 1x (qemu-img at -d $d)" "$(ge "$r" 1)"
  done
  one=$(med par1.ours); two=$(med par2.ours); r=$(ratio "$two" "$one")
  ROWS+=("| parallel readers: vhd at depth 2 / depth 1 | - | $(printf '%.0f' "$two")/s / $(printf '%.0f' "$one")/s | $(num "$r")x | >= 1.8x | $([ "$(ge "$r" 1.8)" = 1 ] && echo PASS || echo SHORT) |")
  r=$(echo "$TASKS_JSON" | json ratio)
  ROWS+=("| 8 tasks on one image, 4 KiB random reads + writes, allocated (\`Storage.Benchmarks service tasks 8 ${BENCH_TASK_REQUESTS:-200000}\`) | plain file $(echo "$TASKS_JSON" | json plainPerSecond)/s | $(echo "$TASKS_JSON" | json facadePerSecond)/s | $(num "$r")x of plain | >= 0.8x | $([ "$(ge "$r" 0.8)" = 1 ] && echo PASS || echo SHORT) |")
  r=$(echo "$IMAGES_JSON" | json ratio)
  ROWS+=("| 64 images, one writer each, 4 KiB random writes, allocated (\`service images 64 ${BENCH_IMAGE_REQUESTS:-10000}\`) | single image $(echo "$IMAGES_JSON" | json singlePerSecond)/s x $(echo "$IMAGES_JSON" | json cores) cores | $(echo "$IMAGES_JSON" | json aggregatePerSecond)/s | $(num "$r")x | >= 0.9x | $([ "$(ge "$r" 0.9)" = 1 ] && echo PASS || echo SHORT) |")
  for k in dnew dall; do
    q=$(med "$k.qemu"); o=$(med "$k.ours"); r=$(ratio "$o" "$q")
    row "durable 4 KiB writes, flush after each, $([ $k = dnew ] && echo 'new blocks (fresh 4 GiB image)' || echo 'allocated blocks') (\`bench -c $DCOUNT -w --flush-interval=1\`)" "$(printf '%.0f' "$q")/s" "$(printf '%.0f' "$o")/s" "$r" ">= 1.5x" "$(ge "$r" 1.5)"
  done
  o=$(echo "$OPEN_JSON" | json perImageKiB)
  ROWS+=("| RSS, ${BENCH_IMAGES:-1000} open 64 GiB dynamic images (\`memory open ${BENCH_IMAGES:-1000} 64\`) | - | $(echo "$OPEN_JSON" | json rssAfterMiB) MiB ($(echo "$OPEN_JSON" | json rssBeforeMiB) MiB before; $o KiB per image) | - | <= 256 KiB per image (BAT 128 KiB) | $(awk -v x="$o" 'BEGIN {print (x <= 256) ? "PASS" : "SHORT"}') |")
  o=$(echo "$DIFF_JSON" | json peakRssMiB)
  ROWS+=("| peak RSS, ${BENCH_DIFF_GIB:-2040} GiB differencing child (every block allocated) read end to end (\`memory diff ${BENCH_DIFF_GIB:-2040}\`) | - | $o MiB (read $(echo "$DIFF_JSON" | json readSeconds) s) | - | < 100 MB (bitmap cache 1 MiB) | $(awk -v x="$o" 'BEGIN {print (x * 1048576 < 100e6) ? "PASS" : "SHORT"}') |")
}
if [ "$MODE" = service ]; then
  service_rounds
  service_table
  print_table
  exit 0
fi

for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="qemu ours"; else order="ours qemu"; fi
  echo "== round $round/$ROUNDS ($order), load $(cut -d' ' -f1 /proc/loadavg)"
  for tool in $order; do
    convert_$tool "$WORK/src.raw" "$WORK/t.vhd" dynamic > "$WORK/line"; read -r w c m < "$WORK/line"; rm -f "$WORK/t.vhd"
    record "r2d.$tool" "$w"; record "r2d-cpu.$tool" "$c"
    convert_$tool "$WORK/src.vhd" "$WORK/t.raw" raw > "$WORK/line"; read -r w c m < "$WORK/line"; rm -f "$WORK/t.raw"
    record "d2r.$tool" "$w"; record "d2r-cpu.$tool" "$c"
    convert_$tool "$WORK/src.raw" "$WORK/t.vhd" fixed > "$WORK/line"; read -r w c m < "$WORK/line"; rm -f "$WORK/t.vhd"
    record "r2f.$tool" "$w"; record "r2f-cpu.$tool" "$c"
    convert_$tool "$WORK/mem.raw" "$WORK/t.vhd" dynamic > "$WORK/line"; read -r w c m < "$WORK/line"; rm -f "$WORK/t.vhd"
    record "rss.$tool" "$m"
    echo "   $tool: raw->dynamic $(tail -1 "$WORK/r2d.$tool.res") s, dynamic->raw $(tail -1 "$WORK/d2r.$tool.res") s, raw->fixed $(tail -1 "$WORK/r2f.$tool.res") s, 1 GiB peak RSS $((m / 1024)) MiB"
  done
  timed cp "$WORK/src.raw" "$WORK/t.raw" > "$WORK/line"; read -r w c m < "$WORK/line"; rm -f "$WORK/t.raw"
  record "cp" "$w"
  for tool in $order; do
    cp --sparse=always "$WORK/template.vhd" "$WORK/b-$tool.vhd"
    nw=$(bench_$tool "$WORK/b-$tool.vhd" -w)        # fresh image: the first pass allocates every block
    aw=$(bench_$tool "$WORK/b-$tool.vhd" -w)        # the same again: every block allocated
    rds=""
    for _ in 1 2 3 4 5; do                           # reads of allocated blocks: short runs, so five of them
      rd=$(bench_$tool "$WORK/b-$tool.vhd"); record "read.$tool" "$rd"; rds="$rds $rd"
    done
    rm -f "$WORK/b-$tool.vhd"
    record "wnew.$tool" "$nw"; record "walloc.$tool" "$aw"
    echo "   $tool bench: writes into new blocks $nw/s, into allocated blocks $aw/s, reads$rds /s"
  done
done

time_row() { # label key target-ratio
  local q o r; q=$(med "$2.qemu"); o=$(med "$2.ours"); r=$(awk -v q="$q" -v o="$o" 'BEGIN {print q / o}')
  row "$1 (s; best qemu $(num "$(best "$2.qemu")"), vhd $(num "$(best "$2.ours")"); cpu qemu $(med "$2-cpu.qemu"), vhd $(med "$2-cpu.ours"))" \
    "$(num "$q")" "$(num "$o")" "$r" ">= ${3}x" "$(awk -v r="$r" -v t="$3" 'BEGIN {print (r >= t) ? 1 : 0}')"
}
rate_row() { # label key target-ratio
  local q o r; q=$(med "$2.qemu"); o=$(med "$2.ours"); r=$(awk -v q="$q" -v o="$o" 'BEGIN {print o / q}')
  row "$1" "$(printf '%.0f' "$q")/s" "$(printf '%.0f' "$o")/s" "$r" ">= ${3}x" "$(awk -v r="$r" -v t="$3" 'BEGIN {print (r >= t) ? 1 : 0}')"
}
time_row "convert $SIZE raw -> dynamic" r2d 1.5
cpm=$(med cp); ours=$(med r2d.ours)
ROWS+=("| raw -> dynamic vs cp (s) | cp $(num "$cpm") | $(num "$ours") | $(num "$(awk -v c="$cpm" -v o="$ours" 'BEGIN {print o / c}')")x of cp | <= 1.3x of cp | $(awk -v c="$cpm" -v o="$ours" 'BEGIN {print (o <= 1.3 * c) ? "PASS" : "SHORT"}') |")
time_row "convert $SIZE dynamic -> raw" d2r 1.2
time_row "convert $SIZE raw -> fixed" r2f 1.2
rate_row "4 KiB writes into new blocks (bench -d 1 -S 2101248 -w, fresh 4 GiB image)" wnew 10
rate_row "4 KiB writes into allocated blocks" walloc 2
rate_row "4 KiB reads (5 runs per round)" read 1.5
q=$(med rss.qemu); o=$(med rss.ours)
ROWS+=("| peak RSS converting 1 GiB raw -> dynamic | $((q / 1024)) MiB | $((o / 1024)) MiB | - | vhd < 100 MB | $(awk -v o="$o" 'BEGIN {print (o * 1024 < 100e6) ? "PASS" : "SHORT"}') |")
service_rounds
service_table
facade_rows
print_table
