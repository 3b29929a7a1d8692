"""Against a real `python -m app` process: sessions survive a restart, history included."""

from __future__ import annotations

import httpx

from tests.conftest import ServerProcess


def test_a_session_survives_a_restart_with_its_whole_history(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url) as http:
        created = http.post("/api/sessions", json={"dataset": "virus", "activation": "sigmoid",
                                                   "reduction": "sum", "learning_rate": 0.05}).json()  # fmt: skip
        sid, auth = created["id"], {"Authorization": f"Bearer {created['control_token']}"}
        trained = http.post(f"/api/sessions/{sid}/step", json={"epochs": 300}, headers=auth).json()
        history = http.get(f"/api/sessions/{sid}/history").json()
    server.restart()
    with httpx.Client(base_url=server.url) as http:
        after = http.get(f"/api/sessions/{sid}").json()
        assert after["weights"] == trained["weights"] and after["bias"] == trained["bias"]
        assert after["epoch"] == 300 and len(history) == 301
        assert http.get(f"/api/sessions/{sid}/history").json() == history
        more = http.post(f"/api/sessions/{sid}/step", json={"epochs": 1}, headers=auth)
        assert more.status_code == 200 and more.json()["epoch"] == 301
