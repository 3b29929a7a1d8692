"""GET /api/stats: what this process holds right now, read-only (for operators and tests)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.api.deps import HubDep, ManagerDep

router = APIRouter(prefix="/api", tags=["health"])


class Stats(BaseModel):
    sessions_in_memory: int = Field(description="sessions loaded in memory (the rest are on disk)")
    channels: int = Field(description="sessions with at least one stream connection")
    runners: int = Field(description="sessions playing: one training task each")
    watchers: int = Field(description="open stream connections")


@router.get("/stats", response_model=Stats)
async def read_stats(hub: HubDep, manager: ManagerDep) -> Stats:
    """Counts only: no ids, no tokens. A runner outliving its last connection shows up here."""
    channels = list(hub.channels.values())
    return Stats(
        sessions_in_memory=manager.in_memory(),
        channels=len(channels),
        runners=hub.runner_count(),
        watchers=sum(len(channel.watchers) for channel in channels),
    )
