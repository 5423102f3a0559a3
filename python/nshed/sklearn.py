"""A scikit-learn estimator for neurashed models: `NeurashedClassifier`.

Needs scikit-learn (`pip install "./python[sklearn]"`). The estimator fits a `.nshed`
model to a table of 0/1 inputs: its `data` block is replaced by the rows of `X` labelled
by `y` (`nshed.Model.with_data`), then the model is trained. It works with `clone`,
`cross_val_score`, `GridSearchCV` and `Pipeline`; the fitted model is `model_`, an
`nshed.Model` whose `text` is the model with that data, so everything nshed says about a
model (pathways, local elasticity, drawings) applies to it.
"""

from __future__ import annotations

import os
from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt
# scikit-learn ships no type information.
from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped]
from sklearn.utils.multiclass import type_of_target  # type: ignore[import-untyped]
from sklearn.utils.validation import check_is_fitted  # type: ignore[import-untyped]

import nshed

__all__ = ["NeurashedClassifier"]


class NeurashedClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A neurashed model as a scikit-learn classifier.

    Parameters
    ----------
    model : str or os.PathLike
        The path of a `.nshed` model file, or the text of a model (a string that holds
        `{`). Its input level gives the features, its classes the labels. It needs no
        `data` block (one it has is replaced); its `train` block is the schedule of `fit`.
    steps : int or None, default=None
        Training steps of `fit`. None trains by the model's `train` schedule (the model
        needs a `train` block); an int trains that many steps (the schedule first, then
        steps like its last phase; without a `train` block, steps with every default:
        batch 1, sampler `replace`, the model's rules).
    seed : int, default=0
        The seed of the run (replaces the model's `train { seed N }`).
    batch : int or None, default=None
        The batch size of every phase (None: the model's own).

    Attributes
    ----------
    model_ : nshed.Model
        The fitted model: the model with the rows of `X` as its data, trained.
    classes_ : ndarray of str
        The model's classes in declaration order (the columns of `predict_proba`).
    n_features_in_ : int
        The number of input nodes.
    feature_names_in_ : ndarray of str
        The input nodes, in order, when `fit` was given a DataFrame.

    `X` is a 2-D 0/1 (or bool) array with one column per input node in the order of
    `nshed.Model.input_nodes` (a scipy sparse matrix too), or a DataFrame whose columns
    are input-node names (in any order; an input node without a column is 0). `y` holds
    class names. A row that reaches no class is predicted `None` and counts as wrong in
    `score`. `predict` is the class of the largest logit (exactly, in the log domain);
    `predict_proba` is the softmax of the logits, which is close to uniform when every
    logit is close to 0, so its largest column can differ from `predict` there.
    """

    def __init__(
        self,
        model: Union[str, "os.PathLike[str]"],
        steps: Optional[int] = None,
        seed: int = 0,
        batch: Optional[int] = None,
    ) -> None:
        self.model = model
        self.steps = steps
        self.seed = seed
        self.batch = batch

    def _blank(self) -> nshed.Model:
        """The model of `self.model` as a template (it needs no data of its own), with
        `self.seed`."""
        if isinstance(self.model, os.PathLike):
            return nshed.load(self.model, seed=self.seed, template=True)
        if isinstance(self.model, str):
            if "{" in self.model:
                return nshed.loads(self.model, seed=self.seed, template=True)
            return nshed.load(self.model, seed=self.seed, template=True)
        raise TypeError(
            f"model is the path or the text of a .nshed model, not {type(self.model).__name__}"
        )

    def _inputs(self, X: Any, model: nshed.Model) -> npt.NDArray[Any]:
        """`X` as a 2-D array with one column per input node, in order."""
        columns = getattr(X, "columns", None)
        if columns is not None and hasattr(X, "to_numpy"):
            return self._by_name(X, columns, model)
        if hasattr(X, "toarray") and hasattr(X, "nnz"):
            X = X.toarray()  # a scipy sparse matrix: 0/1 inputs are often sparse
        table = np.asarray(X)
        if np.iscomplexobj(table):
            raise ValueError("Complex data not supported: X holds 0/1 inputs")
        if table.ndim != 2:
            raise ValueError(
                f"Expected a 2D array of 0/1 inputs, got {table.ndim}D; reshape a single "
                "input with x.reshape(1, -1)"
            )
        if table.shape[1] == 0:
            raise ValueError(
                f"0 feature(s) (shape={table.shape}) while a minimum of "
                f"{len(model.input_nodes)} is required: one per input node"
            )
        return table

    @staticmethod
    def _by_name(X: Any, columns: Any, model: nshed.Model) -> npt.NDArray[Any]:
        """A DataFrame's columns placed by input-node name (a missing node is 0)."""
        names = [str(c) for c in columns]
        nodes = model.input_nodes
        place = {name: i for i, name in enumerate(nodes)}
        unknown = [name for name in names if name not in place]
        if unknown:
            raise ValueError(
                f"column {unknown[0]!r} is not an input node of the model "
                f"(its input nodes are {', '.join(nodes)})"
            )
        values = np.asarray(X.to_numpy())
        table = np.zeros((values.shape[0], len(nodes)), dtype=values.dtype)
        for j, name in enumerate(names):
            table[:, place[name]] = values[:, j]
        return table

    @staticmethod
    def _labels(y: Any) -> list[str]:
        """`y` as class names (labels are compared by name: `str(label)`)."""
        if y is None:
            raise ValueError("requires y to be passed, but the target y is None")
        labels = np.asarray(y)
        if labels.ndim != 1:
            raise ValueError(f"y is one class name per row, got an array of shape {labels.shape}")
        if len(labels) and type_of_target(labels) == "continuous":
            raise ValueError("Unknown label type: continuous; a label is a class name of the model")
        return [str(label) for label in labels]

    def fit(self, X: Any, y: Any) -> "NeurashedClassifier":
        """Replaces the model's data by the rows of `X` labelled `y`, trains it (by its
        schedule, or `steps` steps) and keeps it as `model_`. Returns `self`."""
        labels = self._labels(y)
        blank = self._blank()
        table = self._inputs(X, blank)
        if table.shape[0] != len(labels):
            raise ValueError(f"X has {table.shape[0]} rows and y {len(labels)} labels")
        if table.shape[0] == 0:
            raise ValueError("X has no rows: there is nothing to fit")
        fitted = blank.with_data(table, labels)
        if self.batch is not None:
            fitted = fitted.with_batch(self.batch)
        if self.steps is None:
            if fitted.train() == 0:
                raise ValueError(
                    "the model has no training schedule left (no `train` block): "
                    "give steps=N to train N steps"
                )
        else:
            fitted.train(self.steps)
        self.model_ = fitted
        self.classes_ = np.asarray(fitted.classes, dtype=object)
        self.n_features_in_ = len(fitted.input_nodes)
        if getattr(X, "columns", None) is not None:
            self.feature_names_in_ = np.asarray(fitted.input_nodes, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def predict(self, X: Any) -> npt.NDArray[np.object_]:
        """The predicted class of every row of `X` (`None` where a row reaches no class)."""
        check_is_fitted(self)
        return self.model_.predict_many(self._inputs(X, self.model_))

    def predict_proba(self, X: Any) -> npt.NDArray[np.float64]:
        """The probability of every class for every row of `X`, shape `(rows, classes)`,
        in the order of `classes_` (uniform where a row reaches no class)."""
        check_is_fitted(self)
        return self.model_.probabilities_many(self._inputs(X, self.model_))

    def score(self, X: Any, y: Any) -> float:
        """The accuracy of the fitted model on `X` labelled `y`: the share of rows whose
        predicted class is their label, each row counted once (a row that reaches no
        class counts as wrong)."""
        check_is_fitted(self)
        accuracy = self.model_.accuracy(on=(self._inputs(X, self.model_), self._labels(y)))
        if accuracy is None:
            raise ValueError("X has no rows: there is nothing to score")
        return accuracy

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.target_tags.required = True
        tags.classifier_tags.multi_class = True
        tags.input_tags.sparse = True
        return tags
