"""The session store on Redis, for several workers or hosts (PRODUCT.md §14).

Same contract as `SQLiteStore`: every write is one Lua script, so Redis applies it whole or not
at all, and every update is a compare-and-set on the session's version (optionally fenced by a
lease, see `app.sessions.lease`). The keys, under a configurable prefix:

    {prefix}session:{id}   hash: id, token_hash, created_at, updated_at, record, version
    {prefix}history:{id}   hash: epoch -> history row (JSON)
    {prefix}epochs:{id}    sorted set of the epochs stored, scored by epoch (order, thinning)
    {prefix}updated        sorted set of session ids scored by updated_at (eviction, expiry)
    {prefix}lease:{id}     the token of the worker that plays the session (lease.py)
    {prefix}held           sorted set of the sessions some worker holds in use, scored by when
                           its word runs out (never evicted nor expired meanwhile)

Any Redis failure comes out as `StoreError` (the API answers 503); the client keeps no retry of
its own, so a write is never sent twice, and it reconnects on the next call once Redis is back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator
from typing import Any

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from app.neuron.training import HistoryRow
from app.sessions.history import thinned
from app.sessions.redis_scripts import DELETE, EXPIRE, HISTORY, HOLD, INSERT, UPDATE
from app.sessions.store import StaleWrite, StoredSession, StoreError, StoreUnusable, Update

CONNECT_TIMEOUT_SECONDS = 1.0  # a Redis that is down is reported at once, not after minutes
COMMAND_TIMEOUT_SECONDS = 3.0  # a whole capped history is written well within it
MAX_CONNECTIONS = 100  # to Redis from one worker


class RedisStore:
    """Sessions in one Redis database under `prefix`; the client reconnects by itself."""

    def __init__(self, client: aioredis.Redis, prefix: str = "neuron:",
                 max_history_rows: int = 10_000) -> None:  # fmt: skip
        self.client = client
        self.prefix = prefix
        self.max_history_rows = max_history_rows
        self.where = describe(client)
        self._insert, self._update = client.register_script(INSERT), client.register_script(UPDATE)
        self._delete, self._expire = client.register_script(DELETE), client.register_script(EXPIRE)
        self._history, self._hold = client.register_script(HISTORY), client.register_script(HOLD)

    @classmethod
    def from_url(cls, url: str, prefix: str = "neuron:", max_history_rows: int = 10_000) -> RedisStore:
        return cls(connect(url), prefix, max_history_rows)

    def lease_key(self, session_id: str) -> str:
        """The key whose token fences this session's writes (`update(..., fence=token)`)."""
        return f"{self.prefix}lease:{session_id}"

    async def check(self) -> None:
        """At start-up: raise StoreUnusable (one line, no password) if Redis does not answer."""
        try:
            await self.client.ping()
        except (RedisError, OSError) as exc:
            raise StoreUnusable(f"cannot use the Redis session store {self.where}: it does not "
                                f"answer ({exc}); start Redis there or point NEURON_REDIS_URL "
                                "elsewhere") from exc  # fmt: skip

    # ---- sessions ---------------------------------------------------------------------------
    async def get(self, session_id: str) -> StoredSession | None:
        with redis_errors(self.where, "be read"):
            fields = await self.client.hgetall(self._key("session", session_id))
        if not fields:
            return None
        f = {text(k): text(v) for k, v in fields.items()}
        return StoredSession(f["id"], f["token_hash"], float(f["created_at"]),
                             float(f["updated_at"]), f["record"], int(f["version"]))  # fmt: skip

    async def insert(self, s: StoredSession, rows: list[HistoryRow], keep: int,
                     spare: Collection[str] = ()) -> list[str]:  # fmt: skip
        """A new session with its first history rows and, in the same script, the least recently
        used others evicted so that at most `keep` remain (never one in `spare`); returns the
        evicted ids."""
        spared = list(spare)
        new = _by_epoch(rows)
        kept = thinned(sorted(new), self.max_history_rows)
        args = [self.prefix, s.id, s.token_hash, repr(s.created_at), repr(s.updated_at), s.record,
                s.version, keep, len(spared), *spared, *_pairs(new, kept)]  # fmt: skip
        with redis_errors(self.where, "be written"):
            gone = await self._insert(args=args)
        return [text(g) for g in gone]

    async def update(self, s: StoredSession, rows: list[HistoryRow], clear_history: bool,
                     fence: str | None = None) -> None:  # fmt: skip
        """Store version `s.version` over `s.version - 1` (and, given a `fence`, only while the
        session's lease holds that token), or raise StaleWrite and store nothing."""
        outcome = (await self.update_many([Update(s, rows, clear_history, fence)]))[0]
        if outcome is not None:
            raise outcome

    async def update_many(self, updates: list[Update]) -> list[StaleWrite | None]:
        """Several sessions' updates in two round trips whatever their number (the history
        sizes, then every update's script, each pipelined); each script is its own atomic
        compare-and-set: a stale or fenced one writes nothing and comes back as its StaleWrite."""
        rows = [_by_epoch(u.rows) for u in updates]
        with redis_errors(self.where, "be written"):
            async with self.client.pipeline(transaction=False) as sizes:
                for u in updates:
                    sizes.zcard(self._key("epochs", u.stored.id))
                stored_rows = await sizes.execute()
            async with self.client.pipeline(transaction=False) as scripts:
                for u, new, size in zip(updates, rows, stored_rows):
                    s = u.stored
                    drop, add = await self._plan_history(s, new, u.clear_history, int(size))
                    args = [self.prefix, s.id, s.version - 1, s.version, repr(s.updated_at),
                            s.record, int(u.clear_history), int(u.fence is not None),
                            u.fence or "", len(drop), *drop, *_pairs(new, add)]  # fmt: skip
                    await self._update(args=args, client=scripts)
                outcomes = [text(o) for o in await scripts.execute()]
        return [None if o == "ok" else StaleWrite(u.stored.id, gone=o == "gone")
                for u, o in zip(updates, outcomes)]  # fmt: skip

    async def _plan_history(self, s: StoredSession, new: dict[int, str], clear: bool,
                            size: int) -> tuple[list[int], list[int]]:  # fmt: skip
        """Which stored epochs to drop and which new ones to add so that the history stays
        within its cap after this write. Read before the script runs, which is safe: any change
        of the history changes the version too, and the script then refuses the write. Only a
        history about to pass its cap is read whole."""
        if clear:
            return [], thinned(sorted(new), self.max_history_rows)
        epochs = self._key("epochs", s.id)  # `size` of them stored, as read just before
        if size + len(new) <= self.max_history_rows:
            return [], sorted(new)
        stored = [int(text(e)) for e in await self.client.zrange(epochs, 0, -1)]
        keep = set(thinned(sorted(set(stored) | set(new)), self.max_history_rows))
        return [e for e in stored if e not in keep], [e for e in sorted(new) if e in keep]

    async def delete(self, session_id: str) -> bool:
        with redis_errors(self.where, "be written"):
            return bool(await self._delete(args=[self.prefix, session_id]))

    async def history_json(self, session_id: str) -> bytes:
        """The stored history as one JSON array, assembled from the rows' own text."""
        keys = [self._key("epochs", session_id), self._key("history", session_id)]
        with redis_errors(self.where, "be read"):
            rows = await self._history(keys=keys)
        return b"[" + b",".join(rows) + b"]"

    async def list_ids(self) -> list[str]:
        with redis_errors(self.where, "be read"):
            ids = await self.client.zrange(f"{self.prefix}updated", 0, -1)
        return [text(i) for i in ids]

    async def count(self) -> int:
        with redis_errors(self.where, "be read"):
            return int(await self.client.zcard(f"{self.prefix}updated"))

    async def expire(self, idle_before: float, spare: Collection[str] = ()) -> list[str]:
        """Delete the sessions last changed before `idle_before`, except those in `spare`."""
        spared = list(spare)
        with redis_errors(self.where, "be written"):
            gone = await self._expire(args=[self.prefix, repr(idle_before), len(spared), *spared])
        return [text(g) for g in gone]

    async def keep_held(self, session_ids: Collection[str], seconds: float) -> None:
        """Tell every worker that this one holds these sessions for the next `seconds`: none of
        them evicts or expires one meanwhile (a worker spares its own without asking)."""
        with redis_errors(self.where, "be written"):
            await self._hold(args=[self.prefix, int(seconds * 1000), *session_ids])

    async def close(self) -> None:
        await self.client.aclose()

    def _key(self, kind: str, session_id: str) -> str:
        return f"{self.prefix}{kind}:{session_id}"


def connect(url: str) -> aioredis.Redis:
    """The store's client: short timeouts and no retries of its own (hiredis parses when
    installed), on a `pooled` set of connections."""
    return pooled(url, COMMAND_TIMEOUT_SECONDS, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                  socket_timeout=COMMAND_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))  # fmt: skip


def pooled(url: str, wait: float, **options: Any) -> aioredis.Redis:
    """A client on at most `MAX_CONNECTIONS` connections, where a command that finds them all
    busy waits up to `wait` seconds for one: redis-py's default pool refuses it at once ("Too
    many connections"), and a burst of a few hundred plays made whole save rounds fail that way.
    `options` are the connections' own (timeouts, retries, health checks)."""
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS,
                                                    timeout=wait, **options)  # fmt: skip
    return aioredis.Redis.from_pool(pool)


def describe(client: aioredis.Redis) -> str:
    """Where the client points, as a URL without user name or password (safe to log)."""
    kw: dict[str, Any] = client.connection_pool.connection_kwargs
    if "path" in kw:
        return f"unix://{kw['path']}?db={kw.get('db', 0)}"
    return f"redis://{kw.get('host', 'localhost')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


@contextlib.contextmanager
def redis_errors(where: str, action: str) -> Iterator[None]:
    """Redis failures (down, timed out, refused) as StoreError naming the store; the scripts are
    atomic, so nothing of the failed call was half-written."""
    try:
        yield
    except (RedisError, OSError) as exc:
        # a pipeline's error quotes its command, arguments and all: keep Redis's own words only
        words = str(exc).split(" of pipeline caused error: ")[-1].strip("()',\"")
        raise StoreError(f"the Redis session store {where} could not {action}: {words}") from exc


def text(value: Any) -> str:
    """A reply as text (the client returns bytes: rows go out as they are, never re-decoded)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _by_epoch(rows: list[HistoryRow]) -> dict[int, str]:
    """Rows as JSON by epoch; a repeated epoch keeps its last row (as SQLite's REPLACE does)."""
    return {r.epoch: orjson.dumps(r).decode() for r in rows}  # orjson writes dataclasses itself


def _pairs(rows: dict[int, str], epochs: list[int]) -> list[int | str]:
    return [v for e in epochs for v in (e, rows[e])]
