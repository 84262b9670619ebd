#!/usr/bin/env bash
# Sets hire-relay up on a fresh Debian machine with Node 20: Debian's Chromium (five of the six job
# media are read through their web consoles) and the Noto CJK fonts (Japanese in screenshots) when
# they are missing, then the npm packages. Works as root (no sudo needed) and as a user with sudo.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }

if ! command -v node >/dev/null 2>&1; then
  say "Node.js is not installed: install Node 20 (see .nvmrc), then run this again."; exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  say "Node $(node -v) is too old: hire-relay needs Node 20 or later (see .nvmrc)."; exit 1
fi

missing=()
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if command -v dpkg-query >/dev/null 2>&1; then
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' || missing+=(fonts-noto-cjk)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "not a Debian/Ubuntu machine: install ${missing[*]} yourself (CHROMIUM_PATH points at another Chromium)."
  else
    if [ "$(id -u)" -eq 0 ]; then
      as_root=()
    elif command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      as_root=(none)
    fi
    if [ "${as_root[0]:-}" = none ]; then
      say "${missing[*]} missing, and neither root nor sudo is available: ask an administrator for"
      say "  apt-get update && apt-get install -y ${missing[*]}"
      say "(without Chromium the app still starts; accounts on the five console media report it.)"
    else
      say "installing ${missing[*]} from Debian's packages"
      "${as_root[@]}" apt-get update -qq
      "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
  fi
fi

say "installing npm packages (npm ci)"
npm ci --no-audit --no-fund
