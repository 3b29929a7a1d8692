"""Losses and their error signal delta = dE/dz per sample.

`mse`: E = ½(o − t)², delta = (o − t)·f'(z). `cross_entropy` (sigmoid only):
E = −t·log o − (1 − t)·log(1 − o), computed from z with a stable softplus; delta = o − t.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from app.neuron.activations import Activation, Array


@dataclass(frozen=True)
class Loss:
    id: str
    per_sample: Callable[[Array, Array, Array], Array]  # (z, o, t) -> E_i
    delta: Callable[[Array, Array, Array, Activation], Array]  # (z, o, t, f) -> dE_i/dz


def reduced(per_sample: Array, reduction: str) -> Array:
    """E over the samples (the last axis): summed, or averaged ("mean"), as the config says."""
    return per_sample.sum(axis=-1) if reduction == "sum" else per_sample.mean(axis=-1)


def softplus(z: Array) -> Array:
    """log(1 + e^z) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _mse(z: Array, o: Array, t: Array) -> Array:
    return 0.5 * (o - t) ** 2


def _mse_delta(z: Array, o: Array, t: Array, f: Activation) -> Array:
    return (o - t) * f.slope(z, o)


def _cross_entropy(z: Array, o: Array, t: Array) -> Array:
    # -t·log σ(z) − (1−t)·log(1−σ(z)) = t·softplus(−z) + (1−t)·softplus(z)
    return t * softplus(-z) + (1.0 - t) * softplus(z)


def _cross_entropy_delta(z: Array, o: Array, t: Array, f: Activation) -> Array:
    return o - t


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse, _mse_delta),
    "cross_entropy": Loss("cross_entropy", _cross_entropy, _cross_entropy_delta),
}
