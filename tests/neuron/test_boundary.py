"""Decision boundary: view box, clipped line, heatmap bytes, and the principal plane."""

from __future__ import annotations

import base64
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.neuron.activations import ACTIVATIONS
from app.neuron.boundary import (
    Box,
    boundary,
    clip_line_to_box,
    heatmap,
    principal_plane,
    view_box,
)
from app.neuron.config import complete_config
from app.neuron.datasets import GATE_INPUTS
from app.neuron.training import Run

GATE_BOX = (-0.25, 1.25, -0.25, 1.25)
COORD = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
BOXES = st.tuples(
    st.floats(-100, 100), st.floats(0.01, 100), st.floats(-100, 100), st.floats(0.01, 100)
).map(lambda t: (t[0], t[0] + t[1], t[2], t[2] + t[3]))


def test_view_box_of_the_gates() -> None:
    assert view_box(GATE_INPUTS) == GATE_BOX


def test_view_box_widens_by_a_quarter_of_the_span() -> None:
    points = np.array([[0.0, -2.0], [8.0, 2.0], [3.0, 0.0]])
    assert view_box(points) == (-2.0, 10.0, -3.0, 3.0)


# ---- the line --------------------------------------------------------------------------------


def test_and_perceptron_line_end_points() -> None:
    line = clip_line_to_box(np.array([2.0, 1.0]), 3.0, GATE_BOX)  # 2x + y = 3
    assert line is not None and sorted(line) == [[0.875, 1.25], [1.25, 0.5]]


def test_a_line_along_the_box_diagonal_is_kept() -> None:
    a = 5.091554799645124  # x + y = 28 rounds a hair outside the corners (26, 2) and (27, 1)
    line = clip_line_to_box(np.array([a, a]), 28 * a, (26.0, 27.0, 1.0, 2.0))
    assert line is not None and sorted(line) == [[26.0, 2.0], [27.0, 1.0]]


def test_zero_weights_have_no_line() -> None:
    assert clip_line_to_box(np.zeros(2), 0.0, GATE_BOX) is None


def test_a_line_missing_the_box_is_none() -> None:
    assert clip_line_to_box(np.array([1.0, 1.0]), 100.0, GATE_BOX) is None
    assert clip_line_to_box(np.array([0.0, 1.0]), 2.0, GATE_BOX) is None  # y = 2, above the box


def on_line_and_in_box(p: list[float], w: np.ndarray, c: float, box: Box) -> bool:
    scale = max(abs(w[0] * p[0]), abs(w[1] * p[1]), abs(c), 1e-300)
    on_line = abs(w[0] * p[0] + w[1] * p[1] - c) <= 1e-9 * scale
    return on_line and box[0] <= p[0] <= box[1] and box[2] <= p[1] <= box[3]


@settings(deadline=None, max_examples=300)
@given(COORD, COORD, COORD, BOXES)
def test_clipped_end_points_lie_on_the_line_inside_the_box(
    w0: float, w1: float, c: float, box: Box
) -> None:
    assume(w0 != 0 or w1 != 0)
    w = np.array([w0, w1])
    line = clip_line_to_box(w, c, box)
    for p in line or []:
        assert on_line_and_in_box(p, w, c, box)


@settings(deadline=None, max_examples=300)
@given(COORD, COORD, BOXES)
def test_a_line_through_the_box_centre_is_found(w0: float, w1: float, box: Box) -> None:
    assume(max(abs(w0), abs(w1)) > 1e-3)
    w = np.array([w0, w1])
    centre = np.array([(box[0] + box[1]) / 2, (box[2] + box[3]) / 2])
    line = clip_line_to_box(w, float(w @ centre), box)
    assert line is not None and line[0] != line[1]


# ---- the heatmap -----------------------------------------------------------------------------


def decoded_grid(state: dict[str, object], size: int) -> np.ndarray:
    grid = state["grid"]
    assert isinstance(grid, dict) and grid["width"] == grid["height"] == size
    data = base64.b64decode(grid["data"])
    assert len(data) == size * size
    return np.frombuffer(data, dtype=np.uint8).reshape(size, size)


def test_heatmap_is_row_major_with_the_top_row_at_y_max() -> None:
    f, w, b, size = ACTIVATIONS["sigmoid"], np.array([1.5, -2.0]), 0.3, 16
    cells = np.frombuffer(heatmap(w, b, f, GATE_BOX, size), dtype=np.uint8).reshape(size, size)
    half = 1.5 / size / 2  # half a cell
    for (row, col), (x, y) in {(0, 0): (-0.25 + half, 1.25 - half),
                               (0, size - 1): (1.25 - half, 1.25 - half),
                               (size - 1, 0): (-0.25 + half, -0.25 + half)}.items():  # fmt: skip
        expected = int(255 * f.fn(np.array(w @ [x, y] + b)) + 0.5)
        assert cells[row, col] == expected


def test_trained_and_perceptron_heatmap_shows_both_classes() -> None:
    run = Run(complete_config({"dataset": "and"}))
    run.train_epochs(10)
    state = boundary(run.w, run.b, run.activation, run.z_star, run.data.X, None, 64)
    cells = decoded_grid(state, 64)
    assert set(np.unique(cells).tolist()) == {0, 255}
    assert cells[0, -1] == 255  # top right, (1.25, 1.25): class 1
    assert cells[-1, 0] == 0  # bottom left, (−0.25, −0.25): class 0
    assert state["view"] == list(GATE_BOX) and state["plane"] is None
    assert state["line"] is not None and sorted(state["line"]) == [[0.875, 1.25], [1.25, 0.5]]


def test_tanh_heatmap_maps_minus_one_to_0_and_plus_one_to_255() -> None:
    cells = heatmap(np.array([50.0, 0.0]), -25.0, ACTIVATIONS["tanh"], (0.0, 1.0, 0.0, 1.0), 4)
    assert list(cells) == [0, 0, 255, 255] * 4


def test_unbounded_outputs_are_clipped() -> None:
    cells = heatmap(np.array([1e3, 0.0]), -500.0, ACTIVATIONS["linear"], (0.0, 1.0, 0.0, 1.0), 4)
    assert list(cells) == [0, 0, 255, 255] * 4


def test_boundary_of_weights_near_the_float_limit_does_not_warn() -> None:
    X = Run(complete_config({"dataset": "breast_cancer", "activation": "linear"})).data.X
    plane = principal_plane(X)
    w = np.full(30, 1e307) * np.where(np.arange(30) % 2, 1, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for weights, b in ((w, 1e308), (np.array([1e308, 1e-5]), 0.0),
                           (np.array([1e-320, 1.0]), 1.0)):  # fmt: skip
            plane_or_none = plane if len(weights) == 30 else None
            points = plane.project(X) if plane_or_none else GATE_INPUTS
            state = boundary(weights, b, ACTIVATIONS["linear"], 0.5, points, plane_or_none, 8)
            assert "nan" not in repr(state["line"]) and len(decoded_grid(state, 8)) == 8


def whole_grid_heatmap(w: np.ndarray, b: float, activation: str, box: Box, size: int) -> bytes:
    """The heatmap as it was first written, every cell in one full-size array: the oracle for
    the block-by-block one."""
    f = ACTIVATIONS[activation]
    x0, x1, y0, y1 = box
    xs = x0 + (np.arange(size) + 0.5) * (x1 - x0) / size
    ys = y1 - (np.arange(size) + 0.5) * (y1 - y0) / size
    with np.errstate(over="ignore", invalid="ignore"):
        z = ys[:, None] * w[1] + (xs[None, :] * w[0] + b)
        level = np.clip((f.fn(z) - f.low_target) / (1.0 - f.low_target), 0.0, 1.0)
    level = np.where(np.isnan(level), 0.5, level)
    return (level * 255.0 + 0.5).astype(np.uint8).tobytes()


WEIGHTS = st.floats(-1e308, 1e308, allow_nan=False) | st.sampled_from([0.0, 1e-320, 1e308, -1e308])


@settings(max_examples=150, deadline=None)
@given(w0=WEIGHTS, w1=WEIGHTS, b=WEIGHTS, box=BOXES,
       activation=st.sampled_from(sorted(ACTIVATIONS)),
       size=st.sampled_from([1, 7, 8, 63, 64, 65, 100, 256]))  # fmt: skip
def test_the_heatmap_in_blocks_equals_the_whole_grid_at_once(
    w0: float, w1: float, b: float, box: Box, activation: str, size: int
) -> None:
    """Blocks of rows (a 256-grid in 16) give exactly the bytes of one full-size computation,
    diverged weights included, and never warn."""
    w = np.array([w0, w1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cells = heatmap(w, b, ACTIVATIONS[activation], box, size)
    assert cells == whole_grid_heatmap(w, b, activation, box, size)


# ---- the principal plane ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def breast_cancer_run() -> Run:
    run = Run(complete_config({"dataset": "breast_cancer", "activation": "sigmoid"}))
    run.train_epochs(50)
    return run


def test_principal_axes_are_orthonormal(breast_cancer_run: Run) -> None:
    plane = principal_plane(breast_cancer_run.data.X)
    assert plane.axes.shape == (2, 30)
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)


def test_slice_gives_the_full_neurons_z_in_the_plane(breast_cancer_run: Run) -> None:
    run = breast_cancer_run
    plane = principal_plane(run.data.X)
    p = np.random.default_rng(0).normal(scale=3.0, size=(20, 2))
    x = plane.mean + p @ plane.axes
    w2, b2 = plane.slice(run.w, run.b)
    np.testing.assert_allclose(p @ w2 + b2, x @ run.w + run.b, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(plane.project(x), p, atol=1e-10)


def test_principal_axes_follow_the_spread_of_the_data() -> None:
    wide = 10.0 * np.array([1, -1, 1, -1, 1, -1, 1, -1])  # orthogonal, centred columns
    narrow = np.array([1, 1, -1, -1, 1, 1, -1, -1])
    X = np.column_stack([wide, wide, narrow]) + 5.0  # spread along (1, 1, 0), then (0, 0, 1)
    plane = principal_plane(X)
    np.testing.assert_allclose(plane.axes[0], [1 / np.sqrt(2), 1 / np.sqrt(2), 0.0], atol=1e-12)
    np.testing.assert_allclose(plane.axes[1], [0.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(plane.mean, [5.0, 5.0, 5.0])


def test_boundary_of_many_features_is_drawn_in_the_plane(breast_cancer_run: Run) -> None:
    run = breast_cancer_run
    plane = principal_plane(run.data.X)
    state = boundary(run.w, run.b, run.activation, run.z_star, plane.project(run.data.X),
                     plane, 32)  # fmt: skip
    assert state["plane"] == plane.as_dict()
    assert state["view"] == list(view_box(plane.project(run.data.X)))
    decoded_grid(state, 32)
