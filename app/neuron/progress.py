"""What a run's training state is made of: its status, the state that restores it exactly, its
scores, and what one training call did (the history rows it produced)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


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
    hidden: dict[str, Any] | None = None  # the hidden layer's {"weights", "biases"}, if any

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
    hidden: dict[str, Any] | None = None


@dataclass
class Progress:
    """What one training call did: updates applied, and a history row per finished epoch."""

    samples: int = 0
    epochs: int = 0
    rows: list[HistoryRow] = field(default_factory=list)
