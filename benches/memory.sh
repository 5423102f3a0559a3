#!/usr/bin/env bash
# Memory, front-end time and training rate at scale: for each size, generates
# the model of `nshed gen --nodes N --levels 8 --steps STEPS --batch 1` and measures,
# through the real command line, one run at a time:
#
#   check            nshed check FILE
#   run --no-train   nshed run --no-train FILE   (parse, check, engine, the report)
#   run, batch B     nshed run FILE              (the same, after STEPS training steps of
#                                                 batch B: the file's `batch 1` edited to B)
#
# printing the wall clock, the processor time (user + system; the machine may be busy,
# and processor time leaves out the time other processes ran), the peak resident memory
# (`/usr/bin/time`'s maximum RSS) and that peak per node. Then, for each batch size, the
# training rate through the CLI: STEPS / (cpu of `run` - cpu of `run --no-train`), in
# steps a second and in microseconds a sample (the first draws of each data sample, which
# keep its pathway, are included).
#
#   benches/memory.sh [NODES[,NODES...]] [STEPS] [BATCH[,BATCH...]]
#
# Defaults: 10000,100000,1000000, 1000 steps and batches 1,32. `NSHED=path/to/nshed`
# measures that binary instead of building this checkout's (an A/B against an older
# build). Run from the repository root; needs GNU time at /usr/bin/time. A 10^7-node
# model takes about 7 GB and a few minutes: `benches/memory.sh 10000000` (its file is
# about 650 MB, in a temporary directory).
set -euo pipefail

sizes="${1:-10000,100000,1000000}"
steps="${2:-1000}"
batches="${3:-1,32}"
IFS=',' read -r -a size_list <<<"$sizes"
IFS=',' read -r -a batch_list <<<"$batches"
for n in "${size_list[@]}" "$steps" "${batch_list[@]}"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
        echo "error: \`$n\` is not a positive whole number" >&2
        echo "help: benches/memory.sh [NODES[,NODES...]] [STEPS] [BATCH[,BATCH...]]" >&2
        exit 2
    fi
done
if ! [ -x /usr/bin/time ]; then
    echo "error: the script needs GNU time at /usr/bin/time" >&2
    echo "help: apt-get install time" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -n "${NSHED:-}" ]; then
    nshed="$NSHED"
else
    cargo build --quiet --release --bin nshed
    nshed="$PWD/target/release/nshed"
fi

printf '%-10s %-16s %9s %9s %10s %8s\n' nodes command "wall s" "cpu s" "max RSS MB" "B/node"
# Runs `nshed LIMITS $2 $3`, prints its row labelled $1 and sets `cpu` to its user + sys.
measure() {
    local label=$1 command=$2 file=$3 wall user sys rss_kb
    # shellcheck disable=SC2086 # the command may be two words on purpose
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        "$nshed" "${limits[@]}" $command "$file" > /dev/null
    read -r wall user sys rss_kb < "$work/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    awk -v n="$nodes" -v c="$label" -v w="$wall" -v t="$cpu" -v r="$rss_kb" \
        'BEGIN { printf "%-10s %-16s %9.2f %9.2f %10.0f %8.0f\n", n, c, w, t, r / 1024, r * 1024 / n }'
}
for nodes in "${size_list[@]}"; do
    model="$work/m$nodes.nshed"
    "$nshed" gen --nodes "$nodes" --levels 8 --steps "$steps" --batch 1 -o "$model"
    limits=(--max-nodes $((nodes + 1000)) --max-edges $((nodes * 10)))
    measure check check "$model"
    measure "run --no-train" "run --no-train" "$model"
    no_train=$cpu
    rates=()
    for batch in "${batch_list[@]}"; do
        batched="$work/m$nodes-b$batch.nshed"
        sed "s/^  phase main { steps $steps batch 1 }\$/  phase main { steps $steps batch $batch }/" \
            "$model" > "$batched"
        measure "run, batch $batch" run "$batched"
        rm -f "$batched"
        rates+=("$(awk -v b="$batch" -v s="$steps" -v r="$cpu" -v o="$no_train" 'BEGIN {
            t = r - o
            if (t <= 0) { printf "batch %s: too fast to measure", b; exit }
            printf "batch %s: %.0f steps/s, %.2f us a sample", b, s / t, t * 1e6 / (s * b) }')")
    done
    printf '%-10s training (run - run --no-train, cpu): %s\n' "$nodes" "$(IFS=';'; echo "${rates[*]}" | sed 's/;/; /g')"
    rm -f "$model"
done
