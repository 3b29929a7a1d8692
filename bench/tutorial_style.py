"""The tutorials' way of training, re-written in our own words as the baseline to beat.

One Python iteration per sample; the bias is folded into the weights as W[0] by prepending a 1 to
each sample with np.insert, and the pre-activation is np.dot. Nothing here is vectorised over
samples: that is the point of the comparison (PRODUCT.md §12).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def perceptron_epoch(X: Array, d: NDArray[np.int64], W: Array, learning_rate: float = 1.0) -> Array:
    """Rosenblatt's rule over the samples in order: W ← W + η·(d − y)·[1, x]."""
    for i in range(d.shape[0]):
        x = np.insert(X[i], 0, 1)
        y = 1 if W.dot(x) >= 0 else 0
        W = W + learning_rate * (d[i] - y) * x
    return W


def gradient_epoch(X: Array, t: Array, W: Array, learning_rate: float = 0.5) -> Array:
    """One full-batch step of ½·mean (o − t)² for a sigmoid neuron, gradient summed sample by sample."""
    grad = np.zeros_like(W)
    for i in range(t.shape[0]):
        x = np.insert(X[i], 0, 1)
        o = 1.0 / (1.0 + np.exp(-np.dot(W, x)))
        grad = grad + (o - t[i]) * o * (1.0 - o) * x
    return W - learning_rate * grad / t.shape[0]
