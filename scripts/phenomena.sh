#!/usr/bin/env bash
# Regenerates the figures and tables of docs/phenomena.md (the paper's section 3: information
# bottleneck, local elasticity, implicit regularization, and the model drawings).
# Usage: scripts/phenomena.sh [OUT_DIR]   (default docs/figures); NSHED=path/to/nshed to skip cargo.
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

echo "local elasticity of fig1" >&2
nshed le-matrix examples/fig1_le.nshed --log --bins 30 --svg "$out/fig1_le_histograms.svg" > "$out/fig1_le_matrix.txt"
nshed le-matrix examples/animals.nshed --log --bins 30 --svg "$out/animals_le_histograms.svg" > "$out/animals_le_matrix.txt"

echo "implicit regularization of fig4" >&2
nshed regularize examples/fig4.nshed --batches 1,8,64 --svg "$out/fig4_regularize.svg" > "$out/fig4_regularize.txt"

echo "drawings" >&2
nshed draw examples/fig1_le.nshed --input c2 --svg "$out/fig1_pathway_c2.svg"
nshed draw examples/fig4.nshed --input a127 --svg "$out/fig4_pathway_a127.svg"
nshed draw examples/fig4.nshed --no-train --input a127 --svg "$out/fig4_pathway_a127_start.svg"
echo "wrote the phenomena figures to $out" >&2
