#!/usr/bin/env bash
# Installs the pinned npm clients the tests drive (tests/npm/package-lock.json) when missing or
# stale: idempotent, and serialized by a lock so the background start in run-tests.sh and a test
# asking for them never run `npm ci` twice at once. Needs node and npm (make test-deps) and the
# npm registry; sqlite3 (a dependency of the kie MCP server) compiles its addon from source.
set -euo pipefail
cd "$(dirname "$0")/../tests/npm"
if ! command -v npm >/dev/null; then
  echo "install-npm-clients: npm is missing (make test-deps installs nodejs)" >&2
  exit 1
fi
exec 9>"${TMPDIR:-/tmp}/reelgate-npm-clients.lock"
flock 9
stamp=node_modules/.reelgate-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
