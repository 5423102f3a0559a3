#!/usr/bin/env python3
"""The uncertainty exponent from basin grids of several resolutions (docs/experiments/basin.md).

Reads `nshed basin --json` grid reports (one per resolution, same model and range) and, for
each grid spacing h, the share f(h) of neighbouring grid points (left-right and up-down) with
different outcomes. For a boundary of dimension 2 - phi, f(h) ~ h^phi, like f(eps) of random
pairs. The local slope between two resolutions is ln(f1/f0) / ln(h1/h0); its 95% interval
treats the two counts of differing neighbours as Poisson (1.96 sqrt(1/d0 + 1/d1) / ln(h1/h0)),
which is an approximation: a grid is one placement of the points, not a random sample. The
fit over all resolutions weighs each point by its count, as `nshed basin --uncertainty` does.
Usage: basin_grid_phi.py GRID.json...
"""

import json
import math
import sys

Z975 = 1.959963985


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
    pts = [
        (math.log(h), math.log(d / p), d / (1 - d / p)) for h, _, d, p in rows if 0 < d < p
    ]
    if len(pts) < 3:
        print("fewer than three resolutions with a boundary: no fit")
        return
    w = sum(p[2] for p in pts)
    mx = sum(p[2] * p[0] for p in pts) / w
    my = sum(p[2] * p[1] for p in pts) / w
    sxx = sum(p[2] * (p[0] - mx) ** 2 for p in pts)
    slope = sum(p[2] * (p[0] - mx) * (p[1] - my) for p in pts) / sxx
    chi2 = sum(p[2] * (p[1] - my - slope * (p[0] - mx)) ** 2 for p in pts)
    dof = len(pts) - 2
    print(
        f"grid exponent phi = {slope:.3f} ± {Z975 / math.sqrt(sxx):.3f} "
        f"(95% CI from the counts, weighted fit over {len(pts)} resolutions; "
        f"chi² = {chi2:.1f} on {dof} df: much more than {dof} means f(h) bends)"
    )
    for (h0, n0, d0, p0), (h1, n1, d1, p1) in zip(rows, rows[1:]):
        if d0 > 0 and d1 > 0:
            dx = math.log(h1 / h0)
            local = math.log((d1 / p1) / (d0 / p0)) / dx
            ci = Z975 * math.sqrt(1 / d0 + 1 / d1) / abs(dx)
            print(f"  local slope between {n1}^2 and {n0}^2: {local:.3f} ± {ci:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
