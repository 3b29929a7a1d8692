"""Where sessions live between requests and across restarts.

`SessionStore` is the small interface the rest of the service uses; `SQLiteStore` implements it
on one WAL-mode SQLite file (`RedisStore`, in redis_store.py, on Redis for several workers).
Every write of a session is a compare-and-set on its version: a writer holding a stale copy (or
writing a session that was deleted meanwhile) fails instead of overwriting, so an acknowledged
change is never lost and a removed session never comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import orjson

from app.neuron.training import HistoryRow
from app.sessions.history import thinned

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    record TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS sessions_updated ON sessions(updated_at);
CREATE TABLE IF NOT EXISTS history (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    row TEXT NOT NULL,
    PRIMARY KEY (session_id, epoch)
) WITHOUT ROWID;
"""
MIGRATIONS = {1: "ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 1"}


class StoreError(Exception):
    """The store could not read or write; whatever was being written was not."""


class StoreUnusable(StoreError):
    """The store cannot be opened at all (start-up): `str()` is one line naming path and remedy."""


class StaleWrite(StoreError):
    """The stored session is not the version this writer started from, or is gone."""

    def __init__(self, session_id: str, gone: bool) -> None:
        super().__init__("the session was deleted" if gone else "the session changed meanwhile")
        self.session_id = session_id
        self.gone = gone


@dataclass(frozen=True)
class StoredSession:
    id: str
    token_hash: str
    created_at: float
    updated_at: float
    record: str  # the session's JSON, kept as text: the store never needs to look inside
    version: int = 1


class Update(NamedTuple):
    """One session's write: its next version, the history rows it adds, whether its stored
    history goes first, and the lease token that fences it (where several workers share a store)."""

    stored: StoredSession
    rows: list[HistoryRow]
    clear_history: bool = False
    fence: str | None = None


class SessionStore(Protocol):
    """Async, so a store across the network (Redis) never blocks the event loop; SQLite's short
    local transactions run inline."""

    async def get(self, session_id: str) -> StoredSession | None: ...
    async def insert(self, s: StoredSession, rows: list[HistoryRow], keep: int,
                     spare: Collection[str] = ()) -> list[str]: ...
    async def update(self, s: StoredSession, rows: list[HistoryRow], clear_history: bool,
                     fence: str | None = None) -> None: ...
    async def update_many(self, updates: list[Update]) -> list[StaleWrite | None]: ...
    async def delete(self, session_id: str) -> bool: ...
    async def history_json(self, session_id: str) -> bytes: ...
    async def list_ids(self) -> list[str]: ...
    async def count(self) -> int: ...
    async def expire(self, idle_before: float, spare: Collection[str] = ()) -> list[str]: ...
    async def keep_held(self, session_ids: Collection[str], seconds: float) -> None: ...
    async def close(self) -> None: ...


class SQLiteStore:
    """One connection, one lock: every write goes through here in a short transaction."""

    def __init__(self, path: Path, max_history_rows: int = 10_000) -> None:
        self.path = path
        self.max_history_rows = max_history_rows
        self._lock = threading.Lock()
        self._db = _open(path)
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            try:
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                tables = {n for (n,) in self._db.execute("SELECT name FROM sqlite_master")}
            except sqlite3.DatabaseError as exc:
                raise _unusable(self.path, f"it is not a readable SQLite database ({exc})",
                                "move it away or point NEURON_DATABASE elsewhere") from exc  # fmt: skip
            if version > SCHEMA_VERSION:
                raise _unusable(self.path, f"its schema {version} is newer than this server's "
                                f"({SCHEMA_VERSION})", "upgrade the server or use another file")  # fmt: skip
            if version == 0 and tables:
                raise _unusable(self.path, "it is another program's SQLite database",
                                "point NEURON_DATABASE at a file of its own")  # fmt: skip
        try:
            with self._write():
                for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
                    self._db.execute(MIGRATIONS[step])
                for statement in filter(str.strip, SCHEMA.split(";")):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except StoreError as exc:
            raise _unusable(self.path, f"it cannot be written ({exc.__cause__})",
                            "check the file's and its folder's permissions and free space") from exc  # fmt: skip

    # ---- sessions ---------------------------------------------------------------------------
    async def get(self, session_id: str) -> StoredSession | None:
        row = self._read("SELECT id, token_hash, created_at, updated_at, record, version "
                         "FROM sessions WHERE id = ?", (session_id,))  # fmt: skip
        return None if not row else StoredSession(*row[0])

    async def insert(self, s: StoredSession, rows: list[HistoryRow], keep: int,
               spare: Collection[str] = ()) -> list[str]:  # fmt: skip
        """A new session with its first history rows and, in the same transaction, the least
        recently used others evicted so that at most `keep` remain (never one in `spare`, the
        sessions in use); returns the evicted ids."""
        with self._write():
            gone = self._evict(keep - 1, spare)
            self._db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                             (s.id, s.token_hash, s.created_at, s.updated_at, s.record, s.version))  # fmt: skip
            self._add_rows(s.id, rows)
        return gone

    async def update(self, s: StoredSession, rows: list[HistoryRow], clear_history: bool,
                     fence: str | None = None) -> None:
        """Store version `s.version` over `s.version - 1`, or raise StaleWrite and store nothing.
        (`fence`, a lease token, matters where several workers share a store: not here.)"""
        with self._write():
            self._update(s, rows, clear_history)

    async def update_many(self, updates: list[Update]) -> list[StaleWrite | None]:
        """Several sessions' updates in one transaction, so one COMMIT (the costly part) for all
        the playing sessions saved together. Each is its own compare-and-set: a stale one writes
        nothing and comes back as its StaleWrite, the others are stored; any other failure
        stores none of them (StoreError)."""
        outcomes: list[StaleWrite | None] = []
        with self._write():
            for u in updates:
                try:  # a stale write fails at its first statement, before it has written anything
                    self._update(u.stored, u.rows, u.clear_history)
                    outcomes.append(None)
                except StaleWrite as exc:
                    outcomes.append(exc)
        return outcomes

    def _update(self, s: StoredSession, rows: list[HistoryRow], clear_history: bool) -> None:
        """The compare-and-set of one update, inside the caller's transaction."""
        cur = self._db.execute(
            "UPDATE sessions SET updated_at = ?, record = ?, version = ? "
            "WHERE id = ? AND version = ?",
            (s.updated_at, s.record, s.version, s.id, s.version - 1),
        )
        if cur.rowcount != 1:
            gone = self._db.execute("SELECT 1 FROM sessions WHERE id = ?", (s.id,)).fetchone()
            raise StaleWrite(s.id, gone=gone is None)
        if clear_history:
            self._db.execute("DELETE FROM history WHERE session_id = ?", (s.id,))
        self._add_rows(s.id, rows)

    def _add_rows(self, session_id: str, rows: list[HistoryRow]) -> None:
        if not rows:
            return
        self._db.executemany("INSERT OR REPLACE INTO history VALUES (?, ?, ?)",
                             [(session_id, r.epoch, orjson.dumps(r).decode()) for r in rows])  # fmt: skip
        self._thin_history(session_id)

    def _thin_history(self, session_id: str) -> None:
        (count,) = self._db.execute(
            "SELECT COUNT(*) FROM history WHERE session_id = ?", (session_id,)
        ).fetchone()
        if count <= self.max_history_rows:
            return
        epochs = [e for (e,) in self._db.execute(
            "SELECT epoch FROM history WHERE session_id = ? ORDER BY epoch", (session_id,))]  # fmt: skip
        keep = set(thinned(epochs, self.max_history_rows))
        self._db.executemany("DELETE FROM history WHERE session_id = ? AND epoch = ?",
                             [(session_id, e) for e in epochs if e not in keep])  # fmt: skip

    async def delete(self, session_id: str) -> bool:
        with self._write():
            cur = self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        return cur.rowcount > 0

    async def history_json(self, session_id: str) -> bytes:
        """The stored history as one JSON array, assembled from the rows' own text (off the
        event loop: ten thousand rows of thirty weights take a while)."""
        return await asyncio.to_thread(self._history_json, session_id)

    def _history_json(self, session_id: str) -> bytes:
        rows = self._read("SELECT row FROM history WHERE session_id = ? ORDER BY epoch",
                          (session_id,))  # fmt: skip
        return ("[" + ",".join(r for (r,) in rows) + "]").encode()

    async def list_ids(self) -> list[str]:
        return [i for (i,) in self._read("SELECT id FROM sessions ORDER BY updated_at", ())]

    async def count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM sessions", ())[0][0])

    async def expire(self, idle_before: float, spare: Collection[str] = ()) -> list[str]:
        """Delete the sessions last changed before `idle_before`, except those in `spare`."""
        return self._delete_listed("SELECT id FROM sessions WHERE updated_at < ?", idle_before, spare)

    def _evict(self, keep: int, spare: Collection[str]) -> list[str]:
        ids = [i for (i,) in self._db.execute("SELECT id FROM sessions ORDER BY updated_at DESC")]
        others = [i for i in ids if i not in spare]
        gone = others[max(keep - (len(ids) - len(others)), 0):]
        self._db.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in gone])
        return gone

    def _delete_listed(self, select: str, arg: object, spare: Collection[str]) -> list[str]:
        with self._write():
            ids = [i for (i,) in self._db.execute(select, (arg,)) if i not in spare]
            self._db.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in ids])
        return ids

    async def keep_held(self, session_ids: Collection[str], seconds: float) -> None:
        """Nothing to tell: one process serves a SQLite file, and it spares its own."""

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        with self._lock:
            self._db.close()

    # ---- plumbing ---------------------------------------------------------------------------
    def _read(self, sql: str, args: tuple[object, ...]) -> list[Any]:
        try:
            with self._lock:
                return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"the session database could not be read: {exc}") from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        """The store's lock and one IMMEDIATE transaction; any failure rolls it back whole, and a
        SQLite one comes out as a StoreError, so the caller knows nothing was written."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self._db.execute("COMMIT")
                finally:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
            except sqlite3.Error as exc:
                raise StoreError(f"the session database could not be written: {exc}") from exc


def _open(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
    except OSError as exc:
        raise _unusable(path, f"its folder cannot be created ({exc.strerror})",
                        "point NEURON_DATABASE at a writable place") from exc  # fmt: skip
    except sqlite3.DatabaseError as exc:
        problem = "it cannot be opened for writing" if isinstance(exc, sqlite3.OperationalError) \
            else "it is not a SQLite database"  # fmt: skip
        raise _unusable(path, f"{problem} ({exc})",
                        "check its permissions, or move it away and start again") from exc  # fmt: skip
    return db


def _unusable(path: Path, problem: str, remedy: str) -> StoreUnusable:
    return StoreUnusable(f"cannot use the session database {path}: {problem}; {remedy}")
