"""Rosenblatt's perceptron rule, w ← w + η·(d − y)·x, online, one pass over a run of samples."""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from app.neuron.progress import Status
from app.neuron.updates import finite, update_record

if TYPE_CHECKING:
    from app.neuron.training import Run

PERCEPTRON_BLOCK = 64  # samples tested at once after a perceptron error
PERCEPTRON_MAX_BLOCK = 65_536  # the most, after a long run without one
# A pass this short over two features is a plain loop over Python floats: each NumPy call
# costs about a microsecond whatever its size, and on points that keep a perceptron busy (two
# overlapping clouds: an error every twenty samples) the blocks above cost several calls per
# error. Only on the main thread, though: a loop over Python floats keeps the GIL until the
# interpreter takes it away (every switch interval), where each BLAS call lets it go, so a
# service training large steps on other threads (app/live/scheduler.py) would starve its event
# loop, on the main thread, of the GIL (a small request waited 2 s behind eight large steps).
SCALAR_MAX_SAMPLES = 1_024


def perceptron_pass(run: Run, chunk: np.ndarray) -> int:
    """The rule over `chunk`; returns how many samples were kept (all, unless it diverged)."""
    if len(chunk) == 0:
        return 0
    if (run.data.n_features == 2 and len(chunk) <= SCALAR_MAX_SAMPLES
            and threading.current_thread() is threading.main_thread()):
        return _scalar_pass(run, chunk)
    return _block_pass(run, chunk)


def _scalar_pass(run: Run, chunk: np.ndarray) -> int:
    """The rule one sample at a time on Python floats (short passes over two features)."""
    rows, labels = run.data.rows, run.data.labels
    lr, use_bias, z_star = run.config.learning_rate, run.config.use_bias, run.z_star
    (w0, w1), b = run.w.tolist(), run.b
    state, last = run.state, None
    order = chunk.tolist()
    for i, s in enumerate(order):
        x0, x1 = rows[s]
        e = labels[s] - (1 if w0 * x0 + w1 * x1 + b >= z_star else 0)
        if e == 0:
            continue
        before = (w0, w1, b)
        step = lr * e
        w0, w1 = w0 + step * x0, w1 + step * x1
        b = b + step if use_bias else 0.0
        if not (math.isfinite(w0) and math.isfinite(w1) and math.isfinite(b)):
            run.w, run.b = np.array(before[:2]), before[2]
            state.status = Status.DIVERGED
            return i
        state.epoch_errors += 1
        state.changes += 1
        last = (i, before)
    run.w, run.b = np.array([w0, w1]), b
    _record_perceptron(run, chunk, len(order),
                       None if last is None else (last[0], (np.array(last[1][:2]), last[1][2])))
    return len(order)


def _block_pass(run: Run, chunk: np.ndarray) -> int:
    """The rule over `chunk`, testing a block of samples per vector op; returns how many were kept.

    Between two errors the weights do not move, so a whole block can be classified at once
    and only the first mistake in it needs the update. The block doubles while no mistake
    turns up (a long clean stretch costs a few vector ops) and shrinks back after one.
    """
    X, d, lr = run.data.X, run.data.y, run.config.learning_rate
    w, b, use_bias = run.w, run.b, run.config.use_bias
    n, last = len(chunk), None
    if run.config.shuffle:
        X, d = X[chunk], d[chunk]
    else:  # data order: the chunk is a run of consecutive rows, so views will do
        X, d = X[chunk[0] : chunk[0] + n], d[chunk[0] : chunk[0] + n]
    i, block = 0, PERCEPTRON_BLOCK
    with np.errstate(over="ignore", invalid="ignore"):
        while i < n:
            y = X[i : i + block] @ w + b >= run.z_star
            wrong = y != d[i : i + block]
            k = int(wrong.argmax())
            if not wrong[k]:
                i += len(wrong)
                block = min(2 * block, PERCEPTRON_MAX_BLOCK)
                continue
            i, block = i + k, PERCEPTRON_BLOCK
            before = (w.copy(), b)
            e = int(d[i]) - int(y[k])
            w = w + lr * e * X[i]
            b = b + lr * e if use_bias else 0.0
            if not finite(w, b):
                run.w, run.b = before
                run.state.status = Status.DIVERGED
                return i
            run.state.epoch_errors += 1
            run.state.changes += 1
            last = (i, before)
            i += 1
    run.w, run.b = w, b
    _record_perceptron(run, chunk, n, last)
    return n


def _record_perceptron(run: Run, chunk: np.ndarray, n: int, last: tuple[int, Any] | None) -> None:
    """last_update for the final sample of the pass, whether or not it changed anything."""
    s = int(chunk[n - 1])
    w0, b0 = last[1] if last is not None and last[0] == n - 1 else (run.w, run.b)
    x = run.data.X[s]
    with np.errstate(over="ignore", invalid="ignore"):  # weights set by hand may be huge
        z = float(x @ w0 + b0)
        y = int(z >= run.z_star)
        e = int(run.data.y[s]) - y
        run.state.last_update = update_record(
            "perceptron", s, x, float(run.data.y[s]), z, float(run.activation.fn(np.array(z))),
            y=y, error=float(e), dw=run.w - w0, db=run.b - b0, w_before=w0, b_before=b0,
            w=run.w, b=run.b, learning_rate=run.config.learning_rate)  # fmt: skip
