"""Where a command runs when several workers serve one set of sessions (PRODUCT.md §14).

Every change to a session runs on the one worker that holds its lease: here if nobody does (the
lease is taken for the change and given back after, unless the session goes on playing), else it
is sent to that worker over the bus and its answer returned as if it were ours. Frames published
by other workers reach this worker's viewers; sessions whose worker died are taken over. With
one process alone (`LocalBus`) every command simply runs here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from app.live.hub import Channel, Hub
from app.neuron.errors import NeuronError
from app.sessions.manager import SessionGone
from app.sessions.session import Session
from app.sessions.store import StoreError

SWEEP_SECONDS = 1.0
HELD_SECONDS = 3.0  # how long a worker's word that it holds sessions lasts (renewed every sweep)
log = logging.getLogger("neuron.cluster")


class NothingToTrain(Exception):
    """Play on a run that has converged or diverged (or reached max_epochs)."""


class Cluster:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.bus = hub.bus
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bus.start(self._on_frame, self._on_command)
        if self.bus.shared:
            self._sweeper = asyncio.create_task(self._sweep_forever())

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self.bus.close()

    # ---- commands ---------------------------------------------------------------------------
    async def execute(self, session: Session, message: dict[str, Any]) -> dict[str, Any]:
        """Run `message` ({"kind": ..., ...}) where the session lives; returns its state after."""
        for _ in range(2):  # a lease taken by another worker just now: ask that one
            owner = await self.bus.holder(session.id) if self.bus.shared else None
            if owner is not None and owner != self.bus.worker:
                return await self._forward(owner, session.id, message)
            try:
                return await self._here(session, message)
            except _Elsewhere:
                continue
        raise StoreError("the session is busy on another worker; try again")

    async def refresh(self, session: Session) -> None:
        """Before reading a session this worker does not play: the stored version, and whether
        another worker is playing it."""
        if not self.bus.shared or session.id in self.hub.leases:
            return
        await self.hub.sessions.refresh(session)
        session.playing = await self.bus.holder(session.id) is not None

    async def _here(self, session: Session, message: dict[str, Any]) -> dict[str, Any]:
        hub, kind = self.hub, message["kind"]
        channel = hub.channels.get(session.id)
        if kind == "outputs":
            return {"outputs": await hub.outputs(session)}
        if kind == "pause":
            if channel is not None:
                await hub.stop(channel, session)
            await hub.publish(session)
            return session.state()
        if kind == "speed":
            channel = channel or hub.channels.setdefault(session.id, Channel(session.id))
            channel.set_speed(message["fps"] or channel.fps,
                              message["steps_per_frame"] or channel.steps_per_frame)  # fmt: skip
            return session.state()
        if kind == "play":
            async with self._owning(session, keep=True):
                channel = channel or hub.channels.setdefault(session.id, Channel(session.id))
                if not await hub.play(channel, session):
                    raise NothingToTrain(f"nothing to train: the run is {session.status.value}; "
                                         "reset it or change a setting")  # fmt: skip
                return session.state()
        if kind == "reset" and channel is not None:
            await hub.stop(channel, session)
        async with self._owning(session):
            if kind == "step":
                return await hub.train(session, message.get("epochs"), message.get("samples"))
            if kind == "reset":
                return await hub.apply(session, Session.reset)
            if kind == "patch":
                return await hub.apply(session, lambda s: s.apply(
                    message.get("config"), message.get("weights"), message.get("bias"),
                    message.get("layers")))  # fmt: skip
            if kind == "lesson":
                return await hub.apply(session, lambda s: s.set_lesson(message.get("lesson")))
        raise ValueError(f"unknown command {kind!r}")

    @contextlib.asynccontextmanager
    async def _owning(self, session: Session, keep: bool = False) -> AsyncIterator[None]:
        """Hold the session's lease for a change (kept on if it starts a run), working on the
        stored version."""
        if not self.bus.shared or session.id in self.hub.leases:
            yield
            return
        token = await self.bus.take(session.id)
        if token is None:
            raise _Elsewhere()
        self.hub.leases[session.id] = token
        try:
            await self.hub.sessions.refresh(session)
            yield
        finally:
            playing = self.hub.channels.get(session.id)
            if not (keep and playing is not None and playing.playing):
                self.hub.leases.pop(session.id, None)
                await self.bus.give_back(session.id, token)

    async def _forward(self, worker: str, session_id: str, message: dict[str, Any]) -> dict[str, Any]:
        answer = await self.bus.ask(worker, {"session": session_id, "message": message})
        error = answer.get("error")
        if error is None:
            return dict(answer["state"])
        if "field" in error:
            raise NeuronError(error["field"], error["message"], error.get("code"), error.get("params"))
        if error.get("status") == 404:
            raise SessionGone(session_id)
        if error.get("status") == 409:
            raise NothingToTrain(error["detail"])
        raise StoreError(error.get("detail", "the worker running this session failed"))

    async def _on_command(self, request: dict[str, Any]) -> dict[str, Any]:
        """A command another worker sent us, as the holder of the session's lease."""
        try:
            session = await self.hub.sessions.get(request["session"])
            if session is None:
                return {"error": {"status": 404}}
            return {"state": await self._here(session, request["message"])}
        except NeuronError as exc:
            return {"error": {"field": exc.field, "message": exc.message, "code": exc.code,
                              "params": exc.params}}  # fmt: skip
        except SessionGone:
            return {"error": {"status": 404}}
        except NothingToTrain as exc:
            return {"error": {"status": 409, "detail": str(exc)}}
        except (StoreError, _Elsewhere) as exc:
            return {"error": {"status": 503, "detail": str(exc) or "try again"}}

    # ---- frames and takeovers ---------------------------------------------------------------
    def _on_frame(self, session_id: str, body: dict[str, Any]) -> None:
        """A frame (or the end) of a session another worker runs, for viewers here; or word
        that another worker now follows one this worker runs."""
        if body.get("followed"):
            self.hub.ticker.followed(session_id)
            return
        channel = self.hub.channels.get(session_id)
        if body.get("gone"):
            self.hub.close_session(session_id)
            self.hub.sessions.forget([session_id])
            return
        if channel is None or channel.playing or not channel.watchers:
            return
        speed = body.get("speed")
        if speed and speed != channel.speed:
            channel.set_speed(speed["fps"], speed["steps_per_frame"])
        channel.publish(body["state"])

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                await self.hub.sessions.keep_held(HELD_SECONDS)
                await self._take_over()
            except StoreError as exc:
                log.warning("takeover sweep: %s", exc)

    async def _take_over(self) -> None:
        """Play on the sessions whose worker died, from their last stored state."""
        for session_id, speed in await self.bus.orphans():
            token = await self.bus.take(session_id)
            if token is None:
                continue
            try:
                session = await self.hub.sessions.get(session_id)
                if session is not None:
                    await self.hub.sessions.refresh(session)
            except SessionGone:
                session = None
            if session is None or not session.run.can_train():
                await self.bus.mark_playing(session_id, None)
                await self.bus.give_back(session_id, token)
                continue
            self.hub.leases[session_id] = token
            channel = self.hub.channels.setdefault(session_id, Channel(session_id))
            channel.set_speed(speed["fps"], speed["steps_per_frame"])
            await self.hub.play(channel, session)
            log.info("took over session %s…", session_id[:6])


class _Elsewhere(Exception):
    """Another worker took the lease between our look and our try."""

