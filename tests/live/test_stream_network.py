"""A network with a hidden layer on the live stream: frames carry its layers and hidden lines,
a `set` of `layers` changes one weight, and playing lesson 8 learns XOR."""

from __future__ import annotations

import pytest

from app.lessons import lesson_by_id
from tests.conftest import ServerProcess
from tests.live.helpers import connect, create_session, get_state, run
from tests.neuron.test_network import LESSON_8_AFTER

LESSON_8 = lesson_by_id("two-neurons-solve-xor").config


def test_a_set_of_layers_changes_one_hidden_weight_in_the_next_frame(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, **LESSON_8)

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            first = await stream.frame()
            assert len(first["layers"]) == 2 and len(first["boundary"]["hidden_lines"]) == 2
            layers = first["layers"]
            layers[0]["biases"][1] = 0.75
            await stream.send({"type": "set", "layers": layers})
            frame = await stream.frame()
            assert frame["layers"] == layers
            assert frame["boundary"]["hidden_lines"][1] != first["boundary"]["hidden_lines"][1]
            await stream.send({"type": "set", "layers": layers[1:]})  # the hidden layer left out
            assert "layers" in str((await stream.error())["detail"])

    run(scenario())
    assert get_state(shared_server, session_id)["layers"][0]["biases"][1] == 0.75


def test_playing_lesson_8_learns_xor_and_stops_at_its_epochs(shared_server: ServerProcess) -> None:
    session_id, token = create_session(shared_server, **LESSON_8)

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await stream.send({"type": "speed", "fps": 60, "steps_per_frame": 50})
            await stream.send({"type": "play"})
            frames = await stream.until(lambda f: f["status"] != "running" and f["epoch"] == 200)
            last = frames[-1]
            assert last["accuracy"] == 1.0 and last["predictions"] == [0, 1, 1, 0]
            # Epochs in frames of 50 or in one call: the same arithmetic, the same numbers.
            assert last["weights"] == pytest.approx(LESSON_8_AFTER["weights"], abs=1e-9)
            assert last["last_update"]["kind"] == "backprop"

    run(scenario())


def test_network_frames_stay_within_the_size_limits(shared_server: ServerProcess) -> None:
    """PRODUCT.md §7: a gate's steady frames stay small with a hidden layer too, and the widest
    network allowed (4 hidden neurons on 30 features) keeps every frame within 16 kB."""
    from tests.live.test_frames import ANY_LIMIT, STEADY_LIMIT, sizes_while_playing

    first, sizes, _ = sizes_while_playing(shared_server, 20, **LESSON_8)
    assert first <= ANY_LIMIT and max(sizes) <= STEADY_LIMIT, (first, max(sizes))
    for batch in ("online", "full"):
        first, sizes, state = sizes_while_playing(
            shared_server, 10, dataset="breast_cancer", hidden_units=4, batch=batch)  # fmt: skip
        assert max(first, *sizes) <= ANY_LIMIT, (batch, first, max(sizes))
        assert state["last_update"]["hidden"]["matrices"] is False  # 120 weights: not spelt out
