#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/browser drives /usr/bin/chromium with
# Playwright; Playwright's own browser download does not work on these machines).
# Idempotent: installs only what is missing.
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
chromium --headless=new --version 2>/dev/null || chromium --version
