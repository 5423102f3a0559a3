#!/usr/bin/env bash
# Regenerates examples/digits.nshed: `nshed gen --data` wires one level of random
# AND/OR/k-of-n features from the training CSV, then the test set, the learning curves to
# record and the expectation are appended. Usage: scripts/digits_model.sh [NSHED] [SEED]
set -euo pipefail
nshed=${1:-nshed}
seed=${2:-1}
cd "$(dirname "$0")/../examples"
out=${DIGITS_OUT:-digits.nshed}
"$nshed" gen --data data/digits_train.csv --levels 3 --width 4000 --fan-in 8..12 \
  --seed "$seed" --steps 200 --batch 16 -o "$out" --force
# The learning curves are recorded inside the train block, after its phase.
sed -i '/^  phase main {/a\  record every 20 { accuracy loss test_accuracy test_loss }' "$out"
cat >> "$out" <<'BLOCKS'

test {
  from "data/digits_test.csv"
}

expect {
  accuracy >= 0.7
  test accuracy >= 0.55
}
BLOCKS
"$nshed" fmt "$out"
