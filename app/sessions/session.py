"""A session: one run of the neuron that a user steers, with its history and its replay log.

The replay log (config changes, hand-set weights, counts of updates) since a checkpoint is what
the exported script replays, so an export reproduces the run even when it was steered by hand.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import orjson

from app.neuron.boundary import (
    Box, Plane, boundary, column_plane, network_boundary, principal_plane, view_box,
)
from app.neuron.config import NeuronConfig, patch_config
from app.neuron.datasets import Dataset
from app.neuron.metrics import class_names, set_metrics
from app.neuron.training import HistoryRow, Progress, Run, RunState, Status
from app.neuron.uploads import is_upload_id

# The fields the data is built from; changing one builds new data (and a new data_version).
DATA_FIELDS = ("dataset", "points", "n_samples", "noise", "test_fraction", "seed")
# Changing one of these changes the problem itself: the run starts again from its initial weights.
RESTART_FIELDS = (*DATA_FIELDS, "init", "use_bias", "hidden_units")
# Changing one of these shows the same data another way: the points are drawn anew.
VIEW_FIELDS = ("plot_features",)
# A point set edited by hand: the neuron keeps its weights and goes on from them, so a learner
# who adds a point sees the line react to it instead of a run thrown back to epoch 0. The page
# keeps placed points as an upload of their own, so an edit arrives as a new dataset id as often
# as new `points`: either is an edit when the features and classes stay the same.
EDIT_FIELDS = ("dataset", "points")
MAX_LOG_ENTRIES = 1000
MAX_PREACTIVATIONS = 256  # training samples past which frames carry no per-sample z


@dataclass
class Session:
    id: str
    token_hash: str
    run: Run
    created_at: float
    updated_at: float
    checkpoint: dict[str, Any]  # the run state the replay log starts from
    log: list[dict[str, Any]] = field(default_factory=list)
    new_rows: list[HistoryRow] = field(default_factory=list)  # history not yet stored
    history_cleared: bool = False  # stored history must be dropped at the next save
    playing: bool = False
    lesson: int | None = None  # the page's lesson open on it, so students following see it too
    deleted: bool = False  # set once removed, so that no later save brings it back
    version: int = 0  # the stored version this object is at (0: not stored yet)
    saved_record: str = ""  # the record as last stored, to fall back on when a write fails

    @classmethod
    def create(cls, id_: str, token_hash: str, config: NeuronConfig) -> Session:
        now = time.time()
        run = Run(config)
        session = cls(id_, token_hash, run, now, now, _checkpoint(run))
        session.new_rows = [run.history_row()]
        return session

    @property
    def config(self) -> NeuronConfig:
        return self.run.config

    @property
    def status(self) -> Status:
        if self.playing and self.run.state.status == Status.IDLE:
            return Status.RUNNING
        return self.run.state.status

    # ---- commands ---------------------------------------------------------------------------
    def step(self, epochs: int | None = None, samples: int | None = None) -> Progress:
        if samples is not None:
            progress = self.run.train_samples(samples)
            self._log_count("samples", progress.samples)
        else:
            progress = self.run.train_epochs(epochs or 0)
            key = "samples" if self.config.batch == "online" else "epochs"
            self._log_count(key, progress.samples if key == "samples" else progress.epochs)
        self.new_rows.extend(progress.rows)
        self._touch()
        return progress

    def reset(self) -> None:
        self._adopt_fresh(Run(self.config, data=self.run.data))

    def apply(self, config_patch: dict[str, Any] | None = None,
              weights: list[float] | None = None, bias: float | None = None,
              layers: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
        """Apply a partial config and/or hand-set parameters; all checked before anything changes."""
        new = patch_config(self.config, config_patch) if config_patch else self.config
        restart = _differ(new, self.config, RESTART_FIELDS)
        edited = self._edited_points(new) if restart else None
        if edited is not None:
            self._edit_points(new, edited, weights, bias)
            return
        if restart:
            same_data = not _differ(new, self.config, DATA_FIELDS)
            candidate = Run(new, data=self.run.data if same_data else None)
        else:
            candidate = self.run.with_config(new)
        hand_set = weights is not None or bias is not None or layers is not None
        if hand_set:
            candidate.set_parameters(weights, bias, layers)
        if _differ(new, self.config, VIEW_FIELDS):
            self._forget_view()  # the same data drawn another way
        if restart:
            self._adopt_fresh(candidate)
            return
        changed = new != self.config
        self.run = candidate
        if changed:
            self._log({"config": _training_fields(new)})
        if hand_set:
            self._log_set()
        self._touch()

    def _edited_points(self, new: NeuronConfig) -> Dataset | None:
        """The new data, if `new` only edits a point set (custom or uploaded) into another with
        the same features and classes; else None (a change of problem: the run restarts)."""
        if _differ(new, self.config, _but(RESTART_FIELDS, EDIT_FIELDS)):
            return None
        if not (_point_set(self.config) and _point_set(new)):
            return None
        data, old = Run(new).data, self.run.data
        same = (data.feature_names, data.class_names) == (old.feature_names, old.class_names)
        return data if same else None

    def _edit_points(self, new: NeuronConfig, data: Dataset, weights: list[float] | None,
                     bias: float | None) -> None:  # fmt: skip
        """New points, same neuron: weights, epoch and history go on; the epoch in progress
        starts over (its order was over the old points), and the export replays from here."""
        state = replace(self.run.state, cursor=0, epoch_errors=0, status=Status.IDLE, last_update=None)
        candidate = Run(new, state, data=data)
        if weights is not None or bias is not None:
            candidate.set_parameters(weights, bias)
        self.run = candidate
        self.checkpoint = _checkpoint(candidate)
        self.log = []
        self._forget_view()
        self._touch()

    def set_lesson(self, lesson: int | None) -> None:
        self.lesson = lesson
        self._touch()

    # ---- views ------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The session state of PRODUCT.md §6 (without the control token)."""
        run, ev = self.run, self.run.evaluate()
        return {
            "id": self.id,
            "config": self.config.as_dict(),
            "epoch": run.state.epoch,
            "step": run.state.step,
            "changes": run.state.changes,
            "weights": run.state.weights,
            "bias": run.state.bias,
            "layers": run.layers(),
            "loss": ev.loss,
            "accuracy": ev.accuracy,
            "test_accuracy": ev.test_accuracy,
            "outputs": ev.outputs,
            "predictions": ev.predictions,
            "converged": ev.converged,
            "status": self.status.value,
            "last_update": run.state.last_update,
            "boundary": self.boundary(),
            "feature_names": run.data.feature_names,
            "data_version": self.data_version,
            "lesson": self.lesson,
            "metrics": self.metrics(),
            "preactivations": self.preactivations(),
        }

    def metrics(self) -> dict[str, Any]:
        """Confusion counts, precision, recall, F1 (and ROC for a smooth activation) of the
        training set and of the test split, if any (PRODUCT.md §17)."""
        run, data = self.run, self.run.data
        smooth = self.config.activation != "step"
        outputs, predictions = run.training_outputs()
        train = set_metrics(data.y, predictions, outputs if smooth else None)
        test, tested = None, run.test_outputs()
        if tested is not None and data.y_test is not None:
            o, p = tested
            test = set_metrics(data.y_test, p, o if smooth else None)
        for chosen in (train, test):
            curve = chosen and chosen["roc"]
            if curve:  # drawn, not computed with: 4 decimals keep frames small (AUC exact)
                curve["fpr"], curve["tpr"] = _rounded(curve["fpr"], 4), _rounded(curve["tpr"], 4)
        return {"class_names": class_names(self.config.dataset), "train": train, "test": test}

    def preactivations(self) -> list[float] | None:
        """Every training sample's z = w·x + b (the output neuron's, over the hidden outputs
        with a hidden layer) to 2 decimals, the activation curve's ticks for a full-batch step
        (online steps mark their one sample instead); only for sets small enough to send with
        every frame, as the outputs are. The run's own pass: already computed for the scores."""
        run = self.run
        if run.n_train > MAX_PREACTIVATIONS or self.config.batch != "full":
            return None
        z = run.forward_pass()[0]
        return _rounded(np.nan_to_num(z, nan=0.0, posinf=1e308, neginf=-1e308), 2)

    def boundary(self) -> dict[str, Any]:
        """Worked out again only when the parameters (replaced, never changed in place) or the
        run changed: a paused or converged session's frames reuse its heatmap and line."""
        run = self.run
        cached = self.__dict__.get("_boundary")
        if (cached is not None and cached[0] is run and cached[1] is run.w and cached[2] == run.b
                and cached[3] is run.hidden):  # fmt: skip
            return cached[4]
        if run.hidden is not None:
            drawn = network_boundary(run.hidden, run.w, run.b, run.activation, self.view_points,
                                     self.plane, self.config.grid_size, self.box)  # fmt: skip
        else:
            drawn = boundary(run.w, run.b, run.activation, run.z_star, self.view_points,
                             self.plane, self.config.grid_size, self.box)  # fmt: skip
        self.__dict__["_boundary"] = (run, run.w, run.b, run.hidden, drawn)
        return drawn

    def data_view(self) -> dict[str, Any]:
        """The session's points in view coordinates (the principal plane beyond two features)."""
        data = self.run.data
        return {
            "X": self.view_points.tolist(),
            "X_features": data.X.tolist(),  # the rows themselves, for the sample table
            "y": data.y.tolist(),
            "X_test": None if data.X_test is None else self._to_view(data.X_test).tolist(),
            "y_test": None if data.y_test is None else data.y_test.tolist(),
            "feature_names": data.feature_names,
            "class_names": data.class_names,
            "data_version": self.data_version,
        }

    @cached_property
    def plane(self) -> Plane | None:
        X = self.run.data.X
        if X.shape[1] == 2:
            return None
        pair = self.config.plot_features
        if pair is not None and max(pair) < X.shape[1]:
            return column_plane(X, *pair)
        return principal_plane(X)

    @cached_property
    def view_points(self) -> np.ndarray:
        return self._to_view(self.run.data.X)

    @cached_property
    def box(self) -> Box:
        """The view box: fixed for the session's data, so worked out once."""
        return view_box(self.view_points)

    @cached_property
    def data_version(self) -> str:
        fields = {f: getattr(self.config, f) for f in (*DATA_FIELDS, *VIEW_FIELDS)}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]

    def _to_view(self, X: np.ndarray) -> np.ndarray:
        return self.plane.project(X) if self.plane is not None else X

    # ---- bookkeeping ------------------------------------------------------------------------
    def _adopt_fresh(self, run: Run) -> None:
        data_changed = run.data is not self.run.data
        self.run = run
        self.checkpoint = _checkpoint(run)
        self.log = []
        self.history_cleared = True
        self.new_rows = [run.history_row()]
        if data_changed:
            self._forget_view()
        self._touch()

    def _forget_view(self) -> None:
        """New data: the plane, the view and the data version are worked out again."""
        for name in ("plane", "view_points", "box", "data_version", "_boundary"):
            self.__dict__.pop(name, None)

    def _log_count(self, key: str, count: int) -> None:
        if count <= 0:
            return
        if self.log and set(self.log[-1]) == {key}:
            self.log[-1][key] += count
        else:
            self._log({key: count})

    def _log_set(self) -> None:
        """Hand-set weights: one entry for a run of edits in a row (a drag sends dozens), since
        only where they ended matters to the replay."""
        entry = {"set": _parameters(self.run)}
        if self.log and set(self.log[-1]) == {"set"}:
            self.log[-1] = entry
        else:
            self._log(entry)

    def _log(self, entry: dict[str, Any]) -> None:
        self.log.append(entry)
        if len(self.log) > MAX_LOG_ENTRIES:  # keep the log bounded: replay from here on
            self.checkpoint = _checkpoint(self.run)
            self.log = []

    def _touch(self) -> None:
        self.updated_at = time.time()

    # ---- storage form -----------------------------------------------------------------------
    def record_json(self) -> str:
        record = {"config": self.config.as_dict(), "run": self.run.state.as_dict(),
                  "checkpoint": self.checkpoint, "log": self.log, "lesson": self.lesson}  # fmt: skip
        return orjson.dumps(record).decode()

    @classmethod
    def from_record(cls, id_: str, token_hash: str, created_at: float, updated_at: float,
                    record_json: str, data: Dataset | None = None) -> Session:  # fmt: skip
        record = orjson.loads(record_json)
        config = NeuronConfig(**record["config"])
        run = Run(config, RunState.from_dict(record["run"]), data)
        session = cls(id_, token_hash, run, created_at, updated_at, record["checkpoint"], record["log"])
        session.lesson = record.get("lesson")
        return session

    def restore(self, record_json: str) -> None:
        """Become again the session as stored in `record_json` (after a write that failed):
        the same object, so whoever holds it sees the stored truth."""
        stored_config = orjson.loads(record_json)["config"]
        same_data = all(stored_config[f] == getattr(self.config, f) for f in DATA_FIELDS)
        data = self.run.data if same_data else None
        back = Session.from_record(self.id, self.token_hash, self.created_at, self.updated_at,
                                   record_json, data)  # fmt: skip
        back.version, back.saved_record, back.deleted = self.version, record_json, self.deleted
        self.__dict__.clear()
        self.__dict__.update(back.__dict__)


def _point_set(config: NeuronConfig) -> bool:
    return config.dataset == "custom" or is_upload_id(config.dataset)


def _but(names: tuple[str, ...], left_out: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if n not in left_out)


def _rounded(values: Any, decimals: int) -> list[float]:
    with np.errstate(over="ignore", invalid="ignore"):  # rounding ±1e308 overflows to ±inf
        rounded = np.round(np.asarray(values, dtype=np.float64), decimals)
    return np.where(np.isfinite(rounded), rounded, np.asarray(values)).tolist()


def _differ(a: NeuronConfig, b: NeuronConfig, fields: tuple[str, ...]) -> bool:
    return any(getattr(a, f) != getattr(b, f) for f in fields)


def _parameters(run: Run) -> dict[str, Any]:
    """The parameters as the replay log and the checkpoint hold them (hidden: null without)."""
    s = run.state
    return {"weights": s.weights, "bias": s.bias, "hidden": s.hidden}


def _checkpoint(run: Run) -> dict[str, Any]:
    s = run.state
    return {"config": _training_fields(run.config), **_parameters(run), "epoch": s.epoch,
            "cursor": s.cursor}  # fmt: skip


def _training_fields(config: NeuronConfig) -> dict[str, Any]:
    keys = ("activation", "rule", "learning_rate", "use_bias", "batch", "reduction", "loss",
            "shuffle", "seed")  # fmt: skip
    return {k: getattr(config, k) for k in keys}


