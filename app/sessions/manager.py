"""The sessions of this process: created, found (from memory or the store), saved, removed.

One session, one truth: at any moment at most one `Session` object stands for a session id in
this process. Only recently used sessions stay in memory, the rest live in the store alone (an
idle session costs a row on disk, not a Run in RAM), but a session in use — held by a request,
watched by a stream — is never dropped from memory nor evicted from the store, so nothing ever
loads a second copy beside it. One asyncio lock per session serialises its commands, whichever
route or stream sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator

from app.neuron.config import NeuronConfig
from app.sessions.session import Session
from app.sessions.store import SessionStore, StaleWrite, StoredSession, Update
from app.sessions.tokens import hash_token, new_control_token, new_session_id

CACHE_SIZE = 128  # the default of NEURON_MEMORY_SESSIONS


class SessionGone(Exception):
    """The session was deleted, evicted or expired while a request was working on it."""


class SessionManager:
    def __init__(self, store: SessionStore, max_sessions: int, ttl_seconds: float,
                 cache_size: int = CACHE_SIZE) -> None:  # fmt: skip
        self.store = store
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self.cache_size = cache_size  # sessions kept in memory besides those in use
        self._cache: OrderedDict[str, Session] = OrderedDict()
        self._users: dict[str, int] = {}  # holds on sessions in use: requests and streams
        self._locks: dict[str, asyncio.Lock] = {}

    async def create(self, config: NeuronConfig) -> tuple[Session, str]:
        """A new session and its control token, which is returned this once and stored hashed.
        Stored before it is remembered: a failed insert leaves no trace."""
        token = new_control_token()
        session = Session.create(new_session_id(), hash_token(token), config)
        stored = self._stored(session, 1)
        evicted = await self.store.insert(stored, session.new_rows, keep=self.max_sessions,
                                    spare=set(self._users))  # fmt: skip
        self._forget(evicted)
        self._saved(session, Update(stored, session.new_rows))
        self._remember(session)
        return session, token

    async def get(self, session_id: str) -> Session | None:
        """The one object of this session, loading it from the store when not in memory."""
        session = self._cache.get(session_id)
        if session is not None:
            self._cache.move_to_end(session_id)
            return session
        stored = await self.store.get(session_id)
        if stored is None:
            return None
        session = Session.from_record(stored.id, stored.token_hash, stored.created_at,
                                      stored.updated_at, stored.record)  # fmt: skip
        session.version, session.saved_record = stored.version, stored.record
        self._remember(session)
        return session

    @contextlib.asynccontextmanager
    async def held(self, session_id: str) -> AsyncIterator[Session | None]:
        """The session, kept in memory (and in the store) for as long as the block runs."""
        session = await self.get(session_id)
        if session is None:
            yield None
            return
        self.hold(session_id)
        try:
            yield session
        finally:
            self.release(session_id)

    def hold(self, session_id: str) -> None:
        self._users[session_id] = self._users.get(session_id, 0) + 1

    def release(self, session_id: str) -> None:
        left = self._users.get(session_id, 0) - 1
        if left > 0:
            self._users[session_id] = left
        else:
            self._users.pop(session_id, None)
            self._shrink()

    async def save(self, session: Session, fence: str | None = None) -> None:
        """Store the session and its new history rows as its next version; called before any
        response about it. If the write fails, the session is put back as it was last stored
        (memory and disk agree) and the error propagates: StoreError, or SessionGone."""
        (error,) = await self.save_many([(session, fence)])
        if error is not None:
            raise error

    async def save_many(self, saves: list[tuple[Session, str | None]]) -> list[Exception | None]:
        """Store several sessions (each with its lease token, or None) in one write of the store;
        call with each one's lock held. Each is written as it is at the call: its runner may
        play on while the write is in flight (the ticker's save round), and the history rows
        that adds are kept for the next save. For each, what `save` would have raised, or None:
        one that could not be stored is put back as it was last stored, as `save` does."""
        live = [(s, fence) for s, fence in saves if not s.deleted]
        stored = [self._stored(s, s.version + 1) for s, _ in live]
        updates = [Update(st, list(s.new_rows), s.history_cleared, fence)
                   for (s, fence), st in zip(live, stored)]  # fmt: skip
        try:
            written: list[Exception | None] = list(await self.store.update_many(updates))
        except Exception as exc:  # nothing of any of them was written
            for s, _ in live:
                s.restore(s.saved_record)
            written = [exc] * len(live)
        outcome: dict[str, Exception | None] = {}
        for (s, _), u, error in zip(live, updates, written):
            if error is None:
                self._saved(s, u)
            elif isinstance(error, StaleWrite):
                self._forget([s.id])
                error = SessionGone(s.id) if error.gone else error
            outcome[s.id] = error
        return [outcome[s.id] if s.id in outcome else SessionGone(s.id) for s, _ in saves]

    async def delete(self, session_id: str) -> bool:
        self._forget([session_id])
        return await self.store.delete(session_id)

    def in_memory(self) -> int:
        """How many sessions are loaded (the rest are only on disk)."""
        return len(self._cache)

    async def keep_held(self, seconds: float) -> None:
        """Tell the other workers which sessions are in use here, for `seconds` (renewed by the
        caller more often than that), so that none of them evicts or expires one of them."""
        await self.store.keep_held(list(self._users), seconds)

    def lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    async def expire(self) -> list[str]:
        """Drop sessions idle longer than the TTL, except those in use (a watched session left in
        memory but gone from the store would lose its history and, at a restart, itself)."""
        gone = await self.store.expire(time.time() - self.ttl_seconds, spare=set(self._users))
        self._forget(gone)
        return gone

    # ---- bookkeeping ------------------------------------------------------------------------
    def _stored(self, session: Session, version: int) -> StoredSession:
        return StoredSession(session.id, session.token_hash, session.created_at,
                             session.updated_at, session.record_json(), version)  # fmt: skip

    @staticmethod
    def _saved(session: Session, update: Update) -> None:
        session.version = update.stored.version
        session.saved_record = update.stored.record
        written = {id(row) for row in update.rows}
        session.new_rows = [row for row in session.new_rows if id(row) not in written]
        session.history_cleared = False

    def forget(self, session_ids: list[str]) -> None:
        """Drop these sessions from memory (gone, or changed by another worker): the next use
        loads them from the store."""
        self._forget(session_ids)

    async def refresh(self, session: Session) -> None:
        """Bring the object to the stored version (another worker may have written it)."""
        stored = await self.store.get(session.id)
        if stored is None:
            self._forget([session.id])
            raise SessionGone(session.id)
        if stored.version != session.version:
            session.restore(stored.record)
            session.version, session.saved_record = stored.version, stored.record

    def _forget(self, session_ids: list[str]) -> None:
        """Drop sessions gone from the store; one still held by a request is marked deleted, so
        that request can neither save it nor bring it back."""
        for session_id in session_ids:
            session = self._cache.pop(session_id, None)
            if session is not None:
                session.deleted = True
            self._locks.pop(session_id, None)

    def _remember(self, session: Session) -> None:
        self._cache[session.id] = session
        self._cache.move_to_end(session.id)
        self._shrink()

    def _shrink(self) -> None:
        """Unload the least recently used sessions past the cache size, never one in use."""
        excess = len(self._cache) - self.cache_size - len(self._users)
        if excess <= 0:
            return
        idle = [i for i in self._cache if i not in self._users][:excess]
        for session_id in idle:
            self._cache.pop(session_id)
            lock = self._locks.get(session_id)
            if lock is not None and not lock.locked():
                self._locks.pop(session_id)
