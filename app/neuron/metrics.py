"""How good the neuron's predictions are, past accuracy: the confusion matrix, precision, recall
and F1 for one set of samples, and for a smooth activation the ROC curve and its AUC.

Class 1 is the positive class. A ratio whose denominator is zero (no sample predicted positive,
say) is None: undefined, not 0, so the page can say so instead of showing a false figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.neuron.activations import Array
from app.neuron.datasets import Labels

ROC_POINTS = 41  # the curve sent is thinned to about this many points; the AUC uses all of them
# Class names where a dataset's classes have them (class 0 first); others are "class 0"/"class 1".
CLASS_NAMES: dict[str, tuple[str, str]] = {
    "breast_cancer": ("malignant", "benign"),
    "virus": ("no virus", "virus"),
}


@dataclass(frozen=True)
class Confusion:
    """Counts of one set: true negatives, false positives, false negatives, true positives."""

    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def total(self) -> int:
        return self.tn + self.fp + self.fn + self.tp


@dataclass(frozen=True)
class Roc:
    fpr: list[float]  # false-positive rate at each threshold, from 0 up to 1
    tpr: list[float]  # true-positive rate at the same thresholds
    auc: float


def class_names(dataset_id: str) -> list[str]:
    return list(CLASS_NAMES.get(dataset_id, ("class 0", "class 1")))


def confusion(labels: Labels | Array, predictions: Labels | Array) -> Confusion:
    cell = 2 * (np.asarray(labels) == 1) + (np.asarray(predictions) == 1)  # 0 tn, 1 fp, 2 fn, 3 tp
    tn, fp, fn, tp = np.bincount(cell, minlength=4).tolist()
    return Confusion(tn, fp, fn, tp)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def precision_recall_f1(c: Confusion) -> tuple[float | None, float | None, float | None]:
    """precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2·tp / (2·tp + fp + fn)."""
    return _ratio(c.tp, c.tp + c.fp), _ratio(c.tp, c.tp + c.fn), _ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn)


def roc(labels: Labels, scores: Array) -> Roc | None:
    """The ROC curve of ranking by score (higher: more class 1), None without both classes.

    Thresholds run down through the distinct scores, so tied scores move the curve diagonally;
    the AUC is the trapezoid area under the full curve, which equals the probability that a
    random positive outscores a random negative (ties counting one half).
    """
    y = np.asarray(labels) == 1
    positives, negatives = int(np.count_nonzero(y)), int(np.count_nonzero(~y))
    if positives == 0 or negatives == 0:
        return None
    s = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0, posinf=1e308, neginf=-1e308)
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]  # the curve moves once per distinct score
    tp = np.cumsum(y)[last_of_tie]
    fp = np.cumsum(~y)[last_of_tie]
    tpr = np.r_[0.0, tp / positives]
    fpr = np.r_[0.0, fp / negatives]
    auc = float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2.0))
    keep = _thinned_indices(len(fpr), ROC_POINTS)
    return Roc(fpr[keep].tolist(), tpr[keep].tolist(), auc)


def _thinned_indices(n: int, at_most: int) -> Labels:
    """Evenly spread indices that keep the first and the last point."""
    if n <= at_most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, at_most).round().astype(np.int64))


def set_metrics(labels: Labels, predictions: Labels | Array, scores: Array | None) -> dict[str, Any]:
    """Everything about one set, as plain data: counts, the three ratios, and ROC (or None)."""
    c = confusion(labels, predictions)
    precision, recall, f1 = precision_recall_f1(c)
    curve = roc(labels, scores) if scores is not None else None
    # dicts written out: dataclasses.asdict deep-copies, and this runs for every frame
    return {"confusion": {"tn": c.tn, "fp": c.fp, "fn": c.fn, "tp": c.tp}, "total": c.total,
            "precision": precision, "recall": recall, "f1": f1,
            "roc": None if curve is None else {"fpr": curve.fpr, "tpr": curve.tpr, "auc": curve.auc}}  # fmt: skip
