"""Uploaded datasets in Redis, so that every worker on every host opens the same ones (§14).

The same interface as `SQLiteUploads`. The keys, under the sessions' prefix:

    {prefix}upload:{id}    hash: token_hash, created_at, meta (JSON), X and y (.npy bytes)
    {prefix}uploads        sorted set of upload ids scored by their last use (eviction, expiry)

The core finds an upload without awaiting (`find`), so a worker keeps the uploads it has opened
decoded in memory and reads a missing one with a plain, blocking call: a miss happens once per
upload per worker, as with the SQLite file's own blocking reads. An upload is never changed once
stored, so a cached copy stays right; one deleted elsewhere is dropped from the cache at its next
touch (within `TOUCH_INTERVAL_SECONDS`).
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.neuron.uploads import Upload, add_upload_source, remove_upload_source
from app.sessions.redis_store import (COMMAND_TIMEOUT_SECONDS, CONNECT_TIMEOUT_SECONDS, connect,
                                      describe, redis_errors, text)  # fmt: skip
from app.sessions.tokens import hash_token, new_control_token
from app.sessions.uploads import StoredUpload, UploadCache, decode, new_upload_id, npy

# The upload ids that some stored session trains on, among those given (ARGV[2..]): one pass
# over the sessions' records inside Redis, rather than one round trip per session.
IN_USE = """
local prefix, wanted, used = ARGV[1], {}, {}
for i = 2, #ARGV do wanted[ARGV[i]] = true end
for _, sid in ipairs(redis.call('ZRANGE', prefix .. 'updated', 0, -1)) do
  local record = redis.call('HGET', prefix .. 'session:' .. sid, 'record')
  if record then
    local dataset = cjson.decode(record)['config']['dataset']
    if wanted[dataset] then used[#used + 1] = dataset; wanted[dataset] = nil end
  end
end
return used
"""


class RedisUploads:
    def __init__(self, url: str, prefix: str, max_uploads: int, ttl_seconds: float) -> None:
        self.client: aioredis.Redis = connect(url)
        self._blocking = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                              socket_timeout=COMMAND_TIMEOUT_SECONDS)  # fmt: skip
        self.where = describe(self.client)
        self.prefix = prefix
        self.max_uploads = max_uploads
        self.ttl_seconds = ttl_seconds
        self._in_use = self.client.register_script(IN_USE)
        self._cache = UploadCache()
        add_upload_source(self.find)

    # ---- the interface ------------------------------------------------------------------------
    async def put(self, upload: Upload, meta: dict[str, Any]) -> tuple[StoredUpload, str]:
        """Store a new upload (one transaction); returns it and its delete token."""
        now = time.time()
        upload_id, token = new_upload_id(), new_control_token()
        record = {"name": upload.name, "feature_names": upload.feature_names,
                  "class_names": upload.class_names, "standardize": upload.standardize, **meta}  # fmt: skip
        with redis_errors(self.where, "store the dataset; nothing was kept"):
            await self.expire(now - self.ttl_seconds)
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.hset(self._key(upload_id), mapping={
                    "token_hash": hash_token(token), "created_at": now, "meta": json.dumps(record),
                    "X": npy(upload.X), "y": npy(upload.y)})  # fmt: skip
                pipe.zadd(self._used, {upload_id: now})
                await pipe.execute()
            await self._evict_beyond(self.max_uploads)
        stored = StoredUpload(upload_id, upload, meta)
        self._cache.remember(stored)
        self._cache.touched[upload_id] = now
        return stored, token

    async def get(self, upload_id: str) -> StoredUpload | None:
        with redis_errors(self.where, "read the dataset"):
            return self._get(upload_id)

    def find(self, upload_id: str) -> Upload | None:
        """The core's view of an upload (registered as its source of uploads)."""
        with redis_errors(self.where, "read the dataset"):
            stored = self._get(upload_id)
        return None if stored is None else stored.upload

    async def token_hash(self, upload_id: str) -> str | None:
        with redis_errors(self.where, "read the dataset"):
            value = await self.client.hget(self._key(upload_id), "token_hash")
        return None if value is None else text(value)

    async def delete(self, upload_id: str) -> bool:
        self._cache.forget([upload_id])
        with redis_errors(self.where, "delete the dataset"):
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(self._key(upload_id))
                pipe.zrem(self._used, upload_id)
                deleted, _ = await pipe.execute()
        return bool(deleted)

    async def expire_idle(self) -> list[str]:
        return await self.expire(time.time() - self.ttl_seconds)

    async def expire(self, idle_before: float) -> list[str]:
        """Delete the uploads unused since `idle_before` that no stored session names."""
        with redis_errors(self.where, "remove idle datasets"):
            idle = [text(i) for i in await self.client.zrangebyscore(self._used, "-inf", f"({idle_before}")]
            return await self._drop_unused(idle)

    async def close(self) -> None:
        remove_upload_source(self.find)
        await self.client.aclose()
        self._blocking.close()

    # ---- bookkeeping --------------------------------------------------------------------------
    @property
    def _used(self) -> str:
        return f"{self.prefix}uploads"

    def _key(self, upload_id: str) -> str:
        return f"{self.prefix}upload:{upload_id}"

    def _get(self, upload_id: str) -> StoredUpload | None:
        stored = self._cache.get(upload_id)
        if stored is None:
            meta, X, y = self._blocking.hmget(self._key(upload_id), ["meta", "X", "y"])
            if meta is None:
                return None
            assert isinstance(X, bytes) and isinstance(y, bytes)  # the client returns bytes
            stored = decode(upload_id, (text(meta), X, y))
            self._cache.remember(stored)
        elif not self._touch(upload_id):
            self._cache.forget([upload_id])  # deleted or expired on another worker
            return None
        return stored

    def _touch(self, upload_id: str) -> bool:
        """Mark it used (at most once a minute); False if it is no longer stored."""
        if not self._cache.touch_due(upload_id, time.time()):
            return True
        try:  # XX: only an upload still stored is touched; CH: the reply says whether it was
            return bool(self._blocking.zadd(self._used, {upload_id: time.time()}, xx=True, ch=True))
        except (RedisError, OSError):  # best effort: tried again at the next use
            return True

    async def _evict_beyond(self, keep: int) -> None:
        """Past the cap, the least recently used uploads that no session uses go first."""
        count = await self.client.zcard(self._used)
        if count > keep:
            oldest = [text(i) for i in await self.client.zrange(self._used, 0, -1)]
            await self._drop_unused(oldest, at_most=count - keep)

    async def _drop_unused(self, candidates: list[str], at_most: int | None = None) -> list[str]:
        if not candidates:
            return []
        used = {text(i) for i in await self._in_use(args=[self.prefix, *candidates])}
        gone = [i for i in candidates if i not in used][:at_most]
        if gone:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.delete(*(self._key(i) for i in gone))
                pipe.zrem(self._used, *gone)
                await pipe.execute()
        self._cache.forget(gone)
        return gone
