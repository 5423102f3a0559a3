#!/usr/bin/env bash
# Draws the figures of docs/experiments/basin.md ("The example and its figures") into
# docs/figures/: the basins of examples/basin.nshed and its uncertainty exponent with the
# default estimator. About 40 CPU-seconds (the exponent: 30 of them). Uses $NSHED when set,
# else the release binary (see scripts/nshed.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
model=examples/basin.nshed
common=(--nodes p1,p3 --range 1e-3..1e3 --log)
TIMEFORMAT='  (%R s wall, %U s CPU)'

echo "== predicted classes of the seven samples, 256 x 256 grid"
time nshed basin "$model" "${common[@]}" --grid 256 --outcome predictions \
  --svg "$out/basin_predictions.svg" --png "$out/basin_predictions.png"

echo "== the top node of level mid, 128 x 128 grid"
time nshed basin "$model" "${common[@]}" --grid 128 --svg "$out/basin_top.svg"

echo "== uncertainty exponent of the predictions basin, default estimator"
time nshed basin "$model" "${common[@]}" --outcome predictions --uncertainty \
  --svg "$out/basin_uncertainty.svg" | tee "$out/basin_uncertainty.txt"

echo "== the same with a fixed 1000 pairs at 7 eps from 1e-4 to 1e-1 of the width (the old defaults)"
nshed basin "$model" "${common[@]}" --outcome predictions --uncertainty \
  --eps 1.3815510557964274e-3..1.3815510557964274 --eps-count 7 --pairs 1000 \
  | tee "$out/basin_uncertainty_fixed.txt"
