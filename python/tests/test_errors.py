"""Bad input raises TypeError or NshedError with the diagnostic; the model stays usable."""

import numpy as np
import pytest

import nshed

from conftest import FIG1, fig1_with


def test_a_model_with_errors():
    bad = FIG1.replace("m2 = all(e3, e4)", "m2 = all(e3, e9)")
    with pytest.raises(nshed.NshedError) as info:
        nshed.loads(bad, "bad.nshed")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.code == "nshed::check::unknown_name"
    assert "bad.nshed" in str(e) and "e9" in str(e)
    [d] = e.diagnostics
    assert d["file"] == "bad.nshed"
    assert d["code"] == e.code
    assert d["severity"] == "error"
    assert "e9" in d["message"]
    [label] = d["labels"]
    assert label["primary"] is True
    start, end = label["start"], label["end"]
    assert bad[start["offset"]:end["offset"]] == "e9"
    line = bad.splitlines()[start["line"] - 1]
    assert line[start["column"] - 1:end["column"] - 1] == "e9"


def test_every_problem_is_listed():
    with pytest.raises(nshed.NshedError) as info:
        nshed.loads("model x { level a { } }")
    assert len(info.value.diagnostics) == 2
    assert info.value.code == "nshed::check::model_shape"


def test_a_missing_file(tmp_path):
    with pytest.raises(nshed.NshedError) as info:
        nshed.load(tmp_path / "nope.nshed")
    assert "nope.nshed" in str(info.value)
    assert info.value.diagnostics[0]["severity"] == "error"


def test_unknown_names_suggest(fig1):
    with pytest.raises(nshed.NshedError) as info:
        fig1.pathway("c1x")
    assert info.value.code == "nshed::query::unknown_name"
    assert info.value.diagnostics[0]["help"] == "did you mean `c1a`?"
    with pytest.raises(nshed.NshedError) as info:
        fig1.logits(["e1", "m1"])
    assert "`m1` is not an input node" in str(info.value)
    with pytest.raises(nshed.NshedError) as info:
        fig1.set_lambda("m9", 1.0)
    assert info.value.diagnostics[0]["help"] == "did you mean `m1`?"
    with pytest.raises(nshed.NshedError, match="no class edge `t1->c3`"):
        fig1.set_eta("t1->c3", 1.0)
    with pytest.raises(nshed.NshedError, match="needs a label"):
        fig1.le(["e1"], "c2")
    with pytest.raises(nshed.NshedError, match="not a name of the model"):
        fig1.pathway(["e1", "e2}"])


def test_wrong_types_are_type_errors(fig1):
    for call in [
        lambda: fig1.train("10"),
        lambda: fig1.train(1.5),
        lambda: fig1.train(True),
        lambda: fig1.pathway(3),
        lambda: fig1.pathway(["e1", 2]),
        lambda: fig1.set_lambda(1, 1.0),
        lambda: fig1.set_lambda("m1", "big"),
        lambda: fig1.step_on(5),
        lambda: fig1.step_on([("e1", "e2")]),
        lambda: fig1.le("c1a", "c2", label="c1"),
        lambda: nshed.loads(5),
        lambda: fig1.fool(samples="many"),
    ]:
        with pytest.raises(TypeError):
            call()


def test_values_out_of_range(fig1):
    with pytest.raises(nshed.NshedError, match="non-negative"):
        fig1.train(-1)
    for bad in [-1.0, float("nan"), float("inf")]:
        with pytest.raises(nshed.NshedError) as info:
            fig1.set_lambda("m1", bad)
        assert info.value.code == "nshed::query::value"
    with pytest.raises(nshed.NshedError) as info:
        fig1.fool(density=1.5)
    assert info.value.code == "nshed::usage"
    with pytest.raises(nshed.NshedError, match="threshold"):
        fig1.fool(threshold=0)
    with pytest.raises(nshed.NshedError, match="seeds"):
        fig1.depth(seeds=1)
    with pytest.raises(nshed.NshedError, match="not a init distribution|not a"):
        fig1.depth(init=["gaussian"])
    with pytest.raises(nshed.NshedError, match="sigma"):
        fig1.info_plane(mi="noise")
    with pytest.raises(nshed.NshedError, match="estimator"):
        fig1.info_plane(mi="kde")
    with pytest.raises(nshed.NshedError, match="representation"):
        fig1.info_plane(repr="weights")
    with pytest.raises(nshed.NshedError, match="exactly two nodes"):
        fig1.basin(["m1"], (0, 1))
    with pytest.raises(nshed.NshedError, match="threads"):
        fig1.fool(threads=0)


def test_training_needs_data():
    no_data = FIG1[: FIG1.index("data {")]
    m = nshed.loads(no_data)
    assert m.train() == 0
    assert m.train(0) == 0
    with pytest.raises(nshed.NshedError, match="no data") as info:
        m.train(5)
    assert info.value.code == "nshed::python::no_data"
    assert m.step == 0


def test_a_model_stays_usable_after_errors(fig1):
    reference = nshed.loads(FIG1)
    reference.train(50)
    for call in [
        lambda: fig1.pathway("nope"),
        lambda: fig1.train(-3),
        lambda: fig1.set_lambda("m1", -1.0),
        lambda: fig1.step_on(["c1a", "{e1}"]),
        lambda: fig1.restore("/nonexistent/state.json"),
        lambda: fig1.fool(density=2.0),
    ]:
        with pytest.raises((nshed.NshedError, TypeError)):
            call()
    assert fig1.step == 0
    assert fig1.train(50) == 50
    assert np.array_equal(fig1.ln_lambdas(), reference.ln_lambdas())
    assert fig1.predict("c2") == reference.predict("c2")


def test_no_panic_escapes_from_odd_input(fig1):
    # Inputs that stress parsers: every one is an NshedError, never a PanicException.
    for x in ["", "{", "}", "->", "{e1", "c1a->c1", "{e1}->", "\u00e9", "{e1 e1 e1}->c9", "a" * 10000]:
        try:
            fig1.pathway(x)
        except nshed.NshedError:
            pass
    m = nshed.loads(fig1_with("train { phase p { steps 3 } }"))
    assert m.train(10**5) == 10**5 and m.step == 10**5
