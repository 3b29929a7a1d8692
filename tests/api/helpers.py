"""Small helpers shared by the API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def create(client: TestClient, **config: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """A new session and the Authorization header that steers it."""
    response = client.post("/api/sessions", json=config)
    assert response.status_code == 201, response.text
    body = response.json()
    return body, {"Authorization": f"Bearer {body['control_token']}"}
