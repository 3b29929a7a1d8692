"""Where sessions live between requests and across restarts.

`SessionStore` is the small interface the rest of the service uses; `SQLiteStore` implements it
on one WAL-mode SQLite file. A Redis store for several workers would implement the same methods.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from app.neuron.training import HistoryRow

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(updated_at);
CREATE TABLE IF NOT EXISTS history (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (session_id, epoch)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class StoredSession:
    id: str
    token_hash: str
    created_at: float
    updated_at: float
    record: dict[str, Any]


class SessionStore(Protocol):
    def get(self, session_id: str) -> StoredSession | None: ...
    def put(self, s: StoredSession, new_rows: list[HistoryRow], clear_history: bool) -> None: ...
    def delete(self, session_id: str) -> bool: ...
    def history(self, session_id: str) -> list[dict[str, Any]]: ...
    def list_ids(self) -> list[str]: ...
    def count(self) -> int: ...
    def expire(self, idle_before: float, spare: Collection[str] = ()) -> list[str]: ...
    def evict_oldest(self, keep: int, spare: Collection[str] = ()) -> list[str]: ...
    def close(self) -> None: ...


class SQLiteStore:
    """One connection, one lock: every write goes through here in a short transaction."""

    def __init__(self, path: Path, max_history_rows: int = 10_000) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.max_history_rows = max_history_rows
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"database schema {version} is newer than this server's")
            self._db.executescript(SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def get(self, session_id: str) -> StoredSession | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, token_hash, created_at, updated_at, record FROM sessions WHERE id = ?",
                (session_id,),
            ).fetchone()
        if row is None:
            return None
        return StoredSession(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def put(self, s: StoredSession, new_rows: list[HistoryRow], clear_history: bool) -> None:
        rows = [(s.id, r.epoch, json.dumps(asdict(r))) for r in new_rows]
        with self._lock, self._transaction():
            self._db.execute(
                "INSERT INTO sessions (id, token_hash, created_at, updated_at, record) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "updated_at = excluded.updated_at, record = excluded.record",
                (s.id, s.token_hash, s.created_at, s.updated_at, json.dumps(s.record)),
            )
            if clear_history:
                self._db.execute("DELETE FROM history WHERE session_id = ?", (s.id,))
            self._db.executemany("INSERT OR REPLACE INTO history VALUES (?, ?, ?)", rows)
            if rows:
                self._thin_history(s.id)

    def _thin_history(self, session_id: str) -> None:
        """Past the cap, drop every second row of the older half: the curve keeps its shape."""
        (count,) = self._db.execute(
            "SELECT COUNT(*) FROM history WHERE session_id = ?", (session_id,)
        ).fetchone()
        if count <= self.max_history_rows:
            return
        epochs = [e for (e,) in self._db.execute(
            "SELECT epoch FROM history WHERE session_id = ? ORDER BY epoch", (session_id,))]  # fmt: skip
        drop = epochs[1 : count // 2 : 2]
        self._db.executemany(
            "DELETE FROM history WHERE session_id = ? AND epoch = ?", [(session_id, e) for e in drop]
        )

    def delete(self, session_id: str) -> bool:
        with self._lock, self._transaction():
            cur = self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        return cur.rowcount > 0

    def history(self, session_id: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT row FROM history WHERE session_id = ? ORDER BY epoch", (session_id,)
            ).fetchall()
        return [json.loads(r) for (r,) in rows]

    def list_ids(self) -> list[str]:
        with self._lock:
            return [i for (i,) in self._db.execute("SELECT id FROM sessions ORDER BY updated_at")]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def expire(self, idle_before: float, spare: Collection[str] = ()) -> list[str]:
        """Delete the sessions last changed before `idle_before`, except those in `spare`."""
        return self._delete_listed("SELECT id FROM sessions WHERE updated_at < ?", idle_before, spare)

    def evict_oldest(self, keep: int, spare: Collection[str] = ()) -> list[str]:
        """Delete the least recently used sessions until at most `keep` remain, those in `spare`
        aside (which may leave a few more)."""
        return self._delete_listed(
            "SELECT id FROM sessions ORDER BY updated_at DESC LIMIT -1 OFFSET ?", keep, spare)  # fmt: skip

    def _delete_listed(self, select: str, arg: object, spare: Collection[str]) -> list[str]:
        """Delete the sessions `select` lists, but not those in `spare`, in one transaction."""
        with self._lock, self._transaction():
            ids = [i for (i,) in self._db.execute(select, (arg,)) if i not in spare]
            self._db.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in ids])
        return ids

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
