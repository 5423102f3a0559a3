#!/usr/bin/env python3
"""The uncertainty exponent from basin grids of several resolutions (docs/experiments/basin.md).

Reads `nshed basin --json` grid reports (one per resolution, same model and range) and, for
each grid spacing h, the share f(h) of neighbouring grid points (left-right and up-down) with
different outcomes. For a boundary of dimension 2 - phi, f(h) ~ h^phi: phi is the slope of
ln f against ln h, with a 95% confidence interval (Student t, n - 2 degrees of freedom).
Usage: basin_grid_phi.py GRID.json...
"""

import json
import math
import sys

# Two-sided 95% quantiles of Student's t for 1..10 degrees of freedom.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]


def share_differing(cells):
    n = len(cells)
    differ = pairs = 0
    for r in range(n):
        for c in range(n):
            if c + 1 < n:
                pairs += 1
                differ += cells[r][c] != cells[r][c + 1]
            if r + 1 < n:
                pairs += 1
                differ += cells[r][c] != cells[r + 1][c]
    return differ, pairs


def main(paths):
    rows = []
    for path in paths:
        with open(path) as f:
            report = json.load(f)
        axis = report["axis"]
        width = (
            math.log(axis["hi"]) - math.log(axis["lo"]) if axis["log"] else axis["hi"] - axis["lo"]
        )
        n = report["grid"]
        differ, pairs = share_differing(report["cells"])
        rows.append((width / n, n, differ, pairs))
    rows.sort()
    print("      grid          h  differing pairs      pairs         f(h)")
    for h, n, differ, pairs in rows:
        print(f"{n:6d}^2  {h:9.6f}  {differ:15d}  {pairs:9d}  {differ / pairs:11.6f}")
    pts = [(math.log(h), math.log(d / p)) for h, _, d, p in rows if d > 0]
    if len(pts) < 3:
        print("fewer than three resolutions with a boundary: no fit")
        return
    k = len(pts)
    mx = sum(x for x, _ in pts) / k
    my = sum(y for _, y in pts) / k
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    slope = sxy / sxx
    resid = sum((y - my - slope * (x - mx)) ** 2 for x, y in pts)
    syy = sum((y - my) ** 2 for _, y in pts)
    se = math.sqrt(resid / (k - 2) / sxx)
    t = T975[k - 3]
    r2 = 1 - resid / syy if syy > 0 else 1.0
    print(
        f"grid exponent phi = {slope:.6f} ± {t * se:.6f} "
        f"(95% CI, t with {k - 2} df; SE {se:.6f}), R² = {r2:.6f}"
    )
    for (h0, n0, d0, p0), (h1, n1, d1, p1) in zip(rows, rows[1:]):
        if d0 > 0 and d1 > 0:
            local = math.log((d1 / p1) / (d0 / p0)) / math.log(h1 / h0)
            print(f"  local slope between {n1}^2 and {n0}^2: {local:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
