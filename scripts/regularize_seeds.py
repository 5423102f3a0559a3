#!/usr/bin/env python3
"""Summarises `nshed regularize FILE --batches 1,B --json` reports of several seeds, one JSON
document per line or concatenated, read from standard input (docs/phenomena.md).

For the middle feature level it prints, per seed, the effective number of nodes and the
neural-collapse ratio of the top feature level for the two batch sizes; then, over the
seeds, the mean paired difference (large batch minus batch 1) with a 95% Student t interval,
and in how many seeds batch 1 is sparser (fewer effective nodes) and more collapsed (a lower
ratio).
"""

import json
import math
import sys

# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
T975 = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
]


def reports(text):
    decoder = json.JSONDecoder()
    i = 0
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            break
        value, i = decoder.raw_decode(text, i)
        yield value


def mean_ci(xs):
    n = len(xs)
    m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    return m, T975[n - 2] * sd / math.sqrt(n)


def main():
    rows = []
    for r in reports(sys.stdin.read()):
        small, large = r["runs"][0], r["runs"][-1]
        level = r["levels"][-1]

        def nodes(run):
            return next(l["effective_nodes"] for l in run["levels"] if l["level"] == level)

        rows.append(
            (r["seed"], small["batch"], large["batch"], nodes(small), nodes(large),
             small["collapse"]["ratio"], large["collapse"]["ratio"])
        )
    b1, b2 = rows[0][1], rows[0][2]
    print(f"level `{level}`: effective nodes and collapse ratio, batch {b1} against batch {b2}")
    print("  seed  nodes b1  nodes b2  ratio b1  ratio b2")
    for seed, _, _, n1, n2, r1, r2 in rows:
        print(f"  {seed:4d}  {n1:8.3f}  {n2:8.3f}  {r1:8.3f}  {r2:8.3f}")
    dn = [row[4] - row[3] for row in rows]
    dr = [row[6] - row[5] for row in rows]
    m, h = mean_ci(dn)
    sparser = sum(1 for d in dn if d > 0)
    print(f"effective nodes, batch {b2} minus batch {b1}: {m:.3f} ± {h:.3f} (95% t, {len(rows)} seeds); "
          f"batch {b1} sparser in {sparser} of {len(rows)} seeds")
    m, h = mean_ci(dr)
    collapsed = sum(1 for d in dr if d > 0)
    print(f"collapse ratio, batch {b2} minus batch {b1}: {m:.3f} ± {h:.3f} (95% t, {len(rows)} seeds); "
          f"batch {b1} more collapsed in {collapsed} of {len(rows)} seeds")


if __name__ == "__main__":
    main()
