"""How the workers of one deployment talk (PRODUCT.md §14): leases, frames and commands.

`LocalBus` is one process alone: every lease is its own and nobody else listens. `RedisBus`
puts the same few operations on Redis, so several worker processes (on one host or many) serve
one set of sessions:
- a **lease** per session (`SET NX PX` with this worker's token, renewed while it plays, given
  back after): whoever holds it is the only one that changes the session, and its writes are
  fenced with it;
- **frames** on a channel per session, published in one pipeline per event-loop turn, which
  workers with viewers of that session follow (latest wins on their side, as for local viewers).
  A run's frames go out only while another worker follows it (most runs are watched only where
  they play, and encoding and sending each ~7 kB frame of theirs to nobody is wasted work):
  the worker running it counts the followers when the run starts and every renewal round, and a
  worker that starts to follow tells the lease holder at once (`{"followed": session}` on its
  channel), so its viewers get live frames within a round trip, not a round later. Every other
  change (a command on a paused session, a run's last frame) is always published;
- **commands** on a channel per worker: a change asked of a worker that does not hold the lease
  is sent to the worker that does, which answers on the asker's channel;
- the set of **playing** sessions, so that when a worker dies another one takes its sessions
  over once their leases lapse.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson

from app.sessions import lease
from app.sessions.redis_store import pooled
from app.sessions.store import StoreError

LEASE_MS = 3_000  # a dead worker's sessions are taken over within this and one sweep
RENEW_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 5.0
log = logging.getLogger("neuron.bus")

FrameHandler = Callable[[str, dict[str, Any]], None]  # session id, the published message (or
# {"followed": True}: another worker has just started to follow a session this one runs)
CommandHandler = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class BusUnavailable(StoreError):
    """The bus (Redis) cannot be reached, or the worker asked did not answer: nothing was done
    (a store failure to the client: 503, try again)."""


class LeaseLost(StoreError):
    """This worker no longer holds the session's lease (it was away from Redis too long)."""

    def __init__(self, session_id: str) -> None:
        super().__init__("another worker has taken this session over")


class Bus(Protocol):
    worker: str
    shared: bool  # False: one process alone, nothing to coordinate

    async def start(self, on_frame: FrameHandler, on_command: CommandHandler) -> None: ...
    async def close(self) -> None: ...
    async def take(self, session_id: str) -> str | None: ...
    async def renew_many(self, leases: list[tuple[str, str]]) -> list[bool]: ...
    async def give_back(self, session_id: str, token: str) -> None: ...
    async def holder(self, session_id: str) -> str | None: ...
    def publish(self, session_id: str, message: dict[str, Any]) -> None: ...
    async def follow(self, session_id: str) -> None: ...
    async def unfollow(self, session_id: str) -> None: ...
    async def ask(self, worker: str, message: dict[str, Any]) -> dict[str, Any]: ...
    async def followers(self, session_id: str) -> int: ...
    async def followers_many(self, session_ids: list[str]) -> list[int]: ...
    async def mark_playing(self, session_id: str, speed: dict[str, int] | None) -> None: ...
    async def orphans(self) -> list[tuple[str, dict[str, int]]]: ...


class LocalBus:
    """One process: every lease is ours, and there is nobody to tell."""

    shared = False

    def __init__(self) -> None:
        self.worker = "local"

    async def start(self, on_frame: FrameHandler, on_command: CommandHandler) -> None:
        return None

    async def close(self) -> None:
        return None

    async def take(self, session_id: str) -> str | None:
        return "local"

    async def renew_many(self, leases: list[tuple[str, str]]) -> list[bool]:
        return [True] * len(leases)

    async def give_back(self, session_id: str, token: str) -> None:
        return None

    async def holder(self, session_id: str) -> str | None:
        return None

    def publish(self, session_id: str, message: dict[str, Any]) -> None:
        return None

    async def follow(self, session_id: str) -> None:
        return None

    async def unfollow(self, session_id: str) -> None:
        return None

    async def ask(self, worker: str, message: dict[str, Any]) -> dict[str, Any]:
        raise BusUnavailable("one process alone has no other worker to ask")

    async def followers(self, session_id: str) -> int:
        return 0

    async def followers_many(self, session_ids: list[str]) -> list[int]:
        return [0] * len(session_ids)

    async def mark_playing(self, session_id: str, speed: dict[str, int] | None) -> None:
        return None

    async def orphans(self) -> list[tuple[str, dict[str, int]]]:
        return []


class RedisBus:
    """The bus on Redis (redis-py's asyncio client): see the module's docstring."""

    shared = True

    def __init__(self, url: str, prefix: str = "neuron:") -> None:
        self.redis = pooled(url, 2.0, socket_timeout=2.0, socket_connect_timeout=2.0,
                            health_check_interval=10)  # fmt: skip
        self.prefix = prefix
        self.worker = secrets.token_hex(8)
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._outbox: dict[str, bytes] = {}  # the newest message of each session, in order
        self._flushing = False
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._following: set[str] = set()
        self._on_frame: FrameHandler | None = None
        self._on_command: CommandHandler | None = None

    # ---- keys ---------------------------------------------------------------------------------
    def lease_key(self, session_id: str) -> str:
        return f"{self.prefix}lease:{session_id}"

    def frames_channel(self, session_id: str) -> str:
        return f"{self.prefix}frames:{session_id}"

    def worker_channel(self, worker: str) -> str:
        return f"{self.prefix}worker:{worker}"

    @property
    def playing_key(self) -> str:
        return f"{self.prefix}playing"

    # ---- life ---------------------------------------------------------------------------------
    async def start(self, on_frame: FrameHandler, on_command: CommandHandler) -> None:
        self._on_frame, self._on_command = on_frame, on_command
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.worker_channel(self.worker))
        self._listener = asyncio.create_task(self._listen())

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self.redis.aclose()

    async def _listen(self) -> None:
        """Read the subscribed channels for ever, reconnecting (and resubscribing) after a loss."""
        while True:
            try:
                async for message in self._pubsub.listen():
                    self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis went away: wait, then listen again
                log.warning("bus: lost Redis (%s); retrying", exc)
                await asyncio.sleep(0.5)
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(self.worker_channel(self.worker),
                                                 *map(self.frames_channel, self._following))  # fmt: skip

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message":
            return
        channel = message["channel"].decode()
        body = orjson.loads(message["data"])
        if channel.startswith(f"{self.prefix}frames:"):
            if body.get("origin") != self.worker and self._on_frame is not None:
                self._on_frame(channel.removeprefix(f"{self.prefix}frames:"), body)
        elif "followed" in body:  # a notice: nothing to answer
            if self._on_frame is not None:
                self._on_frame(body["followed"], {"followed": True})
        elif "answer_to" in body:
            waiting = self._waiting.pop(body["answer_to"], None)
            if waiting is not None and not waiting.done():
                waiting.set_result(body)
        elif self._on_command is not None:
            asyncio.create_task(self._answer(body))

    async def _answer(self, request: dict[str, Any]) -> None:
        assert self._on_command is not None
        answer = await self._on_command(request)
        with contextlib.suppress(Exception):
            await self.redis.publish(self.worker_channel(request["reply_to"]),
                                     orjson.dumps({**answer, "answer_to": request["id"]}))  # fmt: skip

    # ---- leases -------------------------------------------------------------------------------
    async def take(self, session_id: str) -> str | None:
        token = f"{self.worker}:{secrets.token_hex(8)}"
        return token if await lease.acquire(self.redis, self.lease_key(session_id), token, LEASE_MS) else None

    async def renew_many(self, leases: list[tuple[str, str]]) -> list[bool]:
        """Renew the leases of every session this worker plays, (session, token) each, in one
        round trip; for each, whether it is still ours."""
        return await lease.renew_many(self.redis, [(self.lease_key(i), t) for i, t in leases], LEASE_MS)

    async def give_back(self, session_id: str, token: str) -> None:
        with contextlib.suppress(StoreError):
            await lease.release(self.redis, self.lease_key(session_id), token)

    async def holder(self, session_id: str) -> str | None:
        """The worker holding the session's lease, if any (its token starts with the worker)."""
        token = await lease.holder(self.redis, self.lease_key(session_id))
        return None if token is None else token.split(":")[0]

    async def mark_playing(self, session_id: str, speed: dict[str, int] | None) -> None:
        """Record (with its speed) or clear that a session plays, for a takeover to find."""
        key = self.playing_key
        await self._call(self.redis.hset(key, session_id, orjson.dumps(speed)) if speed is not None
                         else self.redis.hdel(key, session_id))  # fmt: skip

    async def orphans(self) -> list[tuple[str, dict[str, int]]]:
        """Sessions marked playing whose lease has lapsed (their worker died), with their speed."""
        marked = await self._call(self.redis.hgetall(self.playing_key))
        if not marked:
            return []
        ids = sorted(i.decode() for i in marked)
        leases = await self._call(self.redis.mget([self.lease_key(i) for i in ids]))
        return [(i, orjson.loads(marked[i.encode()])) for i, lease in zip(ids, leases) if lease is None]

    async def followers(self, session_id: str) -> int:
        """How many other workers follow the session's frames (this one may too, for viewers of
        its own run, which need nothing from Redis: not counted)."""
        return (await self.followers_many([session_id]))[0]

    async def followers_many(self, session_ids: list[str]) -> list[int]:
        """`followers` of several sessions in one command."""
        if not session_ids:
            return []
        channels = [self.frames_channel(i) for i in session_ids]
        counts: dict[Any, Any] = dict(await self._call(self.redis.pubsub_numsub(*channels)))
        return [max(int(counts.get(c.encode()) or counts.get(c) or 0) - (i in self._following), 0)
                for i, c in zip(session_ids, channels)]  # fmt: skip

    # ---- frames -------------------------------------------------------------------------------
    def publish(self, session_id: str, message: dict[str, Any]) -> None:
        """Queue a message for the session's followers; all those queued in one turn of the event
        loop go out in one pipeline (latest wins: a newer frame of a session replaces an older)."""
        self._outbox[session_id] = orjson.dumps({**message, "origin": self.worker})
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self._flush()))

    async def _flush(self) -> None:
        """Send the outbox, one pipeline at a time (so a session's frames keep their order),
        until it stays empty."""
        try:
            while self._outbox:
                outbox, self._outbox = self._outbox, {}
                pipe = self.redis.pipeline(transaction=False)
                for session_id, body in outbox.items():
                    pipe.publish(self.frames_channel(session_id), body)
                with contextlib.suppress(Exception):  # a follower that misses one gets the next
                    await pipe.execute()
        finally:
            self._flushing = False

    async def follow(self, session_id: str) -> None:
        """Subscribe to the session's frames, then tell the worker running it, which publishes
        them only while someone follows (and would otherwise count us up to a second later)."""
        if session_id in self._following:
            return
        self._following.add(session_id)
        with contextlib.suppress(Exception):
            await self._pubsub.subscribe(self.frames_channel(session_id))
            runs_it = await self.holder(session_id)
            if runs_it is not None and runs_it != self.worker:
                await self.redis.publish(self.worker_channel(runs_it),
                                         orjson.dumps({"followed": session_id}))  # fmt: skip

    async def unfollow(self, session_id: str) -> None:
        if session_id not in self._following:
            return
        self._following.discard(session_id)
        with contextlib.suppress(Exception):
            await self._pubsub.unsubscribe(self.frames_channel(session_id))

    # ---- commands -----------------------------------------------------------------------------
    async def ask(self, worker: str, message: dict[str, Any]) -> dict[str, Any]:
        """Send a command to `worker` and wait for its answer."""
        request_id = secrets.token_hex(8)
        answer: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = answer
        try:
            body = orjson.dumps({**message, "id": request_id, "reply_to": self.worker})
            received = await self._call(self.redis.publish(self.worker_channel(worker), body))
            if not received:
                raise BusUnavailable("the worker running this session is gone")
            return await asyncio.wait_for(answer, REQUEST_TIMEOUT_SECONDS)
        except asyncio.TimeoutError as exc:
            raise BusUnavailable("the worker running this session did not answer") from exc
        finally:
            self._waiting.pop(request_id, None)

    async def _call(self, pending: Awaitable[Any]) -> Any:
        try:
            return await pending
        except Exception as exc:
            if isinstance(exc, BusUnavailable):
                raise
            raise BusUnavailable(f"Redis cannot be reached ({type(exc).__name__})") from exc


def open_bus(redis_url: str | None, prefix: str = "neuron:") -> Bus:
    return RedisBus(redis_url, prefix) if redis_url else LocalBus()
