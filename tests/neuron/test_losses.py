"""Losses: their values, and delta = dE/dz against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.neuron.activations import ACTIVATIONS, sigmoid
from app.neuron.losses import LOSSES

SMOOTH_Z = np.array([-3.1, -1.7, -0.6, -0.2, 0.15, 0.45, 0.8, 1.3, 2.6])  # not at z = 0
H = 1e-6


def loss_of_z(loss_id: str, activation_id: str, z: np.ndarray, t: float) -> np.ndarray:
    f, loss = ACTIVATIONS[activation_id], LOSSES[loss_id]
    return loss.per_sample(z, f.fn(z), np.full_like(z, t))


def test_mse_is_half_the_squared_error() -> None:
    z = np.array([0.0, 1.0, 2.0])
    o = ACTIVATIONS["linear"].fn(z)
    per_sample = LOSSES["mse"].per_sample(z, o, np.array([1.0, 1.0, -1.0]))
    np.testing.assert_array_equal(per_sample, [0.5, 0.0, 4.5])


def test_cross_entropy_is_minus_log_likelihood() -> None:
    z = np.array([-2.0, 0.0, 3.0, -2.0, 0.0, 3.0])
    t = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    o = sigmoid(z)
    expected = -t * np.log(o) - (1 - t) * np.log(1 - o)
    np.testing.assert_allclose(LOSSES["cross_entropy"].per_sample(z, o, t), expected, rtol=1e-12)


@pytest.mark.parametrize("activation_id", sorted(ACTIVATIONS))
@pytest.mark.parametrize("target_class", [0, 1])
def test_mse_delta_matches_central_difference(activation_id: str, target_class: int) -> None:
    f = ACTIVATIONS[activation_id]
    t = 1.0 if target_class else f.low_target
    numeric = (loss_of_z("mse", activation_id, SMOOTH_Z + H, t)
               - loss_of_z("mse", activation_id, SMOOTH_Z - H, t)) / (2 * H)  # fmt: skip
    delta = LOSSES["mse"].delta(SMOOTH_Z, f.fn(SMOOTH_Z), np.full_like(SMOOTH_Z, t), f)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("t", [0.0, 1.0])
def test_cross_entropy_delta_matches_central_difference(t: float) -> None:
    f = ACTIVATIONS["sigmoid"]
    numeric = (loss_of_z("cross_entropy", "sigmoid", SMOOTH_Z + H, t)
               - loss_of_z("cross_entropy", "sigmoid", SMOOTH_Z - H, t)) / (2 * H)  # fmt: skip
    delta = LOSSES["cross_entropy"].delta(SMOOTH_Z, f.fn(SMOOTH_Z), np.full_like(SMOOTH_Z, t), f)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(delta, sigmoid(SMOOTH_Z) - t, rtol=1e-15)


@settings(deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0.0, 1.0]))
def test_cross_entropy_is_finite_and_non_negative_for_any_finite_z(z: float, t: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zs = np.array([z])
        value = LOSSES["cross_entropy"].per_sample(zs, sigmoid(zs), np.array([t]))
    assert np.isfinite(value).all() and value[0] >= 0
