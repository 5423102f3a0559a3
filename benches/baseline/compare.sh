#!/usr/bin/env bash
# Issue 8's throughput comparison: nshed's training steps per second against the
# straightforward NumPy baseline on the same generated model (batch 1).
#
#   benches/baseline/compare.sh [NODES] [LEVELS] [RUST_STEPS] [NUMPY_STEPS]
#
# Defaults: a 10^4-node, 8-level model (`nshed gen --nodes 10000 --levels 8`), 20000
# nshed steps and 2000 NumPy steps. Run from the repository root. Needs numpy
# (`pip install numpy`). First checks that both implementations give the same ln lambda
# and ln eta after 200 steps in sample order, then times each and prints the ratio.
set -euo pipefail

nodes="${1:-10000}"
levels="${2:-8}"
rust_steps="${3:-20000}"
numpy_steps="${4:-2000}"
for n in "$nodes" "$levels" "$rust_steps" "$numpy_steps"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
        echo "error: \`$n\` is not a positive whole number" >&2
        echo "help: benches/baseline/compare.sh [NODES] [LEVELS] [RUST_STEPS] [NUMPY_STEPS]" >&2
        exit 2
    fi
done
if ! python3 -c "import numpy" 2>/dev/null; then
    echo "error: the baseline needs numpy" >&2
    echo "help: pip install numpy" >&2
    exit 1
fi

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --bin nshed --example train_steps
nshed=target/release/nshed
steps=target/release/examples/train_steps

"$nshed" gen --nodes "$nodes" --levels "$levels" --steps "$rust_steps" --batch 1 -o "$work/model.nshed"
"$nshed" ir "$work/model.nshed" > "$work/model.json"

# Same rules, same values: 200 steps drawing the samples in order.
"$steps" "$work/model.nshed" --steps 200 --cycle --dump "$work/rust.json" > /dev/null
python3 "$here/numpy_neurashed.py" "$work/model.json" --steps 200 --cycle --dump "$work/numpy.json" > /dev/null
python3 - "$work/rust.json" "$work/numpy.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
worst = 0.0
for key in ("ln_lambda", "ln_eta"):
    for x, y in zip(a[key], b[key]):
        if (x is None) != (y is None):
            sys.exit(f"error: {key} differs (one is zero, the other not)")
        if x is not None:
            worst = max(worst, abs(x - y))
if worst > 1e-9:
    sys.exit(f"error: nshed and the baseline disagree by {worst:g} in ln lambda / ln eta")
print(f"check: nshed and numpy agree after 200 steps (max |d ln| = {worst:.1e})")
PY

rust_line="$("$steps" "$work/model.nshed" --steps "$rust_steps")"
numpy_line="$(python3 "$here/numpy_neurashed.py" "$work/model.json" --steps "$numpy_steps")"
echo "$rust_line"
echo "$numpy_line"
rust_rate="$(sed -E 's/.*: ([0-9.]+) steps\/s/\1/' <<<"$rust_line")"
numpy_rate="$(sed -E 's/.*: ([0-9.]+) steps\/s/\1/' <<<"$numpy_line")"
python3 -c "print(f'ratio: nshed is {float('$rust_rate') / float('$numpy_rate'):.1f}x the NumPy steps/s')"
