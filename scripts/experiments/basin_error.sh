#!/usr/bin/env bash
# The basin study with error-driven rules (docs/experiments/basin.md, "Error-driven rules"):
# images at two zoom levels, the uncertainty exponent against rule strength, against the
# resolution eps and against training length, and the same measurements with plain rules.
# One thread throughout (results do not depend on it); about 20 minutes of one core.
# Uses $NSHED when set, else the release binary (see scripts/nshed.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

model=examples/basin_error.nshed
axes=(--nodes p1,p3 --range 1e-3..1e3 --log --outcome predictions --threads 1)

# The number of outcomes on a 128 x 128 grid, and phi when there is a boundary at all.
measure() {
  local file=$1 pairs=$2
  local grid
  grid=$(nshed basin "$file" "${axes[@]}" --grid 128 | sed -n 2p)
  echo "grid: $grid"
  if [[ $grid == *" 1 outcome(s)" ]]; then
    echo "one outcome everywhere: no boundary, phi undefined"
  else
    local fit
    if fit=$(nshed basin "$file" "${axes[@]}" --uncertainty --eps 1e-4..1 --eps-count 9 \
      --pairs "$pairs" 2>&1); then
      grep -E "^uncertainty|^note" <<<"$fit"
    else
      echo "no fit: $(grep -m1 -E "only|×" <<<"$fit")"
    fi
  fi
}

echo "== the error-driven example, full range and zoomed (256 x 256 each)"
nshed basin "$model" "${axes[@]}" --grid 256 \
  --svg "$out/basin_error.svg" --png "$out/basin_error.png" | tee "$out/basin_error.txt"
nshed basin "$model" --nodes p1,p3 --range 2..5 --log --outcome predictions --threads 1 \
  --grid 256 --svg "$out/basin_error_zoom.svg" --png "$out/basin_error_zoom.png" \
  | tee "$out/basin_error_zoom.txt"

echo "== its uncertainty exponent (9 eps x 20000 pairs)"
nshed basin "$model" "${axes[@]}" --uncertainty --eps 1e-4..1 --eps-count 9 --pairs 20000 \
  --svg "$out/basin_error_uncertainty.svg" | tee "$out/basin_error_uncertainty.txt"

echo "== rule strength: grow = mul K by error, shrink = mul 1/K by error; and the same rules plain"
for k in 1.1 2 4 10 100; do
  sed -e "s|mul 4 by error|mul $k by error|" -e "s|mul 0.25 by error|mul 1/$k by error|" \
    "$model" > "$tmp/error.nshed"
  sed -e 's| by error||' "$tmp/error.nshed" > "$tmp/plain.nshed"
  echo "-- K = $k, error-driven"
  measure "$tmp/error.nshed" 10000
  echo "-- K = $k, plain"
  measure "$tmp/plain.nshed" 10000
done | tee "$out/basin_error_strengths.txt"

echo "== examples/basin.nshed (plain rules, smooth boundaries) and its error-driven twin"
sed -e 's|^\(  grow.*= mul [^ ]*\)$|\1 by error|' -e 's|^\(  shrink = mul [^ ]*\)$|\1 by error|' \
  examples/basin.nshed > "$tmp/compete_error.nshed"
grep -E '^  (grow|shrink)' "$tmp/compete_error.nshed"
{
  echo "-- examples/basin.nshed, plain"
  measure examples/basin.nshed 10000
  echo "-- examples/basin.nshed, error-driven"
  measure "$tmp/compete_error.nshed" 10000
} | tee "$out/basin_error_compete.txt"

echo "== resolution: phi fitted over three windows of eps (K = 4)"
for eps in 1e-4..1e-2 1e-3..1e-1 1e-2..1; do
  echo "-- eps in $eps"
  nshed basin "$model" "${axes[@]}" --uncertainty --eps "$eps" --eps-count 5 --pairs 40000 \
    | grep -E "^uncertainty|^note"
done | tee "$out/basin_error_resolution.txt"

echo "== training length (K = 4)"
for steps in 100 300 1000 3000; do
  echo "-- $steps steps"
  nshed basin "$model" "${axes[@]}" --steps "$steps" --grid 128 | sed -n 2p
  nshed basin "$model" "${axes[@]}" --steps "$steps" --uncertainty --eps 1e-3..1 \
    --eps-count 5 --pairs 10000 | grep -E "^uncertainty|^note"
done | tee "$out/basin_error_steps.txt"
