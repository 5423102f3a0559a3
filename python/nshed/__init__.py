"""nshed: neurashed models (white-box graph models of deep learning) in Python.

`nshed.load(path)` or `nshed.loads(text)` give a `Model`: train it, ask it why it predicts
what it predicts (pathways, scores, logits, local elasticity), predict and score whole
numpy arrays of inputs, read its `lambda` and `eta` as numpy arrays, run the analyses and
experiments of the command line, save, restore and pickle it, and draw it (a model
displays itself in Jupyter). `nshed.sklearn.NeurashedClassifier` is a scikit-learn
estimator (install the `sklearn` extra).
"""

from nshed._nshed import Model, NshedError, __version__, load, loads, restore

__all__ = ["Model", "NshedError", "load", "loads", "restore", "__version__"]
