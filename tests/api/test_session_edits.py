"""What a session records for the page: updates that changed something, points added without
losing the run, one replay entry for a drag, and the lesson open on it (for students)."""

from __future__ import annotations

import ast
import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets
from fastapi.testclient import TestClient

from tests.api.helpers import create
from tests.conftest import ServerProcess

POINTS = {"X": [[-1.0, -1.0], [-0.5, -1.0], [1.0, 1.0], [0.5, 1.0]], "y": [0, 0, 1, 1]}


def test_changes_count_only_updates_that_moved_something(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    # AND from zero, η = 1: (0,0) is wrong (z = 0 → 1), (0,1) and (1,0) right, (1,1) wrong.
    after = client.post(f"/api/sessions/{sid}/step", json={"samples": 4}, headers=auth).json()
    assert (after["step"], after["changes"]) == (4, 2)
    done = client.post(f"/api/sessions/{sid}/step", json={"epochs": 10}, headers=auth).json()
    assert done["status"] == "converged" and done["weights"] == [2.0, 1.0] and done["bias"] == -3.0
    assert done["changes"] < done["step"]


def test_a_point_added_keeps_the_weights_and_the_epochs(client: TestClient, tmp_path: Path) -> None:
    state, auth = create(client, dataset="custom", points=POINTS)
    sid = state["id"]
    trained = client.post(f"/api/sessions/{sid}/step", json={"epochs": 3}, headers=auth).json()
    more = {"X": [*POINTS["X"], [1.0, -1.0]], "y": [*POINTS["y"], 1]}
    edited = client.patch(f"/api/sessions/{sid}", json={"points": more}, headers=auth).json()
    assert trained["status"] == "converged"  # after 2 epochs: nothing left to learn
    assert edited["epoch"] == trained["epoch"] == 2 and edited["status"] == "idle"
    assert edited["weights"] == trained["weights"] and edited["bias"] == trained["bias"]
    assert edited["data_version"] != trained["data_version"] and len(edited["predictions"]) == 5
    history = client.get(f"/api/sessions/{sid}/history").json()
    assert [row["epoch"] for row in history] == [0, 1, 2]  # the curve goes on from here
    final = client.post(f"/api/sessions/{sid}/step", json={"epochs": 4}, headers=auth).json()
    assert final["epoch"] > 2 and final["weights"] != trained["weights"]
    # The export still reproduces the run, from the moment the points changed.
    script = tmp_path / "run.py"
    script.write_text(client.get(f"/api/sessions/{sid}/export.py").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    replayed = json.loads(out.stdout)
    assert replayed["weights"] == pytest.approx(final["weights"]) and replayed["epoch"] == final["epoch"]


def test_points_placed_on_the_page_keep_the_run_when_their_upload_is_replaced(
    client: TestClient, tmp_path: Path,
) -> None:  # fmt: skip
    """The page keeps placed points as an upload of their own and names the new upload after
    each click: that is an edit of the points too, not a new problem (the run went back to
    epoch 0 here, at random, while a class watched it train)."""
    def upload(points: dict[str, list], **names: list[str]) -> str:
        made = client.post("/api/datasets?standardize=0", json={**points, **names})
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    state, auth = create(client, dataset=upload(POINTS))
    sid = state["id"]
    trained = client.post(f"/api/sessions/{sid}/step", json={"epochs": 3}, headers=auth).json()
    more = {"X": [*POINTS["X"], [1.0, -1.0]], "y": [*POINTS["y"], 1]}
    edited = client.patch(f"/api/sessions/{sid}", json={"dataset": upload(more)},
                          headers=auth).json()  # fmt: skip
    assert edited["epoch"] == trained["epoch"] == 2 and len(edited["predictions"]) == 5
    assert edited["weights"] == trained["weights"] and edited["bias"] == trained["bias"]
    final = client.post(f"/api/sessions/{sid}/step", json={"epochs": 4}, headers=auth).json()
    script = tmp_path / "run.py"
    script.write_text(client.get(f"/api/sessions/{sid}/export.py").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    replayed = json.loads(out.stdout)
    assert replayed["weights"] == pytest.approx(final["weights"]) and replayed["epoch"] == final["epoch"]
    # Another problem (the classes have other names): the run starts again.
    other = upload(more, class_names=["cat", "dog"])
    again = client.patch(f"/api/sessions/{sid}", json={"dataset": other}, headers=auth).json()
    assert again["epoch"] == 0


def test_points_of_another_width_start_the_run_again(client: TestClient) -> None:
    state, auth = create(client, dataset="custom", points=POINTS)
    client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 2}, headers=auth)
    wider = {"X": [[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]], "y": [0, 1]}
    again = client.patch(f"/api/sessions/{state['id']}", json={"points": wider}, headers=auth).json()
    assert again["epoch"] == 0 and len(again["weights"]) == 3


def test_weights_set_again_and_again_are_one_replay_entry(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"samples": 2}, headers=auth)
    for k in range(20):  # a drag: one set per animation frame
        body = {"weights": [1.0, 0.1 * k], "bias": -0.5}
        assert client.patch(f"/api/sessions/{sid}", json=body, headers=auth).status_code == 200
    client.post(f"/api/sessions/{sid}/step", json={"samples": 1}, headers=auth)
    client.patch(f"/api/sessions/{sid}", json={"weights": [0.5, 0.5]}, headers=auth)
    script = client.get(f"/api/sessions/{sid}/export.py").text
    found = re.search(r"^RUN = json\.loads\((.*)\)$", script, re.M)
    assert found, "no RUN in the script"
    log = json.loads(ast.literal_eval(found.group(1)))["log"]
    assert [next(iter(entry)) for entry in log] == ["samples", "set", "samples", "set"]
    assert log[1]["set"]["weights"] == pytest.approx([1.0, 1.9])


def test_the_lesson_is_stored_with_the_session(server: ServerProcess) -> None:
    made = httpx.post(f"{server.url}/api/sessions", json={"dataset": "xor"}).json()
    url = f"{server.ws_url}/api/sessions/{made['id']}/stream?token={made['control_token']}"

    async def choose(lesson: int | None) -> dict[str, object]:
        async with websockets.connect(url) as ws:
            first = json.loads(await ws.recv())
            assert first["lesson"] is None or lesson is None
            await ws.send(json.dumps({"type": "lesson", "lesson": lesson}))
            return json.loads(await ws.recv())

    assert asyncio.run(choose(3))["lesson"] == 3
    server.restart()
    read = httpx.get(f"{server.url}/api/sessions/{made['id']}").json()
    assert read["lesson"] == 3
