#!/usr/bin/env bash
# The basin study with error-driven rules (docs/experiments/basin.md, "Error-driven rules"):
# images at two zoom levels; the uncertainty exponent of the error-driven example, of the
# error-driven twin of examples/basin.nshed and of the plain original (the control), all
# with the default estimator (the same eps range, pairs until 50 differ); the error-driven
# example at ten times smaller eps; the exponent from grids of matched resolutions (64^2 to
# 1024^2) for the example and the control; and the example against rule strength and
# training length. About 17 CPU-minutes (two free cores: about 9 minutes). Uses $NSHED when
# set, else the release binary (see scripts/nshed.sh). Needs python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIMEFORMAT='  (%R s wall, %U s CPU)'

model=examples/basin_error.nshed
axes=(--nodes p1,p3 --range 1e-3..1e3 --log --outcome predictions)

# The outcomes on a 128 x 128 grid, and phi (default estimator) when there is a boundary.
measure() {
  local file=$1 grid
  grid=$(nshed basin "$file" "${axes[@]}" --grid 128 | sed -n 2p)
  echo "grid: $grid"
  if [[ $grid == *" 1 outcome(s)" ]]; then
    echo "one outcome everywhere: no boundary, phi undefined"
  else
    nshed basin "$file" "${axes[@]}" --uncertainty | grep -E "^uncertainty|^warning|^  [0-9.]+ +[0-9.]+ +-?[0-9.]+ +±"
  fi
}

echo "== the error-driven example, full range and zoomed (256 x 256 each)"
time nshed basin "$model" "${axes[@]}" --grid 256 \
  --svg "$out/basin_error.svg" --png "$out/basin_error.png" | tee "$out/basin_error.txt"
time nshed basin "$model" --nodes p1,p3 --range 2..5 --log --outcome predictions \
  --grid 256 --svg "$out/basin_error_zoom.svg" --png "$out/basin_error_zoom.png" \
  | tee "$out/basin_error_zoom.txt"

echo "== its twin: examples/basin.nshed with ' by error' after each rule"
sed -e 's|^\(  grow.*= mul [^ ]*\)$|\1 by error|' -e 's|^\(  shrink = mul [^ ]*\)$|\1 by error|' \
  examples/basin.nshed > "$tmp/compete_error.nshed"
grep -E '^  (grow|shrink)' "$tmp/compete_error.nshed"
time nshed basin "$tmp/compete_error.nshed" "${axes[@]}" --grid 256 \
  --svg "$out/basin_error_twin.svg" --png "$out/basin_error_twin.png" \
  | tee "$out/basin_error_twin.txt"

echo "== phi with the default estimator: the example, its twin, the plain control"
time nshed basin "$model" "${axes[@]}" --uncertainty \
  --svg "$out/basin_error_uncertainty.svg" | tee "$out/basin_error_uncertainty.txt"
time nshed basin "$tmp/compete_error.nshed" "${axes[@]}" --uncertainty \
  | tee "$out/basin_error_twin_uncertainty.txt"
# The control is scripts/experiments/basin.sh's docs/figures/basin_uncertainty.txt.

echo "== the example at ten times smaller eps (1e-5 to 1e-3 of the range's width)"
time nshed basin "$model" "${axes[@]}" --uncertainty --eps 1.3815510557964274e-4..1.3815510557964274e-2 \
  --max-pairs 1000000 | tee "$out/basin_error_small_eps.txt"

echo "== phi against grid resolution (64^2 .. 1024^2, neighbours that differ)"
for name in error plain; do
  file=$model
  [[ $name == plain ]] && file=examples/basin.nshed
  grids=()
  for n in 64 128 256 512 1024; do
    nshed basin "$file" "${axes[@]}" --grid "$n" --json > "$tmp/$name-$n.json"
    grids+=("$tmp/$name-$n.json")
  done
  python3 scripts/experiments/basin_grid_phi.py "${grids[@]}" | tee "$out/basin_${name}_grids.txt"
done

echo "== rule strength: grow = mul K by error, shrink = mul 1/K by error; and the same rules plain"
for k in 1.1 2 10 100; do
  sed -e "s|mul 4 by error|mul $k by error|" -e "s|mul 0.25 by error|mul 1/$k by error|" \
    "$model" > "$tmp/error.nshed"
  sed -e 's| by error||' "$tmp/error.nshed" > "$tmp/plain.nshed"
  echo "-- K = $k, error-driven"
  measure "$tmp/error.nshed"
  echo "-- K = $k, plain"
  measure "$tmp/plain.nshed"
done | tee "$out/basin_error_strengths.txt"

echo "== training length (K = 4)"
for steps in 100 1000; do
  echo "-- $steps steps"
  nshed basin "$model" "${axes[@]}" --steps "$steps" --grid 128 | sed -n 2p
  nshed basin "$model" "${axes[@]}" --steps "$steps" --uncertainty \
    | grep -E "^uncertainty|^warning|^  [0-9.]+ +[0-9.]+ +-?[0-9.]+ +±"
done | tee "$out/basin_error_steps.txt"
