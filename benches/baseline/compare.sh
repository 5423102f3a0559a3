#!/usr/bin/env bash
# Issue 8's throughput comparison: nshed's training steps per second against the
# straightforward NumPy baseline on the same generated model (batch 1).
#
#   benches/baseline/compare.sh [NODES] [LEVELS] [RUST_STEPS] [NUMPY_STEPS]
#
# Defaults: a 10^4-node, 8-level model (`nshed gen --nodes 10000 --levels 8`), 100000
# nshed steps and 3000 NumPy steps. Run from the repository root. Needs numpy
# (`pip install numpy`). First checks that both implementations give the same ln lambda
# and ln eta after 200 steps in sample order, then times each three times and prints
# the ratio of the best rates (the machine may be busy; the best run is the least
# disturbed one).
set -euo pipefail

nodes="${1:-10000}"
levels="${2:-8}"
rust_steps="${3:-100000}"
numpy_steps="${4:-3000}"
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

rate() { sed -E 's/.*: ([0-9.]+) steps\/s/\1/' <<<"$1"; }
rust_rates=()
numpy_rates=()
for run in 1 2 3; do
    rust_line="$("$steps" "$work/model.nshed" --steps "$rust_steps")"
    numpy_line="$(python3 "$here/numpy_neurashed.py" "$work/model.json" --steps "$numpy_steps")"
    echo "run $run: $rust_line"
    echo "run $run: $numpy_line"
    rust_rates+=("$(rate "$rust_line")")
    numpy_rates+=("$(rate "$numpy_line")")
done
python3 - "${rust_rates[*]}" "${numpy_rates[*]}" <<'PY'
import sys
rust = max(float(x) for x in sys.argv[1].split())
numpy = max(float(x) for x in sys.argv[2].split())
print(f"best: nshed {rust:.0f} steps/s, numpy {numpy:.0f} steps/s")
print(f"ratio: nshed is {rust / numpy:.1f}x the NumPy steps/s")
PY
