"""Every limit and path of the service in one place, read from NEURON_* environment variables."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database() -> Path:
    """The user's data directory (XDG), so sessions outlive the checkout."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "neuron-playground" / "sessions.sqlite3"


class Settings(BaseSettings):
    """Limits keep every request bounded; the defaults allow every run of PRODUCT.md §10."""

    model_config = SettingsConfigDict(env_prefix="NEURON_")

    database: Path = Field(default_factory=default_database, description="SQLite file of sessions")
    redis_url: str | None = Field(None, pattern=r"^(redis|rediss|unix)://",
                                  description="redis://host:port/db: sessions and frames shared by "
                                  "every worker (else one process on SQLite)")
    redis_prefix: str = Field("neuron:", min_length=1, max_length=100,
                              description="start of every Redis key (several apps, one Redis)")
    max_sessions: int = Field(500, ge=1, description="stored sessions; the oldest is evicted")
    memory_sessions: int = Field(128, ge=1, description="idle sessions kept loaded; the rest on disk")
    session_ttl_seconds: float = Field(7 * 24 * 3600, gt=0, description="idle sessions expire")
    max_epochs_per_call: int = Field(10_000, ge=1, description="epochs in one step or train call")
    max_work_per_call: int = Field(1_000_000, ge=1, description="epochs × training samples per call")
    max_samples: int = Field(10_000, ge=1, description="rows of a synthetic or custom dataset")
    max_features: int = Field(64, ge=1, description="features of a custom dataset")
    max_uploads: int = Field(500, ge=1, description="stored uploaded datasets; oldest unused evicted")
    max_grid_size: int = Field(256, ge=8, description="heatmap cells per side")
    max_history_rows: int = Field(10_000, ge=100, description="history rows kept; older thinned")
    max_body_bytes: int = Field(2_000_000, ge=1024, description="largest request body")
    max_viewers: int = Field(300, ge=1, description="stream connections per session")
    max_message_bytes: int = Field(65_536, ge=256, description="largest WebSocket message")
    max_messages_per_second: float = Field(50, gt=0, description="commands per connection")
    max_fps: int = Field(60, ge=1, description="frames per second of a stream")
    max_steps_per_frame: int = Field(100, ge=1, description="epochs per stream frame")
    max_work_per_frame: int = Field(50_000, ge=1, description="sample-updates per frame")
    join_attempts_per_minute: int = Field(20, ge=1, description="join codes one address may try")
    # What a crash may lose of a playing run, against the store's cost: every playing session
    # is stored in one write per interval (app/live/runner.py), and at once on pause and stop.
    save_interval_seconds: float = Field(1.0, gt=0, description="how often playing runs are stored")
    # One by default: training is mostly Python holding the GIL, so a second thread adds no
    # throughput, only contention: measured under 8 large steps, a small step's own work took a
    # 22 ms median (max 113) on two threads against 7 ms (max 11) on one.
    work_threads: int = Field(1, ge=1, le=64, description="threads that share the training work")
    public_url: str | None = Field(None, max_length=200, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
                                   description="base URL students use (QR codes, join links)")
    frame_ancestors: str = Field("*", min_length=1, max_length=2000,
                                 description="origins whose pages may show /?embed=1 in an iframe "
                                 "(CSP frame-ancestors sources, space-separated; * any)")

    @field_validator("frame_ancestors")
    @classmethod
    def _frame_sources(cls, value: str) -> str:
        return check_frame_sources(value)


# One CSP frame-ancestors source: any origin, this origin, none, a scheme, or an origin (its host
# may start with a *. wildcard, its port may be *). Nothing else can reach the header: no `;`.
_FRAME_SOURCE = re.compile(r"\*|'self'|'none'|https?:|https?://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?",
                           re.IGNORECASE)  # fmt: skip


def check_frame_sources(value: str) -> str:
    """The sources, one space apart; a ValueError names the first that is not a source."""
    sources = value.split()
    for source in sources:
        match = _FRAME_SOURCE.fullmatch(source)
        port = match and match.group(3)
        if not match or (port and port != ":*" and int(port[1:]) > 65535):
            raise ValueError(f"{source!r} is not a frame-ancestors source: use *, 'self', 'none', "
                             "https: or origins like https://school.example (space-separated)")
    if "'none'" in sources and len(sources) > 1:
        raise ValueError("'none' stands alone")
    if not sources:
        raise ValueError("no source: use * for any origin, or 'self'")
    return " ".join(sources)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
