"""One session, one truth (PRODUCT.md §13): the regressions of what a crowd and an attacker found.

Each test replays one of the failures seen — a forked session, an evicted one coming back, a cap
checked on stale data, a history cap broken within one call, a failed write kept in memory, a
DELETE held up by a client that never reads, the owner locked out by viewers, a hostile Host
header, a database file the server cannot use — against a real `python -m app` process and its
SQLite file, except where the mechanism is driven in-process to make an interleaving certain.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.neuron.config import complete_config
from app.sessions.manager import SessionGone, SessionManager
from app.sessions.store import SQLiteStore
from tests.conftest import ROOT, ServerProcess
from tests.reliability.helpers import bearer, raw_websocket


# ---- helpers ------------------------------------------------------------------------------------
def new_session(server: ServerProcess, **config: Any) -> tuple[str, str]:
    response = httpx.post(f"{server.url}/api/sessions", json=config, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["control_token"]


def get_state(server: ServerProcess, session_id: str) -> httpx.Response:
    return httpx.get(f"{server.url}/api/sessions/{session_id}", timeout=30)


def history(server: ServerProcess, session_id: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.url}/api/sessions/{session_id}/history", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def step(server: ServerProcess, session_id: str, token: str, **body: Any) -> httpx.Response:
    return httpx.post(f"{server.url}/api/sessions/{session_id}/step", json=body,
                      headers=bearer(token), timeout=120)  # fmt: skip


class InBackground(threading.Thread):
    """A request sent from another thread, its response kept."""

    def __init__(self, send: Any) -> None:
        super().__init__(daemon=True)
        self.send = send
        self.response: httpx.Response | None = None
        self.start()

    def run(self) -> None:
        self.response = self.send()

    def result(self) -> httpx.Response:
        self.join(timeout=120)
        assert self.response is not None, "the request did not come back"
        return self.response


def stored_count(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator[Any]:
    started: list[ServerProcess] = []

    def make(**env: str) -> ServerProcess:
        server = ServerProcess(tmp_path / f"s{len(started)}.sqlite3", env=env,
                               log=tmp_path / f"s{len(started)}.log")  # fmt: skip
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()


# ---- 1 and 2: one object per session, never evicted while in use --------------------------------
def test_a_long_step_survives_a_crowd_of_new_sessions(make_server: Any) -> None:
    """1: while a long step runs, more sessions are created than memory keeps; the step's answer
    is what every later read shows, and the next step builds on it."""
    server = make_server(NEURON_MEMORY_SESSIONS="8")
    session_id, token = new_session(server, dataset="xor")
    long_step = InBackground(lambda: step(server, session_id, token, samples=100_000))
    for _ in range(8 + 12):
        new_session(server, dataset="and", grid_size=8)
    assert long_step.is_alive(), "the step ended before the crowd came: nothing was tested"
    assert get_state(server, session_id).status_code == 200  # read while it trains
    answered = long_step.result()
    assert answered.status_code == 200, answered.text
    assert answered.json()["epoch"] == 25_000
    assert get_state(server, session_id).json()["epoch"] == 25_000
    assert step(server, session_id, token, epochs=1).json()["epoch"] == 25_001
    rows = history(server, session_id)
    assert rows[-1]["epoch"] == 25_001 and rows[0]["epoch"] == 0


def test_a_session_in_use_is_neither_evicted_nor_brought_back(make_server: Any) -> None:
    """2: past the store's cap a session in use stays (200 during and after its step) and the
    store never holds more than the cap."""
    server = make_server(NEURON_MAX_SESSIONS="10")
    session_id, token = new_session(server, dataset="xor")
    long_step = InBackground(lambda: step(server, session_id, token, samples=240_000))
    for _ in range(20):
        new_session(server, dataset="and", grid_size=8)
    assert long_step.is_alive(), "the step ended before the crowd came: nothing was tested"
    assert get_state(server, session_id).status_code == 200
    assert stored_count(server.database) == 10
    assert long_step.result().status_code == 200
    assert get_state(server, session_id).json()["epoch"] == 60_000
    assert stored_count(server.database) == 10


def test_the_manager_never_loads_a_second_copy_of_a_held_session(tmp_path: Path) -> None:
    """The mechanism behind 1 and 2, interleaved by hand: a held session outlives any number of
    newer ones, in memory and in the store."""

    async def scenario() -> None:
        manager = SessionManager(SQLiteStore(tmp_path / "s.sqlite3"), max_sessions=5,
                                 ttl_seconds=1e6, cache_size=3)  # fmt: skip
        held, _ = await manager.create(complete_config({"dataset": "xor"}))
        async with manager.held(held.id) as same:
            assert same is held
            for _ in range(20):
                await manager.create(complete_config({"dataset": "and", "grid_size": 8}))
            assert await manager.get(held.id) is held
            held.step(epochs=3)
            await manager.save(held)
        assert await manager.store.count() == 5
        assert (await manager.store.get(held.id)).version == 2  # type: ignore[union-attr]

    asyncio.run(scenario())


def test_an_evicted_session_cannot_be_saved_back(tmp_path: Path) -> None:
    async def scenario() -> None:
        manager = SessionManager(SQLiteStore(tmp_path / "s.sqlite3"), max_sessions=3,
                                 ttl_seconds=1e6)  # fmt: skip
        old, _ = await manager.create(complete_config({"dataset": "xor"}))
        for _ in range(3):
            await manager.create(complete_config({"dataset": "and", "grid_size": 8}))
        old.step(epochs=2)
        with pytest.raises(SessionGone):
            await manager.save(old)
        assert await manager.get(old.id) is None and await manager.store.count() == 3

    asyncio.run(scenario())


# ---- 3: limits under the lock, against the data in force ----------------------------------------
def test_the_work_cap_is_checked_against_the_data_the_step_runs_on(make_server: Any) -> None:
    """3: a step queued behind a PATCH to a 10,000-point set is judged on those 10,000 rows."""
    server = make_server()
    session_id, token = new_session(server, dataset="xor")
    points = {"X": [[i % 100 / 10, i // 100 / 10] for i in range(10_000)],
              "y": [i % 2 for i in range(10_000)]}  # fmt: skip
    long_step = InBackground(lambda: step(server, session_id, token, samples=240_000))
    time.sleep(0.5)  # the long step holds the session; the next ones queue behind it in order
    patch = InBackground(lambda: httpx.patch(
        f"{server.url}/api/sessions/{session_id}", headers=bearer(token), timeout=120,
        json={"dataset": "custom", "points": points}))  # fmt: skip
    time.sleep(2.0)  # ample for the server to read and check the 10,000 points
    assert long_step.is_alive(), "the long step ended too soon: nothing was queued behind it"
    with connect(f"{server.ws_url}/api/sessions/{session_id}/stream?token={token}",
                 max_size=None) as ws:  # fmt: skip
        json.loads(ws.recv(timeout=30))
        ws.send(json.dumps({"type": "step", "epochs": 10_000}))
        big = InBackground(lambda: step(server, session_id, token, epochs=10_000))
        assert long_step.result().status_code == 200
        assert patch.result().status_code == 200
        refused = big.result()
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "epochs"]
        assert "10000 training samples" in refused.json()["detail"][0]["msg"]
        while (message := json.loads(ws.recv(timeout=30)))["type"] != "error":
            pass
        assert "10000 training samples" in json.dumps(message["detail"])
    assert get_state(server, session_id).json()["epoch"] == 0  # the PATCH restarted it; no more


# ---- 4: one work budget, shared fairly (the ordering; the latency is in `make bench`) -----------
def test_a_small_step_is_answered_while_large_ones_are_still_running(make_server: Any) -> None:
    server = make_server(NEURON_WORK_THREADS="1")
    large = [new_session(server, dataset="xor") for _ in range(3)]
    small_id, small_token = new_session(server, dataset="breast_cancer", activation="sigmoid")
    running = [InBackground(lambda s=s: step(server, s[0], s[1], samples=100_000)) for s in large]
    time.sleep(0.5)  # the three hold the one work thread between them
    answered = step(server, small_id, small_token, epochs=20)
    still_running = [r.is_alive() for r in running]
    assert answered.status_code == 200 and answered.json()["epoch"] == 20
    assert all(still_running), "the small step waited for the large ones"
    assert all(r.result().json()["epoch"] == 25_000 for r in running)


# ---- 5: the history cap within one call ----------------------------------------------------------
def test_one_call_never_stores_more_history_than_the_cap(make_server: Any) -> None:
    server = make_server(NEURON_MAX_HISTORY_ROWS="1000")
    session_id, token = new_session(server, dataset="xor")
    assert step(server, session_id, token, samples=100_000).json()["epoch"] == 25_000
    rows = history(server, session_id)
    assert len(rows) <= 1000 and rows[0]["epoch"] == 0 and rows[-1]["epoch"] == 25_000
    assert [r["epoch"] for r in rows] == sorted({r["epoch"] for r in rows})


# ---- 6: a failed write changes nothing -----------------------------------------------------------
def limit_file_size(server: ServerProcess, limit: str) -> None:
    """RLIMIT_FSIZE on the server process: past it every write to the SQLite file fails."""
    assert server.process is not None
    subprocess.run(["prlimit", f"--pid={server.process.pid}", f"--fsize={limit}:unlimited"],
                   check=True)  # only the soft limit, which an unprivileged process may raise again


def test_a_change_that_cannot_be_stored_is_not_applied(make_server: Any) -> None:
    server = make_server()
    session_id, token = new_session(server, dataset="xor")
    assert step(server, session_id, token, epochs=3).json()["epoch"] == 3
    before, rows_before = get_state(server, session_id).json(), history(server, session_id)
    limit_file_size(server, "1")
    try:
        for _ in range(3):
            failed = step(server, session_id, token, epochs=4000)
            assert failed.status_code == 503, failed.text
            assert "not applied" in failed.json()["detail"]
        patched = httpx.patch(f"{server.url}/api/sessions/{session_id}", headers=bearer(token),
                              json={"learning_rate": 0.5}, timeout=30)  # fmt: skip
        assert patched.status_code == 503
        assert httpx.post(f"{server.url}/api/sessions", json={}, timeout=30).status_code == 503
        now = get_state(server, session_id).json()
        assert (now["epoch"], now["weights"], now["config"]) == (
            before["epoch"], before["weights"], before["config"])  # fmt: skip
    finally:
        limit_file_size(server, "unlimited")
    assert history(server, session_id) == rows_before
    assert step(server, session_id, token, epochs=1).json()["epoch"] == 4  # trained once, not 4
    server.restart()
    assert get_state(server, session_id).json()["epoch"] == 4


def test_a_playing_run_that_cannot_be_stored_stops_and_says_so(make_server: Any) -> None:
    server = make_server(NEURON_SAVE_INTERVAL_SECONDS="0.2")
    session_id, token = new_session(server, dataset="xor")
    with connect(f"{server.ws_url}/api/sessions/{session_id}/stream?token={token}") as ws:
        assert json.loads(ws.recv(timeout=30))["epoch"] == 0
        ws.send(json.dumps({"type": "play"}))
        while json.loads(ws.recv(timeout=30))["epoch"] < 5:
            pass
        limit_file_size(server, "1")
        try:
            error = None
            while error is None:
                message = json.loads(ws.recv(timeout=30))
                error = message if message["type"] == "error" else None
            assert "not applied" in error["detail"]
            final = json.loads(ws.recv(timeout=30))
            assert final["status"] != "running"
        finally:
            limit_file_size(server, "unlimited")
        stored = get_state(server, session_id).json()
        assert stored["status"] == "idle" and stored["epoch"] == final["epoch"]
        assert history(server, session_id)[-1]["epoch"] == stored["epoch"]


# ---- 7: a client that never reads delays nobody --------------------------------------------------
def test_delete_is_answered_and_watchers_closed_despite_a_client_that_never_reads(
    make_server: Any,
) -> None:
    server = make_server()
    session_id, token = new_session(server, dataset="xor", grid_size=256)  # never converges
    stuck = raw_websocket(server.port, f"/api/sessions/{session_id}/stream", receive_buffer=4096)
    try:
        with connect(f"{server.ws_url}/api/sessions/{session_id}/stream?token={token}",
                     max_size=None, max_queue=None) as owner, \
             connect(f"{server.ws_url}/api/sessions/{session_id}/stream",
                     max_size=None, max_queue=None) as follower:  # fmt: skip
            owner.send(json.dumps({"type": "speed", "fps": 60}))
            owner.send(json.dumps({"type": "play"}))
            for _ in range(60):  # a second of ~90 kB frames: the stuck client's buffers are full
                follower.recv(timeout=30)
            deleted = httpx.delete(f"{server.url}/api/sessions/{session_id}",
                                   headers=bearer(token), timeout=10)  # fmt: skip
            assert deleted.status_code == 204
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    follower.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404
    finally:
        stuck.close()
    assert get_state(server, session_id).status_code == 404


# ---- 8: the owner is never locked out ------------------------------------------------------------
def test_viewers_filling_every_seat_do_not_lock_the_owner_out(make_server: Any) -> None:
    server = make_server(NEURON_MAX_VIEWERS="5")
    session_id, token = new_session(server, dataset="and")
    url = f"{server.ws_url}/api/sessions/{session_id}/stream"
    with contextlib.ExitStack() as seats:
        for _ in range(5):
            seats.enter_context(connect(url)).recv(timeout=30)
        with connect(f"{url}?token={token}") as owner:
            assert json.loads(owner.recv(timeout=30))["type"] == "frame"
            owner.send(json.dumps({"type": "step", "epochs": 1}))
            assert json.loads(owner.recv(timeout=30))["epoch"] == 1
        with connect(url) as one_too_many, pytest.raises(ConnectionClosed) as closed:
            while True:
                one_too_many.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429


# ---- 10: the QR code never carries what a client put in its Host header --------------------------
def qr_of(link: str) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000",
                                     light="#fff", xmldecl=False)  # fmt: skip
    return buffer.getvalue()


def test_a_hostile_host_header_gets_a_clear_400_not_a_500(make_server: Any) -> None:
    server = make_server()
    session_id, _ = new_session(server)
    url = f"{server.url}/api/sessions/{session_id}/qr.svg"
    for host in ("a" * 3000, "evil.example/?x=<script>", "bad host"):
        refused = httpx.get(url, headers={"Host": host}, timeout=30)
        assert refused.status_code == 400, host
        assert "NEURON_PUBLIC_URL" in refused.json()["detail"]
    plain = httpx.get(url, timeout=30)
    assert plain.content == qr_of(f"http://127.0.0.1:{server.port}/?session={session_id}")


def test_the_qr_code_uses_the_public_url_when_one_is_set(make_server: Any) -> None:
    server = make_server(NEURON_PUBLIC_URL="https://class.example.org/neuron/")
    session_id, _ = new_session(server)
    answer = httpx.get(f"{server.url}/api/sessions/{session_id}/qr.svg",
                       headers={"Host": "a" * 3000}, timeout=30)  # fmt: skip
    assert answer.status_code == 200
    assert answer.content == qr_of(f"https://class.example.org/neuron/?session={session_id}")


# ---- 11: a database the server cannot use: one clear line -----------------------------------------
def start_failing(database: Path) -> subprocess.CompletedProcess[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"PATH": "/usr/bin:/bin", "NEURON_DATABASE": str(database), "HOME": str(database.parent)}
    return subprocess.run([sys.executable, "-m", "app", "--port", str(port)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


@pytest.mark.parametrize("kind", ["corrupt", "foreign", "unwritable"])
def test_a_database_it_cannot_use_stops_the_server_with_one_line(tmp_path: Path, kind: str) -> None:
    database = tmp_path / "sessions.sqlite3"
    if kind == "corrupt":
        database.write_bytes(b"\x00garbage, not a database" * 200)
    elif kind == "foreign":
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE customers (name TEXT)")
    else:
        (tmp_path / "blocked").write_text("a file where a folder should be")
        database = tmp_path / "blocked" / "sessions.sqlite3"
    finished = start_failing(database)
    assert finished.returncode != 0
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert str(database) in lines[0] and "Traceback" not in finished.stderr
    assert "NEURON_DATABASE" in lines[0] or "permissions" in lines[0]
