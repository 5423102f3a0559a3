#!/usr/bin/env bash
# Per-step training cost against the firing set (it must grow at most linearly with it):
# for each size, generates `nshed gen --nodes N --levels 8 --batch 1` and times training
# steps with `examples/train_steps.rs` at batch 1 and batch 32, by the processor time of
# the training thread, printing per size:
#
#   firing        the nodes a data sample fires on average (its pathway, inputs included)
#   us/step       a batch-1 step
#   ns/fired      a batch-1 step per firing node: constant when the cost is linear in
#                 the firing set
#   us/sample@32  a batch-32 step per sample (below us/step when batching pays)
#
#   benches/steps.sh [NODES[,NODES...]]
#
# Defaults: 10000,100000,1000000. Steps: 3 * 10^9 / NODES at batch 1 and a tenth of that
# at batch 32 (a few seconds per size; the first draw of each of the 60 data samples,
# which keeps its pathway, is included). Run from the repository root.
set -euo pipefail

sizes="${1:-10000,100000,1000000}"
IFS=',' read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
        echo "error: \`$n\` is not a positive whole number" >&2
        echo "help: benches/steps.sh [NODES[,NODES...]]" >&2
        exit 2
    fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --release --bin nshed --example train_steps
nshed=target/release/nshed
steps=target/release/examples/train_steps

# The number after `$2` on the line of `$1` that starts with `$3`.
field() { grep "^$3" <<<"$1" | sed -E "s/.*$2 ([0-9.]+).*/\1/"; }

printf '%-10s %9s %10s %10s %13s\n' nodes firing us/step ns/fired us/sample@32
for nodes in "${size_list[@]}"; do
    n1=$((3000000000 / nodes)); ((n1 < 100)) && n1=100
    n32=$((n1 / 10)); ((n32 < 10)) && n32=10
    "$nshed" gen --nodes "$nodes" --levels 8 --steps "$n1" --batch 1 -o "$work/model.nshed"
    one="$("$steps" "$work/model.nshed" --steps "$n1" --batch 1)"
    many="$("$steps" "$work/model.nshed" --steps "$n32" --batch 32)"
    cpu1="$(field "$one" "cpu:" "cpu:")"
    cpu32="$(field "$many" "cpu:" "cpu:")"
    firing="$(field "$one" "firing:" "firing:")"
    awk -v n="$nodes" -v f="$firing" -v c1="$cpu1" -v s1="$n1" -v c32="$cpu32" -v s32="$n32" 'BEGIN {
        step = c1 / s1
        printf "%-10s %9d %10.2f %10.2f %13.2f\n", n, f, step * 1e6, step * 1e9 / f, c32 / (s32 * 32) * 1e6 }'
done
