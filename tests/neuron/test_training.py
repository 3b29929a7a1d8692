"""Training: the tutorials' known answers, gradients against finite differences, divergence,
shuffling and the tanh targets."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.neuron import perceptron
from app.neuron.config import complete_config
from app.neuron.training import Run, Status, epoch_order

SUM_OR = {"dataset": "or", "activation": "sigmoid", "learning_rate": 0.05, "reduction": "sum",
          "init": {"weights": [0.1, 0.2], "bias": 0.3}}  # fmt: skip
VIRUS = {**SUM_OR, "dataset": "virus", "init": {"weights": [0.1, 0.2, 0.3, 0.4], "bias": 0.3}}


def run_of(**given: Any) -> Run:
    return Run(complete_config(given))


def trained(epochs: int, **given: Any) -> Run:
    run = run_of(**given)
    run.train_epochs(epochs)
    return run


# ---- the perceptron (PRODUCT.md §10) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("gate", "weights", "bias", "epochs"),
    [("and", [2, 1], -3, 6), ("or", [1, 1], -1, 4), ("nand", [-2, -1], 2, 6),
     ("nor", [-1, -1], 0, 4)],
)  # fmt: skip
def test_perceptron_learns_gate(gate: str, weights: list[float], bias: float, epochs: int) -> None:
    run = trained(10, dataset=gate)
    assert (run.state.weights, run.state.bias) == (weights, bias)
    assert run.state.epoch == epochs
    assert run.state.status is Status.CONVERGED
    assert run.evaluate().converged and run.evaluate().accuracy == 1.0


def test_perceptron_defaults_are_the_tutorials() -> None:
    c = complete_config({"dataset": "and"})
    assert (c.activation, c.rule, c.learning_rate, c.init, c.batch, c.shuffle) == (
        "step", "perceptron", 1.0, "zeros", "online", False)  # fmt: skip


def test_first_and_epoch_sample_by_sample() -> None:
    run = run_of(dataset="and")
    seen = []
    for _ in range(4):
        run.train_samples(1)
        u = run.state.last_update
        assert u is not None
        seen.append((u["sample"], u["z"], u["error"]))
    assert seen == [(0, 0, -1), (1, -1, 0), (2, -1, 0), (3, -1, 1)]
    assert (run.state.weights, run.state.bias) == ([1, 1], 0)
    assert (run.state.epoch, run.state.cursor) == (1, 0)


def test_converged_perceptron_trains_no_further() -> None:
    run = trained(10, dataset="and")
    progress = run.train_epochs(5)
    assert (progress.samples, progress.epochs, run.state.epoch) == (0, 0, 6)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**16), lr=st.sampled_from([0.01, 0.1, 1.0, 3.7, 100.0]),
       use_bias=st.booleans(), shuffle=st.booleans(), epochs=st.integers(1, 4),
       scale=st.sampled_from([1.0, 1e-3, 1e150, 1e307]))  # fmt: skip
def test_the_perceptrons_loop_and_blocks_train_alike(seed: int, lr: float, use_bias: bool,
                                                     shuffle: bool, epochs: int, scale: float) -> None:  # fmt: skip
    """Two features and a short pass take the plain loop, others the vector blocks: the same
    run either way, to the last bit and the last update shown; on points near the float limit
    both stop at the same update (the first one whose weights overflow). Only a
    sample lying on the line to within one rounding could go either way (the loop rounds w0·x0
    and w1·x1 apart, as the tutorials' code does; the BLAS dot may fuse them): continuous
    points, as here, never do."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 2)) * scale
    if scale == 1e307:  # |x| ≥ 1e307: lr·x overflows at the first error, before any w·x can
        lr, X = 100.0, X + np.copysign(scale, X)
    X = X.tolist()
    config = {"dataset": "custom", "points": {"X": X, "y": rng.integers(0, 2, 60).tolist()},
              "learning_rate": lr, "use_bias": use_bias, "shuffle": shuffle, "seed": seed}  # fmt: skip
    runs = [run_of(**config), run_of(**config)]
    runs[0].train_epochs(epochs)
    block = perceptron.SCALAR_MAX_SAMPLES
    try:
        perceptron.SCALAR_MAX_SAMPLES = 0  # every pass in blocks
        runs[1].train_epochs(epochs)
    finally:
        perceptron.SCALAR_MAX_SAMPLES = block
    loop, blocks = (r.state for r in runs)
    assert (loop.weights, loop.bias, loop.epoch, loop.step, loop.changes, loop.status) == (
        blocks.weights, blocks.bias, blocks.epoch, blocks.step, blocks.changes, blocks.status)
    assert loop.last_update == blocks.last_update
    assert (loop.status is Status.DIVERGED) == (scale == 1e307)


@pytest.mark.parametrize("gate", ["xor", "xnor"])
def test_perceptron_never_converges_on_gate(gate: str) -> None:
    run = run_of(dataset=gate)
    progress = run.train_epochs(1000)
    assert run.state.epoch == 1000
    assert run.state.status is Status.IDLE
    assert not run.evaluate().converged
    assert max(row.accuracy for row in progress.rows) <= 0.75


def test_max_epochs_stops_training() -> None:
    run = trained(100, dataset="xor", max_epochs=7)
    assert run.state.epoch == 7 and not run.can_train()


# ---- the sigmoid neuron (PRODUCT.md §10) -----------------------------------------------------


def test_sigmoid_learns_or() -> None:
    run = trained(10_000, **SUM_OR)
    np.testing.assert_allclose(run.state.weights, [5.365463, 5.365519], atol=1e-5)
    assert run.state.bias == pytest.approx(-2.427598, abs=1e-5)
    outputs = run.evaluate().outputs
    np.testing.assert_allclose(outputs, [0.081092, 0.949689, 0.949687, 0.999752], atol=1e-5)


def test_without_bias_the_output_at_the_origin_stays_one_half() -> None:
    run = trained(10_000, **SUM_OR, use_bias=False)
    np.testing.assert_allclose(run.state.weights, [3.360723, 3.362116], atol=1e-5)
    assert run.state.bias == 0.0
    assert run.evaluate().outputs[0] == 0.5


def test_symptoms_table_weights_rank_loss_of_smell_first() -> None:
    run = trained(10_000, **VIRUS)
    w = run.state.weights
    np.testing.assert_allclose(w, [7.548038, 0.513609, 2.275248, 2.278324], atol=1e-5)
    assert run.state.bias == pytest.approx(-4.620223, abs=1e-5)
    assert np.argmax(w) == 0 and np.argmin(w) == 1
    outputs, classes = run.output(np.array([[1, 0, 0, 1], [0, 0, 1, 0], [1, 0, 1, 0]], float))
    np.testing.assert_allclose(outputs, [0.994547, 0.087466, 0.994530], atol=1e-5)
    assert classes.tolist() == [1, 0, 1]


def test_breast_cancer_test_accuracy_beats_the_tutorial() -> None:
    run = trained(500, dataset="breast_cancer", activation="sigmoid", learning_rate=0.5)
    c = run.config
    assert (c.batch, c.reduction, c.test_fraction) == ("full", "mean", 0.3)
    test_accuracy = run.evaluate().test_accuracy
    assert test_accuracy is not None and test_accuracy >= 0.95


def test_gradient_neuron_is_right_everywhere_yet_keeps_training() -> None:
    run = trained(100, dataset="and", activation="tanh")
    assert run.evaluate().converged and run.can_train()
    assert run.state.status is Status.IDLE


# ---- tanh trains on −1/+1 and predicts by sign -----------------------------------------------


@pytest.mark.parametrize("batch", ["full", "online"])
def test_tanh_learns_and_on_minus_one_plus_one_targets(batch: str) -> None:
    run = trained(100, dataset="and", activation="tanh", batch=batch)
    assert run.targets.tolist() == [-1.0, -1.0, -1.0, 1.0]
    ev = run.evaluate()
    assert ev.accuracy == 1.0 and ev.predictions == [0, 0, 0, 1]
    assert np.sign(ev.outputs).tolist() == [-1, -1, -1, 1]


# ---- gradients against finite differences ----------------------------------------------------


ALL = slice(None)


def oracle_loss(run: Run, w: np.ndarray, b: float, rows: slice = ALL) -> float:
    """E over the training rows, written out from the maths rather than taken from LOSSES."""
    z = run.data.X[rows] @ w + b
    o, t = run.activation.fn(z), run.targets[rows]
    if run.config.loss == "cross_entropy":
        per_sample = -t * np.log(o) - (1 - t) * np.log(1 - o)
    else:
        per_sample = 0.5 * (o - t) ** 2
    return float(per_sample.sum() if run.config.reduction == "sum" else per_sample.mean())


def numeric_gradient(run: Run, rows: slice = ALL, h: float = 1e-6) -> tuple[np.ndarray, float]:
    w, b = run.w.copy(), run.b
    grad = np.zeros_like(w)
    for j in range(len(w)):
        e = np.zeros_like(w)
        e[j] = h
        grad[j] = (oracle_loss(run, w + e, b, rows) - oracle_loss(run, w - e, b, rows)) / (2 * h)
    grad_b = (oracle_loss(run, w, b + h, rows) - oracle_loss(run, w, b - h, rows)) / (2 * h)
    return grad, grad_b


VIRUS_INIT = {"weights": [0.3, -0.2, 0.5, 0.1], "bias": 0.05}  # no sample at relu's kink


@pytest.mark.parametrize(
    "given",
    [
        {"activation": "sigmoid", "reduction": "sum"},
        {"activation": "sigmoid", "reduction": "mean"},
        {"activation": "sigmoid", "loss": "cross_entropy"},
        {"activation": "tanh"},
        {"activation": "relu"},
        {"activation": "linear", "reduction": "sum"},
        {"activation": "sigmoid", "use_bias": False},
        {"activation": "sigmoid", "dataset": "breast_cancer", "init": "random"},
    ],
    ids=lambda g: "-".join(str(v) for v in g.values()),
)
def test_full_batch_update_is_minus_lr_times_numeric_gradient(given: dict[str, Any]) -> None:
    run = run_of(**{"dataset": "virus", "init": VIRUS_INIT, "learning_rate": 0.3, **given})
    w0, b0 = run.w.copy(), run.b
    grad_w, grad_b = numeric_gradient(run)
    run.train_epochs(1)
    np.testing.assert_allclose(run.w - w0, -0.3 * grad_w, rtol=1e-6, atol=1e-9)
    expected_db = -0.3 * grad_b if run.config.use_bias else 0.0
    assert run.b - b0 == pytest.approx(expected_db, rel=1e-6, abs=1e-9)


def test_online_update_is_minus_lr_times_numeric_gradient_of_one_sample() -> None:
    run = run_of(dataset="virus", activation="sigmoid", batch="online", init=VIRUS_INIT)
    grad_w, grad_b = numeric_gradient(run, rows=slice(0, 1))  # the first sample's loss alone
    run.train_samples(1)
    np.testing.assert_allclose(run.w - np.array(VIRUS_INIT["weights"]), -0.5 * grad_w, rtol=1e-6)
    assert run.b - 0.05 == pytest.approx(-0.5 * grad_b, rel=1e-6)
    assert run.state.last_update is not None
    np.testing.assert_allclose(run.state.last_update["delta_w"], -0.5 * grad_w, rtol=1e-6)


# ---- divergence ------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", ["online", "full"])
@pytest.mark.parametrize(
    "data", [{"dataset": "breast_cancer"}, {"dataset": "blobs", "n_samples": 5000}], ids=str
)
def test_linear_neuron_at_lr_100_diverges_and_keeps_finite_state(
    batch: str, data: dict[str, Any]
) -> None:
    run = trained(2000, activation="linear", learning_rate=100, batch=batch, **data)
    assert run.state.status is Status.DIVERGED
    assert np.isfinite(run.state.weights).all() and np.isfinite(run.state.bias)
    ev = run.evaluate()
    assert not np.isnan(ev.outputs).any() and np.isfinite(ev.loss)
    assert run.train_epochs(10).samples == 0


def test_online_training_stops_at_the_first_epoch_whose_loss_overflows() -> None:
    run = run_of(dataset="and", activation="linear", learning_rate=2.5, batch="online")
    rows = run.train_epochs(5000).rows
    assert run.state.status is Status.DIVERGED
    assert [row.loss >= 1e308 for row in rows] == [False] * (len(rows) - 1) + [True]


# ---- shuffling -------------------------------------------------------------------------------


def test_epoch_order_is_data_order_without_shuffle() -> None:
    assert epoch_order(5, seed=3, epoch=7, shuffle=False).tolist() == [0, 1, 2, 3, 4]


def test_epoch_order_is_a_permutation_fixed_by_seed_and_epoch() -> None:
    order = epoch_order(50, seed=3, epoch=7, shuffle=True)
    assert sorted(order.tolist()) == list(range(50))
    assert order.tolist() == epoch_order(50, seed=3, epoch=7, shuffle=True).tolist()
    assert order.tolist() != epoch_order(50, seed=3, epoch=8, shuffle=True).tolist()
    assert order.tolist() != epoch_order(50, seed=4, epoch=7, shuffle=True).tolist()


def test_online_training_visits_samples_in_the_epoch_order() -> None:
    run = run_of(dataset="virus", activation="sigmoid", batch="online", shuffle=True, seed=5)
    for epoch in range(3):
        visited = []
        for _ in range(8):
            run.train_samples(1)
            assert run.state.last_update is not None
            visited.append(run.state.last_update["sample"])
        assert visited == epoch_order(8, seed=5, epoch=epoch, shuffle=True).tolist()


def shuffled_weights(seed: int) -> list[float]:
    given = {"dataset": "virus", "activation": "sigmoid", "batch": "online", "shuffle": True}
    return trained(20, **given, seed=seed).state.weights


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    assert shuffled_weights(1) == shuffled_weights(1)
    assert shuffled_weights(1) != shuffled_weights(2)


def test_weights_set_by_hand_near_the_float_limit_stay_finite_on_the_wire() -> None:
    run = Run(complete_config({"dataset": "and"}))
    run.set_parameters([1e308, 1e308], 1e308)
    run.train_samples(4)
    update = run.state.last_update
    assert update is not None
    flat = [update["z"], update["output"], update["b"], update["delta_b"], *update["w"],
            *update["delta_w"]]  # fmt: skip
    assert all(math.isfinite(v) for v in flat)
