"""Live sessions: one channel per watched session, one runner per playing session, and
latest-wins delivery to every connection watching it.

Every command to a session, from a REST route or a stream, goes through the hub: it takes the
session's lock, checks the call's limits there against the data in force, does the work through
the process's one work budget, stores the result before anyone hears of it, and reads the state
once, still under the lock, both for the caller and as the one encoded frame every watcher gets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import orjson

from app.live.admission import admit_work, stepping
from app.live.bus import Bus, BusUnavailable, LocalBus
from app.live.frames import FrameLog, error_frame, frame_state, store_failure  # noqa: F401 (re-exported)
from app.live.runner import Runner, Ticker
from app.live.scheduler import WorkScheduler
from app.sessions.manager import SessionGone, SessionManager
from app.sessions.session import Session
from app.sessions.store import StoreError
from app.settings import Settings

INLINE_WORK = 4_000  # sample-updates cheap enough to run on the event loop itself
CLOSE_SESSION_GONE = 4404
CLOSE_TOO_MANY = 4429
MAX_CONTROLLERS = 8  # connections with the control token, per session
KICK_TIMEOUT_SECONDS = 1.0  # how long a closing handshake may take before the socket is dropped


class Sink(Protocol):
    """Where a connection's frames go (the WebSocket route provides it)."""

    async def send(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(eq=False)
class Watcher:
    """One connection: it is owed the channel's newest state, as a change from the last one it
    was sent (latest wins: a slow client skips states, never queues them)."""

    sink: Sink
    controller: bool
    channel: Channel | None = None
    seq: int | None = None  # the state it was last sent (None: it needs a whole frame)
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0
    handler: asyncio.Task[Any] | None = None  # the task serving the connection, to end it
    kicked: bool = False

    def wake(self) -> None:
        self.ready.set()

    def resync(self) -> None:
        """Send a whole frame next (on connect, and on `{"type": "sync"}`)."""
        self.seq = None
        self.ready.set()

    def offer_error(self, detail: Any, code: str | None = None,
                    params: dict[str, Any] | None = None) -> None:  # fmt: skip
        """Error frames queue (a few at most) ahead of the next state frame."""
        self.errors.append(error_frame(detail, code, params))
        self.ready.set()

    async def deliver(self) -> None:
        """Send frames until cancelled; a slow client just skips the frames it missed."""
        while True:
            await self.ready.wait()
            self.ready.clear()
            while self.errors:
                await self.sink.send(self.errors.popleft())
            channel = self.channel
            if channel is None or channel.log.seq == 0 or self.seq == channel.log.seq:
                continue
            seq, text = channel.log.seq, channel.log.text(self.seq, channel.speed)
            await self.sink.send(text)
            self.seq = seq
            self.sent += 1

    def kick(self, code: int, reason: str) -> None:
        """Close the connection without waiting for it: a polite close, and if the client does
        not take it within a second, its handler is ended (which drops the socket)."""
        if self.kicked:
            return
        self.kicked = True
        _background(self._close(code, reason))

    async def _close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception, asyncio.TimeoutError):
            await asyncio.wait_for(self.sink.close(code, reason), KICK_TIMEOUT_SECONDS)
            return
        if self.handler is not None:
            self.handler.cancel()


@dataclass(eq=False)
class Channel:
    session_id: str
    watchers: set[Watcher] = field(default_factory=set)
    fps: int = 30
    steps_per_frame: int = 1
    runner: Runner | None = None  # while it plays here (the ticker drives it)
    log: FrameLog = field(default_factory=FrameLog)

    @property
    def playing(self) -> bool:
        return self.runner is not None

    @property
    def speed(self) -> dict[str, int]:
        return {"fps": self.fps, "steps_per_frame": self.steps_per_frame}

    def set_speed(self, fps: int, steps_per_frame: int) -> None:
        self.fps, self.steps_per_frame = fps, steps_per_frame
        self.log.forget_texts()

    def publish(self, framed: dict[str, Any]) -> None:
        """Send every watcher `framed` (a state as frames carry it: `frame_state`)."""
        self.log.add(framed)
        for watcher in self.watchers:
            watcher.wake()


class Hub:
    def __init__(self, sessions: SessionManager, settings: Settings,
                 work: WorkScheduler | None = None, bus: Bus | None = None) -> None:  # fmt: skip
        self.sessions = sessions
        self.settings = settings
        self.work = work or WorkScheduler(settings.work_threads)
        self.bus: Bus = bus or LocalBus()
        self.channels: dict[str, Channel] = {}
        self.leases: dict[str, str] = {}  # sessions this worker plays: their lease tokens
        self.ticker = Ticker(self)

    # ---- commands ---------------------------------------------------------------------------
    async def apply(self, session: Session, command: Callable[[Session], object]) -> dict[str, Any]:
        """Run a quick command (a change of settings, a reset) on a session under its lock and
        store it; returns the state after it, which every watcher also gets."""
        async with self.sessions.lock(session.id):
            _check_alive(session)
            command(session)
            await self.sessions.save(session)
            return self._send(session)

    async def train(self, session: Session, epochs: int | None, samples: int | None) -> dict[str, Any]:
        """Train under the session's lock, so the caps are checked against the data the work
        will run on; stored before the state is returned and sent."""
        async with self.sessions.lock(session.id):
            _check_alive(session)
            await self.run_work(session, epochs, samples)
            await self.sessions.save(session)
            return self._send(session)

    async def run_work(self, session: Session, epochs: int | None, samples: int | None) -> None:
        """Admit and do one call's training: small work inline, the rest in fair slices."""
        units = admit_work(self.settings, session.run.n_train, epochs, samples)
        advance = stepping(session, epochs, samples, self.settings.max_history_rows)
        if self.inline(units):
            advance(units)
        else:
            await self.work.run(advance)

    def inline(self, units: int) -> bool:
        """Whether this much training runs on the event loop itself (else in fair slices)."""
        return units <= INLINE_WORK

    async def outputs(self, session: Session) -> str:
        """Every sample's output and prediction now, as the `outputs` message (frames leave them
        out past 256 rows); read under the lock, so they match the step they name."""
        async with self.sessions.lock(session.id):
            ev = session.run.evaluate()
            return orjson.dumps({"type": "outputs", "epoch": session.run.state.epoch,
                                 "step": session.run.state.step, "outputs": ev.outputs,
                                 "predictions": ev.predictions}).decode()  # fmt: skip

    async def publish(self, session: Session) -> None:
        """Send every watcher the session as it is now (read under its lock)."""
        async with self.sessions.lock(session.id):
            self._send(session)

    def _send(self, session: Session, elsewhere: bool = True) -> dict[str, Any]:
        """The state, published to every watcher (each frame encoded once); call under the lock.
        `elsewhere`: to other workers' viewers too (a runner's frames only while some worker
        follows them; any other change always, so that every view of it stays right)."""
        state = session.state()
        channel = self.channels.get(session.id)
        watched = channel is not None and bool(channel.watchers)
        elsewhere = elsewhere and self.bus.shared
        if not (watched or elsewhere):
            return state
        framed = frame_state(state)
        if channel is not None and watched:
            channel.publish(framed)
        if elsewhere:
            speed = channel.speed if channel is not None else None
            self.bus.publish(session.id, {"state": framed, "speed": speed})
        return state

    def close_session(self, session_id: str) -> None:
        """A deleted session: stop its runner and close every connection watching it, each on
        its own, so that a client that never reads holds up neither the caller nor the others."""
        channel = self.channels.get(session_id)
        if channel is None:
            return
        self.pause(channel)
        for watcher in list(channel.watchers):
            watcher.kick(CLOSE_SESSION_GONE, "session deleted")

    # ---- watchers ---------------------------------------------------------------------------
    async def watch(self, session: Session, watcher: Watcher) -> Channel:
        """Admit a connection. Followers are refused past `max_viewers`; the control-token
        holder never is (past a few connections of its own, its oldest one makes room)."""
        channel = self.channels.setdefault(session.id, Channel(session.id))
        if watcher.controller:
            controllers = [w for w in channel.watchers if w.controller and not w.kicked]
            for old in controllers[: max(len(controllers) - MAX_CONTROLLERS + 1, 0)]:
                old.kick(CLOSE_TOO_MANY, "replaced by a newer connection with the control token")
        elif sum(not w.controller for w in channel.watchers) >= self.settings.max_viewers:
            if not channel.watchers:
                self.channels.pop(session.id, None)
            raise OverflowError(f"this session already has {self.settings.max_viewers} viewers")
        channel.watchers.add(watcher)
        self.sessions.hold(session.id)
        watcher.channel = channel
        if channel.log.seq == 0:
            channel.log.add(frame_state(session.state()))
        watcher.resync()
        await self.bus.follow(session.id)  # frames of its runs on other workers
        return channel

    async def leave(self, session: Session, watcher: Watcher) -> None:
        channel = self.channels.get(session.id)
        if channel is None or watcher not in channel.watchers:
            return
        channel.watchers.discard(watcher)
        try:
            if not channel.watchers:
                await self.bus.unfollow(session.id)
                if channel.playing and await self._followed_elsewhere(session.id):
                    return  # viewers on other workers still watch it play
                self.channels.pop(session.id, None)
                await self.stop(channel, session)
        finally:
            self.sessions.release(session.id)

    async def _followed_elsewhere(self, session_id: str) -> bool:
        try:
            return await self.bus.followers(session_id) > 0
        except StoreError:
            return False

    # ---- playing ----------------------------------------------------------------------------
    async def play(self, channel: Channel, session: Session) -> bool:
        """Start the session's runner; False when training has nothing left to do."""
        if channel.playing:
            return True
        if not session.run.can_train():
            return False
        if session.id not in self.leases:
            token = await self.bus.take(session.id)
            if token is None:
                raise BusUnavailable("another worker has just taken this session; try again")
            self.leases[session.id] = token
        session.playing = True
        self.ticker.start(channel, session)
        await self.publish(session)
        return True

    def pause(self, channel: Channel) -> None:
        self.ticker.cancel(channel)

    async def stop(self, channel: Channel, session: Session) -> None:
        """Pause and store the session at once (a pause, a disconnect or a shutdown): whatever
        it played since its last periodic save is kept."""
        runner = self.ticker.cancel(channel)
        if runner is not None and runner.busy is not None:
            await asyncio.gather(runner.busy, return_exceptions=True)
        session.playing = False
        if session.id not in self.leases and self.bus.shared:
            return  # it ran elsewhere, or its lease was lost: nothing of ours to store
        async with self.sessions.lock(session.id):
            if not session.deleted:
                await self.sessions.save(session, fence=self.leases.get(session.id))
        await self._give_back(session.id)

    async def _give_back(self, session_id: str) -> None:
        token = self.leases.pop(session_id, None)
        if token is not None and self.bus.shared:
            with contextlib.suppress(StoreError):
                await self.bus.mark_playing(session_id, None)
                await self.bus.give_back(session_id, token)

    def runner_count(self) -> int:
        return len(self.ticker.runners)

    def steps_per_frame(self, channel: Channel, session: Session) -> int:
        """Epochs per frame, capped so that one frame's compute stays within a few ms."""
        n = session.run.n_train
        online_gradient = session.config.batch == "online" and session.config.rule == "gradient"
        budget = self.settings.max_work_per_frame // (25 if online_gradient else 1)
        return max(1, min(channel.steps_per_frame, budget // max(n, 1)))


def _check_alive(session: Session) -> None:
    if session.deleted:
        raise SessionGone(session.id)


_KEPT: set[asyncio.Task[Any]] = set()  # tasks started in the background, kept till they end


def _background(coroutine: Any) -> None:
    task = asyncio.ensure_future(coroutine)
    _KEPT.add(task)
    task.add_done_callback(_KEPT.discard)
