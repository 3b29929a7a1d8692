"""One neuron and its training: the perceptron rule and gradient descent, one update at a time.

A `Run` holds the data (rebuilt from the config), the parameters and where training stands.
Online training moves a cursor through the epoch's sample order; the order is the dataset's
own, or a permutation drawn from (seed, epoch) so that any epoch can be recomputed alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import numpy as np

from app.neuron.activations import ACTIVATIONS, Activation, Array, midpoint_preactivation
from app.neuron.config import NeuronConfig
from app.neuron.datasets import Dataset, Labels, load_dataset
from app.neuron.errors import NeuronError
from app.neuron.losses import LOSSES, Loss

PERCEPTRON_BLOCK = 64  # samples tested at once after a perceptron error
PERCEPTRON_MAX_BLOCK = 65_536  # the most, after a long run without one
Scores = tuple[float, Labels, float, float | None, Array]  # loss, predictions, acc, test acc, o


class Status(str, Enum):
    IDLE = "idle"
    RUNNING = "running"
    CONVERGED = "converged"
    DIVERGED = "diverged"


@dataclass
class RunState:
    """Everything that changes while training; with the config it restores a run exactly."""

    weights: list[float]
    bias: float
    epoch: int = 0
    step: int = 0  # samples seen (online) or full-batch steps taken
    changes: int = 0  # updates that moved a weight or the bias (a right answer moves nothing)
    cursor: int = 0  # next position in the current epoch's sample order (online only)
    epoch_errors: int = 0  # perceptron errors so far in the current epoch
    status: Status = Status.IDLE
    last_update: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "status": self.status.value}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunState:
        return cls(**{**d, "status": Status(d["status"])})


@dataclass(frozen=True)
class Evaluation:
    outputs: list[float]
    predictions: list[int]
    loss: float
    accuracy: float
    test_accuracy: float | None
    converged: bool


@dataclass(frozen=True)
class HistoryRow:
    epoch: int
    loss: float
    accuracy: float
    test_accuracy: float | None
    weights: list[float]
    bias: float


@dataclass
class Progress:
    """What one training call did: updates applied, and a history row per finished epoch."""

    samples: int = 0
    epochs: int = 0
    rows: list[HistoryRow] = field(default_factory=list)


def initial_parameters(config: NeuronConfig, n_features: int) -> tuple[list[float], float]:
    """zeros, N(0, 0.1²) by seed, or the user's own weights and bias."""
    if config.init == "zeros":
        w, b = np.zeros(n_features), 0.0
    elif config.init == "random":
        draws = np.random.default_rng(config.seed).normal(0.0, 0.1, n_features + 1)
        w, b = draws[:n_features], float(draws[n_features])
    else:
        w = np.asarray(config.init["weights"], dtype=np.float64)
        b = float(config.init.get("bias", 0.0))
        if w.shape != (n_features,):
            raise NeuronError("init", f"weights needs {n_features} values, one per feature")
    return [float(v) for v in w], (b if config.use_bias else 0.0)


def epoch_order(n: int, seed: int, epoch: int, shuffle: bool) -> np.ndarray:
    """The sample order of an epoch: data order, or a permutation fixed by (seed, epoch)."""
    if not shuffle:
        return np.arange(n)
    return np.random.default_rng([seed, epoch]).permutation(n)


class Run:
    """A neuron, its data and its training state."""

    def __init__(self, config: NeuronConfig, state: RunState | None = None,
                 data: Dataset | None = None) -> None:  # fmt: skip
        self.config = config
        self.data = data if data is not None else load_dataset(config.dataset, config.data_params())
        self.activation: Activation = ACTIVATIONS[config.activation]
        self.loss_fn: Loss = LOSSES[config.loss]
        self.z_star = midpoint_preactivation(self.activation)
        low = self.activation.low_target
        self.targets = np.where(self.data.y == 1, 1.0, low)
        if state is None:
            w, b = initial_parameters(config, self.data.n_features)
            state = RunState(w, b)
        self.state = state
        self.w = np.asarray(state.weights, dtype=np.float64)
        self.b = float(state.bias)
        self._scored: tuple[Array, float, Array, Array, Scores] | None = None  # w, b, z, o, scores

    # ---- what the run looks like ------------------------------------------------------------
    @property
    def n_train(self) -> int:
        return int(self.data.X.shape[0])

    def can_train(self) -> bool:
        if self.state.status in (Status.CONVERGED, Status.DIVERGED):
            return False
        return self.config.max_epochs is None or self.state.epoch < self.config.max_epochs

    def output(self, X: Array) -> tuple[Array, Array]:
        """Outputs f(w·x + b) and predicted classes (output at or past the midpoint)."""
        with np.errstate(over="ignore", invalid="ignore"):
            z = X @ self.w + self.b
            o = self.activation.fn(z)
        return o, (z >= self.z_star).astype(np.int64)

    def evaluate(self) -> Evaluation:
        loss, pred, accuracy, test_acc, o = self._score()
        if not np.isfinite(o).all():
            o = np.nan_to_num(o, nan=0.0, posinf=1e308, neginf=-1e308)
        return Evaluation(o.tolist(), pred.tolist(), loss, accuracy, test_acc,
                          bool((pred == self.data.y).all()))  # fmt: skip

    def history_row(self) -> HistoryRow:
        """The epoch's scores, without the per-sample lists only the session state needs."""
        loss, _, accuracy, test_acc, _ = self._score()
        return HistoryRow(self.state.epoch, loss, accuracy, test_acc, self.w.tolist(), self.b)

    def _pass(self) -> tuple[Array, float, Array, Array, Scores]:
        """One pass over the training data (z, o and the scores), remembered until the parameters
        change (they are replaced, never changed in place): an epoch's history row, the frame
        after it and the next full-batch epoch's forward pass all share it."""
        w, b = self.w, self.b
        if self._scored is None or self._scored[0] is not w or self._scored[1] != b:
            with np.errstate(over="ignore", invalid="ignore"):
                z = self.data.X @ w + b
                o = self.activation.fn(z)
            self._scored = (w, b, z, o, self._scores(z, o))
        return self._scored

    def _forward(self) -> tuple[Array, Array]:
        _, _, z, o, _ = self._pass()
        return z, o

    def _score(self) -> Scores:
        """Loss (1e308 standing for non-finite), predictions, accuracy, test accuracy, outputs."""
        return self._pass()[4]

    def _scores(self, z: Array, o: Array) -> Scores:
        y = self.data.y
        with np.errstate(over="ignore", invalid="ignore"):
            per_sample = self.loss_fn.per_sample(z, o, self.targets)
            loss = float(per_sample.sum() if self.config.reduction == "sum" else per_sample.mean())
        pred = (z >= self.z_star).astype(np.int64)
        test_acc = None
        if self.data.X_test is not None and self.data.y_test is not None:
            right = np.count_nonzero(self.output(self.data.X_test)[1] == self.data.y_test)
            test_acc = float(right / len(self.data.y_test))
        accuracy = float(np.count_nonzero(pred == y) / len(y))
        return loss if math.isfinite(loss) else 1e308, pred, accuracy, test_acc, o

    # ---- changing it by hand ----------------------------------------------------------------
    def set_parameters(self, weights: list[float] | None, bias: float | None) -> None:
        if weights is not None:
            if len(weights) != self.data.n_features:
                raise NeuronError("weights", f"needs {self.data.n_features} values, one per feature")
            self.w = np.asarray(weights, dtype=np.float64)
        if bias is not None:
            if not self.config.use_bias and bias != 0:
                raise NeuronError("bias", "the bias is off (use_bias false); it stays 0")
            self.b = float(bias)
        self._sync(status=Status.IDLE)

    def with_config(self, config: NeuronConfig) -> Run:
        """The same parameters and progress under new training settings (same data)."""
        state = replace(self.state, status=Status.IDLE)
        if config.batch == "full":  # a full-batch epoch has no partial progress to keep
            state.cursor, state.epoch_errors = 0, 0
        run = Run(config, state, self.data)
        if not config.use_bias:
            run.b = 0.0
            run._sync()
        return run

    # ---- training ---------------------------------------------------------------------------
    def train_epochs(self, epochs: int) -> Progress:
        """Train until `epochs` epoch ends have passed (finishing the current one first)."""
        if self.config.batch == "full":
            return self._train_full_batch(epochs)
        remaining = self.n_train - self.state.cursor + (epochs - 1) * self.n_train
        return self.train_samples(remaining)

    def train_samples(self, samples: int) -> Progress:
        """Apply `samples` online updates, one sample each, crossing epoch ends as needed."""
        if self.config.batch == "full":
            raise NeuronError("samples", "full-batch training updates once per epoch; "
                              "step by epochs, or set batch to 'online'")  # fmt: skip
        progress = Progress()
        while samples > 0 and self.can_train():
            take = min(samples, self.n_train - self.state.cursor)
            done = self._online_pass(take)
            progress.samples += done
            samples -= done
            if done < take:
                break  # diverged
            if self.state.cursor == self.n_train:
                self._end_online_epoch(progress)
        return progress

    def _online_pass(self, count: int) -> int:
        """Process the next `count` samples of this epoch's order; returns how many were kept."""
        order = epoch_order(self.n_train, self.config.seed, self.state.epoch, self.config.shuffle)
        chunk = order[self.state.cursor : self.state.cursor + count]
        if self.config.rule == "perceptron":
            done = self._perceptron(chunk)
        else:
            done = self._gradient_online(chunk)
        self.state.cursor += done
        self.state.step += done
        self._sync()
        return done

    def _perceptron(self, chunk: np.ndarray) -> int:
        """Rosenblatt's rule, w ← w + η·(d − y)·x, testing a block of samples per vector op.

        Between two errors the weights do not move, so a whole block can be classified at once
        and only the first mistake in it needs the update. The block doubles while no mistake
        turns up (a long clean stretch costs a few vector ops) and shrinks back after one.
        """
        X, d, lr = self.data.X, self.data.y, self.config.learning_rate
        w, b, use_bias = self.w, self.b, self.config.use_bias
        n, last = len(chunk), None
        if n == 0:
            return 0
        if self.config.shuffle:
            X, d = X[chunk], d[chunk]
        else:  # data order: the chunk is a run of consecutive rows, so views will do
            X, d = X[chunk[0] : chunk[0] + n], d[chunk[0] : chunk[0] + n]
        i, block = 0, PERCEPTRON_BLOCK
        with np.errstate(over="ignore", invalid="ignore"):
            while i < n:
                y = X[i : i + block] @ w + b >= self.z_star
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
                if not _finite(w, b):
                    self.w, self.b = before
                    self.state.status = Status.DIVERGED
                    return i
                self.state.epoch_errors += 1
                self.state.changes += 1
                last = (i, before)
                i += 1
        self.w, self.b = w, b
        self._record_perceptron(chunk, n, last)
        return n

    def _record_perceptron(self, chunk: np.ndarray, n: int, last: tuple[int, Any] | None) -> None:
        """last_update for the final sample of the pass, whether or not it changed anything."""
        s = int(chunk[n - 1])
        w0, b0 = last[1] if last is not None and last[0] == n - 1 else (self.w, self.b)
        x = self.data.X[s]
        with np.errstate(over="ignore", invalid="ignore"):  # weights set by hand may be huge
            z = float(x @ w0 + b0)
            y = int(z >= self.z_star)
            e = int(self.data.y[s]) - y
            self.state.last_update = _update_record(
                "perceptron", s, x, float(self.data.y[s]), z, float(self.activation.fn(np.array(z))),
                y=y, error=float(e), dw=self.w - w0, db=self.b - b0, w_before=w0, b_before=b0,
                w=self.w, b=self.b, learning_rate=self.config.learning_rate)  # fmt: skip

    def _gradient_online(self, chunk: np.ndarray) -> int:
        """w ← w − η·δ·x per sample, δ = dE/dz of that sample alone."""
        X, t, lr = self.data.X, self.targets, self.config.learning_rate
        f, loss, use_bias = self.activation, self.loss_fn, self.config.use_bias
        w, b, last, done = self.w, self.b, None, len(chunk)
        for k, s in enumerate(chunk):
            x = X[s]
            with np.errstate(over="ignore", invalid="ignore"):
                z = np.array(x @ w + b)
                o = f.fn(z)
                delta = float(loss.delta(z, o, np.array(t[s]), f))
                dw = -lr * delta * x
                db = -lr * delta if use_bias else 0.0
                new_w, new_b = w + dw, b + db
            if not _finite(new_w, new_b):
                self.state.status = Status.DIVERGED
                done = k
                break
            last = (int(s), x, float(z), float(o), delta, dw, db, w, b, new_w, new_b)
            self.state.changes += delta != 0
            w, b = new_w, new_b
        self.w, self.b = w, b
        if last is not None:  # only the pass's final update is shown, so only it is recorded
            s_last, x_last, z_last, o_last, delta, dw, db, w0, b0, w1, b1 = last
            self.state.last_update = _update_record(
                "gradient", s_last, x_last, float(t[s_last]), z_last, o_last,
                y=int(z_last >= self.z_star), error=o_last - float(t[s_last]), delta=delta,
                dw=dw, db=db, w_before=w0, b_before=b0, w=w1, b=b1, learning_rate=lr)  # fmt: skip
        return done

    def _end_online_epoch(self, progress: Progress) -> None:
        self.state.epoch += 1
        self.state.cursor = 0
        if self.config.rule == "perceptron" and self.state.epoch_errors == 0:
            self.state.status = Status.CONVERGED
        self.state.epoch_errors = 0
        self._close_epoch(progress)

    def _close_epoch(self, progress: Progress) -> None:
        """The epoch's history row; a loss that overflowed (scored 1e308) stops training."""
        progress.epochs += 1
        progress.rows.append(self.history_row())
        if progress.rows[-1].loss >= 1e308:
            self.state.status = Status.DIVERGED

    def _train_full_batch(self, epochs: int) -> Progress:
        """One update per epoch from the gradient summed (or averaged) over every sample."""
        progress = Progress()
        X, t, n = self.data.X, self.targets, self.n_train
        f, loss, lr = self.activation, self.loss_fn, self.config.learning_rate
        scale = 1.0 if self.config.reduction == "sum" else 1.0 / n
        for _ in range(epochs):
            if not self.can_train():
                break
            z, o = self._forward()
            with np.errstate(over="ignore", invalid="ignore"):
                delta = loss.delta(z, o, t, f)
                grad_w = (X.T @ delta) * scale
                grad_b = float(delta.sum()) * scale if self.config.use_bias else 0.0
                new_w, new_b = self.w - lr * grad_w, self.b - lr * grad_b
            if not _finite(new_w, new_b):
                self.state.status = Status.DIVERGED
                break
            self.state.last_update = _batch_record(self, grad_w, grad_b, new_w, new_b)
            self.w, self.b = new_w, new_b
            self.state.step += 1
            self.state.changes += bool(grad_w.any() or grad_b)
            self._sync()
            self.state.epoch += 1
            self._close_epoch(progress)
        return progress

    def _sync(self, status: Status | None = None) -> None:
        self.state.weights = self.w.tolist()
        self.state.bias = float(self.b)
        if status is not None:
            self.state.status = status


def _finite(w: Array, b: float) -> bool:
    return bool(np.isfinite(w).all()) and math.isfinite(b)


def _update_record(kind: str, sample: int, x: Array, d: float, z: float, output: float,
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
            record[key] = _finite_numbers(record[key])
    return record


def _finite_numbers(value: Any) -> Any:
    """A number or an array as plain floats, ±inf and NaN clamped to ±1e308 and 0; the check
    comes first because nan_to_num costs ~8 µs and runs for every update shown on the page."""
    if isinstance(value, (float, int, np.floating, np.integer)) and math.isfinite(value):
        return float(value)
    numbers = np.asarray(value, dtype=np.float64)
    if not np.isfinite(numbers).all():
        numbers = np.nan_to_num(numbers, posinf=1e308, neginf=-1e308)
    return numbers.tolist()


def _batch_record(run: Run, grad_w: Array, grad_b: float, w: Array, b: float) -> dict[str, Any]:
    lr = run.config.learning_rate
    return {"kind": "batch", "samples": run.n_train, "reduction": run.config.reduction,
            "learning_rate": lr, "grad_w": grad_w.tolist(), "grad_b": grad_b,
            "delta_w": (-lr * grad_w).tolist(), "delta_b": -lr * grad_b,
            "w_before": run.w.tolist(), "b_before": float(run.b), "w": w.tolist(), "b": float(b)}  # fmt: skip
