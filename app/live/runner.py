"""One ticker drives every playing session of this process.

A task, a lock and a timer per playing session cost the event loop more than the frames
themselves at a few hundred sessions (bench/README.md: 9,000 timer wake-ups a second at 300 × 30
fps). Here one task wakes when the next frame of any session is due, and advances in one pass
every session due within `TICK_SLACK_SECONDS`: each keeps its own `fps` and `steps_per_frame`,
its frames are published together (the Redis bus sends all of one loop turn in one pipeline), and
the watchers' senders run once the pass is over.

A frame that can be done at once (the session's lock is free, its work small enough for the event
loop, no save or lease renewal due) is done in the pass itself, without a lock or a task: nothing
in it waits, so no other coroutine can see the session half-changed. Any other frame — work for
the scheduler's threads, a save, a renewal, a lock held by a command — runs as its own task, so a
slow session never holds up the others; that session gets no new frame until it is done.

Saves are batched, in time and across sessions: once every `save_interval_seconds` the ticker
stores every playing session whose lock is free in one write of the store (one SQLite
transaction, one COMMIT; two pipelined round trips to Redis), each still a compare-and-set fenced
by its lease. The round writes each session as it was when the round began, and holds its lock
against commands until the write is done, but not against its own runner's frames: those go on
meanwhile (a round of a few hundred sessions takes tens of milliseconds on Redis, and every one
of them used to miss a frame or two each second), and the history rows they add wait for the
next save. A session busy at that moment is taken by the next round; one that two rounds in a
row left out stores itself, at its next frame. A session is also stored at once when it pauses,
stops, finishes or is shut down, so a crash loses at most two intervals of play (two seconds by
default), and a takeover by another worker starts from there (PRODUCT.md §14).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from app.live.admission import admit_work, stepping
from app.live.bus import RENEW_SECONDS, LeaseLost
from app.live.frames import store_failure, store_failure_code
from app.sessions.manager import SessionGone
from app.sessions.session import Session
from app.sessions.store import StoreError

if TYPE_CHECKING:
    from app.live.hub import Channel, Hub

TICK_SLACK_SECONDS = 0.004  # frames due this close together go out in one pass (< ¼ of a 60 Hz frame)
OWN_SAVE_ROUNDS = 2  # a runner no save round has stored for this many intervals saves on its own
UNWATCHED_SECONDS = 10.0  # a run nobody watches (a worker that took it over) pauses after this
log = logging.getLogger("neuron.runner")


@dataclass(eq=False)
class Runner:
    """A playing session, as the ticker sees it (times on the event loop's clock)."""

    channel: Channel
    session: Session
    due: float  # when its next frame is due
    saved_at: float
    unwatched_since: float | None = None
    followed: bool = False  # by another worker: its frames go on the bus (see app/live/bus.py)
    told: bool = False  # a worker said it follows now, since the last count (which may predate it)
    busy: asyncio.Task[None] | None = None  # a frame that has to wait, running on its own
    saving: bool = False  # a save round is writing it (and holds its lock): its frames go on
    ended: bool = False


class Ticker:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.runners: dict[str, Runner] = {}
        self._task: asyncio.Task[None] | None = None
        self._alarm: asyncio.Future[None] | None = None
        self._save_round_at = 0.0
        self._renew_round_at = 0.0
        self._renewing: asyncio.Task[None] | None = None
        self._chores: set[asyncio.Task[None]] = set()  # what a renewal round found to do

    # ---- starting and stopping --------------------------------------------------------------
    def start(self, channel: Channel, session: Session) -> Runner:
        """Play the session from now on: its first frame comes in the next pass."""
        now = asyncio.get_running_loop().time()
        runner = Runner(channel, session, due=now, saved_at=now)
        channel.runner = runner
        self.runners[session.id] = runner
        self.hub.sessions.hold(session.id)
        runner.busy = asyncio.create_task(self._begin(runner))
        if self._task is None or self._task.done():
            self._save_round_at = now + self.hub.settings.save_interval_seconds
            self._renew_round_at = now + RENEW_SECONDS
            self._task = asyncio.create_task(self._tick_forever())
        return runner

    def cancel(self, channel: Channel) -> Runner | None:
        """No more frames for this channel; a frame in progress is cancelled (the caller may
        await `runner.busy` for it to end). Returns the runner it had, if any."""
        runner = channel.runner
        if runner is None:
            return None
        self._end(runner)
        if runner.busy is not None:
            runner.busy.cancel()
        return runner

    async def close(self) -> None:
        """At shutdown, once every runner is stopped: end the ticker's own task."""
        tasks = [t for t in (self._task, self._renewing, *self._chores) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _end(self, runner: Runner) -> None:
        if runner.ended:
            return
        runner.ended = True
        if runner.channel.runner is runner:
            runner.channel.runner = None
            runner.session.playing = False
        if self.runners.get(runner.session.id) is runner:
            del self.runners[runner.session.id]
        self.hub.sessions.release(runner.session.id)
        self._wake()

    # ---- the ticker ---------------------------------------------------------------------------
    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while self.runners:
            now = loop.time()
            if now >= self._save_round_at:
                self._save_round(now)
            if self.hub.bus.shared and now >= self._renew_round_at:
                self._renew_round(now)
            next_due = min(self._save_round_at, self._renew_round_at) if self.hub.bus.shared \
                else self._save_round_at  # fmt: skip
            for runner in list(self.runners.values()):
                if runner.busy is None and runner.due <= now + TICK_SLACK_SECONDS:
                    self._frame(runner, now)
                if runner.busy is None and not runner.ended:
                    next_due = min(next_due, runner.due)
            await self._sleep(loop, next_due)

    async def _sleep(self, loop: asyncio.AbstractEventLoop, until: float) -> None:
        """Until `until`, or earlier when a runner starts, ends or is free again."""
        self._alarm = alarm = loop.create_future()
        timer = loop.call_at(until, _ring, alarm)
        try:
            await alarm
        finally:
            timer.cancel()
            self._alarm = None

    def _wake(self) -> None:
        if self._alarm is not None:
            _ring(self._alarm)

    def _frame(self, runner: Runner, now: float) -> None:
        """One frame of a due runner: here and now if nothing in it has to wait, else in a task."""
        hub, session, channel = self.hub, runner.session, runner.channel
        runner.due = max(runner.due + 1.0 / channel.fps, now)
        try:
            epochs = hub.steps_per_frame(channel, session)
            units = admit_work(hub.settings, session.run.n_train, epochs, None)
            # A save round in flight holds the lock and has the save in hand: frames go on.
            free = runner.saving or not (hub.sessions.lock(session.id).locked()
                                         or self._save_overdue(runner, now))  # fmt: skip
            quick = hub.inline(units) and not session.deleted and free
            if quick:
                stepping(session, epochs, None, hub.settings.max_history_rows)(units)
                if session.run.can_train():
                    hub._send(session, elsewhere=runner.followed)
                    return
            # Finished now (to be stored before anyone hears of it), or something must wait.
            runner.busy = asyncio.create_task(self._slow_frame(runner, worked=quick))
        except Exception:  # a bug in one session's frame must not stop every other session
            log.exception("runner of session %s… failed", session.id[:6])
            self._end(runner)

    # ---- saves ------------------------------------------------------------------------------
    def _save_overdue(self, runner: Runner, now: float) -> bool:
        """Whether a runner must store itself, the last two save rounds having left it out (busy
        or locked as it ran). Only then: a few hundred runners saving one by one on a busy loop
        took 0.3–0.7 s a save, and no frame of theirs came meanwhile (bench/README.md)."""
        return now - runner.saved_at >= OWN_SAVE_ROUNDS * self.hub.settings.save_interval_seconds

    def _save_round(self, now: float) -> None:
        """Store every playing session that is free now, together (see the module's docstring)."""
        self._save_round_at = now + self.hub.settings.save_interval_seconds
        batch = [r for r in self.runners.values() if r.busy is None and not r.saving
                 and not r.session.deleted and not self.hub.sessions.lock(r.session.id).locked()]  # fmt: skip
        if not batch:
            return
        for runner in batch:
            runner.saving = True
        self._chore(self._save_all(batch, now))

    async def _save_all(self, batch: list[Runner], at: float) -> None:
        hub, taken = self.hub, []
        try:
            for runner in batch:  # locks still free are taken at once: nothing waits here
                lock = hub.sessions.lock(runner.session.id)
                if runner.ended or lock.locked() or runner.session.deleted:
                    runner.saving = False
                else:
                    await lock.acquire()
                    taken.append((runner, lock))
            outcomes = await hub.sessions.save_many(
                [(r.session, hub.leases.get(r.session.id)) for r, _ in taken])
        finally:
            for runner, lock in taken:  # no await from here to the frames that follow
                runner.saving = False
                lock.release()
        for (runner, _), error in zip(taken, outcomes):
            if error is None:
                runner.saved_at = at
            elif runner.busy is None:  # put back as last stored: no frame of it till it stops
                runner.busy = asyncio.create_task(self._fail(runner, error))
            else:
                self._chore(self._failed(runner, error))

    async def _fail(self, runner: Runner, exc: Exception) -> None:
        try:
            await self._failed(runner, exc)
        finally:
            self._free(runner)

    # ---- frames that wait ---------------------------------------------------------------------
    async def _begin(self, runner: Runner) -> None:
        """Record that the session plays (for a takeover to find), and count who follows it
        elsewhere, before its first frame."""
        try:
            await self.hub.bus.mark_playing(runner.session.id, runner.channel.speed)
            self._counted(runner, await self.hub.bus.followers(runner.session.id))
        except StoreError as exc:
            await self._failed(runner, exc)
        finally:
            self._free(runner)

    async def _slow_frame(self, runner: Runner, worked: bool) -> None:
        """A frame under the session's lock: its work (unless done already), a save when one is
        due or the run has finished, the frame."""
        hub, session, channel = self.hub, runner.session, runner.channel
        loop = asyncio.get_running_loop()
        try:
            async with hub.sessions.lock(session.id):
                if session.deleted:
                    raise SessionGone(session.id)
                if not worked:
                    await hub.run_work(session, hub.steps_per_frame(channel, session), None)
                finished = not session.run.can_train()
                if finished:
                    session.playing = False
                if finished or self._save_overdue(runner, loop.time()):
                    await hub.sessions.save(session, fence=hub.leases.get(session.id))
                    runner.saved_at = loop.time()
                hub._send(session, elsewhere=runner.followed or finished)
            if finished:
                self._end(runner)
                await hub._give_back(session.id)
        except (StoreError, SessionGone) as exc:
            await self._failed(runner, exc)
        except Exception:
            log.exception("runner of session %s… failed", session.id[:6])
            self._end(runner)
        finally:
            self._free(runner)

    def _free(self, runner: Runner) -> None:
        if runner.busy is asyncio.current_task():
            runner.busy = None
        self._wake()

    async def _failed(self, runner: Runner, exc: Exception) -> None:
        """A run that cannot be stored stops, is back at its last stored state, and says so."""
        hub, session, channel = self.hub, runner.session, runner.channel
        if runner.ended:
            return  # paused or stopped meanwhile: whoever did that stores it
        self._end(runner)
        for watcher in channel.watchers:
            watcher.offer_error(store_failure(exc), store_failure_code(exc))
        if isinstance(exc, LeaseLost):
            hub.leases.pop(session.id, None)
            hub.sessions.forget([session.id])  # another worker has it: reload when asked
        elif isinstance(exc, SessionGone):
            hub.close_session(session.id)
        elif not session.deleted:
            await hub._give_back(session.id)
            await hub.publish(session)

    # ---- leases (several workers) -------------------------------------------------------------
    def _renew_round(self, now: float) -> None:
        """Renew every lease this worker plays under, together, once a `RENEW_SECONDS` (the
        lease lasts three): one pipeline and one follower count for all, not two round trips
        a session. A round still waiting on Redis is not doubled."""
        self._renew_round_at = now + RENEW_SECONDS
        if self.runners and (self._renewing is None or self._renewing.done()):
            self._renewing = asyncio.create_task(self._renew_all(list(self.runners.values())))

    async def _renew_all(self, runners: list[Runner]) -> None:
        hub = self.hub
        tokens = [hub.leases.get(r.session.id) for r in runners]
        try:
            kept = iter(await hub.bus.renew_many(
                [(r.session.id, t) for r, t in zip(runners, tokens) if t is not None]))
        except StoreError as exc:  # Redis is away: this worker stops its runners cleanly
            for runner in runners:
                self._chore(self._failed(runner, exc))
            return
        held = [t is not None and next(kept) for t in tokens]
        for runner, ours in zip(runners, held):
            if not ours:
                self._chore(self._failed(runner, LeaseLost(runner.session.id)))
        playing = [r for r, ours in zip(runners, held) if ours]
        counts: list[int | None]
        try:
            counts = list(await hub.bus.followers_many([r.session.id for r in playing]))
        except StoreError:
            counts = [None] * len(playing)
        now = asyncio.get_running_loop().time()
        for runner, others in zip(playing, counts):
            self._counted(runner, others)
            if runner.channel.watchers or runner.followed:
                runner.unwatched_since = None
            elif runner.unwatched_since is None:
                runner.unwatched_since = now
            elif now - runner.unwatched_since > UNWATCHED_SECONDS:
                self._chore(self._pause_unwatched(runner))

    def followed(self, session_id: str) -> None:
        """Another worker has just started to follow this session: publish its frames from now
        on, not from the next count."""
        runner = self.runners.get(session_id)
        if runner is not None:
            runner.followed = runner.told = True

    def _counted(self, runner: Runner, others: int | None) -> None:
        """What a count of the other workers following a run found (None: the count failed,
        so publish on, to be safe)."""
        runner.followed = others is None or others > 0 or runner.told
        runner.told = False

    def _chore(self, work: Coroutine[Any, Any, None]) -> None:
        """Work for one runner that a round found (it may wait for that session's lock, which
        must hold up neither the round nor the other runners)."""
        task = asyncio.create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def _pause_unwatched(self, runner: Runner) -> None:
        """Pause, as a pause would (stored, lease given back), a run that nobody here or on
        another worker has watched for `UNWATCHED_SECONDS`."""
        hub, channel, session = self.hub, runner.channel, runner.session
        if runner.ended:
            return
        self._end(runner)
        if runner.busy is not None:
            await asyncio.gather(runner.busy, return_exceptions=True)
        if not channel.watchers and hub.channels.get(session.id) is channel:
            hub.channels.pop(session.id, None)
        try:
            async with hub.sessions.lock(session.id):
                await hub.sessions.save(session, fence=hub.leases.get(session.id))
        except (StoreError, SessionGone) as exc:  # it is back at its last stored state
            log.warning("pausing unwatched session %s…: %s", session.id[:6], exc)
        await hub._give_back(session.id)


def _ring(alarm: asyncio.Future[Any]) -> None:
    if not alarm.done():
        alarm.set_result(None)

