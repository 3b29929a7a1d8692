"""Bad input gets a 422 naming the field and changes nothing; unknown ids get 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.helpers import create

BAD_FIELDS = [
    ("dataset", "iris"), ("activation", "softmax"), ("rule", "hebb"), ("learning_rate", 0),
    ("learning_rate", -1), ("learning_rate", 100.5), ("learning_rate", "fast"), ("use_bias", "yes"),
    ("init", "ones"), ("init", {"weights": [1, 2], "bias": "x"}), ("seed", -1), ("seed", 2**40),
    ("batch", "mini"), ("reduction", "max"), ("loss", "hinge"), ("shuffle", 3),
    ("n_samples", 3), ("n_samples", 10_001), ("noise", 1.5), ("noise", -0.1),
    ("test_fraction", 0.95), ("max_epochs", 0), ("grid_size", 4), ("grid_size", 512),
    ("points", {"X": [[0, 0]], "y": [2]}), ("colour", "red"),
]  # fmt: skip


def _named(response: Any, field: str) -> bool:
    return any(field in map(str, error["loc"]) for error in response.json()["detail"])


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_out_of_range_config_is_refused_naming_the_field(client: TestClient, field: str, value: Any) -> None:
    response = client.post("/api/sessions", json={field: value})
    assert response.status_code == 422
    assert _named(response, field)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client: TestClient, literal: str) -> None:
    body = '{"learning_rate": %s}' % literal
    response = client.post("/api/sessions", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and _named(response, "learning_rate")


def test_cross_field_rules_name_their_field(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"activation": "tanh", "loss": "cross_entropy"})
    assert response.status_code == 422 and _named(response, "loss")
    response = client.post("/api/sessions", json={"dataset": "and", "test_fraction": 0.5})
    assert response.status_code == 422 and _named(response, "test_fraction")
    response = client.post("/api/sessions", json={"dataset": "custom"})
    assert response.status_code == 422 and _named(response, "points")
    response = client.post("/api/sessions", json={"init": {"weights": [1, 2, 3]}})
    assert response.status_code == 422 and _named(response, "init")


def test_too_many_points_or_features(client: TestClient) -> None:
    wide = {"X": [[0.0] * 65], "y": [1]}
    response = client.post("/api/sessions", json={"dataset": "custom", "points": wide})
    assert response.status_code == 422 and _named(response, "points")
    tall = {"X": [[0.0, 1.0]] * 10_001, "y": [1] * 10_001}
    response = client.post("/api/sessions", json={"dataset": "custom", "points": tall})
    assert response.status_code == 422 and _named(response, "points")


def test_custom_points_train(client: TestClient) -> None:
    points = {"X": [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2]], "y": [0, 0, 0, 1, 1]}
    state, auth = create(client, dataset="custom", points=points)
    done = client.post(f"/api/sessions/{state['id']}/step", json={"epochs": 50}, headers=auth)
    assert done.json()["status"] == "converged" and done.json()["accuracy"] == 1.0


def test_unknown_ids_are_404(client: TestClient) -> None:
    auth = {"Authorization": "Bearer x"}
    assert client.get("/api/sessions/nope").status_code == 404
    assert client.post("/api/sessions/nope/step", json={"epochs": 1}, headers=auth).status_code == 404
    assert client.get("/api/sessions/nope/history").status_code == 404
    assert client.get("/api/sessions/nope/export.py").status_code == 404


def test_step_needs_exactly_one_count(client: TestClient) -> None:
    state, auth = create(client)
    for body in ({}, {"epochs": 1, "samples": 1}, {"epochs": 0}, {"epochs": 10_001}, {"samples": 1.5}):
        response = client.post(f"/api/sessions/{state['id']}/step", json=body, headers=auth)
        assert response.status_code == 422, body


def test_samples_on_a_full_batch_run_are_refused(client: TestClient) -> None:
    state, auth = create(client, activation="sigmoid")
    response = client.post(f"/api/sessions/{state['id']}/step", json={"samples": 1}, headers=auth)
    assert response.status_code == 422 and _named(response, "samples")


def test_steering_needs_the_token_and_a_wrong_one_changes_nothing(client: TestClient) -> None:
    state, auth = create(client)
    sid = state["id"]
    before = client.get(f"/api/sessions/{sid}").json()
    calls = [("patch", f"/api/sessions/{sid}", {"learning_rate": 2}),
             ("post", f"/api/sessions/{sid}/step", {"epochs": 3}),
             ("post", f"/api/sessions/{sid}/reset", None), ("delete", f"/api/sessions/{sid}", None)]  # fmt: skip
    for method, url, body in calls:
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        assert client.request(method, url, **kwargs).status_code == 401
        wrong = {"Authorization": "Bearer " + "x" * 43}
        assert client.request(method, url, headers=wrong, **kwargs).status_code == 403
    assert client.get(f"/api/sessions/{sid}").json() == before


STORED_FIELDS = st.sampled_from(["learning_rate", "noise", "seed", "grid_size", "n_samples",
                                 "test_fraction", "weights", "bias"])  # fmt: skip
JUNK = st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=5), st.none(),
                 st.lists(st.floats(), max_size=3))  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=STORED_FIELDS, value=JUNK)
def test_a_rejected_patch_changes_nothing(client: TestClient, field: str, value: Any) -> None:
    state, auth = create(client, dataset="and")
    sid = state["id"]
    client.post(f"/api/sessions/{sid}/step", json={"epochs": 2}, headers=auth)
    before = client.get(f"/api/sessions/{sid}").json()
    history = client.get(f"/api/sessions/{sid}/history").json()
    body = json.dumps({field: value}, allow_nan=True)
    response = client.patch(f"/api/sessions/{sid}", content=body,
                            headers={**auth, "content-type": "application/json"})  # fmt: skip
    if response.status_code == 422:
        assert client.get(f"/api/sessions/{sid}").json() == before
        assert client.get(f"/api/sessions/{sid}/history").json() == history
    else:
        assert response.status_code == 200
