"""Join codes: six characters a class types at /join instead of copying a long link.

A code names one shared session. It lives in its own table of the sessions' SQLite file, so it
survives a restart and every worker process sees the same codes (a Redis version would offer the
same four methods). The alphabet leaves out the characters people misread on a projector
(0/O, 1/I/L), and a typed code is read case-blind, with spaces and dashes ignored.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import threading
import time
from pathlib import Path

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
