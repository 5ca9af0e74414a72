#!/usr/bin/env bash
# Builds and runs every test project (xunit v3 on Microsoft.Testing.Platform), then prints
# the one closing line CI reads: "N passed, N failed". Microsoft.Testing.Platform does not
# print it, so the TRX reports are summed here. A test project that crashed before writing
# its report counts as one failure. Exit status: non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

# The pinned npm clients (tests/npm) install in the background while the solution builds; the
# tests that drive them wait for it (scripts/install-npm-clients.sh holds a lock).
scripts/install-npm-clients.sh >"$results/npm-clients.log" 2>&1 &

if ! dotnet build Reelgate.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

projects=$(grep -l '<IsTestProject>true' tests/*/*.csproj | wc -l)
# One run for the whole solution; projects run in parallel, each within its own time limit.
timeout --kill-after=30 1500 dotnet test --solution Reelgate.slnx -c Release --no-build \
  --report-xunit-trx --results-directory "$results" "$@"
status=$?

passed=0; failed=0; reports=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  reports=$((reports + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${e:-0}))
done
# Name every failed test and the start of its message, so a CI log says what broke.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  python3 - "$trx" <<'PY' || true
import re, sys, html
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for m in re.finditer(r'<UnitTestResult [^>]*?testName="([^"]*)"[^>]*?outcome="(Failed|Error|Timeout)"[^>]*>(.*?)</UnitTestResult>', text, re.S):
    message = re.search(r"<Message>(.*?)</Message>", m.group(3), re.S)
    stack = re.search(r"<StackTrace>(.*?)</StackTrace>", m.group(3), re.S)
    print(f"FAILED {html.unescape(m.group(1))}")
    for part in (message, stack):
        if part:
            print("\n".join("    " + l for l in html.unescape(part.group(1)).splitlines()[:60]))
PY
done
# The crash harness (short form): the real server as a child process, kill -9 at random
# moments, every promise checked at the end. One pass or fail in the count.
echo "chaos: short form (>= 100 tasks, >= 5 kills)"
chaos_run() {
  local rc=0
  timeout --kill-after=30 600 dotnet tests/Reelgate.Chaos/bin/Release/net10.0/Reelgate.Chaos.dll \
    --server src/Reelgate.Server/bin/Release/net10.0/reelgate-server.dll "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
  else
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && echo "chaos: FAILED: killed by the 600 s timeout ($*)"
    echo "chaos: FAILED (exit $rc)"
    failed=$((failed + 1))
  fi
}
chaos_run
# The same harness on PostgreSQL: an API node and a worker node, either one killed.
chaos_run --postgres

if [ "$reports" -lt "$projects" ]; then
  echo "run-tests: only $reports of $projects test projects wrote a report (a test host crashed or timed out)" >&2
  failed=$((failed + projects - reports))
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
