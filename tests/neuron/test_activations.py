"""Activations: known values, derivatives against finite differences, a stable sigmoid."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.neuron.activations import ACTIVATIONS, midpoint_preactivation, sigmoid
from app.neuron.losses import softplus

# Away from the kinks of step and relu (z = 0), where the derivative is undefined.
SMOOTH_Z = np.array([-3.1, -1.7, -0.6, -0.2, 0.15, 0.45, 0.8, 1.3, 2.6])
FINITE_Z = st.floats(allow_nan=False, allow_infinity=False)
H = 1e-6


def test_registry_ids_match_their_keys() -> None:
    assert sorted(ACTIVATIONS) == ["linear", "relu", "sigmoid", "step", "tanh"]
    assert all(a.id == key for key, a in ACTIVATIONS.items())


@pytest.mark.parametrize(
    ("activation_id", "expected"),
    [
        ("step", [0.0, 1.0, 1.0]),
        ("sigmoid", [1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1))]),
        ("tanh", [np.tanh(-1), 0.0, np.tanh(1)]),
        ("relu", [0.0, 0.0, 1.0]),
        ("linear", [-1.0, 0.0, 1.0]),
    ],
)
def test_known_values_at_minus_one_zero_one(activation_id: str, expected: list[float]) -> None:
    out = ACTIVATIONS[activation_id].fn(np.array([-1.0, 0.0, 1.0]))
    np.testing.assert_allclose(out, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize("activation_id", sorted(ACTIVATIONS))
def test_derivative_matches_central_difference(activation_id: str) -> None:
    f = ACTIVATIONS[activation_id]
    numeric = (f.fn(SMOOTH_Z + H) - f.fn(SMOOTH_Z - H)) / (2 * H)
    np.testing.assert_allclose(f.derivative(SMOOTH_Z), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("activation_id", sorted(ACTIVATIONS))
def test_output_reaches_midpoint_exactly_when_z_reaches_z_star(activation_id: str) -> None:
    f = ACTIVATIONS[activation_id]
    z_star = midpoint_preactivation(f)
    z = z_star + np.array([-2.0, -0.3, -1e-3, 0.0, 1e-3, 0.3, 2.0])
    assert ((f.fn(z) >= f.midpoint) == (z >= z_star)).all()


def test_tanh_trains_class_zero_as_minus_one_the_others_as_zero() -> None:
    lows = {key: a.low_target for key, a in ACTIVATIONS.items()}
    assert lows == {"step": 0.0, "sigmoid": 0.0, "tanh": -1.0, "relu": 0.0, "linear": 0.0}


def test_sigmoid_is_symmetric_about_one_half() -> None:
    z = np.linspace(-40, 40, 81)
    np.testing.assert_allclose(sigmoid(-z), 1.0 - sigmoid(z), atol=1e-16)


@settings(deadline=None)
@given(FINITE_Z)
def test_sigmoid_is_finite_and_in_unit_interval_for_any_finite_z(z: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = sigmoid(np.array([z, -z]))
        der = ACTIVATIONS["sigmoid"].derivative(np.array([z]))
    assert np.isfinite(out).all() and ((out >= 0) & (out <= 1)).all()
    assert 0.0 <= der[0] <= 0.25


@pytest.mark.parametrize(
    ("z", "expected"), [(1e308, 1.0), (-1e308, 0.0), (710.0, 1.0), (-710.0, 0.0), (1e-320, 0.5)]
)
def test_sigmoid_at_the_edges_of_float64(z: float, expected: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = float(sigmoid(np.array(z)))
    assert out == pytest.approx(expected, rel=0, abs=1e-300)


@settings(deadline=None)
@given(FINITE_Z)
def test_softplus_is_finite_and_above_both_zero_and_z(z: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = float(softplus(np.array(z)))
    assert np.isfinite(out)
    assert out >= max(z, 0.0)
    assert out - max(z, 0.0) <= np.log(2.0) + 1e-15
