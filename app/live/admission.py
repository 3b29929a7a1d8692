"""What one call may ask of the trainer, and that work cut into slices for the scheduler."""

from __future__ import annotations

from app.live.scheduler import Advance
from app.neuron.errors import NeuronError
from app.sessions.history import thinned
from app.sessions.session import Session
from app.settings import Settings


def admit_work(settings: Settings, n_train: int, epochs: int | None, samples: int | None) -> int:
    """The sample-updates a call asks for, refused past the per-call caps. Called under the
    session's lock, with the data that the work will run on."""
    if epochs is not None:
        if epochs > settings.max_epochs_per_call:
            raise NeuronError("epochs", f"at most {settings.max_epochs_per_call} per call",
                              "epochs_per_call", {"max": settings.max_epochs_per_call})  # fmt: skip
        limit = max(1, settings.max_work_per_call // max(n_train, 1))
        if epochs > limit:
            raise NeuronError("epochs", f"at most {limit} epochs per call on {n_train} training "
                              f"samples (budget {settings.max_work_per_call} sample-updates)",
                              "epochs_per_call", {"max": limit})  # fmt: skip
        return epochs * n_train
    assert samples is not None
    if samples > settings.max_work_per_call:
        raise NeuronError("samples", f"at most {settings.max_work_per_call} per call",
                          "samples_per_call", {"max": settings.max_work_per_call})  # fmt: skip
    return samples


def stepping(session: Session, epochs: int | None, samples: int | None, max_rows: int) -> Advance:
    """A step of `epochs` epochs or `samples` updates as slices of at most `units` updates each.

    Slices add up to exactly the one call (training keeps its cursor between them), and the
    history rows waiting to be stored are thinned after each one, so the history cap holds
    within a single call, in memory as on disk.
    """
    left = epochs if epochs is not None else samples or 0
    n_train = max(session.run.n_train, 1)

    def advance(units: int) -> bool:
        nonlocal left
        if epochs is not None:
            take = min(left, max(1, units // n_train))
            done = session.step(epochs=take).epochs
        else:
            take = min(left, units)
            done = session.step(samples=take).samples
        left -= take
        if len(session.new_rows) > max_rows:
            session.new_rows = thinned(session.new_rows, max_rows)
        return left <= 0 or done < take or not session.run.can_train()

    return advance
