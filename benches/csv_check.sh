#!/usr/bin/env bash
# Time of `nshed check` on examples/digits.nshed with its training file replaced by a
# generated CSV file of ROWS rows x 64 pixel columns (random 0/1 cells, labels d0..d9).
# Usage: benches/csv_check.sh [NSHED] [ROWS]   (default: target/release/nshed, 100000)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
nshed=${1:-$root/target/release/nshed}
rows=${2:-100000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/data"
cp "$root/examples/digits.nshed" "$dir/"
cp "$root/examples/data/digits_test.csv" "$dir/data/"
python3 - "$rows" > "$dir/data/digits_train.csv" <<'PY'
import random, sys
rng = random.Random(1)
rows = int(sys.argv[1])
print(",".join(["name", "label"] + [f"r{r}c{c}" for r in range(8) for c in range(8)]))
for i in range(rows):
    print(f"img{i},d{i % 10}," + ",".join("1" if rng.random() < 0.4 else "0" for _ in range(64)))
PY
ls -l "$dir/data/digits_train.csv" | awk '{print $5 " bytes"}'
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e s, %M KB" "$nshed" check "$dir/digits.nshed" > /dev/null 2>> "$dir/times" || true
  tail -1 "$dir/times"
done
