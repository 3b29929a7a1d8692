"""A hidden layer over the API: its state, hand-set weights of any layer, history, export (run
in its own interpreter), the refusals, and every lesson through GET /api/lessons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.lessons import lesson_by_id
from tests.api.helpers import create
from tests.neuron.test_network import LESSON_8_AFTER

LESSON_8 = lesson_by_id("two-neurons-solve-xor").config


def test_state_has_layers_and_each_hidden_neurons_line(client: TestClient) -> None:
    state, _ = create(client, **LESSON_8)
    hidden, out = state["layers"]
    assert len(hidden["weights"]) == 2 and len(hidden["weights"][0]) == 2
    assert out == {"weights": [state["weights"]], "biases": [state["bias"]]}
    assert state["boundary"]["line"] is None  # the network's boundary is curved: the grid shows it
    assert len(state["boundary"]["hidden_lines"]) == 2
    space = state["boundary"]["hidden_space"]
    assert len(space["points"]) == 4 and space["view"][0] < -1  # tanh outputs reach −1
    single, _ = create(client, dataset="and")
    assert single["layers"] == [{"weights": [[0.0, 0.0]], "biases": [0.0]}]
    assert single["boundary"]["hidden_lines"] is None


def test_lesson_8_trains_to_its_known_answer_and_the_export_reproduces_it(
        client: TestClient, tmp_path: Path) -> None:  # fmt: skip
    state, auth = create(client, **LESSON_8)
    sid = state["id"]
    final = client.post(f"/api/sessions/{sid}/step", json={"epochs": 200}, headers=auth).json()
    assert final["accuracy"] == 1.0 and final["predictions"] == [0, 1, 1, 0]
    assert final["weights"] == pytest.approx(LESSON_8_AFTER["weights"], abs=1e-9)
    assert final["layers"][0]["biases"] == pytest.approx(LESSON_8_AFTER["hidden_biases"], abs=1e-9)
    replayed = run_export(client, sid, tmp_path)
    assert replayed["weights"] == pytest.approx(final["weights"], abs=1e-9)
    assert replayed["bias"] == pytest.approx(final["bias"], abs=1e-9)
    assert flat(replayed["hidden"]["weights"]) == pytest.approx(
        flat(final["layers"][0]["weights"]), abs=1e-9)  # fmt: skip
    assert replayed["hidden"]["biases"] == pytest.approx(final["layers"][0]["biases"], abs=1e-9)
    asked = client.post(f"/api/sessions/{sid}/predict", json={"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]]})
    assert asked.json()["predictions"] == [0, 1, 1, 0]
    assert asked.json()["outputs"] == pytest.approx(final["outputs"], abs=1e-12)
    history = client.get(f"/api/sessions/{sid}/history").json()
    assert [row["epoch"] for row in history[:2]] == [0, 1] and history[-1]["epoch"] == 200
    assert history[-1]["hidden"] == final["layers"][0] and history[-1]["accuracy"] == 1.0


@pytest.mark.parametrize("actions", [
    [("patch", {"layers": "one hidden weight"}), ("step", {"samples": 7}),
     ("patch", {"batch": "full", "learning_rate": 2.0}), ("step", {"epochs": 30})],
    [("step", {"epochs": 5}), ("patch", {"weights": [1.5, -2.0], "bias": 0.5}),
     ("patch", {"shuffle": True, "loss": "mse", "activation": "sigmoid"}), ("step", {"samples": 9})],
])  # fmt: skip
def test_export_replays_hand_set_layers_and_changed_settings(
        client: TestClient, tmp_path: Path, actions: list[tuple[str, dict[str, Any]]]) -> None:  # fmt: skip
    state, auth = create(client, **LESSON_8)
    sid = state["id"]
    for action, body in actions:
        if body.get("layers") == "one hidden weight":
            layers = client.get(f"/api/sessions/{sid}").json()["layers"]
            layers[0]["weights"][1][0] = -3.25
            body = {"layers": layers}
        path = f"/api/sessions/{sid}/step" if action == "step" else f"/api/sessions/{sid}"
        response = (client.post if action == "step" else client.patch)(path, json=body, headers=auth)
        assert response.status_code == 200, response.text
    final = client.get(f"/api/sessions/{sid}").json()
    replayed = run_export(client, sid, tmp_path)
    assert replayed["weights"] == pytest.approx(final["weights"], abs=1e-9)
    assert flat(replayed["hidden"]["weights"]) == pytest.approx(
        flat(final["layers"][0]["weights"]), abs=1e-9)  # fmt: skip
    assert replayed["epoch"] == final["epoch"]


def test_patch_sets_one_hidden_weight_and_nothing_else(client: TestClient) -> None:
    state, auth = create(client, **LESSON_8)
    layers = state["layers"]
    layers[0]["weights"][0][1] = 4.0
    changed = client.patch(f"/api/sessions/{state['id']}", json={"layers": layers}, headers=auth)
    assert changed.status_code == 200
    after = changed.json()
    assert after["layers"] == layers and after["weights"] == state["weights"]
    assert after["boundary"]["hidden_lines"][0] != state["boundary"]["hidden_lines"][0]
    assert after["boundary"]["hidden_lines"][1] == state["boundary"]["hidden_lines"][1]


@pytest.mark.parametrize(("body", "field"), [
    ({"layers": [{"weights": [[1.0, 2.0]], "biases": [0.0]}]}, "layers"),
    ({"layers": [{"weights": [[1.0, 2.0, 3.0]] * 2, "biases": [0.0, 0.0]},
                 {"weights": [[1.0, 1.0]], "biases": [0.0]}]}, "layers"),
    ({"layers": [{"weights": [[1.0, 2.0], [1.0]], "biases": [0.0, 0.0]},
                 {"weights": [[1.0, 1.0]], "biases": [0.0]}]}, "layers"),
    ({"weights": [1.0, 2.0, 3.0]}, "weights"),
    ({"activation": "step"}, "hidden_units"),
    ({"rule": "perceptron"}, "hidden_units"),
    ({"init": "zeros"}, "init"),
    ({"hidden_units": 9}, "hidden_units"),
])  # fmt: skip
def test_bad_hidden_layer_changes_are_refused_and_change_nothing(
        client: TestClient, body: dict[str, Any], field: str) -> None:  # fmt: skip
    state, auth = create(client, **LESSON_8)
    refused = client.patch(f"/api/sessions/{state['id']}", json=body, headers=auth)
    assert refused.status_code == 422
    assert field in json.dumps(refused.json()["detail"])
    after = client.get(f"/api/sessions/{state['id']}").json()
    assert after["layers"] == state["layers"] and after["config"] == state["config"]


def test_a_step_neuron_with_a_hidden_layer_is_refused_naming_the_field(client: TestClient) -> None:
    refused = client.post("/api/sessions", json={"dataset": "xor", "hidden_units": 2,
                                                "activation": "step"})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "hidden_units"]


def test_every_lesson_is_listed_with_a_complete_config_that_reproduces_it(client: TestClient) -> None:
    lessons = client.get("/api/lessons").json()
    assert [lesson["number"] for lesson in lessons] == list(range(1, 9))
    assert lessons[7]["id"] == "two-neurons-solve-xor" and lessons[7]["title"] == "Two neurons solve XOR"
    created, _ = create(client, dataset="and")
    for lesson in lessons:
        assert set(lesson["config"]) == set(created["config"])  # every field, defaults filled in
        assert lesson["epochs"] >= 1 and "<p>" in lesson["text"]
    eight = lessons[7]
    trained = client.post("/api/train", json={**eight["config"], "epochs": eight["epochs"]})
    assert trained.status_code == 200, trained.text
    assert trained.json()["state"]["accuracy"] == 1.0
    assert trained.json()["state"]["weights"] == pytest.approx(LESSON_8_AFTER["weights"], abs=1e-9)
    first = lessons[0]
    trained = client.post("/api/train", json={**first["config"], "epochs": first["epochs"]}).json()
    assert (trained["state"]["weights"], trained["state"]["bias"]) == ([2.0, 1.0], -3.0)


def run_export(client: TestClient, sid: str, tmp_path: Path) -> dict[str, Any]:
    script = tmp_path / "network.py"
    script.write_text(client.get(f"/api/sessions/{sid}/export.py").text)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def flat(rows: list[list[float]]) -> list[float]:
    return [v for row in rows for v in row]
