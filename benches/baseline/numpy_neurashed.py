#!/usr/bin/env python3
"""A straightforward vectorised NumPy implementation of neurashed training (SPEC 3),
the baseline of the training-throughput comparison (benches/baseline/compare.sh).

Dense arrays over the whole model: one step computes the firing mask of every node
level by level (children gathered from a padded index matrix, counted against each
gate's threshold), takes the union U over the batch, and updates every ln lambda and
ln eta with np.where (grow where the node fires / the edge co-fires, shrink
elsewhere). With `--cache`, each data sample is fired once, at its first draw, and its
firing mask kept for its later draws (the dense workload's baseline; `--warm` fires
them all before the timed steps). It reads the model as the JSON IR that `nshed ir
FILE` prints and supports what the benchmark models use: one training phase, `mul`
rules without jitter, no input noise, eta_update union or sample.

    nshed ir model.nshed > model.json
    python3 numpy_neurashed.py model.json --steps 2000            # prints steps/s
    python3 numpy_neurashed.py model.json --steps 50 --cycle --dump out.json
    python3 numpy_neurashed.py model.json --steps 1000 --cache       # firing sets kept
    python3 numpy_neurashed.py model.json --steps 1000 --cache --warm  # ... all, untimed

Needs numpy (`pip install numpy`).
"""

import argparse
import json
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit("error: numpy is not installed\nhelp: pip install numpy")


class ModelError(Exception):
    """The model uses something this baseline does not implement."""


def ln_mul_factors(updates, what):
    out = []
    for u in updates:
        if u.get("kind") != "mul":
            raise ModelError(f"{what}: only `mul` rules are supported, found `{u.get('kind')}`")
        out.append(np.log(u["factor"]) if u["factor"] > 0 else -np.inf)
    return np.array(out, dtype=np.float64)


class DenseNeurashed:
    def __init__(self, ir, batch=None, cache=False):
        train = ir.get("train")
        if not train or len(train["phases"]) != 1:
            raise ModelError("the model needs a `train` block with exactly one phase")
        phase = train["phases"][0]
        rules = phase["rules"]
        if rules.get("jitter", 0.0) > 0.0:
            raise ModelError("jitter is not supported")
        if ir["data"].get("noise_flip", 0.0) > 0.0:
            raise ModelError("input noise is not supported")
        if any(phase["frozen_levels"]) or phase["freeze_eta"]:
            raise ModelError("frozen levels are not supported")
        self.batch = batch if batch is not None else phase["batch"]
        self.sampler = train["sampler"]
        self.eta_update = train["eta_update"]

        nodes = ir["nodes"]
        self.n = len(nodes)
        # Per feature level above the input: (first, len, padded children, thresholds).
        # Padding points at index n, a sentinel that never fires.
        self.levels = []
        for level in ir["levels"][1:]:
            first, length = level["first"], level["len"]
            gates = [nodes[i]["gate"] for i in range(first, first + length)]
            width = max(len(g["children"]) for g in gates)
            children = np.full((length, width), self.n, dtype=np.int64)
            threshold = np.empty(length, dtype=np.int64)
            for row, g in enumerate(gates):
                children[row, : len(g["children"])] = g["children"]
                kind = g["kind"]["kind"]
                threshold[row] = {"any": 1, "all": len(g["children"])}.get(
                    kind, g["kind"].get("k", 0)
                )
            self.levels.append((first, length, children, threshold))

        self.edge_from = np.array([e["from"] for e in ir["edges"]], dtype=np.int64)
        self.edge_to = np.array([e["to"] for e in ir["edges"]], dtype=np.int64)
        self.ln_grow = ln_mul_factors(rules["grow"], "grow")
        self.ln_shrink = ln_mul_factors(rules["shrink"], "shrink")
        self.ln_grow_eta = ln_mul_factors(rules["grow_eta"], "grow eta")
        self.ln_shrink_eta = ln_mul_factors(rules["shrink_eta"], "shrink eta")

        def init(dists, what):
            if any(d["dist"] != "const" for d in dists):
                raise ModelError(f"{what}: only constant inits are supported")
            return np.log(np.array([d["value"] for d in dists], dtype=np.float64))

        with np.errstate(divide="ignore"):
            self.ln_lambda = init(ir["init"]["lambda"], "lambda")
            self.ln_eta = init(ir["init"]["eta"], "eta")

        samples = ir["data"]["samples"]
        if not samples:
            raise ModelError("the model has no data samples")
        self.inputs = [np.array(s["input"], dtype=np.int64) for s in samples]
        self.labels = np.array([s["label"] for s in samples], dtype=np.int64)
        w = np.array([s["weight"] for s in samples], dtype=np.float64)
        self.p = w / w.sum()
        self.cursor = 0
        # Sample index -> its firing mask, when firing sets are cached (firing does not
        # depend on lambda or eta, so a sample drawn again fires what it fired before).
        self.cache = {} if cache else None

    def firing_of(self, i):
        """Firing mask of data sample `i` (from the cache when there is one)."""
        if self.cache is None:
            return self.fire(self.inputs[i])
        f = self.cache.get(i)
        if f is None:
            f = self.cache[i] = self.fire(self.inputs[i])
        return f

    def fire(self, inputs):
        """Firing mask of every node (plus the never-firing sentinel at index n)."""
        f = np.zeros(self.n + 1, dtype=bool)
        f[inputs] = True
        for first, length, children, threshold in self.levels:
            f[first : first + length] = f[children].sum(axis=1) >= threshold
        return f

    def draw(self, rng):
        if self.sampler == "cycle":
            picks = [(self.cursor + k) % len(self.inputs) for k in range(self.batch)]
            self.cursor = (self.cursor + self.batch) % len(self.inputs)
            return picks
        return rng.choice(len(self.inputs), size=self.batch, p=self.p)

    def step(self, rng):
        picks = self.draw(rng)
        u = np.zeros(self.n + 1, dtype=bool)
        cofire = np.zeros(len(self.edge_from), dtype=bool)
        labels = np.zeros(int(self.labels.max()) + 1, dtype=bool)
        for i in picks:
            f = self.firing_of(i)
            u |= f
            labels[self.labels[i]] = True
            if self.eta_update == "sample":
                cofire |= f[self.edge_from] & (self.edge_to == self.labels[i])
        u = u[: self.n]
        if self.eta_update != "sample":
            cofire = u[self.edge_from] & labels[self.edge_to]
        self.ln_lambda += np.where(u, self.ln_grow, self.ln_shrink)
        self.ln_eta += np.where(cofire, self.ln_grow_eta, self.ln_shrink_eta)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ir", help="the model's IR as JSON (`nshed ir FILE > FILE.json`)")
    ap.add_argument("--steps", type=int, default=2000, help="training steps to time")
    ap.add_argument("--batch", type=int, help="batch size (default: the file's)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the batch draws")
    ap.add_argument("--cycle", action="store_true", help="draw samples in order (for --dump)")
    ap.add_argument("--cache", action="store_true",
                    help="fire each data sample once and keep its firing mask for later draws")
    ap.add_argument("--warm", action="store_true",
                    help="with --cache: fire every data sample before the clock starts, so "
                         "that only steps on kept masks are timed")
    ap.add_argument("--dump", help="write ln lambda and ln eta after the steps to this JSON file")
    args = ap.parse_args()
    if args.steps < 1 or (args.batch is not None and args.batch < 1):
        ap.error("--steps and --batch must be at least 1")
    if args.warm and not args.cache:
        ap.error("--warm needs --cache")
    try:
        with open(args.ir) as fh:
            ir = json.load(fh)
    except (OSError, json.JSONDecodeError) as e:
        print(f"error: cannot read `{args.ir}`: {e}", file=sys.stderr)
        print("help: give the output of `nshed ir FILE`", file=sys.stderr)
        sys.exit(3)
    try:
        model = DenseNeurashed(ir, args.batch, args.cache)
    except (ModelError, KeyError, TypeError) as e:
        print(f"error: {e}", file=sys.stderr)
        print("help: use a model from `nshed gen --nodes N --steps T`", file=sys.stderr)
        sys.exit(1)
    if args.cycle:
        model.sampler = "cycle"
    rng = np.random.default_rng(args.seed)
    if args.warm:
        for i in range(len(model.inputs)):
            model.firing_of(i)
    start = time.perf_counter()
    cpu_start = time.process_time()
    for _ in range(args.steps):
        model.step(rng)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(f"numpy: {args.steps} steps (batch {model.batch}) in {seconds:.3f} s: "
          f"{args.steps / seconds:.1f} steps/s")
    # On a busy machine the wall clock counts the time other processes had the
    # processor; the process's own processor time does not.
    print(f"cpu: {cpu:.3f} s on the processor: {args.steps / cpu:.1f} steps/s")
    if args.dump:
        to_list = lambda a: [float(x) if np.isfinite(x) else None for x in a]
        with open(args.dump, "w") as fh:
            json.dump({"ln_lambda": to_list(model.ln_lambda), "ln_eta": to_list(model.ln_eta)}, fh)


if __name__ == "__main__":
    main()
