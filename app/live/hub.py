"""Live sessions: one channel per watched session, one runner per playing session, and
latest-wins delivery to every connection watching it.

Every command to a session, from a REST route or a stream, goes through `Hub.apply`: it takes the
session's lock, does the work (off the event loop when it is large), stores the result before
anyone hears of it, and reads the state once, still under the lock, both for the caller and as
the one encoded frame every watcher gets.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, TypeVar

import orjson

from app.sessions.manager import SessionManager
from app.sessions.session import Session
from app.settings import Settings

T = TypeVar("T")
INLINE_WORK = 4_000  # sample-updates cheap enough to run on the event loop itself
CLOSE_SESSION_GONE = 4404


class Sink(Protocol):
    """Where a connection's frames go (the WebSocket route provides it)."""

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(eq=False)
class Watcher:
    """One connection: it holds only the newest frame it has not sent yet (latest wins)."""

    sink: Sink
    controller: bool
    pending: str | None = None
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0

    def offer(self, frame: str) -> None:
        self.pending = frame
        self.ready.set()

    def offer_error(self, detail: Any) -> None:
        """Error frames queue (a few at most) ahead of the next state frame."""
        self.errors.append(error_frame(detail))
        self.ready.set()

    async def deliver(self) -> None:
        """Send frames until cancelled; a slow client just skips the frames it missed."""
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.errors:
                await self.sink.send(self.errors.popleft())
            frame, self.pending = self.pending, None
            if frame is not None:
                await self.sink.send(frame)
                self.sent += 1


@dataclass(eq=False)
class Channel:
    session_id: str
    watchers: set[Watcher] = field(default_factory=set)
    fps: int = 30
    steps_per_frame: int = 1
    runner: asyncio.Task[None] | None = None

    @property
    def playing(self) -> bool:
        return self.runner is not None and not self.runner.done()


class Hub:
    def __init__(self, sessions: SessionManager, settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings
        self.channels: dict[str, Channel] = {}

    # ---- commands ---------------------------------------------------------------------------
    async def apply(self, session: Session, command: Callable[[Session], object],
                    work: int = 0) -> dict[str, Any]:  # fmt: skip
        """Run a command on a session under its lock and store it; returns the state after it,
        which every watcher also gets."""
        async with self.sessions.lock(session.id):
            await run_bounded(work, self._apply_and_save, session, command)
            return self._send(session)

    def _apply_and_save(self, session: Session, command: Callable[[Session], object]) -> None:
        command(session)
        self.sessions.save(session)

    async def publish(self, session: Session) -> None:
        """Send every watcher the session as it is now (read under its lock)."""
        async with self.sessions.lock(session.id):
            self._send(session)

    def _send(self, session: Session) -> dict[str, Any]:
        """The state, offered to every watcher as one frame encoded once; call under the lock."""
        state = session.state()
        channel = self.channels.get(session.id)
        if channel is not None and channel.watchers:
            frame = encode_frame(state, channel)
            for watcher in channel.watchers:
                watcher.offer(frame)
        return state

    async def close_session(self, session_id: str) -> None:
        """A deleted session: stop its runner and close every connection watching it."""
        channel = self.channels.get(session_id)
        if channel is None:
            return
        self.pause(channel)
        for watcher in list(channel.watchers):
            await watcher.sink.close(CLOSE_SESSION_GONE, "session deleted")

    # ---- watchers ---------------------------------------------------------------------------
    def watch(self, session: Session, watcher: Watcher) -> Channel:
        channel = self.channels.setdefault(session.id, Channel(session.id))
        if len(channel.watchers) >= self.settings.max_viewers:
            raise OverflowError(f"this session already has {self.settings.max_viewers} viewers")
        channel.watchers.add(watcher)
        self.sessions.pin(session.id)
        watcher.offer(encode_frame(session.state(), channel))
        return channel

    async def leave(self, session: Session, watcher: Watcher) -> None:
        channel = self.channels.get(session.id)
        if channel is None:
            return
        channel.watchers.discard(watcher)
        self.sessions.unpin(session.id)
        if not channel.watchers:
            await self.stop(channel, session)
            self.channels.pop(session.id, None)

    # ---- playing ----------------------------------------------------------------------------
    async def play(self, channel: Channel, session: Session) -> bool:
        """Start the session's runner; False when training has nothing left to do."""
        if channel.playing:
            return True
        if not session.run.can_train():
            return False
        session.playing = True
        channel.runner = asyncio.create_task(self._run(channel, session))
        await self.publish(session)
        return True

    def pause(self, channel: Channel) -> None:
        if channel.runner is not None:
            channel.runner.cancel()
            channel.runner = None

    async def stop(self, channel: Channel, session: Session) -> None:
        """Pause and store the session (a pause, a disconnect or a shutdown)."""
        runner = channel.runner
        self.pause(channel)
        if runner is not None:
            await asyncio.gather(runner, return_exceptions=True)
        session.playing = False
        async with self.sessions.lock(session.id):
            self.sessions.save(session)

    def runner_count(self) -> int:
        return sum(1 for c in self.channels.values() if c.playing)

    def steps_per_frame(self, channel: Channel, session: Session) -> int:
        """Epochs per frame, capped so that one frame's compute stays within a few ms."""
        n = session.run.n_train
        online_gradient = session.config.batch == "online" and session.config.rule == "gradient"
        budget = self.settings.max_work_per_frame // (25 if online_gradient else 1)
        return max(1, min(channel.steps_per_frame, budget // max(n, 1)))

    async def _run(self, channel: Channel, session: Session) -> None:
        """Train and publish at most `fps` frames a second until paused or training must stop."""
        loop = asyncio.get_running_loop()
        next_frame = loop.time()
        last_save = time.monotonic()
        try:
            while True:
                epochs = self.steps_per_frame(channel, session)
                async with self.sessions.lock(session.id):
                    work = epochs * session.run.n_train
                    await run_bounded(work, lambda: session.step(epochs=epochs))
                    finished = not session.run.can_train()
                    if finished:
                        session.playing = False
                    if finished or time.monotonic() - last_save >= self.settings.save_interval_seconds:
                        self.sessions.save(session)
                        last_save = time.monotonic()
                    self._send(session)
                if finished:
                    channel.runner = None
                    return
                next_frame = max(next_frame + 1.0 / channel.fps, loop.time())
                await asyncio.sleep(next_frame - loop.time())
        finally:
            if channel.runner is None or channel.runner is asyncio.current_task():
                session.playing = False


async def run_bounded(work: int, fn: Callable[..., T], *args: Any) -> T:
    """Run small work inline and large work in a thread, which is always let finish (even when
    the caller is cancelled) so that nothing touches the session while it runs."""
    if work <= INLINE_WORK:
        return fn(*args)
    task = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def encode_frame(state: dict[str, Any], channel: Channel) -> str:
    """A frame is the session state and the stream's speed, encoded once for every watcher."""
    speed = {"fps": channel.fps, "steps_per_frame": channel.steps_per_frame}
    return orjson.dumps({"type": "frame", **state, "speed": speed}).decode()


def error_frame(detail: Any) -> str:
    return orjson.dumps({"type": "error", "detail": detail}).decode()
