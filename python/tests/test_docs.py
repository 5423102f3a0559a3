"""docs/python.md runs: every ```python block, in order, as the cells of one notebook
started at the repository's root (in a scratch folder holding a link to `examples`), and
the figures its comments quote are what the code gives."""

import os
import re

import numpy as np
import pytest

from conftest import EXAMPLES, REPO


def blocks():
    text = (REPO / "docs" / "python.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_walkthrough_runs(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    os.symlink(EXAMPLES, tmp_path / "examples")
    cells = blocks()
    assert len(cells) > 10
    namespace = {"__name__": "__main__"}
    for i, cell in enumerate(cells):
        try:
            exec(compile(cell, f"docs/python.md block {i + 1}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message names the block
            raise AssertionError(f"docs/python.md block {i + 1} failed: {e!r}\n{cell}") from e
    ns = namespace
    # What the comments say.
    assert ns["m"].step == 5100 and ns["m"].accuracy() == 0.75
    assert ns["f"].accuracy() == 1.0 and round(ns["f"].loss(), 3) == 0.402
    assert ns["n_in"] == 14
    acc, test_acc, loss = ns["acc"], ns["test_acc"], ns["loss"]
    assert (acc[0], test_acc[0], acc[-1], test_acc[-1]) == (0.9375, 0.935, 0.7775, 0.75)
    assert round(loss[0], 2) == 0.14 and round(loss[-1] / 1e17, 1) == 8.6
    assert ns["animals"].with_data(ns["X_train"], ns["y_train"]).accuracy() == 0.9525
    assert ns["long_run"].progress == (200_000, 200_000)
    scores = ns["scores"]
    assert (round(scores.mean(), 3), round(scores.std(), 3)) == (0.787, 0.026)
    assert ns["grid"].best_params_ == {"batch": 8, "steps": 100}
    assert round(ns["grid"].best_score_, 3) == 0.918
    assert np.array_equal(ns["back"].ln_lambdas(), ns["m"].ln_lambdas())


def test_the_package_readme_runs(monkeypatch):
    monkeypatch.chdir(REPO)
    readme = (REPO / "python" / "README.md").read_text()
    [cell] = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    namespace = {}
    exec(compile(cell, "python/README.md", "exec"), namespace)
    m = namespace["m"]
    assert (m.step, m.predict("c2"), m.accuracy(), m.loss()) == (5100, "c1", 0.75, float("inf"))
    assert list(m.predict_many(namespace["X"])) == ["c1", "c3"]
