"""POST /api/train: a whole run in one stateless call."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from app.api.deps import SettingsDep
from app.api.limits import check_work
from app.api.schemas import TrainRequest, TrainResponse, error_responses
from app.live.hub import run_bounded
from app.neuron.config import complete_config
from app.sessions.session import Session

router = APIRouter(tags=["train"])


@router.post("/api/train", response_model=TrainResponse, responses=error_responses(400, 413))
async def train(body: TrainRequest, settings: SettingsDep) -> dict[str, Any]:
    """Train a fresh neuron for `epochs` epochs; returns the final state and every epoch's row."""
    given = body.given()
    given.pop("epochs", None)
    session = Session.create("stateless", "", complete_config(given))
    work = check_work(settings, session.run.n_train, body.epochs, None)
    await run_bounded(work, lambda: session.step(epochs=body.epochs))
    return {"state": session.state(), "history": [asdict(r) for r in session.new_rows]}
