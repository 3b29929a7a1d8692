"""The hidden layer: backpropagation against finite differences, the refusals, and lesson 8's
known answer (two hidden neurons learn XOR)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.neuron.config import complete_config, patch_config
from app.neuron.errors import NeuronError
from app.lessons import LESSONS, lesson_by_id
from app.neuron.training import Run

EPS = 1e-6


def network(X: np.ndarray, y: np.ndarray, **given: Any) -> Run:
    points = {"X": X.tolist(), "y": y.tolist()}
    return Run(complete_config({"dataset": "custom", "points": points, **given}))


def loss_at(run: Run, theta: np.ndarray) -> float:
    """The run's loss with every parameter replaced by `theta` (the order of `parameters()`)."""
    probe = Run(run.config, data=run.data)
    probe.set_parameters(None, None, layers_of(run, theta))
    return probe.evaluate().loss


def layers_of(run: Run, theta: np.ndarray) -> list[dict[str, Any]]:
    assert run.hidden is not None
    units, n = run.hidden.weights.shape
    W, rest = theta[: units * n].reshape(units, n), theta[units * n :]
    return [{"weights": W.tolist(), "biases": rest[:units].tolist()},
            {"weights": [rest[units : 2 * units].tolist()], "biases": [float(rest[-1])]}]  # fmt: skip


def frozen_biases(run: Run) -> list[int]:
    """Where the biases sit in `parameters()`: with the bias off they never learn."""
    assert run.hidden is not None
    units, n = run.hidden.weights.shape
    return [] if run.config.use_bias else [*range(units * n, units * n + units), 2 * units + units * n]


def numeric_gradient(run: Run) -> np.ndarray:
    """Central differences of the loss, parameter by parameter (0 for a frozen bias)."""
    theta = run.parameters()
    grad = np.zeros_like(theta)
    for i in sorted(set(range(len(theta))) - set(frozen_biases(run))):
        up, down = theta.copy(), theta.copy()
        up[i] += EPS
        down[i] -= EPS
        grad[i] = (loss_at(run, up) - loss_at(run, down)) / (2 * EPS)
    return grad


def away_from_relu_kinks(run: Run) -> bool:
    assert run.hidden is not None
    return bool(np.abs(run.hidden.forward(run.data.X)[0]).min() > 1e-3)


shapes = st.fixed_dictionaries({
    "units": st.integers(1, 8), "features": st.integers(1, 4), "rows": st.integers(1, 6),
    "activation": st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
    "loss": st.sampled_from(["mse", "cross_entropy"]), "reduction": st.sampled_from(["mean", "sum"]),
    "use_bias": st.booleans(), "seed": st.integers(0, 2**16),
})  # fmt: skip


def sample_run(s: dict[str, Any], **extra: Any) -> Run:
    rng = np.random.default_rng(s["seed"])
    X = rng.normal(0.0, 1.0, (s["rows"], s["features"]))
    y = rng.integers(0, 2, s["rows"])
    return network(X, y, hidden_units=s["units"], activation=s["activation"], loss=s["loss"],
                   reduction=s["reduction"], use_bias=s["use_bias"], seed=s["seed"], **extra)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(shapes)
def test_full_batch_backprop_is_minus_lr_times_the_numeric_gradient(s: dict[str, Any]) -> None:
    run = sample_run(s, learning_rate=1.0, batch="full")
    assume(away_from_relu_kinks(run))
    expected = numeric_gradient(run)
    before = run.parameters()
    run.train_epochs(1)
    moved = before - run.parameters()  # η = 1: the step is the gradient itself
    assert moved == pytest.approx(expected, rel=1e-4, abs=1e-6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(shapes)
def test_online_backprop_follows_the_numeric_gradient_of_one_sample(s: dict[str, Any]) -> None:
    run = sample_run(s, learning_rate=1.0, batch="online")
    first = network(run.data.X[:1], run.data.y[:1], **{
        k: getattr(run.config, k) for k in ("hidden_units", "activation", "loss", "use_bias", "seed")})  # fmt: skip
    first.set_parameters(None, None, run.layers())
    assume(away_from_relu_kinks(first))
    expected = numeric_gradient(first)  # one row: its loss alone, whatever the reduction
    before = run.parameters()
    run.train_samples(1)
    moved = before - run.parameters()
    assert moved == pytest.approx(expected, rel=1e-4, abs=1e-6)
    update = run.state.last_update
    assert update is not None and update["kind"] == "backprop" and update["sample"] == 0


# ---- what a hidden layer refuses, and its defaults ------------------------------------------


@pytest.mark.parametrize(("given", "field"), [
    ({"activation": "step"}, "hidden_units"),
    ({"activation": "sigmoid", "rule": "perceptron"}, "hidden_units"),
    ({"init": "zeros"}, "init"),
    ({"init": {"weights": [1.0, 2.0], "bias": 0.0}}, "init"),
])  # fmt: skip
def test_a_hidden_layer_refuses(given: dict[str, Any], field: str) -> None:
    with pytest.raises(NeuronError) as refused:
        complete_config({"dataset": "xor", "hidden_units": 2, **given})
    assert refused.value.field == field


def test_a_hidden_layer_defaults_to_sigmoid_gradient_and_random_weights() -> None:
    c = complete_config({"dataset": "xor", "hidden_units": 3})
    assert (c.activation, c.rule, c.init, c.batch) == ("sigmoid", "gradient", "random", "full")


def test_adding_a_hidden_layer_by_patch_turns_zeros_into_random() -> None:
    c = complete_config({"dataset": "xor", "activation": "tanh"})
    assert patch_config(c, {"hidden_units": 2}).init == "random"
    with pytest.raises(NeuronError) as refused:
        patch_config(complete_config({"dataset": "xor"}), {"hidden_units": 2})
    assert refused.value.field == "hidden_units"  # step cannot backpropagate


def test_hidden_units_zero_is_the_single_neuron() -> None:
    run = Run(complete_config({"dataset": "and", "hidden_units": 0}))
    assert run.hidden is None and run.layers() == [{"weights": [[0.0, 0.0]], "biases": [0.0]}]


def test_layers_set_by_hand_change_one_weight_and_check_shapes() -> None:
    run = Run(complete_config({"dataset": "xor", "hidden_units": 2}))
    layers = run.layers()
    layers[0]["weights"][1][0] = 7.5
    run.set_parameters(None, None, layers)
    assert run.state.hidden is not None and run.state.hidden["weights"][1][0] == 7.5
    assert run.layers() == layers
    with pytest.raises(NeuronError) as refused:
        run.set_parameters(None, None, [layers[0]])
    assert refused.value.field == "layers"
    wrong = [{"weights": [[1.0, 2.0, 3.0]] * 2, "biases": [0.0, 0.0]}, layers[1]]
    with pytest.raises(NeuronError):
        run.set_parameters(None, None, wrong)


# ---- lesson 8: two neurons solve XOR ---------------------------------------------------------

# The lesson's weights after its epochs from its seed (computed once by this code and pinned:
# any change to the training arithmetic shows up here).
LESSON_8_AFTER = {
    "hidden": [[3.828655917177039, -3.6885803235520473], [3.2859728187350394, -3.454804371826173]],
    "hidden_biases": [1.7714476879395356, -1.555530770201792],
    "weights": [-5.218893683233167, 5.264288257776942],
    "bias": 4.731283573052235,
}


def lesson_8_run() -> Run:
    lesson = lesson_by_id("two-neurons-solve-xor")
    run = Run(complete_config(lesson.config))
    run.train_epochs(lesson.epochs)
    return run


def test_lesson_8_learns_xor_to_the_known_weights() -> None:
    run = lesson_8_run()
    assert run.state.epoch == 200
    assert run.state.hidden is not None
    hidden_weights = np.ravel(run.state.hidden["weights"]).tolist()
    assert hidden_weights == pytest.approx(np.ravel(LESSON_8_AFTER["hidden"]).tolist(), abs=1e-9)
    assert run.state.hidden["biases"] == pytest.approx(LESSON_8_AFTER["hidden_biases"], abs=1e-9)
    assert run.state.weights == pytest.approx(LESSON_8_AFTER["weights"], abs=1e-9)
    assert run.state.bias == pytest.approx(LESSON_8_AFTER["bias"], abs=1e-9)
    ev = run.evaluate()
    assert ev.accuracy == 1.0 and ev.converged
    assert ev.predictions == [0, 1, 1, 0]
    assert max(abs(o - t) for o, t in zip(ev.outputs, [0, 1, 1, 0])) < 0.02


def test_lesson_8_is_the_same_every_run() -> None:
    a, b = lesson_8_run(), lesson_8_run()
    assert a.parameters() == pytest.approx(b.parameters(), abs=1e-9, rel=0)


@pytest.mark.parametrize("change", [
    {"learning_rate": 0.2}, {"learning_rate": 1.0}, {"learning_rate": 2.0}, {"shuffle": True},
    {"batch": "full", "learning_rate": 1.0},
])  # fmt: skip
def test_lesson_8_seed_is_no_lucky_knife_edge(change: dict[str, Any]) -> None:
    """Its seed learns XOR under nearby settings too, well within the lesson's epochs."""
    lesson = lesson_by_id("two-neurons-solve-xor")
    run = Run(complete_config({**lesson.config, **change}))
    run.train_epochs(lesson.epochs)
    assert run.evaluate().accuracy == 1.0


def test_one_neuron_cannot_learn_xor_where_two_hidden_can() -> None:
    lesson = lesson_by_id("two-neurons-solve-xor")
    single = Run(complete_config({**lesson.config, "hidden_units": 0, "init": "zeros", "loss": "mse"}))
    single.train_epochs(lesson.epochs)
    assert single.evaluate().accuracy <= 0.75


def test_every_lesson_has_a_complete_config_and_runs() -> None:
    assert [lesson.number for lesson in LESSONS] == list(range(1, len(LESSONS) + 1))
    assert len(LESSONS) == 8
    for lesson in LESSONS:
        config = complete_config(lesson.config)
        assert config.as_dict() == lesson.complete_config()
        assert lesson.epochs >= 1 and lesson.title() and lesson.text()


@pytest.mark.parametrize("batch", ["online", "full"])
def test_a_network_that_overflows_stops_diverged_with_finite_numbers(batch: str) -> None:
    run = Run(complete_config({"dataset": "xor", "hidden_units": 2, "activation": "linear",
                               "learning_rate": 100.0, "batch": batch}))  # fmt: skip
    layers = run.layers()
    layers[0]["weights"] = [[1e308, 1e308], [1.0, 1.0]]
    layers[1]["weights"] = [[1e308, -1e308]]
    run.set_parameters(None, None, layers)
    run.train_epochs(5)
    assert run.state.status.value == "diverged"
    assert np.isfinite(run.parameters()).all()
    ev = run.evaluate()
    assert np.isfinite(ev.outputs).all() and ev.loss == 1e308
    assert run.state.hidden is not None and np.isfinite(run.state.hidden["weights"]).all()


def test_a_hidden_layer_is_refused_past_128_hidden_weights() -> None:
    with pytest.raises(NeuronError) as refused:
        Run(complete_config({"dataset": "breast_cancer", "hidden_units": 5}))  # 5 × 30 weights
    assert refused.value.field == "hidden_units" and "at most 4 hidden neurons" in refused.value.message
    assert Run(complete_config({"dataset": "breast_cancer", "hidden_units": 4})).hidden is not None
