"""Join codes: six characters a class types at /join instead of copying a long link.

A code names one shared session. It lives in its own table of the sessions' SQLite file, so it
survives a restart and every worker process sees the same codes; with Redis, in Redis
(`RedisJoinCodes`), for workers on several hosts. The alphabet leaves out the characters people misread on a projector
(0/O, 1/I/L), and a typed code is read case-blind, with spaces and dashes ignored.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from app.sessions.redis_store import connect, describe, redis_errors, text

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
SHAPE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")
SCHEMA = """
CREATE TABLE IF NOT EXISTS join_codes (
    code TEXT PRIMARY KEY,
    session_id TEXT NOT NULL UNIQUE,
    used_at REAL NOT NULL
);
"""


def normalise(typed: str) -> str | None:
    """The code a person meant ('abc-234 ' → 'ABC234'), or None when it cannot be one."""
    code = re.sub(r"[\s-]+", "", typed).upper()
    return code if SHAPE.fullmatch(code) else None


class JoinCodeStore(Protocol):
    async def code_for(self, session_id: str) -> str: ...
    async def session_for(self, code: str) -> str | None: ...
    async def forget(self, session_id: str) -> None: ...
    async def close(self) -> None: ...


class JoinCodes:
    """One connection, one lock; each method is one short transaction. The methods are async,
    like the session store's, so that a store across the network fits the same interface."""

    def __init__(self, path: Path, ttl_seconds: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    async def code_for(self, session_id: str) -> str:
        """The session's code, made on first use; codes not used for a TTL are let go."""
        now = time.time()
        with self._lock:
            self._db.execute("DELETE FROM join_codes WHERE used_at < ?", (now - self.ttl_seconds,))
            row = self._db.execute(
                "SELECT code FROM join_codes WHERE session_id = ?", (session_id,)).fetchone()  # fmt: skip
            if row is not None:
                self._db.execute("UPDATE join_codes SET used_at = ? WHERE code = ?", (now, row[0]))
                return str(row[0])
            while True:  # 31⁶ ≈ 887 million codes: a clash is rare, and a retry fixes it
                code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
                try:
                    self._db.execute("INSERT INTO join_codes VALUES (?, ?, ?)", (code, session_id, now))
                    return code
                except sqlite3.IntegrityError:
                    continue

    async def session_for(self, code: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT session_id FROM join_codes WHERE code = ?", (code,)).fetchone()  # fmt: skip
            if row is not None:
                self._db.execute("UPDATE join_codes SET used_at = ? WHERE code = ?", (time.time(), code))
        return None if row is None else str(row[0])

    async def forget(self, session_id: str) -> None:
        """The session is gone: its code joins nothing any more."""
        with self._lock:
            self._db.execute("DELETE FROM join_codes WHERE session_id = ?", (session_id,))

    async def close(self) -> None:
        with self._lock:
            self._db.close()


class RedisJoinCodes:
    """The same four methods on Redis, for workers on several hosts (§14). Each code is a key
    that expires after the TTL without use, with a key the other way for the session's code:

        {prefix}join:{code}          -> session id
        {prefix}join-of:{session}    -> code
    """

    def __init__(self, url: str, prefix: str, ttl_seconds: float) -> None:
        self.client = connect(url)
        self.where = describe(self.client)
        self.prefix = prefix
        self.ttl_ms = max(1, int(ttl_seconds * 1000))

    async def code_for(self, session_id: str) -> str:
        with self._errors("make a join code"):
            mine = self._key("join-of", session_id)
            if (code := await self.client.get(mine)) is not None:
                await self._keep(text(code), session_id)
                return text(code)
            while True:  # claim a free code, then the session's slot; a worker that lost the
                code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))  # race gives back
                if not await self.client.set(self._key("join", code), session_id, nx=True, px=self.ttl_ms):
                    continue
                if await self.client.set(mine, code, nx=True, px=self.ttl_ms):
                    return code
                await self.client.delete(self._key("join", code))
                if (theirs := await self.client.get(mine)) is not None:
                    return text(theirs)

    async def session_for(self, code: str) -> str | None:
        with self._errors("read the join code"):
            session_id = await self.client.get(self._key("join", code))
            if session_id is None:
                return None
            await self._keep(code, text(session_id))
            return text(session_id)

    async def forget(self, session_id: str) -> None:
        with self._errors("forget the join code"):
            code = await self.client.getdel(self._key("join-of", session_id))
            if code is not None:
                await self.client.delete(self._key("join", text(code)))

    async def close(self) -> None:
        await self.client.aclose()

    def _key(self, kind: str, name: str) -> str:
        return f"{self.prefix}{kind}:{name}"

    async def _keep(self, code: str, session_id: str) -> None:
        """A use restarts both keys' TTL."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.pexpire(self._key("join", code), self.ttl_ms)
            pipe.pexpire(self._key("join-of", session_id), self.ttl_ms)
            await pipe.execute()

    def _errors(self, action: str) -> AbstractContextManager[None]:
        return redis_errors(self.where, action)
