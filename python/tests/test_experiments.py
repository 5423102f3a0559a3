"""Analyses and experiments: the command line's reports as dicts and numpy arrays."""

import numpy as np
import pytest

import nshed

from conftest import EXAMPLES


def test_fool_counts_the_tiny_model_exactly():
    m = nshed.load(EXAMPLES / "fool_tiny.nshed")
    r = m.fool(exhaustive=True, min_distance=1, threshold=0.5, threads=1)
    # All 16 patterns of a, b, c, d; all but the two training patterns are at distance >= 1.
    assert (r["mode"], r["drawn"], r["far"]) == ("exhaustive", 16, 14)
    assert [c["class"] for c in r["classes"]] == ["A", "C"]
    # Three patterns reach no class (no prediction); the other 13 are split A 10, C 3.
    assert r["no_class"] == 3
    assert [c["predicted"] for c in r["classes"]] == [10, 3]
    assert sum(c["predicted"] for c in r["classes"]) + r["no_class"] == 16
    # The same sweep on two threads gives the same report.
    assert m.fool(exhaustive=True, min_distance=1, threshold=0.5, threads=2) == r


def test_fool_at_the_data_density_with_its_control():
    m = nshed.load(EXAMPLES / "fool_tiny.nshed")
    r = m.fool(samples=2000, density="data", threshold=0.85, threads=1)
    # The training patterns {a} and {c d} fire 3 of 8 inputs; {c d} alone gets p >= 0.85.
    assert (r["density"], r["density_from_data"], r["confident_data"]) == (0.375, True, 0.5)
    with pytest.raises(nshed.NshedError, match="not a density"):
        m.fool(density="dense")


def test_fool_random_patterns_are_reproducible(fig1_file):
    m = nshed.load(fig1_file)
    a = m.fool(samples=300, restarts=2, seed=5)
    b = m.fool(samples=300, restarts=2, seed=5)
    assert a == b
    assert a["drawn"] == 300
    assert a["seed"] == 5
    assert m.step == 0


def test_fool_judges_the_current_state_or_the_files_run(fig1_file):
    m = nshed.load(fig1_file)
    options = dict(samples=300, restarts=2)
    # The current state (the default): untrained here, so the file's initial state.
    assert m.fool(**options) == m.fool(state="initial", **options)
    trained = m.fool(state="trained", **options)
    assert (trained["trained"], trained["steps"]) == (True, 5100)
    m.train()
    assert m.fool(**options) == trained
    # Halfway, the current state is its own: its step and its accuracy.
    m.reset()
    m.train(1000)
    now = m.fool(**options)
    assert (now["steps"], now["trained"]) == (1000, True)
    assert now["accuracy"] == m.accuracy()
    assert m.step == 1000
    with pytest.raises(nshed.NshedError, match="state=\"latest\""):
        m.fool(state="latest")


def test_info_plane_of_the_current_state(fig1_file):
    m = nshed.load(fig1_file)
    along = m.info_plane(bins=[30, "distinct"], every=1000)
    m.train()
    now = m.info_plane(bins=[30, "distinct"], state="current")
    assert len(now["curves"]) == 2
    for k in range(2):
        curve, whole = now["curves"][k], along["curves"][k]
        assert curve["estimator"] == whole["estimator"]
        assert [p["step"] for p in curve["points"]] == [5100]
        assert curve["points"][0] == whole["points"][-1]
        assert curve["i_xt"].shape == (1, 3)
    first = m.info_plane(state="initial")
    assert first["curves"][0]["points"] == along["curves"][0]["points"][:1]


def test_regularize(fig1_file):
    m = nshed.load(fig1_file)
    r = m.regularize([1, 4], steps=200)
    assert [run["batch"] for run in r["runs"]] == [1, 4]
    assert [run["steps"] for run in r["runs"]] == [200, 200]
    assert r["levels"] == m.levels
    for run in r["runs"]:
        for level in run["levels"]:
            assert level["effective_nodes"] >= 1 - 1e-12
            assert 0 < level["top_share"] <= 1
    with pytest.raises(nshed.NshedError, match="at least 1"):
        m.regularize([0])
    # No batch size at all is refused, as the command line refuses an empty --batches.
    with pytest.raises(nshed.NshedError, match="no batch sizes") as info:
        m.regularize([])
    assert info.value.code == "nshed::usage"


def test_depth(fig1_file):
    m = nshed.load(fig1_file)
    r = m.depth(["const", "uniform"], seeds=2, train=False, threads=1)
    assert r == m.depth(["const", "uniform"], seeds=2, train=False, threads=2)
    assert "const" in str(r) and "uniform" in str(r)


def test_basin_grid_cells_are_an_int_array():
    m = nshed.load(EXAMPLES / "basin.nshed")
    r = m.basin(["p1", "p3"], (0.5, 1.5), grid=6, steps=50)
    cells = r["cells"]
    assert isinstance(cells, np.ndarray)
    assert cells.dtype == np.int64
    assert cells.shape == (6, 6)
    assert cells.min() >= 0 and cells.max() < len(r["outcomes"])
    assert sum(o["points"] for o in r["outcomes"]) == 36
    counts = np.bincount(cells.ravel(), minlength=len(r["outcomes"]))
    assert list(counts) == [o["points"] for o in r["outcomes"]]
    assert len(r["lambdas"]) == 6


def test_basin_uncertainty():
    m = nshed.load(EXAMPLES / "basin.nshed")
    r = m.basin(
        ["p1", "p3"], (0.5, 1.5), uncertainty=True, steps=50, pairs=60, eps=(0.05, 0.4), eps_count=3
    )
    assert [e["eps"] for e in r["measured"]] == pytest.approx([0.05, 0.05**0.5 * 0.4**0.5, 0.4])
    assert all(e["pairs"] == 60 and e["f"] == e["differ"] / 60 for e in r["measured"])
    assert r["fit"]["used"] == 3
    assert r["pairs"] == {"fixed": {"pairs": 60}}
    # By default pairs are drawn in blocks of 1000 until 50 differ (at most max_pairs).
    r = m.basin(
        ["p1", "p3"], (0.5, 1.5), uncertainty=True, steps=50, eps=(0.05, 0.4), eps_count=3,
        max_pairs=3000,
    )
    assert r["pairs"] == {"until": {"min_differ": 50, "max_pairs": 3000}}
    for e in r["measured"]:
        assert e["pairs"] == 3000 or (e["differ"] >= 50 and e["pairs"] % 1000 == 0)
    assert all(w["kind"] in ("few_differ", "curved") for w in r["warnings"])
    with pytest.raises(nshed.NshedError, match="eps values"):
        m.basin(["p1", "p3"], (0.5, 1.5), uncertainty=True, eps_count=2)
