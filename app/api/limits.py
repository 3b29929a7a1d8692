"""Work budgets: no call may ask the server for unbounded training."""

from __future__ import annotations

from fastapi import HTTPException

from app.settings import Settings


def field_error(field: str, message: str, where: str = "body") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the field."""
    return HTTPException(422, [{"loc": [where, field], "msg": message, "type": "value_error"}])


def check_work(settings: Settings, n_train: int, epochs: int | None, samples: int | None) -> int:
    """The sample-updates a call asks for, refused past the per-call caps."""
    if epochs is not None:
        if epochs > settings.max_epochs_per_call:
            raise field_error("epochs", f"at most {settings.max_epochs_per_call} per call")
        limit = max(1, settings.max_work_per_call // max(n_train, 1))
        if epochs > limit:
            raise field_error("epochs", f"at most {limit} epochs per call on {n_train} training "
                              f"samples (budget {settings.max_work_per_call} sample-updates)")  # fmt: skip
        return epochs * n_train
    assert samples is not None
    if samples > settings.max_work_per_call:
        raise field_error("samples", f"at most {settings.max_work_per_call} per call")
    return samples
