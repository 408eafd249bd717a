#!/usr/bin/env bash
# Installs the programs that tests drive and that the .NET SDK does not bring, from Debian's packages.
# Idempotent: installs only what is missing. Add further servers here (one block each).
set -euo pipefail

missing=()

# Headless Chromium for the dashboard's browser tests (Microsoft.Playwright drives /usr/bin/chromium;
# Playwright's own browser download does not work on these machines).
command -v chromium > /dev/null 2>&1 || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" > /dev/null
fi
