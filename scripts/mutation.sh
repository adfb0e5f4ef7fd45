#!/usr/bin/env bash
# Mutation testing of src/VhdEngine with Stryker.NET (the local tool of .config/dotnet-tools.json),
# scoped so a run fits: only the named files or folders are mutated, and only they are compiled
# with mutants. Stryker compiles every mutant of the project into one assembly (--mutate only hides
# the rest), which makes per-test coverage crawl; so the run works on a temporary copy of the tree
# in which every other file of src/VhdEngine starts with `// Stryker disable all`. src/ is never
# touched. Not part of .ci/run: a file takes minutes to an hour (README "Mutation testing").
#
#   scripts/mutation.sh [FILE-OR-FOLDER ...] [--since REF] [--tests engine|crash|both]
#
# FILE-OR-FOLDER: .cs files or folders of src/VhdEngine (default src/VhdEngine/Disks).
# --since REF: keep only the files among them that differ from REF (git diff REF, working tree
#   included); nothing to do when none does.
# --tests: the suites that try to kill the mutants: tests/Engine (default), tests/Crash, or both.
# STRYKER_CONCURRENCY overrides the config's concurrency (2).
# Reports: artifacts/mutation/<UTC time>/reports/mutation-report.{html,json}.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

usage() { sed -n '8,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
targets=() since="" tests="engine"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --since) [[ $# -ge 2 ]] || usage; since="$2"; shift 2 ;;
        --since=*) since="${1#--since=}"; shift ;;
        --tests) [[ $# -ge 2 ]] || usage; tests="$2"; shift 2 ;;
        --tests=*) tests="${1#--tests=}"; shift ;;
        -h|--help) usage ;;
        -*) echo "mutation.sh: unknown option $1" >&2; usage ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(src/VhdEngine/Disks)
# The scores are read from Stryker's JSON report: say so now, not after an hour of mutants.
command -v jq >/dev/null || { echo "mutation.sh: jq reads the report; install it first (apt-get install jq)" >&2; exit 2; }
case "$tests" in
    engine) test_projects=(tests/Engine/Engine.Tests.csproj) ;;
    crash) test_projects=(tests/Crash/Crash.Tests.csproj) ;;
    both) test_projects=(tests/Engine/Engine.Tests.csproj tests/Crash/Crash.Tests.csproj) ;;
    *) echo "mutation.sh: --tests takes engine, crash or both, not '$tests'" >&2; exit 2 ;;
esac

# The .cs files in scope, relative to the repository root.
files=()
for t in "${targets[@]}"; do
    t="${t%/}"
    if [[ -d "$t" ]]; then mapfile -t -O "${#files[@]}" files < <(find "$t" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' | sort)
    elif [[ -f "$t" ]]; then files+=("$t")
    else echo "mutation.sh: no such file or folder: $t" >&2; exit 2
    fi
done
for f in "${files[@]}"; do
    [[ "$f" == src/VhdEngine/*.cs ]] || { echo "mutation.sh: $f is not a .cs file of src/VhdEngine" >&2; exit 2; }
done
if [[ -n "$since" ]]; then
    mapfile -t changed < <(git diff --name-only "$since" -- src/VhdEngine)
    kept=()
    for f in "${files[@]}"; do
        for c in "${changed[@]}"; do [[ "$f" == "$c" ]] && { kept+=("$f"); break; }; done
    done
    files=("${kept[@]}")
fi
if [[ ${#files[@]} -eq 0 ]]; then echo "mutation.sh: no file in scope${since:+ changed since $since}"; exit 0; fi
printf 'mutating %d file(s) against %s:\n' "${#files[@]}" "${test_projects[*]}"
printf '  %s\n' "${files[@]}"

# A copy of the tree (tracked and untracked files, not the ignored bin/obj), beside a link to the
# shared folder the tests find as <repo root>/../shared.
work="$(mktemp -d /tmp/storage-mutation.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/repo"
while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
    < <(git ls-files -z --cached --others --exclude-standard) | tar -c --null -T - | tar -x -C "$work/repo"
ln -s "$(cd "$repo/.." && pwd)/shared" "$work/shared"
declare -A in_scope=()
for f in "${files[@]}"; do in_scope["$f"]=1; done
while IFS= read -r -d '' f; do
    rel="${f#"$work/repo/"}"
    [[ -n "${in_scope[$rel]:-}" ]] && continue
    { printf '// Stryker disable all\n'; sed '1s/^\xEF\xBB\xBF//' "$f"; } > "$f.tmp" && mv "$f.tmp" "$f"
done < <(find "$work/repo/src/VhdEngine" -name '*.cs' -print0)

out="$repo/artifacts/mutation/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
args=()
for p in "${test_projects[@]}"; do args+=(--test-project "../../$p"); done
for f in "${files[@]}"; do args+=(--mutate "**/${f#src/VhdEngine/}"); done
[[ -n "${STRYKER_CONCURRENCY:-}" ]] && args+=(--concurrency "$STRYKER_CONCURRENCY")
dotnet tool restore >/dev/null
start=$(date +%s)
(cd "$work/repo/src/VhdEngine" && nice -n 19 dotnet tool run dotnet-stryker --skip-version-check -O "$out" "${args[@]}") 2>&1 | tee "$out/stryker.log"
status=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))

json="$out/reports/mutation-report.json"
if [[ ! -f "$json" ]]; then echo "mutation.sh: Stryker wrote no report (exit $status); log: $out/stryker.log" >&2; exit 1; fi
# Score per file as Stryker counts it: detected (killed, timeout) over detected + survived + no coverage.
jq -r '
  .files | to_entries[] | (.key | sub("^.*/repo/"; "")) as $file | .value.mutants as $m
  | ($m | map(select(.status == "Killed" or .status == "Timeout")) | length) as $detected
  | ($m | map(select(.status == "Survived" or .status == "NoCoverage")) | length) as $undetected
  | select($detected + $undetected > 0)
  | [$file, $detected, ($m | map(select(.status == "Survived")) | length),
     ($m | map(select(.status == "NoCoverage")) | length),
     (100 * $detected / ($detected + $undetected) | . * 10 | round / 10)]
  | @tsv' "$json" | awk -F'\t' 'BEGIN { printf "%-48s %8s %8s %8s %7s\n", "file", "detected", "survived", "no-cov", "score" }
      { printf "%-48s %8d %8d %8d %6.1f%%\n", $1, $2, $3, $4, $5; d += $2; u += $3 + $4 }
      END { if (d + u > 0) printf "%-48s %8d %8d %8s %6.1f%%\n", "total", d, u, "", 100 * d / (d + u) }'
echo "survivors (file:line mutator: replacement):"
jq -r '.files | to_entries[] | (.key | sub("^.*/repo/"; "")) as $file | .value.mutants[]
  | select(.status == "Survived" or .status == "NoCoverage")
  | "  \($file):\(.location.start.line) [\(.status)] \(.mutatorName): \(.replacement | gsub("\n"; " ") | .[0:100])"' "$json"
printf 'elapsed: %d min %d s (load now: %s)\n' $((elapsed / 60)) $((elapsed % 60)) "$(cut -d' ' -f1-3 /proc/loadavg)"
echo "report: $out/reports/mutation-report.html"
exit "$status"
