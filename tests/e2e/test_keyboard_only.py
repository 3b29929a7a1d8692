"""Every action from the keyboard alone: Tab reaches every control the page shows, each one
visibly marked while it has focus, and play, step, reset, the dataset, a lesson and the help are
worked with Tab, Enter, Space and the arrows, and so are the timeline, slow motion and the metrics
(the single-key shortcuts are tests/e2e/test_keys.py)."""

from __future__ import annotations

import re

import numpy as np
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, epoch, png_pixels, query, samples_seen

# Tall enough that nothing scrolls while tabbing: each control's spot stays put between the
# screenshot with focus and the one without.
TALL = {"width": 1366, "height": 2000}
# Everything a user can operate, as shown (not inside a closed <details>, not hidden).
OPERABLE = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
  .filter((e) => !e.disabled && e.checkVisibility({ visibilityProperty: true }) && !e.closest('dialog:not([open])'))
  .map((e) => e.id || e.textContent.trim())"""
FOCUSED = """() => { const e = document.activeElement;
  return e === document.body ? null : e.id || e.textContent.trim(); }"""
RING = 10  # px around a control where its focus indicator may draw (outline, offset, shadow)
MIN_CHANGED_PIXELS = 150  # a 3 px ring around even a checkbox changes more than a thousand


def tab_order(page: Page) -> list[str]:
    """Tab from the top of the page until focus comes back round: what took it, in order."""
    seen: list[str] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        name = page.evaluate(FOCUSED)
        if name is None or (seen and name == seen[0]):
            return seen
        seen.append(name)
    raise AssertionError(f"Tab never came back round: {seen}")


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element the selector names has focus (as a keyboard user would)."""
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def ring_area(page: Page) -> dict[str, float]:
    box = page.evaluate("""() => { const r = (document.activeElement.matches('input[type=file]')
        ? document.activeElement.labels[0] : document.activeElement).getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height }; }""")
    return {"x": max(0, box["x"] - RING), "y": max(0, box["y"] - RING),
            "width": box["width"] + 2 * RING, "height": box["height"] + 2 * RING}  # fmt: skip


def test_tab_reaches_every_control_and_shows_where_focus_is(pages: Pages) -> None:
    page = pages.new("/?dataset=and", viewport=TALL)
    for k in (1, 2):  # a history, so that the timeline has epochs to go through
        page.keyboard.press("s")
        expect(page.locator("#stats")).to_contain_text(f"epoch {k} ·")
    expect(page.get_by_label("Timeline", exact=True)).to_be_enabled()
    shown = page.evaluate(OPERABLE)
    focused: list[tuple[str, dict[str, float], bytes]] = []
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    while True:
        name = page.evaluate(FOCUSED)
        area = ring_area(page)
        focused.append((name, area, page.screenshot(clip=area)))
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) in (None, first):
            break
        assert len(focused) < 200, "Tab never came back round"
    names = [name for name, _, _ in focused]
    assert sorted(names) == sorted(shown), "every control the page shows takes focus, once"
    for wanted in ("Lessons", "play", "step", "step-sample", "reset", "dataset", "presenter", "help-open",
                   "timeline", "trail", "slow-motion", "Metrics"):
        assert wanted in names
    assert names.index("dataset") < names.index("learning_rate") < names.index("play")
    page.evaluate("() => document.activeElement.blur()")
    page.wait_for_timeout(100)
    unmarked = []
    for name, area, with_focus in focused:
        without = png_pixels(page.screenshot(clip=area))
        changed = int(np.any(png_pixels(with_focus) != without, axis=2).sum())
        if changed < MIN_CHANGED_PIXELS:
            unmarked.append((name, changed))
    assert unmarked == [], "a control shows no focus indicator"


def test_play_step_and_reset_from_the_keyboard(pages: Pages) -> None:
    page = pages.new("/?dataset=and&fps=2")
    status = page.get_by_role("status")
    tab_to(page, "#play")
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Running")
    expect(button(page, "Pause")).to_be_focused()  # the same button, named for what it does now
    page.keyboard.press("Enter")
    expect(status).to_contain_text("Paused")
    page.keyboard.press("Tab")
    expect(button(page, "Step")).to_be_focused()
    before = epoch(page)
    page.keyboard.press("Enter")
    expect(page.locator("#stats")).to_contain_text(f"epoch {before + 1} ·")
    page.keyboard.press("Tab")
    seen = samples_seen(page)
    page.keyboard.press("Space")  # a focused button takes Space itself: one sample, not Play
    expect(page.locator("#stats")).to_contain_text(f"samples seen {seen + 1} ")
    expect(status).not_to_contain_text("Running")
    page.keyboard.press("Tab")
    expect(button(page, "Reset")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#stats")).to_contain_text("epoch 0 · samples seen 0 · updates 0")


def test_choose_a_dataset_and_a_lesson_from_the_keyboard(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    tab_to(page, "#dataset")
    page.keyboard.press("ArrowDown")  # the next set in the menu: OR
    expect(page.locator("#dataset")).to_have_value("or")
    page.wait_for_function("() => new URLSearchParams(location.search).get('dataset') === 'or'")
    expect(page.locator("#samples tbody tr").nth(1)).to_contain_text("1")

    page.keyboard.press("Shift+Tab")  # back up past the brand to the lessons menu
    while not page.evaluate("() => document.activeElement.matches('#lessons-menu summary')"):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#lesson-list")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#lesson-list a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Lesson 1: "))).to_be_visible()
    expect(page.locator("#lesson-list")).to_be_hidden()
    assert query(page)["lesson"] == "1"
    tab_to(page, "#lesson-next")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Lesson 2: "))).to_be_visible()
    assert query(page)["lesson"] == "2"


def test_the_help_opens_and_closes_from_the_keyboard_and_focus_comes_back(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    tab_to(page, "#help-open")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    assert page.evaluate("() => document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button(page, "Help")).to_be_focused()


def test_the_embedded_view_is_worked_from_the_keyboard(pages: Pages) -> None:
    page = pages.new("/?embed=1&dataset=and&fps=10", viewport={"width": 400, "height": 300})
    assert tab_order(page) == ["play", "step", "step-sample", "reset", "open-full"]
    tab_to(page, "#step")
    page.keyboard.press("Enter")
    expect(page.locator("#stats")).to_contain_text("epoch 1 ·")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Converged", timeout=15_000)


def test_the_timeline_slow_motion_and_metrics_from_the_keyboard(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    for k in range(1, 4):
        page.keyboard.press("s")
        expect(page.locator("#stats")).to_contain_text(f"epoch {k} ·")
    tab_to(page, "#timeline")
    page.keyboard.press("Home")
    expect(page.locator("#timeline-epoch")).to_have_text("epoch 0 of 3 (recorded)")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#timeline-epoch")).to_have_text("epoch 1 of 3 (recorded)")
    page.keyboard.press("Tab")
    expect(button(page, "Resume from here")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#timeline-note")).to_contain_text("Resumed from epoch 1")
    expect(page.locator("#timeline-epoch")).to_have_text("live · epoch 3")
    tab_to(page, "#slow-motion")
    page.keyboard.press("Space")
    expect(page.get_by_label("Slow motion", exact=True)).to_be_checked()
    tab_to(page, "#metrics-panel summary")
    page.keyboard.press("Enter")
    expect(page.locator("#metrics-body")).to_be_visible()
    expect(page.locator("#confusion-train")).to_contain_text("predicted")
