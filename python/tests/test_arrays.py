"""numpy arrays: shapes, dtypes and alignment with the name lists."""

import math

import numpy as np

import nshed

from conftest import FIG1


def test_ln_lambdas_and_etas(fig1):
    ln_l = fig1.ln_lambdas()
    assert isinstance(ln_l, np.ndarray)
    assert ln_l.dtype == np.float64
    assert ln_l.shape == (len(fig1.nodes),) == (14,)
    ln_e = fig1.ln_etas()
    assert ln_e.dtype == np.float64
    assert ln_e.shape == (len(fig1.edges),) == (4,)
    fig1.set_lambda("m3", 0.0)
    fig1.set_eta("t3->c3", 2.0)
    assert fig1.ln_lambdas()[fig1.nodes.index("m3")] == -math.inf
    assert fig1.ln_etas()[fig1.edges.index("t3->c3")] == math.log(2.0)
    assert fig1.lambdas()["m3"] == 0.0
    assert fig1.etas()["t3->c3"] == 2.0
    # Arrays are copies: writing one does not change the model.
    arr = fig1.ln_lambdas()
    arr[:] = 5
    assert fig1.ln_lambdas()[0] == 0.0


def test_le_matrix_shape_and_nan():
    # Sample `z` reaches no class: a step on it moves no logit, so its row is undefined.
    text = FIG1.replace("c3:  e5 e6 e7 -> c3", "c3:  e5 e6 e7 -> c3\n  z: e6 -> c3")
    m = nshed.loads(text)
    mat = m.le_matrix()
    assert mat.dtype == np.float64
    assert mat.shape == (5, 5)
    assert np.all(np.diag(mat)[:4] == 1.0)
    assert np.all(np.isnan(mat[4]))
    assert not np.any(np.isnan(mat[:4, :4]))
    assert math.isnan(m.le("z", "c1a"))


def test_info_plane_arrays(fig1_file):
    m = nshed.load(fig1_file)
    r = m.info_plane(every=1000)
    assert r["levels"] == ["input", "parts", "wholes"]
    assert r["every"] == 1000
    steps = r["steps"]
    assert steps.dtype == np.float64
    assert list(steps) == [0, 1000, 2000, 3000, 4000, 5000, 5100]
    (curve,) = r["curves"]
    assert curve["estimator"] == {"mi": "binning", "bins": 30}
    assert curve["i_xt"].shape == curve["i_ty"].shape == (7, 3)
    assert curve["i_xt"].dtype == np.float64
    assert [p["step"] for p in curve["points"]] == list(steps)
    assert curve["i_xt"][0, 0] == curve["points"][0]["levels"][0]["i_xt"]
    # Four samples, three classes: at most 2 bits about X, log2(3) about Y... but within range.
    assert np.all((curve["i_xt"] >= 0) & (curve["i_xt"] <= 2 + 1e-9))
    assert np.all(curve["i_ty"] <= curve["i_xt"] + 1e-9)
    # Several estimators: one curve each, in order; the first is the one above.
    several = m.info_plane(every=1000, bins=[30, 2, "distinct"])
    assert [c["estimator"] for c in several["curves"]] == [
        {"mi": "binning", "bins": 30},
        {"mi": "binning", "bins": 2},
        {"mi": "distinct"},
    ]
    assert np.array_equal(several["curves"][0]["i_xt"], curve["i_xt"])
    # No estimator carries more about X than the distinct values, which bins only merge.
    assert np.all(several["curves"][1]["i_xt"] <= several["curves"][2]["i_xt"] + 1e-12)
    # It did not touch the model's state.
    assert m.step == 0
