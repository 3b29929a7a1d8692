"""Redis killed under a real `python -m app` (PRODUCT.md §14): while it is down every request
that needs the store answers 503 naming the store and a playing run stops saying so; nothing is
half-written; once Redis is back (same port, its append-only file kept) service resumes by itself,
every session as it was last stored. A Redis that does not answer at start: one line, no secret."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, RedisServer, ServerProcess, free_port
from tests.live.helpers import connect, run

UNAVAILABLE = "the session store could not save this change"


@pytest.fixture
def redis_and_app(tmp_path: Path) -> Iterator[tuple[RedisServer, ServerProcess]]:
    redis_server = RedisServer(tmp_path, persistent=True).start()
    app = ServerProcess(tmp_path / "unused.sqlite3", env={"NEURON_REDIS_URL": redis_server.url})
    try:
        yield redis_server, app.start()
    finally:
        app.stop()
        redis_server.stop()


def _unavailable(response: httpx.Response) -> bool:
    return (response.status_code == 503 and UNAVAILABLE in response.json()["detail"]
            and response.headers["retry-after"] == "2")  # fmt: skip


def test_redis_killed_and_restarted_under_a_live_server(
    redis_and_app: tuple[RedisServer, ServerProcess],
) -> None:
    redis_server, app = redis_and_app
    with httpx.Client(base_url=app.url, timeout=10) as http:
        body = http.post("/api/sessions", json={"dataset": "virus"}).json()
        sid, auth = body["id"], {"Authorization": f"Bearer {body['control_token']}"}
        assert http.post(f"/api/sessions/{sid}/step", json={"epochs": 5}, headers=auth).is_success
        played = http.post("/api/sessions", json={"dataset": "xor"}).json()  # never converges
        config = http.get(f"/api/sessions/{sid}").json()["config"]
        history = http.get(f"/api/sessions/{sid}/history").json()

        stopped = run(_play_while_redis_dies(app, redis_server, played))
        step = http.post(f"/api/sessions/{sid}/step", json={"epochs": 7}, headers=auth)
        assert _unavailable(step), step.text
        assert _unavailable(http.post("/api/sessions", json={"dataset": "and"}))
        assert _unavailable(http.get(f"/api/sessions/{sid}/history"))
        assert _unavailable(http.get("/api/sessions/not-in-memory-so-read-from-redis"))
        seen = http.get(f"/api/sessions/{sid}")  # (503 too: the lease of a session is in Redis)
        assert seen.status_code == 503 or seen.json()["epoch"] == 5, seen.text

        redis_server.start()  # the app is not restarted: it reconnects by itself
        assert http.get(f"/api/sessions/{sid}/history").json() == history
        again = http.post(f"/api/sessions/{sid}/step", json={"epochs": 7}, headers=auth)
        assert again.status_code == 200 and again.json()["epoch"] == 12  # the refused 7: not applied
        assert http.post("/api/sessions", json={"dataset": "and"}).status_code == 201

    app.restart()  # what Redis holds is whole: both sessions load as the server last showed them
    with httpx.Client(base_url=app.url, timeout=10) as http:
        after = http.get(f"/api/sessions/{sid}").json()
        assert after["epoch"] == 12 and after["config"] == config
        stored = http.get(f"/api/sessions/{sid}/history").json()
        assert stored[:6] == history and [r["epoch"] for r in stored] == list(range(13))
        reloaded = http.get(f"/api/sessions/{played['id']}").json()
        assert (reloaded["epoch"], reloaded["weights"], reloaded["bias"]) == \
            (stopped["epoch"], stopped["weights"], stopped["bias"])  # fmt: skip
        assert len(http.get(f"/api/sessions/{played['id']}/history").json()) == reloaded["epoch"] + 1


async def _play_while_redis_dies(app: ServerProcess, redis_server: RedisServer,
                                 session: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """Play, kill Redis: the run's next save fails, its watcher is told, and the frame after it
    shows the run stopped at its last stored state (returned)."""
    async with connect(app, session["id"], session["control_token"]) as stream:
        await stream.frame()
        await stream.send({"type": "play"})
        await stream.until(lambda f: f["epoch"] > 0)
        redis_server.stop(kill=True)
        while (message := await stream.next())["type"] == "frame":
            pass  # frames until the next save
        assert UNAVAILABLE in message["detail"]
        stopped = await stream.frame()
        assert stopped["status"] != "running"
        return stopped


def test_a_redis_that_does_not_answer_stops_the_server_at_start_with_one_line(
    tmp_path: Path,
) -> None:
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NEURON_REDIS_URL": url}
    finished = subprocess.run([sys.executable, "-m", "app", "--port", str(free_port())], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert finished.returncode != 0
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in finished.stderr, finished.stderr
    assert "Redis session store redis://127.0.0.1:" in lines[0] and "NEURON_REDIS_URL" in lines[0]
    assert "hunter2" not in finished.stderr
