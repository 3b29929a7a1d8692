"""A hidden layer in front of the output neuron: what turns one neuron into a 2-H-1 network.

Hidden neuron j computes h_j = g(W_j·x + c_j) with the run's activation g; the output neuron is
the single neuron of PRODUCT.md §3 with the hidden outputs h as its inputs and a sigmoid. So the
output neuron's rules stay the single neuron's; the layer adds only its forward pass and the
back-propagated gradient δ_j = δ·w_j·g'(z_j) of its own weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.neuron.activations import Activation, Array
from app.neuron.errors import NeuronError

HIDDEN_INIT_SCALE = 1.0  # std of random hidden-network weights: 0.1 would sit near the saddle
MAX_HIDDEN_WEIGHTS = 128  # hidden_units × features: beyond, a frame would pass 16 kB (PRODUCT §7)


@dataclass(frozen=True)
class HiddenLayer:
    """Weights (units × features, row j is hidden neuron j) and biases; replaced, never changed."""

    weights: Array
    biases: Array
    activation: Activation

    @property
    def units(self) -> int:
        return int(self.biases.shape[0])

    def forward(self, X: Array) -> tuple[Array, Array]:
        """Pre-activations z_h and outputs h = g(z_h), for one sample (1-D) or rows of samples."""
        with np.errstate(over="ignore", invalid="ignore"):
            zh = X @ self.weights.T + self.biases
            return zh, self.activation.fn(zh)

    def backward(self, X: Array, zh: Array, h: Array, delta: Array | float,
                 w_out: Array) -> tuple[Array, Array, Array]:  # fmt: skip
        """δ_h = δ·w_out·g'(z_h) and the layer's gradients dE/dW = δ_h·xᵀ, dE/dc = δ_h, summed
        over the rows when X holds many samples."""
        with np.errstate(over="ignore", invalid="ignore"):
            delta_h = np.multiply.outer(delta, w_out) * self.activation.slope(zh, h)
            if X.ndim == 1:
                return delta_h, np.outer(delta_h, X), delta_h
            return delta_h, delta_h.T @ X, delta_h.sum(axis=0)

    def moved(self, d_weights: Array, d_biases: Array) -> HiddenLayer:
        return HiddenLayer(self.weights + d_weights, self.biases + d_biases, self.activation)

    def finite(self) -> bool:
        return bool(np.isfinite(self.weights).all() and np.isfinite(self.biases).all())

    def as_dict(self) -> dict[str, Any]:
        return {"weights": self.weights.tolist(), "biases": self.biases.tolist()}


def check_hidden_size(units: int, n_features: int) -> None:
    if units * n_features > MAX_HIDDEN_WEIGHTS:
        most = max(0, MAX_HIDDEN_WEIGHTS // n_features)
        raise NeuronError("hidden_units", f"at most {MAX_HIDDEN_WEIGHTS} hidden weights "
                          f"(hidden_units × features): with {n_features} features, at most {most} "
                          "hidden neurons")  # fmt: skip


def layer_array(values: Any) -> Array:
    """A layer's weights or biases as floats; ragged rows are the client's error, named."""
    try:
        return np.asarray(values, dtype=np.float64)
    except ValueError:
        raise NeuronError("layers", "every row of a layer needs the same number of weights") from None


def hidden_layer_from(values: dict[str, Any], activation: Activation, n_features: int,
                      units: int, use_bias: bool) -> HiddenLayer:  # fmt: skip
    """A layer from its JSON form, its shape checked (errors name the field `layers`)."""
    weights, biases = layer_array(values["weights"]), layer_array(values["biases"])
    if weights.shape != (units, n_features) or biases.shape != (units,):
        raise NeuronError("layers", f"the hidden layer needs {units} rows of {n_features} weights "
                          f"and {units} biases")  # fmt: skip
    if not use_bias and np.any(biases != 0):
        raise NeuronError("layers", "the bias is off (use_bias false); hidden biases stay 0")
    return HiddenLayer(weights, biases, activation)


def random_network(seed: int, n_features: int, units: int,
                   use_bias: bool) -> tuple[dict[str, Any], list[float], float]:  # fmt: skip
    """Hidden weights and biases, then the output neuron's, drawn from N(0, 1) by the seed."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(0.0, HIDDEN_INIT_SCALE, (units, n_features))
    biases = rng.normal(0.0, HIDDEN_INIT_SCALE, units) if use_bias else np.zeros(units)
    w = rng.normal(0.0, HIDDEN_INIT_SCALE, units)
    b = float(rng.normal(0.0, HIDDEN_INIT_SCALE)) if use_bias else 0.0
    return {"weights": weights.tolist(), "biases": biases.tolist()}, w.tolist(), b
