"""REST routes of a session: create, read, change, train, predict, and take it away."""

from __future__ import annotations

import io
from typing import Annotated, Any

import numpy as np
import segno
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import PlainTextResponse

from app.api.deps import (
    ClusterDep, ControlledSessionDep, HubDep, ManagerDep, SessionDep, SettingsDep,
)
from app.api.language import LANG_PATTERN
from app.api.links import public_base_url
from app.api.limits import field_error
from app.api.schemas import (
    CreatedSession, HistoryEntry, PredictRequest, PredictResponse, SessionConfig, SessionData,
    SessionPatch, SessionState, StepRequest, error_responses,
)  # fmt: skip
from app.neuron.config import complete_config
from app.neuron.export import export_script

router = APIRouter(prefix="/api/sessions", tags=["sessions"])
READ = error_responses(404)
STEER = error_responses(401, 403, 404)
STEER_WITH_BODY = error_responses(400, 401, 403, 404, 413)


class PythonScript(PlainTextResponse):
    media_type = "text/x-python"  # the media type /docs and the schema announce


class SVGImage(Response):
    media_type = "image/svg+xml"


@router.post("", status_code=201, response_model=CreatedSession, responses=error_responses(400, 413))
async def create_session(body: SessionConfig, manager: ManagerDep) -> dict[str, Any]:
    """Start a run; the response carries `control_token` this once."""
    session, token = await manager.create(complete_config(body.given()))
    return {**session.state(), "control_token": token}


@router.get("/{session_id}", response_model=SessionState, responses=READ)
async def read_session(session: SessionDep) -> dict[str, Any]:
    return session.state()


@router.patch("/{session_id}", response_model=SessionState, responses=STEER_WITH_BODY)
async def change_session(body: SessionPatch, session: ControlledSessionDep,
                         cluster: ClusterDep) -> dict[str, Any]:  # fmt: skip
    """Apply part of a config and/or weights and bias set by hand, at once."""
    return await cluster.execute(session, {"kind": "patch", "config": body.config_part(),
                                           **body.parameters()})  # fmt: skip


@router.post("/{session_id}/step", response_model=SessionState, responses=STEER_WITH_BODY)
async def step_session(body: StepRequest, session: ControlledSessionDep,
                       cluster: ClusterDep) -> dict[str, Any]:  # fmt: skip
    """Train `epochs` epochs or `samples` online updates (stops early once training must stop).
    Large steps are trained in slices that share the server fairly with everyone else's."""
    return await cluster.execute(session, {"kind": "step", "epochs": body.epochs,
                                           "samples": body.samples})  # fmt: skip


@router.post("/{session_id}/reset", response_model=SessionState, responses=STEER)
async def reset_session(session: ControlledSessionDep, cluster: ClusterDep) -> dict[str, Any]:
    """Back to the initial weights, history cleared."""
    return await cluster.execute(session, {"kind": "reset"})


@router.post("/{session_id}/predict", response_model=PredictResponse,
             responses=error_responses(400, 404, 413))
async def predict(body: PredictRequest, session: SessionDep) -> dict[str, Any]:
    n = session.run.data.n_features
    if any(len(row) != n for row in body.inputs):
        raise field_error("inputs", f"every input needs {n} values, one per feature")
    outputs, predictions = session.run.output(np.asarray(body.inputs, dtype=np.float64))
    outputs = np.nan_to_num(outputs, nan=0.0, posinf=1e308, neginf=-1e308)
    return {"outputs": outputs.tolist(), "predictions": predictions.tolist()}


@router.get("/{session_id}/history", response_model=list[HistoryEntry], responses=READ)
async def history(session: SessionDep, manager: ManagerDep) -> Response:
    """One row per epoch (epoch 0 is the start); past the cap, older rows are thinned."""
    async with manager.lock(session.id):  # rows a runner has not stored yet are stored first
        if session.new_rows or session.history_cleared:
            await manager.save(session)
    rows = await manager.store.history_json(session.id)
    return Response(rows, media_type="application/json")


@router.get("/{session_id}/data", response_model=SessionData, responses=READ)
async def session_data(session: SessionDep) -> dict[str, Any]:
    """The session's points in view coordinates (principal-component plane past 2 features)."""
    return session.data_view()


@router.get("/{session_id}/export.py", response_class=PythonScript, responses=READ)
async def export(session: SessionDep) -> PythonScript:
    """A standalone Python + NumPy script that retrains this run and prints its weights."""
    script = export_script(session.run.data, session.checkpoint, session.log)
    name = f"neuron-{session.config.dataset}-epoch{session.run.state.epoch}.py"  # as the page names
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return PythonScript(script, headers=headers)


@router.get("/{session_id}/qr.svg", response_class=SVGImage, responses=error_responses(400, 404))
async def share_qr(session: SessionDep, request: Request, settings: SettingsDep,
                   lang: Annotated[str | None, Query(pattern=LANG_PATTERN)] = None) -> Response:  # fmt: skip
    """The students' link to follow this session, as a QR code big enough for a projector;
    with `lang`, the link opens the page in that language (the teacher's)."""
    link = f"{public_base_url(request, settings)}/?session={session.id}"
    if lang:
        link += f"&lang={lang}"
    buffer = io.BytesIO()  # a standalone SVG (with its namespace), fit for an <img>
    segno.make(link, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000",
                                     light="#fff", xmldecl=False)  # fmt: skip
    return SVGImage(buffer.getvalue(), headers={"Cache-Control": "no-store"})


@router.delete("/{session_id}", status_code=204, responses=STEER)
async def delete_session(session: ControlledSessionDep, manager: ManagerDep, hub: HubDep) -> Response:
    """Gone at once, for good: a step still running on it is not stored, its watchers are
    closed (4404) in the background, and it never comes back."""
    await manager.delete(session.id)
    hub.close_session(session.id)
    hub.bus.publish(session.id, {"gone": True})  # viewers on other workers
    return Response(status_code=204)
