#!/usr/bin/env bash
# Install libical's GObject bindings from Debian for the feed tests (tests/feeds/test_parsers.py
# runs them with the system python3). vdirsyncer and khal come from PyPI via `make clients`.
# Idempotent: installs only what is missing.
set -euo pipefail

if ! /usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0')" >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq gir1.2-ical-3.0 python3-gi >/dev/null
fi
/usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0'); print('libical GObject bindings ready')"
