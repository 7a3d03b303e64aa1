#!/usr/bin/env bash
# Runs every test: builds the `zlayer` CLI the end-to-end tests drive, runs the unit, contract and
# end-to-end suites, and ends with one line "N passed, N failed". Exit status 0 only if all passed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

results="$root/TestResults"
rm -rf "$results"

if ! ./zlayer --version >/dev/null; then
  echo "0 passed, 1 failed"
  exit 1
fi

# One build node and one test assembly at a time: this machine has 2 cores, and the end-to-end
# tests start processes of their own.
dotnet test "$root/ZLayer.slnx" -m:1 --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" -- RunConfiguration.MaxCpuCount=1
status=$?

passed=0
failed=0
shopt -s nullglob
trx=("$results"/*.trx)
for f in "${trx[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${x:-0}))
done
if ((${#trx[@]} == 0)) || { ((status != 0)) && ((failed == 0)); }; then
  # The build or a test host failed before results were written: count it as a failure.
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
((failed == 0 && status == 0))
