#!/usr/bin/env bash
# Regenerates every figure and table of docs/: docs/phenomena.md (scripts/phenomena.sh) and
# docs/experiments.md (scripts/experiments/*.sh, among them the error-driven basin study,
# basin_error.sh, which alone takes about 15 minutes of one core and needs python3).
# Builds nshed once unless NSHED is set.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nshed.sh
scripts/phenomena.sh
shopt -s nullglob
for script in scripts/experiments/*.sh; do
  echo "== $script" >&2
  "$script"
done
echo "all figures regenerated under docs/figures" >&2
