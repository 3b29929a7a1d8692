"""The loss landscape: each grid point's value is the loss (or, for the perceptron, the count of
misclassified samples) of the same run set to those weights; the path is the history's."""

from __future__ import annotations

from typing import Any

import pytest

from app.neuron.config import complete_config
from app.neuron.errors import NeuronError
from app.neuron.landscape import (
    MAX_SIZE, LandscapeJob, default_pair, landscape, path_through, surface_of,
)  # fmt: skip
from app.neuron.training import Run

GRID_POINTS = [(0, 0), (2, 3), (4, 1), (6, 6)]


def run_of(epochs: int, **given: Any) -> Run:
    run = Run(complete_config(given))
    run.train_epochs(epochs)
    return run


def loss_with(run: Run, weights: list[float], bias: float) -> float:
    probe = Run(run.config, data=run.data)
    probe.set_parameters(weights, bias)
    return probe.evaluate().loss


@pytest.mark.parametrize("config", [
    {"dataset": "or", "activation": "sigmoid", "reduction": "sum"},
    {"dataset": "virus", "activation": "tanh", "batch": "online"},
    {"dataset": "blobs", "activation": "sigmoid", "loss": "cross_entropy", "n_samples": 60},
])  # fmt: skip
def test_grid_values_are_the_loss_of_the_run_at_those_weights(config: dict[str, Any]) -> None:
    run = run_of(25, **config)
    i, j = default_pair(run.state.weights)
    grid = landscape(surface_of(run), i, j, 7, [])
    assert grid.kind == "loss"
    for r, c in GRID_POINTS:
        weights = list(run.state.weights)
        weights[i], weights[j] = grid.x[c], grid.y[r]
        assert grid.values[r][c] == pytest.approx(loss_with(run, weights, run.state.bias), rel=1e-12)


def test_perceptron_surface_counts_misclassified_samples() -> None:
    run = run_of(0, dataset="and")  # w = [0, 0], b = 0: every z is 0, so every sample says 1
    grid = landscape(surface_of(run), 0, 1, 5, [])
    assert grid.kind == "errors"
    assert (grid.x, grid.y) == ([-1.0, -0.5, 0.0, 0.5, 1.0], [1.0, 0.5, 0.0, -0.5, -1.0])
    assert grid.values[2][2] == 3.0  # (0, 0): three of AND's four rows are class 0
    assert grid.values[4][0] == 2.0  # w = [−1, −1], b = 0: (0,0) says 1 (z = 0), (1,1) says 0
    for r, c in GRID_POINTS[:2]:
        probe = Run(run.config, data=run.data)
        probe.set_parameters([grid.x[c], grid.y[r]], 0.0)
        assert grid.values[r][c] == 4 - 4 * probe.evaluate().accuracy


def test_without_a_bias_no_weights_bring_the_or_loss_below_the_origins_share() -> None:
    """Lesson 5: with b = 0 the point (0,0) sits on the boundary (output 0.5) whatever w is,
    so its squared error ½·0.5² = 0.125 is a floor under the whole plane."""
    run = run_of(200, dataset="or", activation="sigmoid", reduction="sum", use_bias=False)
    grid = landscape(surface_of(run), 0, 1, 33, [])
    assert grid.low >= 0.125
    assert grid.low == pytest.approx(0.125, abs=0.02)


def test_the_grid_holds_the_path_and_the_current_point() -> None:
    run = run_of(10, dataset="and")
    history = [(0, [0.0, 0.0]), (1, [1.0, 1.0]), (2, [2.0, 1.0]), (10, [2.0, 1.0])]
    path = path_through(history, 0, 1)
    assert path[2] == [2.0, 1.0, 2.0]
    grid = landscape(surface_of(run), 0, 1, 9, path)
    assert grid.current == [2.0, 1.0]
    for wi, wj, _ in path:
        assert grid.x[0] <= wi <= grid.x[-1] and grid.y[-1] <= wj <= grid.y[0]


def test_default_pair_takes_the_two_largest_weights() -> None:
    assert default_pair([0.1, -3.0, 0.5, 2.0]) == (1, 3)
    assert default_pair([0.0, 0.0]) == (0, 1)


@pytest.mark.parametrize(("i", "j", "size", "field"), [
    (0, 0, 8, "weights"), (0, 2, 8, "weights"), (-1, 1, 8, "weights"),
    (0, 1, MAX_SIZE + 1, "size"), (0, 1, 1, "size"),
])  # fmt: skip
def test_bad_requests_name_their_field(i: int, j: int, size: int, field: str) -> None:
    with pytest.raises(NeuronError) as error:
        LandscapeJob(surface_of(run_of(0, dataset="and")), i, j, size, [])
    assert error.value.field == field


def test_slices_add_up_to_the_whole_grid() -> None:
    run = run_of(5, dataset="blobs", activation="sigmoid", n_samples=40)
    whole = landscape(surface_of(run), 0, 1, 12, [])
    job, slices = LandscapeJob(surface_of(run), 0, 1, 12, []), 0
    while not job.advance(12 * 40 * 3):  # three rows a slice
        slices += 1
    assert slices == 3 and job.result() == whole
