#!/usr/bin/env bash
# Runs the whole test suite and ends with "N passed, N failed[, N skipped]".
# Installs what it needs (NuGet packages); exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

results="$PWD/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet restore OpenMme.slnx --nologo -v quiet || exit 1
dotnet build OpenMme.slnx -c Release --no-restore --nologo -v quiet || exit 1

projects=(test/*/*.Tests.csproj)
status=0
for project in "${projects[@]}"; do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

passed=0; failed=0; skipped=0; found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx")"
  value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(value total); executed=$(value executed)
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + total - executed))
done

if [ "$found" -ne "${#projects[@]}" ]; then
  echo "Only $found of ${#projects[@]} test projects reported results; a test host crashed." >&2
  failed=$((failed + ${#projects[@]} - found))
fi

if [ "$failed" -gt 0 ]; then status=1; fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
