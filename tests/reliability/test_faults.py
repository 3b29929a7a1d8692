"""Faults (PRODUCT.md §13): a server killed mid-training, clients that vanish mid-frame or never
read, more sessions than the cap, idle sessions, oversized bodies and messages. Against a real
`python -m app` process and its SQLite file, except where the manager is driven in-process."""

from __future__ import annotations

import json
import socket
import sqlite3
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from app.__main__ import SHUTDOWN_GRACE_SECONDS
from app.main import create_app
from app.settings import Settings
from tests.conftest import ServerProcess
from tests.reliability.helpers import bearer, client_frame, create, raw_websocket


@pytest.fixture(scope="module")
def faults_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the tests that only add sessions of their own."""
    proc = ServerProcess(tmp_path_factory.mktemp("faults") / "sessions.sqlite3").start()
    yield proc
    proc.stop()


def new_session(server: ServerProcess, **config: Any) -> tuple[str, str]:
    response = httpx.post(f"{server.url}/api/sessions", json=config, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["control_token"]


def state_of(server: ServerProcess, session_id: str) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/api/sessions/{session_id}", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def stream(server: ServerProcess, session_id: str, token: str | None = None) -> ClientConnection:
    query = f"?token={token}" if token else ""
    return connect(f"{server.ws_url}/api/sessions/{session_id}/stream{query}", max_size=None,
                   max_queue=None, open_timeout=10)  # fmt: skip


def next_frame(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:
    """The next state frame (error frames are returned too: the caller looks at `type`)."""
    return json.loads(ws.recv(timeout=timeout))


def assert_consistent(server: ServerProcess, session_id: str) -> dict[str, Any]:
    """The state a fresh process loads agrees with the last row of its stored history."""
    state = state_of(server, session_id)
    history = httpx.get(f"{server.url}/api/sessions/{session_id}/history", timeout=10).json()
    last = history[-1]
    assert (last["epoch"], last["weights"], last["bias"]) == (
        state["epoch"], state["weights"], state["bias"]), session_id  # fmt: skip
    assert [row["epoch"] for row in history] == sorted({row["epoch"] for row in history})
    return state


def wait_until_still(server: ServerProcess, session_id: str, quiet: float = 0.6) -> dict[str, Any]:
    """The state once it has stopped changing (a runner that outlived its client would not)."""
    deadline = time.monotonic() + 10
    before = state_of(server, session_id)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = state_of(server, session_id)
        if now["step"] == before["step"] and now["status"] != "running":
            return now
        before = now
    raise AssertionError(f"session {session_id} still changing after its clients left")


def healthy_quickly(server: ServerProcess, limit: float = 1.0) -> None:
    started = time.monotonic()
    assert httpx.get(f"{server.url}/healthz", timeout=limit).status_code == 200
    assert time.monotonic() - started < limit


# ---- SIGKILL mid-training -----------------------------------------------------------------------
class Stepper(threading.Thread):
    """Steps one session over REST until stopped or the server dies; remembers what was answered."""

    def __init__(self, server: ServerProcess, session_id: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = f"{server.url}/api/sessions/{session_id}/step"
        self.headers = bearer(token)
        self.acknowledged = 0  # the epoch of the last step the server answered
        self.steps = 0

    def run(self) -> None:
        with httpx.Client(timeout=5) as http:
            while True:
                try:
                    response = http.post(self.url, json={"epochs": 5}, headers=self.headers)
                except httpx.HTTPError:
                    return  # the server is gone
                assert response.status_code == 200, response.text
                self.acknowledged = response.json()["epoch"]
                self.steps += 1


def test_sigkill_while_training_then_restart_keeps_every_session_consistent(
    server: ServerProcess,
) -> None:
    # None of these can converge, so every step trains and moves the epoch on.
    configs: list[dict[str, Any]] = [{"dataset": "xor"}, {"dataset": "overlap", "n_samples": 100},
                                     {"dataset": "xor", "activation": "sigmoid"},
                                     {"dataset": "circle", "activation": "tanh", "batch": "online",
                                      "n_samples": 50}]  # fmt: skip
    rest = [new_session(server, **config) for config in configs]
    played_id, played_token = new_session(server, dataset="circle", n_samples=100)
    steppers = [Stepper(server, session_id, token) for session_id, token in rest]
    with stream(server, played_id, played_token) as player:
        next_frame(player)
        player.send(json.dumps({"type": "speed", "fps": 60, "steps_per_frame": 10}))
        player.send(json.dumps({"type": "play"}))
        for stepper in steppers:
            stepper.start()
        time.sleep(2.2)  # past NEURON_SAVE_INTERVAL_SECONDS (1 s): the playing run was stored
        assert next_frame(player)["status"] == "running"
        assert all(stepper.steps > 0 for stepper in steppers)

        server.stop(kill=True)  # SIGKILL: no shutdown, no final save
        for stepper in steppers:
            stepper.join(timeout=10)
        with pytest.raises(ConnectionClosed):
            while True:
                player.recv(timeout=5)
    if not server.on_redis:  # (Redis's own scripts are atomic: there is no file to check)
        with sqlite3.connect(server.database) as db:  # the file opens (recovering its WAL), sound
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT COUNT(*) FROM sessions").fetchone() == (5,)
        db.close()

    server.start()
    for stepper, (session_id, token) in zip(steppers, rest):
        state = assert_consistent(server, session_id)
        # Every answered step was stored before its answer; at most the one in flight is extra.
        assert stepper.acknowledged <= state["epoch"] <= stepper.acknowledged + 5
        assert state["status"] != "running"
        again = httpx.post(f"{server.url}/api/sessions/{session_id}/step", json={"epochs": 1},
                           headers=bearer(token), timeout=10)  # fmt: skip
        assert again.status_code == 200 and again.json()["epoch"] == state["epoch"] + 1
    played = assert_consistent(server, played_id)
    assert played["epoch"] > 0 and played["status"] == "idle"  # stored, and no longer playing
    with stream(server, played_id, played_token) as ws:  # and it plays again
        assert next_frame(ws)["epoch"] == played["epoch"]
        ws.send(json.dumps({"type": "play"}))
        assert next_frame(ws)["status"] == "running"


# ---- clients that misbehave ---------------------------------------------------------------------
def test_a_client_that_sends_half_a_frame_and_vanishes(faults_server: ServerProcess) -> None:
    session_id, token = new_session(faults_server, dataset="xor")
    before = state_of(faults_server, session_id)
    sock = raw_websocket(faults_server.port, f"/api/sessions/{session_id}/stream?token={token}")
    frame = client_frame(json.dumps({"type": "step", "epochs": 100}))
    sock.sendall(frame[: len(frame) // 2])  # the header promises more than ever comes
    sock.close()
    healthy_quickly(faults_server)
    assert wait_until_still(faults_server, session_id)["step"] == before["step"]
    # The session is still watched, steered and stored normally.
    with stream(faults_server, session_id, token) as ws:
        next_frame(ws)
        ws.send(json.dumps({"type": "step", "epochs": 2}))
        assert next_frame(ws)["epoch"] == before["epoch"] + 2


def test_a_client_that_vanishes_while_a_frame_is_being_sent(faults_server: ServerProcess) -> None:
    """Frames of ~100 kB (a 256² heatmap) while playing; the client reads part of one and resets
    the connection: the runner stops with its last client and the run is stored."""
    session_id, token = new_session(faults_server, dataset="overlap", grid_size=256, n_samples=400)
    sock = raw_websocket(faults_server.port, f"/api/sessions/{session_id}/stream?token={token}",
                         receive_buffer=8192)  # fmt: skip
    sock.sendall(client_frame(json.dumps({"type": "speed", "fps": 60})))
    sock.sendall(client_frame(json.dumps({"type": "play"})))
    time.sleep(0.5)
    sock.recv(3000)  # part of a frame
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # RST, mid-frame
    healthy_quickly(faults_server)
    still = wait_until_still(faults_server, session_id)
    assert still["epoch"] > 0
    assert assert_consistent(faults_server, session_id)["epoch"] == still["epoch"]


def test_a_client_that_never_reads_does_not_slow_anyone_else(faults_server: ServerProcess) -> None:
    """Latest-wins: a stuck reader holds one frame, not a queue, and blocks nobody."""
    session_id, token = new_session(faults_server, dataset="overlap", grid_size=256, n_samples=2000)
    pid = faults_server.process.pid  # type: ignore[union-attr]
    rss_before = resident_kb(pid)
    stuck = raw_websocket(faults_server.port, f"/api/sessions/{session_id}/stream?token={token}",
                          receive_buffer=4096)  # fmt: skip
    stuck.sendall(client_frame(json.dumps({"type": "speed", "fps": 60})))
    stuck.sendall(client_frame(json.dumps({"type": "play"})))
    other_id, other_token = new_session(faults_server, dataset="and")
    latencies = []
    frames = 0
    with stream(faults_server, session_id) as viewer, httpx.Client(timeout=5) as http:
        next_frame(viewer)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            started = time.monotonic()
            assert http.get(f"{faults_server.url}/api/sessions/{other_id}").status_code == 200
            assert http.post(f"{faults_server.url}/api/sessions/{other_id}/reset",
                             headers=bearer(other_token)).status_code == 200  # fmt: skip
            latencies.append(time.monotonic() - started)
            while True:  # the other viewer keeps receiving frames meanwhile
                try:
                    frames += next_frame(viewer, timeout=0.01)["type"] == "frame"
                except TimeoutError:
                    break
    assert max(latencies) < 1.0, latencies
    assert sorted(latencies)[len(latencies) // 2] < 0.25, latencies
    assert frames >= 30, "the viewer beside a stuck client must keep getting frames"
    assert resident_kb(pid) - rss_before < 100_000, "frames for the stuck client piled up"
    stuck.close()
    wait_until_still(faults_server, session_id)


def test_a_client_that_never_reads_does_not_hold_a_shutdown_open(server: ServerProcess) -> None:
    """SIGTERM with a stuck stream open: the server still exits within its grace period (it
    waited for ever), and the lifespan stores the run it was playing."""
    session_id, token = new_session(server, dataset="overlap", grid_size=256, n_samples=2000)
    stuck = raw_websocket(server.port, f"/api/sessions/{session_id}/stream?token={token}",
                          receive_buffer=4096)  # fmt: skip
    try:
        stuck.sendall(client_frame(json.dumps({"type": "speed", "fps": 60})))
        stuck.sendall(client_frame(json.dumps({"type": "play"})))
        time.sleep(1.5)
        seen = state_of(server, session_id)
        assert seen["status"] == "running"
        started = time.monotonic()
        server.stop()  # SIGTERM; waits at most 15 s
        assert time.monotonic() - started < SHUTDOWN_GRACE_SECONDS + 3
    finally:
        stuck.close()
    server.start()
    stored = assert_consistent(server, session_id)
    assert stored["epoch"] >= seen["epoch"] and stored["status"] == "idle"


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


# ---- caps ---------------------------------------------------------------------------------------
def test_a_thousand_sessions_against_a_cap_of_500_keep_the_newest(tmp_path: Path) -> None:
    database = tmp_path / "sessions.sqlite3"
    server = ServerProcess(database, env={"NEURON_MAX_SESSIONS": "500"}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            created = []
            for _ in range(1000):
                response = http.post("/api/sessions", json={"grid_size": 8})
                assert response.status_code == 201
                created.append((response.json()["id"], response.json()["control_token"]))
            ids = [session_id for session_id, _ in created]
            assert all(http.get(f"/api/sessions/{i}").status_code == 404 for i in ids[:500])
            # (all 500 are checked in the file below; over HTTP, every tenth)
            assert all(http.get(f"/api/sessions/{i}").status_code == 200 for i in ids[500::10])
            with sqlite3.connect(database) as db:
                assert db.execute("SELECT COUNT(*) FROM sessions").fetchone() == (500,)
                stored = {i for (i,) in db.execute("SELECT id FROM sessions")}
                orphans = db.execute("SELECT COUNT(*) FROM history WHERE session_id NOT IN "
                                     "(SELECT id FROM sessions)").fetchone()  # fmt: skip
            db.close()
            assert stored == set(ids[500:]) and orphans == (0,)
            # Oldest means least recently changed: a change moves a session to the back.
            oldest_id, oldest_token = created[500]
            assert http.post(f"/api/sessions/{oldest_id}/step", json={"epochs": 1},
                             headers=bearer(oldest_token)).status_code == 200  # fmt: skip
            assert http.post("/api/sessions", json={"grid_size": 8}).status_code == 201
            assert http.get(f"/api/sessions/{oldest_id}").status_code == 200
            assert http.get(f"/api/sessions/{ids[501]}").status_code == 404
    finally:
        server.stop()


def test_idle_sessions_expire_but_not_while_watched(tmp_path: Path) -> None:
    settings = Settings(database=tmp_path / "sessions.sqlite3", session_ttl_seconds=0.5)
    with TestClient(create_app(settings)) as client:
        idle = [create(client, grid_size=8) for _ in range(3)]
        watched_id, watched_token = create(client, grid_size=8)
        client.post(f"/api/sessions/{watched_id}/step", json={"epochs": 3},
                    headers=bearer(watched_token))  # fmt: skip
        manager = client.app.state.sessions  # type: ignore[attr-defined]
        with client.websocket_connect(f"/api/sessions/{watched_id}/stream") as viewer:
            viewer.receive_json()
            time.sleep(0.7)
            fresh_id, _ = create(client, grid_size=8)
            client.portal.call(manager.expire)  # type: ignore[union-attr]
            for session_id, _ in idle:
                assert client.get(f"/api/sessions/{session_id}").status_code == 404
            assert client.get(f"/api/sessions/{fresh_id}").status_code == 200
            assert client.get(f"/api/sessions/{watched_id}").status_code == 200
        history = client.get(f"/api/sessions/{watched_id}/history").json()
        assert [row["epoch"] for row in history] == [0, 1, 2, 3]
    # What was watched through the expiry is still stored, whole, for the next process.
    with TestClient(create_app(settings.model_copy(update={"session_ttl_seconds": 3600}))) as again:
        assert again.get(f"/api/sessions/{watched_id}").json()["epoch"] == 3
        assert len(again.get(f"/api/sessions/{watched_id}/history").json()) == 4
        assert again.get(f"/api/sessions/{idle[0][0]}").status_code == 404


def test_a_watched_session_is_not_evicted_by_newer_ones(tmp_path: Path) -> None:
    """The cap evicts the least recently changed sessions, but not one a classroom is watching."""
    settings = Settings(database=tmp_path / "sessions.sqlite3", max_sessions=3)
    with TestClient(create_app(settings)) as client:
        watched_id, watched_token = create(client, grid_size=8)
        client.post(f"/api/sessions/{watched_id}/step", json={"epochs": 2},
                    headers=bearer(watched_token))  # fmt: skip
        with client.websocket_connect(f"/api/sessions/{watched_id}/stream") as viewer:
            viewer.receive_json()
            others = [create(client, grid_size=8)[0] for _ in range(6)]
            assert client.get(f"/api/sessions/{others[0]}").status_code == 404
            assert [client.get(f"/api/sessions/{i}").status_code for i in others[-2:]] == [200, 200]
        assert len(client.get(f"/api/sessions/{watched_id}/history").json()) == 3
        store = client.app.state.sessions.store  # type: ignore[attr-defined]
        assert client.portal.call(store.count) == 3  # type: ignore[union-attr]  # the cap, the watched one among them


def answer_to_partial_request(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send the start of a request, never its end, and read what the server says: a server that
    answers has judged the request before reading all of it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            assert chunk, "closed without an answer"
            answer += chunk
        return answer


def test_a_10_mb_body_is_refused_early(faults_server: ServerProcess) -> None:
    ten_mb = 10_000_000
    head = (b"POST /api/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n")  # fmt: skip
    # Announced by Content-Length: refused before a byte of the body is sent.
    started = time.monotonic()
    announced = head + b"Content-Length: %d\r\n\r\n" % ten_mb
    answer = answer_to_partial_request(faults_server.port, announced)
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert time.monotonic() - started < 1.0
    # Streamed without a length: refused once past the limit (2 MB), the rest never sent.
    piece = 65_536
    chunks = b"".join(b"%x\r\n%s\r\n" % (piece, b" " * piece) for _ in range(40))  # 2.6 MB
    streamed = head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks
    answer = answer_to_partial_request(faults_server.port, streamed)
    assert answer.startswith(b"HTTP/1.1 413"), answer  # was a 400 "error parsing the body"
    # And the plain way a client sends it.
    response = httpx.post(f"{faults_server.url}/api/sessions", content=b" " * ten_mb,
                          headers={"content-type": "application/json"}, timeout=10)  # fmt: skip
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    healthy_quickly(faults_server)


def test_a_1_mb_websocket_message_gets_an_error_frame_and_the_socket_stays_open(
    faults_server: ServerProcess,
) -> None:
    """Up to uvicorn's frame limit (2 MB with the default 64 kB message cap) a big message is
    read and refused with an error frame; past it the server closes the socket (1009, or a reset
    if the client is still sending when it does)."""
    session_id, token = new_session(faults_server, dataset="xor")
    with stream(faults_server, session_id, token) as ws:
        before = next_frame(ws)
        for message in ("x" * 1_000_000, b"x" * 1_000_000,
                        json.dumps({"type": "set", "weights": [0.5] * 200_000})):  # fmt: skip
            ws.send(message)
            error = next_frame(ws)
            assert error["type"] == "error" and "too large" in error["detail"], error
        ws.send(json.dumps({"type": "step", "epochs": 1}))
        assert next_frame(ws)["epoch"] == before["epoch"] + 1
    with stream(faults_server, session_id, token) as ws:
        next_frame(ws)
        with pytest.raises((ConnectionClosed, ConnectionResetError)) as closed:
            ws.send("x" * 3_000_000)  # the server may drop the connection while this is sent
            while True:
                ws.recv(timeout=5)
        if isinstance(closed.value, ConnectionClosed) and closed.value.rcvd is not None:
            assert closed.value.rcvd.code == 1009
    assert state_of(faults_server, session_id)["epoch"] == before["epoch"] + 1
    healthy_quickly(faults_server)
