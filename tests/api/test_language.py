"""The page's language over HTTP (app/api/language.py): ?lang=, then the `lang` cookie, then
Accept-Language by q-value; <html lang> says it, Vary says what it depends on, and the links the
service hands out (the QR code, /join's redirect) keep it."""

from __future__ import annotations

import io
import json
import re

import pytest
import segno
from fastapi.testclient import TestClient

from app.i18n import translate
from tests.api.helpers import create


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="(\w+)">', text)
    assert match
    return match.group(1)


def embedded_catalog(text: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="i18n-data">(.*?)</script>', text, re.S)
    assert match
    return dict(json.loads(match.group(1)))


@pytest.mark.parametrize(("query", "cookie", "header", "lang"), [
    ("?lang=fr", None, None, "fr"),
    ("?lang=es", "fr", "fr", "es"),  # the query beats the saved choice and the header
    ("", "fr", "es", "fr"),  # the saved choice beats the header
    ("", None, "de-DE, fr-CA;q=0.5, es;q=0.7", "es"),  # by q-value, a region matching its language
    ("", None, "es;q=0, fr;q=0.1", "fr"),  # q=0 is a refusal
    ("", None, "de, ja;q=0.9", "en"),
    ("", None, None, "en"),
    ("?lang=de", "xx", None, "en"),  # unknown choices are ignored
])  # fmt: skip
def test_the_page_speaks_the_chosen_language(client: TestClient, query: str, cookie: str | None,
                                             header: str | None, lang: str) -> None:  # fmt: skip
    client.cookies.clear()
    if cookie:
        client.cookies.set("lang", cookie)
    page = client.get("/" + query, headers={"Accept-Language": header} if header else {})
    assert page.status_code == 200
    assert html_lang(page.text) == lang
    assert "Accept-Language" in page.headers["vary"] and "Cookie" in page.headers["vary"]
    catalog = embedded_catalog(page.text)
    assert catalog["lang"] == lang
    assert f'>{translate(lang, "transport.play")}</button>' in page.text
    assert f'<option value="{lang}" lang="{lang}" selected>' in page.text  # the switch shows it


def test_the_page_embeds_its_catalog_and_its_lessons_in_its_language(client: TestClient) -> None:
    page = client.get("/?lang=fr").text
    messages = embedded_catalog(page)["messages"]
    assert isinstance(messages, dict) and messages["status.ready"] == translate("fr", "status.ready")
    assert not any(k.startswith("lesson.") for k in messages)  # the lessons come once, just above
    lessons = json.loads(re.search(r'id="lessons-data">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert lessons[0]["title"] == "Le perceptron apprend AND"
    assert '<option value="breast_cancer">Cancer du sein</option>' in page


def test_the_lessons_api_speaks_english_unless_asked(client: TestClient) -> None:
    english = client.get("/api/lessons").json()
    spanish = client.get("/api/lessons", params={"lang": "es"}).json()
    assert english[0]["title"] == "The perceptron learns AND"
    assert spanish[0]["title"] == "El perceptrón aprende AND"
    assert [lesson["config"] for lesson in english] == [lesson["config"] for lesson in spanish]
    refused = client.get("/api/lessons", params={"lang": "de"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "lang"]


def test_join_speaks_the_students_language_and_keeps_it(client: TestClient) -> None:
    form = client.get("/join", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert html_lang(form.text) == "fr" and "Rejoindre une classe" in form.text
    assert '<input type="hidden" name="lang" value="fr">' in form.text
    unknown = client.get("/join", params={"code": "ZZZZZZ", "lang": "es"})
    assert unknown.status_code == 404 and "Ninguna clase comparte con el código ZZZZZZ" in unknown.text
    state, auth = create(client)
    code = client.post(f"/api/sessions/{state['id']}/join-code", headers=auth).json()["code"]
    joined = client.get("/join", params={"code": code, "lang": "es"}, follow_redirects=False)
    assert joined.headers["location"] == f"/?session={state['id']}&lang=es"


def test_the_qr_code_link_keeps_the_teachers_language(client: TestClient) -> None:
    state, _ = create(client)
    qr = client.get(f"/api/sessions/{state['id']}/qr.svg", params={"lang": "fr"})
    assert qr.status_code == 200
    expected = io.BytesIO()
    segno.make(f"http://testserver/?session={state['id']}&lang=fr", error="m").save(
        expected, kind="svg", scale=8, border=2, dark="#000", light="#fff", xmldecl=False)  # fmt: skip
    assert qr.content == expected.getvalue()
    assert client.get(f"/api/sessions/{state['id']}/qr.svg", params={"lang": "xx"}).status_code == 422


def test_a_refusal_carries_its_code_and_bounds_for_the_page(client: TestClient) -> None:
    too_fast = client.post("/api/sessions", json={"learning_rate": 500})
    assert too_fast.status_code == 422
    [item] = too_fast.json()["detail"]
    assert item["loc"] == ["body", "learning_rate"] and item["type"] == "less_than_equal"
    assert item["ctx"] == {"le": 100.0}
    gate = client.post("/api/sessions", json={"dataset": "and", "test_fraction": 0.5})
    [item] = gate.json()["detail"]
    assert item["code"] == "gates_no_test" and item["msg"].startswith("the logic gates")  # English stays


def test_every_refusal_the_page_can_meet_has_words_in_every_catalog(client: TestClient) -> None:
    """A refusal comes with a code the catalogs say (the service's own) or a schema type they
    say (pydantic's), with its numbers."""
    from app.i18n import LANGUAGES, catalog

    state = client.post("/api/sessions", json={"dataset": "xor"}).json()
    auth = {"Authorization": f"Bearer {state['control_token']}"}
    too_much = client.post(f"/api/sessions/{state['id']}/step", json={"samples": 2_000_000}, headers=auth)
    [item] = too_much.json()["detail"]
    assert (item["type"], item["ctx"]) == ("less_than_equal", {"le": 1_000_000})
    codes = ["samples_per_call", "points_empty", "plot_features_pair", "hidden_units_range",
             "epochs_per_call", "hidden_needs_random"]  # fmt: skip
    for lang in LANGUAGES:
        words = catalog(lang)
        assert "error.type.less_than_equal" in words
        assert [c for c in codes if f"error.code.{c}" not in words] == [], lang
