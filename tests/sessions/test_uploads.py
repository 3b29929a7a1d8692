"""The uploads' store: exact arrays back, idle ones expire unless a stored session trains on
them, the cap evicts the least recently used unused one, and the core finds them by id."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np

from app.neuron.config import complete_config
from app.neuron.datasets import DataParams, load_dataset
from app.neuron.uploads import Upload
from app.sessions.manager import SessionManager
from app.sessions.store import SQLiteStore
from app.sessions.uploads import SQLiteUploads


run = asyncio.run


def _upload(scale: float = 1.0) -> Upload:
    X = np.array([[0.1, 1e-300], [scale, -2.5], [3.0, 7.0]])
    return Upload("t", X, np.array([0, 1, 1]), ["a", "b"], ["no", "yes"], standardize=False)


def test_put_and_get_give_the_exact_arrays_back_after_reopening(tmp_path: Path) -> None:
    uploads = SQLiteUploads(tmp_path / "s.sqlite3", max_uploads=10, ttl_seconds=3600)
    stored, token = run(uploads.put(_upload(), {"label_column": "y", "skipped_rows": 0}))
    run(uploads.close())
    again = SQLiteUploads(tmp_path / "s.sqlite3", max_uploads=10, ttl_seconds=3600)
    got = run(again.get(stored.id))
    assert got is not None and token and got.meta == {"label_column": "y", "skipped_rows": 0}
    assert got.upload.X.tolist() == _upload().X.tolist() and got.upload.y.tolist() == [0, 1, 1]
    assert (got.upload.feature_names, got.upload.class_names) == (["a", "b"], ["no", "yes"])
    data = load_dataset(stored.id, DataParams())  # the core finds it through the open store
    assert data.class_names == ["no", "yes"] and data.X.tolist() == got.upload.X.tolist()
    run(again.close())


def test_idle_uploads_expire_unless_a_stored_session_uses_them(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    manager = SessionManager(store, max_sessions=10, ttl_seconds=3600)
    uploads = SQLiteUploads(path, max_uploads=10, ttl_seconds=3600)
    used, _ = run(uploads.put(_upload(), {}))
    unused, _ = run(uploads.put(_upload(2.0), {}))
    run(manager.create(complete_config({"dataset": used.id})))
    gone = run(uploads.expire(time.time() + 1))
    assert gone == [unused.id]
    assert run(uploads.get(unused.id)) is None and run(uploads.get(used.id)) is not None
    run(uploads.close())
    run(store.close())


def test_past_the_cap_the_least_recently_used_goes(tmp_path: Path) -> None:
    uploads = SQLiteUploads(tmp_path / "s.sqlite3", max_uploads=2, ttl_seconds=3600)
    first, _ = run(uploads.put(_upload(1.0), {}))
    second, _ = run(uploads.put(_upload(2.0), {}))
    third, _ = run(uploads.put(_upload(3.0), {}))
    assert run(uploads.get(first.id)) is None
    assert run(uploads.get(second.id)) is not None and run(uploads.get(third.id)) is not None
    run(uploads.close())
