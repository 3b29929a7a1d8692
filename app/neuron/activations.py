"""Activation functions, each a pair (output, derivative) keyed by id.

Every function takes and returns float64 arrays and never warns for finite input: the sigmoid
is evaluated from exp(-|z|), which cannot overflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Activation:
    """An activation with the threshold that splits its outputs into the two classes."""

    id: str
    fn: Callable[[Array], Array]
    derivative: Callable[[Array], Array]
    slope: Callable[[Array, Array], Array]  # f'(z) given z and o = f(z), without recomputing f
    midpoint: float  # an output >= midpoint predicts class 1
    low_target: float  # the training target of class 0 (class 1 is always 1)
    formula: str  # for the page and the exported script


def step(z: Array) -> Array:
    return (z >= 0).astype(np.float64)


def step_derivative(z: Array) -> Array:
    # Zero almost everywhere: gradient descent cannot train a step neuron, the perceptron rule can.
    return np.zeros_like(z, dtype=np.float64)


def sigmoid(z: Array) -> Array:
    """1 / (1 + e^-z) computed from e^-|z| <= 1, so no overflow for any finite z."""
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return np.where(z >= 0, 1.0 / d, e / d)


def sigmoid_derivative(z: Array) -> Array:
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_derivative(z: Array) -> Array:
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    return np.maximum(z, 0.0)


def relu_derivative(z: Array) -> Array:
    return (z > 0).astype(np.float64)


def linear(z: Array) -> Array:
    return np.asarray(z, dtype=np.float64).copy()


def linear_derivative(z: Array) -> Array:
    return np.ones_like(z, dtype=np.float64)


ACTIVATIONS: dict[str, Activation] = {
    a.id: a
    for a in (
        Activation("step", step, step_derivative, lambda z, o: step_derivative(z), 0.5, 0.0,
                   "1 if z ≥ 0 else 0"),
        Activation("sigmoid", sigmoid, sigmoid_derivative, lambda z, o: o * (1.0 - o), 0.5, 0.0,
                   "1 / (1 + e^−z)"),
        Activation("tanh", np.tanh, tanh_derivative, lambda z, o: 1.0 - o * o, 0.0, -1.0,
                   "tanh(z)"),
        Activation("relu", relu, relu_derivative, lambda z, o: relu_derivative(z), 0.5, 0.0,
                   "max(0, z)"),
        Activation("linear", linear, linear_derivative, lambda z, o: linear_derivative(z), 0.5,
                   0.0, "z"),
    )
}  # fmt: skip


def midpoint_preactivation(activation: Activation) -> float:
    """z* with f(z*) = midpoint: the pre-activation on the decision boundary."""
    return {"step": 0.0, "sigmoid": 0.0, "tanh": 0.0, "relu": 0.5, "linear": 0.5}[activation.id]
