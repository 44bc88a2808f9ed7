#!/usr/bin/env bash
# Runs every test on a fresh machine: installs the real servers the tests start (redis-server, Azurite,
# Chromium; see O2O.Tests/Infrastructure), then runs the test project. Installs are skipped when present.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
command -v azurite-table >/dev/null || as_root npm install -g --no-fund --no-audit azurite
# Browser libraries the Playwright tests load from disk (O2O.Tests/package.json: the Segment browser
# library, axe-core), reinstalled when the lock changes.
if [ ! -f O2O.Tests/node_modules/.package-lock.json ] || [ O2O.Tests/package-lock.json -nt O2O.Tests/node_modules/.package-lock.json ]; then
  (cd O2O.Tests && npm ci --no-fund --no-audit)
fi

# Hosts the tests start log warnings and up, so a failure is not buried under information lines.
export Logging__LogLevel__Default="${Logging__LogLevel__Default:-Warning}"

# Every test. On failure, the failed tests and their messages are repeated at the end from the TRX report.
results="$(mktemp -d)"
status=0
dotnet test --project O2O.Tests --results-directory "$results" -- --report-xunit-trx "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "=== failed tests (from $results) ==="
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    perl -0777 -ne '
      while (/<UnitTestResult testName="([^"]*)" outcome="Failed".*?(?:<Message>(.*?)<\/Message>|\/>)/sg) {
        my ($name, $message) = ($1, $2 // "");
        s/&quot;/"/g, s/&lt;/</g, s/&gt;/>/g, s/&#x[0-9A-F]+;//g, s/&amp;/&/g for $name, $message;
        print "FAILED $name\n$message\n\n";
      }' "$trx"
  done
fi
exit "$status"
