#!/usr/bin/env bash
# Makes the figures and tables of docs/experiments/depth.md in docs/figures/.
# Uses $NSHED when set (a built nshed binary), else the release binary (see scripts/nshed.sh).
# About 15 CPU-seconds once nshed is built.
set -euo pipefail
cd "$(dirname "$0")/../.."

source scripts/nshed.sh
out=docs/figures
mkdir -p "$out"
TIMEFORMAT='  (%R s wall, %U s CPU)'

# Spread of ln Z across 16 seeds at initialisation: 8 generated structures per depth from 2
# to 12 levels, the spread taken per structure, then its mean and 95% interval over them.
time nshed depth --depths 2..12 --seeds 16 --structures 8 --svg "$out/depth-spread.svg" \
    --csv "$out/depth-spread.csv" | tee "$out/depth-spread.txt"

# The same after 300 training steps (batch 1).
time nshed depth --depths 2..12 --seeds 16 --structures 8 --steps 300 \
    --svg "$out/depth-spread-trained.svg" --csv "$out/depth-spread-trained.csv" \
    | tee "$out/depth-spread-trained.txt"

# Freezing the input level: 4 generated structures of 3 to 6 levels, 8 seeds, 300 steps.
time nshed depth --depths 3..6 --seeds 8 --structures 4 --steps 300 --freeze 1 \
    --svg "$out/depth-freeze.svg" --csv "$out/depth-freeze.csv" | tee "$out/depth-freeze.txt"

# Freezing a level of the paper's Figure 1 model, trained by its schedule.
nshed depth examples/fig1.nshed --seeds 16 --freeze parts | tee "$out/depth-fig1-freeze.txt"
