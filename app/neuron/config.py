"""The complete description of a run, and the defaults that depend on other fields.

A config given by a user may leave fields out; `complete_config` fills them in the way
PRODUCT.md §6 says (the rule follows the activation, the learning rate and batch mode follow the
rule, the test split follows the dataset), and `patch_config` keeps that true when a field changes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from app.neuron.activations import ACTIVATIONS
from app.neuron.datasets import DATASETS, DEFAULT_TEST_FRACTION, DataParams
from app.neuron.uploads import is_upload_id
from app.neuron.errors import NeuronError
from app.neuron.losses import LOSSES

RULES = ("perceptron", "gradient")
BATCHES = ("online", "full")
REDUCTIONS = ("mean", "sum")
INITS = ("zeros", "random")
MAX_HIDDEN_UNITS = 8


@dataclass(frozen=True)
class NeuronConfig:
    """Every field of a run, defaults filled in; hashable and JSON-ready through `as_dict`."""

    dataset: str = "and"
    activation: str = "step"
    rule: str = "perceptron"
    learning_rate: float = 1.0
    use_bias: bool = True
    init: Any = "zeros"  # "zeros" | "random" | {"weights": [...], "bias": b}
    seed: int = 0
    batch: str = "online"
    reduction: str = "mean"
    loss: str = "mse"
    shuffle: bool = False
    n_samples: int = 200
    noise: float = 0.2
    test_fraction: float = 0.0
    points: Any = None  # {"X": [[...]], "y": [...]} for the custom dataset
    max_epochs: int | None = None
    grid_size: int = 64  # heatmap cells per side
    plot_features: Any = None  # [i, j]: plot these two features, past two; None: principal plane
    hidden_units: int = 0  # 0: the single neuron; 1-8: one hidden layer before a sigmoid output

    def as_dict(self) -> dict[str, Any]:
        """Every field by name, for JSON. Shallow: `init` and `points` are shared, not copied
        (this runs for every frame of every stream, and points may be 10,000 rows); callers
        encode the dict or build a new config from it and never change what it holds."""
        return {k: getattr(self, k) for k in _FIELD_NAMES}

    def data_params(self) -> DataParams:
        points = None
        if self.points is not None:
            X = tuple(tuple(float(v) for v in row) for row in self.points["X"])
            points = (X, tuple(int(v) for v in self.points["y"]))
        return DataParams(self.seed, self.n_samples, self.noise, self.test_fraction, points)


_FIELD_NAMES = tuple(f.name for f in fields(NeuronConfig))


def default_rule(activation: str) -> str:
    return "perceptron" if activation == "step" else "gradient"


def default_learning_rate(rule: str) -> float:
    return 1.0 if rule == "perceptron" else 0.5


def default_batch(rule: str) -> str:
    return "online" if rule == "perceptron" else "full"


def default_test_fraction(dataset: str) -> float:
    return DEFAULT_TEST_FRACTION.get(dataset, 0.0)


def complete_config(given: dict[str, Any]) -> NeuronConfig:
    """Fill in every field the user left out (None counts as left out), then check the whole."""
    values = {k: v for k, v in given.items() if v is not None}
    hidden = values.get("hidden_units", 0)
    activation = values.setdefault("activation", "sigmoid" if hidden else "step")
    if hidden:  # zeros would give every hidden neuron the same weights for ever
        values.setdefault("init", "random")
    rule = values.setdefault("rule", default_rule(activation))
    values.setdefault("learning_rate", default_learning_rate(rule))
    values.setdefault("batch", default_batch(rule))
    values.setdefault("test_fraction", default_test_fraction(values.get("dataset", "and")))
    if "max_epochs" in given:
        values["max_epochs"] = given["max_epochs"]
    config = NeuronConfig(**values)
    check_config(config)
    return config


def patch_config(current: NeuronConfig, patch: dict[str, Any]) -> NeuronConfig:
    """Apply a partial config; a derived default follows its parent unless the patch sets it."""
    old = current.as_dict()
    new = {**old, **patch}
    if "activation" in patch and "rule" not in patch:
        new["rule"] = default_rule(new["activation"])
    if new["rule"] != old["rule"]:
        if "batch" not in patch:
            new["batch"] = default_batch(new["rule"])
        if "learning_rate" not in patch and old["learning_rate"] == default_learning_rate(old["rule"]):
            new["learning_rate"] = default_learning_rate(new["rule"])
    if new["dataset"] != old["dataset"] and "plot_features" not in patch:
        new["plot_features"] = None  # column numbers of one dataset mean nothing in another
    if new["hidden_units"] and not old["hidden_units"] and "init" not in patch:
        if new["init"] == "zeros":
            new["init"] = "random"
    if new["dataset"] != old["dataset"] and "test_fraction" not in patch:
        if old["test_fraction"] == default_test_fraction(old["dataset"]):
            new["test_fraction"] = default_test_fraction(new["dataset"])
    config = NeuronConfig(**new)
    check_config(config)
    return config


def check_config(c: NeuronConfig) -> None:
    """Cross-field rules; ranges of single fields are checked by the API's schema."""
    if not is_upload_id(c.dataset):
        _one_of("dataset", c.dataset, tuple(DATASETS))
    _one_of("activation", c.activation, tuple(ACTIVATIONS))
    _one_of("rule", c.rule, RULES)
    _one_of("batch", c.batch, BATCHES)
    _one_of("reduction", c.reduction, REDUCTIONS)
    _one_of("loss", c.loss, tuple(LOSSES))
    if not c.learning_rate > 0 or c.learning_rate > 100:
        raise NeuronError("learning_rate", "must be > 0 and ≤ 100", "learning_rate_range")
    if c.rule == "perceptron" and c.batch != "online":
        raise NeuronError("batch", "the perceptron rule updates after every sample; use 'online'",
                          "perceptron_online")  # fmt: skip
    if c.loss == "cross_entropy" and c.activation != "sigmoid" and not c.hidden_units:
        raise NeuronError("loss", "cross_entropy needs the sigmoid activation; use 'mse'",
                          "cross_entropy_sigmoid")  # fmt: skip
    if c.hidden_units:
        check_hidden_layer(c)
    if c.dataset == "custom" and c.points is None:
        raise NeuronError("points", "the custom dataset needs points {'X': [[...]], 'y': [...]}")
    if isinstance(c.init, str):
        _one_of("init", c.init, INITS)
    if c.plot_features is not None:
        i, j = c.plot_features
        if i == j or min(i, j) < 0:
            raise NeuronError("plot_features", "two different feature numbers, from 0",
                              "plot_features_pair")  # fmt: skip


def check_hidden_layer(c: NeuronConfig) -> None:
    """A hidden layer learns by backpropagation: it needs a smooth activation, the gradient
    rule and weights that differ from neuron to neuron."""
    if not 0 <= c.hidden_units <= MAX_HIDDEN_UNITS:
        raise NeuronError("hidden_units", f"must be 0 to {MAX_HIDDEN_UNITS}", "hidden_units_range",
                          {"max": MAX_HIDDEN_UNITS})  # fmt: skip
    if c.activation == "step":
        raise NeuronError("hidden_units", "a hidden layer learns by backpropagation, which needs a "
                          "smooth activation (sigmoid, tanh, relu or linear), not step; "
                          "or set hidden_units to 0", "hidden_needs_smooth")  # fmt: skip
    if c.rule == "perceptron":
        raise NeuronError("hidden_units", "the perceptron rule trains one neuron only; use the "
                          "'gradient' rule with a hidden layer, or set hidden_units to 0",
                          "hidden_needs_gradient")  # fmt: skip
    if c.init == "zeros":
        raise NeuronError("init", "'zeros' with a hidden layer gives every hidden neuron the same "
                          "weights, and they stay the same: use 'random'",
                          "hidden_needs_random")  # fmt: skip
    if not isinstance(c.init, str):
        raise NeuronError("init", "with a hidden layer use 'random'; set single weights by "
                          "PATCH of `layers` afterwards", "hidden_needs_random")  # fmt: skip


def _one_of(field_name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise NeuronError(field_name, f"{value!r} is not one of {list(allowed)}")
