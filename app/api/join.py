"""Joining a class by its short code: the teacher's page asks for the code of a shared session,
students type it at /join and land on /?session=ID."""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.api.deps import ControlledSessionDep, ManagerDep, SettingsDep
from app.api.language import VARY, language_context
from app.api.schemas import error_responses
from app.sessions.join_codes import ALPHABET, LENGTH, JoinCodeStore, normalise

router = APIRouter(tags=["sessions"])
MAX_TRACKED_ADDRESSES = 10_000  # the limiter's memory stays bounded under a flood of addresses


class JoinCode(BaseModel):
    code: str = Field(description=f"{LENGTH} characters from {ALPHABET}, typed at /join")


def get_join_codes(request: Request) -> JoinCodeStore:
    return request.app.state.join_codes


JoinCodesDep = Annotated[JoinCodeStore, Depends(get_join_codes)]


class AttemptLimit:
    """A token bucket per client address: `per_minute` tries in a burst, then one every
    60/per_minute seconds, so six characters cannot be guessed by trying them all."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[float, float]] = {}  # address → (tokens, at)

    def wait_seconds(self, address: str, per_minute: int) -> float:
        """0 when this try may go ahead (and it is counted), else how long until one may."""
        now, rate = time.monotonic(), per_minute / 60.0
        tokens, at = self.buckets.get(address, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - at) * rate)
        if tokens < 1:
            self.buckets[address] = (tokens, now)
            return (1 - tokens) / rate
        if len(self.buckets) >= MAX_TRACKED_ADDRESSES and address not in self.buckets:
            self.buckets.clear()
        self.buckets[address] = (tokens - 1, now)
        return 0.0


@router.post("/api/sessions/{session_id}/join-code", response_model=JoinCode,
             responses=error_responses(401, 403, 404))  # fmt: skip
async def join_code(session: ControlledSessionDep, codes: JoinCodesDep) -> dict[str, str]:
    """The session's short join code (the same one each time), for students to type at /join."""
    return {"code": await codes.code_for(session.id)}


@router.get("/join", response_class=HTMLResponse, include_in_schema=False, name="join_page")
async def join(request: Request, codes: JoinCodesDep, manager: ManagerDep, settings: SettingsDep,
               code: Annotated[str | None, Query(max_length=32)] = None) -> Response:  # fmt: skip
    """The form; with ?code=, the class it names (303 to /?session=ID) or the form and why not,
    in the student's language (which the class's page keeps)."""
    words = language_context(request)
    t = words["t"]
    if code is None:
        return _page(request, None, 200)
    limit: AttemptLimit = request.app.state.join_limit
    address = request.client.host if request.client else "unknown"
    wait = limit.wait_seconds(address, settings.join_attempts_per_minute)
    if wait > 0:
        seconds = math.ceil(wait)
        return _page(request, t("join.too_many", seconds=seconds), 429,
                     code, headers={"Retry-After": str(seconds)})  # fmt: skip
    wanted = normalise(code)
    if wanted is None:
        return _page(request, t("join.malformed", length=LENGTH), 422, code)
    session_id = await codes.session_for(wanted)
    if session_id is not None and await manager.get(session_id) is None:
        await codes.forget(session_id)  # the session ended: so did its code
        session_id = None
    if session_id is None:
        return _page(request, t("join.unknown", code=wanted), 404, code)
    target = request.url_for("playground_page").include_query_params(session=session_id,
                                                                      lang=words["lang"])  # fmt: skip
    return RedirectResponse(target.path + "?" + target.query, status_code=303)


def _page(request: Request, problem: str | None, status: int, typed: str = "",
          headers: dict[str, str] | None = None) -> HTMLResponse:  # fmt: skip
    templates = request.app.state.templates
    context = {**language_context(request), "problem": problem, "typed": typed, "length": LENGTH}
    return templates.TemplateResponse(request, "join.html", context, status_code=status,
                                      headers={**VARY, **(headers or {})})  # fmt: skip
