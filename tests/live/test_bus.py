"""The Redis bus between workers, two `RedisBus`es in one process on a real redis-server: who
follows a session's frames, as the worker running it counts them and hears of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from app.live.bus import RedisBus
from tests.conftest import RedisServer


async def nothing_to_answer(request: dict[str, Any]) -> dict[str, Any]:
    return {}


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Wait for `check` to hold (subscriptions reach Redis on their own connection)."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.02)


def test_a_worker_that_starts_to_follow_tells_the_one_running_the_session(
    redis_server: RedisServer, redis_prefix: str,
) -> None:  # fmt: skip
    async def scenario() -> None:
        told: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        running, viewing = RedisBus(redis_server.url, redis_prefix), RedisBus(redis_server.url, redis_prefix)
        await running.start(lambda session, body: told.put_nowait((session, body)), nothing_to_answer)
        await viewing.start(lambda session, body: None, nothing_to_answer)
        try:
            assert await running.take("s1") is not None
            await viewing.follow("s1")
            assert await asyncio.wait_for(told.get(), 10) == ("s1", {"followed": True})
            await viewing.follow("s1")  # already following: nothing more to say
            await viewing.unfollow("s2")  # never followed: nothing to do
            await viewing.ask(running.worker, {})  # answered after all that came before it
            assert told.empty()
        finally:
            await running.close()
            await viewing.close()

    asyncio.run(scenario())


def test_follower_counts_leave_out_the_worker_that_asks(
    redis_server: RedisServer, redis_prefix: str,
) -> None:  # fmt: skip
    """A worker follows the frames of a session it runs too, for its own viewers (they need nothing
    from Redis): only the others count."""

    async def scenario() -> None:
        a, b = RedisBus(redis_server.url, redis_prefix), RedisBus(redis_server.url, redis_prefix)
        for bus in (a, b):
            await bus.start(lambda session, body: None, nothing_to_answer)
        try:
            await a.follow("s1")
            assert await a.followers_many(["s1", "s2"]) == [0, 0]
            await b.follow("s1")
            await until(lambda: _counts(a, b, "s1", [1, 1]))
            await b.unfollow("s1")
            await until(lambda: _counts(a, b, "s1", [0, 1]))
        finally:
            await a.close()
            await b.close()

    asyncio.run(scenario())


async def _counts(a: RedisBus, b: RedisBus, session_id: str, expected: list[int]) -> bool:
    return [await a.followers(session_id), await b.followers(session_id)] == expected
