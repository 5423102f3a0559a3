"""`nshed.sklearn.NeurashedClassifier`: fit, predict, probabilities and score; clone,
cross-validation, grid search, pipelines, DataFrames; scikit-learn's estimator checks."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import Binarizer  # noqa: E402

import nshed  # noqa: E402
from nshed.sklearn import NeurashedClassifier  # noqa: E402

from conftest import FIG1  # noqa: E402

PROTOTYPES = np.array(
    [
        [1, 1, 0, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 0, 0],
        [0, 0, 1, 1, 1, 0, 0],
        [0, 0, 0, 0, 1, 1, 1],
    ]
)
LABELS = np.array(["c1", "c1", "c2", "c3"])
# fig1's inputs and classes with one middle level, and no data of its own: `fit` brings
# it. Untrained, c2's pattern ties c1 with c2 (the tie goes to c1); training grows the
# edge b->c2 on c2's samples and shrinks b->c1, so it learns.
MODEL = """model parts {
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

train { seed 1 phase p { steps 400 } }
"""


def noisy(n, flip, seed):
    """n rows: fig1's four patterns in turn, each bit flipped with probability `flip`."""
    rng = np.random.default_rng(seed)
    rows = PROTOTYPES[np.arange(n) % 4]
    flips = rng.random(rows.shape) < flip
    return (rows ^ flips).astype(np.uint8), LABELS[np.arange(n) % 4]


def test_fit_predict_score():
    X, y = noisy(200, 0.05, 0)
    clf = NeurashedClassifier(MODEL)
    assert clf.fit(X, y) is clf
    assert list(clf.classes_) == ["c1", "c2", "c3"]
    assert clf.n_features_in_ == 7
    assert clf.model_.step == 400 and len(clf.model_.samples) == 200
    predicted = clf.predict(PROTOTYPES)
    assert list(predicted) == list(LABELS)
    p = clf.predict_proba(PROTOTYPES)
    assert p.shape == (4, 3)
    assert np.allclose(p.sum(axis=1), 1)
    assert np.array_equal(p, clf.model_.probabilities_many(PROTOTYPES))
    X_test, y_test = noisy(100, 0.05, 1)
    score = clf.score(X_test, y_test)
    assert score == clf.model_.accuracy(on=(X_test, list(y_test)))
    right = np.mean([a == b for a, b in zip(clf.predict(X_test), y_test)])
    assert score == pytest.approx(right)
    assert score > 0.8


def test_params_steps_seed_batch_and_paths(tmp_path):
    X, y = noisy(40, 0.0, 2)
    path = tmp_path / "m.nshed"
    path.write_text(MODEL)
    a = NeurashedClassifier(str(path), steps=25, seed=3, batch=4).fit(X, y)
    b = NeurashedClassifier(path, steps=25, seed=3, batch=4).fit(X, y)
    assert a.model_.step == 25 and a.model_.seed == 3
    assert "batch 4" in a.model_.text
    assert np.array_equal(a.model_.ln_lambdas(), b.model_.ln_lambdas())
    c = NeurashedClassifier(MODEL, steps=25, seed=4, batch=4).fit(X, y)
    assert not np.array_equal(a.model_.ln_lambdas(), c.model_.ln_lambdas())
    assert a.get_params() == {"model": str(path), "steps": 25, "seed": 3, "batch": 4}
    with pytest.raises(ValueError, match="give steps"):
        NeurashedClassifier(FIG1).fit(X, y)
    assert NeurashedClassifier(FIG1, steps=10).fit(X, y).model_.step == 10


def test_bad_input():
    X, y = noisy(20, 0.0, 3)
    clf = NeurashedClassifier(MODEL, steps=5)
    with pytest.raises(ValueError, match="7 input nodes"):
        clf.fit(X[:, :6], y)
    with pytest.raises(ValueError, match="no class `0`"):
        clf.fit(X, np.arange(20) % 4)
    with pytest.raises(ValueError, match="other than 0 and 1"):
        clf.fit(X * 2, y)
    with pytest.raises(ValueError, match="20 rows and y 3"):
        clf.fit(X, y[:3])
    clf.fit(X, y)
    with pytest.raises(ValueError, match="7 input nodes"):
        clf.predict(X[:, :3])
    # Accuracy counts every row once: there are no sample weights to give.
    with pytest.raises(TypeError, match="sample_weight"):
        clf.score(X, y, sample_weight=np.ones(20))
    with pytest.raises(sklearn.exceptions.NotFittedError):
        NeurashedClassifier(MODEL).predict(X)


def test_sparse_input_and_sklearn_style_errors():
    scipy_sparse = pytest.importorskip("scipy.sparse")
    X, y = noisy(60, 0.05, 7)
    dense = NeurashedClassifier(MODEL, steps=50).fit(X, y)
    sparse = NeurashedClassifier(MODEL, steps=50).fit(scipy_sparse.csr_matrix(X), y)
    assert sparse.model_.text == dense.model_.text
    assert list(sparse.predict(scipy_sparse.csr_array(X))) == list(dense.predict(X))
    clf = NeurashedClassifier(MODEL, steps=5)
    with pytest.raises(ValueError, match="target y is None"):
        clf.fit(X, None)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        clf.fit(X, np.linspace(0, 1, 60))
    with pytest.raises(ValueError, match="Complex data not supported"):
        clf.fit(X.astype(complex), y)
    with pytest.raises(ValueError, match="0 feature"):
        clf.fit(X[:, :0], y)
    with pytest.raises(ValueError, match="holds NaN"):
        clf.fit(np.where(X == 1, np.nan, X), y)


def test_dataframe_columns_by_name():
    pd = pytest.importorskip("pandas")
    X, y = noisy(60, 0.0, 4)
    names = ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]
    shuffled = pd.DataFrame(X, columns=names)[["e7", "e3", "e1", "e5", "e2", "e6", "e4"]]
    by_name = NeurashedClassifier(MODEL, steps=50).fit(shuffled, y)
    by_order = NeurashedClassifier(MODEL, steps=50).fit(X, y)
    assert list(by_name.feature_names_in_) == names
    assert by_name.model_.text == by_order.model_.text
    assert list(by_name.predict(shuffled)) == list(by_order.predict(X))
    # A missing input node is 0; an unknown column is refused.
    assert list(by_name.predict(shuffled.drop(columns=["e6"]))) == list(
        by_order.predict(np.where(np.arange(7) == 5, 0, X))
    )
    with pytest.raises(ValueError, match="'x9' is not an input node"):
        by_name.predict(shuffled.assign(x9=0))


def test_clone_cross_validation_grid_search_pipeline():
    X, y = noisy(120, 0.05, 5)
    clf = NeurashedClassifier(MODEL, steps=200)
    c = clone(clf)
    assert c.get_params() == clf.get_params() and not hasattr(c, "model_")
    scores = cross_val_score(clf, X, y, cv=4)
    assert scores.shape == (4,) and scores.min() > 0.7
    # Folds in other processes (loky): the fitted models come back pickled.
    out = cross_validate(clf, X, y, cv=3, n_jobs=2, return_estimator=True)
    for est in out["estimator"]:
        assert est.model_.step == 200
    assert np.allclose(out["test_score"], cross_val_score(clf, X, y, cv=3))
    grid = GridSearchCV(clf, {"steps": [1, 300], "batch": [1, 4]}, cv=3).fit(X, y)
    assert set(grid.best_params_) == {"steps", "batch"}
    assert grid.best_score_ >= max(cross_val_score(clone(clf).set_params(steps=1), X, y, cv=3).mean() - 1e-12, 0)
    # Real-valued features made 0/1 by a Binarizer before the model.
    rng = np.random.default_rng(6)
    real = X + rng.normal(0, 0.2, X.shape)
    pipe = Pipeline([("binarize", Binarizer(threshold=0.5)), ("nshed", clf)]).fit(real, y)
    assert pipe.score(real, y) == clf.fit(Binarizer(threshold=0.5).fit_transform(real), y).score(
        (real > 0.5).astype(int), y
    )


# scikit-learn's estimator checks that cannot apply, and why. Every check not listed here
# passes (or is skipped by scikit-learn itself); the test fails if a listed one starts to
# pass, so the list stays true.
#
# A neurashed model's features are its input nodes: each is on or off, so X holds 0/1 (or
# bool) entries, one column per input node of the model. These checks fit or predict on
# data of their own making, real-valued (make_blobs, uniform or normal draws, shifted by
# 100, or integers such as 3), with as many columns as they like; the estimator refuses
# any entry other than 0 and 1 with a ValueError naming it ("an input holds 0.5488...,
# a value other than 0 and 1"), before the check reaches what it tests.
REAL_VALUED = "its X is real-valued: the model takes 0/1 inputs and refuses other values"
NOT_APPLICABLE = {
    name: REAL_VALUED
    for name in [
        "check_classifier_data_not_an_array",
        "check_classifiers_classes",
        "check_classifiers_one_label",
        "check_classifiers_train",
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_estimators_dtypes",
        "check_estimators_fit_returns_self",
        "check_estimators_nan_inf",
        "check_estimators_overwrite_params",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_1sample",
        "check_fit2d_predict1d",
        "check_fit_check_is_fitted",
        "check_fit_idempotent",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in",
        "check_n_features_in_after_fitting",
        "check_pipeline_consistency",
        "check_readonly_memmap_input",
        "check_supervised_y_2d",
    ]
}
NOT_APPLICABLE.update(
    {
        "check_dtype_object": "its X is real numbers in an object array: the model takes 0/1 "
        "numbers or bools",
        "check_positive_only_tag_during_fit": "its X is real-valued and negative: there is no "
        "tag for 0/1 inputs, and positive_only would not make real values 0/1",
        "check_estimator_sparse_array": "its sparse X holds real values: sparse 0/1 inputs are "
        "accepted (the sparse tag is set), real ones are not",
        "check_estimator_sparse_matrix": "as check_estimator_sparse_array",
        "check_estimator_sparse_tag": "as check_estimator_sparse_array",
    }
)


def test_sklearn_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(NeurashedClassifier(MODEL), on_fail=None, on_skip=None)
    status = {}
    for r in results:
        status.setdefault(r["check_name"], set()).add(r["status"])
    failed = {name for name, s in status.items() if "failed" in s}
    passed = {name for name, s in status.items() if s == {"passed"}}
    assert failed == set(NOT_APPLICABLE), (sorted(failed - set(NOT_APPLICABLE)), sorted(set(NOT_APPLICABLE) - failed))
    # The checks of the API itself pass.
    for name in [
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
        "check_parameters_default_constructible",
        "check_estimator_repr",
        "check_estimator_cloneable",
        "check_mixin_order",
    ]:
        assert name in passed, (name, status.get(name))
