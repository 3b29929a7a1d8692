"""The lease of a playing session on a real redis-server: one holder at a time, renewed and
released only by its holder, and free again once its holder stops renewing it."""

from __future__ import annotations

import time

import pytest
import redis.asyncio as aioredis

from app.sessions import lease
from app.sessions.redis_store import connect
from app.sessions.store import StoreError
from tests.conftest import free_port
from tests.sessions.conftest import Run


@pytest.fixture
def key(redis_prefix: str) -> str:
    return f"{redis_prefix}lease:s1"


def test_one_holder_at_a_time(aclient: aioredis.Redis, key: str, run: Run) -> None:
    assert run(lease.holder(aclient, key)) is None
    assert run(lease.acquire(aclient, key, "worker-a", 10_000))
    assert not run(lease.acquire(aclient, key, "worker-b", 10_000))
    assert not run(lease.acquire(aclient, key, "worker-a", 10_000))  # not re-entrant either
    assert run(lease.holder(aclient, key)) == "worker-a"


def test_only_the_holder_renews_or_releases(aclient: aioredis.Redis, key: str, run: Run) -> None:
    run(lease.acquire(aclient, key, "worker-a", 1_000))
    assert not run(lease.renew(aclient, key, "worker-b", 60_000))
    assert 0 < run(aclient.pttl(key)) <= 1_000
    assert run(lease.renew(aclient, key, "worker-a", 60_000))
    assert 1_000 < run(aclient.pttl(key)) <= 60_000
    assert not run(lease.release(aclient, key, "worker-b"))
    assert run(lease.holder(aclient, key)) == "worker-a"
    assert run(lease.release(aclient, key, "worker-a"))
    assert run(lease.holder(aclient, key)) is None
    assert not run(lease.renew(aclient, key, "worker-a", 60_000))  # gone: not brought back
    assert run(lease.holder(aclient, key)) is None


def test_a_lease_not_renewed_expires_and_another_takes_it(
    aclient: aioredis.Redis, key: str, run: Run
) -> None:
    run(lease.acquire(aclient, key, "worker-a", 50))
    deadline = time.monotonic() + 10
    while run(lease.holder(aclient, key)) is not None:
        assert time.monotonic() < deadline, "the lease never expired"
        time.sleep(0.02)
    assert not run(lease.renew(aclient, key, "worker-a", 10_000))
    assert run(lease.acquire(aclient, key, "worker-b", 10_000))
    assert run(lease.holder(aclient, key)) == "worker-b"


def test_a_redis_that_does_not_answer_is_a_store_error(run: Run) -> None:
    client = connect(f"redis://127.0.0.1:{free_port()}/0")
    try:
        for call in (lease.acquire(client, "k", "t", 100), lease.renew(client, "k", "t", 100),
                     lease.release(client, "k", "t"), lease.holder(client, "k")):  # fmt: skip
            with pytest.raises(StoreError, match="Redis session store redis://127.0.0.1"):
                run(call)
    finally:
        run(client.aclose())


def test_leases_renewed_together_are_each_renewed_only_by_their_holder(
    aclient: aioredis.Redis, redis_prefix: str, run: Run
) -> None:
    """A worker renews every lease it plays under in one round trip; one it lost stays lost."""
    mine, lost = f"{redis_prefix}lease:a", f"{redis_prefix}lease:b"
    run(lease.acquire(aclient, mine, "worker-a", 1_000))
    run(lease.acquire(aclient, lost, "worker-b", 1_000))  # taken over by another worker
    kept = run(lease.renew_many(aclient, [(mine, "worker-a"), (lost, "worker-a")], 60_000))
    assert kept == [True, False]
    assert 1_000 < run(aclient.pttl(mine)) <= 60_000 and 0 < run(aclient.pttl(lost)) <= 1_000
    assert run(lease.holder(aclient, lost)) == "worker-b"
    assert run(lease.renew_many(aclient, [], 60_000)) == []
