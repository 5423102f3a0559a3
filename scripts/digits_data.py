#!/usr/bin/env python3
"""Writes examples/data/digits_train.csv and digits_test.csv from scikit-learn's bundled
copy of the UCI "Optical Recognition of Handwritten Digits" test set (1797 8x8 images,
grey levels 0..16; no download).

Each pixel is binarised: 1 when its grey level is >= THRESHOLD, else 0. The split is
stratified and fixed: within each digit, the images are shuffled by a seeded generator and
the first quarter (rounded down) go to the test set. Rows are written class by class (digit 0
first), in the shuffled order, so the output is byte-identical on every run.

Columns: name (img<index in load_digits>), label (d0..d9), then the 64 pixels r<row>c<col>.

Usage: python3 scripts/digits_data.py [OUTPUT_FOLDER]   (default: examples/data)
"""

import csv
import io
import os
import sys

import numpy as np
from sklearn.datasets import load_digits

THRESHOLD = 8
TEST_SHARE = 0.25
SEED = 20261208


def split(target):
    rng = np.random.RandomState(SEED)
    train, test = [], []
    for digit in range(10):
        rows = np.flatnonzero(target == digit)
        rows = rows[rng.permutation(len(rows))]
        cut = int(len(rows) * TEST_SHARE)
        test.extend(rows[:cut].tolist())
        train.extend(rows[cut:].tolist())
    return train, test


def table(images, target, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label"] + [f"r{r}c{c}" for r in range(8) for c in range(8)])
    for i in rows:
        bits = (images[i].reshape(64) >= THRESHOLD).astype(int).tolist()
        writer.writerow([f"img{i}", f"d{target[i]}"] + bits)
    return out.getvalue()


def write(path, text):
    # Atomic: a half-written file never replaces a good one.
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join("examples", "data")
    digits = load_digits()
    train, test = split(digits.target)
    write(os.path.join(folder, "digits_train.csv"), table(digits.images, digits.target, train))
    write(os.path.join(folder, "digits_test.csv"), table(digits.images, digits.target, test))
    print(f"{len(train)} training and {len(test)} test images written to {folder}")


if __name__ == "__main__":
    main()
