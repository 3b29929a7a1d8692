"""Which stores a deployment uses (sessions, uploads, join codes): Redis when `NEURON_REDIS_URL`
is set, else the SQLite file."""

from __future__ import annotations

import asyncio

from app.sessions.join_codes import JoinCodes, JoinCodeStore, RedisJoinCodes
from app.sessions.redis_store import RedisStore
from app.sessions.redis_uploads import RedisUploads
from app.sessions.store import SessionStore, SQLiteStore
from app.sessions.uploads import SQLiteUploads, UploadStore
from app.settings import Settings


def open_store(settings: Settings) -> SessionStore:
    """The configured store (a Redis client connects lazily, on its first command)."""
    if settings.redis_url:
        return RedisStore.from_url(settings.redis_url, settings.redis_prefix,
                                   settings.max_history_rows)  # fmt: skip
    return SQLiteStore(settings.database, settings.max_history_rows)


def open_uploads(settings: Settings) -> UploadStore:
    """Where uploaded datasets live: beside the sessions, so every worker opens the same ones."""
    if settings.redis_url:
        return RedisUploads(settings.redis_url, settings.redis_prefix, settings.max_uploads,
                            settings.session_ttl_seconds)  # fmt: skip
    return SQLiteUploads(settings.database, settings.max_uploads, settings.session_ttl_seconds)


def open_join_codes(settings: Settings) -> JoinCodeStore:
    """Where join codes live: beside the sessions, so a code typed on any worker finds its session."""
    if settings.redis_url:
        return RedisJoinCodes(settings.redis_url, settings.redis_prefix, settings.session_ttl_seconds)
    return JoinCodes(settings.database, settings.session_ttl_seconds)


def check_store(settings: Settings) -> None:
    """Before serving: raise StoreUnusable, one line naming the store and the remedy, if the
    SQLite file cannot be used or Redis does not answer."""
    if not settings.redis_url:
        SQLiteStore(settings.database, settings.max_history_rows).close_now()
        return

    async def ping() -> None:
        store = RedisStore.from_url(settings.redis_url or "", settings.redis_prefix)
        try:
            await store.check()
        finally:
            await store.close()

    asyncio.run(ping())
