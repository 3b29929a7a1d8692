"""Datasets: the registry, gates and symptoms tables, separable blobs, the breast cancer split."""

from __future__ import annotations

import numpy as np
import pytest

from app.neuron.config import complete_config
from app.neuron.datasets import (
    DATASETS,
    GATE_TARGETS,
    SYNTHETIC,
    DataParams,
    Dataset,
    load_dataset,
    split,
)
from app.neuron.errors import NeuronError
from app.neuron.training import Run, Status

POINTS = (((0.0, 0.0), (1.0, 2.0), (-1.0, 0.5), (3.0, -1.0), (2.0, 2.0)), (0, 1, 0, 1, 1))


def load(dataset_id: str, **params: object) -> Dataset:
    if dataset_id == "custom":
        params.setdefault("points", POINTS)
    return load_dataset(dataset_id, DataParams(**params))  # type: ignore[arg-type]


@pytest.mark.parametrize("dataset_id", sorted(DATASETS))
def test_every_dataset_loads_with_its_registered_shape(dataset_id: str) -> None:
    spec, data = DATASETS[dataset_id], load(dataset_id)
    n_samples = len(POINTS[1]) if dataset_id == "custom" else spec.n_samples
    assert data.X.shape == (n_samples, spec.n_features)
    assert data.y.shape == (n_samples,) and set(data.y.tolist()) <= {0, 1}
    assert len(data.feature_names) == spec.n_features
    assert np.isfinite(data.X).all()


@pytest.mark.parametrize("gate", sorted(GATE_TARGETS))
def test_gate_rows_are_in_truth_table_order(gate: str) -> None:
    data = load(gate)
    assert data.X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert data.y.tolist() == GATE_TARGETS[gate]


def test_gate_targets_are_the_truth_tables() -> None:
    assert GATE_TARGETS == {
        "and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0],
        "nor": [1, 0, 0, 0], "xor": [0, 1, 1, 0], "xnor": [1, 0, 0, 1],
    }  # fmt: skip


def test_symptoms_table_is_the_tutorials() -> None:
    data = load("virus")
    assert data.X.tolist() == [[1, 0, 0, 1], [1, 0, 0, 0], [0, 0, 1, 1], [0, 1, 0, 0],
                               [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 1, 0]]  # fmt: skip
    assert data.y.tolist() == [1, 1, 0, 0, 1, 1, 0, 0]
    assert data.feature_names[:2] == ["loss of smell", "weight loss"]


def test_custom_points_are_kept_as_given() -> None:
    data = load("custom")
    assert data.X.tolist() == [list(p) for p in POINTS[0]]
    assert data.y.tolist() == list(POINTS[1])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 7])
@pytest.mark.parametrize("noise", [0.0, 0.2, 0.5, 1.0])
def test_blobs_are_linearly_separable(seed: int, noise: float) -> None:
    data = load("blobs", seed=seed, noise=noise)
    signed_side = (data.X @ np.array([1.0, 1.0])) / np.sqrt(2) * np.where(data.y == 1, 1, -1)
    assert signed_side.min() >= 0.05  # x1 + x2 = 0 separates them with a margin
    run = Run(complete_config({"dataset": "blobs", "seed": seed, "noise": noise}))
    run.train_epochs(1000)
    assert run.state.status is Status.CONVERGED


@pytest.mark.parametrize("dataset_id", [*SYNTHETIC, "breast_cancer"])
def test_same_seed_builds_identical_arrays_other_seed_others(dataset_id: str) -> None:
    a, b = load(dataset_id, seed=4, test_fraction=0.3), load(dataset_id, seed=4, test_fraction=0.3)
    c = load(dataset_id, seed=5, test_fraction=0.3)
    assert a.X_test is not None and b.X_test is not None and c.X_test is not None
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert not np.array_equal(a.X_test, c.X_test)


@pytest.mark.parametrize("n_samples", [10, 201, 1000])
def test_synthetic_sets_have_the_asked_size_and_both_classes_in_halves(n_samples: int) -> None:
    for dataset_id in SYNTHETIC:
        data = load(dataset_id, n_samples=n_samples)
        assert data.X.shape == (n_samples, 2)
        assert data.y.sum() == n_samples - n_samples // 2


def test_unknown_dataset_is_refused_naming_the_field() -> None:
    with pytest.raises(NeuronError) as err:
        load("iris")
    assert err.value.field == "dataset"


@pytest.mark.parametrize("gate", sorted(GATE_TARGETS))
def test_gates_have_no_test_split(gate: str) -> None:
    with pytest.raises(NeuronError) as err:
        load(gate, test_fraction=0.25)
    assert err.value.field == "test_fraction"


def test_a_split_that_leaves_no_training_rows_is_refused() -> None:
    with pytest.raises(NeuronError) as err:
        load("blobs", test_fraction=1.0)
    assert err.value.field == "test_fraction"


def test_custom_without_points_is_refused() -> None:
    with pytest.raises(NeuronError) as err:
        load_dataset("custom", DataParams())
    assert err.value.field == "points"


# ---- the breast cancer split -----------------------------------------------------------------


def test_breast_cancer_split_is_398_train_171_test() -> None:
    data = load("breast_cancer", test_fraction=0.3)
    assert data.X_test is not None and data.y_test is not None
    assert (len(data.y), len(data.y_test)) == (398, 171)
    assert np.bincount(np.concatenate([data.y, data.y_test])).tolist() == [212, 357]


def test_breast_cancer_split_is_stratified() -> None:
    data = load("breast_cancer", test_fraction=0.3)
    assert data.y_test is not None
    for label, total in ((0, 212), (1, 357)):
        in_test = int((data.y_test == label).sum())
        assert abs(in_test - 0.3 * total) <= 1  # each class keeps its share, within one sample


def test_breast_cancer_is_standardised_by_the_training_split() -> None:
    data = load("breast_cancer", test_fraction=0.3)
    np.testing.assert_allclose(data.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(data.X.std(axis=0), 1.0, rtol=1e-12)
    assert data.X_test is not None and not np.allclose(data.X_test.mean(axis=0), 0.0, atol=1e-12)


def test_split_partitions_the_rows() -> None:
    X = np.arange(40, dtype=np.float64).reshape(20, 2)
    y = np.array([0] * 10 + [1] * 10)
    data = split(X, y, ["a", "b"], 0.3, seed=1)
    assert data.X_test is not None and data.y_test is not None
    rows = sorted(map(tuple, np.concatenate([data.X, data.X_test]).tolist()))
    assert rows == sorted(map(tuple, X.tolist()))
    assert np.bincount(data.y_test).tolist() == [3, 3]


def test_no_test_split_by_default_except_breast_cancer() -> None:
    assert complete_config({"dataset": "blobs"}).test_fraction == 0.0
    run = Run(complete_config({"dataset": "breast_cancer", "activation": "sigmoid"}))
    assert run.data.X_test is not None and run.data.X.shape == (398, 30)
