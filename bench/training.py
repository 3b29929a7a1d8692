"""Time per training epoch: our Run against the tutorials' loop code and scikit-learn.

Every implementation starts from zero weights and does its first epoch over the same arrays, in
data order; setup (a fresh model) is outside the timer. Ours includes what a real epoch does in
the product: the end-of-epoch evaluation (loss, accuracy) for the history row.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from app.neuron.config import NeuronConfig
from app.neuron.datasets import DataParams, Dataset, load_dataset
from app.neuron.training import Run
from bench import tutorial_style
from bench.timing import Timing, measure, table

CLASSES = np.array([0, 1])
LOOP_SPEEDUP_TARGET = 50.0  # ours at least this many times faster than the tutorials' loops
GRADIENT_LEARNING_RATE = 0.5


@dataclass(frozen=True)
class Case:
    name: str
    dataset: str
    params: DataParams


CASES = [
    Case("breast_cancer", "breast_cancer", DataParams(seed=0, test_fraction=0.3)),
    Case("blobs 10k", "blobs", DataParams(seed=0, n_samples=10_000)),
    # Past the API's n_samples cap on purpose: the core itself has no limit.
    Case("blobs 1M", "blobs", DataParams(seed=0, n_samples=1_000_000)),
]


def run(quick: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {"cases": [], "note": __doc__.strip().splitlines()[0]}
    for case in CASES:
        if quick and case.name == "blobs 1M":
            continue
        results["cases"].append(_bench_case(case, quick))
    return results


def _bench_case(case: Case, quick: bool) -> dict[str, Any]:
    data = load_dataset(case.dataset, case.params)
    X, y = data.X, data.y
    n, big = X.shape[0], X.shape[0] >= 100_000
    repeats = 5 if quick else 15
    loop_budget = 1.0 if big else 5.0  # the loops on 1M samples run once (several seconds each)

    def time_it(setup: Callable[[], Any], call: Callable[[Any], object], budget: float = 20.0) -> Timing:
        return measure(setup, call, repeats=repeats, budget_s=budget)

    perceptron = _config(case, activation="step", rule="perceptron", learning_rate=1.0)
    gradient = _config(case, activation="sigmoid", rule="gradient",
                       learning_rate=GRADIENT_LEARNING_RATE, batch="full", reduction="mean")  # fmt: skip
    W0 = np.zeros(X.shape[1] + 1)
    targets = y.astype(np.float64)
    timings: dict[str, Timing] = {
        "ours perceptron": time_it(lambda: Run(perceptron, data=data), lambda r: r.train_epochs(1)),
        "loop perceptron": time_it(lambda: W0.copy(),
                                   lambda W: tutorial_style.perceptron_epoch(X, y, W), loop_budget),
        "sklearn Perceptron": time_it(_sk_perceptron, lambda m: m.partial_fit(X, y, classes=CLASSES)),
        "ours full-batch gradient": time_it(lambda: Run(gradient, data=data),
                                            lambda r: r.train_epochs(1)),  # fmt: skip
        "loop full-batch gradient": time_it(
            lambda: W0.copy(), lambda W: tutorial_style.gradient_epoch(X, targets, W), loop_budget),
        "sklearn SGDClassifier": time_it(_sk_sgd, lambda m: m.partial_fit(X, y, classes=CLASSES)),
    }
    if not big:  # information only: the online gradient rule records every update for the page
        online = _config(case, activation="sigmoid", rule="gradient",
                         learning_rate=GRADIENT_LEARNING_RATE, batch="online")  # fmt: skip
        timings["ours online gradient"] = time_it(lambda: Run(online, data=data),
                                                  lambda r: r.train_epochs(1))  # fmt: skip
    return {
        "case": case.name, "samples": n, "features": int(X.shape[1]),
        "timings": {k: v.as_dict() for k, v in timings.items()},
        "ratios": _ratios(timings),
        "same_weights_as_loops": _agree(data, perceptron, gradient),
    }  # fmt: skip


def _config(case: Case, **fields: Any) -> NeuronConfig:
    p = case.params
    return NeuronConfig(dataset=case.dataset, seed=p.seed, n_samples=p.n_samples,
                        test_fraction=p.test_fraction, **fields)  # fmt: skip


def _sk_perceptron() -> Any:
    from sklearn.linear_model import Perceptron

    return Perceptron(eta0=1.0, penalty=None, tol=None, shuffle=False, fit_intercept=True)


def _sk_sgd() -> Any:
    """Logistic loss is the sklearn loss closest to ours: a sigmoid output trained by gradient.

    It updates after every sample (sklearn has no full batch), so it is the per-epoch
    price of the nearest compiled equivalent, not the same algorithm.
    """
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss="log_loss", penalty=None, learning_rate="constant",
                         eta0=GRADIENT_LEARNING_RATE, shuffle=False, tol=None)  # fmt: skip


def _ratios(t: dict[str, Timing]) -> dict[str, float]:
    """How many times faster ours is (> 1: ours is faster), best run against best run: on a
    shared machine the minimum is the estimate least disturbed by other work."""
    def ratio(base: str, ours: str) -> float:
        return t[base].min_s / t[ours].min_s

    return {
        "perceptron_vs_loop": ratio("loop perceptron", "ours perceptron"),
        "perceptron_vs_sklearn": ratio("sklearn Perceptron", "ours perceptron"),
        "gradient_vs_loop": ratio("loop full-batch gradient", "ours full-batch gradient"),
        "gradient_vs_sklearn": ratio("sklearn SGDClassifier", "ours full-batch gradient"),
    }


def _agree(data: Dataset, perceptron: NeuronConfig, gradient: NeuronConfig) -> bool:
    """Both ways of training give the same weights after one epoch (a check on the baseline)."""
    W0 = np.zeros(data.n_features + 1)
    ours = []
    for config in (perceptron, gradient):
        r = Run(config, data=data)
        r.train_epochs(1)
        ours.append(r)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        loops = [tutorial_style.perceptron_epoch(data.X, data.y, W0.copy()),
                 tutorial_style.gradient_epoch(data.X, data.y.astype(np.float64), W0.copy())]  # fmt: skip
    return all(bool(np.allclose(W[1:], r.w, rtol=1e-9, atol=1e-9) and np.isclose(W[0], r.b))
               for W, r in zip(loops, ours))  # fmt: skip


def report(results: dict[str, Any]) -> str:
    out = []
    for case in results["cases"]:
        t = case["timings"]
        ours = {"perceptron": t["ours perceptron"]["min_s"],
                "gradient": t["ours full-batch gradient"]["min_s"]}  # fmt: skip
        rows = []
        for name, tm in t.items():
            kind = "perceptron" if "erceptron" in name else "gradient"
            versus = None if name.startswith("ours") else tm["min_s"] / ours[kind]
            rows.append([name, tm["min_s"] * 1e3, tm["median_s"] * 1e3, tm["cpu_min_s"] * 1e3, versus,
                         f"{tm['repeats']}×{tm['inner']}"])  # fmt: skip
        out.append(f"{case['case']} ({case['samples']:,} × {case['features']}), one epoch; "
                   f"same weights as the loops: {case['same_weights_as_loops']}")  # fmt: skip
        out.append(table(["implementation", "min ms", "median ms", "CPU min ms", "ours × faster (min)",
                          "runs×calls"], rows))  # fmt: skip
        out.append("")
    return "\n".join(out)


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, figure, met) for the README and the summary."""
    out = []
    for case in results["cases"]:
        r = case["ratios"]
        for kind in ("perceptron", "gradient"):
            loop, sk = r[f"{kind}_vs_loop"], r[f"{kind}_vs_sklearn"]
            out.append((f"{case['case']}: {kind} ≥ {LOOP_SPEEDUP_TARGET:g}× the loop",
                        f"{loop:,.0f}×", loop >= LOOP_SPEEDUP_TARGET))  # fmt: skip
            out.append((f"{case['case']}: {kind} no slower than sklearn",
                        f"{sk:.2f}× sklearn's speed", sk >= 1.0))  # fmt: skip
    return out
