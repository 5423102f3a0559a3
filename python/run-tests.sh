#!/usr/bin/env bash
# Builds and tests the Python package as a user installs it: a fresh virtual environment,
# `pip install "./python[test]"` (maturin builds the extension in release mode; the `test`
# extra brings pytest, scikit-learn, joblib, mypy, matplotlib and pandas), then pytest,
# which also runs mypy's stubtest over the package and the walkthrough of docs/python.md.
# Usage: python/run-tests.sh [pytest arguments]. Needs python3 (>= 3.9) with venv, a Rust
# toolchain, and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
venv=$(mktemp -d "${TMPDIR:-/tmp}/nshed-venv.XXXXXX")
trap 'rm -rf "$venv"' EXIT

echo "== fresh venv: $venv ($("$python" --version))"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet maturin
start=$(date +%s)
"$venv/bin/python" -m pip install --quiet "./python[test]"
echo "== pip install ./python[test]: $(($(date +%s) - start)) s"

# Run from outside the source tree so that the installed package is the one imported.
cd python/tests
MPLBACKEND=Agg "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" .
