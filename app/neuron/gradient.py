"""Gradient descent on the loss: online (one sample per update) and full batch (one per epoch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from app.neuron.progress import Progress, Status
from app.neuron.updates import batch_record, finite, update_record

if TYPE_CHECKING:
    from app.neuron.training import Run


def gradient_online_pass(run: Run, chunk: np.ndarray) -> int:
    """w ← w − η·δ·x per sample, δ = dE/dz of that sample alone; returns how many were kept."""
    X, t, lr = run.data.X, run.targets, run.config.learning_rate
    f, loss, use_bias = run.activation, run.loss_fn, run.config.use_bias
    w, b, last, done = run.w, run.b, None, len(chunk)
    for k, s in enumerate(chunk):
        x = X[s]
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.array(x @ w + b)
            o = f.fn(z)
            delta = float(loss.delta(z, o, np.array(t[s]), f))
            dw = -lr * delta * x
            db = -lr * delta if use_bias else 0.0
            new_w, new_b = w + dw, b + db
        if not finite(new_w, new_b):
            run.state.status = Status.DIVERGED
            done = k
            break
        last = (int(s), x, float(z), float(o), delta, dw, db, w, b, new_w, new_b)
        run.state.changes += delta != 0
        w, b = new_w, new_b
    run.w, run.b = w, b
    if last is not None:  # only the pass's final update is shown, so only it is recorded
        s_last, x_last, z_last, o_last, delta, dw, db, w0, b0, w1, b1 = last
        run.state.last_update = update_record(
            "gradient", s_last, x_last, float(t[s_last]), z_last, o_last,
            y=int(z_last >= run.z_star), error=o_last - float(t[s_last]), delta=delta,
            dw=dw, db=db, w_before=w0, b_before=b0, w=w1, b=b1, learning_rate=lr)  # fmt: skip
    return done


def train_full_batch(run: Run, epochs: int) -> Progress:
    """One update per epoch from the gradient summed (or averaged) over every sample."""
    progress = Progress()
    X, t, n = run.data.X, run.targets, run.n_train
    f, loss, lr = run.activation, run.loss_fn, run.config.learning_rate
    scale = 1.0 if run.config.reduction == "sum" else 1.0 / n
    for _ in range(epochs):
        if not run.can_train():
            break
        z, o = run.forward_pass()
        with np.errstate(over="ignore", invalid="ignore"):
            delta = loss.delta(z, o, t, f)
            grad_w = (X.T @ delta) * scale
            grad_b = float(delta.sum()) * scale if run.config.use_bias else 0.0
            new_w, new_b = run.w - lr * grad_w, run.b - lr * grad_b
        if not finite(new_w, new_b):
            run.state.status = Status.DIVERGED
            break
        run.state.last_update = batch_record(run, grad_w, grad_b, new_w, new_b)
        run.w, run.b = new_w, new_b
        run.state.step += 1
        run.state.changes += bool(grad_w.any() or grad_b)
        run.sync()
        run.state.epoch += 1
        run.close_epoch(progress)
    return progress
