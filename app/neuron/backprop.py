"""Backpropagation through the hidden layer: online (one sample per update) and full batch.

The output neuron moves as the single neuron does under the gradient rule, with the hidden
outputs h as its inputs: w ← w − η·δ·h, δ = dE/dz. The hidden layer moves by the same δ sent
back through the output weights: W_j ← W_j − η·δ_j·x with δ_j = δ·w_j·g'(z_j), all from the
weights before the update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from app.neuron.activations import Array
from app.neuron.network import HiddenLayer
from app.neuron.progress import Progress, Status
from app.neuron.updates import batch_record, finite, finite_numbers, update_record

if TYPE_CHECKING:
    from app.neuron.training import Run

RECORD_MAX_HIDDEN_WEIGHTS = 64  # hidden weights a record spells out (8 neurons × 8 inputs)


def backprop_online_pass(run: Run, chunk: np.ndarray) -> int:
    """One backpropagation update per sample of `chunk`; returns how many were kept."""
    X, t, lr = run.data.X, run.targets, run.config.learning_rate
    f, loss, use_bias = run.activation, run.loss_fn, run.config.use_bias
    hidden, w, b, last, done = _layer(run), run.w, run.b, None, len(chunk)
    for k, s in enumerate(chunk):
        x = X[s]
        zh, h = hidden.forward(x)
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.array(h @ w + b)
            o = f.fn(z)
            delta = float(loss.delta(z, o, np.array(t[s]), f))
            dw = -lr * delta * h
            db = -lr * delta if use_bias else 0.0
            delta_h, grad_W, grad_c = hidden.backward(x, zh, h, delta, w)
            dW, dc = -lr * grad_W, (-lr * grad_c if use_bias else np.zeros_like(grad_c))
            new_w, new_b, new_hidden = w + dw, b + db, hidden.moved(dW, dc)
        if not (finite(new_w, new_b) and new_hidden.finite()):
            run.state.status = Status.DIVERGED
            done = k
            break
        last = (int(s), x, zh, h, float(z), float(o), delta, delta_h, dw, db, w, b, hidden,
                new_w, new_b, new_hidden)  # fmt: skip
        run.state.changes += delta != 0
        w, b, hidden = new_w, new_b, new_hidden
    run.w, run.b, run.hidden = w, b, hidden
    if last is not None:  # only the pass's final update is shown, so only it is recorded
        run.state.last_update = _online_record(run, *last)
    return done


def _online_record(run: Run, s: int, x: Array, zh: Array, h: Array, z: float, o: float,
                   delta: float, delta_h: Array, dw: Array, db: float, w0: Array, b0: float, hidden0: HiddenLayer, w1: Array, b1: float,
                   hidden1: HiddenLayer) -> dict[str, Any]:  # fmt: skip
    """The single neuron's update record for the output neuron (its x being h), and the
    hidden layer's numbers beside it under `hidden`."""
    d = float(run.targets[s])
    record = update_record(
        "backprop", s, h, d, z, o, y=int(z >= run.z_star), error=o - d, delta=delta, dw=dw,
        db=db, w_before=w0, b_before=b0, w=w1, b=b1, learning_rate=run.config.learning_rate)  # fmt: skip
    record["x"] = finite_numbers(x)
    record["h"] = finite_numbers(h)
    record["hidden"] = {
        "z": finite_numbers(zh), "h": finite_numbers(h), "delta": finite_numbers(delta_h),
        "biases_before": finite_numbers(hidden0.biases), "biases": finite_numbers(hidden1.biases),
        **_matrices(hidden0, weights_before=hidden0.weights, weights=hidden1.weights),
    }  # fmt: skip
    return record


def _matrices(hidden: HiddenLayer, **matrices: Array) -> dict[str, Any]:
    """The hidden weight matrices for the record, while small enough to show: past
    RECORD_MAX_HIDDEN_WEIGHTS they would outgrow a frame (PRODUCT.md §7: at most 16 kB), and
    the state's `layers` carries them anyway."""
    if hidden.weights.size > RECORD_MAX_HIDDEN_WEIGHTS:
        return {"matrices": False}
    return {"matrices": True, **{k: finite_numbers(v) for k, v in matrices.items()}}


def train_network_full_batch(run: Run, epochs: int) -> Progress:
    """One update per epoch from the gradients summed (or averaged) over every sample."""
    progress = Progress()
    X, t, n = run.data.X, run.targets, run.n_train
    f, loss, lr = run.activation, run.loss_fn, run.config.learning_rate
    scale = 1.0 if run.config.reduction == "sum" else 1.0 / n
    use_bias = run.config.use_bias
    for _ in range(epochs):
        if not run.can_train():
            break
        z, o = run.forward_pass()
        assert run.hidden_pass is not None
        zh, h = run.hidden_pass
        hidden = _layer(run)
        with np.errstate(over="ignore", invalid="ignore"):
            delta = loss.delta(z, o, t, f)
            grad_w = (h.T @ delta) * scale
            grad_b = float(delta.sum()) * scale if use_bias else 0.0
            _, grad_W, grad_c = hidden.backward(X, zh, h, delta, run.w)
            grad_W, grad_c = grad_W * scale, (grad_c * scale if use_bias else np.zeros_like(grad_c))
            new_w, new_b = run.w - lr * grad_w, run.b - lr * grad_b
            new_hidden = hidden.moved(-lr * grad_W, -lr * grad_c)
        if not (finite(new_w, new_b) and new_hidden.finite()):
            run.state.status = Status.DIVERGED
            break
        record = batch_record(run, grad_w, grad_b, new_w, new_b)
        record["hidden"] = {
            "grad_biases": finite_numbers(grad_c), "biases_before": hidden.biases.tolist(),
            "biases": new_hidden.biases.tolist(),
            **_matrices(hidden, grad_weights=grad_W, weights_before=hidden.weights,
                        weights=new_hidden.weights),
        }  # fmt: skip
        run.state.last_update = record
        run.w, run.b, run.hidden = new_w, new_b, new_hidden
        run.state.step += 1
        run.state.changes += 1
        run.sync()
        run.state.epoch += 1
        run.close_epoch(progress)
    return progress


def _layer(run: Run) -> HiddenLayer:
    if run.hidden is None:
        raise ValueError("backpropagation needs a hidden layer")
    return run.hidden
