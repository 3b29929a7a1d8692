"""Several workers, one set of sessions (PRODUCT.md §14): real server processes sharing a store
and a real `redis-server`. A viewer on one worker follows a session another one runs, a command
sent to either steers it, and when the worker running it is killed another takes it over."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from websockets.sync.client import ClientConnection, connect

from tests.conftest import ROOT, RedisServer, ServerProcess, free_port

@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of this test's own: the workers' sessions, leases and takeovers start
    empty, and killing a worker leaves nothing behind for the next test."""
    server = RedisServer(tmp_path).start()
    yield server.url
    server.stop()


@pytest.fixture
def two_workers(tmp_path: Path, redis_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    env = {"NEURON_REDIS_URL": redis_url, "NEURON_SAVE_INTERVAL_SECONDS": "0.3"}
    database = tmp_path / "sessions.sqlite3"
    a = ServerProcess(database, env=env, log=tmp_path / "a.log").start()
    b = ServerProcess(database, env=env, log=tmp_path / "b.log").start()
    yield a, b
    for server in (a, b):
        server.stop()


def create(server: ServerProcess, **config: Any) -> tuple[str, str]:
    body = httpx.post(f"{server.url}/api/sessions", json=config, timeout=30).json()
    return body["id"], body["control_token"]


def stream(server: ServerProcess, session_id: str, token: str | None = None) -> ClientConnection:
    query = f"?token={token}" if token else ""
    return connect(f"{server.ws_url}/api/sessions/{session_id}/stream{query}", max_size=None,
                   max_queue=None, open_timeout=10)  # fmt: skip


def frames(ws: ClientConnection, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The next `count` frames, merged (compact frames carry only what changed)."""
    seen: list[dict[str, Any]] = []
    state: dict[str, Any] = getattr(ws, "_merged", {})
    while len(seen) < count:
        message = json.loads(ws.recv(timeout=timeout))
        if message["type"] != "frame":
            continue
        state = message if message.get("full") else {**state, **message}
        seen.append(state)
    ws._merged = state  # type: ignore[attr-defined]
    return seen


def test_a_viewer_on_one_worker_follows_a_session_run_by_the_other(two_workers: Any) -> None:
    a, b = two_workers
    session_id, token = create(a, dataset="xor")
    with stream(b, session_id) as viewer, stream(a, session_id, token) as owner:
        assert frames(viewer, 1)[0]["epoch"] == 0
        frames(owner, 1)
        owner.send(json.dumps({"type": "play"}))
        epochs = [f["epoch"] for f in frames(viewer, 15)]
        assert epochs[-1] > epochs[0] and epochs == sorted(epochs)
        # A command sent to the worker that does not run it reaches the one that does.
        patched = httpx.patch(f"{b.url}/api/sessions/{session_id}", json={"learning_rate": 0.25},
                              headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
        assert patched.status_code == 200, patched.text
        assert patched.json()["config"]["learning_rate"] == 0.25
        later = frames(viewer, 10)
        assert later[-1]["config"]["learning_rate"] == 0.25 and later[-1]["status"] == "running"
        owner.send(json.dumps({"type": "pause"}))
        while frames(viewer, 1)[0]["status"] == "running":
            pass
    stored = httpx.get(f"{b.url}/api/sessions/{session_id}", timeout=30).json()
    assert stored["config"]["learning_rate"] == 0.25 and stored["epoch"] >= later[-1]["epoch"]


def raw_frames(ws: ClientConnection, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    """The next `count` frames as sent (a compact one holds only what changed)."""
    seen: list[dict[str, Any]] = []
    while len(seen) < count:
        message = json.loads(ws.recv(timeout=timeout))
        if message["type"] == "frame":
            seen.append(message)
    return seen


def publishes(redis_url: str) -> int:
    """How many PUBLISH commands Redis has served so far (its own count)."""
    with redis.Redis.from_url(redis_url) as c:
        return int(c.info("commandstats").get("cmdstat_publish", {}).get("calls", 0))


def test_frames_go_on_redis_only_while_another_worker_follows(two_workers: Any, redis_url: str) -> None:
    """A session played and watched on one worker costs Redis nothing per frame; a viewer that
    joins on the other worker gets its live frames, and once it leaves they stop again."""
    a, b = two_workers
    session_id, token = create(a, dataset="xor")
    with stream(a, session_id, token) as owner:
        frames(owner, 1)
        owner.send(json.dumps({"type": "play"}))
        frames(owner, 5)
        before = publishes(redis_url)
        played = frames(owner, 30)  # a second of play at 30 fps
        assert played[-1]["epoch"] > played[0]["epoch"]
        assert publishes(redis_url) == before  # nobody elsewhere: not one frame published
        with stream(b, session_id) as viewer:
            first, *live = raw_frames(viewer, 11)
            assert first["full"] is True and not any("full" in f for f in live)  # compact after
            epochs = [f["epoch"] for f in live]
            assert epochs == sorted(epochs) and epochs[-1] > first["epoch"]
        # Once the viewer on b has gone, a stops publishing (within a renewal round or two).
        quiet = False
        for _ in range(20):
            before = publishes(redis_url)
            frames(owner, 15)
            if publishes(redis_url) == before:
                quiet = True
                break
        assert quiet


def test_a_killed_worker_s_session_plays_on_at_another(two_workers: Any) -> None:
    a, b = two_workers
    session_id, token = create(a, dataset="xor")
    with stream(b, session_id) as viewer:
        frames(viewer, 1)
        with stream(a, session_id, token) as owner:
            frames(owner, 1)
            owner.send(json.dumps({"type": "play"}))
            frames(viewer, 20)  # it plays on a, and a has stored it (every 0.3 s)
            a.stop(kill=True)  # SIGKILL: no goodbye, its lease lapses
        # b takes the run over from its last stored state; the viewer on b sees it play on.
        resumed = frames(viewer, 10, timeout=8.0)
        assert resumed[-1]["status"] == "running" and resumed[-1]["epoch"] > resumed[0]["epoch"]
        assert httpx.get(f"{b.url}/api/sessions/{session_id}", timeout=30).json()["status"] == "running"
        # The owner reconnects (to b) and steers it as before.
        with stream(b, session_id, token) as owner:
            frames(owner, 1)
            owner.send(json.dumps({"type": "pause"}))
            while frames(owner, 1)[0]["status"] == "running":
                pass
    paused = httpx.get(f"{b.url}/api/sessions/{session_id}", timeout=30).json()
    assert paused["status"] == "idle" and paused["epoch"] >= resumed[-1]["epoch"]


def test_a_run_plays_on_while_redis_holds_its_save(tmp_path: Path, redis_url: str) -> None:
    """A save round waiting on a slow Redis holds up no frame: while Redis holds every write
    for 1.2 s (CLIENT PAUSE WRITE), the run's frames keep coming and its epoch advances in
    every part of the pause; once Redis writes again its history has every epoch it played."""
    env = {"NEURON_REDIS_URL": redis_url, "NEURON_SAVE_INTERVAL_SECONDS": "0.3"}
    server = ServerProcess(tmp_path / "s.sqlite3", env=env).start()
    try:
        session_id, token = create(server, dataset="overlap")  # two overlapping clouds: it plays on
        with stream(server, session_id, token) as ws, redis.Redis.from_url(redis_url) as r:
            frames(ws, 1)
            ws.send(json.dumps({"type": "play"}))
            frames(ws, 10)
            r.client_pause(1200, all=False)
            paused_at, seen = time.monotonic(), []
            while (since := time.monotonic() - paused_at) < 1.05:
                seen.append((since, frames(ws, 1)[0]["epoch"]))
            parts = [[epoch for t, epoch in seen if k * 0.35 <= t < (k + 1) * 0.35] for k in range(3)]
            assert all(parts), f"no frame in some third of the pause: {[len(p) for p in parts]}"
            assert parts[0][0] < parts[1][0] < parts[2][0] < parts[2][-1]
            ws.send(json.dumps({"type": "pause"}))
            while frames(ws, 1)[0]["status"] == "running":
                pass
        state = httpx.get(f"{server.url}/api/sessions/{session_id}", timeout=30).json()
        history = httpx.get(f"{server.url}/api/sessions/{session_id}/history", timeout=30).json()
        assert [row["epoch"] for row in history] == list(range(state["epoch"] + 1))
    finally:
        server.stop()


def test_more_than_one_worker_without_redis_is_refused_in_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "NEURON_DATABASE": str(tmp_path / "s.sqlite3")}  # fmt: skip
    finished = subprocess.run([sys.executable, "-m", "app", "--workers", "2", "--port",
                               str(free_port())], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)  # fmt: skip
    assert finished.returncode != 0
    assert finished.stderr.strip().splitlines() == [finished.stderr.strip()]
    assert "NEURON_REDIS_URL" in finished.stderr and "Traceback" not in finished.stderr


def test_two_workers_on_one_port_serve_one_set_of_sessions(tmp_path: Path, redis_url: str) -> None:
    server = ServerProcess(tmp_path / "s.sqlite3", env={"NEURON_REDIS_URL": redis_url},
                           log=tmp_path / "server.log", args=["--workers", "2"]).start()  # fmt: skip
    try:
        session = httpx.post(f"{server.url}/api/sessions", json={"dataset": "and"}, timeout=30).json()
        headers = {"Authorization": f"Bearer {session['control_token']}"}
        for epoch in range(1, 11):  # fresh connections land on either worker
            with httpx.Client(timeout=30) as http:
                answer = http.post(f"{server.url}/api/sessions/{session['id']}/step",
                                   json={"epochs": 1}, headers=headers)  # fmt: skip
            assert answer.status_code == 200 and answer.json()["epoch"] == min(epoch, 6)
        assert answer.json()["weights"] == [2.0, 1.0] and answer.json()["bias"] == -3.0
        assert (tmp_path / "server.log").read_text().count("Started server process") == 2
    finally:
        server.stop()


def test_two_hosts_share_uploads_and_join_codes_through_redis_alone(
    tmp_path: Path, redis_url: str,
) -> None:  # fmt: skip
    """Each host its own disk: what one stores (an uploaded set, a class's join code) the other
    finds, since both live in Redis beside the sessions."""
    env = {"NEURON_REDIS_URL": redis_url}
    a = ServerProcess(tmp_path / "a" / "sessions.sqlite3", env=env).start()
    b = ServerProcess(tmp_path / "b" / "sessions.sqlite3", env=env).start()
    try:
        csv = "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n"
        uploaded = httpx.post(f"{a.url}/api/datasets?standardize=0", content=csv,
                              headers={"Content-Type": "text/csv"}, timeout=30)  # fmt: skip
        assert uploaded.status_code == 201, uploaded.text
        dataset = uploaded.json()["id"]
        made = httpx.post(f"{b.url}/api/sessions", json={"dataset": dataset}, timeout=30)
        assert made.status_code == 201, made.text
        session, token = made.json()["id"], made.json()["control_token"]
        assert httpx.get(f"{b.url}/api/datasets/{dataset}", timeout=30).json()["X"][3] == [1, 1]
        code = httpx.post(f"{a.url}/api/sessions/{session}/join-code", timeout=30,
                          headers={"Authorization": f"Bearer {token}"}).json()["code"]  # fmt: skip
        joined = httpx.get(f"{b.url}/join", params={"code": code}, timeout=30)
        assert joined.status_code == 303 and joined.headers["location"] == f"/?session={session}&lang=en"  # the student's language kept
    finally:
        a.stop()
        b.stop()
