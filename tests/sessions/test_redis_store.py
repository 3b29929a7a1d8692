"""What the Redis store adds to the store contract, on a real redis-server: writes fenced by a
lease, keys that never outlive their session, prefixes that share one server, and a Redis that
is down reported as StoreError (the API's 503), with the client back by itself once it returns."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from app.neuron.training import HistoryRow
from app.sessions import lease
from app.sessions.redis_store import RedisStore
from app.sessions.store import StaleWrite, StoredSession, StoreError, StoreUnusable, Update
from tests.conftest import RedisServer, free_port
from tests.sessions.conftest import Run


def _stored(session_id: str, version: int = 1, record: str = '{"v": 1}') -> StoredSession:
    return StoredSession(session_id, "hash", 0.0, float(version), record, version)


def _row(epoch: int) -> HistoryRow:
    return HistoryRow(epoch, 0.25, 1.0, None, [float(epoch)], 0.0)


@pytest.fixture
def store(redis_server: RedisServer, redis_prefix: str, run: Run) -> Iterator[RedisStore]:
    s = RedisStore.from_url(redis_server.url, redis_prefix)
    yield s
    run(s.close())


def _keys(server: RedisServer, prefix: str) -> list[str]:
    with server.client() as c:
        return sorted(k.decode() for k in c.scan_iter(match=f"{prefix}*"))


def test_a_fenced_write_needs_the_lease_token(store: RedisStore, aclient: aioredis.Redis,
                                              run: Run) -> None:  # fmt: skip
    run(store.insert(_stored("a"), [_row(0)], keep=10))
    key = store.lease_key("a")
    with pytest.raises(StaleWrite) as unleased:  # nobody holds the lease: a fenced write fails
        run(store.update(_stored("a", 2), [_row(1)], clear_history=False, fence="mine"))
    assert not unleased.value.gone
    assert run(lease.acquire(aclient, key, "mine", 10_000))
    run(store.update(_stored("a", 2, '{"v": 2}'), [_row(1)], clear_history=False, fence="mine"))
    with pytest.raises(StaleWrite) as taken_over:  # the right version, but another's lease
        run(store.update(_stored("a", 3, '{"v": 3}'), [_row(2)], clear_history=True, fence="old"))
    assert not taken_over.value.gone
    assert run(store.get("a")) == _stored("a", 2, '{"v": 2}')
    assert [r["epoch"] for r in json.loads(run(store.history_json("a")))] == [0, 1]
    run(store.update(_stored("a", 3, '{"v": 3}'), [], clear_history=False))  # unfenced: allowed
    assert run(store.delete("a"))
    with pytest.raises(StaleWrite) as gone:
        run(store.update(_stored("a", 4), [], clear_history=False, fence="mine"))
    assert gone.value.gone


def test_no_key_outlives_its_session(store: RedisStore, aclient: aioredis.Redis,
                                     redis_server: RedisServer, run: Run) -> None:  # fmt: skip
    """Deleted, evicted or expired: the session's hash, history, epochs, lease and index entry
    all go in the same script."""
    for i, name in enumerate(["old", "mid", "new"]):
        run(store.insert(StoredSession(name, "h", 0.0, float(i), "{}", 1), [_row(0), _row(1)], keep=10))
        run(lease.acquire(aclient, store.lease_key(name), "t", 60_000))
    assert run(store.insert(StoredSession("newest", "h", 0.0, 9.0, "{}", 1), [], keep=3)) == ["old"]
    assert run(store.expire(1.5, spare={"new"})) == ["mid"]
    assert run(store.delete("new")) and not run(store.delete("new"))
    p = store.prefix
    assert _keys(redis_server, p) == [f"{p}session:newest", f"{p}updated"]
    assert run(store.list_ids()) == ["newest"] and run(store.count()) == 1


def test_a_session_another_worker_holds_is_neither_evicted_nor_expired(
    store: RedisStore, redis_server: RedisServer, run: Run
) -> None:
    """Worker A holds "used" (a stream watches it there); worker B, whose own insert would evict
    the least recently used session, evicts the other one instead, and expiry skips it too, for
    as long as A's word lasts."""
    worker_b = RedisStore.from_url(redis_server.url, store.prefix)
    try:
        run(store.insert(StoredSession("used", "h", 0.0, 1.0, "{}", 1), [], keep=10))
        run(store.insert(StoredSession("idle", "h", 0.0, 2.0, "{}", 1), [], keep=10))
        run(store.keep_held(["used"], seconds=60))
        assert run(worker_b.insert(StoredSession("new", "h", 0.0, 3.0, "{}", 1), [], keep=2)) == ["idle"]
        assert run(worker_b.expire(10.0)) == ["new"]  # "used" is older, but held
        run(store.keep_held(["used"], seconds=0.05))  # renewed for a short while only
        time.sleep(0.2)  # A's word ran out (a worker that died says nothing more)
        assert run(worker_b.expire(10.0)) == ["used"]
    finally:
        run(worker_b.close())


def test_two_prefixes_share_a_server_without_seeing_each_other(
    store: RedisStore, redis_server: RedisServer, run: Run
) -> None:
    other = RedisStore.from_url(redis_server.url, f"{store.prefix}other:")
    try:
        run(store.insert(_stored("a"), [_row(0)], keep=1))
        assert run(other.insert(_stored("b"), [], keep=1)) == []  # a is not counted, nor evicted
        assert run(other.get("a")) is None and not run(other.delete("a"))
        assert run(store.list_ids()) == ["a"] and run(other.list_ids()) == ["b"]
    finally:
        run(other.close())


def test_a_redis_that_does_not_answer_is_a_store_error_naming_it(run: Run) -> None:
    port = free_port()  # nothing listens there
    store = RedisStore.from_url(f"redis://:s3cret@127.0.0.1:{port}/2", "x:")
    try:
        for call in (store.get("a"), store.insert(_stored("a"), [], keep=5), store.count(),
                     store.update(_stored("a", 2), [_row(1)], clear_history=False),
                     store.history_json("a"), store.expire(1.0), store.delete("a")):  # fmt: skip
            with pytest.raises(StoreError) as failed:
                run(call)
            assert f"Redis session store redis://127.0.0.1:{port}/2 could not" in str(failed.value)
            assert not isinstance(failed.value, StaleWrite)
        with pytest.raises(StoreUnusable) as unusable:
            run(store.check())
        message = str(unusable.value)
        assert "\n" not in message and "s3cret" not in message and "NEURON_REDIS_URL" in message
    finally:
        run(store.close())


def test_the_store_comes_back_by_itself_when_redis_does(tmp_path: Path, run: Run) -> None:
    server = RedisServer(tmp_path, persistent=True).start()
    store = RedisStore.from_url(server.url)
    try:
        run(store.insert(_stored("a"), [_row(0)], keep=5))
        server.stop(kill=True)
        with pytest.raises(StoreError):
            run(store.update(_stored("a", 2), [_row(1)], clear_history=False))
        server.start()  # same port, same append-only file
        assert run(store.get("a")) == _stored("a")  # the failed write left nothing behind
        run(store.update(_stored("a", 2), [_row(1)], clear_history=False))
        assert [r["epoch"] for r in json.loads(run(store.history_json("a")))] == [0, 1]
    finally:
        run(store.close())
        server.stop()


def test_saves_sent_together_are_each_fenced_by_their_own_lease(
    store: RedisStore, aclient: aioredis.Redis, run: Run
) -> None:
    for i in "ab":
        run(store.insert(_stored(i), [_row(0)], keep=10))
        assert run(lease.acquire(aclient, store.lease_key(i), f"worker-{i}", 10_000))
    outcomes = run(store.update_many([
        Update(_stored("a", 2, '{"v": 2}'), [_row(1)], fence="worker-a"),
        Update(_stored("b", 2, '{"v": 2}'), [_row(1)], fence="worker-a"),  # b's lease is not a's
    ]))  # fmt: skip
    assert outcomes[0] is None and isinstance(outcomes[1], StaleWrite) and not outcomes[1].gone
    assert run(store.get("a")) == _stored("a", 2, '{"v": 2}') and run(store.get("b")) == _stored("b")
