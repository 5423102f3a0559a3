#!/usr/bin/env bash
# Draws the figures and tables of docs/generalization.md into docs/figures/: the digits
# example's learning curves, its freezing study and its batch sizes over 10 seeds, and its
# accuracy over training seeds and structures. About 3 CPU-minutes. Uses $NSHED when set,
# else the release binary (see scripts/nshed.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
model=examples/digits.nshed

echo "== learning curves"
nshed run "$model" --record "$out/digits_curves.csv" --curves "$out/digits_curves.svg" --force \
  > /dev/null
echo "== freezing the input level and the feature level, 10 seeds"
for level in input h2; do
  nshed depth "$model" --init const --seeds 10 --freeze "$level" --json \
    > "$out/digits_freeze_$level.json"
done
echo "== batch sizes 1, 16, 128, seeds 1..10"
for seed in $(seq 10); do
  nshed regularize "$model" --batches 1,16,128 --seed "$seed" --json 2> /dev/null
  echo
done > "$out/digits_batches.jsonl"
echo "== training seeds and structures"
python3 scripts/digits_study.py "$NSHED" 10 \
  | tee "$out/digits_study.txt"
