#!/usr/bin/env python3
"""Data and test accuracy, loss and gap of the digits example over training seeds and over
random structures (feature levels wired by `nshed gen --data` with other seeds), with 95%
t-intervals. Usage: python3 scripts/digits_study.py [NSHED] [RUNS]   (default: nshed, 10)"""

import json
import math
import os
import subprocess
import sys

NSHED = sys.argv[1] if len(sys.argv) > 1 else "nshed"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
# Two-sided 97.5% quantiles of Student's t for 1..29 degrees of freedom.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045]


def run(model, seed):
    out = subprocess.run([NSHED, "run", model, "--json", "--seed", str(seed)],
                         capture_output=True, check=True, text=True).stdout
    d = json.loads(out)
    return {"accuracy": d["accuracy"], "loss": d["loss"],
            "test_accuracy": d["test"]["accuracy"], "test_loss": d["test"]["loss"],
            "gap": d["accuracy"] - d["test"]["accuracy"]}


def interval(xs):
    n = len(xs)
    mean = sum(xs) / n
    if n < 2:
        return mean, float("nan")
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    return mean, T975[min(n - 1, len(T975)) - 1] * sd / math.sqrt(n)


def report(title, rows):
    print(title)
    for key in ["accuracy", "loss", "test_accuracy", "test_loss", "gap"]:
        mean, half = interval([r[key] for r in rows])
        lo, hi = min(r[key] for r in rows), max(r[key] for r in rows)
        print(f"  {key:14} {mean:.4g} ± {half:.2g}  (min {lo:.4g}, max {hi:.4g})")


def main():
    example = os.path.join(ROOT, "examples", "digits.nshed")
    report(f"training seeds 1..{RUNS}, structure of examples/digits.nshed",
           [run(example, s) for s in range(1, RUNS + 1)])
    rows = []
    for s in range(1, RUNS + 1):
        # Beside the example, so that its `from` paths find the data.
        model = os.path.join(ROOT, "examples", f".digits_study_{s}.nshed")
        try:
            env = dict(os.environ, DIGITS_OUT=model)
            subprocess.run([os.path.join(ROOT, "scripts", "digits_model.sh"), NSHED, str(s)],
                           env=env, check=True, capture_output=True)
            rows.append(run(model, 1))
        finally:
            if os.path.exists(model):
                os.remove(model)
    report(f"structures 1..{RUNS} (nshed gen --data ... --seed S), training seed 1", rows)


if __name__ == "__main__":
    main()
