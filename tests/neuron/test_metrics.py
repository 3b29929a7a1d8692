"""Metrics: confusion counts, precision, recall, F1 and the ROC curve's area on hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.neuron.metrics import confusion, precision_recall_f1, roc, set_metrics

LABELS = np.array([1, 1, 1, 0, 0, 0, 0, 1])
PREDICTED = np.array([1, 0, 1, 0, 1, 0, 0, 1])


def test_confusion_precision_recall_f1_of_a_hand_made_case() -> None:
    c = confusion(LABELS, PREDICTED)
    assert (c.tn, c.fp, c.fn, c.tp) == (3, 1, 1, 3)
    assert precision_recall_f1(c) == (0.75, 0.75, 0.75)


def test_undefined_ratios_are_none_not_zero() -> None:
    c = confusion(np.array([0, 0, 1]), np.array([0, 0, 0]))
    assert precision_recall_f1(c) == (None, 0.0, 0.0)


def test_auc_of_a_hand_made_ranking() -> None:
    """Positives scored 0.9, 0.8, 0.4; negatives 0.7, 0.3, 0.2: of the 9 (positive, negative)
    pairs the positive wins 8 (0.4 loses to 0.7), so AUC = 8/9."""
    curve = roc(np.array([1, 1, 1, 0, 0, 0]), np.array([0.9, 0.8, 0.4, 0.7, 0.3, 0.2]))
    assert curve is not None
    assert curve.auc == pytest.approx(8 / 9, abs=1e-15)
    assert curve.fpr == pytest.approx([0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1])
    assert curve.tpr == pytest.approx([0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1])


def test_ties_count_one_half_and_one_class_has_no_curve() -> None:
    curve = roc(np.array([1, 0]), np.array([0.5, 0.5]))
    assert curve is not None and curve.auc == 0.5
    assert roc(np.array([1, 1]), np.array([0.2, 0.3])) is None


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.floats(-5, 5)),
                min_size=1, max_size=300))  # fmt: skip
def test_counts_sum_to_the_set_size_and_auc_is_the_pairwise_win_rate(
        rows: list[tuple[int, int, float]]) -> None:  # fmt: skip
    y, p, s = (np.array(col) for col in zip(*rows))
    m = set_metrics(y, p, s)
    assert sum(m["confusion"].values()) == m["total"] == len(rows)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) and len(neg):
        wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
        assert m["roc"]["auc"] == pytest.approx(wins / (len(pos) * len(neg)), abs=1e-12)
        assert len(m["roc"]["fpr"]) <= 42 and m["roc"]["fpr"][-1] == 1.0
    else:
        assert m["roc"] is None
