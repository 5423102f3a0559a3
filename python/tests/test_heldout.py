"""Held-out test sets: written, read from CSV files, and drawn as noisy copies."""

import math

import pytest

import nshed

TINY = """model tiny {
  level input { a b c }
  classes { c1 <- a  c2 <- b }
}
data {
  s1: a -> c1
  s2: b -> c2
  s3: a b -> c1
}
TEST
train { seed 3 phase p { steps 40 batch 2 } }
"""


def test_test_metrics_by_hand():
    # Every lambda and eta 1: t1 fires a (logits e, 1), t2 fires b (1, e), t3 fires c,
    # which reaches no class (p uniform, counted wrong).
    m = nshed.loads(TINY.replace("TEST", "test { t1: a -> c1  t2: b -> c1  t3: c -> c2 }"))
    assert m.test_samples == ["t1", "t2", "t3"]
    assert m.accuracy(on="test") == pytest.approx(1 / 3)
    e = math.e
    want = (math.log(1 + 1 / e) + math.log(1 + e) + math.log(2)) / 3
    assert m.loss(on="test") == pytest.approx(want, abs=1e-12)
    # The data is another set: s1, s2 right and s3 a tie that goes to c1.
    assert m.accuracy() == 1.0


def test_csv_samples_equal_inline_ones(tmp_path):
    (tmp_path / "held.csv").write_text("name,label,b,a\nt1,c1,0,1\nt2,c1,1,0\n")
    path = tmp_path / "m.nshed"
    path.write_text(TINY.replace("TEST", 'test { from "held.csv" }'))
    from_file = nshed.load(path)
    inline = nshed.loads(TINY.replace("TEST", "test { t1: a -> c1  t2: b -> c1 }"))
    assert from_file.test_samples == inline.test_samples == ["t1", "t2"]
    from_file.train()
    inline.train()
    assert from_file.accuracy(on="test") == inline.accuracy(on="test")
    assert from_file.loss(on="test") == inline.loss(on="test")


def test_copies_follow_the_seed_and_leave_training_alone():
    plain = nshed.loads(TINY.replace("TEST", ""))
    copies = nshed.loads(TINY.replace("TEST", "test { copies 4 flip 0.3 }"))
    assert copies.test_samples == [f"{s}~{j}" for s in ["s1", "s2", "s3"] for j in range(1, 5)]
    plain.train()
    copies.train()
    assert plain.lambdas() == copies.lambdas()
    again = nshed.loads(TINY.replace("TEST", "test { copies 4 flip 0.3 }"))
    again.train()
    assert again.loss(on="test") == copies.loss(on="test")


def test_test_metrics_need_a_test_block():
    m = nshed.loads(TINY.replace("TEST", ""))
    assert m.test_samples == []
    with pytest.raises(ValueError, match="no test samples"):
        m.accuracy(on="test")
    with pytest.raises(ValueError, match="not a set of samples"):
        m.loss(on="train")


HELD = "test { t1: a -> c1  t2: b -> c1  t3: c -> c2 }"


def test_depth_reports_the_test_metrics_of_every_configuration():
    # At initialisation with lambda = eta = 1 every run has the metrics of the test above.
    m = nshed.loads(TINY.replace("TEST", HELD))
    report = m.depth(["const"], seeds=3, train=False)
    test = report["cells"][0]["test"]
    assert test["samples"] == 3
    assert test["accuracy"] == {"mean": pytest.approx(1 / 3), "ci95": 0.0}
    assert test["gap"]["mean"] == pytest.approx(2 / 3)
    # With a level frozen, the frozen runs have their own test metrics.
    report = m.depth(["uniform"], seeds=3, freeze="input")
    frozen = report["cells"][0]["freeze"]["frozen_test"]
    assert 0.0 <= frozen["accuracy"]["mean"] <= 1.0
    assert frozen["gap"]["ci95"] >= 0.0
    # No test set, no test metrics.
    plain = nshed.loads(TINY.replace("TEST", ""))
    assert "test" not in plain.depth(["const"], seeds=2, train=False)["cells"][0]


def test_regularize_reports_each_batch_sizes_test_metrics():
    m = nshed.loads(TINY.replace("TEST", HELD))
    report = m.regularize([2])
    test = report["runs"][0]["test"]
    # The file's own batch is 2: the run is the model's own training.
    m.train()
    assert test["accuracy"] == m.accuracy(on="test")
    assert test["loss"] == pytest.approx(m.loss(on="test"), abs=1e-12)
    assert test["data_accuracy"] == m.accuracy()
    assert test["gap"] == pytest.approx(m.accuracy() - m.accuracy(on="test"))
