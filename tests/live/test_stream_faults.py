"""The stream under bad input and abuse: every bad message gets an error frame naming the problem,
changes nothing, and leaves the connection working; caps close connections with their own codes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import ServerProcess
from tests.live.helpers import (
    Stream, connect, create_session, essentials, get_state, run, stats_when,
)  # fmt: skip

MAX_MESSAGE_BYTES = 1024
MAX_VIEWERS = 2


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with small caps on message size and viewers per session."""
    database = tmp_path_factory.mktemp("limited") / "sessions.sqlite3"
    env = {"NEURON_MAX_MESSAGE_BYTES": str(MAX_MESSAGE_BYTES),
           "NEURON_MAX_VIEWERS": str(MAX_VIEWERS)}  # fmt: skip
    proc = ServerProcess(database, env=env).start()
    yield proc
    proc.stop()


async def refused_then_working(server: ServerProcess, session_id: str, stream: Stream,
                               message: str | bytes, expected: str) -> None:  # fmt: skip
    """Send one bad message: an error frame naming `expected`, no change, and a step still works."""
    before = get_state(server, session_id)
    await stream.ws.send(message)
    error = await stream.error()
    assert expected in str(error["detail"]), error
    assert essentials(get_state(server, session_id)) == essentials(before)
    await stream.send({"type": "step", "epochs": 1})
    frame = await stream.frame()
    assert frame["epoch"] == before["epoch"] + 1


BAD_MESSAGES: list[tuple[str, dict[str, Any], str | bytes, str]] = [
    # (case, session config, message, what the error must name)
    ("not json", {}, "play", "JSON"),
    ("truncated json", {}, '{"type": "step", "epochs": 1', "JSON"),
    ("empty", {}, "", "JSON"),
    ("not utf-8", {}, b"\xff\xfe\x00play", "JSON"),
    ("not an object", {}, "[1, 2]", "object"),
    ("no type", {}, '{"epochs": 1}', "type"),
    ("unknown type", {}, '{"type": "jump"}', "jump"),
    ("unknown field", {}, '{"type": "play", "turbo": true}', "turbo"),
    ("epochs zero", {}, '{"type": "step", "epochs": 0}', "epochs"),
    ("epochs over the cap", {}, '{"type": "step", "epochs": 20000}', "epochs"),
    ("samples negative", {}, '{"type": "step", "samples": -1}', "samples"),
    ("fps too high", {}, '{"type": "speed", "fps": 61}', "fps"),
    ("steps_per_frame zero", {}, '{"type": "speed", "steps_per_frame": 0}', "steps_per_frame"),
    ("learning rate zero", {}, '{"type": "set", "config": {"learning_rate": 0}}', "learning_rate"),
    ("learning rate over 100", {}, '{"type": "set", "config": {"learning_rate": 101}}',
     "learning_rate"),
    ("unknown dataset", {}, '{"type": "set", "config": {"dataset": "mnist"}}', "dataset"),
    ("epochs as a string", {}, '{"type": "step", "epochs": "3"}', "epochs"),
    ("epochs as a float", {}, '{"type": "step", "epochs": 1.5}', "epochs"),
    ("epochs as a bool", {}, '{"type": "step", "epochs": true}', "epochs"),
    ("bias as a string", {}, '{"type": "set", "bias": "high"}', "bias"),
    ("config as a list", {}, '{"type": "set", "config": [1]}', "config"),
    ("NaN learning rate", {}, '{"type": "set", "config": {"learning_rate": NaN}}', "learning_rate"),
    ("NaN weight", {}, '{"type": "set", "weights": [NaN, 1]}', "weights"),
    ("infinite bias", {}, '{"type": "set", "bias": Infinity}', "bias"),
    ("overflowing number", {}, '{"type": "set", "bias": 1e999}', "bias"),
    ("weights of the wrong length", {}, '{"type": "set", "weights": [1, 2, 3]}', "weights"),
    ("bias while the bias is off", {"use_bias": False}, '{"type": "set", "bias": 1}', "bias"),
    ("samples on a full-batch run", {"activation": "sigmoid"}, '{"type": "step", "samples": 1}',
     "samples"),
    ("epochs over the work budget", {"dataset": "breast_cancer", "activation": "sigmoid"},
     '{"type": "step", "epochs": 5000}', "epochs"),
]


@pytest.mark.parametrize(("config", "message", "expected"), [case[1:] for case in BAD_MESSAGES],
                         ids=[case[0] for case in BAD_MESSAGES])  # fmt: skip
def test_a_bad_message_gets_an_error_frame_and_changes_nothing(
    shared_server: ServerProcess, config: dict[str, Any], message: str | bytes, expected: str
) -> None:
    session_id, token = create_session(shared_server, **config)

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            await refused_then_working(shared_server, session_id, stream, message, expected)

    run(scenario())


@pytest.mark.parametrize("message", [
    '{"type": "set", "weights": [' + ", ".join(["1.0"] * 300) + "]}",
    # Few characters, many bytes: the cap is on bytes.
    '{"type": "set", "config": {"dataset": "' + "é" * 600 + '"}}',
], ids=["ascii", "multibyte"])  # fmt: skip
def test_a_message_over_the_size_cap_is_refused(
    limited_server: ServerProcess, message: str
) -> None:
    assert len(message.encode()) > MAX_MESSAGE_BYTES
    session_id, token = create_session(limited_server, dataset="and")

    async def scenario() -> None:
        async with connect(limited_server, session_id, token) as stream:
            await stream.frame()
            await refused_then_working(limited_server, session_id, stream, message, "too large")

    run(scenario())


def test_a_flood_of_messages_is_cut_off_and_the_connection_recovers(
    shared_server: ServerProcess,
) -> None:
    session_id, token = create_session(shared_server, dataset="and")
    flood = 120  # the default cap is 50 a second, with a burst of 50

    async def scenario() -> None:
        async with connect(shared_server, session_id, token) as stream:
            await stream.frame()
            before = get_state(shared_server, session_id)
            for _ in range(flood):  # speed commands change no session state
                await stream.send({"type": "speed", "fps": 30})
            messages = await stream.during(0.5)
            assert messages, "no error frame for the flood"
            assert all(m["type"] == "error" for m in messages), messages
            assert all("too many messages" in str(m["detail"]) for m in messages), messages
            assert {(m["code"], m["params"]["max"]) for m in messages} == {("too_many_messages", 50)}
            assert essentials(get_state(shared_server, session_id)) == essentials(before)
            await asyncio.sleep(0.2)  # the bucket refills at 50 a second
            await stream.send({"type": "step", "epochs": 1})
            assert (await stream.frame())["epoch"] == before["epoch"] + 1

    run(scenario())


def test_an_unknown_session_is_closed_with_4404(shared_server: ServerProcess) -> None:
    async def scenario() -> None:
        async with connect(shared_server, "no-such-session") as stream:
            with pytest.raises(ConnectionClosed) as closed:
                await stream.next()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4404
        assert "not found" in closed.value.rcvd.reason

    run(scenario())


def test_a_connection_past_the_viewer_cap_is_closed_with_4429(
    limited_server: ServerProcess,
) -> None:
    session_id, token = create_session(limited_server, dataset="and")

    async def scenario() -> None:
        async with connect(limited_server, session_id, token) as controller:
            await controller.frame()
            async with connect(limited_server, session_id) as viewer, \
                    connect(limited_server, session_id) as other:  # fmt: skip
                await viewer.frame()
                await other.frame()
                async with connect(limited_server, session_id) as third:
                    with pytest.raises(ConnectionClosed) as closed:
                        await third.next()
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4429
                assert str(MAX_VIEWERS) in closed.value.rcvd.reason
                # Those who got in are unaffected.
                await controller.send({"type": "step", "epochs": 1})
                assert (await controller.frame())["epoch"] == 1
                assert (await viewer.frame())["epoch"] == 1
            # A seat freed (once the server has seen the viewers go) is a seat taken.
            await stats_when(limited_server, {"watchers": 1})
            async with connect(limited_server, session_id) as latecomer:
                assert (await latecomer.frame())["epoch"] == 1

    run(scenario())

