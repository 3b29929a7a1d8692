"""The record of one update (PRODUCT.md §9), the numbers the page typesets, always finite."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from app.neuron.activations import Array

if TYPE_CHECKING:
    from app.neuron.training import Run


def finite(w: Array, b: float) -> bool:
    return bool(np.isfinite(w).all()) and math.isfinite(b)


def update_record(kind: str, sample: int, x: Array, d: float, z: float, output: float,
                  **values: Any) -> dict[str, Any]:  # fmt: skip
    """The numbers of one update, for the page to typeset (PRODUCT.md §9)."""
    record: dict[str, Any] = {"kind": kind, "sample": sample, "x": x, "d": d, "z": z,
                              "output": output}  # fmt: skip
    for key, value in values.items():
        name = {"dw": "delta_w", "db": "delta_b"}.get(key, key)
        record[name] = value
    for key in ("x", "z", "output", "delta_w", "delta_b", "w_before", "b_before", "w", "b", "delta",
                "error"):  # fmt: skip
        if key in record:  # overflowed numbers go out as ±1e308, never as inf or NaN
            record[key] = finite_numbers(record[key])
    return record


def finite_numbers(value: Any) -> Any:
    """A number or an array as plain floats, ±inf and NaN clamped to ±1e308 and 0; the check
    comes first because nan_to_num costs ~8 µs and runs for every update shown on the page."""
    if isinstance(value, (float, int, np.floating, np.integer)) and math.isfinite(value):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype == np.float64:
        listed = value.tolist()  # a few weights: checked as Python floats in a fraction of that
        if all(map(math.isfinite, listed)):
            return listed
    numbers = np.asarray(value, dtype=np.float64)
    if not np.isfinite(numbers).all():
        numbers = np.nan_to_num(numbers, posinf=1e308, neginf=-1e308)
    return numbers.tolist()


def batch_record(run: Run, grad_w: Array, grad_b: float, w: Array, b: float) -> dict[str, Any]:
    lr = run.config.learning_rate
    return {"kind": "batch", "samples": run.n_train, "reduction": run.config.reduction,
            "learning_rate": lr, "grad_w": grad_w.tolist(), "grad_b": grad_b,
            "delta_w": (-lr * grad_w).tolist(), "delta_b": -lr * grad_b,
            "w_before": run.w.tolist(), "b_before": float(run.b), "w": w.tolist(), "b": float(b)}  # fmt: skip
