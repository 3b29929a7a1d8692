"""The loss landscape: the training loss over a grid of two weights, every other parameter held
at its current value, and the path training took through that plane.

For the perceptron the surface is the count of misclassified training samples: its rule does
not descend a loss, it corrects errors, and the count is what each correction lowers. The grid
is computed a row at a time, so a large one can share the server in slices (`LandscapeJob`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from app.neuron.activations import Activation, Array
from app.neuron.datasets import Labels
from app.neuron.errors import NeuronError
from app.neuron.losses import Loss, reduced

if TYPE_CHECKING:
    from app.neuron.training import Run

MAX_SIZE = 128  # grid points a side: at most 16,384 evaluations of the whole training set
MIN_SIZE = 2
SINGLE_NEURON = "drawn for a single neuron (hidden_units 0); this session has a hidden layer"
TWO_WEIGHTS = "the landscape needs at least two weights (features)"


@dataclass(frozen=True)
class Surface:
    """What scoring a parameter vector needs: a snapshot, safe to use while training goes on."""

    X: Array
    labels: Labels
    targets: Array
    activation: Activation
    loss: Loss
    reduction: str
    z_star: float
    counts_errors: bool  # the perceptron: misclassified samples instead of the loss
    weights: Array
    bias: float


@dataclass(frozen=True)
class Landscape:
    i: int
    j: int
    kind: str  # "loss" or "errors"
    x: list[float]  # w_i at each column, ascending
    y: list[float]  # w_j at each row, top row first (descending), as the boundary heatmap
    values: list[list[float]]  # values[r][c] at (x[c], y[r])
    path: list[list[float]]  # [w_i, w_j, epoch] per recorded epoch, oldest first
    current: list[float]  # [w_i, w_j] now
    low: float
    high: float


def surface_of(run: Run) -> Surface:
    """The run's scoring, frozen at its current parameters (they are replaced, never changed in
    place, so the snapshot stays true while the run trains on). A hidden layer's output
    weights span no plane of the inputs: the landscape is a single neuron's."""
    if run.hidden is not None:
        raise NeuronError("hidden_units", SINGLE_NEURON)
    return Surface(run.data.X, run.data.y, run.targets, run.activation, run.loss_fn,
                   run.config.reduction, run.z_star, run.config.rule == "perceptron",
                   np.array(run.w, dtype=np.float64), float(run.b))  # fmt: skip


def default_pair(weights: Sequence[float]) -> tuple[int, int]:
    """The two weights of a 2-feature set, else the two largest in magnitude (lower index first)."""
    if len(weights) < 2:
        raise NeuronError("weights", TWO_WEIGHTS)
    order = sorted(range(len(weights)), key=lambda k: (-abs(weights[k]), k))
    first, second = order[0], order[1]
    return (first, second) if first < second else (second, first)


def check_pair(i: int, j: int, n_features: int) -> None:
    if n_features < 2:
        raise NeuronError("weights", TWO_WEIGHTS)
    if not (0 <= i < n_features and 0 <= j < n_features) or i == j:
        raise NeuronError("weights", f"two different weight indices from 0 to {n_features - 1}")


def score(surface: Surface, z: Array) -> Array:
    """The loss (or error count) of each row of pre-activations z (shape: points × samples),
    as the run scores it: summed or averaged per-sample loss, 1e308 standing for overflow."""
    if surface.counts_errors:
        wrong = (z >= surface.z_star) != (surface.labels == 1)
        return np.count_nonzero(wrong, axis=-1).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        o = surface.activation.fn(z)
        per_sample = surface.loss.per_sample(z, o, surface.targets)
        total = reduced(per_sample, surface.reduction)
    return np.where(np.isfinite(total), total, 1e308)


def axis_range(values: Sequence[float]) -> tuple[float, float]:
    """Around every value given (and 0), widened by half the span, at least 1 on each side."""
    lo, hi = min(0.0, *values), max(0.0, *values)
    pad = max(1.0, 0.5 * (hi - lo))
    return _finite_or(lo - pad, -1e300), _finite_or(hi + pad, 1e300)


def _finite_or(value: float, fallback: float) -> float:
    return value if math.isfinite(value) else fallback


@dataclass
class LandscapeJob:
    """The grid, row by row: `advance(units)` computes rows worth about `units` sample
    evaluations (at least one row) and says when all are done."""

    surface: Surface
    i: int
    j: int
    size: int
    path: list[list[float]]
    rows: list[list[float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_pair(self.i, self.j, self.surface.X.shape[1])
        if not MIN_SIZE <= self.size <= MAX_SIZE:
            raise NeuronError("size", f"from {MIN_SIZE} to {MAX_SIZE} grid points a side")
        w = self.surface.weights
        xs = [w[self.i], *(p[0] for p in self.path)]
        ys = [w[self.j], *(p[1] for p in self.path)]
        self.x = np.linspace(*axis_range(xs), self.size)
        self.y = np.linspace(*axis_range(ys), self.size)[::-1]
        rest = [k for k in range(len(w)) if k not in (self.i, self.j)]
        with np.errstate(over="ignore", invalid="ignore"):
            self.base = self.surface.X[:, rest] @ w[rest] + self.surface.bias

    def advance(self, units: int) -> bool:
        X = self.surface.X
        per_row = max(1, self.size * X.shape[0])
        for _ in range(max(1, units // per_row)):
            if len(self.rows) == self.size:
                break
            wj = self.y[len(self.rows)]
            with np.errstate(over="ignore", invalid="ignore"):
                z = self.base[None, :] + self.x[:, None] * X[None, :, self.i] + wj * X[None, :, self.j]
            self.rows.append(score(self.surface, z).tolist())
        return len(self.rows) == self.size

    @property
    def work(self) -> int:
        """Sample evaluations the whole grid takes."""
        return self.size * self.size * int(self.surface.X.shape[0])

    def result(self) -> Landscape:
        values = np.asarray(self.rows, dtype=np.float64)
        w = self.surface.weights
        return Landscape(self.i, self.j, "errors" if self.surface.counts_errors else "loss",
                         self.x.tolist(), self.y.tolist(), self.rows, self.path,
                         [float(w[self.i]), float(w[self.j])], float(values.min()),
                         float(values.max()))  # fmt: skip


def path_through(rows: Sequence[tuple[int, Sequence[float]]], i: int, j: int) -> list[list[float]]:
    """Each recorded epoch's (w_i, w_j), from (epoch, weights) pairs, oldest first."""
    return [[float(w[i]), float(w[j]), float(epoch)] for epoch, w in rows if len(w) > max(i, j)]


def landscape(surface: Surface, i: int, j: int, size: int, path: list[list[float]]) -> Landscape:
    """The whole grid at once (small grids, and tests)."""
    job = LandscapeJob(surface, i, j, size, path)
    while not job.advance(job.work):
        pass
    return job.result()
