"""Fixtures of the store tests: one event loop per test, an asyncio client of the shared Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from app.sessions.redis_store import connect
from tests.conftest import RedisServer

Run = Callable[[Coroutine[Any, Any, Any]], Any]


@pytest.fixture
def run() -> Iterator[Run]:
    """One event loop for the whole test (a Redis client's connections belong to their loop)."""
    with asyncio.Runner() as runner:
        yield runner.run


@pytest.fixture
def aclient(redis_server: RedisServer, run: Run) -> Iterator[aioredis.Redis]:
    """The store's kind of client (short timeouts, no retries) on the shared redis-server."""
    client = connect(redis_server.url)
    yield client
    run(client.aclose())
