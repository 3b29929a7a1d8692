"""The lease of a playing session: which worker runs it (PRODUCT.md §14).

One key per session holds the token of the worker that plays it, with a time to live that the
holder renews while it plays; if the holder dies, the key expires and another worker may take it.
The holder passes its token as `fence=` to every `RedisStore.update`, so a worker that lost its
lease (paused too long, partitioned) can no longer write. Renewal and release compare the token
inside Redis (a Lua script), so a worker never extends or drops a lease that is no longer its own.
Redis failures come out as StoreError, like the store's.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from app.sessions.redis_store import describe, redis_errors, text

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


async def acquire(client: aioredis.Redis, key: str, token: str, ttl_ms: int) -> bool:
    """Take the lease if nobody holds it (SET NX PX); True if it is now ours."""
    with redis_errors(describe(client), "take a lease"):
        return bool(await client.set(key, token, nx=True, px=ttl_ms))


async def renew(client: aioredis.Redis, key: str, token: str, ttl_ms: int) -> bool:
    """Extend the lease to `ttl_ms` from now if it is still ours; False if it was lost."""
    with redis_errors(describe(client), "renew a lease"):
        return bool(await client.register_script(RENEW)(keys=[key], args=[token, ttl_ms]))


async def renew_many(client: aioredis.Redis, leases: list[tuple[str, str]], ttl_ms: int) -> list[bool]:
    """`renew` for several (key, token) leases in one round trip (a pipeline): for each, whether
    it is still ours."""
    if not leases:
        return []
    script = client.register_script(RENEW)
    with redis_errors(describe(client), "renew leases"):
        async with client.pipeline(transaction=False) as pipe:
            for key, token in leases:
                await script(keys=[key], args=[token, ttl_ms], client=pipe)
            return [bool(kept) for kept in await pipe.execute()]


async def release(client: aioredis.Redis, key: str, token: str) -> bool:
    """Give the lease up if it is still ours (another's is left alone); True if it was ours."""
    with redis_errors(describe(client), "release a lease"):
        return bool(await client.register_script(RELEASE)(keys=[key], args=[token]))


async def holder(client: aioredis.Redis, key: str) -> str | None:
    """The token of whoever holds the lease now, or None."""
    with redis_errors(describe(client), "read a lease"):
        token = await client.get(key)
    return None if token is None else text(token)
