"""Watching training over time and looking inside, in a real browser: the timeline (scrub,
live, Resume from here), slow motion (skipping, reduced motion), the trail toggle, and the loss
landscape's path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import MINUS, button, control

PARAMS = "#params"


def trained_and(pages: Pages, epochs: int = 6, **options: object) -> Page:
    """The AND perceptron of the tutorial, stepped epoch by epoch (it converges at epoch 6)."""
    page = pages.new("/?dataset=and", **options)
    for k in range(1, epochs + 1):
        page.keyboard.press("s")
        expect(page.locator("#stats")).to_contain_text(f"epoch {k} ·")
    return page


def api(page: Page, path: str = "") -> str:
    """This page's session's REST address (the export link names it)."""
    href = page.locator("#export").get_attribute("href") or ""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    return origin + href.removesuffix("/export.py") + path


def session_of(page: Page) -> dict[str, Any]:
    return page.request.get(api(page)).json()


def test_scrubbing_to_epoch_2_shows_it_without_changing_the_session_then_resume(
        pages: Pages, tmp_path: Path) -> None:  # fmt: skip
    page = trained_and(pages)
    timeline = control(page, "Timeline")
    expect(page.locator("#timeline-epoch")).to_have_text("live · epoch 6")
    expect(timeline).to_have_attribute("max", "6")  # epochs 0–5 recorded, then live
    timeline.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # The tutorial's second epoch: w = [2, 1], b = −1; its table has (0,1) and (1,0) wrong.
    expect(page.locator(PARAMS)).to_have_text(f"w = [2, 1], b = {MINUS}1")
    expect(page.locator("#timeline-epoch")).to_have_text("epoch 2 of 6 (recorded)")
    expect(page.locator("#table-note")).to_contain_text("2 misclassified")
    expect(page.locator("#stats")).to_contain_text("epoch 2 ·")
    # The history keeps weights, not updates: the panel says so rather than "no update yet".
    expect(page.locator("#update")).to_have_text("Epoch 2 as recorded: the history keeps each "
                                                 "epoch's weights, not the updates made during it.")  # fmt: skip
    state = session_of(page)
    assert (state["weights"], state["bias"], state["epoch"]) == ([2.0, 1.0], -3.0, 6)

    page.keyboard.press("End")  # the end of the track is the live view again
    expect(page.locator(PARAMS)).to_have_text(f"w = [2, 1], b = {MINUS}3")
    expect(page.locator("#update")).not_to_contain_text("as recorded")
    expect(button(page, "Resume from here")).to_be_hidden()

    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(PARAMS)).to_have_text(f"w = [2, 1], b = {MINUS}1")
    button(page, "Resume from here").click()
    expect(page.locator("#timeline-epoch")).to_have_text("live · epoch 6")
    expect(page.locator("#timeline-note")).to_contain_text("Resumed from epoch 2")
    expect(page.locator(PARAMS)).to_have_text(f"w = [2, 1], b = {MINUS}1")
    state = session_of(page)
    assert (state["weights"], state["bias"]) == ([2.0, 1.0], -1.0)

    page.keyboard.press("Shift+S")  # train on from there; the export replays all of it
    # 6 epochs of 4 samples, then one more: (0,0) with z = −1 is right, so no update (11 in all)
    expect(page.locator("#stats")).to_contain_text("samples seen 25 · updates 11")
    final = session_of(page)
    script = tmp_path / "neuron.py"
    script.write_text(page.request.get(api(page, "/export.py")).text())
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    replayed = json.loads(out.stdout)
    assert (replayed["weights"], replayed["bias"]) == (final["weights"], final["bias"])


def test_slow_motion_plays_a_sample_step_and_any_key_skips_it(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    caption = page.locator("#slowmo")
    control(page, "Slow motion").check()
    # Sample 1 is (0,0) with target 0: z = 0 says 1, so e = −1 and b moves from 0 to −1.
    button(page, "Step sample").click()
    expect(caption).to_be_visible()
    expect(caption).to_contain_text("Sample 1: x = [0, 0], target d = 0")
    expect(page.locator(PARAMS)).to_have_text("w = [0, 0], b = 0")  # the update not shown yet
    page.keyboard.press("x")  # any key
    expect(caption).to_be_hidden()
    expect(page.locator(PARAMS)).to_have_text(f"w = [0, 0], b = {MINUS}1")

    button(page, "Step sample").click()  # left alone, it plays out by itself in about a second
    expect(caption).to_be_visible()
    expect(caption).to_have_attribute("data-phase", "compare", timeout=2000)
    expect(caption).to_be_hidden(timeout=2000)
    # sample 2 is (0,1): z = 0·0 + 0·1 − 1 = −1 says 0, right, so only sample 1 changed anything
    expect(page.locator("#stats")).to_contain_text("samples seen 2 · updates 1")

    page.keyboard.press("p")  # presenter mode turns it on by default, unless chosen otherwise
    expect(control(page, "Slow motion")).to_be_checked()


def test_slow_motion_is_instant_under_reduced_motion(pages: Pages) -> None:
    page = pages.new("/?dataset=and", reduced_motion="reduce")
    control(page, "Slow motion").check()
    page.evaluate("""() => {
      window.slowmoSeen = false;
      new MutationObserver(() => { if (!document.getElementById('slowmo').hidden) window.slowmoSeen = true; })
        .observe(document.getElementById('slowmo'), { attributes: true });
    }""")
    button(page, "Step sample").click()
    expect(page.locator(PARAMS)).to_have_text(f"w = [0, 0], b = {MINUS}1")
    assert page.evaluate("() => window.slowmoSeen") is False


def test_the_trail_fades_behind_the_line_and_its_toggle_hides_it(pages: Pages) -> None:
    page = trained_and(pages, epochs=3)
    plot = page.locator("#plot")
    expect(plot).not_to_have_attribute("data-trail", "0")
    with_trail = page.evaluate("() => document.getElementById('plot').toDataURL()")
    control(page, "Trail").uncheck()
    expect(plot).to_have_attribute("data-trail", "0")
    assert page.evaluate("() => document.getElementById('plot').toDataURL()") != with_trail


def test_the_landscape_draws_the_path_and_follows_the_timeline(pages: Pages) -> None:
    page = trained_and(pages)
    landscape = page.locator("#landscape")
    expect(landscape).to_have_attribute("data-path-points", "7")  # epochs 0 to 6
    expect(landscape).to_have_attribute("data-current", "[2,1]")
    expect(page.locator("#landscape-note")).to_contain_text("Misclassified training samples")
    control(page, "Timeline").focus()
    page.keyboard.press("Home")  # epoch 0: the path's start, the origin
    expect(landscape).to_have_attribute("data-current", "[0,0]")


def test_without_a_bias_the_landscape_says_why_the_line_passes_through_the_origin(pages: Pages) -> None:
    page = pages.new("/?lesson=5")
    expect(page.locator("#landscape-note")).to_contain_text("passes through the origin")
