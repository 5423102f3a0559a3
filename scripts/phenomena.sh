#!/usr/bin/env bash
# Regenerates the figures and tables of docs/phenomena.md (the paper's section 3: information
# bottleneck, local elasticity, implicit regularization, and the model drawings).
# Usage: scripts/phenomena.sh [OUT_DIR]   (default docs/figures); NSHED=path/to/nshed to skip cargo.
# Needs python3 (scripts/regularize_seeds.py). About 15 CPU-seconds once nshed is built.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/figures}"
mkdir -p "$out"
source scripts/nshed.sh

echo "info plane of fig4 (scores and lambda readings)" >&2
nshed info-plane examples/fig4.nshed --repr lambda --svg "$out/fig4_info_plane_lambda.svg" \
  --csv "$out/fig4_info_plane_lambda.csv" --every 100 > "$out/fig4_info_plane_lambda.txt"
nshed info-plane examples/fig4.nshed --svg "$out/fig4_info_plane_scores.svg" \
  --csv "$out/fig4_info_plane_scores.csv" --every 100 > "$out/fig4_info_plane_scores.txt"
nshed info-plane examples/fig4.nshed --repr lambda --mi noise --sigma 0.1 \
  --svg "$out/fig4_info_plane_noise.svg" --every 100 > "$out/fig4_info_plane_noise.txt"
nshed info-plane examples/fig4.nshed --repr lambda --bins 30,1000,1000000,distinct \
  --svg "$out/fig4_info_plane_bins.svg" --csv "$out/fig4_info_plane_bins.csv" --every 50 \
  > "$out/fig4_info_plane_bins.txt"
# For seeds 1 to 10: the first recorded step (every 10) at which level `mid` carries at most
# 1 bit, per estimator ("never" if it does not happen in 1500 steps).
tmp_csv=$(mktemp)
for seed in $(seq 1 10); do
  nshed info-plane examples/fig4.nshed --repr lambda --bins 30,1000,1000000,distinct \
    --every 10 --seed "$seed" --csv "$tmp_csv" > /dev/null
  awk -F, -v seed="$seed" 'NR > 1 && $5 == "mid" {
      key = ($1 == "distinct") ? "distinct" : $2 " bins"
      if (!(key in first)) { order[++n] = key; first[key] = "never" }
      if ($6 <= 1 + 1e-12 && first[key] == "never") first[key] = $4
    }
    END {
      line = "seed " seed ":"
      for (i = 1; i <= n; i++) line = line "  " order[i] " " first[order[i]]
      print line
    }' "$tmp_csv"
done > "$out/fig4_info_plane_bins_seeds.txt"
rm -f "$tmp_csv"

echo "local elasticity of fig1" >&2
nshed le-matrix examples/fig1_le.nshed --log --bins 30 --svg "$out/fig1_le_histograms.svg" > "$out/fig1_le_matrix.txt"
nshed le-matrix examples/animals.nshed --log --bins 30 --svg "$out/animals_le_histograms.svg" > "$out/animals_le_matrix.txt"

echo "implicit regularization of fig4" >&2
nshed regularize examples/fig4.nshed --batches 1,8,64 --svg "$out/fig4_regularize.svg" > "$out/fig4_regularize.txt"
# The same comparison (batch 1 against 64) for seeds 1 to 10, and its summary: the paired
# differences' mean with a 95% t interval, and in how many seeds batch 1 is sparser / more
# collapsed.
for seed in $(seq 1 10); do
  nshed regularize examples/fig4.nshed --batches 1,64 --seed "$seed" --json
done | python3 scripts/regularize_seeds.py > "$out/fig4_regularize_seeds.txt"

echo "drawings" >&2
nshed draw examples/fig1_le.nshed --input c2 --svg "$out/fig1_pathway_c2.svg"
nshed draw examples/fig4.nshed --input a127 --svg "$out/fig4_pathway_a127.svg"
nshed draw examples/fig4.nshed --no-train --input a127 --svg "$out/fig4_pathway_a127_start.svg"
echo "wrote the phenomena figures to $out" >&2
