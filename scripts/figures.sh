#!/usr/bin/env bash
# Regenerates every figure and table of docs/: docs/phenomena.md (scripts/phenomena.sh) and
# docs/experiments.md (scripts/experiments/*.sh). About 19 CPU-minutes in all (10 minutes on
# two free cores), of which the error-driven basin study (basin_error.sh) takes 17; the
# others take under a minute each. Needs python3.
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
