"""Looking at a session without changing it: the loss landscape over two weights with the path
through them, and the state at a recorded epoch's parameters (the timeline's preview)."""

from __future__ import annotations

import math
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query

from app.api.deps import HubDep, ManagerDep, SessionDep
from app.api.limits import field_error
from app.api.schemas import Landscape, SessionState, error_responses
from app.live.hub import INLINE_WORK
from app.neuron.landscape import (
    MAX_SIZE, MIN_SIZE, LandscapeJob, default_pair, path_through, surface_of,
)  # fmt: skip
from app.sessions.history import thinned
from app.sessions.preview import state_with

router = APIRouter(prefix="/api/sessions", tags=["landscape"])
MAX_PATH_POINTS = 1000  # a longer history is thinned as the stored one is (ends and recent kept)


@router.get("/{session_id}/landscape", response_model=Landscape, responses=error_responses(404))
async def read_landscape(
    session: SessionDep, manager: ManagerDep, hub: HubDep,
    weights: Annotated[str | None, Query(max_length=40, description="two weight indices 'i,j'; "
                                         "default: the two largest weights")] = None,
    size: Annotated[int, Query(ge=MIN_SIZE, le=MAX_SIZE, description="grid points a side")] = 48,
) -> dict[str, Any]:  # fmt: skip
    """The training loss over a size × size grid of (w_i, w_j), every other parameter held at
    its current value (for the perceptron: the count of misclassified training samples), and the
    path training took through that plane. Large grids share the server's work budget."""
    async with manager.lock(session.id):  # a snapshot of now, and the history stored up to now
        run = session.run
        n_features = run.data.n_features
        i, j = _pair(weights, run.state.weights, n_features)
        surface = surface_of(run)
        if session.new_rows or session.history_cleared:
            await manager.save(session)
    rows = orjson.loads(await manager.store.history_json(session.id))
    rows = thinned(rows, MAX_PATH_POINTS)
    path = path_through([(r["epoch"], r["weights"]) for r in rows], i, j)
    job = LandscapeJob(surface, i, j, size, path)
    if job.work <= INLINE_WORK:
        job.advance(job.work)
    else:
        await hub.work.run(job.advance)
    result = job.result()
    names = run.data.feature_names
    return {**result.__dict__, "names": [names[i], names[j]], "size": size}


def _pair(weights: str | None, current: list[float], n_features: int) -> tuple[int, int]:
    if n_features < 2:
        raise field_error("weights", "the landscape needs at least two weights (features)", "query")
    if weights is None:
        return default_pair(current)
    parts = weights.split(",")
    allowed = f"two different weight indices from 0 to {n_features - 1}, as 'i,j'"
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise field_error("weights", allowed, "query")
    i, j = (int(p) for p in parts)
    if i == j or max(i, j) >= n_features:
        raise field_error("weights", allowed, "query")
    return i, j


@router.get("/{session_id}/preview", response_model=SessionState, responses=error_responses(404))
async def preview(
    session: SessionDep, manager: ManagerDep,
    weights: Annotated[list[float], Query(min_length=1, max_length=64,
                                          description="one per feature, repeated: weights=2&weights=1")],
    bias: Annotated[float, Query(description="the bias (0 with the bias off)")] = 0.0,
) -> dict[str, Any]:  # fmt: skip
    """The session state as it would be with these weights and bias (a recorded epoch's, say):
    boundary, outputs, predictions, scores and metrics. Nothing changes; `last_update` is null."""
    if not all(math.isfinite(v) for v in weights):
        raise field_error("weights", "finite numbers, one per feature", "query")
    if not math.isfinite(bias):
        raise field_error("bias", "a finite number", "query")
    async with manager.lock(session.id):
        return state_with(session, weights, bias)
