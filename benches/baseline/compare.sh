#!/usr/bin/env bash
# The throughput comparison: nshed's training steps per second
# against the straightforward NumPy baseline on the same generated model (batch 1).
#
#   benches/baseline/compare.sh [NODES[,NODES...]] [LEVELS] [RUST_STEPS] [NUMPY_STEPS]
#
# Defaults: 8-level models (`nshed gen --nodes N --levels 8`) of 10^4, 10^5 and 10^6
# nodes (about a minute in all); give one size, e.g. `10000`, for a quick comparison.
# Steps default to about 2 s of work per size (nshed: 10^9 / NODES, between 3,000 and 200,000; NumPy:
# 3 * 10^7 / NODES, between 20 and 3,000). Run from the repository root. Needs numpy
# (`pip install numpy`). First checks that both implementations give the same
# ln lambda and ln eta after some steps in sample order (200; 50 from 10^6 nodes on),
# then times each three times and prints the ratio of the best rates, both by the wall
# clock and by processor time (the machine may be busy: the best run is the least
# disturbed one, and processor time leaves out the time other processes ran).
set -euo pipefail

sizes="${1:-10000,100000,1000000}"
levels="${2:-8}"
rust_steps_arg="${3:-}"
numpy_steps_arg="${4:-}"
IFS=',' read -r -a size_list <<<"$sizes"
source "$(dirname "$0")/checks.sh"
require_whole "benches/baseline/compare.sh [NODES[,NODES...]] [LEVELS] [RUST_STEPS] [NUMPY_STEPS]" "${size_list[@]}" "$levels" ${rust_steps_arg:+"$rust_steps_arg"} ${numpy_steps_arg:+"$numpy_steps_arg"}
require_numpy

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release --bin nshed --example train_steps
nshed=target/release/nshed
steps=target/release/examples/train_steps

clamp() { local v=$1 lo=$2 hi=$3; ((v < lo)) && v=$lo; ((v > hi)) && v=$hi; echo "$v"; }
# The rate of the line of `$1` that starts with `$2` (`nshed:`/`numpy:` wall, `cpu:`).
rate() { grep "^$2" <<<"$1" | sed -E 's/.*: ([0-9.]+) steps\/s/\1/'; }

for nodes in "${size_list[@]}"; do
    rust_steps="${rust_steps_arg:-$(clamp $((1000000000 / nodes)) 3000 200000)}"
    numpy_steps="${numpy_steps_arg:-$(clamp $((30000000 / nodes)) 20 3000)}"
    check_steps=200
    ((nodes >= 1000000)) && check_steps=50
    echo "== $nodes nodes, $levels levels: $rust_steps nshed steps, $numpy_steps NumPy steps"
    "$nshed" gen --nodes "$nodes" --levels "$levels" --steps "$rust_steps" --batch 1 -o "$work/model.nshed"
    "$nshed" ir "$work/model.nshed" > "$work/model.json"

    # Same rules, same values: steps drawing the samples in order.
    "$steps" "$work/model.nshed" --steps "$check_steps" --cycle --dump "$work/rust.json" > /dev/null
    python3 "$here/numpy_neurashed.py" "$work/model.json" --steps "$check_steps" --cycle --dump "$work/numpy.json" > /dev/null
    python3 - "$work/rust.json" "$work/numpy.json" "$check_steps" <<'PY'
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
print(f"check: nshed and numpy agree after {sys.argv[3]} steps (max |d ln| = {worst:.1e})")
PY

    rust_wall=() rust_cpu=() numpy_wall=() numpy_cpu=()
    for run in 1 2 3; do
        rust_out="$("$steps" "$work/model.nshed" --steps "$rust_steps")"
        numpy_out="$(python3 "$here/numpy_neurashed.py" "$work/model.json" --steps "$numpy_steps")"
        echo "run $run: $(tr '\n' ' ' <<<"$rust_out")"
        echo "run $run: $(tr '\n' ' ' <<<"$numpy_out")"
        rust_wall+=("$(rate "$rust_out" nshed:)")
        rust_cpu+=("$(rate "$rust_out" cpu:)")
        numpy_wall+=("$(rate "$numpy_out" numpy:)")
        numpy_cpu+=("$(rate "$numpy_out" cpu:)")
    done
    python3 - "${rust_wall[*]}" "${numpy_wall[*]}" "${rust_cpu[*]}" "${numpy_cpu[*]}" "$nodes" <<'PY'
import sys
best = [max((float(x) for x in arg.split()), default=0.0) for arg in sys.argv[1:5]]
for what, rust, numpy in (("wall clock", best[0], best[1]), ("processor time", best[2], best[3])):
    if rust == 0.0 or numpy == 0.0:
        continue  # no processor time on this system
    print(f"best by {what}: nshed {rust:.0f} steps/s, numpy {numpy:.1f} steps/s: "
          f"{rust / numpy:.1f}x ({sys.argv[5]} nodes)")
PY
done
uptime
