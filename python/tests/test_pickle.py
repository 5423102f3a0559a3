"""Pickling, copies and joblib: the source text and the saved state, bit for bit."""

import copy
import pickle

import numpy as np
import pytest

import nshed

from conftest import FIG1


def same_state(a, b):
    return (
        a.step == b.step
        and a.seed == b.seed
        and np.array_equal(a.ln_lambdas(), b.ln_lambdas())
        and np.array_equal(a.ln_etas(), b.ln_etas())
    )


def test_a_pickle_round_trip_is_bit_identical(fig1_file):
    m = nshed.load(fig1_file, seed=11)
    m.train(2345)  # inside the schedule, with jitter and noise: the random stream matters
    blob = pickle.dumps(m)
    back = pickle.loads(blob)
    assert isinstance(back, nshed.Model)
    assert same_state(m, back)
    assert back.text == m.text and back.source == m.source
    # Going on from the pickle is going on from the model: the stream came along.
    m.train(3000)
    back.train(3000)
    assert same_state(m, back)
    assert m.run_report() == back.run_report()
    # The source is stored once, not twice.
    assert len(blob) < len(m.text) + len(m.__getstate__()["state"]) + 1000


def test_getstate_and_setstate(fig1_file):
    m = nshed.load(fig1_file)
    m.train(100)
    state = m.__getstate__()
    assert state["nshed_pickle"] == 1
    assert state["source"] == m.text and state["name"] == m.source
    other = nshed.load(fig1_file)
    other.__setstate__(state)
    assert same_state(m, other)
    with pytest.raises(nshed.NshedError) as info:
        nshed.loads(FIG1).__setstate__(state)
    assert info.value.code == "nshed::state::other_model"
    with pytest.raises(TypeError):
        other.__setstate__({"state": state["state"]})


def test_copies(fig1_file):
    m = nshed.load(fig1_file)
    m.train(50)
    for c in [copy.copy(m), copy.deepcopy(m), m.copy()]:
        assert same_state(m, c)
        c.train(1)
        assert c.step == 51 and m.step == 50


def test_joblib_loky_trains_copies_in_other_processes(fig1_file):
    joblib = pytest.importorskip("joblib")
    m = nshed.load(fig1_file)
    m.train(500)

    results = joblib.Parallel(n_jobs=2, backend="loky")(
        joblib.delayed(_train_more)(m, n) for n in [10, 20]
    )
    for n, back in zip([10, 20], results):
        here = m.copy()
        here.train(n)
        assert same_state(here, back)
    assert m.step == 500


def _train_more(model, n):
    model.train(n)
    return model


def test_a_template_pickles_as_a_template():
    from test_batch import ROWS, TEMPLATE

    t = nshed.loads(TEMPLATE, template=True)
    back = pickle.loads(pickle.dumps(t))
    assert back.is_template and back.text == TEMPLATE
    a = t.with_data(ROWS[:4], ["c1", "c1", "c2", "c3"])
    b = back.with_data(ROWS[:4], ["c1", "c1", "c2", "c3"])
    a.train()
    b.train()
    assert same_state(a, b)
