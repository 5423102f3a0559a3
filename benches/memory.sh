#!/usr/bin/env bash
# Memory and front-end time at scale (issue 20): for each size, generates the model of
# `nshed gen --nodes N --levels 8 --steps STEPS --batch 1` and measures, through the
# real command line, one run at a time:
#
#   check            nshed check FILE
#   run --no-train   nshed run --no-train FILE   (parse, check, engine, the report)
#   run              nshed run FILE              (the same, after STEPS training steps)
#
# printing the wall clock, the processor time (user + system; the machine may be busy,
# and processor time leaves out the time other processes ran), the peak resident memory
# (`/usr/bin/time`'s maximum RSS) and that peak per node.
#
#   benches/memory.sh [NODES[,NODES...]] [STEPS]
#
# Defaults: 10000,100000,1000000 and 1000 steps. `NSHED=path/to/nshed` measures that
# binary instead of building this checkout's (an A/B against an older build). Run from
# the repository root; needs
# GNU time at /usr/bin/time. A 10^7-node model takes about 7 GB and a few minutes:
# `benches/memory.sh 10000000` (its file is about 650 MB, in a temporary directory).
set -euo pipefail

sizes="${1:-10000,100000,1000000}"
steps="${2:-1000}"
IFS=',' read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}" "$steps"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then
        echo "error: \`$n\` is not a positive whole number" >&2
        echo "help: benches/memory.sh [NODES[,NODES...]] [STEPS]" >&2
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
for nodes in "${size_list[@]}"; do
    model="$work/m$nodes.nshed"
    "$nshed" gen --nodes "$nodes" --levels 8 --steps "$steps" --batch 1 -o "$model"
    limits=(--max-nodes $((nodes + 1000)) --max-edges $((nodes * 10)))
    for command in "check" "run --no-train" "run"; do
        # shellcheck disable=SC2086 # the command is two words on purpose
        /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
            "$nshed" "${limits[@]}" $command "$model" > /dev/null
        read -r wall user sys rss_kb < "$work/time"
        awk -v n="$nodes" -v c="$command" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" \
            'BEGIN { printf "%-10s %-16s %9.2f %9.2f %10.0f %8.0f\n", n, c, w, u + s, r / 1024, r * 1024 / n }'
    done
    rm -f "$model"
done
