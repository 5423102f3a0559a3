#!/usr/bin/env bash
# Builds and tests the Python package as a user installs it: a fresh virtual environment,
# `pip install ./python` (maturin builds the extension in release mode), then pytest.
# Usage: python/run-tests.sh [pytest arguments]. Needs python3 (>= 3.9) with venv, a Rust
# toolchain, and PyPI for maturin, numpy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=$(mktemp -d "${TMPDIR:-/tmp}/nshed-venv.XXXXXX")
trap 'rm -rf "$venv"' EXIT

echo "== fresh venv: $venv ($("$python" --version))"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet maturin pytest
start=$(date +%s)
"$venv/bin/python" -m pip install --quiet ./python
echo "== pip install ./python: $(($(date +%s) - start)) s"

# Run from outside the source tree so that the installed package is the one imported.
cd python/tests
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" .
