"""The embeddable view's headers: /?embed=1 may be framed by NEURON_FRAME_ANCESTORS, every other
page only by this origin; the setting takes CSP sources and nothing that could break the header."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.api.embed import wants_embed, without_embed
from app.main import create_app
from app.settings import Settings
from tests.reliability.test_security import csp_directives


def ancestors(response: object) -> list[str]:
    return csp_directives(response.headers["content-security-policy"])["frame-ancestors"]  # type: ignore[attr-defined]


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database=tmp_path / "sessions.sqlite3")


def test_the_embed_view_may_be_framed_anywhere_by_default(sqlite_settings: Settings) -> None:
    with TestClient(create_app(sqlite_settings)) as client:
        embed = client.get("/?embed=1&dataset=or&lr=0.5")
        assert embed.status_code == 200
        assert ancestors(embed) == ["*"]
        assert "x-frame-options" not in embed.headers  # it cannot say "any origin"
        assert 'class="embed"' in embed.text
        assert 'href="/?dataset=or&amp;lr=0.5"' in embed.text  # the full page, same setup
        for path in ("/", "/?dataset=or", "/?embed=0", "/?embed=", "/join", "/docs",
                     "/static/js/main.js", "/healthz", "/api/datasets", "/api/datasets?embed=1",
                     "/join?embed=1"):  # fmt: skip
            response = client.get(path)
            assert response.status_code == 200, path
            assert ancestors(response) == ["'self'"], path
            assert response.headers["x-frame-options"] == "SAMEORIGIN", path
        assert 'class="embed"' not in client.get("/?dataset=or").text


def test_the_embed_view_is_framed_only_by_the_origins_set(tmp_path: Path) -> None:
    settings = Settings(database=tmp_path / "s.sqlite3",
                        frame_ancestors="https://course.example.org  https://*.school.example:8443")  # fmt: skip
    with TestClient(create_app(settings)) as client:
        embed = client.get("/?dataset=and&embed=true")
        assert ancestors(embed) == ["https://course.example.org", "https://*.school.example:8443"]
        assert ancestors(client.get("/?dataset=and")) == ["'self'"]


def test_the_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEURON_FRAME_ANCESTORS", "'self' https://moodle.example.edu")
    assert Settings().frame_ancestors == "'self' https://moodle.example.edu"
    assert Settings.model_fields["frame_ancestors"].default == "*"


@pytest.mark.parametrize("value", [
    "", "   ", "https://a.example; script-src *", "https://a.example,https://b.example",
    "'unsafe-inline'", "javascript:", "https://a.example/path", "'none' https://a.example",
    "https://a.example:99999", "https://exa mple.org\r\nX-Evil: 1", "self", "data:",
])  # fmt: skip
def test_a_bad_frame_ancestors_setting_is_refused_at_start(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(frame_ancestors=value)
    assert "frame_ancestors" in str(refused.value)


@pytest.mark.parametrize("value", ["*", "'self'", "'none'", "https:", "http://localhost:8080",
                                   "https://*.example.org https://example.org:*"])  # fmt: skip
def test_good_frame_ancestors_settings_are_kept(value: str) -> None:
    assert Settings(frame_ancestors=value).frame_ancestors == value


def test_embed_is_asked_for_as_the_page_reads_it() -> None:
    assert wants_embed("/", "embed=1") and wants_embed("/", "a=1&embed=on") and wants_embed("/", "embed=true")
    assert not wants_embed("/", "embed=0") and not wants_embed("/", "embed=")
    assert not wants_embed("/", "embed=yes") and not wants_embed("/", "")
    assert not wants_embed("/", "embed=0&embed=1")  # the first counts, as URLSearchParams.get
    assert not wants_embed("/join", "embed=1")
    assert without_embed("embed=1&dataset=xor&lr=0.5") == "?dataset=xor&lr=0.5"
    assert without_embed("embed=1") == ""
