"""The SQLite store: what is put comes back, history is thinned past its cap, eviction and expiry."""

from __future__ import annotations

import time
from pathlib import Path

from app.neuron.config import complete_config
from app.neuron.training import HistoryRow
from app.sessions.manager import SessionManager
from app.sessions.store import SQLiteStore, StoredSession


def _row(epoch: int) -> HistoryRow:
    return HistoryRow(epoch, 0.5, 1.0, None, [float(epoch), 0.0], 0.0)


def _stored(session_id: str, updated_at: float = 1.0) -> StoredSession:
    return StoredSession(session_id, "hash", 0.0, updated_at, {"any": "record"})


def test_put_and_get_round_trip(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.put(_stored("a"), [_row(0), _row(1)], clear_history=False)
    assert store.get("a") == _stored("a")
    assert [r["epoch"] for r in store.history("a")] == [0, 1]
    store.put(_stored("a"), [_row(0)], clear_history=True)
    assert [r["epoch"] for r in store.history("a")] == [0]
    assert store.delete("a") and store.get("a") is None and store.history("a") == []


def test_history_past_the_cap_is_thinned_keeping_ends(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3", max_history_rows=100)
    store.put(_stored("a"), [_row(e) for e in range(150)], clear_history=False)
    epochs = [r["epoch"] for r in store.history("a")]
    assert len(epochs) <= 113 and epochs[0] == 0 and epochs[-1] == 149
    assert epochs == sorted(epochs)


def test_eviction_keeps_the_most_recent(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    for i in range(10):
        store.put(_stored(f"s{i}", updated_at=float(i)), [], clear_history=False)
    assert sorted(store.evict_oldest(keep=4)) == [f"s{i}" for i in range(6)]
    assert sorted(store.list_ids()) == ["s6", "s7", "s8", "s9"]


def test_expiry_removes_idle_sessions(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.put(_stored("old", updated_at=time.time() - 100), [_row(0)], clear_history=False)
    store.put(_stored("new", updated_at=time.time()), [], clear_history=False)
    manager = SessionManager(store, max_sessions=10, ttl_seconds=50)
    assert manager.expire() == ["old"]
    assert store.list_ids() == ["new"] and store.history("old") == []


def test_a_reopened_database_gives_the_session_back(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    manager = SessionManager(SQLiteStore(path), max_sessions=10, ttl_seconds=100)
    session, _ = manager.create(complete_config({"dataset": "nor"}))
    session.step(epochs=10)
    manager.save(session)
    manager.store.close()
    again = SessionManager(SQLiteStore(path), max_sessions=10, ttl_seconds=100).get(session.id)
    assert again is not None
    assert (again.run.state.weights, again.run.state.bias) == ([-1.0, -1.0], 0.0)
    assert again.state()["status"] == "converged"
