#!/usr/bin/env python3
"""The dense held-out workload: a layered model whose data samples fire random,
overlapping pathways, written as .nshed text.

Unlike `nshed gen`, which wires each level from its data so that pathways stay within a
class, this model is wired at random and its samples are independent random patterns:
each node fires for a few of the samples, and no two samples' pathways share more than
chance makes them. No storage order can make every pathway contiguous.

    python3 benches/dense_model.py --nodes 1000000 -o dense.nshed

Shape (defaults: the workload of the performance targets):
  * LEVELS levels of NODES / LEVELS nodes each, counting the input level, then CLASSES
    classes;
  * every node above the inputs reads FAN_IN distinct children drawn uniformly from the
    level below, through `any` or `atleast 2 of`; the share of `any` gates is set level by
    level (by firing the data) so that about DENSITY of each level fires per sample;
  * SAMPLES samples, each a uniformly random DENSITY share of the inputs, labelled
    round robin (sample i has class i mod CLASSES);
  * each node of the last level has one class edge, to the class that most of the
    samples firing it carry (ties and silent nodes: the lowest such class);
  * `grow = mul 1.1`, `shrink = mul 0.9`, `sampler cycle`, one phase of STEPS steps of
    batch BATCH.

Deterministic for a given --seed. Needs numpy (`pip install numpy`).
"""

import argparse
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("error: numpy is not installed\nhelp: pip install numpy")


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a positive whole number")
    return value


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=positive, default=1_000_000, help="nodes in all levels (default 10^6)")
    ap.add_argument("--levels", type=positive, default=8, help="levels, the inputs included (default 8)")
    ap.add_argument("--fan-in", type=positive, default=4, help="children per gate (default 4)")
    ap.add_argument("--classes", type=positive, default=10, help="classes (default 10)")
    ap.add_argument("--samples", type=positive, default=200, help="data samples (default 200)")
    ap.add_argument("--density", type=float, default=0.05, help="share of each level a sample fires (default 0.05)")
    ap.add_argument("--steps", type=positive, default=1000, help="training steps (default 1000)")
    ap.add_argument("--batch", type=positive, default=1, help="batch size (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the wiring and the data (default 0)")
    ap.add_argument("-o", "--output", required=True, help="where to write the model")
    args = ap.parse_args()
    width = args.nodes // args.levels
    if args.levels < 2 or width < args.fan_in:
        ap.error("need at least 2 levels, each with at least FAN_IN nodes")
    if args.fan_in < 2:
        ap.error("--fan-in must be at least 2 (the gates are `any` and `atleast 2 of`)")
    if not 0.0 < args.density < 1.0:
        ap.error("--density must lie strictly between 0 and 1")
    return args


def distinct_children(rng, width, below, fan_in):
    """`width` rows of `fan_in` distinct indices below `below`, each row ascending. The
    first column is a permutation while it lasts, so that every node below has a parent
    (no dead nodes) when `width >= below`."""
    first = np.resize(rng.permutation(below), width)
    children = np.column_stack([first, rng.integers(0, below, size=(width, fan_in - 1))])
    while True:
        s = np.sort(children, axis=1)
        clash = (s[:, 1:] == s[:, :-1]).any(axis=1)
        if not clash.any():
            return s
        children[clash, 1:] = rng.integers(0, below, size=(int(clash.sum()), fan_in - 1))


def build(args):
    """The wiring, the gate of each node (True: `any`), the inputs and the class edges."""
    rng = np.random.default_rng(args.seed)
    width = args.nodes // args.levels
    n_on = max(1, round(args.density * width))
    # firing[s, i]: sample s fires node i of the current level.
    firing = np.zeros((args.samples, width), dtype=bool)
    inputs = []
    for s in range(args.samples):
        on = np.sort(rng.choice(width, size=n_on, replace=False))
        inputs.append(on)
        firing[s, on] = True
    levels = []
    for _ in range(1, args.levels):
        children = distinct_children(rng, width, width, args.fan_in)
        counts = np.zeros((args.samples, width), dtype=np.int16)
        for k in range(args.fan_in):
            counts += firing[:, children[:, k]]
        rate_any = (counts >= 1).mean()
        rate_two = (counts >= 2).mean()
        # The share of `any` gates that makes the level fire at the target density.
        share = (args.density - rate_two) / max(rate_any - rate_two, 1e-12)
        share = min(max(share, 0.0), 1.0)
        is_any = rng.random(width) < share
        firing = counts >= np.where(is_any, 1, 2)
        levels.append((children, is_any))
    labels = np.arange(args.samples) % args.classes
    # votes[i, c]: samples of class c that fire last-level node i.
    votes = np.zeros((width, args.classes), dtype=np.int64)
    for c in range(args.classes):
        votes[:, c] = firing[labels == c].sum(axis=0)
    edge_class = votes.argmax(axis=1)
    return inputs, levels, labels, edge_class


def level_name(k):
    return "x" if k == 0 else f"h{k + 1}_"


def write(args, inputs, levels, labels, edge_class, out):
    width = args.nodes // args.levels
    w = out.write
    w(f"// The dense held-out workload: {args.levels} levels of {width} nodes, fan-in "
      f"{args.fan_in}, {args.classes} classes, {args.samples} samples firing about "
      f"{args.density:g} of each level.\n")
    w(f"// Made by: benches/dense_model.py --nodes {args.nodes} --levels {args.levels} "
      f"--fan-in {args.fan_in} --classes {args.classes} --samples {args.samples} "
      f"--density {args.density:g} --steps {args.steps} --batch {args.batch} --seed {args.seed}\n\n")
    w("model dense {\n  level input {\n")
    for start in range(0, width, 16):
        w("    " + " ".join(f"x{i}" for i in range(start, min(start + 16, width))) + "\n")
    w("  }\n")
    for k, (children, is_any) in enumerate(levels, start=1):
        name, below = level_name(k), level_name(k - 1)
        w(f"\n  level h{k + 1} {{\n")
        lines = []
        for i in range(width):
            kids = ", ".join(f"{below}{c}" for c in children[i])
            gate = "any" if is_any[i] else "atleast 2 of "
            lines.append(f"    {name}{i} = {gate}({kids})\n")
        w("".join(lines))
        w("  }\n")
    top = level_name(len(levels))
    w("\n  classes {\n")
    for c in range(args.classes):
        parents = np.flatnonzero(edge_class == c)
        names = ", ".join(f"{top}{i}" for i in parents) if len(parents) else ""
        w(f"    c{c} <- {names}\n" if names else f"    c{c}\n")
    w("  }\n}\n\n")
    w("init {\n  lambda = 1\n  eta = 1\n}\n\n")
    w("rules {\n  grow = mul 1.1\n  shrink = mul 0.9\n}\n\n")
    w("data {\n")
    for s, on in enumerate(inputs):
        w(f"  s{s}: " + " ".join(f"x{i}" for i in on) + f" -> c{labels[s]}\n")
    w("}\n\n")
    w(f"train {{\n  seed 0\n  sampler cycle\n  phase main {{ steps {args.steps} batch {args.batch} }}\n}}\n")


def main():
    args = parse_args()
    inputs, levels, labels, edge_class = build(args)
    try:
        with open(args.output, "w") as out:
            write(args, inputs, levels, labels, edge_class, out)
    except OSError as e:
        print(f"error: cannot write `{args.output}`: {e}", file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
