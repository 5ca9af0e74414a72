#!/usr/bin/env bash
# The .NET 10 SDK is not a Debian package: it must already be on the machine (it is on the
# project's machine kind). Fail with a clear message instead of a cryptic build error.
set -euo pipefail
if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet not found: install the .NET 10 SDK (see docs/configuration.md) and re-run" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
