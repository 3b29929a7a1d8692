"""The landscape route, the metrics in the state, and resuming from a recorded epoch."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import create


def test_grid_points_are_the_loss_of_the_session_set_to_those_weights(client: TestClient) -> None:
    state, auth = create(client, dataset="or", activation="sigmoid", reduction="sum",
                         init={"weights": [0.1, 0.2], "bias": 0.3})  # fmt: skip
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 50}, headers=auth)
    bias = client.get(f"/api/sessions/{sid}").json()["bias"]
    grid = client.get(f"/api/sessions/{sid}/landscape", params={"size": 9}).json()
    assert (grid["i"], grid["j"], grid["kind"], grid["names"]) == (0, 1, "loss", ["x1", "x2"])
    assert [row[2] for row in grid["path"][:2]] == [0.0, 1.0]
    assert grid["path"][0][:2] == [0.1, 0.2]
    for r, c in [(0, 0), (4, 7), (8, 3)]:
        weights = [grid["x"][c], grid["y"][r]]
        at = client.patch(f"/api/sessions/{sid}", json={"weights": weights, "bias": bias}, headers=auth)
        assert grid["values"][r][c] == pytest.approx(at.json()["loss"], rel=1e-12)


def test_perceptron_landscape_counts_errors_and_walks_the_tutorials_path(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 10}, headers=auth)
    grid = client.get(f"/api/sessions/{sid}/landscape", params={"weights": "0,1", "size": 128}).json()
    assert grid["kind"] == "errors" and grid["current"] == [2.0, 1.0]
    assert grid["path"][2] == [2.0, 1.0, 2.0]  # epoch 2: w = [2, 1] (b = −1)
    # b = −3 held: (0,0) is always right; (1,0) and (0,1) are both wrong only at the far
    # corner w = [3, 3] of the plane (the path spans [0, 2] on each axis, widened by 1)
    assert (grid["x"][-1], grid["y"][0], grid["values"][0][-1]) == (3.0, 3.0, 2.0)
    assert (grid["low"], grid["high"]) == (0.0, 2.0)


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"size": 129}, "size", "128"), ({"size": 1}, "size", "2"),
    ({"weights": "0,2"}, "weights", "0 to 1"), ({"weights": "1,1"}, "weights", "different"),
    ({"weights": "a,b"}, "weights", "'i,j'"), ({"weights": "0"}, "weights", "'i,j'"),
])  # fmt: skip
def test_bad_queries_are_refused_naming_the_field(client: TestClient, params: dict[str, object],
                                                  field: str, says: str) -> None:  # fmt: skip
    state, _ = create(client)
    response = client.get(f"/api/sessions/{state['id']}/landscape", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["query", field] and says in detail["msg"]


def test_large_grid_goes_through_the_work_scheduler(client: TestClient) -> None:
    state, _ = create(client, dataset="breast_cancer", activation="sigmoid")
    grid = client.get(f"/api/sessions/{state['id']}/landscape", params={"size": 40}).json()
    assert len(grid["values"]) == 40 and all(len(row) == 40 for row in grid["values"])
    assert grid["names"][0] != grid["names"][1]


def test_metrics_in_the_state_count_every_sample(client: TestClient) -> None:
    state, auth = create(client, dataset="breast_cancer", activation="sigmoid")
    state = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 30}, headers=auth).json()
    metrics = state["metrics"]
    assert metrics["class_names"] == ["malignant", "benign"]
    assert sum(metrics["train"]["confusion"].values()) == len(state["outputs"]) == 398
    assert sum(metrics["test"]["confusion"].values()) == 171
    c = metrics["test"]["confusion"]
    assert (c["tp"] + c["tn"]) / 171 == pytest.approx(state["test_accuracy"])
    assert 0.9 < metrics["test"]["roc"]["auc"] <= 1.0
    assert state["preactivations"] is None  # past 256 training rows


def test_step_neuron_has_no_roc_and_small_sets_send_each_z(client: TestClient) -> None:
    state, _ = create(client, dataset="and", init={"weights": [2, 1], "bias": -3})
    assert state["metrics"]["train"]["roc"] is None and state["metrics"]["test"] is None
    assert state["preactivations"] is None  # online: the update marks its own sample
    full = create(client, dataset="and", activation="sigmoid", init={"weights": [2, 1], "bias": -3})[0]
    assert full["preactivations"] == [-3.0, -2.0, -1.0, 0.0]
    assert state["metrics"]["train"]["confusion"] == {"tn": 3, "fp": 0, "fn": 0, "tp": 1}


def test_resume_from_a_recorded_epoch_is_replayed_by_the_export(client: TestClient,
                                                                tmp_path: Path) -> None:  # fmt: skip
    """Resume from here: set the weights and bias of epoch 2 of the history, train on; the
    export script still reproduces the run."""
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 4}, headers=auth)
    epoch2 = next(r for r in client.get(f"/api/sessions/{sid}/history").json() if r["epoch"] == 2)
    assert (epoch2["weights"], epoch2["bias"]) == ([2.0, 1.0], -1.0)
    resumed = client.patch(f"/api/sessions/{sid}", json={"weights": epoch2["weights"],
                                                         "bias": epoch2["bias"]}, headers=auth)  # fmt: skip
    assert (resumed.json()["weights"], resumed.json()["bias"]) == ([2.0, 1.0], -1.0)
    final = client.post(f"/api/sessions/{sid}/step", json={"samples": 3}, headers=auth).json()
    script = tmp_path / "neuron.py"
    script.write_text(client.get(f"/api/sessions/{sid}/export.py").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    replayed = json.loads(out.stdout)
    assert (replayed["weights"], replayed["bias"]) == (final["weights"], final["bias"])


def test_preview_shows_a_recorded_epoch_without_changing_the_session(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 10}, headers=auth)
    seen = client.get(f"/api/sessions/{sid}/preview", params={"weights": [2, 1], "bias": -1}).json()
    assert (seen["weights"], seen["bias"], seen["last_update"]) == ([2.0, 1.0], -1.0, None)
    assert seen["predictions"] == [0, 1, 1, 1] and seen["accuracy"] == 0.5
    assert seen["boundary"]["line"] is not None
    now = client.get(f"/api/sessions/{sid}").json()
    assert (now["weights"], now["bias"], now["epoch"]) == ([2.0, 1.0], -3.0, 6)  # converged at 6


@pytest.mark.parametrize(("params", "field"), [
    ({"weights": [1, 2, 3]}, "weights"), ({"weights": ["nan", 1]}, "weights"),
    ({"bias": 1}, "weights"), ({"weights": [1, 1], "bias": "inf"}, "bias"),
])  # fmt: skip
def test_preview_refuses_bad_parameters_naming_the_field(client: TestClient,
                                                         params: dict[str, object], field: str) -> None:  # fmt: skip
    state, _ = create(client)
    response = client.get(f"/api/sessions/{state['id']}/preview", params=params)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"][0]["loc"]


def test_a_network_has_metrics_and_its_output_neurons_z_but_no_single_neuron_views(client: TestClient) -> None:
    state, auth = create(client, dataset="xor", activation="sigmoid", rule="gradient", hidden_units=3,
                         init="random", seed=1)  # fmt: skip
    sid = state["id"]
    state = client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}, headers=auth).json()
    assert sum(state["metrics"]["train"]["confusion"].values()) == 4
    assert state["config"]["batch"] == "full"
    # the output neuron's z over the hidden outputs: its sigmoid is each sample's output
    logits = [math.log(o / (1 - o)) for o in state["outputs"]]
    assert state["preactivations"] == pytest.approx(logits, abs=0.006)
    for path, params in (("landscape", {}), ("preview", {"weights": [1, 1, 1], "bias": 0})):
        response = client.get(f"/api/sessions/{sid}/{path}", params=params)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"][-1] == "hidden_units"
