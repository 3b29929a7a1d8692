"""One neuron (or a hidden layer and its output neuron) and its training, one update at a time.

A `Run` holds the data (rebuilt from the config), the parameters and where training stands.
`w` and `b` are always the output neuron's; with a hidden layer its inputs are the hidden
outputs instead of the features, and the hidden layer's gradient comes from backpropagation.
Online training moves a cursor through the epoch's sample order; the order is the dataset's
own, or a permutation drawn from (seed, epoch) so that any epoch can be recomputed alone.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from app.neuron.activations import ACTIVATIONS, Activation, Array, midpoint_preactivation
from app.neuron.config import NeuronConfig
from app.neuron.datasets import Dataset, Labels, load_dataset
from app.neuron.errors import NeuronError
from app.neuron.backprop import backprop_online_pass, train_network_full_batch
from app.neuron.gradient import gradient_online_pass, train_full_batch
from app.neuron.losses import LOSSES, Loss, reduced
from app.neuron.network import (
    HiddenLayer, check_hidden_size, hidden_layer_from, layer_array, random_network,
)  # fmt: skip
from app.neuron.perceptron import perceptron_pass
from app.neuron.progress import Evaluation, HistoryRow, Progress, RunState, Status

__all__ = ["Evaluation", "HistoryRow", "Progress", "Run", "RunState", "Status", "epoch_order",
           "initial_parameters"]  # fmt: skip

Scores = tuple[float, Labels, float, float | None, Array]  # loss, predictions, acc, test acc, o
ONLINE_PASSES = {"perceptron": perceptron_pass, "gradient": gradient_online_pass,
                 "backprop": backprop_online_pass}  # fmt: skip
FULL_BATCH = {"gradient": train_full_batch, "backprop": train_network_full_batch}


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


def initial_state(config: NeuronConfig, n_features: int) -> RunState:
    if config.hidden_units:
        hidden, w, b = random_network(config.seed, n_features, config.hidden_units, config.use_bias)
        return RunState(w, b, hidden=hidden)
    w, b = initial_parameters(config, n_features)
    return RunState(w, b)


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
        # With a hidden layer the chosen activation is the hidden one; the output is a sigmoid.
        self.activation: Activation = ACTIVATIONS["sigmoid" if config.hidden_units else config.activation]
        self.loss_fn: Loss = LOSSES[config.loss]
        self.z_star = midpoint_preactivation(self.activation)
        low = self.activation.low_target
        self.targets = np.where(self.data.y == 1, 1.0, low)
        if config.hidden_units:
            check_hidden_size(config.hidden_units, self.data.n_features)
        if state is None:
            state = initial_state(config, self.data.n_features)
        self.state = state
        self.w = np.asarray(state.weights, dtype=np.float64)
        self.b = float(state.bias)
        self.hidden: HiddenLayer | None = None
        if config.hidden_units:
            if state.hidden is None:
                raise NeuronError("hidden_units", "this run's state has no hidden layer")
            self.hidden = hidden_layer_from(state.hidden, ACTIVATIONS[config.activation],
                                            self.data.n_features, config.hidden_units, True)  # fmt: skip
        # w, b, hidden layer, z, o, scores
        self._scored: tuple[Array, float, HiddenLayer | None, Array, Array, Scores] | None = None
        self.hidden_pass: tuple[Array, Array] | None = None  # z_h, h of the remembered pass
        self._tested: tuple[Array, float, HiddenLayer | None, Array, Labels] | None = None

    # ---- what the run looks like ------------------------------------------------------------
    @property
    def n_train(self) -> int:
        return int(self.data.X.shape[0])

    @property
    def rule(self) -> str:
        """How the parameters learn: the config's rule, or backpropagation through a hidden layer."""
        return "backprop" if self.hidden is not None else self.config.rule

    def can_train(self) -> bool:
        if self.state.status in (Status.CONVERGED, Status.DIVERGED):
            return False
        return self.config.max_epochs is None or self.state.epoch < self.config.max_epochs

    def output(self, X: Array) -> tuple[Array, Labels]:
        """Outputs f(w·x + b) and predicted classes (output at or past the midpoint); x is the
        hidden layer's output h when there is one."""
        if self.hidden is not None:
            X = self.hidden.forward(X)[1]
        with np.errstate(over="ignore", invalid="ignore"):
            z = X @ self.w + self.b
            o = self.activation.fn(z)
        return o, (z >= self.z_star).astype(np.int64)

    def test_outputs(self) -> tuple[Array, Labels] | None:
        """The test split's outputs and predictions (None without one), remembered like the
        training pass: the scores and the metrics of a frame both need them."""
        X_test = self.data.X_test
        if X_test is None:
            return None
        tested = self._tested
        if tested is None or tested[0] is not self.w or tested[1] != self.b or tested[2] is not self.hidden:
            tested = self._tested = (self.w, self.b, self.hidden, *self.output(X_test))
        return tested[3], tested[4]

    def training_outputs(self) -> tuple[Array, Labels]:
        """The training set's outputs and predicted classes as arrays (the remembered pass)."""
        _, pred, _, _, o = self._score()
        return o, pred

    def evaluate(self) -> Evaluation:
        loss, pred, accuracy, test_acc, o = self._score()
        if not np.isfinite(o).all():
            o = np.nan_to_num(o, nan=0.0, posinf=1e308, neginf=-1e308)
        return Evaluation(o.tolist(), pred.tolist(), loss, accuracy, test_acc,
                          bool((pred == self.data.y).all()))  # fmt: skip

    def history_row(self) -> HistoryRow:
        """The epoch's scores, without the per-sample lists only the session state needs."""
        loss, _, accuracy, test_acc, _ = self._score()
        return HistoryRow(self.state.epoch, loss, accuracy, test_acc, self.w.tolist(), self.b,
                          self.state.hidden)  # fmt: skip

    def _pass(self) -> tuple[Array, Array, Scores]:
        """One pass over the training data (z, o and the scores), remembered until the parameters
        change (they are replaced, never changed in place): an epoch's history row, the frame
        after it and the next full-batch epoch's forward pass all share it."""
        w, b, hidden = self.w, self.b, self.hidden
        scored = self._scored
        if scored is None or scored[0] is not w or scored[1] != b or scored[2] is not hidden:
            inputs = self.data.X
            if hidden is not None:
                self.hidden_pass = hidden.forward(inputs)
                inputs = self.hidden_pass[1]
            with np.errstate(over="ignore", invalid="ignore"):
                z = inputs @ w + b
                o = self.activation.fn(z)
            scored = self._scored = (w, b, hidden, z, o, self._scores(z, o))
        return scored[3:]

    def forward_pass(self) -> tuple[Array, Array]:
        z, o, _ = self._pass()
        return z, o

    def _score(self) -> Scores:
        """Loss (1e308 standing for non-finite), predictions, accuracy, test accuracy, outputs."""
        return self._pass()[2]

    def _scores(self, z: Array, o: Array) -> Scores:
        y = self.data.y
        with np.errstate(over="ignore", invalid="ignore"):
            per_sample = self.loss_fn.per_sample(z, o, self.targets)
            loss = float(reduced(per_sample, self.config.reduction))
        pred = (z >= self.z_star).astype(np.int64)
        test_acc, tested = None, self.test_outputs()
        if tested is not None and self.data.y_test is not None:
            test_acc = float(np.count_nonzero(tested[1] == self.data.y_test) / len(self.data.y_test))
        accuracy = float(np.count_nonzero(pred == y) / len(y))
        return loss if math.isfinite(loss) else 1e308, pred, accuracy, test_acc, o

    # ---- changing it by hand ----------------------------------------------------------------
    def set_parameters(self, weights: list[float] | None, bias: float | None,
                       layers: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
        """Weights set by hand: `layers` sets every layer (hidden first, the output last), then
        `weights` and `bias` the output neuron's."""
        if layers is not None:
            self._set_layers(layers)
        if weights is not None:
            if len(weights) != len(self.w):
                what = "one per hidden neuron" if self.hidden is not None else "one per feature"
                raise NeuronError("weights", f"needs {len(self.w)} values, {what}")
            self.w = np.asarray(weights, dtype=np.float64)
        if bias is not None:
            if not self.config.use_bias and bias != 0:
                raise NeuronError("bias", "the bias is off (use_bias false); it stays 0", "bias_off")
            self.b = float(bias)
        self.sync(status=Status.IDLE)

    def _set_layers(self, layers: list[dict[str, Any]]) -> None:
        count = 2 if self.hidden is not None else 1
        if len(layers) != count:
            raise NeuronError("layers", f"needs {count} layer(s): "
                              + ("the hidden layer, then the output neuron" if count == 2
                                 else "the output neuron"))  # fmt: skip
        *hidden, out = layers
        new_hidden = self.hidden
        if self.hidden is not None:
            new_hidden = hidden_layer_from(hidden[0], self.hidden.activation, self.data.n_features,
                                            self.hidden.units, self.config.use_bias)  # fmt: skip
        w, b = layer_array(out["weights"]), layer_array(out["biases"])
        if w.shape != (1, len(self.w)) or b.shape != (1,):
            raise NeuronError("layers", f"the output layer needs 1 row of {len(self.w)} weights "
                              "and 1 bias")  # fmt: skip
        if not self.config.use_bias and b[0] != 0:
            raise NeuronError("layers", "the bias is off (use_bias false); it stays 0")
        self.w, self.b, self.hidden = w[0].copy(), float(b[0]), new_hidden  # all checked: now

    def layers(self) -> list[dict[str, Any]]:
        """Every layer's weight matrix (a row per neuron) and biases, the output neuron last."""
        out = {"weights": [self.state.weights], "biases": [self.state.bias]}
        return [self.state.hidden, out] if self.state.hidden is not None else [out]

    def parameters(self) -> Array:
        """Every parameter as one flat vector: hidden weights row by row, hidden biases, then the
        output neuron's weights and bias (the order finite differences and exports use)."""
        parts = [] if self.hidden is None else [self.hidden.weights.ravel(), self.hidden.biases]
        return np.concatenate([*parts, self.w, [self.b]])

    def with_config(self, config: NeuronConfig) -> Run:
        """The same parameters and progress under new training settings (same data)."""
        state = replace(self.state, status=Status.IDLE)
        if config.batch == "full":  # a full-batch epoch has no partial progress to keep
            state.cursor, state.epoch_errors = 0, 0
        run = Run(config, state, self.data)
        if not config.use_bias:
            run.b = 0.0
            run.sync()
        return run

    # ---- training ---------------------------------------------------------------------------
    def train_epochs(self, epochs: int) -> Progress:
        """Train until `epochs` epoch ends have passed (finishing the current one first)."""
        if self.config.batch == "full":
            return FULL_BATCH[self.rule](self, epochs)
        remaining = self.n_train - self.state.cursor + (epochs - 1) * self.n_train
        return self.train_samples(remaining)

    def train_samples(self, samples: int) -> Progress:
        """Apply `samples` online updates, one sample each, crossing epoch ends as needed."""
        if self.config.batch == "full":
            raise NeuronError("samples", "full-batch training updates once per epoch; "
                              "step by epochs, or set batch to 'online'", "full_batch_samples")  # fmt: skip
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
        done = ONLINE_PASSES[self.rule](self, chunk)
        self.state.cursor += done
        self.state.step += done
        self.sync()
        return done

    def _end_online_epoch(self, progress: Progress) -> None:
        self.state.epoch += 1
        self.state.cursor = 0
        if self.config.rule == "perceptron" and self.state.epoch_errors == 0:
            self.state.status = Status.CONVERGED
        self.state.epoch_errors = 0
        self.close_epoch(progress)

    def close_epoch(self, progress: Progress) -> None:
        """The epoch's history row; a loss that overflowed (scored 1e308) stops training."""
        progress.epochs += 1
        progress.rows.append(self.history_row())
        if progress.rows[-1].loss >= 1e308:
            self.state.status = Status.DIVERGED

    def sync(self, status: Status | None = None) -> None:
        self.state.weights = self.w.tolist()
        self.state.bias = float(self.b)
        if self.hidden is not None:
            self.state.hidden = self.hidden.as_dict()
        if status is not None:
            self.state.status = status

