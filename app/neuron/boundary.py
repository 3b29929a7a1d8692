"""What the neuron's decision looks like in two dimensions: the view box, the boundary line
clipped to it, the output heatmap (uint8, base64) and, for more than two features, the plane of
the data's first two principal components through which the neuron is sliced.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np

from app.neuron.activations import Activation, Array
from app.neuron.network import HiddenLayer

Box = tuple[float, float, float, float]  # x_min, x_max, y_min, y_max


@dataclass(frozen=True)
class Plane:
    """x = mean + p1·axes[0] + p2·axes[1]: two principal directions through the training mean."""

    mean: Array
    axes: Array  # shape (2, n_features)
    features: tuple[int, int] | None = None  # two of the features themselves, when chosen

    def project(self, X: Array) -> Array:
        return (X - self.mean) @ self.axes.T

    def slice(self, w: Array, b: float) -> tuple[Array, float]:
        """The neuron restricted to the plane: z = w'·p + b' with w' = axes·w, b' = w·mean + b."""
        with np.errstate(over="ignore", invalid="ignore"):  # diverged weights may overflow
            return self.axes @ w, float(w @ self.mean + b)

    def as_dict(self) -> dict[str, Any]:
        features = None if self.features is None else list(self.features)
        return {"mean": self.mean.tolist(), "axes": self.axes.tolist(), "features": features}


def principal_plane(X: Array) -> Plane:
    """The first two principal directions (SVD of the centred data), signs fixed for stability."""
    mean = X.mean(axis=0)
    _, _, vt = np.linalg.svd(X - mean, full_matrices=False)
    axes = np.zeros((2, X.shape[1]))
    axes[: min(2, len(vt))] = vt[:2]
    for k in range(2):
        pivot = int(np.argmax(np.abs(axes[k])))
        if axes[k, pivot] < 0:
            axes[k] = -axes[k]
    return Plane(mean, axes)


def column_plane(X: Array, i: int, j: int) -> Plane:
    """The plane of features i and j, every other feature at its training mean: a point's
    coordinates in it are its own values of features i and j."""
    mean = X.mean(axis=0)
    mean[[i, j]] = 0.0
    axes = np.zeros((2, X.shape[1]))
    axes[0, i] = axes[1, j] = 1.0
    return Plane(mean, axes, (i, j))


def view_box(points: Array) -> Box:
    """The points' bounding box widened on each side by a quarter of its span (at least 0.25)."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = np.maximum(0.25 * (hi - lo), 0.25)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def clip_line_to_box(w: Array, c: float, box: Box) -> list[list[float]] | None:
    """End points of w[0]·x + w[1]·y = c inside the box, or None when w = 0 or it misses the box."""
    x0, x1, y0, y1 = box
    a, b, c = float(w[0]), float(w[1]), float(c)  # Python floats: the same IEEE arithmetic,
    if a == 0 and b == 0:  # several times cheaper than NumPy scalars, and overflow is silent
        return None
    found: list[tuple[float, float]] = []
    # A diverged neuron keeps weights near 1e308: an overflowed crossing is inf or nan, which
    # the range tests below drop.
    if b != 0:
        for x in (x0, x1):
            y = (c - a * x) / b
            if y0 <= y <= y1:
                found.append((x, y))
    if a != 0:
        for y in (y0, y1):
            x = (c - b * y) / a
            if x0 <= x <= x1:
                found.append((x, y))
    # A crossing at a corner can round to a hair outside the box and be dropped above
    # (a line along the diagonal would vanish): test the corners themselves.
    for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1)):
        tx, ty = a * x, b * y
        if abs(tx + ty - c) <= 1e-12 * (abs(tx) + abs(ty) + abs(c)):
            found.append((x, y))
    unique = sorted(set(found))
    if len(unique) < 2:
        return None
    p, q = max(((p, q) for p in unique for q in unique), key=lambda pq: _dist2(*pq))
    return [[float(p[0]), float(p[1])], [float(q[0]), float(q[1])]]


def _dist2(p: tuple[float, float], q: tuple[float, float]) -> float:
    return (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2


GRID_BLOCK_CELLS = 4096  # cells worked out at once: a 64 × 64 grid in one go, a 256 × 256 one
# in blocks of 16 rows, so no float temporary is larger than 32 kB whatever the grid's size


def heatmap(w: Array, b: float, f: Activation, box: Box, size: int) -> bytes:
    """The output at each cell centre as uint8, row-major, top row at y_max.

    0 is the class-0 target and 255 the class-1 target; unbounded outputs are clipped.
    """
    xs, ys = _cell_centres(box, size)
    with np.errstate(over="ignore", invalid="ignore"):  # diverged weights may overflow
        zx = xs * w[0] + b  # z = y·w1 + (x·w0 + b): the rows' part is added block by block
    if f.id == "step":
        return _step_grid(ys, w[1], zx, size)

    def outputs(top: int, bottom: int) -> Array:
        return f.fn(ys[top:bottom, None] * w[1] + zx)

    return _grid(outputs, f.low_target, size)


@lru_cache(maxsize=256)
def _cell_centres(box: Box, size: int) -> tuple[Array, Array]:
    """The same for every frame of a session (its box is fixed): worked out once, read-only."""
    x0, x1, y0, y1 = box
    xs = x0 + (np.arange(size) + 0.5) * (x1 - x0) / size
    ys = y1 - (np.arange(size) + 0.5) * (y1 - y0) / size
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


def _step_grid(ys: Array, w1: float, zx: Array, size: int) -> bytes:
    """The step's cells, which `_grid` would map to exactly 0 and 255 (its output is 0 or 1,
    never NaN), with two vector ops a block instead of eight."""
    cells = np.empty((size, size), dtype=np.uint8)
    rows = max(1, GRID_BLOCK_CELLS // size)
    with np.errstate(over="ignore", invalid="ignore"):
        for top in range(0, size, rows):
            np.greater_equal(ys[top : top + rows, None] * w1 + zx, 0.0, out=cells[top : top + rows])
    cells *= 255
    return cells.tobytes()


def _grid(outputs: Callable[[int, int], Array], low: float, size: int) -> bytes:
    """The grid's bytes, filled block of rows by block of rows into one uint8 array: `outputs`
    gives the float outputs of rows [top, bottom), mapped so that `low` is 0 and 1 is 255."""
    cells = np.empty((size, size), dtype=np.uint8)
    rows = max(1, GRID_BLOCK_CELLS // size)
    for top in range(0, size, rows):
        bottom = min(top + rows, size)
        with np.errstate(over="ignore", invalid="ignore"):  # diverged weights: inf and nan
            level = outputs(top, bottom)  # a new array: changed in place from here on
            if low != 0.0:
                level -= low
                level /= 1.0 - low
            np.clip(level, 0.0, 1.0, out=level)
        np.copyto(level, 0.5, where=np.isnan(level))  # clipped: NaN is the only non-finite left
        level *= 255.0
        level += 0.5
        cells[top:bottom] = level  # the cast truncates, as astype(np.uint8) does
    return cells.tobytes()


def boundary(w: Array, b: float, f: Activation, z_star: float, points: Array,
             plane: Plane | None, size: int, box: Box | None = None) -> dict[str, Any]:  # fmt: skip
    """The `boundary` of a session state (PRODUCT.md §5); `points` in view coordinates, whose
    view box a caller drawing many frames of the same data can pass in ready-made."""
    w2, b2 = plane.slice(w, b) if plane is not None else (w, b)
    box = box or view_box(points)
    grid = heatmap(w2, b2, f, box, size)
    return {
        "view": list(box),
        "line": clip_line_to_box(w2, z_star - b2, box),
        "grid": {"width": size, "height": size, "data": base64.b64encode(grid).decode("ascii")},
        "plane": None if plane is None else plane.as_dict(),
        "hidden_lines": None,  # a single neuron has no hidden layer (network_boundary below)
        "hidden_space": None,
    }


HIDDEN_SPACE_MAX_POINTS = 256  # the hidden-space plot carries its points only for small sets


def network_boundary(hidden: HiddenLayer, w: Array, b: float, f: Activation, points: Array,
                     plane: Plane | None, size: int, box: Box | None = None) -> dict[str, Any]:  # fmt: skip
    """The boundary of a network with a hidden layer: its output as a heatmap (the boundary is
    curved now, so `line` is null), each hidden neuron's own line z_j = 0, and for two hidden
    neurons the data in hidden space with the output neuron's line there."""
    box = box or view_box(points)
    xs, ys = _cell_centres(box, size)

    def outputs(top: int, bottom: int) -> Array:
        cells = np.stack(np.meshgrid(xs, ys[top:bottom]), axis=-1).reshape(-1, 2)  # row-major
        features = cells if plane is None else plane.mean + cells @ plane.axes
        h = hidden.forward(features)[1]
        with np.errstate(over="ignore", invalid="ignore"):
            return f.fn(h @ w + b).reshape(bottom - top, size)

    grid = _grid(outputs, 0.0, size)
    lines = []
    for wj, cj in zip(hidden.weights, hidden.biases):
        w2, c2 = plane.slice(wj, float(cj)) if plane is not None else (wj, float(cj))
        lines.append(clip_line_to_box(w2, -c2, box))
    return {
        "view": list(box),
        "line": None,
        "grid": {"width": size, "height": size, "data": base64.b64encode(grid).decode("ascii")},
        "plane": None if plane is None else plane.as_dict(),
        "hidden_lines": lines,
        "hidden_space": _hidden_space(hidden, w, b, points, plane),
    }


def _hidden_space(hidden: HiddenLayer, w: Array, b: float, points: Array,
                  plane: Plane | None) -> dict[str, Any] | None:  # fmt: skip
    """With two hidden neurons, each sample at (h1, h2) and the output's line w·h + b = 0 there
    (where XOR becomes separable); the box is the hidden activation's range, widened."""
    if hidden.units != 2 or len(points) > HIDDEN_SPACE_MAX_POINTS or plane is not None:
        return None
    h = hidden.forward(points)[1]
    low = hidden.activation.low_target
    lo = min(low, float(h.min())) if np.isfinite(h).all() else low
    hi = max(1.0, float(h.max())) if np.isfinite(h).all() else 1.0
    box = view_box(np.array([[lo, lo], [hi, hi]]))
    return {"view": list(box), "points": np.nan_to_num(h, posinf=1e308, neginf=-1e308).tolist(),
            "line": clip_line_to_box(w, -b, box)}  # fmt: skip
