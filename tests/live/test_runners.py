"""A session's runner: it lives while someone watches, skips frames for a slow client instead of
queueing them, and its progress survives a restart of the server process."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

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


def test_sessions_at_different_speeds_each_get_their_own_frames(
    shared_server: ServerProcess,
) -> None:
    """One ticker drives every session: each plays at its own fps with its own epochs per frame,
    and one whose frames are large (trained in the work scheduler's slices) holds up no other."""
    speeds = {"slow": (10, 3), "fast": (60, 1), "heavy": (30, 5)}
    configs = {"slow": {"dataset": "xor"}, "fast": {"dataset": "xor"},
               # 5 epochs of ~8,000 samples a frame: far too much to train on the event loop
               "heavy": {"dataset": "overlap", "n_samples": 10_000}}  # fmt: skip
    sessions = {name: create_session(shared_server, **config) for name, config in configs.items()}
    wanted = {"slow": 6, "fast": 30, "heavy": 4}

    async def play(name: str) -> list[dict[str, object]]:
        session_id, token = sessions[name]
        fps, steps = speeds[name]
        async with connect(shared_server, session_id, token, max_size=None) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": fps, "steps_per_frame": steps})
            await stream.send({"type": "play"})
            frames = await stream.until(lambda f: f["epoch"] > 0, timeout=15)
            while len(frames) < wanted[name]:
                frames.append(await stream.frame(timeout=15))
            await stream.send({"type": "pause"})
            frames += await stream.until(lambda f: f["status"] != "running", timeout=15)
        return frames

    async def scenario() -> dict[str, list[dict[str, object]]]:
        played = await asyncio.gather(*(play(name) for name in speeds))
        return dict(zip(speeds, played))

    played = run(scenario(), timeout=60)
    for name, frames in played.items():
        fps, steps = speeds[name]
        epochs = [int(f["epoch"]) for f in frames]  # type: ignore[call-overload]
        assert all(f["speed"] == {"fps": fps, "steps_per_frame": steps} for f in frames), name
        assert epochs == sorted(epochs) and len(set(epochs)) >= wanted[name] - 1, (name, epochs)
        # Every frame carries whole frames' worth of epochs: steps_per_frame each.
        assert all(epoch % steps == 0 for epoch in epochs), (name, epochs)
        stored = get_state(shared_server, sessions[name][0])
        assert stored["status"] == "idle" and stored["epoch"] == epochs[-1], name


def test_a_playing_run_is_stored_when_paused_not_on_every_frame(tmp_path: Path) -> None:
    """Saves are batched in time: a run killed mid-play comes back from its last periodic save
    (none within an hour here), but a pause stores the run as it stands at once."""
    server = ServerProcess(tmp_path / "sessions.sqlite3",
                           env={"NEURON_SAVE_INTERVAL_SECONDS": "3600"}).start()  # fmt: skip
    try:
        session_id, token = create_session(server, dataset="xor")  # never converges

        async def play(then: str) -> int:
            async with connect(server, session_id, token) as stream:
                start = (await stream.frame())["epoch"]
                await stream.send({"type": "play"})
                frames = await stream.until(lambda f: f["epoch"] >= start + 15)
                if then == "pause":
                    await stream.send({"type": "pause"})
                    frames = await stream.until(lambda f: f["status"] != "running")
                    return int(frames[-1]["epoch"])
                await asyncio.to_thread(server.stop, True)  # SIGKILL while it plays
                with pytest.raises(ConnectionClosed):
                    while True:
                        await stream.next()
                return int(frames[-1]["epoch"])

        assert run(play("kill"), timeout=40) >= 15
        server.start()
        assert get_state(server, session_id)["epoch"] == 0  # not written frame by frame
        paused = run(play("pause"), timeout=40)
        assert paused >= 15
        server.stop(kill=True)  # at once: nothing but the pause itself can have stored it
        server.start()
        state = get_state(server, session_id)
        assert state["epoch"] == paused and state["status"] == "idle"
        assert get_history(server, session_id)[-1]["epoch"] == paused
    finally:
        server.stop()
