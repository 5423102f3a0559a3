"""The worked numbers of the language's reference model, through Python (to 1e-6)."""

import math

import numpy as np
import pytest

import nshed

from conftest import fig1_with

TOL = 1e-6


@pytest.mark.parametrize(
    "sample, logits, p",
    [
        ("c1a", [2, 2, 0], [0.468311, 0.468311, 0.063379]),
        ("c2", [3, 7, 0], [0.017970, 0.981135, 0.000895]),
        ("c3", [0, 0, 4], [0.017668, 0.017668, 0.964663]),
    ],
)
def test_logits_and_probabilities(fig1, sample, logits, p):
    z = fig1.logits(sample)
    assert list(z) == ["c1", "c2", "c3"]
    assert list(z.values()) == pytest.approx(logits, abs=TOL)
    assert list(fig1.probabilities(sample).values()) == pytest.approx(p, abs=TOL)
    ln_z = fig1.logits(sample, ln=True)
    for k, v in z.items():
        assert ln_z[k] == (math.log(v) if v > 0 else -math.inf)


def test_patterns_and_lists_name_the_same_input(fig1):
    assert fig1.logits(["e3", "e4", "e5"]) == fig1.logits("c2")
    assert fig1.logits("{e3 e4 e5}") == fig1.logits("c2")
    assert fig1.logits(("e5", "e3", "e4")) == fig1.logits("c2")


def test_pathways(fig1):
    assert fig1.pathway("c2") == {
        "input": ["e3", "e4", "e5"],
        "parts": ["m1", "m2", "m3"],
        "wholes": ["t1", "t2"],
    }
    assert fig1.pathway(["e5", "e6", "e7"]) == {
        "input": ["e5", "e6", "e7"],
        "parts": ["m3", "m4"],
        "wholes": ["t3"],
    }
    assert fig1.pathway([]) == {"input": [], "parts": [], "wholes": []}


def test_scores_and_predictions(fig1):
    # c1a fires e1 e2 m1 t1: every lambda is 1, so S(m1) = 2 and S(t1) = 2.
    assert fig1.scores("c1a") == {"e1": 1.0, "e2": 1.0, "m1": 2.0, "t1": 2.0}
    assert fig1.scores("c1a", ln=True)["m1"] == pytest.approx(math.log(2), abs=1e-12)
    assert fig1.predict("c2") == "c2"
    assert fig1.predict("c3") == "c3"
    # A tie between c1 and c2 goes to the first declared class.
    assert fig1.predict("c1a") == "c1"


def test_local_elasticity_rows(fig1):
    row_c1a = [1, 0.679354, 1.782503, 1.363242]
    row_c2 = [0.120453, 0.207574, 1, 0.274277]
    for test, want in zip(fig1.samples, row_c1a):
        assert fig1.le("c1a", test) == pytest.approx(want, abs=TOL)
    for test, want in zip(fig1.samples, row_c2):
        assert fig1.le("c2", test) == pytest.approx(want, abs=TOL)
    m = fig1.le_matrix()
    assert m[0] == pytest.approx(row_c1a, abs=TOL)
    assert m[2] == pytest.approx(row_c2, abs=TOL)
    # A pattern base with its label, as a list plus label= or as a labelled pattern.
    assert fig1.le(["e1", "e2"], "c2", label="c1") == pytest.approx(1.782503, abs=TOL)
    assert fig1.le("{e1 e2}->c1", ["e3", "e4", "e5"]) == pytest.approx(1.782503, abs=TOL)
    # LE does not change the model.
    assert fig1.step == 0
    assert np.all(fig1.ln_lambdas() == 0)


@pytest.mark.parametrize("eta_update, eta_t1_c2", [("union", 1.1), ("sample", 0.9)])
def test_one_step_on_a_batch(eta_update, eta_t1_c2):
    m = nshed.loads(fig1_with(f"train {{ eta_update {eta_update} phase p {{ steps 1 }} }}"))
    step = m.step_on(["c1a", (["e4", "e5", "e6"], "c2")])
    assert step == m.step == 1
    assert m.etas()["t1->c2"] == pytest.approx(eta_t1_c2, abs=1e-12)
    lam = m.lambdas()
    for node in m.nodes:
        want = 0.9 if node in ("e3", "e7", "m2", "t2") else 1.1
        assert lam[node] == pytest.approx(want, abs=1e-12), node


def test_the_same_batch_as_one_string():
    m = nshed.loads(fig1_with())
    m.step_on("c1a, {e4 e5 e6}->c2")
    assert m.etas()["t1->c2"] == pytest.approx(1.1, abs=1e-12)
    assert m.lambdas()["e3"] == pytest.approx(0.9, abs=1e-12)


def test_eight_steps_in_data_order():
    m = nshed.loads(fig1_with("train { sampler cycle phase p { steps 8 batch 1 } }"))
    assert m.train() == 8
    lam = m.lambdas()
    assert lam["m1"] == pytest.approx(1.434964, abs=TOL)
    assert lam["t1"] == pytest.approx(1.434964, abs=TOL)
    assert lam["e2"] == pytest.approx(0.960596, abs=TOL)
    assert lam["e1"] == pytest.approx(0.643044, abs=TOL)
    assert list(m.logits("c1a").values()) == pytest.approx([3.171975, 2.123389, 0], abs=TOL)
    # ln_lambdas is aligned with nodes.
    ln = m.ln_lambdas()
    assert ln[m.nodes.index("e1")] == pytest.approx(math.log(0.643044), abs=1e-6)
