"""The datasets of the playground, keyed by id: logic gates, the symptoms table, breast cancer,
seeded synthetic 2-D sets and user points.

A dataset is built from a config (seed, size, noise, test split) into train and test arrays;
the same config always builds the same arrays, so a session can be rebuilt from its config.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from importlib import resources
from typing import Callable

import numpy as np
from numpy.typing import NDArray

from app.neuron.errors import NeuronError
from app.neuron.uploads import Upload, find_upload, is_upload_id

Array = NDArray[np.float64]
Labels = NDArray[np.int64]

GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
GATE_TARGETS = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}
VIRUS_X = [[1, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0],
           [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 1, 0]]  # fmt: skip
VIRUS_Y = [1, 1, 0, 0, 1, 1, 0, 0]
VIRUS_FEATURES = ["loss of smell", "weight loss", "runny nose", "body pain"]
DEFAULT_CLASS_NAMES = ("0", "1")


@dataclass(frozen=True)
class Dataset:
    """Training (and optional test) arrays; labels are the classes 0/1, named by class_names."""

    X: Array
    y: Labels
    X_test: Array | None
    y_test: Labels | None
    feature_names: list[str]
    class_names: list[str] = field(default_factory=lambda: list(DEFAULT_CLASS_NAMES))

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @cached_property
    def rows(self) -> tuple[tuple[float, ...], ...]:
        """The training rows as Python floats, for loops over a few samples (the arrays never
        change: an edited set is a new Dataset). Tuples of floats, which the garbage collector
        stops tracking: a list per row would be one more object in every full collection."""
        return tuple(map(tuple, self.X.tolist()))

    @cached_property
    def labels(self) -> tuple[int, ...]:
        return tuple(self.y.tolist())


@dataclass(frozen=True)
class DataParams:
    """What a dataset is built from: the data-shaping part of a session config."""

    seed: int = 0
    n_samples: int = 200
    noise: float = 0.2
    test_fraction: float = 0.0
    points: tuple[tuple[tuple[float, ...], ...], tuple[int, ...]] | None = None


@dataclass(frozen=True)
class DatasetSpec:
    id: str
    name: str
    description: str
    n_features: int
    n_samples: int
    linearly_separable: bool | None  # None: depends on the user's points
    build: Callable[[DataParams], Dataset]
    has_test_split: bool = True


def _as_dataset(X: Array, y: Labels, names: list[str] | None = None,
                classes: list[str] | None = None) -> Dataset:  # fmt: skip
    names = names or [f"x{i + 1}" for i in range(X.shape[1])]
    classes = classes or list(DEFAULT_CLASS_NAMES)
    return Dataset(X.astype(np.float64), y.astype(np.int64), None, None, names, classes)


def _gate(id_: str) -> Callable[[DataParams], Dataset]:
    y = np.array(GATE_TARGETS[id_], dtype=np.int64)
    return lambda p: _as_dataset(GATE_INPUTS.copy(), y.copy())


def _virus(p: DataParams) -> Dataset:
    X = np.array(VIRUS_X, dtype=np.float64)
    return split(X, np.array(VIRUS_Y), list(VIRUS_FEATURES), p.test_fraction, p.seed,
                 ["negative", "positive"])  # fmt: skip


@lru_cache(maxsize=1)
def _breast_cancer_raw() -> tuple[Array, Labels, tuple[str, ...]]:
    text = resources.files("app.neuron").joinpath("data/breast_cancer.csv").read_text()
    rows = np.loadtxt(text.splitlines(), delimiter=",", skiprows=1)
    bases = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
             "concavity", "concave points", "symmetry", "fractal dimension"]  # fmt: skip
    names = [f"mean {b}" for b in bases] + [f"{b} error" for b in bases]
    names += [f"worst {b}" for b in bases]
    return rows[:, :30], rows[:, 30].astype(np.int64), tuple(names)


def _breast_cancer(p: DataParams) -> Dataset:
    X, y, names = _breast_cancer_raw()
    data = split(X, y, list(names), p.test_fraction, p.seed, list(BREAST_CANCER_CLASSES))
    return standardise(data)


BREAST_CANCER_CLASSES = ("malignant", "benign")


def split(X: Array, y: Labels, names: list[str], test_fraction: float, seed: int,
          classes: list[str] | None = None) -> Dataset:  # fmt: skip
    """Stratified train/test split: each class keeps its share in both parts, by seed."""
    if test_fraction <= 0:
        return _as_dataset(X, y, names, classes)
    rng = np.random.default_rng(seed)
    test_idx: list[int] = []
    for label in (0, 1):
        idx = np.flatnonzero(y == label)
        n_test = int(round(len(idx) * test_fraction))
        test_idx.extend(rng.permutation(idx)[:n_test].tolist())
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test_idx] = True
    if is_test.all():
        raise NeuronError("test_fraction", "leaves no training samples; lower it", "no_training_left")
    X_test = X[is_test] if is_test.any() else None
    y_test = y[is_test] if is_test.any() else None
    return Dataset(X[~is_test], y[~is_test], X_test, y_test, names,
                   classes or list(DEFAULT_CLASS_NAMES))  # fmt: skip


def standardise(d: Dataset) -> Dataset:
    """Scale every feature by the training split's mean and std (a constant feature stays 0)."""
    mean = d.X.mean(axis=0)
    std = d.X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    X_test = None if d.X_test is None else (d.X_test - mean) / std
    return replace(d, X=(d.X - mean) / std, X_test=X_test)


def _two_classes(p: DataParams) -> tuple[np.random.Generator, Labels]:
    rng = np.random.default_rng(p.seed)
    y = np.zeros(p.n_samples, dtype=np.int64)
    y[p.n_samples // 2 :] = 1
    return rng, y


def _blobs(p: DataParams) -> Dataset:
    """Two Gaussian clouds kept on their own side of x1 + x2 = 0, so always separable."""
    rng, y = _two_classes(p)
    centre = np.where(y[:, None] == 1, 1.0, -1.0)
    X = centre + rng.normal(scale=0.25 + 0.75 * p.noise, size=(p.n_samples, 2))
    normal = np.array([1.0, 1.0]) / np.sqrt(2.0)
    side = X @ normal
    wrong = np.sign(side) != np.where(y == 1, 1.0, -1.0)
    X[wrong] -= 2.0 * side[wrong, None] * normal  # mirror across the separating line
    X[np.abs(X @ normal) < 0.05] += 0.1 * centre[np.abs(X @ normal) < 0.05] * normal
    return split(X, y, ["x1", "x2"], p.test_fraction, p.seed)


def _overlap(p: DataParams) -> Dataset:
    """Two clouds whose tails cross: no line gets every point right."""
    rng, y = _two_classes(p)
    centre = np.where(y[:, None] == 1, 0.6, -0.6)
    X = centre + rng.normal(scale=0.6 + 0.6 * p.noise, size=(p.n_samples, 2))
    return split(X, y, ["x1", "x2"], p.test_fraction, p.seed)


def _circle(p: DataParams) -> Dataset:
    """Class 1 inside a disc, class 0 on a ring around it: separable by a circle, not a line."""
    rng, y = _two_classes(p)
    radius = np.where(y == 1, rng.uniform(0.0, 0.5, p.n_samples), rng.uniform(0.7, 1.0, p.n_samples))
    angle = rng.uniform(0.0, 2.0 * np.pi, p.n_samples)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += rng.normal(scale=0.1 * p.noise, size=X.shape)
    return split(X, y, ["x1", "x2"], p.test_fraction, p.seed)


def _custom(p: DataParams) -> Dataset:
    if p.points is None or len(p.points[1]) == 0:
        raise NeuronError("points", "the custom dataset needs at least one point", "points_empty")
    X = np.array(p.points[0], dtype=np.float64)
    y = np.array(p.points[1], dtype=np.int64)
    return split(X, y, [f"x{i + 1}" for i in range(X.shape[1])], p.test_fraction, p.seed)


_GATE_NAMES = {"and": "AND", "or": "OR", "nand": "NAND", "nor": "NOR", "xor": "XOR", "xnor": "XNOR"}


def _gate_spec(id_: str) -> DatasetSpec:
    separable = id_ not in ("xor", "xnor")
    why = "" if separable else " No single line separates its classes, so one neuron cannot learn it."
    return DatasetSpec(
        id_, f"{_GATE_NAMES[id_]} gate",
        f"The {_GATE_NAMES[id_]} truth table on inputs (0,0) (0,1) (1,0) (1,1).{why}",
        2, 4, separable, _gate(id_), has_test_split=False,
    )  # fmt: skip


DATASETS: dict[str, DatasetSpec] = {
    **{g: _gate_spec(g) for g in GATE_TARGETS},
    "virus": DatasetSpec(
        "virus", "Symptoms table",
        "Eight people, four yes/no symptoms, tested positive or not. The tutorial names the "
        "first symptom (loss of smell, the strongest) and the second (weight loss, the weakest). "
        "The row [0,0,1,1] appears with both targets, so no neuron gets all eight right.",
        4, 8, False, _virus,
    ),
    "breast_cancer": DatasetSpec(
        "breast_cancer", "Breast cancer (Wisconsin diagnostic)",
        "569 tumours, 30 measurements of cell nuclei; class 1 is benign, 0 malignant. "
        "Standardised with the training split's mean and std. Wolberg, Mangasarian, Street & "
        "Street (1995), UCI Machine Learning Repository, doi:10.24432/C5DW2B (CC BY 4.0).",
        30, 569, False, _breast_cancer,
    ),
    "blobs": DatasetSpec("blobs", "Two blobs", "Two seeded Gaussian clouds that a line separates.",
                         2, 200, True, _blobs),
    "overlap": DatasetSpec("overlap", "Overlapping clouds",
                           "Two seeded Gaussian clouds that overlap: no line is perfect.",
                           2, 200, False, _overlap),
    "circle": DatasetSpec("circle", "Circle", "A disc inside a ring: separable by a circle, "
                          "not by the straight line one neuron draws.", 2, 200, False, _circle),
    "custom": DatasetSpec("custom", "Your points", "Points you place on the canvas or post "
                          "through the API.", 2, 0, None, _custom),
}  # fmt: skip

DEFAULT_TEST_FRACTION = {"breast_cancer": 0.3}
SYNTHETIC = ("blobs", "overlap", "circle")


def uploaded_dataset(upload: Upload, params: DataParams) -> Dataset:
    """An upload split by the params, standardised with the training split's mean and std."""
    data = split(upload.X, upload.y, list(upload.feature_names), params.test_fraction, params.seed,
                 list(upload.class_names))  # fmt: skip
    return standardise(data) if upload.standardize else data


def raw_dataset(dataset_id: str, params: DataParams) -> Dataset:
    """Every row of a dataset as it is written, unsplit and unscaled (for a download)."""
    if dataset_id == "breast_cancer":
        X, y, names = _breast_cancer_raw()
        return _as_dataset(X, y, list(names), list(BREAST_CANCER_CLASSES))
    if is_upload_id(dataset_id):
        upload = _upload_or_error(dataset_id)
        return _as_dataset(upload.X, upload.y, list(upload.feature_names), list(upload.class_names))
    return load_dataset(dataset_id, replace(params, test_fraction=0.0))


def _upload_or_error(dataset_id: str) -> Upload:
    upload = find_upload(dataset_id)
    if upload is None:
        raise NeuronError("dataset", "no uploaded dataset with that id (it may have expired or "
                          "been deleted); upload it again with POST /api/datasets",
                          "dataset_gone")  # fmt: skip
    return upload


def load_dataset(dataset_id: str, params: DataParams) -> Dataset:
    """Build a dataset by id; raises NeuronError naming the field at fault."""
    if is_upload_id(dataset_id):
        return uploaded_dataset(_upload_or_error(dataset_id), params)
    spec = DATASETS.get(dataset_id)
    if spec is None:
        raise NeuronError("dataset", f"unknown dataset {dataset_id!r}; one of {sorted(DATASETS)}"
                          " or the id of an uploaded one")  # fmt: skip
    if not spec.has_test_split and params.test_fraction > 0:
        raise NeuronError("test_fraction", "the logic gates have four rows and no test split; use 0",
                          "gates_no_test")  # fmt: skip
    return spec.build(params)
