"""Predictions per second of `Model.predict_many` on examples/fig1.nshed.

Usage: python python/benches/predict_many.py [ROWS] [REPEATS]   (from the repository root,
with the package installed). Rows are random 0/1 patterns of fig1's seven inputs, given as
a 2-D bool array; the model is trained by its schedule first. Prints the best and the
median rate over REPEATS calls, and the same for a uint8 array and a list of 0/1 rows.
"""

import pathlib
import statistics
import sys
import time

import numpy as np

import nshed

ROOT = pathlib.Path(__file__).resolve().parents[2]


def rates(call, rows, repeats):
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        out.append(rows / (time.perf_counter() - start))
    return max(out), statistics.median(out)


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    m = nshed.load(ROOT / "examples" / "fig1.nshed")
    m.train()
    x = np.random.default_rng(0).random((rows, len(m.input_nodes))) < 0.4
    for name, table in [("bool array", x), ("uint8 array", x.astype(np.uint8)), ("list of 0/1 rows", x.astype(int).tolist())]:
        best, median = rates(lambda: m.predict_many(table), rows, repeats)
        print(f"predict_many, {rows} rows as a {name}: best {best:,.0f}/s, median {median:,.0f}/s")


if __name__ == "__main__":
    main()
