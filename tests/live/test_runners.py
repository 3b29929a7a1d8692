"""A session's runner: it lives while someone watches, skips frames for a slow client instead of
queueing them, and its progress survives a restart of the server process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import ServerProcess
from tests.live.helpers import (
    connect, create_session, get_history, get_state, get_stats, run, small_buffer_socket,
    stats_when,
)  # fmt: skip


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server for this module alone, so that its counts are these tests' own."""
    proc = ServerProcess(tmp_path_factory.mktemp("runners") / "sessions.sqlite3").start()
    yield proc
    proc.stop()


def test_stats_count_what_the_process_holds(own_server: ServerProcess) -> None:
    assert get_stats(own_server) == {"sessions_in_memory": 0, "channels": 0, "runners": 0,
                                     "watchers": 0}  # fmt: skip
    create_session(own_server, dataset="and")
    create_session(own_server, dataset="or")
    assert get_stats(own_server)["sessions_in_memory"] == 2


@pytest.mark.parametrize("last_to_leave", ["closes", "vanishes"])
def test_closing_every_connection_stops_the_runner(
    own_server: ServerProcess, last_to_leave: str
) -> None:
    session_id, token = create_session(own_server, dataset="xor")  # never converges

    async def scenario() -> None:
        async with connect(own_server, session_id, token) as controller:
            await controller.frame()
            async with connect(own_server, session_id) as viewer:
                await viewer.frame()
                await controller.send({"type": "play"})
                await controller.frame()
                await stats_when(own_server, {"channels": 1, "runners": 1, "watchers": 2})
            # The viewer left; the controller still watches, so the run goes on.
            await stats_when(own_server, {"channels": 1, "runners": 1, "watchers": 1})
            epoch = (await controller.frame())["epoch"]
            assert (await controller.frame())["epoch"] > epoch
            if last_to_leave == "vanishes":  # no close handshake: the TCP connection just drops
                controller.ws.transport.abort()
        await stats_when(own_server, {"channels": 0, "runners": 0, "watchers": 0})

    run(scenario())
    stopped = get_state(own_server, session_id)
    assert stopped["status"] == "idle" and stopped["epoch"] > 0
    time.sleep(0.3)
    assert get_state(own_server, session_id)["epoch"] == stopped["epoch"]  # nothing trains unseen


def test_a_client_that_stops_reading_gets_a_recent_frame_not_a_backlog(
    shared_server: ServerProcess,
) -> None:
    """Latest wins: frames for a client that does not read are skipped, not queued.

    The client keeps almost nothing on its side (a 4 KiB socket buffer, one queued message,
    no compression) and frames are large (a 256 × 256 heatmap, ~88 kB), so whatever backlog it
    gets after resuming is what the server queued for it.
    """
    # On overlapping classes the perceptron's boundary jumps every epoch, so every compact frame
    # carries the heatmap (on XOR it comes back to the same weights each epoch: tiny frames).
    session_id, token = create_session(shared_server, dataset="overlap", n_samples=40,
                                       grid_size=256)  # fmt: skip
    options = {"sock": small_buffer_socket(shared_server), "max_queue": 1, "compression": None,
               "max_size": None}  # fmt: skip

    async def scenario() -> tuple[int, int, list[int]]:
        async with connect(shared_server, session_id, token, **options) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": 30})
            await stream.send({"type": "play"})
            stopped_at = [(await stream.frame())["epoch"] for _ in range(3)][-1]
            await asyncio.sleep(2.0)  # not reading
            now = (await asyncio.to_thread(get_state, shared_server, session_id))["epoch"]
            frames = await stream.until(lambda f: f["epoch"] >= now)
            await stream.send({"type": "pause"})
        return stopped_at, now, [f["epoch"] for f in frames]

    stopped_at, now, epochs = run(scenario())
    assert now - stopped_at >= 20, (stopped_at, now)  # ~60 at 30 fps: it did train meanwhile
    stale = epochs[:-1]  # frames received after resuming, before the newest epoch
    assert len(stale) <= 8, f"a backlog of {len(stale)} frames: {epochs}"
    # The frame after the skip (the first one sent after it resumed) is close to the current one.
    gaps = [b - a for a, b in zip([stopped_at, *epochs], epochs)]
    first_fresh = epochs[gaps.index(max(gaps))]
    assert first_fresh >= now - 5, (now, epochs)


@pytest.mark.parametrize("how", ["terminated", "killed"])
def test_a_restart_mid_play_keeps_the_stored_progress(server: ServerProcess, how: str) -> None:
    # Gradient descent on XOR never gets every sample right, so it plays on until stopped.
    session_id, token = create_session(server, dataset="xor", activation="sigmoid")

    async def scenario() -> int:
        async with connect(server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": 30})
            await stream.send({"type": "play"})
            # Past one save interval (1 s), so that even a killed process has stored progress.
            frames = await stream.until(lambda f: f["epoch"] >= 40)
            await asyncio.to_thread(server.restart, how == "killed")
            with pytest.raises(ConnectionClosed):
                while True:  # frames sent before the stop may still be on their way
                    await stream.next()
        return int(frames[-1]["epoch"])

    seen = run(scenario(), timeout=40)
    state = get_state(server, session_id)
    last_row = get_history(server, session_id)[-1]
    assert state["epoch"] > 0
    if how == "terminated":  # a graceful stop stores the run as it stood
        assert state["epoch"] >= seen
    assert (state["epoch"], state["weights"], state["bias"]) == (
        last_row["epoch"], last_row["weights"], last_row["bias"])  # fmt: skip
    assert state["status"] == "idle"  # stored, not playing: nobody is watching

    async def resume() -> None:
        async with connect(server, session_id, token) as stream:
            assert (await stream.frame())["epoch"] == state["epoch"]
            await stream.send({"type": "play"})
            assert (await stream.frame())["epoch"] > state["epoch"]
            await stream.send({"type": "pause"})

    run(resume())
