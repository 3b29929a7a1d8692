"""Datasets users bring, stored once and shared by every session that names their id.

`UploadStore` is the small interface (put, get, delete, expire); `SQLiteUploads` keeps them in
their own table of the sessions' SQLite file; `RedisUploads` (redis_uploads.py) in Redis.
The arrays are stored as .npy bytes, exact; the delete token only as its hash.
"""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.neuron.uploads import UPLOAD_PREFIX, Upload, add_upload_source, remove_upload_source
from app.sessions.store import StoreError
from app.sessions.tokens import hash_token, new_control_token

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    used_at REAL NOT NULL,
    meta TEXT NOT NULL,
    X BLOB NOT NULL,
    y BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_used ON uploads(used_at);
"""
CACHE_SIZE = 16  # uploads kept decoded in memory: sessions on one upload share its arrays
TOUCH_INTERVAL_SECONDS = 60.0  # how stale `used_at` may get before a use writes it again


@dataclass(frozen=True)
class StoredUpload:
    id: str
    upload: Upload
    meta: dict[str, Any]  # what the description adds: label_column, skipped_rows


def new_upload_id() -> str:
    return UPLOAD_PREFIX + secrets.token_urlsafe(16)  # 128 bits


class UploadCache:
    """The uploads a worker has opened, decoded (sessions on one upload share its arrays), and
    when each was last marked used in the store."""

    def __init__(self) -> None:
        self._stored: OrderedDict[str, StoredUpload] = OrderedDict()
        self.touched: dict[str, float] = {}

    def get(self, upload_id: str) -> StoredUpload | None:
        return self._stored.get(upload_id)

    def remember(self, stored: StoredUpload) -> None:
        self._stored[stored.id] = stored
        self._stored.move_to_end(stored.id)
        while len(self._stored) > CACHE_SIZE:
            self._stored.popitem(last=False)

    def forget(self, upload_ids: list[str]) -> None:
        for upload_id in upload_ids:
            self._stored.pop(upload_id, None)
            self.touched.pop(upload_id, None)

    def touch_due(self, upload_id: str, now: float) -> bool:
        """Whether this use should mark the upload used in the store (at most once a minute)."""
        if now - self.touched.get(upload_id, 0.0) < TOUCH_INTERVAL_SECONDS:
            return False
        self.touched[upload_id] = now
        return True


class UploadStore(Protocol):
    """Awaited like the session store; `find` alone is plain, for the core, which builds a
    session's data without awaiting (a store across the network answers it from its cache)."""

    async def put(self, upload: Upload, meta: dict[str, Any]) -> tuple[StoredUpload, str]: ...
    async def get(self, upload_id: str) -> StoredUpload | None: ...
    def find(self, upload_id: str) -> Upload | None: ...
    async def delete(self, upload_id: str) -> bool: ...
    async def token_hash(self, upload_id: str) -> str | None: ...
    async def expire(self, idle_before: float) -> list[str]: ...
    async def expire_idle(self) -> list[str]: ...
    async def close(self) -> None: ...


class SQLiteUploads:
    """One connection of its own to the sessions' file; every write in a short transaction,
    run inline (local and short, as the session store's)."""

    def __init__(self, path: Path, max_uploads: int, ttl_seconds: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.max_uploads = max_uploads
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._cache = UploadCache()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._expire(time.time() - ttl_seconds)
        add_upload_source(self.find)

    # ---- the interface ------------------------------------------------------------------------
    async def put(self, upload: Upload, meta: dict[str, Any]) -> tuple[StoredUpload, str]:
        """Store a new upload; returns it and its delete token (given out this once)."""
        now = time.time()
        self._expire(now - self.ttl_seconds)
        upload_id, token = new_upload_id(), new_control_token()
        record = {"name": upload.name, "feature_names": upload.feature_names,
                  "class_names": upload.class_names, "standardize": upload.standardize, **meta}  # fmt: skip
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute(
                    "INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (upload_id, hash_token(token), now, now, json.dumps(record),
                     npy(upload.X), npy(upload.y)),
                )  # fmt: skip
                self._evict_beyond(self.max_uploads)
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreError(f"the dataset could not be stored ({error}); nothing was kept") from error
        stored = StoredUpload(upload_id, upload, meta)
        self._cache.remember(stored)
        return stored, token

    async def get(self, upload_id: str) -> StoredUpload | None:
        return self._get(upload_id)

    def find(self, upload_id: str) -> Upload | None:
        """The core's view of an upload (registered as its source of uploads)."""
        stored = self._get(upload_id)
        return None if stored is None else stored.upload

    async def token_hash(self, upload_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT token_hash FROM uploads WHERE id = ?", (upload_id,)).fetchone()  # fmt: skip
        return None if row is None else str(row[0])

    async def delete(self, upload_id: str) -> bool:
        self._cache.forget([upload_id])
        with self._lock:
            try:
                cur = self._db.execute("DELETE FROM uploads WHERE id = ?", (upload_id,))
            except sqlite3.Error as error:
                raise StoreError(f"the dataset could not be deleted ({error})") from error
        return cur.rowcount > 0

    async def expire_idle(self) -> list[str]:
        """Delete the uploads idle longer than the TTL that no stored session names."""
        return self._expire(time.time() - self.ttl_seconds)

    async def expire(self, idle_before: float) -> list[str]:
        """Delete the uploads unused since `idle_before` that no stored session names."""
        return self._expire(idle_before)

    async def close(self) -> None:
        remove_upload_source(self.find)
        with self._lock:
            self._db.close()

    # ---- bookkeeping --------------------------------------------------------------------------
    def _get(self, upload_id: str) -> StoredUpload | None:
        stored = self._cache.get(upload_id)
        if stored is None:
            with self._lock:
                row = self._db.execute(
                    "SELECT meta, X, y FROM uploads WHERE id = ?", (upload_id,)).fetchone()  # fmt: skip
            if row is None:
                return None
            stored = decode(upload_id, row)
            self._cache.remember(stored)
        self._touch(upload_id)
        return stored

    def _expire(self, idle_before: float) -> list[str]:
        with self._lock:
            try:
                idle = [i for (i,) in self._db.execute(
                    "SELECT id FROM uploads WHERE used_at < ?", (idle_before,))]  # fmt: skip
                gone = [i for i in idle if not self._in_use(i)]
                self._db.executemany("DELETE FROM uploads WHERE id = ?", [(i,) for i in gone])
            except sqlite3.Error as error:
                raise StoreError(f"idle uploads could not be removed ({error})") from error
        self._cache.forget(gone)
        return gone

    def _in_use(self, upload_id: str) -> bool:
        """Whether a stored session trains on it (its config names the id)."""
        try:
            row = self._db.execute(
                "SELECT 1 FROM sessions WHERE json_extract(record, '$.config.dataset') = ? LIMIT 1",
                (upload_id,)).fetchone()  # fmt: skip
        except sqlite3.OperationalError:  # no sessions table in this file
            return False
        return row is not None

    def _evict_beyond(self, keep: int) -> None:
        """Past the cap, the least recently used uploads that no session uses go first."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM uploads").fetchone()
        if count <= keep:
            return
        oldest = [i for (i,) in self._db.execute("SELECT id FROM uploads ORDER BY used_at")]
        gone = [i for i in oldest if not self._in_use(i)][: count - keep]
        self._db.executemany("DELETE FROM uploads WHERE id = ?", [(i,) for i in gone])
        self._cache.forget(gone)

    def _touch(self, upload_id: str) -> None:
        now = time.time()
        if not self._cache.touch_due(upload_id, now):
            return
        with self._lock, contextlib.suppress(sqlite3.Error):  # best effort: tried again later
            self._db.execute("UPDATE uploads SET used_at = ? WHERE id = ?", (now, upload_id))


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def decode(upload_id: str, row: tuple[str, bytes, bytes]) -> StoredUpload:
    meta = json.loads(row[0])
    X = np.load(io.BytesIO(row[1]), allow_pickle=False)
    y = np.load(io.BytesIO(row[2]), allow_pickle=False)
    upload = Upload(meta.pop("name"), X, y, meta.pop("feature_names"), meta.pop("class_names"),
                    meta.pop("standardize"))  # fmt: skip
    return StoredUpload(upload_id, upload, meta)
