"""The accessibility audit: axe-core finds no violation on the page in every state a class sees
it in (normal, playing, presenter mode, a phone, the embedded view, dialogs and menus open, a
student following, the timeline scrubbed, slow motion, the landscape and the metrics), and it does
find the violations it is shown, so a clean run means something."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect

from app.i18n import LANGUAGES

from tests.conftest import ServerProcess
from tests.e2e.audit import explain, violations
from tests.e2e.conftest import Pages
from tests.e2e.helpers import button

PHONE = {"width": 390, "height": 844}


# What a user does before axe looks goes by element, not by name: the page may be in any language.
def playing(page: Page) -> None:
    play = page.locator("#play")
    name = play.inner_text()
    play.click()
    expect(play).not_to_have_text(name)  # Play became Pause: the run is on
    page.wait_for_timeout(400)  # frames keep arriving while axe reads the page


def opening(summary: str) -> Callable[[Page], None]:
    return lambda page: page.locator(summary).click()


def pressing(key: str) -> Callable[[Page], None]:
    return lambda page: page.keyboard.press(key)


def clicking(name: str) -> Callable[[Page], None]:
    def click(page: Page) -> None:
        button(page, name).click()
        expect(page.locator("dialog[open]")).to_be_visible()

    return click


@dataclass(frozen=True)
class Variant:
    """A state of the page: its link, its viewport, and what a user did before axe looks."""

    name: str
    query: str
    viewport: dict[str, int] | None = None
    then: Callable[[Page], None] | None = None


VARIANTS = [
    Variant("normal", "/?dataset=and"),
    Variant("playing", "/?dataset=xor&fps=10", then=playing),
    Variant("presenter", "/?dataset=breast_cancer&present=1"),
    Variant("thirty-weights-stepped", "/?lesson=7", then=pressing("s")),
    Variant("thirty-weights-phone", "/?lesson=7", PHONE, pressing("s")),
    Variant("presenter-playing", "/?dataset=xor&present=1&fps=10", then=playing),
    Variant("phone", "/?dataset=and", PHONE),
    Variant("phone-presenter", "/?dataset=breast_cancer&present=1", PHONE),
    Variant("embed", "/?embed=1&dataset=and", {"width": 400, "height": 300}),
    Variant("embed-playing", "/?embed=1&dataset=xor&fps=10", {"width": 800, "height": 600}, playing),
    Variant("lesson", "/?lesson=1&fps=10", then=playing),
    Variant("network", "/?lesson=8"),
    Variant("custom-points", "/?dataset=custom"),
    Variant("more-settings", "/?dataset=blobs", then=opening("#more summary")),
    Variant("lessons-menu", "/?dataset=and", then=opening("#lessons-menu summary")),
    Variant("help", "/?dataset=and", then=pressing("?")),
    Variant("share", "/?dataset=and", then=clicking("Share live")),
    Variant("paste-csv", "/?dataset=and", then=clicking("Paste CSV")),
]
def trained(epochs: int) -> Callable[[Page], None]:
    def train(page: Page) -> None:
        for k in range(1, epochs + 1):
            page.keyboard.press("s")
            expect(page.locator("#stats")).to_contain_text(re.compile(rf"\b{k} ·"))

    return train


def scrubbed(page: Page) -> None:
    """Six epochs of AND, then the timeline back to epoch 1: the recorded view, Resume shown."""
    trained(6)(page)
    page.get_by_label("Timeline", exact=True).focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    expect(button(page, "Resume from here")).to_be_visible()


def in_slow_motion(page: Page) -> None:
    page.locator("#slow-motion").check()
    page.locator("#step-sample").click()
    expect(page.locator("#slowmo")).to_be_visible()


def metrics_open(page: Page) -> None:
    trained(3)(page)
    expect(page.locator("#metrics-panel")).to_have_attribute("open", "")
    expect(page.locator("#roc-curve")).to_be_visible()


# Issue 12's panels: the timeline, slow motion, the activation curve, the landscape, the metrics.
VARIANTS += [
    Variant("timeline-scrubbed", "/?dataset=and", then=scrubbed),
    Variant("slow-motion", "/?dataset=and", then=in_slow_motion),
    Variant("slow-motion-presenter", "/?dataset=and&present=1", then=in_slow_motion),
    Variant("activation-landscape", "/?lesson=4", then=trained(3)),
    Variant("metrics", "/?lesson=7", then=metrics_open),
    Variant("metrics-phone", "/?lesson=7", PHONE, metrics_open),
    Variant("timeline-phone", "/?dataset=and", PHONE, scrubbed),
]
# Every state in English; in the other languages, the states §19 names (normal, playing,
# presenter, a phone, the embed view) plus the panels with the most words (the longer Spanish and
# French strings are what could break names, contrast or layout).
IN_EVERY_LANGUAGE = {"normal", "playing", "presenter", "phone", "embed", "lesson", "help",
                     "slow-motion", "metrics-phone"}  # fmt: skip
CASES = [(v, "en") for v in VARIANTS] + [
    (v, lang) for lang in LANGUAGES[1:] for v in VARIANTS if v.name in IN_EVERY_LANGUAGE]


def with_language(query: str, lang: str) -> str:
    return f"{query}&lang={lang}"


@pytest.mark.parametrize(("variant", "lang"), CASES, ids=lambda c: c if isinstance(c, str) else c.name)
def test_axe_finds_no_violation(pages: Pages, variant: Variant, lang: str) -> None:
    options = {"viewport": variant.viewport} if variant.viewport else {}
    page = pages.new(with_language(variant.query, lang), **options)
    if variant.then:
        variant.then(page)
    found = violations(page)
    assert not found, explain(found)


def test_axe_finds_no_violation_for_a_student_following(pages: Pages, app_server: ServerProcess) -> None:
    created = httpx.post(f"{app_server.url}/api/sessions", json={"dataset": "or"}, timeout=10).json()
    page = pages.new(f"/?session={created['id']}", viewport=PHONE)
    expect(page.get_by_text("Following", exact=True)).to_be_visible()
    found = violations(page)
    assert not found, explain(found)


def test_axe_finds_no_violation_on_the_join_page(pages: Pages) -> None:
    page = pages.new(None)
    page.goto(f"{pages.server.url}/join?code=00")  # with the problem it explains
    expect(page.get_by_role("alert")).to_contain_text("letters and digits")
    watch = pages.watches[-1]
    assert [e for e in watch.errors if "422" not in e] == []  # the refusal is the page's answer
    watch.errors.clear()
    found = violations(page)
    assert not found, explain(found)


def test_axe_reports_what_is_wrong(pages: Pages) -> None:
    """The audit is live: a field with no name and grey-on-white text are found, by rule."""
    page = pages.new("/?dataset=and")
    page.evaluate("""() => {
      const main = document.getElementById('main');
      main.insertAdjacentHTML('beforeend',
        '<input type="text" id="nameless"><p id="faint" style="color:#c8c8c8;background:#fff">faint words</p>');
    }""")
    found = {v["id"]: [n["target"] for n in v["nodes"]] for v in violations(page)}
    assert found == {"label": ["#nameless"], "color-contrast": ["#faint"]}


def test_the_plots_text_alternative_follows_training(pages: Pages) -> None:
    """The canvas says in words what it shows, and says it again as the neuron learns AND
    (perceptron from zeros: every sample counts as class 1 at first; the first sample, (0, 0)
    wrongly 1, takes the bias to -1 and leaves only (1, 1) wrong; none is wrong at the end)."""
    page = pages.new("/?dataset=and&fps=10")
    plot = page.get_by_role("img", name=re.compile("training points"))
    expect(plot).to_have_attribute("aria-label", "4 training points over x1 and x2, 3 misclassified, "
                                   "on the neuron's output with no boundary line in view.")  # fmt: skip
    button(page, "Step sample").click()
    expect(plot).to_have_attribute("aria-label", "4 training points over x1 and x2, 1 misclassified, "
                                   "on the neuron's output with no boundary line in view.")  # fmt: skip
    button(page, "Play").click()
    expect(page.get_by_role("status")).to_contain_text("Converged", timeout=15_000)
    expect(plot).to_have_attribute("aria-label", "4 training points over x1 and x2, 0 misclassified, "
                                   "on the neuron's output with its boundary line.")  # fmt: skip
