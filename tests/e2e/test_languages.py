"""The page in English, Spanish and French in a real browser: its buttons and labels, the status
after a gate converges, a lesson's title, numbers written the language's way, errors said in the
language, and the switch that changes language without losing the run."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.i18n import LANGUAGES, translate
from tests.e2e.conftest import Pages
from tests.e2e.helpers import MINUS, button, control

AND = "dataset=and&activation=step&lr=1&bias=1"
ENGLISH_WORDS = re.compile(r"\b(the|of|with|weights|epochs?|samples?|update|press|training|step)\b", re.I)


def converged_after(server_url: str) -> int:
    """The epochs the perceptron needs on AND (zero weights, η = 1), asked of the API."""
    made = httpx.post(f"{server_url}/api/sessions", json={"dataset": "and", "activation": "step"}).json()
    auth = {"Authorization": f"Bearer {made['control_token']}"}
    for epoch in range(1, 11):
        state = httpx.post(f"{server_url}/api/sessions/{made['id']}/step", json={"epochs": 1}, headers=auth).json()
        if state["status"] == "converged":
            return epoch
    raise AssertionError("AND did not converge in 10 epochs")


def shown_words(page: Page) -> str:
    """What a person reads or hears: the visible text, and the names given to things."""
    return str(page.evaluate("""() => [document.body.innerText,
        ...[...document.querySelectorAll('[aria-label], [title], [alt]')].filter((e) => e.checkVisibility?.() !== false)
          .map((e) => [e.getAttribute('aria-label'), e.getAttribute('title'), e.getAttribute('alt')].join(' '))].join(' ')"""))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_speaks_its_language_and_a_gate_converges_in_it(pages: Pages, lang: str) -> None:
    page = pages.new(f"/?{AND}&lang={lang}")
    t = lambda key, **params: translate(lang, key, **params)  # noqa: E731
    expect(page.locator("html")).to_have_attribute("lang", lang)
    for key in ("transport.play", "transport.step", "transport.step_sample", "transport.reset",
                "share.button", "top.presenter", "top.fullscreen", "top.help"):  # fmt: skip
        expect(button(page, t(key))).to_be_visible()
    for key in ("field.dataset", "field.activation", "field.learning_rate", "field.use_bias", "top.language"):
        expect(control(page, t(key))).to_be_attached()
    expect(control(page, t("field.dataset"))).to_have_value("and")
    expect(page.get_by_role("status")).to_have_text(t("status.ready"))
    button(page, t("transport.play")).click()
    epochs = converged_after(pages.server.url)
    expect(page.get_by_role("status")).to_have_text(t("status.converged", count=epochs), timeout=15_000)
    expect(page.locator("#stats")).to_contain_text(t("stats.epoch", n=epochs))
    comma = lang != "en"  # a decimal comma: lists of numbers take semicolons
    expect(page.locator("#params")).to_have_text(f"w = [2; 1]; b = {MINUS}3" if comma else f"w = [2, 1], b = {MINUS}3")
    expect(button(page, t("transport.play"))).to_be_visible()  # it stopped by itself
    if lang != "en":
        found = ENGLISH_WORDS.findall(shown_words(page))
        assert not found, found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_lesson_reads_in_the_language_with_its_numbers(pages: Pages, lang: str) -> None:
    page = pages.new(f"/?lesson=4&lang={lang}")
    title = translate(lang, "lesson.sigmoid-learns-or.title")
    expect(page.locator("#lesson-title")).to_have_text(translate(lang, "lessons.title", n=4, title=title))
    expect(page.locator("#lesson-text")).to_contain_text({"en": "η = 0.05", "es": "η = 0,05", "fr": "η = 0,05"}[lang])
    page.locator("#lessons-menu summary").click()
    expect(page.get_by_role("link", name=f"4. {title}")).to_have_attribute("href", f"?lesson=4&lang={lang}")
    expect(page.locator("#speed option:checked")).to_have_text(translate(lang, "speed.option", count=300))


def test_a_refused_value_is_said_in_the_pages_language(pages: Pages) -> None:
    page = pages.new("/?dataset=and&lang=fr")
    rate = control(page, "Taux d'apprentissage")
    rate.fill("500")
    rate.press("Enter")
    why = translate("fr", "error.between", min="0,0001", max="100")
    expect(page.get_by_role("status")).to_contain_text(
        translate("fr", "error.invalid_field", field="Taux d'apprentissage", why=why))
    link = pages.new("/?dataset=or&lr=500&lang=es")
    expect(link.get_by_role("status")).to_contain_text("(Tasa de aprendizaje: debe ser como máximo 100)")
    watch = pages.watches[-1]
    watch.errors[:] = [e for e in watch.errors if "status of 422" not in e]  # the refused request itself


def test_the_browsers_language_is_the_default(pages: Pages) -> None:
    page = pages.new(f"/?{AND}", locale="es-MX")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(button(page, "Iniciar")).to_be_visible()


def test_switching_language_keeps_the_run_and_is_remembered(pages: Pages) -> None:
    page = pages.new(f"/?{AND}")
    button(page, "Step").click()
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 2 ·")
    session = page.locator("#export").get_attribute("href")
    control(page, "Language").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#stats")).to_contain_text("époque 2 ·")  # the same run, in French
    assert page.locator("#export").get_attribute("href") == session
    assert "lang=fr" in page.url and "dataset=and" in page.url
    button(page, "Partager").click()
    link = page.get_by_label("Lien des élèves").input_value()
    assert link.endswith("&lang=fr"), link
    again = page.context.new_page()  # the saved choice: a plain link opens in French
    again.goto(pages.server.url + "/?dataset=or")
    expect(again.locator("html")).to_have_attribute("lang", "fr")
    expect(button(again, "Lancer")).to_be_visible()


@pytest.mark.parametrize("lang", ["es", "fr"])
def test_the_services_own_sentences_are_said_in_the_pages_language(pages: Pages, lang: str) -> None:
    """Error frames carry a code beside the API's English sentence, and REST answers a status:
    the page's own modules turn both into the page's language (the refusals themselves are
    tested on the stream, where the codes are sent)."""
    page = pages.new(f"/?{AND}&lang={lang}")
    expect(page.get_by_role("status")).to_have_text(translate(lang, "status.ready"))
    said = page.evaluate("""async () => {
      const api = await import('/static/js/api.js');
      return [api.said('the session store could not save this change', 'not_stored'),
              api.said('too many messages: at most 50 a second', 'too_many_messages', { max: 50 }),
              new api.ApiError(409, 'the session changed meanwhile; reload it and try again').message,
              api.said('a sentence the catalog has no code for')];
    }""")
    assert said == [translate(lang, "error.said.not_stored"),
                    translate(lang, "error.said.too_many_messages", max=50),
                    translate(lang, "error.status.409"),
                    "a sentence the catalog has no code for"]  # fmt: skip
