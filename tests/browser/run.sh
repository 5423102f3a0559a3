#!/usr/bin/env bash
# The browser tests of `nshed serve`: Playwright (from PyPI, in a venv under target/)
# driving Debian's chromium. Needs the release binary (`cargo build --release`).
# Usage: tests/browser/run.sh [pytest args]; NSHED_SCREENSHOTS=1 also retakes the
# screenshots of docs/serve.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
venv=target/browser-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r tests/browser/requirements.txt
test -x target/release/nshed || cargo build --release --bin nshed
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/browser "$@"
if [ "${NSHED_SCREENSHOTS:-}" = 1 ]; then
  "$venv/bin/python" tests/browser/screenshots.py docs/serve
fi
