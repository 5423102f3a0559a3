#!/usr/bin/env bash
# The basin study with error-driven rules (docs/experiments/basin.md, "Error-driven rules"):
# images at two zoom levels; the uncertainty exponent from random pairs (over eps, and with
# many pairs at small eps) and from grids of increasing resolution; against rule strength,
# against training length; and the same measurements with plain rules, on two models.
# One thread throughout (results do not depend on it); about 15 minutes of one core.
# Uses $NSHED when set, else the release binary (see scripts/nshed.sh). Needs python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

model=examples/basin_error.nshed
axes=(--nodes p1,p3 --range 1e-3..1e3 --log --outcome predictions --threads 1)

# The outcomes on a 128 x 128 grid, and phi when there is a boundary at all.
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

echo "== its uncertainty exponent (9 eps x 20000 pairs), then 100000 pairs at small eps"
nshed basin "$model" "${axes[@]}" --uncertainty --eps 1e-4..1 --eps-count 9 --pairs 20000 \
  --svg "$out/basin_error_uncertainty.svg" | tee "$out/basin_error_uncertainty.txt"
nshed basin "$model" "${axes[@]}" --uncertainty --eps 1e-4..1e-2 --eps-count 5 \
  --pairs 100000 | tee "$out/basin_error_small_eps.txt"

echo "== phi against grid resolution (32^2 .. 1024^2 grids, neighbours that differ)"
grids=()
for n in 32 64 128 256 512 1024; do
  nshed basin "$model" "${axes[@]}" --grid "$n" --json > "$tmp/grid-$n.json"
  grids+=("$tmp/grid-$n.json")
done
python3 scripts/experiments/basin_grid_phi.py "${grids[@]}" | tee "$out/basin_error_grids.txt"
# The same for the plain-rule example, whose boundaries are smooth curves.
grids=()
for n in 32 64 128 256 512; do
  nshed basin examples/basin.nshed "${axes[@]}" --grid "$n" --json > "$tmp/plain-$n.json"
  grids+=("$tmp/plain-$n.json")
done
python3 scripts/experiments/basin_grid_phi.py "${grids[@]}" \
  | tee "$out/basin_plain_grids.txt"

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
nshed basin "$tmp/compete_error.nshed" "${axes[@]}" --grid 256 \
  --svg "$out/basin_error_twin.svg" --png "$out/basin_error_twin.png" \
  | tee "$out/basin_error_twin.txt"
{
  echo "-- examples/basin.nshed, plain"
  measure examples/basin.nshed 10000
  echo "-- examples/basin.nshed, error-driven"
  measure "$tmp/compete_error.nshed" 10000
} | tee "$out/basin_error_compete.txt"

echo "== training length (K = 4)"
for steps in 100 300 1000 3000; do
  echo "-- $steps steps"
  nshed basin "$model" "${axes[@]}" --steps "$steps" --grid 128 | sed -n 2p
  nshed basin "$model" "${axes[@]}" --steps "$steps" --uncertainty --eps 1e-3..1 \
    --eps-count 7 --pairs 10000 | grep -E "^uncertainty|^note"
done | tee "$out/basin_error_steps.txt"
