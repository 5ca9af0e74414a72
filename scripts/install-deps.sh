#!/usr/bin/env bash
# Installs the Debian packages Reelgate needs, idempotently: `apt-get update` once,
# then `apt-get install -y` only for what is missing. Usage: scripts/install-deps.sh [pkg...]
# With no arguments it installs the runtime set (ffmpeg). Never downloads anything but
# Debian packages.
set -euo pipefail
pkgs=("$@")
[ ${#pkgs[@]} -gt 0 ] || pkgs=(ffmpeg)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/install-deps.sh: missing packages: ${missing[*]} (run as root or install them yourself)" >&2
  exit 1
fi
stamp=/var/lib/apt/periodic/reelgate-apt-updated
if [ ! -f "$stamp" ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
  apt-get update -qq
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
