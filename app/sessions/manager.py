"""The sessions of this process: created, found (from memory or the store), saved, removed.

Only recently used sessions stay in memory; the rest live in the store alone, so an idle session
costs a row on disk, not a Run in RAM. One asyncio lock per session serialises its commands,
whichever route or stream sends them.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from app.neuron.config import NeuronConfig
from app.sessions.session import Session
from app.sessions.store import SessionStore, StoredSession
from app.sessions.tokens import hash_token, new_control_token, new_session_id

CACHE_SIZE = 128  # sessions kept in memory besides the pinned (playing or watched) ones


class SessionManager:
    def __init__(self, store: SessionStore, max_sessions: int, ttl_seconds: float) -> None:
        self.store = store
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self._cache: OrderedDict[str, Session] = OrderedDict()
        self._pinned: dict[str, int] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def create(self, config: NeuronConfig) -> tuple[Session, str]:
        """A new session and its control token, which is returned this once and stored hashed."""
        self._forget(self.store.evict_oldest(self.max_sessions - 1, spare=self._pinned))
        token = new_control_token()
        session = Session.create(new_session_id(), hash_token(token), config)
        self.save(session)
        self._remember(session)
        return session, token

    def get(self, session_id: str) -> Session | None:
        session = self._cache.get(session_id)
        if session is not None:
            self._cache.move_to_end(session_id)
            return session
        stored = self.store.get(session_id)
        if stored is None:
            return None
        session = Session.from_record(stored.id, stored.token_hash, stored.created_at,
                                      stored.updated_at, stored.record)  # fmt: skip
        self._remember(session)
        return session

    def save(self, session: Session) -> None:
        """Store the session and its new history rows; called before any response about it."""
        if session.deleted:
            return
        stored = StoredSession(session.id, session.token_hash, session.created_at,
                               session.updated_at, session.to_record())  # fmt: skip
        self.store.put(stored, session.new_rows, session.history_cleared)
        session.new_rows = []
        session.history_cleared = False

    def delete(self, session_id: str) -> bool:
        self._forget([session_id])
        return self.store.delete(session_id)

    def history(self, session: Session) -> list[dict[str, object]]:
        if session.new_rows or session.history_cleared:
            self.save(session)
        return self.store.history(session.id)

    def in_memory(self) -> int:
        """How many sessions are loaded (the rest are only on disk)."""
        return len(self._cache)

    def lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    def pin(self, session_id: str) -> None:
        """Keep a watched session in memory however many others are used meanwhile."""
        self._pinned[session_id] = self._pinned.get(session_id, 0) + 1

    def unpin(self, session_id: str) -> None:
        left = self._pinned.get(session_id, 0) - 1
        if left > 0:
            self._pinned[session_id] = left
        else:
            self._pinned.pop(session_id, None)

    def expire(self) -> list[str]:
        """Drop sessions idle longer than the TTL, except those being watched (a watched session
        left in memory but gone from the store would lose its history and, at a restart, itself)."""
        gone = self.store.expire(time.time() - self.ttl_seconds, spare=self._pinned)
        self._forget(gone)
        return gone

    def _forget(self, session_ids: list[str]) -> None:
        """Drop sessions gone from the store; one still held by a request is marked deleted, so
        that request's save does not bring it back."""
        for session_id in session_ids:
            session = self._cache.pop(session_id, None)
            if session is not None:
                session.deleted = True
            self._locks.pop(session_id, None)

    def _remember(self, session: Session) -> None:
        self._cache[session.id] = session
        self._cache.move_to_end(session.id)
        while len(self._cache) > CACHE_SIZE + len(self._pinned):
            oldest = next((i for i in self._cache if i not in self._pinned), None)
            if oldest is None:
                break
            self._cache.pop(oldest)
            if not self._lock_busy(oldest):
                self._locks.pop(oldest, None)

    def _lock_busy(self, session_id: str) -> bool:
        lock = self._locks.get(session_id)
        return lock is not None and lock.locked()
