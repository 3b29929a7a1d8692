"""A small asyncio client of the live stream for tests against a real server process.

Tests are plain sync functions that hand a coroutine to `run`; the coroutine talks to the server
with the real `websockets` client and reads the REST API with httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

if TYPE_CHECKING:
    from tests.conftest import ServerProcess

T = TypeVar("T")
Message = dict[str, Any]
# What a command may change; a refused command must leave every one of these as it was.
STATE_KEYS = ("config", "epoch", "step", "weights", "bias", "loss", "status", "last_update")


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
    """Run one test scenario on a fresh event loop, failing it if it hangs."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def create_session(server: ServerProcess, **config: Any) -> tuple[str, str]:
    """A new session on the server: its id and its control token."""
    response = httpx.post(f"{server.url}/api/sessions", json=config, timeout=10)
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["control_token"]


def get_state(server: ServerProcess, session_id: str) -> Message:
    response = httpx.get(f"{server.url}/api/sessions/{session_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def get_history(server: ServerProcess, session_id: str) -> list[Message]:
    response = httpx.get(f"{server.url}/api/sessions/{session_id}/history", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def get_stats(server: ServerProcess) -> dict[str, int]:
    response = httpx.get(f"{server.url}/api/stats", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


async def stats_when(server: ServerProcess, expected: dict[str, int], timeout: float = 5.0) -> None:
    """Wait for the server's own counts to reach `expected` (a disconnect is handled async)."""
    deadline = time.monotonic() + timeout
    while True:
        stats = await asyncio.to_thread(get_stats, server)
        if all(stats[key] == value for key, value in expected.items()):
            return
        assert time.monotonic() < deadline, f"stats {stats}, expected {expected}"
        await asyncio.sleep(0.05)


def essentials(state: Message) -> Message:
    return {key: state[key] for key in STATE_KEYS}


class Stream:
    """One stream connection: JSON in and out, with timeouts on every wait. Compact frames are
    merged into the whole state, as the page does (`raw` keeps each frame as it came)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.state: Message | None = None
        self.raw: Message | None = None
        self.raw_bytes = 0

    async def send(self, message: Message | str) -> None:
        await self.ws.send(message if isinstance(message, str) else json.dumps(message))

    async def next(self, timeout: float = 5.0) -> Message:
        """The next message: an error, or a frame merged into the state so far."""
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        message = json.loads(text)
        if message.get("type") != "frame":
            return message
        self.raw, self.raw_bytes = message, len(text.encode() if isinstance(text, str) else text)
        if message.get("full") or self.state is None:
            assert message.get("full"), "the first frame of a connection is whole"
            self.state = message
        else:
            self.state = {**self.state, **message}
        return self.state

    async def frame(self, timeout: float = 5.0) -> Message:
        """The next message, which must be a frame."""
        message = await self.next(timeout)
        assert message["type"] == "frame", message
        return message

    async def error(self, timeout: float = 5.0) -> Message:
        """The next message, which must be an error frame."""
        message = await self.next(timeout)
        assert message["type"] == "error", message
        return message

    async def until(self, done: Callable[[Message], bool], timeout: float = 10.0) -> list[Message]:
        """Frames up to and including the first one for which `done` is true."""
        deadline = time.monotonic() + timeout
        frames: list[Message] = []
        while True:
            frame = await self.frame(max(deadline - time.monotonic(), 0.01))
            frames.append(frame)
            if done(frame):
                return frames

    async def during(self, seconds: float) -> list[Message]:
        """Every message that arrives within `seconds`."""
        deadline = time.monotonic() + seconds
        messages: list[Message] = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                messages.append(await self.next(left))
            except asyncio.TimeoutError:
                break
        return messages

    async def assert_silent(self, seconds: float) -> None:
        messages = await self.during(seconds)
        assert messages == [], f"{len(messages)} unexpected message(s), first: {messages[0]}"


@contextlib.asynccontextmanager
async def connect(server: ServerProcess, session_id: str, token: str | None = None,
                  **options: Any) -> AsyncIterator[Stream]:  # fmt: skip
    """A stream connection; `token` makes it the controller. Options go to websockets.connect."""
    query = f"?token={token}" if token is not None else ""
    url = f"{server.ws_url}/api/sessions/{session_id}/stream{query}"
    async with websockets.connect(url, open_timeout=10, close_timeout=2, **options) as ws:
        yield Stream(ws)


def small_buffer_socket(server: ServerProcess, receive_buffer: int = 4096) -> socket.socket:
    """A connected socket whose kernel receive buffer holds only a few kilobytes, so that a
    client that stops reading is felt by the server at once (as a slow network would be)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect(("127.0.0.1", server.port))
    return sock
