"""The live stream against a real server process: frames out, commands in (PRODUCT.md §7).

Every test drives `python -m app` through the real `websockets` client; nothing is mocked.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import ServerProcess
from tests.live.helpers import connect, create_session, essentials, get_state, run


def test_connecting_sends_the_current_state_at_once(shared_server: ServerProcess) -> None:
    session_id, _ = create_session(shared_server, dataset="or")

    async def scenario() -> None:
        async with connect(shared_server, session_id) as stream:
            frame = await stream.frame()
            assert frame["id"] == session_id
            assert essentials(frame) == essentials(get_state(shared_server, session_id))

    run(scenario())


def test_play_on_and_streams_until_converged_then_stops(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="and")

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "play"})
            frames = await stream.until(lambda f: f["status"] != "running")
            last = frames[-1]
            assert last["status"] == "converged"
            assert (last["weights"], last["bias"]) == ([2.0, 1.0], -3.0)  # PRODUCT.md §10
            assert last["converged"] is True and last["accuracy"] == 1.0
            epochs = [f["epoch"] for f in frames]
            assert epochs == sorted(set(epochs)), epochs
            await stream.assert_silent(0.5)
            await stream.send({"type": "play"})  # nothing left to train: refused, not restarted
            refused = await stream.error()
            assert "nothing to train" in str(refused["detail"])
            assert refused["code"] == "nothing_to_train"  # for the page to say in its language

    run(scenario())
    assert get_state(shared_server, session_id)["status"] == "converged"


def test_fps_caps_the_frame_rate(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="xor")  # never converges

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": 10})
            await stream.send({"type": "play"})
            messages = await stream.during(2.0)
            await stream.send({"type": "pause"})
        assert all(m["type"] == "frame" for m in messages), messages[:3]
        assert 5 < len(messages) <= 25, len(messages)  # 10 a second, with room for a slow CI
        assert [m["status"] for m in messages] == ["running"] * len(messages)

    run(scenario())


def test_steps_per_frame_trains_that_many_epochs_per_frame(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="xor")

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": 20, "steps_per_frame": 5})
            await stream.send({"type": "play"})
            frames: list[dict[str, Any]] = []
            while len(frames) < 4:  # the play's own frame (epoch 0) may come alone first: on
                frame = await stream.frame()  # Redis the lease is taken before the run starts
                if frame["epoch"] > 0:
                    frames.append(frame)
            await stream.send({"type": "pause"})
        epochs = [f["epoch"] for f in frames]
        assert epochs[0] >= 5 and all(e % 5 == 0 for e in epochs), epochs
        assert frames[-1]["speed"] == {"fps": 20, "steps_per_frame": 5}  # followers see it too
        assert epochs == sorted(set(epochs)), epochs

    run(scenario())


def test_set_learning_rate_while_playing_shows_in_the_next_frames(
    shared_server: ServerProcess,
) -> None:
    session_id, token = create_session(shared_server, dataset="xor")

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": 10})
            await stream.send({"type": "play"})
            before = [await stream.frame() for _ in range(3)]
            assert {f["config"]["learning_rate"] for f in before} == {1.0}
            await stream.send({"type": "set", "config": {"learning_rate": 0.25}})
            # Frames already on their way carry the old rate; the set publishes a frame at once.
            arriving = await stream.until(lambda f: f["config"]["learning_rate"] == 0.25)
            assert len(arriving) <= 10, [f["config"]["learning_rate"] for f in arriving]
            after = [await stream.frame() for _ in range(4)]
            await stream.send({"type": "pause"})
        assert {f["config"]["learning_rate"] for f in after} == {0.25}
        assert {f["status"] for f in after} == {"running"}
        assert after[-1]["epoch"] > arriving[-1]["epoch"] >= before[-1]["epoch"]
        # The rule now moves each weight by η·e·x with η = 0.25 and x, e in {−1, 0, 1}.
        steps = {abs(d) for f in after for d in f["last_update"]["delta_w"]}
        assert steps <= {0.0, 0.25}, steps

    run(scenario())


def test_pause_sends_one_frame_then_nothing(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="xor")

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "play"})
            for _ in range(3):
                assert (await stream.frame())["status"] == "running"
            await stream.send({"type": "pause"})
            # Frames the runner published before the pause may arrive first; then the pause's.
            frames = await stream.until(lambda f: f["status"] == "idle", timeout=5)
            await stream.assert_silent(0.5)
            *running, paused = frames
            assert all(f["status"] == "running" for f in running)
            assert all(f["epoch"] <= paused["epoch"] for f in running)
        state = get_state(shared_server, session_id)
        assert state["status"] == "idle"
        assert (state["epoch"], state["weights"]) == (paused["epoch"], paused["weights"])

    run(scenario())


def test_step_one_sample_sends_one_frame_with_its_update(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="and")

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "step", "samples": 1})
            frame = await stream.frame()
            await stream.assert_silent(0.3)
        update = frame["last_update"]
        # The first AND row (0, 0), target 0: z = 0 gives y = 1, so e = 0 − 1 = −1 and b ← −1.
        assert (update["sample"], update["z"], update["error"]) == (0, 0.0, -1.0)
        assert (frame["step"], frame["epoch"]) == (1, 0)
        assert (frame["weights"], frame["bias"]) == ([0.0, 0.0], -1.0)
        assert frame["status"] == "idle"

    run(scenario())


def test_viewers_receive_the_same_frames_as_the_controller(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="and")

    def trace(frames: list[dict[str, object]]) -> list[tuple[object, ...]]:
        return [(f["epoch"], f["step"], f["weights"], f["bias"], f["status"]) for f in frames]

    async def scenario() -> None:
        async with (
            connect(shared_server, session_id, token) as controller,
            connect(shared_server, session_id) as viewer_a,
            connect(shared_server, session_id, "not-the-token") as viewer_b,
        ):
            streams = (controller, viewer_a, viewer_b)
            for stream in streams:
                await stream.frame()
            await controller.send({"type": "speed", "fps": 20})
            await controller.send({"type": "play"})
            done = lambda f: f["status"] == "converged"  # noqa: E731
            traces = [trace(await s.until(done)) for s in streams]
            assert traces[0][-1][2:] == ([2.0, 1.0], -3.0, "converged")
            assert traces[1] == traces[0] and traces[2] == traces[0]

            # A viewer may not steer: it alone hears why, and nobody sees a change.
            before = essentials(get_state(shared_server, session_id))
            await viewer_a.send({"type": "reset"})
            refused = await viewer_a.error()
            assert "control token" in str(refused["detail"]) and refused["code"] == "follower"
            for stream in streams:
                await stream.assert_silent(0.3)
            assert essentials(get_state(shared_server, session_id)) == before

    run(scenario())


@pytest.mark.parametrize("token", [None, "", "wrong-token", "other-session"])
def test_a_connection_without_the_right_token_only_follows(
    shared_server: ServerProcess, token: str | None
) -> None:
    session_id, _ = create_session(shared_server, dataset="and")
    if token == "other-session":
        token = create_session(shared_server, dataset="and")[1]

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            before = essentials(get_state(shared_server, session_id))
            for command in ({"type": "play"}, {"type": "step", "epochs": 1},
                            {"type": "set", "config": {"learning_rate": 2}}):  # fmt: skip
                await stream.send(command)
                assert "control token" in str((await stream.error())["detail"])
            await stream.assert_silent(0.3)
            assert essentials(get_state(shared_server, session_id)) == before

    run(scenario())


def test_changes_made_through_rest_reach_the_stream(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, dataset="and")
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{shared_server.url}/api/sessions/{session_id}"

    async def scenario() -> None:
        async with connect(shared_server, session_id) as viewer:
            await viewer.frame()
            async with httpx.AsyncClient(timeout=10) as client:
                response = await client.patch(url, json={"learning_rate": 0.5}, headers=auth)
                assert response.status_code == 200, response.text
                assert (await viewer.frame())["config"]["learning_rate"] == 0.5
                response = await client.post(f"{url}/step", json={"epochs": 2}, headers=auth)
                assert response.status_code == 200, response.text
                assert (await viewer.frame())["epoch"] == 2
                response = await client.post(f"{url}/reset", headers=auth)
                assert response.status_code == 200, response.text
                assert (await viewer.frame())["epoch"] == 0

    run(scenario())
