"""Security (PRODUCT.md §6, §7, §13): unguessable ids and tokens; only the token holder steers,
by REST or by stream; the token is shown once; security headers; hostile strings never reach the
page, the exported script or an error unescaped."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.sync.client import connect

from app.settings import Settings
from tests.conftest import ROOT, free_port, stored_bytes
from tests.reliability.helpers import bearer, create, snapshot

HOSTILE = [
    '"""; import os; os.system("echo pwned")#',
    "'''; __import__('os').system('echo pwned'); '''",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "{{7*7}}",
    "${7*7}{% raw %}",
    "'; DROP TABLE sessions; --",
    "é☃😀\u202e\u200b",
    "\\u0000\\x00\n\r\t",
    "A" * 100_000,
]
# In a URL the long one is cut to what a client will send (httpx refuses URLs past 64 kB).
HOSTILE_IN_URL = [text[:4000] for text in HOSTILE]
ENUM_FIELDS = ("dataset", "activation", "rule", "init", "batch", "reduction", "loss")
# (method, path after /api/sessions/{id}, json body) of every route that changes a session.
MUTATING = [
    ("PATCH", "", {"learning_rate": 0.25}),
    ("POST", "/step", {"epochs": 3}),
    ("POST", "/reset", None),
    ("DELETE", "", None),
]
COMMANDS = [
    {"type": "play"},
    {"type": "pause"},
    {"type": "step", "epochs": 2},
    {"type": "step", "samples": 1},
    {"type": "set", "config": {"learning_rate": 0.25}},
    {"type": "set", "weights": [5.0, -5.0], "bias": 1.0},
    {"type": "reset"},
    {"type": "speed", "fps": 60, "steps_per_frame": 100},
]


def b64url_bits(value: str) -> int:
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert base64.urlsafe_b64encode(raw).decode().rstrip("=") == value, value
    return len(raw) * 8


# ---- ids and tokens -----------------------------------------------------------------------------
def test_session_ids_and_tokens_are_long_random_and_never_repeat(
    client: TestClient, settings: Settings
) -> None:
    pairs = [create(client, grid_size=8) for _ in range(200)]
    ids, tokens = [p[0] for p in pairs], [p[1] for p in pairs]
    assert all(b64url_bits(i) >= 128 for i in ids)
    assert all(b64url_bits(t) >= 128 for t in tokens)
    assert len(set(ids) | set(tokens)) == 400
    # No shared structure: every prefix differs, and the bits are balanced.
    assert len({i[:6] for i in ids}) == 200 and len({t[:6] for t in tokens}) == 200
    for values in (ids, tokens):
        raw = b"".join(base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)) for v in values)
        ones = sum(bin(byte).count("1") for byte in raw) / (8 * len(raw))
        assert 0.47 < ones < 0.53, ones
    # The store keeps a hash of each token, never the token itself.
    stored = stored_bytes(settings)
    assert not any(t.encode() in stored for t in tokens)
    assert hashlib.sha256(tokens[0].encode()).hexdigest().encode() in stored


# ---- only the token holder steers ---------------------------------------------------------------
@pytest.mark.parametrize(("method", "suffix", "body"), MUTATING, ids=lambda v: str(v))
def test_rest_routes_refuse_to_steer_without_the_right_token(
    client: TestClient, method: str, suffix: str, body: Any
) -> None:
    session_id, token = create(client, dataset="xor")
    _, other_token = create(client, dataset="xor")
    assert client.post(f"/api/sessions/{session_id}/step", json={"epochs": 4},
                       headers=bearer(token)).status_code == 200  # fmt: skip
    before = snapshot(client, session_id)
    url = f"/api/sessions/{session_id}{suffix}"
    refusals = {
        401: [{}, {"Authorization": ""}, {"Authorization": token}, {"Authorization": "Bearer"},
              {"Authorization": f"Basic {token}"}, {"Authorization": f"bearer{token}"}],
        403: [bearer("x" * len(token)), bearer(other_token), bearer(token[:-1]),
              bearer(token + "A"), bearer(hashlib.sha256(token.encode()).hexdigest()),
              bearer(token.upper() if token.upper() != token else token.lower())],
    }  # fmt: skip
    for status, header_sets in refusals.items():
        for headers in header_sets:
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == status, (headers, response.text)
            assert token not in response.text
            if status == 401:
                assert response.headers["www-authenticate"] == "Bearer"
    assert snapshot(client, session_id) == before
    # The right token does what the others could not.
    assert client.request(method, url, json=body, headers=bearer(token)).status_code in (200, 204)


@pytest.mark.parametrize("presented", [None, "wrong-token", "other-session"])
def test_stream_viewers_cannot_steer(client: TestClient, presented: str | None) -> None:
    session_id, token = create(client, dataset="xor")
    _, other_token = create(client, dataset="xor")
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 4}, headers=bearer(token))
    before = snapshot(client, session_id)
    query = {None: "", "wrong-token": "?token=wrong", "other-session": f"?token={other_token}"}
    with client.websocket_connect(f"/api/sessions/{session_id}/stream{query[presented]}") as ws:
        assert ws.receive_json()["type"] == "frame"
        for command in COMMANDS:
            ws.send_json(command)
            reply = ws.receive_json()
            assert reply["type"] == "error", (command, reply)
            assert "control token" in json.dumps(reply["detail"])
    assert snapshot(client, session_id) == before


def test_the_controller_steers_the_stream_it_presents_the_token_to(client: TestClient) -> None:
    """The other side of the test above, so that its refusals are not just a broken stream."""
    session_id, token = create(client, dataset="xor")
    with client.websocket_connect(f"/api/sessions/{session_id}/stream?token={token}") as ws:
        assert ws.receive_json()["epoch"] == 0
        ws.send_json({"type": "step", "epochs": 2})
        frame = ws.receive_json()
        assert frame["type"] == "frame" and frame["epoch"] == 2


# ---- the token is shown once --------------------------------------------------------------------
def test_the_control_token_appears_only_in_the_create_response(client: TestClient) -> None:
    created = client.post("/api/sessions", json={"dataset": "blobs", "activation": "sigmoid"})
    assert created.status_code == 201
    session_id, token = created.json()["id"], created.json()["control_token"]
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    client.post(f"/api/sessions/{session_id}/step", json={"epochs": 3}, headers=bearer(token))
    client.patch(f"/api/sessions/{session_id}", json={"learning_rate": 0.1}, headers=bearer(token))
    seen = []
    for path in ("", "/history", "/data", "/export.py", "/qr.svg"):
        response = client.get(f"/api/sessions/{session_id}{path}")
        assert response.status_code == 200
        seen.append(response.text)
    seen.append(client.post(f"/api/sessions/{session_id}/predict",
                            json={"inputs": [[0.0, 0.0]]}).text)  # fmt: skip
    for method, suffix, body in MUTATING[:3]:  # what the steering routes answer
        seen.append(client.request(method, f"/api/sessions/{session_id}{suffix}", json=body,
                                   headers=bearer(token)).text)  # fmt: skip
    seen.append(client.get(f"/?session={session_id}").text)
    for query in ("", f"?token={token}"):  # a viewer's frames and the controller's own
        with client.websocket_connect(f"/api/sessions/{session_id}/stream{query}") as ws:
            seen.append(ws.receive_text())
            if query:
                ws.send_json({"type": "step", "epochs": 1})
                seen.append(ws.receive_text())
                ws.send_json({"type": "play"})
                seen.append(ws.receive_text())
                ws.send_json({"type": "pause"})
                seen.append(ws.receive_text())
    assert len(seen) == 15
    for text in seen:
        assert token not in text and token_hash not in text
        assert "control_token" not in text and "token_hash" not in text


def test_the_server_log_never_shows_a_control_token(tmp_path: Path) -> None:
    """The stream takes the token in its query, which uvicorn logs; the log hides it."""
    port = free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "NEURON_DATABASE": str(tmp_path / "sessions.sqlite3")}
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and process.poll() is None, log.read_text()
                time.sleep(0.1)
        created = httpx.post(f"{url}/api/sessions", json={}, timeout=10).json()
        session_id, token = created["id"], created["control_token"]
        # The way the server reads the query (percent-decoded) and other spellings of the name.
        for query in (f"?token={token}", f"?fps=1&token={token}&x=1", f"?token={token}x",
                      f"?%74oken={token}", f"?Token={token}", f"?x=1&TOKEN={token}"):  # fmt: skip
            with connect(f"ws://127.0.0.1:{port}/api/sessions/{session_id}/stream{query}") as ws:
                ws.recv(timeout=5)
        httpx.post(f"{url}/api/sessions/{session_id}/step?token={token}", json={"epochs": 1},
                   headers=bearer(token), timeout=10)  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=15)
    text = log.read_text()
    assert text.count(session_id) >= 7, text  # the lines are there...
    assert token not in text and "token=[hidden]" in text  # ...without the token


# ---- headers ------------------------------------------------------------------------------------
def csp_directives(value: str) -> dict[str, list[str]]:
    parts = (d.split() for d in value.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    session_id, token = create(client)
    responses = [
        client.get("/"),
        client.get("/?dataset=%3Cscript%3E"),
        client.get("/healthz"),
        client.get("/api/datasets"),
        client.get(f"/api/sessions/{session_id}"),
        client.get(f"/api/sessions/{session_id}/export.py"),
        client.get(f"/api/sessions/{session_id}/qr.svg"),
        client.get("/api/sessions/unknown"),  # 404
        client.post(f"/api/sessions/{session_id}/step", json={"epochs": 1}),  # 401
        client.post("/api/sessions", json={"dataset": "nope"}),  # 422
        client.post("/api/sessions", content=b"{" + b" " * 2_100_000 + b"}",
                    headers={"content-type": "application/json"}),  # 413  # fmt: skip
        client.get("/static/js/main.js"),
        client.get("/static/nope.js"),  # 404 from the static files
        client.get("/openapi.json"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 200, 404, 401,
                                                  422, 413, 200, 404, 200]  # fmt: skip
    for response in responses:
        headers = response.headers
        csp = csp_directives(headers["content-security-policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"], "no inline, eval or foreign scripts"
        assert csp["connect-src"] == ["'self'"], "fetch and WebSocket to this origin only"
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'self'"]
        assert csp["base-uri"] == ["'none'"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] in ("no-referrer", "same-origin", "strict-origin")
        assert headers["x-frame-options"] == "SAMEORIGIN"  # only /?embed=1 goes elsewhere


def test_only_the_api_docs_may_run_an_inline_script_and_still_no_foreign_one(
    client: TestClient,
) -> None:
    """Swagger UI starts itself with an inline script; its files are served from /static."""
    response = client.get("/docs")
    assert response.status_code == 200
    csp = csp_directives(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["connect-src"] == ["'self'"]
    assert "http" not in response.headers["content-security-policy"]
    assert "cdn" not in response.text


# ---- hostile strings ----------------------------------------------------------------------------
@pytest.mark.parametrize("field", ENUM_FIELDS)
def test_hostile_strings_in_text_fields_are_refused_and_not_echoed(
    client: TestClient, field: str
) -> None:
    session_id, token = create(client)
    before = snapshot(client, session_id)
    count = client.portal.call(client.app.state.sessions.store.count)  # type: ignore[attr-defined,union-attr]
    for text in HOSTILE:
        for method, path, extra, headers in (
            ("POST", "/api/sessions", {}, {}),
            ("POST", "/api/train", {"epochs": 1}, {}),
            ("PATCH", f"/api/sessions/{session_id}", {}, bearer(token)),
        ):
            response = client.request(method, path, json={field: text, **extra}, headers=headers)
            assert response.status_code == 422, (field, text[:40], response.text[:200])
            assert response.headers["content-type"] == "application/json"
            assert field in response.json()["detail"][0]["loc"]
            assert text not in response.text
    assert client.portal.call(client.app.state.sessions.store.count) == count  # type: ignore[attr-defined,union-attr]
    assert snapshot(client, session_id) == before


def test_hostile_strings_in_a_stream_command_are_refused(client: TestClient) -> None:
    session_id, token = create(client)
    before = snapshot(client, session_id)
    with client.websocket_connect(f"/api/sessions/{session_id}/stream?token={token}") as ws:
        ws.receive_json()
        for text in HOSTILE[:-1]:  # the long one is over the message limit: test_faults
            for command in ({"type": "set", "config": {"dataset": text}},
                            {"type": "set", "config": {"activation": text}},
                            {"type": text}, {"type": "step", "epochs": text}):  # fmt: skip
                ws.send_json(command)
                reply = ws.receive_json()
                assert reply["type"] == "error", reply
                assert text not in json.dumps(reply, ensure_ascii=False)
    assert snapshot(client, session_id) == before


@pytest.mark.parametrize("text", HOSTILE_IN_URL, ids=range(len(HOSTILE)))
def test_hostile_ids_and_queries_are_not_reflected(client: TestClient, text: str) -> None:
    session_id, _ = create(client)
    quoted = quote(text, safe="")
    for path in ("", "/history", "/export.py", "/qr.svg", "/stream"):
        response = client.get(f"/api/sessions/{quoted}{path}")
        assert response.status_code in (404, 422), response.text[:200]
        assert response.headers["content-type"] == "application/json"
        assert text not in response.text
    response = client.get(f"/api/datasets/{quoted}")
    assert response.status_code == 404 and text not in response.text
    # Query strings nobody asked for are ignored, not echoed.
    for url in (f"/api/sessions/{session_id}?dataset={quoted}&token={quoted}",
                f"/api/sessions/{session_id}/history?epoch={quoted}",
                f"/api/datasets?id={quoted}"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200 and text not in response.text


@pytest.mark.parametrize("text", HOSTILE_IN_URL, ids=range(len(HOSTILE)))
def test_the_page_never_shows_a_hostile_query_unescaped(client: TestClient, text: str) -> None:
    quoted = quote(text, safe="")
    page = client.get(f"/?dataset={quoted}&session={quoted}&activation={quoted}&lesson={quoted}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert text not in page.text
    if text != "{{7*7}}":
        assert "49" not in page.text.replace(client.get("/").text, "")  # no template evaluated


def test_a_hostile_token_in_the_stream_query_makes_only_a_viewer(client: TestClient) -> None:
    session_id, _ = create(client)
    before = snapshot(client, session_id)
    for text in HOSTILE_IN_URL:
        url = f"/api/sessions/{session_id}/stream?token={quote(text, safe='')}"
        with client.websocket_connect(url) as ws:
            frame = ws.receive_text()
            assert text not in frame
            ws.send_json({"type": "step", "epochs": 1})
            assert ws.receive_json()["type"] == "error"
    assert snapshot(client, session_id) == before


def test_huge_custom_coordinates_are_refused_not_a_500(client: TestClient) -> None:
    """Points near 1e300 once overflowed the view box and the boundary line (OverflowError)."""
    huge = ([[1e300, 1e300], [-1e300, -1e300]], [[1.7e308, 0], [0, 1]], [[1e6 + 1, 0], [0, 1]])
    for X in huge:
        points = {"X": X, "y": [0, 1]}
        response = client.post("/api/sessions", json={"dataset": "custom", "points": points})
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][:3] == ["body", "points", "X"]
    edge = {"X": [[1e6, 1e6], [-1e6, -1e6], [1e6, -1e6]], "y": [0, 1, 1]}
    session_id, token = create(client, dataset="custom", points=edge)
    for body in ({"epochs": 50}, {"samples": 7}):
        assert client.post(f"/api/sessions/{session_id}/step", json=body,
                           headers=bearer(token)).status_code == 200  # fmt: skip
    state = client.get(f"/api/sessions/{session_id}").json()
    assert all(abs(v) < float("inf") for v in state["boundary"]["view"])


# ---- the exported script ------------------------------------------------------------------------
def run_literal(script: str) -> tuple[str, str]:
    """The script's one data literal, and its code with that literal blanked out.

    The export must be the fixed template plus `RUN = json.loads('<JSON>')`; nothing else varies."""
    tree = ast.parse(script)
    literals = []
    for node in ast.walk(tree):
        names = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if isinstance(node, ast.Assign) and names == ["RUN"]:
            call = node.value
            assert isinstance(call, ast.Call) and ast.unparse(call.func) == "json.loads"
            (arg,) = call.args
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            literals.append(arg.value)
            arg.value = ""
    assert len(literals) == 1
    return literals[0], ast.dump(tree)


def test_the_exported_script_only_carries_data_as_one_json_string_literal(
    client: TestClient, tmp_path: Path
) -> None:
    runs: list[dict[str, Any]] = [
        {"dataset": "and"},
        {"dataset": "blobs", "activation": "sigmoid", "n_samples": 40, "seed": 7},
        {"dataset": "custom", "points": {"X": [[1e-300, -0.0], [1e6, 3.5], [-2.5, 1e-5]],
                                         "y": [0, 1, 1]}},  # fmt: skip
    ]
    codes = set()
    for config in runs:
        session_id, token = create(client, **config)
        # Hostile strings are refused on the way in; steering by hand still goes into the log.
        for text in HOSTILE[:4]:
            client.patch(f"/api/sessions/{session_id}", json={"activation": text},
                         headers=bearer(token))  # fmt: skip
        client.post(f"/api/sessions/{session_id}/step", json={"epochs": 3}, headers=bearer(token))
        client.patch(f"/api/sessions/{session_id}", json={"weights": [0.5, -1.25], "bias": 0.125},
                     headers=bearer(token))  # fmt: skip
        client.post(f"/api/sessions/{session_id}/step", json={"samples": 2}, headers=bearer(token))
        state = client.get(f"/api/sessions/{session_id}").json()
        script = client.get(f"/api/sessions/{session_id}/export.py").text
        for text in HOSTILE:
            assert text not in script
        literal, code = run_literal(script)
        assert json.loads(literal)["y"]  # the data, as JSON
        codes.add(code)
        path = tmp_path / f"{session_id}.py"
        path.write_text(script)
        result = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True,
                                timeout=60, cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "pwned" not in result.stdout + result.stderr
        printed = json.loads(result.stdout)
        assert printed["weights"] == pytest.approx(state["weights"], rel=1e-9, abs=1e-12)
        assert printed["bias"] == pytest.approx(state["bias"], rel=1e-9, abs=1e-12)
    assert len(codes) == 1, "the code around the data literal must never depend on the run"
