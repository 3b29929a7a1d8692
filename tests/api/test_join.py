"""Joining a class by its short code: made for a shared session, typed at /join, redirected to the
session, kept across a restart, refused for a session gone, and rate-limited."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from app.main import create_app
from app.sessions.join_codes import ALPHABET, normalise
from app.settings import Settings
from tests.api.helpers import create
from tests.conftest import ServerProcess

CODE = re.compile(f"[{ALPHABET}]{{6}}")


def test_a_shared_session_has_one_short_code_that_joins_it(client: TestClient) -> None:
    state, auth = create(client)
    first = client.post(f"/api/sessions/{state['id']}/join-code", headers=auth)
    assert first.status_code == 200 and CODE.fullmatch(first.json()["code"])
    again = client.post(f"/api/sessions/{state['id']}/join-code", headers=auth)
    assert again.json() == first.json()
    code = first.json()["code"]
    typed = f" {code[:3].lower()}-{code[3:]} "  # as a person types it off a projector
    joined = client.get("/join", params={"code": typed}, follow_redirects=False)
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/?session={state['id']}&lang=en"  # the student's language kept


def test_only_the_teacher_gets_the_code(client: TestClient) -> None:
    state, _ = create(client)
    assert client.post(f"/api/sessions/{state['id']}/join-code").status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.post(f"/api/sessions/{state['id']}/join-code", headers=wrong).status_code == 403


def test_the_join_page_and_its_refusals_in_words(client: TestClient) -> None:
    form = client.get("/join")
    assert form.status_code == 200 and 'name="code"' in form.text and "main.js" not in form.text
    malformed = client.get("/join", params={"code": "O0I1"})
    assert malformed.status_code == 422 and "6 letters and digits" in malformed.text
    unknown = client.get("/join", params={"code": "ZZZZZZ"})
    assert unknown.status_code == 404 and "No class is sharing with the code ZZZZZZ" in unknown.text


def test_a_code_dies_with_its_session(client: TestClient) -> None:
    state, auth = create(client)
    code = client.post(f"/api/sessions/{state['id']}/join-code", headers=auth).json()["code"]
    assert client.delete(f"/api/sessions/{state['id']}", headers=auth).status_code == 204
    assert client.get("/join", params={"code": code}, follow_redirects=False).status_code == 404


def test_join_is_rate_limited_per_address(tmp_path: Path) -> None:
    settings = Settings(database=tmp_path / "s.sqlite3", join_attempts_per_minute=3)
    with TestClient(create_app(settings)) as client:
        answers = [client.get("/join", params={"code": "ZZZZZZ"}).status_code for _ in range(4)]
        assert answers == [404, 404, 404, 429]
        limited = client.get("/join", params={"code": "ZZZZZZ"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "Too many tries" in limited.text
        assert client.get("/join").status_code == 200  # the form itself is never refused


def test_a_code_survives_a_restart(server: ServerProcess) -> None:
    made = httpx.post(f"{server.url}/api/sessions", json={"dataset": "or"}).json()
    auth = {"Authorization": f"Bearer {made['control_token']}"}
    code = httpx.post(f"{server.url}/api/sessions/{made['id']}/join-code", headers=auth).json()["code"]
    server.restart()
    joined = httpx.get(f"{server.url}/join", params={"code": code})
    assert joined.status_code == 303 and joined.headers["location"] == f"/?session={made['id']}&lang=en"
    again = httpx.post(f"{server.url}/api/sessions/{made['id']}/join-code", headers=auth).json()
    assert again["code"] == code


def test_normalise_reads_what_people_type() -> None:
    assert normalise("k7q-m2x") == "K7QM2X"
    assert normalise("K7QM2") is None  # too short
    assert normalise("K7QM2O") is None  # O is not in the alphabet (it reads as 0)
