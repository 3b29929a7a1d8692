"""Dependencies of the routes: the settings, the sessions, the hub, and who may steer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request

from app.live.cluster import Cluster
from app.live.hub import Hub
from app.sessions.manager import SessionManager
from app.sessions.session import Session
from app.sessions.tokens import token_matches
from app.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_manager(request: Request) -> SessionManager:
    return request.app.state.sessions


def get_hub(request: Request) -> Hub:
    return request.app.state.hub


def get_cluster(request: Request) -> Cluster:
    return request.app.state.cluster


SettingsDep = Annotated[Settings, Depends(get_settings)]
ManagerDep = Annotated[SessionManager, Depends(get_manager)]
HubDep = Annotated[Hub, Depends(get_hub)]
ClusterDep = Annotated[Cluster, Depends(get_cluster)]


NOT_FOUND = "no session with that id (it may have expired or been deleted)"


async def find_session(
    manager: ManagerDep, cluster: ClusterDep, session_id: Annotated[str, Path(max_length=64)]
) -> AsyncIterator[Session]:
    """The session, held in memory while the request uses it (so nothing loads a second copy
    and nothing evicts it meanwhile), as stored now (another worker may have changed it)."""
    async with manager.held(session_id) as session:
        if session is None:
            # The id is not echoed: a client knows what it sent, and a reflected string is a risk.
            raise HTTPException(404, NOT_FOUND)
        await cluster.refresh(session)
        yield session


SessionDep = Annotated[Session, Depends(find_session)]


async def controlled_session(
    session: SessionDep,
    authorization: Annotated[str | None, Header(description="Bearer <control_token>")] = None,
) -> Session:
    """Only the holder of the session's control token may change it."""
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "this route needs 'Authorization: Bearer <control_token>'",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    if not token_matches(authorization.removeprefix("Bearer ").strip(), session.token_hash):
        raise HTTPException(403, "that control token does not steer this session")
    return session


ControlledSessionDep = Annotated[Session, Depends(controlled_session)]
