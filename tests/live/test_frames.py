"""Compact frames (PRODUCT.md §7) against a real server: the first whole, then only what changed,
never a dataset's points, within the size limits — a 10,000-point set included — and a client
that merges them holds exactly the session's state."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import orjson

from app.live.frames import ALWAYS, KEPT_STATES, FrameLog, change, frame_state
from app.neuron.config import NeuronConfig
from app.process import SERVER_PROCESS
from app.sessions.session import Session
from tests.conftest import ROOT, ServerProcess
from tests.live.helpers import connect, create_session, get_state, run

STEADY_LIMIT = 8_000
ANY_LIMIT = 16_000


def test_a_change_holds_the_always_fields_and_what_differs() -> None:
    before = {"epoch": 1, "step": 4, "weights": [1.0], "bias": 0.0, "loss": 1.0, "accuracy": 0.5,
              "test_accuracy": None, "converged": False, "status": "running",
              "config": {"dataset": "and"}, "boundary": {"line": None}, "last_update": None}  # fmt: skip
    after = {**before, "epoch": 2, "last_update": {"sample": 0}}
    assert set(change(before, after)) == {*ALWAYS, "last_update"}


def test_a_late_connection_gets_the_change_from_what_it_last_got() -> None:
    log = FrameLog()
    first = log.add({"epoch": 0, "boundary": "a", "config": "c"})
    log.add({"epoch": 1, "boundary": "b", "config": "c"})
    log.add({"epoch": 2, "boundary": "b", "config": "c"})
    speed = {"fps": 30, "steps_per_frame": 1}
    assert '"boundary":"b"' in log.text(first, speed)  # it skipped the state that changed it
    assert '"boundary"' not in log.text(log.seq - 1, speed)
    assert '"full":true' in log.text(None, speed) and '"config":"c"' in log.text(None, speed)


def test_a_frame_is_the_state_s_json_and_what_a_channel_keeps_is_nothing_to_collect() -> None:
    """A whole frame is exactly the JSON of the state as frames carry it; the states a channel
    keeps (eight a session, thousands with a classroom of sessions playing) take about their
    JSON's length and hold no containers for the garbage collector to walk, nor do the rows a
    short perceptron pass reads."""
    session = Session.create("a" * 32, "h", NeuronConfig(dataset="overlap", n_samples=200))
    log, speed = FrameLog(), {"fps": 30, "steps_per_frame": 1}
    tracemalloc.start()
    for _ in range(KEPT_STATES):
        session.step(epochs=1)
        framed = frame_state(session.state())
        before = tracemalloc.get_traced_memory()[0]
        log.add(framed)
        kept_memory = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    # A state takes about the length of its JSON (orjson's own output keeps its whole working
    # buffer, ~27 times that: 1.6 MB a playing session, if kept as it comes)
    one_state = sum(len(field) for field in log._states[log.seq].values())
    assert 0 < kept_memory < 3 * one_state, (kept_memory, one_state)
    whole = {"type": "frame", **framed, "speed": speed, "full": True}
    assert log.text(None, speed) == orjson.dumps(whole).decode()
    gc.collect()
    assert [gc.is_tracked(kept) for kept in log._states.values()] == [False] * KEPT_STATES
    assert not any(gc.is_tracked(row) for row in session.run.data.rows)


FREEZE_COUNT_WHILE_SERVING = """
import gc, sys
from pathlib import Path
from fastapi.testclient import TestClient
from app.main import create_app
from app.settings import Settings
with TestClient(create_app(Settings(database=Path(sys.argv[1])))):
    print(gc.get_freeze_count())
"""


def test_only_a_server_process_keeps_its_started_heap_out_of_collections(tmp_path: Path) -> None:
    """`python -m app`'s workers freeze what is alive once the app has started (imports,
    routes: tens of thousands of objects no collection need walk again); an app started inside
    another program, as here, leaves that program's collector alone."""
    def frozen(**env: str) -> int:
        done = subprocess.run([sys.executable, "-c", FREEZE_COUNT_WHILE_SERVING,
                               str(tmp_path / "s.sqlite3")], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, env={**os.environ, **env})  # fmt: skip
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[-1])

    assert frozen() == 0
    assert frozen(**{SERVER_PROCESS: "1"}) > 10_000


def test_frames_never_carry_points_nor_a_large_set_s_outputs() -> None:
    state = {"config": {"dataset": "custom", "points": {"X": [[0, 0]] * 300, "y": [0] * 300}},
             "outputs": [0.5] * 300, "predictions": [0] * 300}  # fmt: skip
    framed = frame_state(state)
    assert framed["config"]["points"] is None and "outputs" not in framed
    assert state["config"]["points"] is not None  # the session's own state is untouched


def sizes_while_playing(server: ServerProcess, frames: int,
                        **config: Any) -> tuple[int, list[int], dict[str, Any]]:  # fmt: skip
    session_id, token = create_session(server, **config)

    async def scenario() -> tuple[int, list[int], dict[str, Any]]:
        async with connect(server, session_id, token, max_size=None) as stream:
            first = await stream.frame()
            assert first["full"] and stream.raw is not None and first["config"]["points"] is None
            first_size = stream.raw_bytes
            await stream.send({"type": "speed", "fps": 60})
            await stream.send({"type": "play"})
            sizes = []
            for _ in range(frames):
                await stream.frame(timeout=10)
                assert stream.raw is not None and "X" not in stream.raw
                assert (stream.raw.get("config") or {}).get("points") is None
                sizes.append(stream.raw_bytes)
            await stream.send({"type": "pause"})
            merged = await stream.until(lambda f: f["status"] != "running")
            await stream.send({"type": "sync"})
            whole = await stream.frame()
            assert stream.raw is not None and stream.raw.get("full")
            return first_size, sizes, {"merged": merged[-1], "whole": whole}

    first, sizes, ends = run(scenario(), timeout=60)
    state = get_state(server, session_id)
    for key in ("epoch", "step", "weights", "bias", "boundary", "last_update", "status"):
        assert ends["merged"][key] == state[key] == ends["whole"][key], key
    return first, sizes, state


def test_a_gate_and_a_200_point_set_stream_small_frames(shared_server: ServerProcess) -> None:
    for config in ({"dataset": "xor"}, {"dataset": "overlap"}):
        first, sizes, _ = sizes_while_playing(shared_server, 20, **config)
        assert first <= ANY_LIMIT and max(sizes) <= STEADY_LIMIT, (config, first, max(sizes))


def test_a_10000_point_set_streams_frames_under_16_kb(shared_server: ServerProcess) -> None:
    points = {"X": [[(i % 100) / 10, (i // 100) / 10] for i in range(10_000)],
              "y": [int((i % 100) + (i // 100) > 100) for i in range(10_000)]}  # fmt: skip
    first, sizes, state = sizes_while_playing(shared_server, 10, dataset="custom", points=points)
    assert first <= ANY_LIMIT and max(sizes) <= ANY_LIMIT, (first, max(sizes))
    assert len(state["config"]["points"]["X"]) == 10_000  # the REST state keeps the whole config


def test_a_large_set_s_outputs_come_on_request(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="breast_cancer", activation="sigmoid")

    async def scenario() -> dict[str, Any]:
        async with connect(shared_server, session_id) as stream:
            first = await stream.frame()
            assert "outputs" not in first and "predictions" not in first
            await stream.send({"type": "outputs"})
            return await stream.next()

    answer = run(scenario())
    state = get_state(shared_server, session_id)
    assert answer["type"] == "outputs" and answer["step"] == state["step"]
    assert answer["predictions"] == state["predictions"] and len(answer["outputs"]) == 398
