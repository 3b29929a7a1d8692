"""A run as a standalone Python + NumPy script that retrains it and prints the weights.

The script carries the training data and the replay log as one JSON string literal (made by
`repr`, so nothing a user typed can become code) and repeats the training rules in plain NumPy.
"""

from __future__ import annotations

import json
from typing import Any

from app.neuron.datasets import Dataset

TEMPLATE = '''\
"""Neuron Playground export: retrains one run of a neuron (or a 2-H-1 network) with NumPy alone.

Run it with `python {filename}`; it prints the final weights and bias (and hidden layer).
RUN holds the training data (X, y: class 0 is RUN["class_names"][0], class 1 the other; the
columns are RUN["feature_names"]) and the steps of the run.
Rules: perceptron  w <- w + lr*(d - y)*x, b <- b + lr*(d - y)
       gradient    w <- w - lr*dE/dw, E = 1/2 (o - t)^2 (or cross-entropy), o = f(w.x + b)
       backprop    with a hidden layer h = g(W x + c), o = sigmoid(w.h + b): the output neuron
                   as above with h as its inputs, and W <- W - lr*dE/dW, dE/dz_j = delta*w_j*g'(z_j)
"""
import json

import numpy as np

RUN = json.loads({payload})


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


ACTIVATIONS = {{  # name: (f, f', class-0 target, z on the boundary)
    "step": (lambda z: (z >= 0).astype(float), lambda z: np.zeros_like(z), 0.0, 0.0),
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), 0.0, 0.0),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2, -1.0, 0.0),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float), 0.0, 0.5),
    "linear": (lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z), 0.0, 0.5),
}}


def delta(cfg, z, t, out):
    """dE/dz for one sample or a batch; `out` is the output neuron's activation."""
    f, df, _, _ = ACTIVATIONS[out]
    if cfg["loss"] == "cross_entropy":
        return f(z) - t
    return (f(z) - t) * df(z)


def epoch_order(n, seed, epoch, shuffle):
    return np.random.default_rng([seed, epoch]).permutation(n) if shuffle else np.arange(n)


def online_update(cfg, X, d, t, w, b, s):
    lr, use_bias = cfg["learning_rate"], cfg["use_bias"]
    z = X[s] @ w + b
    if cfg["rule"] == "perceptron":
        e = int(d[s]) - int(z >= ACTIVATIONS[cfg["activation"]][3])
        return w + lr * e * X[s], (b + lr * e if use_bias else 0.0)
    g = float(delta(cfg, np.array(z), np.array(t[s]), cfg["activation"]))
    return w + -lr * g * X[s], (b + -lr * g if use_bias else 0.0)


def full_batch_update(cfg, X, t, w, b):
    g = delta(cfg, X @ w + b, t, cfg["activation"])
    scale = 1.0 if cfg["reduction"] == "sum" else 1.0 / len(X)
    grad_b = float(g.sum()) * scale if cfg["use_bias"] else 0.0
    return w - cfg["learning_rate"] * ((X.T @ g) * scale), b - cfg["learning_rate"] * grad_b


def hidden_forward(cfg, net, X):
    zh = X @ net[0].T + net[1]
    return zh, ACTIVATIONS[cfg["activation"]][0](zh)


def backprop(cfg, net, X, t, w, b, scale):
    """Every gradient (the output neuron's, then the hidden layer's), for one sample or a batch."""
    g_h = ACTIVATIONS[cfg["activation"]][1]
    zh, h = hidden_forward(cfg, net, X)
    g = delta(cfg, h @ w + b, t, "sigmoid")
    delta_h = np.multiply.outer(g, w) * g_h(zh)
    if X.ndim == 1:
        grads = g * h, g, np.outer(delta_h, X), delta_h
    else:
        grads = (h.T @ g) * scale, float(g.sum()) * scale, (delta_h.T @ X) * scale, delta_h.sum(axis=0) * scale
    if not cfg["use_bias"]:
        grads = grads[0], 0.0, grads[2], np.zeros_like(grads[3])
    return grads


def network_update(cfg, net, X, t, w, b, scale=1.0):
    lr = cfg["learning_rate"]
    gw, gb, gW, gc = backprop(cfg, net, X, t, w, b, scale)
    return (net[0] - lr * gW, net[1] - lr * gc), w - lr * gw, b - lr * gb


def main():
    X, d = np.array(RUN["X"], dtype=float), np.array(RUN["y"])
    start = RUN["start"]
    cfg = start["config"]
    w, b = np.array(start["weights"], dtype=float), float(start["bias"])
    net = layer(start.get("hidden"))
    epoch, cursor = start["epoch"], start["cursor"]
    for op in RUN["log"]:
        t = np.where(d == 1, 1.0, 0.0 if net else ACTIVATIONS[cfg["activation"]][2])
        if "config" in op:
            cfg = op["config"]
            if cfg["batch"] == "full":
                cursor = 0
            if not cfg["use_bias"]:
                b = 0.0
        elif "set" in op:
            w, b = np.array(op["set"]["weights"], dtype=float), float(op["set"]["bias"])
            net = layer(op["set"].get("hidden"))
        elif "epochs" in op:
            scale = 1.0 if cfg["reduction"] == "sum" else 1.0 / len(X)
            for _ in range(op["epochs"]):
                if net:
                    net, w, b = network_update(cfg, net, X, t, w, b, scale)
                else:
                    w, b = full_batch_update(cfg, X, t, w, b)
                epoch += 1
        else:
            for _ in range(op["samples"]):
                s = epoch_order(len(X), cfg["seed"], epoch, cfg["shuffle"])[cursor]
                if net:
                    net, w, b = network_update(cfg, net, X[s], np.array(t[s]), w, b)
                else:
                    w, b = online_update(cfg, X, d, t, w, b, s)
                cursor += 1
                if cursor == len(X):
                    epoch, cursor = epoch + 1, 0
    result = {{"weights": w.tolist(), "bias": b, "epoch": epoch}}
    if net:
        result["hidden"] = {{"weights": net[0].tolist(), "biases": net[1].tolist()}}
    print(json.dumps(result))


def layer(values):
    """The hidden layer (W, c) from its JSON form, or None for a single neuron."""
    if values is None:
        return None
    return np.array(values["weights"], dtype=float), np.array(values["biases"], dtype=float)


if __name__ == "__main__":
    main()
'''


def export_script(data: Dataset, checkpoint: dict[str, Any], log: list[dict[str, Any]],
                  filename: str = "neuron.py") -> str:  # fmt: skip
    """The script that replays `log` from `checkpoint` on the run's training data."""
    payload = {"X": data.X.tolist(), "y": data.y.tolist(), "feature_names": data.feature_names,
               "class_names": data.class_names, "start": checkpoint, "log": log}  # fmt: skip
    return TEMPLATE.format(payload=repr(json.dumps(payload)), filename=filename)
