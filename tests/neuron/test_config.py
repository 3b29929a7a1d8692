"""Config: the defaults that follow other fields, patches that keep them so, refused mixes."""

from __future__ import annotations

from typing import Any

import pytest

from app.neuron.config import NeuronConfig, complete_config, patch_config
from app.neuron.errors import NeuronError

POINTS = {"X": [[0, 0], [1, 1]], "y": [0, 1]}


def rule_lr_batch(c: NeuronConfig) -> tuple[str, float, str]:
    return c.rule, c.learning_rate, c.batch


def test_step_defaults_to_the_perceptron_online_at_lr_one() -> None:
    c = complete_config({})
    assert (c.dataset, c.activation) == ("and", "step")
    assert rule_lr_batch(c) == ("perceptron", 1.0, "online")
    assert (c.init, c.use_bias, c.reduction, c.loss, c.test_fraction) == ("zeros", True, "mean",
                                                                          "mse", 0.0)  # fmt: skip


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_other_activations_default_to_full_batch_gradient_at_half(activation: str) -> None:
    assert rule_lr_batch(complete_config({"activation": activation})) == ("gradient", 0.5, "full")


def test_breast_cancer_defaults_to_a_30_percent_test_split() -> None:
    assert complete_config({"dataset": "breast_cancer"}).test_fraction == 0.3
    assert complete_config({"dataset": "blobs"}).test_fraction == 0.0


def test_none_counts_as_left_out() -> None:
    c = complete_config({"activation": "sigmoid", "learning_rate": None, "batch": None})
    assert rule_lr_batch(c) == ("gradient", 0.5, "full")


def test_given_fields_win_over_defaults() -> None:
    c = complete_config({"activation": "sigmoid", "learning_rate": 0.05, "batch": "online"})
    assert rule_lr_batch(c) == ("gradient", 0.05, "online")


def test_as_dict_rebuilds_the_same_config() -> None:
    c = complete_config({"dataset": "custom", "points": POINTS, "activation": "tanh"})
    assert NeuronConfig(**c.as_dict()) == c


# ---- patches ---------------------------------------------------------------------------------


def test_switching_to_sigmoid_brings_gradient_full_batch_and_its_rate() -> None:
    c = patch_config(complete_config({}), {"activation": "sigmoid"})
    assert rule_lr_batch(c) == ("gradient", 0.5, "full")


def test_switching_back_to_step_brings_the_perceptron_back() -> None:
    c = patch_config(complete_config({"activation": "sigmoid"}), {"activation": "step"})
    assert rule_lr_batch(c) == ("perceptron", 1.0, "online")


def test_a_user_set_learning_rate_survives_a_rule_change() -> None:
    c = patch_config(complete_config({"learning_rate": 0.2}), {"activation": "sigmoid"})
    assert rule_lr_batch(c) == ("gradient", 0.2, "full")


def test_a_patch_that_sets_the_batch_keeps_it() -> None:
    c = patch_config(complete_config({}), {"activation": "tanh", "batch": "online"})
    assert rule_lr_batch(c) == ("gradient", 0.5, "online")


def test_switching_to_breast_cancer_brings_its_test_split_and_back() -> None:
    c = patch_config(complete_config({"activation": "sigmoid"}), {"dataset": "breast_cancer"})
    assert c.test_fraction == 0.3
    assert patch_config(c, {"dataset": "blobs"}).test_fraction == 0.0


def test_a_user_set_test_fraction_survives_a_dataset_change() -> None:
    c = complete_config({"dataset": "blobs", "test_fraction": 0.2})
    assert patch_config(c, {"dataset": "breast_cancer"}).test_fraction == 0.2


def test_a_patch_leaves_other_fields_alone() -> None:
    c = complete_config({"dataset": "virus", "activation": "sigmoid", "seed": 9, "shuffle": True})
    assert patch_config(c, {"learning_rate": 0.1}) == NeuronConfig(
        **{**c.as_dict(), "learning_rate": 0.1}
    )


# ---- refused mixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"activation": "tanh", "loss": "cross_entropy"}, "loss"),
        ({"loss": "cross_entropy"}, "loss"),  # step
        ({"activation": "swish"}, "activation"),
        ({"dataset": "iris"}, "dataset"),
        ({"rule": "hebb"}, "rule"),
        ({"batch": "mini"}, "batch"),
        ({"reduction": "max"}, "reduction"),
        ({"init": "ones"}, "init"),
        ({"batch": "full"}, "batch"),  # the perceptron is online only
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": 101}, "learning_rate"),
        ({"dataset": "custom"}, "points"),
    ],
)
def test_bad_config_is_refused_naming_the_field(given: dict[str, Any], field: str) -> None:
    with pytest.raises(NeuronError) as err:
        complete_config(given)
    assert err.value.field == field


def test_a_patch_to_tanh_under_cross_entropy_is_refused() -> None:
    c = complete_config({"activation": "sigmoid", "loss": "cross_entropy"})
    with pytest.raises(NeuronError) as err:
        patch_config(c, {"activation": "tanh"})
    assert err.value.field == "loss"
