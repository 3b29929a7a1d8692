"""The session stores, on a real SQLite file and a real redis-server: what is stored comes back,
every write is a compare-and-set on the version, history stays within its cap, eviction spares
sessions in use, and a SQLite file it cannot use is refused with one line naming it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.neuron.config import complete_config
from app.neuron.training import HistoryRow
from app.sessions.history import thinned
from app.sessions.manager import SessionManager
from app.sessions.redis_store import MAX_CONNECTIONS, RedisStore
from app.sessions.store import (
    SessionStore, SQLiteStore, StaleWrite, StoredSession, StoreUnusable, Update,
)  # fmt: skip
from tests.conftest import STORES
from tests.sessions.conftest import Run

MakeStore = Callable[..., SessionStore]


@pytest.fixture(params=STORES)
def make_store(request: pytest.FixtureRequest, tmp_path: Path, run: Run) -> Iterator[MakeStore]:
    """Opens the test's store (again: the same file, or the same Redis keys), closed afterwards."""
    opened: list[SessionStore] = []

    def make(max_history_rows: int = 10_000) -> SessionStore:
        if request.param == "sqlite":
            store: SessionStore = SQLiteStore(tmp_path / "s.sqlite3", max_history_rows)
        else:
            url = request.getfixturevalue("redis_server").url
            store = RedisStore.from_url(url, request.getfixturevalue("redis_prefix"),
                                        max_history_rows)  # fmt: skip
        opened.append(store)
        return store

    yield make
    for store in opened:
        run(store.close())


def _row(epoch: int) -> HistoryRow:
    return HistoryRow(epoch, 0.5, 1.0, None, [float(epoch), 0.0], 0.0)


def _stored(session_id: str, updated_at: float = 1.0, version: int = 1,
            record: str = '{"any": "record"}') -> StoredSession:  # fmt: skip
    return StoredSession(session_id, "hash", 0.0, updated_at, record, version)


def _epochs(run: Run, store: SessionStore, session_id: str) -> list[int]:
    return [r["epoch"] for r in json.loads(run(store.history_json(session_id)))]


def test_insert_update_and_get_round_trip(make_store: MakeStore, run: Run) -> None:
    store = make_store()
    run(store.insert(_stored("a"), [_row(0), _row(1)], keep=10))
    assert run(store.get("a")) == _stored("a")
    assert _epochs(run, store, "a") == [0, 1]
    run(store.update(_stored("a", version=2, record='{"b": 2}'), [_row(0)], clear_history=True))
    assert run(store.get("a")) == _stored("a", version=2, record='{"b": 2}')
    assert _epochs(run, store, "a") == [0]
    assert run(store.delete("a")) and run(store.get("a")) is None and _epochs(run, store, "a") == []


def test_a_burst_of_more_reads_than_connections_waits_for_them(make_store: MakeStore,
                                                                run: Run) -> None:  # fmt: skip
    """Three times as many reads at once as a worker has connections to Redis (a few hundred
    plays pressed together) are all answered, not refused for want of a connection."""
    store = make_store()
    run(store.insert(_stored("a"), [_row(0)], keep=10))

    async def burst() -> list[StoredSession | None]:
        return await asyncio.gather(*(store.get("a") for _ in range(3 * MAX_CONNECTIONS)))

    assert run(burst()) == [_stored("a")] * (3 * MAX_CONNECTIONS)


def test_a_stale_writer_fails_and_changes_nothing(make_store: MakeStore, run: Run) -> None:
    store = make_store()
    run(store.insert(_stored("a"), [_row(0)], keep=10))
    run(store.update(_stored("a", version=2, record='{"first": 1}'), [_row(1)], clear_history=False))
    with pytest.raises(StaleWrite) as stale:  # a second writer that also started from version 1
        run(store.update(_stored("a", version=2, record='{"second": 1}'), [_row(5)], clear_history=True))
    assert not stale.value.gone
    assert run(store.get("a")) == _stored("a", version=2, record='{"first": 1}')
    assert _epochs(run, store, "a") == [0, 1]


def test_many_updates_in_one_write_are_each_a_compare_and_set(make_store: MakeStore, run: Run) -> None:
    """The playing sessions' periodic saves go out together: the stale and the deleted one are
    refused and write nothing, the others are stored with their rows."""
    store = make_store()
    for i in "abcd":
        run(store.insert(_stored(i), [_row(0)], keep=10))
    run(store.update(_stored("b", version=2, record='{"other": "writer"}'), [], clear_history=False))
    assert run(store.delete("c"))
    outcomes = run(store.update_many([
        Update(_stored("a", version=2, record='{"a": 2}'), [_row(1), _row(2)]),
        Update(_stored("b", version=2, record='{"b": "stale"}'), [_row(9)], clear_history=True),
        Update(_stored("c", version=2), [_row(1)]),
        Update(_stored("d", version=2, record='{"d": 2}'), [_row(5)], clear_history=True),
    ]))  # fmt: skip
    assert outcomes[0] is None and outcomes[3] is None
    assert isinstance(outcomes[1], StaleWrite) and not outcomes[1].gone
    assert isinstance(outcomes[2], StaleWrite) and outcomes[2].gone
    assert run(store.get("a")) == _stored("a", version=2, record='{"a": 2}')
    assert run(store.get("b")) == _stored("b", version=2, record='{"other": "writer"}')
    assert run(store.get("c")) is None and _epochs(run, store, "c") == []
    assert run(store.get("d")) == _stored("d", version=2, record='{"d": 2}')
    assert [_epochs(run, store, i) for i in "abd"] == [[0, 1, 2], [0], [5]]
    assert run(store.update_many([])) == []


def test_a_deleted_session_is_never_written_back(make_store: MakeStore, run: Run) -> None:
    store = make_store()
    run(store.insert(_stored("a"), [_row(0)], keep=10))
    assert run(store.delete("a"))
    with pytest.raises(StaleWrite) as stale:
        run(store.update(_stored("a", version=2), [_row(1)], clear_history=False))
    assert stale.value.gone
    assert run(store.get("a")) is None and run(store.count()) == 0 and _epochs(run, store, "a") == []


def test_history_past_the_cap_is_thinned_keeping_ends(make_store: MakeStore, run: Run) -> None:
    store = make_store(max_history_rows=100)
    run(store.insert(_stored("a"), [_row(e) for e in range(150)], keep=10))
    epochs = _epochs(run, store, "a")
    assert len(epochs) <= 100 and epochs[0] == 0 and epochs[-1] == 149
    assert epochs == sorted(epochs) and epochs[-50:] == list(range(100, 150))


def test_one_huge_write_still_ends_within_the_cap(make_store: MakeStore, run: Run) -> None:
    """187,501 rows in one write (a million samples of XOR) leave at most the cap stored."""
    store = make_store(max_history_rows=10_000)
    run(store.insert(_stored("a"), [_row(e) for e in range(187_501)], keep=10))
    epochs = _epochs(run, store, "a")
    assert len(epochs) <= 10_000 and epochs[0] == 0 and epochs[-1] == 187_500


def test_history_grown_over_many_writes_is_thinned_as_one_list_would_be(
    make_store: MakeStore, run: Run
) -> None:
    """Each write of 30 rows keeps exactly `thinned(stored + new, cap)`; a cleared history starts
    again from the rows of that write alone."""
    store, expected = make_store(max_history_rows=100), [0]
    run(store.insert(_stored("a"), [_row(0)], keep=10))
    for version in range(2, 12):
        new = list(range(expected[-1] + 1, expected[-1] + 31))
        run(store.update(_stored("a", version=version), [_row(e) for e in new], clear_history=False))
        expected = thinned(expected + new, 100)
        assert _epochs(run, store, "a") == expected
    run(store.update(_stored("a", version=12), [_row(e) for e in range(500, 700)], clear_history=True))
    assert _epochs(run, store, "a") == thinned(list(range(500, 700)), 100)


def test_thinning_keeps_the_first_and_the_newest_half() -> None:
    assert thinned(list(range(10)), 10) == list(range(10))
    kept = thinned(list(range(1000)), 600)
    assert len(kept) <= 600 and kept[0] == 0 and kept[-300:] == list(range(700, 1000))


def test_insert_evicts_the_least_recently_used_but_never_one_in_use(
    make_store: MakeStore, run: Run
) -> None:
    store = make_store()
    for i in range(10):
        run(store.insert(_stored(f"s{i}", updated_at=float(i)), [], keep=100))
    gone = run(store.insert(_stored("new", updated_at=20.0), [], keep=5, spare={"s0"}))
    assert sorted(gone) == [f"s{i}" for i in range(1, 7)]
    assert sorted(run(store.list_ids())) == ["new", "s0", "s7", "s8", "s9"]


def test_expiry_removes_idle_sessions(make_store: MakeStore, run: Run) -> None:
    store = make_store()
    run(store.insert(_stored("old", updated_at=time.time() - 100), [_row(0)], keep=10))
    run(store.insert(_stored("new", updated_at=time.time()), [], keep=10))
    manager = SessionManager(store, max_sessions=10, ttl_seconds=50)
    assert run(manager.expire()) == ["old"]
    assert run(store.list_ids()) == ["new"] and _epochs(run, store, "old") == []


def test_a_reopened_store_gives_the_session_back(make_store: MakeStore, run: Run) -> None:
    manager = SessionManager(make_store(), max_sessions=10, ttl_seconds=100)
    session, _ = run(manager.create(complete_config({"dataset": "nor"})))
    session.step(epochs=10)
    run(manager.save(session))
    run(manager.store.close())
    again = run(SessionManager(make_store(), max_sessions=10, ttl_seconds=100).get(session.id))
    assert again is not None and again.version == 2
    assert (again.run.state.weights, again.run.state.bias) == ([-1.0, -1.0], 0.0)
    assert again.state()["status"] == "converged"


def test_a_first_version_database_is_migrated(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, created_at REAL "
        "NOT NULL, updated_at REAL NOT NULL, record TEXT NOT NULL);"
        "CREATE TABLE history (session_id TEXT NOT NULL, epoch INTEGER NOT NULL, row TEXT NOT "
        "NULL, PRIMARY KEY (session_id, epoch)) WITHOUT ROWID;"
        "INSERT INTO sessions VALUES ('a', 'hash', 0.0, 1.0, '{\"any\": \"record\"}');"
        "PRAGMA user_version=1;"
    )
    db.close()
    store = SQLiteStore(path)
    assert run(store.get("a")) == _stored("a")
    run(store.update(_stored("a", version=2), [], clear_history=False))
    assert run(store.get("a")) == _stored("a", version=2)


@pytest.mark.parametrize("make, problem", [
    (lambda p: p.write_bytes(b"this is not a database, just some text\n" * 100),
     "is not a SQLite database"),
    (lambda p: sqlite3.connect(p).executescript("CREATE TABLE invoices (n INTEGER);"),
     "another program's SQLite database"),
    (lambda p: sqlite3.connect(p).executescript("PRAGMA user_version=99;"), "schema 99 is newer"),
])  # fmt: skip
def test_a_file_it_cannot_use_is_refused_in_one_line(tmp_path: Path, make, problem) -> None:
    path = tmp_path / "s.sqlite3"
    make(path)
    with pytest.raises(StoreUnusable) as refused:
        SQLiteStore(path)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message and problem in message


def test_a_folder_it_cannot_create_is_refused_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreUnusable) as refused:
        SQLiteStore(blocker / "sessions.sqlite3")
    assert "\n" not in str(refused.value) and str(blocker) in str(refused.value)
