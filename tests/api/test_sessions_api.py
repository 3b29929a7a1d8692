"""The REST API v1 of PRODUCT.md §6, through the app in-process."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import create

SIGMOID_OR = {"dataset": "or", "activation": "sigmoid", "learning_rate": 0.05, "reduction": "sum",
              "init": {"weights": [0.1, 0.2], "bias": 0.3}}  # fmt: skip


def test_health_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    schema = client.get("/openapi.json").json()
    config = schema["components"]["schemas"]["SessionConfig"]["properties"]
    assert "≤ 100" in config["learning_rate"]["description"]
    assert client.get("/docs").status_code == 200


def test_datasets_list_every_dataset_with_its_shape(client: TestClient) -> None:
    datasets = {d["id"]: d for d in client.get("/api/datasets").json()}
    assert set(datasets) >= {"and", "or", "nand", "nor", "xor", "xnor", "virus", "breast_cancer",
                             "blobs", "overlap", "circle", "custom"}  # fmt: skip
    assert (datasets["breast_cancer"]["n_features"], datasets["breast_cancer"]["n_samples"]) == (30, 569)
    assert datasets["xor"]["linearly_separable"] is False
    assert datasets["and"]["linearly_separable"] is True
    gate = client.get("/api/datasets/and").json()
    assert gate["X"] == [[0, 0], [0, 1], [1, 0], [1, 1]] and gate["y"] == [0, 0, 0, 1]
    assert client.get("/api/datasets/nope").status_code == 404


def test_new_session_has_complete_config_and_token_once(client: TestClient) -> None:
    state, auth = create(client)
    assert state["config"]["rule"] == "perceptron" and state["config"]["learning_rate"] == 1.0
    assert state["config"]["batch"] == "online" and state["status"] == "idle"
    assert len(state["control_token"]) >= 32
    again = client.get(f"/api/sessions/{state['id']}").json()
    assert "control_token" not in again
    assert again["weights"] == [0.0, 0.0] and again["boundary"]["view"] == [-0.25, 1.25, -0.25, 1.25]


def test_step_ten_epochs_of_and_gives_the_tutorial_weights(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 10}, headers=auth).json()
    assert (done["weights"], done["bias"], done["epoch"]) == ([2.0, 1.0], -3.0, 6)
    assert done["status"] == "converged" and done["converged"] is True
    assert done["predictions"] == [0, 0, 0, 1]
    line = done["boundary"]["line"]
    for x, y in line:  # on the line 2x + y − 3 = 0
        assert 2 * x + y - 3 == pytest.approx(0, abs=1e-12)


def test_step_by_sample_records_the_update(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    done = client.post(f"/api/sessions/{state['id']}/step", json={"samples": 1}, headers=auth).json()
    update = done["last_update"]
    assert (update["sample"], update["z"], update["y"], update["error"]) == (0, 0.0, 1, -1.0)
    assert update["w"] == [0.0, 0.0] and update["b"] == -1.0 and done["step"] == 1


def test_sigmoid_on_or_matches_the_tutorial(client: TestClient) -> None:
    state, auth = create(client, **SIGMOID_OR)
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 10_000}, headers=auth).json()
    assert done["weights"] == pytest.approx([5.365463, 5.365519], abs=1e-5)
    assert done["outputs"] == pytest.approx([0.081092, 0.949689, 0.949687, 0.999752], abs=1e-5)
    assert done["status"] == "idle" and done["converged"] is True
    assert done["last_update"]["kind"] == "batch"


def test_heatmap_is_compact_uint8(client: TestClient) -> None:
    state, auth = create(client, dataset="and", grid_size=32)
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 10}, headers=auth).json()
    grid = done["boundary"]["grid"]
    pixels = base64.b64decode(grid["data"])
    assert (grid["width"], grid["height"], len(pixels)) == (32, 32, 32 * 32)
    top_left, top_right, bottom_right = pixels[0], pixels[31], pixels[-1]
    assert (top_left, top_right, bottom_right) == (0, 255, 0)  # 2x + y − 3 ≥ 0 only top right

def test_patch_reset_predict_history_delete(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 3}, headers=auth)
    patched = client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.5}, headers=auth).json()
    assert patched["config"]["learning_rate"] == 0.5 and patched["epoch"] == 3
    by_hand = client.patch(f"/api/sessions/{sid}", json={"weights": [2, 1], "bias": -3}, headers=auth)
    assert by_hand.json()["predictions"] == [0, 0, 0, 1]
    predicted = client.post(f"/api/sessions/{sid}/predict", json={"inputs": [[1, 1], [0, 1]]}).json()
    assert predicted == {"outputs": [1.0, 0.0], "predictions": [1, 0]}
    history = client.get(f"/api/sessions/{sid}/history").json()
    assert [row["epoch"] for row in history] == [0, 1, 2, 3]
    reset = client.post(f"/api/sessions/{sid}/reset", headers=auth).json()
    assert (reset["weights"], reset["epoch"], reset["step"]) == ([0.0, 0.0], 0, 0)
    assert [row["epoch"] for row in client.get(f"/api/sessions/{sid}/history").json()] == [0]
    assert client.delete(f"/api/sessions/{sid}", headers=auth).status_code == 204
    assert client.get(f"/api/sessions/{sid}").status_code == 404


def test_changing_the_dataset_restarts_the_run(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}, headers=auth)
    moved = client.patch(f"/api/sessions/{sid}", json={"dataset": "virus"}, headers=auth).json()
    assert moved["epoch"] == 0 and moved["weights"] == [0.0] * 4
    assert moved["feature_names"][0] == "loss of smell"
    assert moved["boundary"]["plane"] is not None


def test_switching_activation_brings_its_rule_and_learning_rate(client: TestClient) -> None:
    state, auth = create(client, dataset="or")
    changed = client.patch(f"/api/sessions/{state['id']}", json={"activation": "sigmoid"}, headers=auth)
    config = changed.json()["config"]
    assert (config["rule"], config["batch"], config["learning_rate"]) == ("gradient", "full", 0.5)


def test_breast_cancer_has_a_test_split_and_plane(client: TestClient) -> None:
    state, auth = create(client, dataset="breast_cancer", activation="sigmoid")
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 500}, headers=auth).json()
    assert done["test_accuracy"] >= 0.95
    assert len(done["outputs"]) == 398
    data = client.get(f"/api/sessions/{state['id']}/data").json()
    assert len(data["X"]) == 398 and len(data["X_test"]) == 171 and len(data["X"][0]) == 2


def test_stateless_train(client: TestClient) -> None:
    body = client.post("/api/train", json={"dataset": "nand", "epochs": 10}).json()
    assert body["state"]["weights"] == [-2.0, -1.0] and body["state"]["bias"] == 2.0
    assert [row["epoch"] for row in body["history"]][:2] == [0, 1]
    assert body["history"][-1]["weights"] == [-2.0, -1.0]


def test_train_refuses_more_work_than_the_budget(client: TestClient) -> None:
    response = client.post("/api/train", json={"dataset": "breast_cancer", "epochs": 5000})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "epochs"]
    assert "2512" in response.json()["detail"][0]["msg"]


def test_updates_carry_the_weights_before_them(client: TestClient) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    for _ in range(4):
        update = client.post(f"/api/sessions/{sid}/step", json={"samples": 1}, headers=auth).json()
    last = update["last_update"]  # (1,1) → d 1, y 0: w ← [0, 0] + 1·1·[1, 1]
    assert (last["w_before"], last["b_before"], last["w"], last["b"]) == ([0.0, 0.0], -1.0, [1.0, 1.0], 0.0)


def test_data_gives_view_points_and_the_rows_themselves(client: TestClient) -> None:
    state, _ = create(client, dataset="virus")
    data = client.get(f"/api/sessions/{state['id']}/data").json()
    assert data["X_features"][0] == [1, 0, 0, 1] and len(data["X"][0]) == 2


def test_share_qr_is_a_standalone_svg(client: TestClient) -> None:
    state, _ = create(client)
    qr = client.get(f"/api/sessions/{state['id']}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.text and "<?xml" not in qr.text
