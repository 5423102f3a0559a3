"""Training, copies, resets, explicit steps, and save/restore with bit-identical resumes."""

import json

import numpy as np
import pytest

import nshed

from conftest import FIG1, fig1_with


def same_state(a, b):
    return (
        a.step == b.step
        and np.array_equal(a.ln_lambdas(), b.ln_lambdas())
        and np.array_equal(a.ln_etas(), b.ln_etas())
    )


def test_train_follows_the_schedule_then_goes_on(fig1_file):
    m = nshed.load(fig1_file)
    assert (m.name, m.seed, m.step) == ("fig1", 42, 0)
    assert m.train(100) == 100
    assert m.train() == 5000
    assert m.step == 5100
    assert m.train() == 0
    assert m.train(7) == 7 and m.step == 5107


def test_chunks_of_training_are_bit_identical_to_one_call(fig1_file):
    once, chunks = nshed.load(fig1_file), nshed.load(fig1_file)
    once.train(1234)
    for n in [1, 99, 100, 1000, 34]:
        chunks.train(n)
    assert same_state(once, chunks)
    assert once.run_report() == chunks.run_report()


def test_seed_reset_and_copy(fig1_file):
    m = nshed.load(fig1_file)
    other = nshed.load(fig1_file, seed=7)
    assert other.seed == 7
    m.train(300)
    c = m.copy()
    assert same_state(m, c)
    c.train(10)
    assert c.step == 310 and m.step == 300
    m.reset()
    assert same_state(m, nshed.load(fig1_file))
    m.reset(seed=7)
    assert m.seed == 7 and same_state(m, other)
    import copy as pycopy

    d = pycopy.deepcopy(c)
    d.train(1)
    assert d.step == c.step + 1


def test_training_without_a_schedule_takes_every_default(fig1):
    # batch 1, replace, union, seed 0, the file's rules: the same as that schedule written out.
    written = nshed.loads(fig1_with("train { seed 0 sampler replace eta_update union phase p { steps 40 batch 1 } }"))
    assert fig1.train() == 0
    assert fig1.train(40) == 40
    written.train()
    assert same_state(fig1, written)


def test_explicit_steps_use_the_current_phase():
    m = nshed.loads(fig1_with("train { phase a { steps 2 } phase b { steps 2 shrink = keep } }"))
    m.step_on("c1a")
    # Phase a: the nodes off c1a's pathway shrink.
    assert m.lambdas()["e7"] == pytest.approx(0.9)
    m.train(2)
    assert m.step == 3
    before = m.lambdas()["e7"]
    m.step_on("c1a")
    # Phase b keeps them.
    assert m.lambdas()["e7"] == before
    assert m.step == 4


def test_save_and_restore_resume_bit_for_bit(fig1_file, tmp_path):
    straight = nshed.load(fig1_file)
    straight.train()
    m = nshed.load(fig1_file)
    m.train(1337)
    path = tmp_path / "state.json"
    m.save(str(path))
    assert json.loads(path.read_text())["model"] == "fig1"
    resumed = nshed.restore(str(path), fig1_file)
    assert resumed.step == 1337
    assert resumed.train() == 5100 - 1337
    assert same_state(straight, resumed)
    assert straight.run_report() == resumed.run_report()
    # Into an existing model, too.
    other = nshed.load(fig1_file)
    other.restore(str(path))
    other.train()
    assert same_state(straight, other)


def test_a_state_of_another_model_is_refused(fig1_file, tmp_path):
    m = nshed.loads(FIG1)
    path = str(tmp_path / "s.json")
    m.save(path)
    with pytest.raises(nshed.NshedError) as info:
        nshed.restore(path, fig1_file)
    assert info.value.code == "nshed::state::other_model"
    target = nshed.load(fig1_file)
    target.train(3)
    with pytest.raises(nshed.NshedError):
        target.restore(path)
    assert target.step == 3
    (tmp_path / "bad.json").write_text("{ not json")
    with pytest.raises(nshed.NshedError) as info:
        nshed.restore(str(tmp_path / "bad.json"), fig1_file)
    assert info.value.code == "nshed::state::corrupt"


def test_save_to_an_unwritable_place(fig1):
    with pytest.raises(nshed.NshedError) as info:
        fig1.save("/nonexistent/dir/state.json")
    assert info.value.code == "nshed::state::write"


def test_run_report_is_the_run_json(fig1_file):
    m = nshed.load(fig1_file)
    m.train()
    r = m.run_report()
    assert r["model"] == "fig1" and r["steps"] == 5100
    assert r["classes"] == m.classes
    assert list(r["lambda"]) == m.nodes
    assert [s["name"] for s in r["samples"]] == m.samples
    assert r["samples"][2]["predicted"] == m.predict("c2")
    assert r["lambda"]["m1"] == pytest.approx(m.lambdas()["m1"], rel=1e-12)
    assert 0 <= r["accuracy"] <= 1


def test_properties(fig1):
    assert fig1.source == "fig1.nshed"
    assert fig1.levels == ["input", "parts", "wholes"]
    assert fig1.edges == ["t1->c1", "t1->c2", "t2->c2", "t3->c3"]
    assert fig1.warnings == []
    assert repr(fig1) == "<nshed.Model fig1: 4 levels, 17 nodes (3 classes), 4 samples; step 0>"
    w = nshed.loads(FIG1.replace("m4 = any(e6, e7)", "m4 = any(e6, e7)\n    m5 = any(e1)"))
    [warning] = w.warnings
    assert warning["severity"] == "warning"
    assert "m5" in warning["message"]


def test_save_never_writes_over_the_model_file(fig1_file, tmp_path):
    model = tmp_path / "m.nshed"
    model.write_text(open(fig1_file).read())
    before = model.read_bytes()
    link = tmp_path / "link.nshed"
    link.symlink_to(model)
    m = nshed.load(str(model))
    for target in (model, link, tmp_path / "." / "m.nshed"):
        with pytest.raises(nshed.NshedError) as info:
            m.save(str(target))
        assert info.value.code == "nshed::io::output_is_input"
        assert "m.nshed" in str(info.value)
    assert model.read_bytes() == before
    # Any other file is fine.
    m.save(str(tmp_path / "state.json"))
    assert (tmp_path / "state.json").exists()


def test_paths_that_are_not_utf8(fig1_file, tmp_path):
    # A file name is bytes on Linux; it reaches the library as it is, never as a lossy
    # text (`m\ufffd.nshed` would not exist).
    import os

    name = os.fsdecode(b"m\xff.nshed")
    model = tmp_path / name
    model.write_text(open(fig1_file).read())
    m = nshed.load(model)
    m.train(10)
    state = tmp_path / os.fsdecode(b"state\xfe.json")
    m.save(state)
    assert os.fsencode(state.name) in os.listdir(os.fsencode(tmp_path))
    back = nshed.restore(state, model)
    assert same_state(m, back)
    with pytest.raises(nshed.NshedError) as info:
        m.save(model)
    assert info.value.code == "nshed::io::output_is_input"


def test_save_never_replaces_another_model_unless_forced(fig1_file, tmp_path):
    other = tmp_path / "other.nshed"
    other.write_text(open(fig1_file).read())
    before = other.read_bytes()
    m = nshed.load(fig1_file)
    with pytest.raises(nshed.NshedError) as info:
        m.save(str(other))
    assert info.value.code == "nshed::io::output_is_model"
    assert "force=True" in str(info.value)
    assert other.read_bytes() == before
    m.save(str(other), force=True)
    assert b"nshed_state" in other.read_bytes()
