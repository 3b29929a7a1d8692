"""The ticker in-process, on a real SQLite file: how its save rounds and its frames share a run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import orjson

from app.live.hub import Hub, Watcher
from app.neuron.config import NeuronConfig
from app.sessions.backend import open_store
from app.sessions.manager import SessionManager
from app.sessions.session import Session
from app.settings import Settings
from tests.live.helpers import run


class Screen:
    """Where a connection's frames would go: here, a list of what it was sent."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.frames.append(json.loads(text))

    async def close(self, code: int, reason: str) -> None:
        pass


def test_a_run_left_out_of_a_save_round_plays_on_and_the_next_round_stores_it(
    tmp_path: Path,
) -> None:
    """A command holding a session's lock as a save round comes keeps the round from storing it.
    Its frames must go on once the lock is free, stored by the next round rather than one by one:
    under load each save of its own took 0.3–0.7 s, with no frame of the run meanwhile, and a few
    hundred runners left out of one round all did it at once."""

    async def scenario() -> None:
        settings = Settings(database=tmp_path / "sessions.sqlite3", save_interval_seconds=1.0)
        store = open_store(settings)
        manager = SessionManager(store, settings.max_sessions, settings.session_ttl_seconds,
                                 settings.memory_sessions)  # fmt: skip
        hub = Hub(manager, settings)
        session, _ = await manager.create(NeuronConfig(dataset="xor"))  # never converges
        screen = Screen()
        watcher = Watcher(screen, controller=True)
        channel = await hub.watch(session, watcher)
        sending = asyncio.create_task(watcher.deliver())
        own_saves: list[int] = []
        save = manager.save

        async def save_counted(s: Session, fence: str | None = None) -> None:
            own_saves.append(s.run.state.epoch)
            await save(s, fence)

        manager.save = save_counted  # type: ignore[method-assign]
        loop = asyncio.get_running_loop()
        try:
            await hub.play(channel, session)
            first_round = hub.ticker._save_round_at
            await asyncio.sleep(first_round - 0.2 - loop.time())
            async with manager.lock(session.id):  # a command, over the first round
                await asyncio.sleep(0.5)
            released, sent = session.run.state.epoch, len(screen.frames)
            await asyncio.sleep(first_round + 1.2 - loop.time())  # past the second round
            assert own_saves == []  # stored by the round, not on its own
            assert len(screen.frames) - sent >= 15  # ~21 frames at 30 fps in 0.7 s
            assert screen.frames[-1]["epoch"] > released
            history = orjson.loads(await store.history_json(session.id))
            assert history[-1]["epoch"] > released  # the second round has stored it
        finally:
            await hub.stop(channel, session)
            sending.cancel()
            await hub.ticker.close()
            hub.work.close()
            await store.close()

    run(scenario(), timeout=20)
