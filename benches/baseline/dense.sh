#!/usr/bin/env bash
# The dense held-out workload (issue 35) through the command line, against the NumPy
# baseline that keeps each sample's firing mask (`numpy_neurashed.py --cache`).
#
#   benches/baseline/dense.sh [NODES[,NODES...]] [RUNS]
#   NSHED=path/to/nshed TRAIN_STEPS=path/to/train_steps benches/baseline/dense.sh ...
#
# For each size (default 10000,1000000), writes the model of `benches/dense_model.py
# --nodes N` (8 levels, fan-in 4, 10 classes, 200 samples firing about 5% of each level,
# `sampler cycle`, batch 1, 1000 steps), checks that nshed and NumPy give the same ln
# lambda and ln eta after 400 steps (each sample drawn twice), then measures RUNS times
# (default 3), alternating:
#
#   nshed, 1000 steps   the processor time (user + sys, /usr/bin/time) of `nshed run
#                       FILE` minus that of `nshed run --no-train FILE`: everything
#                       training adds to the command, the report of the trained values
#                       included. Rate: 1000 / that time.
#   nshed, per step     `nshed run` of the same model with EXTRA more steps, minus `nshed
#                       run FILE`: the cost of EXTRA steps alone (EXTRA = 10^10 / NODES,
#                       between 2,000 and 1,000,000: about a second of training).
#   numpy, 1000 steps   the processor time of NumPy's 1000 steps, each sample fired at
#                       its first draw and its mask kept (`--cache`).
#   numpy, per step     the same steps with every mask made before the clock starts
#                       (`--cache --warm`).
#
# and prints the medians over the runs (differences are taken run by run, so a drift
# of the machine's speed cancels), the ratios, the nanoseconds a step costs per firing
# node (the per-step figure over the mean firing set; constant when the cost is linear
# in the firing set) and the peak resident memory of `nshed run` (bytes a node, the
# model's text included). Run from the repository root. Needs numpy and GNU time at
# /usr/bin/time. 10^6 nodes take a few minutes (the NumPy baseline reads the model as
# JSON, about 660 MB).
set -euo pipefail

sizes="${1:-10000,1000000}"
runs="${2:-3}"
IFS=',' read -r -a size_list <<<"$sizes"
source "$(dirname "$0")/checks.sh"
require_whole "benches/baseline/dense.sh [NODES[,NODES...]] [RUNS]" "${size_list[@]}" "$runs"
require_numpy
if ! [ -x /usr/bin/time ]; then
    echo "error: the script needs GNU time at /usr/bin/time" >&2
    echo "help: apt-get install time" >&2
    exit 1
fi

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# NSHED and TRAIN_STEPS name builds to measure instead (another checkout's, say).
if [ -n "${NSHED:-}${TRAIN_STEPS:-}" ]; then
    nshed="${NSHED:?set NSHED and TRAIN_STEPS together}"
    steps_bin="${TRAIN_STEPS:?set NSHED and TRAIN_STEPS together}"
else
    cargo build --quiet --release --bin nshed --example train_steps
    nshed="$PWD/target/release/nshed"
    steps_bin="$PWD/target/release/examples/train_steps"
fi
steps=1000

clamp() { local v=$1 lo=$2 hi=$3; ((v < lo)) && v=$lo; ((v > hi)) && v=$hi; echo "$v"; }
# The processor time (user + sys) and the peak resident KB of one command.
measure() {
    /usr/bin/time -f '%U %S %M' -o "$work/time" "$@" > /dev/null
    awk '{ printf "%.3f %d\n", $1 + $2, $3 }' "$work/time"
}
# The steps/s on the `cpu:` line of NumPy's output.
numpy_cpu() {
    python3 "$here/numpy_neurashed.py" "$@" | grep '^cpu:' | sed -E 's/.*processor: ([0-9.]+) .*/\1/'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for nodes in "${size_list[@]}"; do
    extra="$(clamp $((10000000000 / nodes)) 2000 1000000)"
    model="$work/dense.nshed"
    longer="$work/dense-longer.nshed"
    python3 "$(dirname "$here")/dense_model.py" --nodes "$nodes" --steps "$steps" -o "$model"
    sed "s/phase main { steps $steps batch 1 }/phase main { steps $((steps + extra)) batch 1 }/" \
        "$model" > "$longer"
    limits=(--max-nodes $((nodes + 1000)) --max-edges $((nodes * 10)))
    "$nshed" "${limits[@]}" ir "$model" > "$work/dense.json"
    echo "== $nodes nodes: $steps steps, and $extra more for the per-step figures"

    # Same rules, same draws (sampler cycle), same values.
    "$steps_bin" "$model" --steps 400 --dump "$work/rust.json" > "$work/rust.txt"
    python3 "$here/numpy_neurashed.py" "$work/dense.json" --steps 400 --cache \
        --dump "$work/numpy.json" > /dev/null
    python3 - "$work/rust.json" "$work/numpy.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
worst = 0.0
for key in ("ln_lambda", "ln_eta"):
    if len(a[key]) != len(b[key]):
        sys.exit(f"error: {key} has {len(a[key])} values in nshed, {len(b[key])} in numpy")
    for x, y in zip(a[key], b[key]):
        if (x is None) != (y is None):
            sys.exit(f"error: {key} differs (one is zero, the other not)")
        if x is not None:
            worst = max(worst, abs(x - y))
if worst > 1e-9:
    sys.exit(f"error: nshed and the baseline disagree by {worst:g} in ln lambda / ln eta")
print(f"check: nshed and numpy agree after 400 steps (max |d ln| = {worst:.1e})")
PY
    firing="$(grep '^firing:' "$work/rust.txt" | sed -E 's/firing: ([0-9.]+) nodes.*/\1/')"

    whole=() per_step=() numpy_whole=() numpy_warm=() peak=()
    for run in $(seq "$runs"); do
        read -r no_train _ < <(measure "$nshed" "${limits[@]}" run --no-train "$model")
        read -r trained rss < <(measure "$nshed" "${limits[@]}" run "$model")
        read -r long _ < <(measure "$nshed" "${limits[@]}" run "$longer")
        nw="$(numpy_cpu "$work/dense.json" --steps "$steps" --cache)"
        nm="$(numpy_cpu "$work/dense.json" --steps "$steps" --cache --warm)"
        echo "run $run: nshed run --no-train $no_train s, run $trained s, run +$extra steps $long s;" \
            "numpy $nw steps/s, warm $nm steps/s"
        whole+=("$(awk -v a="$trained" -v b="$no_train" 'BEGIN { print a - b }')")
        per_step+=("$(awk -v a="$long" -v b="$trained" 'BEGIN { print a - b }')")
        numpy_whole+=("$nw")
        numpy_warm+=("$nm")
        peak+=("$rss")
    done
    awk -v n="$nodes" -v s="$steps" -v e="$extra" -v f="$firing" \
        -v w="$(echo "${whole[*]}" | median)" -v p="$(echo "${per_step[*]}" | median)" \
        -v nw="$(echo "${numpy_whole[*]}" | median)" -v nm="$(echo "${numpy_warm[*]}" | median)" \
        -v rss="$(echo "${peak[*]}" | median)" 'BEGIN {
        if (w <= 0 || p <= 0) { print "too fast to measure against the noise: give more RUNS"; exit }
        printf "%d nodes, %d firing a sample:\n", n, f
        printf "  1000 steps:  nshed %.0f steps/s, numpy %.1f steps/s: %.1fx\n", s / w, nw, s / w / nw
        printf "  per step:    nshed %.0f steps/s (%.2f ns a firing node), numpy %.1f steps/s: %.1fx\n",
            e / p, p / e / f * 1e9, nm, e / p / nm
        printf "  peak of nshed run: %.0f MB, %.0f bytes a node\n", rss * 1024 / 1e6, rss * 1024 / n }'
done
uptime
