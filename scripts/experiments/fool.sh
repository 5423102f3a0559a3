#!/usr/bin/env bash
# Makes the figures and tables of docs/experiments/fool.md in docs/figures/.
# Uses $NSHED when set (a built nshed binary), else the release binary (see scripts/nshed.sh).
# About 30 CPU-seconds once nshed is built (the two depth sweeps: 1408 trained models each).
set -euo pipefail
cd "$(dirname "$0")/../.."

source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
TIMEFORMAT='  (%R s wall, %U s CPU)'

# The hand-countable model: every one of its 16 patterns, threshold 0.85.
nshed fool examples/fool_tiny.nshed --exhaustive --threshold 0.85 \
    | tee "$out/fool-tiny.txt"

# The paper's Figure 1 model, trained by its schedule: all 128 patterns, smallest fooling
# pattern per class by enumeration; then 1000 random patterns with the search, to compare.
nshed fool examples/fig1.nshed --exhaustive --svg "$out/fool-fig1.svg" \
    --csv "$out/fool-fig1.csv" | tee "$out/fool-fig1.txt"
nshed fool examples/fig1.nshed | tee "$out/fool-fig1-random.txt"

# Generated models of 2 to 12 levels: 32 structures per depth, each trained from 4
# training streams; uniform random patterns, then patterns at the training patterns'
# density.
time nshed fool --depths 2..12 --models 32 --train-seeds 4 --svg "$out/fool-depths.svg" \
    --csv "$out/fool-depths.csv" | tee "$out/fool-depths.txt"
time nshed fool --depths 2..12 --models 32 --train-seeds 4 --density data \
    --svg "$out/fool-depths-data.svg" --csv "$out/fool-depths-data.csv" \
    | tee "$out/fool-depths-data.txt"
