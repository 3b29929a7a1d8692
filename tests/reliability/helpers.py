"""Helpers of the reliability tests: sessions in-process, and a WebSocket spoken by hand over a raw
TCP socket (for clients that misbehave in ways a WebSocket library will not: half a frame, a
socket nobody reads)."""

from __future__ import annotations

import base64
import os
import socket
import struct
from typing import Any

from fastapi.testclient import TestClient

# What a command may change; a refused one must leave every one of these as it was.
STATE_KEYS = ("config", "epoch", "step", "weights", "bias", "loss", "status", "last_update")


def create(client: TestClient, **config: Any) -> tuple[str, str]:
    """A new session: its id and its control token."""
    response = client.post("/api/sessions", json=config)
    assert response.status_code == 201, response.text
    body = response.json()
    return body["id"], body["control_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def snapshot(client: TestClient, session_id: str) -> tuple[dict[str, Any], list[Any]]:
    """What a refused request must not change: the state's essentials and the stored history."""
    state = client.get(f"/api/sessions/{session_id}").json()
    history = client.get(f"/api/sessions/{session_id}/history").json()
    return {k: state[k] for k in STATE_KEYS}, history


def raw_websocket(port: int, path: str, timeout: float = 5.0,
                  receive_buffer: int | None = None) -> socket.socket:  # fmt: skip
    """A WebSocket opened by hand: the handshake done, the 101 read, nothing else."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:  # before connecting, so that the window is small from the start
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        assert chunk, "the server closed the connection during the handshake"
        head += chunk
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock


def client_frame(text: str) -> bytes:
    """One masked text frame, as a client must send it (RFC 6455 §5.2)."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, 0x80 | n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
    mask = os.urandom(4)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
