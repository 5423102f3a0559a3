"""The native part of the `nshed` package; import `nshed` instead."""

import os
from typing import Any, Literal, Sequence, Union, final

import numpy as np
import numpy.typing as npt

__version__: str
__all__ = ["Model", "NshedError", "__version__", "load", "loads", "restore"]

_Input = Union[str, Sequence[str], Sequence[int], Sequence[bool], npt.NDArray[Any]]
"""An input: a data sample's name (`"c1a"`), a pattern as the query language writes it
(`"{e1 e2}"`, `"{e1 e2}->c1"`), a list of input-node names (`["e1", "e2"]`), or a 0/1
vector (list or 1-D array) with one entry per input node, in the order of `input_nodes`."""

_Inputs = Union[npt.NDArray[Any], Sequence[_Input]]
"""Many inputs: a 2-D 0/1 (or bool) array, one row per input and one column per input node
in the order of `input_nodes`, or a list of inputs."""

_Labels = Union[Sequence[str], npt.NDArray[Any]]
"""Class names, one per input."""

_BatchItem = Union[str, tuple[Union[Sequence[str], Sequence[int], npt.NDArray[Any]], str]]
"""One sample of an explicit batch: a sample name, a labelled pattern `"{e1 e2}->c1"`, or a
pair `(input, "c1")` of input-node names (or a 0/1 vector) and a class."""

_Diagnostic = dict[str, Any]
"""One problem as `nshed check --error-format json` prints it: `file`, `code`, `severity`
(`"error"`, `"warning"` or `"advice"`), `message`, `help` (or None) and `labels`, each a dict with
`message`, `primary` (bool), `start` and `end` (`{"offset": bytes, "line": int, "column":
int}`, 1-based, end exclusive)."""

_Judged = Literal["current", "trained", "initial"]
"""The state an analysis judges: the model's current state, or a run of the model's file
from its seed trained by its schedule, or that run's initial state."""

class NshedError(ValueError):
    """A problem nshed reports: a model that does not compile, an unknown name, a value out
    of range, a file that cannot be read or written, an experiment that cannot run.

    `str(e)` is the rendered diagnostic, as the command line prints it."""

    code: str
    """The code of its first error, e.g. `"nshed::check::unknown_name"`."""
    diagnostics: list[_Diagnostic]
    """Every problem, in source order."""

def load(
    path: Union[str, os.PathLike[str]], *, seed: int | None = None, template: bool = False
) -> Model:
    """Reads and checks the model file at `path`. `seed` replaces the file's
    `train { seed N }` (default 0). Raises `NshedError` when the file cannot be read or the
    model has errors. `template=True`: a model whose data is to come from `with_data`; its
    `train` and `expect` blocks are set aside until then, so it needs no `data` block."""

def loads(
    text: str, name: str = "<string>", *, seed: int | None = None, template: bool = False
) -> Model:
    """Checks the model written in `text`; diagnostics name it `name`. Raises `NshedError`
    when the model has errors. `template` as for `load`."""

def restore(path: Union[str, os.PathLike[str]], model_path: Union[str, os.PathLike[str]]) -> Model:
    """The model of the file at `model_path` in the state saved at `path` (by
    `Model.save`, `nshed run --save` or the REPL's `:save`) for that exact source. Training
    it further is bit-identical to never having stopped."""

@final
class Model:
    """A neurashed model and one training state of it (every `lambda` and `eta`, the step,
    the schedule's position and the random stream).

    Names and values that do not fit the model raise `NshedError`, arguments of the wrong
    type `TypeError`; the model keeps its state after any error. Long calls (training,
    local elasticity, batches, the analyses and experiments) release the interpreter;
    Ctrl-C raises `KeyboardInterrupt`, stopping training (which keeps the steps taken) and
    the sweeps early. A model may be used from several threads (calls are serialised;
    `step` and `progress` can be read while another thread trains), and it pickles."""

    @property
    def name(self) -> str:
        """The model's name (`model NAME { ... }`)."""
    @property
    def source(self) -> str:
        """Where the model was read from (a path, or the `name` given to `loads`)."""
    @property
    def text(self) -> str:
        """The model's source text (edited, for a model made by `with_data` or
        `with_batch`)."""
    @property
    def is_template(self) -> bool:
        """Whether the model is a template (`load(..., template=True)`)."""
    @property
    def step(self) -> int:
        """Training steps taken so far (readable while another thread trains)."""
    @property
    def progress(self) -> tuple[int, int]:
        """`(done, planned)` steps of the running `train()` call (of the last one when
        none runs; `(0, 0)` before the first); readable while another thread trains."""
    @property
    def seed(self) -> int:
        """The seed the run started from (`reset()` goes back to it)."""
    @property
    def test_samples(self) -> list[str]:
        """Test sample names: the `test` block's samples, then the copies `s~j` that
        `copies N flip q` draws; empty without a `test` block."""
    @property
    def samples(self) -> list[str]:
        """Data sample names, in file order (the rows and columns of `le_matrix()`)."""
    @property
    def nodes(self) -> list[str]:
        """Feature node names, level by level in declaration order (aligned with
        `ln_lambdas()` and the columns of `scores_many()` and `pathways_many()`)."""
    @property
    def input_nodes(self) -> list[str]:
        """The input level's node names, in order: the columns of 0/1 inputs."""
    @property
    def classes(self) -> list[str]:
        """Class names, in declaration order (the columns of `probabilities_many()`)."""
    @property
    def levels(self) -> list[str]:
        """Feature level names, from the input level up."""
    @property
    def edges(self) -> list[str]:
        """Class edges written `"F->C"` (aligned with `ln_etas()`)."""
    @property
    def warnings(self) -> list[_Diagnostic]:
        """The checker's warnings about the model."""

    # Training
    def train(self, steps: int | None = None) -> int:
        """Trains and returns the number of steps taken. `None`: the rest of the file's
        schedule (nothing without a `train` block). An int: that many more steps, the rest
        of the schedule first, then steps like the last phase's; a model with data but no
        `train` block takes steps with every default (batch 1, `replace`, the file's
        rules). Ctrl-C stops it within 256 steps, keeping the steps taken."""
    def step_on(self, batch: Union[str, Sequence[_BatchItem]]) -> int:
        """One explicit training step on `batch` with the current phase's rules (the last
        phase's after the schedule, the file's without one); returns the new step. `batch`
        is a string as the REPL's `step` takes it (`"c1a, {e4 e5 e6}->c2"`) or a list of
        batch items."""
    def reset(self, seed: int | None = None) -> None:
        """Goes back to the initial state (of `seed`, which becomes the model's seed)."""
    def copy(self) -> Model:
        """An independent copy of the model and its state."""
    def __copy__(self) -> Model: ...
    def __deepcopy__(self, memo: Any = None) -> Model: ...
    def __getstate__(self) -> dict[str, Any]:
        """The model as plain data: its source text and its state as `save` writes it."""
    def __setstate__(self, state: dict[str, Any]) -> None:
        """Takes the state of a dict from `__getstate__` of a model of the same source."""
    def __reduce__(self) -> tuple[Any, tuple[str, str], dict[str, Any]]: ...

    # One input
    def pathway(self, x: _Input) -> dict[str, list[str]]:
        """The firing nodes of `x` per feature level: `{level: [node, ...]}`."""
    def scores(self, x: _Input, ln: bool = False) -> dict[str, float]:
        """The score `S` of every firing feature node of `x` (`ln S` with `ln=True`)."""
    def logits(self, x: _Input, ln: bool = False) -> dict[str, float]:
        """The logit `Z` of every class for `x` (`ln Z` with `ln=True`; `-inf` for 0)."""
    def probabilities(self, x: _Input) -> dict[str, float]:
        """The probability of every class for `x` (the softmax of the logits)."""
    def predict(self, x: _Input) -> str | None:
        """The class of the largest logit of `x` (the first declared on a tie); `None` when
        `x` reaches no class (every logit is 0)."""
    def le(self, base: _Input, test: _Input, label: str | None = None) -> float:
        """Local elasticity `LE(base, test)` (on a copy: the model does not change); NaN
        when undefined. `base` needs a label: a sample name, `"{e1 e2}->c1"`, or an input
        with `label=`."""
    def le_matrix(self) -> npt.NDArray[np.float64]:
        """LE over the data samples, shape `(n, n)`, row = base, in the order of
        `samples`; NaN where undefined."""

    # Many inputs
    def predict_many(self, x: _Inputs) -> npt.NDArray[np.object_]:
        """The predicted class of every row of `x`: an object array of class names,
        `None` where a row reaches no class."""
    def probabilities_many(self, x: _Inputs) -> npt.NDArray[np.float64]:
        """Shape `(rows, classes)`, columns in the order of `classes`."""
    def scores_many(self, x: _Inputs, ln: bool = False) -> npt.NDArray[np.float64]:
        """Shape `(rows, nodes)`: `S` of every feature node (0 where it does not fire;
        `ln S` and `-inf` with `ln=True`), columns in the order of `nodes`."""
    def pathways_many(self, x: _Inputs) -> npt.NDArray[np.bool_]:
        """Shape `(rows, nodes)`: whether each feature node fires."""
    def accuracy(self, on: Union[Literal["data", "test"], tuple[_Inputs, _Labels]] = "data") -> float | None:
        """The share of samples predicted as their label, on the model's data samples, its
        test samples (`on="test"`) or on `(X, y)`; a sample that reaches no class counts as
        wrong; None for no samples."""
    def loss(self, on: Union[Literal["data", "test"], tuple[_Inputs, _Labels]] = "data") -> float | None:
        """The mean of `-ln p(label)` over the same samples as `accuracy` (`inf` where a
        label has probability 0)."""
    def with_data(self, x: _Inputs, y: _Labels) -> Model:
        """A new model: this one with the rows of `x` labelled `y` as its data (named
        `row1`, `row2`, ...), in its initial state, with this model's seed."""
    def with_batch(self, batch: int) -> Model:
        """A new model: this one with `batch N` in every phase, in its initial state."""

    # State
    def lambdas(self) -> dict[str, float]:
        """`lambda` of every feature node (`inf` beyond float range)."""
    def etas(self) -> dict[str, float]:
        """`eta` of every class edge, keyed `"F->C"`."""
    def ln_lambdas(self) -> npt.NDArray[np.float64]:
        """`ln lambda` aligned with `nodes` (`-inf` is an exact 0)."""
    def ln_etas(self) -> npt.NDArray[np.float64]:
        """`ln eta` aligned with `edges`."""
    def set_lambda(self, name: str, value: float) -> None:
        """Sets `lambda` of node `name` (finite, >= 0)."""
    def set_eta(self, edge: str, value: float) -> None:
        """Sets `eta` of the class edge `"F->C"` (finite, >= 0)."""
    def run_report(self) -> dict[str, Any]:
        """The report of `nshed run FILE --json` for this state."""
    def save(self, path: Union[str, os.PathLike[str]], force: bool = False) -> None:
        """Writes the state to `path` atomically (resumable bit for bit); a file that holds
        a model is not replaced unless `force`."""
    def restore(self, path: Union[str, os.PathLike[str]]) -> None:
        """Replaces the state by one saved for this exact model source."""

    # Drawings
    def draw(self, input: _Input | None = None) -> str:
        """The model as SVG text; with `input`, its pathway highlighted."""
    def _repr_svg_(self) -> str:
        """Jupyter shows a model as its drawing."""

    # Analyses and experiments: `fool` and `info_plane` judge one state (`state=`);
    # `regularize`, `depth` and `basin` are new runs of the model's file. None changes
    # the model's state.
    def info_plane(
        self,
        mi: str = "binning",
        bins: int | str | Sequence[int | str] | None = None,
        repr: str = "scores",
        every: int | None = None,
        *,
        sigma: float | None = None,
        seed: int | None = None,
        state: _Judged = "trained",
    ) -> dict[str, Any]:
        """The information plane (`nshed info-plane --json`): along the file's schedule
        (`"trained"`), or of one state (`"initial"`, `"current"`); one entry of `curves` per
        estimator (`bins`: a number of bins, `"distinct"` for the unbinned estimate, or a
        list of them; 30 when None), each with `i_xt` and `i_ty` (shape `(points, levels)`)
        as float64 arrays, and `steps` (shape `(points,)`)."""
    def regularize(
        self, batches: Sequence[int] = (1, 8), *, steps: int | None = None, seed: int | None = None
    ) -> dict[str, Any]:
        """Implicit regularization per batch size (`nshed regularize --json`)."""
    def fool(
        self,
        *,
        samples: int = 1000,
        density: float | str = 0.5,
        min_distance: int = 2,
        threshold: float = 0.99,
        exhaustive: bool = False,
        restarts: int = 20,
        seed: int | None = None,
        state: _Judged = "current",
        threads: int | None = None,
    ) -> dict[str, Any]:
        """Fooling inputs and output collapse (`nshed fool --json`) of the current state,
        or of a run of the file (`state="trained"` or `"initial"`); `density="data"` draws
        patterns at the training patterns' mean density. The report's `confident_data` is
        the share of the model's own data samples classified with `p >= threshold`."""
    def depth(
        self,
        init: Sequence[str] = ("const", "uniform", "normal", "lognormal"),
        *,
        seeds: int = 8,
        freeze: str | None = None,
        seed: int | None = None,
        train: bool = True,
        threads: int | None = None,
    ) -> dict[str, Any]:
        """Initialisation, freezing and depth (`nshed depth --json`)."""
    def basin(
        self,
        nodes: Sequence[str],
        range: tuple[float, float],
        *,
        log: bool = False,
        grid: int = 100,
        steps: int | None = None,
        outcome: str = "top",
        train: bool = True,
        seed: int | None = None,
        uncertainty: bool = False,
        eps: tuple[float, float] | None = None,
        eps_count: int = 5,
        pairs: int | None = None,
        min_differ: int = 50,
        max_pairs: int = 200_000,
        threads: int | None = None,
    ) -> dict[str, Any]:
        """Basins of attraction (`nshed basin --json`), with `cells` as an int64 array of
        shape `(grid, grid)`; or, with `uncertainty=True`, the uncertainty exponent (pairs
        drawn until `min_differ` differ at each eps, at most `max_pairs`; exactly `pairs`
        when given), with its fit, local slopes and warnings."""
