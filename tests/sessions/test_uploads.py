"""The uploads' store, on a SQLite file and on Redis: exact arrays back, idle ones expire unless
a stored session trains on them, the cap evicts the least recently used unused one, and the core
finds them by id. On Redis, an upload stored by one worker opens on another, and one deleted
there is gone here by its next touch."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from app.neuron.config import complete_config
from app.neuron.datasets import DataParams, load_dataset
from app.neuron.uploads import Upload
from app.sessions.backend import open_store, open_uploads
from app.sessions.manager import SessionManager
from app.sessions.redis_uploads import RedisUploads
from app.sessions.store import SessionStore
from app.sessions import uploads as uploads_module
from app.sessions.uploads import UploadStore
from app.settings import Settings
from tests.conftest import RedisServer
from tests.sessions.conftest import Run

Open = Callable[..., UploadStore]


def _upload(scale: float = 1.0) -> Upload:
    X = np.array([[0.1, 1e-300], [scale, -2.5], [3.0, 7.0]])
    return Upload("t", X, np.array([0, 1, 1]), ["a", "b"], ["no", "yes"], standardize=False)


@pytest.fixture(params=["sqlite", "redis"])
def settings_of_store(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(database=tmp_path / "s.sqlite3")
    server = request.getfixturevalue("redis_server")
    return Settings(database=tmp_path / "unused.sqlite3", redis_url=server.url,
                    redis_prefix=request.getfixturevalue("redis_prefix"))  # fmt: skip


@pytest.fixture
def open_(settings_of_store: Settings, run: Run) -> Iterator[Open]:
    """Opens the configured uploads' store (as a worker would); all closed after the test."""
    opened: list[UploadStore] = []

    def open_one(**changes: object) -> UploadStore:
        opened.append(open_uploads(settings_of_store.model_copy(update=changes)))
        return opened[-1]

    yield open_one
    for uploads in opened:
        run(uploads.close())


@pytest.fixture
def sessions(settings_of_store: Settings, run: Run) -> Iterator[SessionStore]:
    store = open_store(settings_of_store)
    yield store
    run(store.close())


def test_put_and_get_give_the_exact_arrays_back_after_reopening(open_: Open, run: Run) -> None:
    uploads = open_()
    stored, token = run(uploads.put(_upload(), {"label_column": "y", "skipped_rows": 0}))
    run(uploads.close())
    again = open_()
    got = run(again.get(stored.id))
    assert got is not None and token and got.meta == {"label_column": "y", "skipped_rows": 0}
    assert got.upload.X.tolist() == _upload().X.tolist() and got.upload.y.tolist() == [0, 1, 1]
    assert (got.upload.feature_names, got.upload.class_names) == (["a", "b"], ["no", "yes"])
    data = load_dataset(stored.id, DataParams())  # the core finds it through the open store
    assert data.class_names == ["no", "yes"] and data.X.tolist() == got.upload.X.tolist()


def test_idle_uploads_expire_unless_a_stored_session_uses_them(
    open_: Open, sessions: SessionStore, run: Run,
) -> None:  # fmt: skip
    manager = SessionManager(sessions, max_sessions=10, ttl_seconds=3600)
    uploads = open_()
    used, _ = run(uploads.put(_upload(), {}))
    unused, _ = run(uploads.put(_upload(2.0), {}))
    run(manager.create(complete_config({"dataset": used.id})))
    gone = run(uploads.expire(time.time() + 1))
    assert gone == [unused.id]
    assert run(uploads.get(unused.id)) is None and run(uploads.get(used.id)) is not None


def test_past_the_cap_the_least_recently_used_goes(open_: Open, run: Run) -> None:
    uploads = open_(max_uploads=2)
    first, _ = run(uploads.put(_upload(1.0), {}))
    second, _ = run(uploads.put(_upload(2.0), {}))
    third, _ = run(uploads.put(_upload(3.0), {}))
    assert run(uploads.get(first.id)) is None
    assert run(uploads.get(second.id)) is not None and run(uploads.get(third.id)) is not None


def test_on_redis_another_worker_opens_an_upload_and_hears_of_its_deletion(
    redis_server: RedisServer, redis_prefix: str, run: Run, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    here, there = (RedisUploads(redis_server.url, redis_prefix, 10, 3600) for _ in range(2))
    try:
        stored, _ = run(here.put(_upload(4.0), {}))
        got = there.find(stored.id)  # the core's plain call, on a worker that never saw it
        assert got is not None and got.X.tolist() == _upload(4.0).X.tolist()
        assert run(there.token_hash(stored.id)) is not None
        assert run(here.delete(stored.id)) is True
        monkeypatch.setattr(uploads_module, "TOUCH_INTERVAL_SECONDS", 0.0)  # its next use touches
        assert there.find(stored.id) is None and run(there.get(stored.id)) is None
    finally:
        run(here.close())
        run(there.close())
