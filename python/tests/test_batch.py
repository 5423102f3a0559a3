"""numpy inputs, the `_many` methods, accuracy and loss, and models fitted to other data."""

import math

import numpy as np
import pytest

import nshed

from conftest import FIG1

# fig1's input nodes are e1..e7; these rows are the four data samples' patterns, an input
# that reaches no class, and a pattern no sample has.
ROWS = np.array(
    [
        [1, 1, 0, 0, 0, 0, 0],  # c1a
        [0, 1, 1, 0, 0, 0, 0],  # c1b
        [0, 0, 1, 1, 1, 0, 0],  # c2
        [0, 0, 0, 0, 1, 1, 1],  # c3
        [0, 0, 0, 0, 0, 0, 0],  # nothing fires
        [1, 0, 0, 1, 0, 1, 0],
    ]
)


def test_input_nodes_and_vectors_as_inputs(fig1):
    assert fig1.input_nodes == ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]
    by_name = fig1.logits(["e3", "e4", "e5"])
    # SPEC's worked numbers: c2's logits are (3, 7, 0).
    assert by_name == pytest.approx({"c1": 3.0, "c2": 7.0, "c3": 0.0}, rel=1e-12)
    for vector in [ROWS[2], ROWS[2].astype(bool), ROWS[2].astype(float), list(ROWS[2]), tuple(ROWS[2])]:
        assert fig1.logits(vector) == by_name
    assert fig1.predict([True, True, False, False, False, False, False]) == "c1"
    assert fig1.pathway(np.zeros(7, dtype=np.uint8)) == {"input": [], "parts": [], "wholes": []}
    assert fig1.le(ROWS[0], ROWS[2], label="c1") == fig1.le("c1a", "c2")
    fig1.step_on([(ROWS[0], "c1"), (["e4", "e5", "e6"], "c2")])
    other = nshed.loads(FIG1)
    other.step_on("{e1 e2}->c1, {e4 e5 e6}->c2")
    assert np.array_equal(fig1.ln_lambdas(), other.ln_lambdas())


def test_bad_vectors(fig1):
    with pytest.raises(ValueError, match="7 input nodes"):
        fig1.predict([1, 0, 1])
    with pytest.raises(ValueError, match="holds 2, a value other than 0 and 1"):
        fig1.predict([0, 2, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="holds NaN, a value other than 0 and 1"):
        fig1.predict(np.full(7, np.nan))
    with pytest.raises(ValueError, match="holds 0.5, a value"):
        fig1.predict(np.array([0, 1, 0, 0.5, 0, 0, 0]))
    with pytest.raises(ValueError, match="2 dimensions"):
        fig1.predict(ROWS)
    with pytest.raises(TypeError):
        fig1.predict(np.array(["a"] * 7))
    with pytest.raises(TypeError):
        fig1.predict([1, "e2"])


def test_the_many_methods_agree_with_one_input_at_a_time(fig1_file):
    m = nshed.load(fig1_file)
    m.train(700)
    predicted = m.predict_many(ROWS)
    assert predicted.dtype == object and predicted.shape == (6,)
    p = m.probabilities_many(ROWS)
    assert p.dtype == np.float64 and p.shape == (6, 3)
    s = m.scores_many(ROWS)
    ln_s = m.scores_many(ROWS, ln=True)
    fired = m.pathways_many(ROWS)
    assert s.shape == ln_s.shape == fired.shape == (6, len(m.nodes))
    assert fired.dtype == np.bool_
    for i, row in enumerate(ROWS):
        assert predicted[i] == m.predict(row)
        assert list(p[i]) == [m.probabilities(row)[c] for c in m.classes]
        one = m.scores(row)
        assert {n: s[i, j] for j, n in enumerate(m.nodes) if fired[i, j]} == one
        assert set(one) == {n for j, n in enumerate(m.nodes) if fired[i, j]}
        assert all(s[i, j] == 0 and ln_s[i, j] == -math.inf for j in range(len(m.nodes)) if not fired[i, j])
    assert predicted[4] is None
    assert list(p[4]) == [1 / 3] * 3
    # The other forms of X: a list of inputs of any kind, a bool array, a list of 0/1 rows.
    names = ["c1a", "{e2 e3}", ["e3", "e4", "e5"], ROWS[3], [0] * 7, "{e1 e4 e6}"]
    for x in [names, ROWS.astype(bool), ROWS.tolist(), ROWS.astype(np.float32)]:
        assert list(m.predict_many(x)) == list(predicted)
    assert m.predict_many([]).shape == (0,)
    assert m.probabilities_many(np.zeros((0, 7))).shape == (0, 3)


def test_bad_tables(fig1):
    with pytest.raises(ValueError, match="7 input nodes"):
        fig1.predict_many(ROWS[:, :5])
    with pytest.raises(ValueError, match="3 dimensions"):
        fig1.predict_many(np.zeros((2, 2, 7)))
    with pytest.raises(ValueError, match="holds 3, a value other than 0 and 1"):
        fig1.predict_many(ROWS * 3)
    with pytest.raises(nshed.NshedError, match="no input node `e9`") as info:
        fig1.predict_many(["c1a", ["e9"]])
    assert "<X row 1>" in str(info.value)
    with pytest.raises(TypeError):
        fig1.predict_many("c1a")
    with pytest.raises(TypeError):
        fig1.predict_many({"e1": 1})


def test_accuracy_and_loss_by_hand(fig1):
    # Initial state, lambda = eta = 1: logits c1a (2, 2, 0), c1b (2, 2, 0), c2 (3, 7, 0),
    # c3 (0, 0, 4). The ties of c1a and c1b go to c1, their label: all four right.
    assert fig1.accuracy() == 1.0
    assert fig1.accuracy(on="data") == 1.0
    e = math.exp
    by_hand = [math.log(2 + e(-2)), math.log(2 + e(-2)), math.log(1 + e(-4) + e(-7)), math.log(1 + 2 * e(-4))]
    assert fig1.loss() == pytest.approx(sum(by_hand) / 4, abs=1e-12)
    # The loss is -ln p of the label, p as probabilities() gives it.
    direct = [-math.log(fig1.probabilities(s)[label]) for s, label in zip(fig1.samples, ["c1", "c1", "c2", "c3"])]
    assert fig1.loss() == pytest.approx(sum(direct) / 4, abs=1e-12)
    # On a table: c2's pattern labelled c1 is wrong (-ln p = 4 + ln(1 + e^-4 + e^-7)), an
    # input that reaches no class is wrong (p uniform: ln 3), c3's pattern is right.
    X, y = ROWS[[2, 4, 3]], ["c1", "c2", "c3"]
    assert fig1.accuracy(on=(X, y)) == pytest.approx(1 / 3)
    want = (4 + math.log(1 + e(-4) + e(-7)) + math.log(3) + math.log(1 + 2 * e(-4))) / 3
    assert fig1.loss(on=(X, np.array(y))) == pytest.approx(want, abs=1e-12)
    assert fig1.accuracy(on=([], [])) is None


def test_accuracy_is_the_run_reports(fig1_file):
    m = nshed.load(fig1_file)
    m.train(1234)
    assert m.accuracy() == m.run_report()["accuracy"]
    X = ROWS[:4]
    y = ["c1", "c1", "c2", "c3"]
    assert m.accuracy(on=(X, y)) == m.accuracy()
    assert m.loss(on=(X, y)) == pytest.approx(m.loss(), abs=1e-15)


def test_bad_metric_arguments(fig1):
    with pytest.raises(ValueError, match="the model has no test samples"):
        fig1.accuracy(on="test")
    with pytest.raises(ValueError, match="not a set of samples"):
        fig1.accuracy(on="train")
    with pytest.raises(TypeError):
        fig1.accuracy(on=5)
    with pytest.raises(ValueError, match="6 rows and y 2 labels"):
        fig1.loss(on=(ROWS, ["c1", "c2"]))
    with pytest.raises(nshed.NshedError, match="no class `c4`") as info:
        fig1.accuracy(on=(ROWS[:2], ["c1", "c4"]))
    assert info.value.diagnostics[0]["help"] == "did you mean `c1`?"
    with pytest.raises(TypeError):
        fig1.accuracy(on=(ROWS[:2], [1, 2]))


def test_with_data_and_with_batch():
    m = nshed.loads(FIG1 + "\ntrain { seed 4 phase p { steps 300 } }\n", "fig1.nshed")
    X = np.repeat(ROWS[:4], 5, axis=0)
    y = np.repeat(["c1", "c1", "c2", "c3"], 5)
    fitted = m.with_data(X, y)
    assert fitted.samples == [f"row{i}" for i in range(1, 21)]
    assert fitted.step == 0 and fitted.seed == m.seed == 4
    assert fitted.source == "fig1.nshed"
    assert "row6: e2 e3 -> c1" in fitted.text
    assert fitted.train() == 300
    assert fitted.accuracy() == fitted.accuracy(on=(X, y))
    # The text is a model of its own: loading it gives the same run.
    again = nshed.loads(fitted.text, seed=4)
    again.train()
    assert np.array_equal(again.ln_lambdas(), fitted.ln_lambdas())
    b = fitted.with_batch(8)
    assert "batch 8" in b.text and b.step == 0
    with pytest.raises(nshed.NshedError, match="no `train` block"):
        nshed.loads(FIG1).with_batch(8)
    with pytest.raises(nshed.NshedError, match="at least 1"):
        m.with_batch(0)
    with pytest.raises(nshed.NshedError):
        m.with_data(X, y[:3])


TEMPLATE = """model parts {
  level input { e1 e2 e3 e4 e5 e6 e7 }
  level parts {
    a = atleast 2 of (e1, e2, e3)
    b = atleast 2 of (e3, e4, e5)
    c = atleast 2 of (e5, e6, e7)
  }
  classes {
    c1 <- a, b
    c2 <- b
    c3 <- c
  }
}

train { seed 1 phase p { steps 40 } }
expect { accuracy >= 0.5 }
"""


def test_a_template_needs_no_data_until_with_data():
    with pytest.raises(nshed.NshedError) as info:
        nshed.loads(TEMPLATE)
    assert info.value.code == "nshed::check::no_data"
    t = nshed.loads(TEMPLATE, template=True)
    assert t.is_template and t.text == TEMPLATE and t.samples == []
    assert t.input_nodes == ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]
    assert t.train() == 0
    batched = t.with_batch(2)
    assert batched.is_template and "phase p { batch 2 steps 40 }" in batched.text
    fitted = batched.with_data(ROWS[:4], ["c1", "c1", "c2", "c3"])
    assert not fitted.is_template
    assert "train { seed 1 phase p { batch 2 steps 40 } }" in fitted.text
    assert "expect" not in fitted.text and "row4: e5 e6 e7 -> c3" in fitted.text
    assert fitted.train() == 40
    # Untrained, c2's pattern ties c1 and c2 (to c1); trained, it is c2.
    assert batched.with_data(ROWS[:4], ["c1", "c1", "c2", "c3"]).accuracy() == 0.75
    assert fitted.accuracy() == 1.0


def test_predict_many_makes_at_least_1e5_predictions_a_second(fig1_file):
    # python/benches/predict_many.py measures the same (with its figures in
    # benches/README.md); this keeps a floor, best of five calls on a busy machine.
    import time

    m = nshed.load(fig1_file)
    m.train()
    x = np.random.default_rng(0).random((200_000, 7)) < 0.4
    best = 0.0
    for _ in range(5):
        start = time.perf_counter()
        predicted = m.predict_many(x)
        best = max(best, len(x) / (time.perf_counter() - start))
    assert len(predicted) == 200_000
    assert best >= 1e5, best
