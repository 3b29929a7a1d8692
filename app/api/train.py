"""POST /api/train: a whole run in one stateless call."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from app.api.deps import HubDep
from app.api.schemas import TrainRequest, TrainResponse, error_responses
from app.neuron.config import complete_config
from app.sessions.session import Session

router = APIRouter(tags=["train"])


@router.post("/api/train", response_model=TrainResponse, responses=error_responses(400, 413))
async def train(body: TrainRequest, hub: HubDep) -> dict[str, Any]:
    """Train a fresh neuron for `epochs` epochs; returns the final state and a row per epoch
    (past NEURON_MAX_HISTORY_ROWS rows, the older ones thinned as a session's are)."""
    given = body.given()
    given.pop("epochs", None)
    session = Session.create("stateless", "", complete_config(given))
    await hub.run_work(session, body.epochs, None)  # the caps and the fair share of any step
    return {"state": session.state(), "history": [asdict(r) for r in session.new_rows]}
