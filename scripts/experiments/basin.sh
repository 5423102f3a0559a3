#!/usr/bin/env bash
# Draws the figures of docs/experiments/basin.md into docs/figures/ (about a minute on two
# cores). Uses $NSHED when set, else the release binary (see scripts/nshed.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
model=examples/basin.nshed
common=(--nodes p1,p3 --range 1e-3..1e3 --log)

echo "== predicted classes of the seven samples, 256 x 256 grid"
nshed basin "$model" "${common[@]}" --grid 256 --outcome predictions \
  --svg "$out/basin_predictions.svg" --png "$out/basin_predictions.png"

echo "== the top node of level mid, 128 x 128 grid"
nshed basin "$model" "${common[@]}" --grid 128 --svg "$out/basin_top.svg"

echo "== uncertainty exponent of the predictions basin"
nshed basin "$model" "${common[@]}" --outcome predictions --uncertainty \
  --eps 1e-3..1 --eps-count 7 --pairs 4000 --svg "$out/basin_uncertainty.svg"

echo "== issue 8: examples/fig4.nshed, 256 x 256 grid, 1000 steps per point"
TIMEFORMAT='wall time: %R s'
time nshed basin examples/fig4.nshed --nodes p1,p3 --range 0..0.02 --grid 256 --steps 1000
