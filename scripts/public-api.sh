#!/usr/bin/env bash
# Records a library's unrecorded public API: builds it, takes each RS0016 ("Symbol '...' is not part
# of the declared public API") and adds the symbol to PublicAPI.Unshipped.txt beside the project.
# Review the diff: it is the change of surface. Removed symbols (RS0017) are deleted by hand.
#   bash scripts/public-api.sh src/VhdEngine [src/VhdActors ...]
set -uo pipefail
cd "$(dirname "$0")/.."
for dir in "$@"; do
  file="$dir/PublicAPI.Unshipped.txt"
  [ -f "$file" ] || printf '#nullable enable\n' > "$file"
  new=$(dotnet build "$dir" -c Release -v q -nologo 2>&1 \
    | grep -o "RS0016: Symbol '.*' is not part of the declared public API" \
    | sed -e "s/^RS0016: Symbol '//" -e "s/' is not part of the declared public API$//" | sort -u)
  [ -z "$new" ] && { echo "$dir: nothing to record"; continue; }
  { head -n 1 "$file"; { tail -n +2 "$file"; printf '%s\n' "$new"; } | sed '/^$/d' | LC_ALL=C sort -u; } > "$file.tmp"
  mv "$file.tmp" "$file"
  echo "$dir: $(printf '%s\n' "$new" | wc -l) symbols recorded in $file"
done
