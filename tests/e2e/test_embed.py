"""The embeddable view in a real browser: /?embed=1 shows the plot, the transport and a link to
the whole page, fills its frame at any size, and trains inside an iframe of a page from another
origin, where the full page refuses to be framed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.conftest import ServerProcess, free_port
from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, control, query, serving_page

SHOWN = """() => [...document.querySelectorAll('body *')]
  .filter((e) => e.checkVisibility() && e.getBoundingClientRect().width > 1 && e.children.length === 0)
  .map((e) => e.id || e.textContent.trim())"""


def fits(page: Page) -> dict[str, float]:
    """The plot's size and whether the page scrolls (it must not: the frame is the page)."""
    return page.evaluate("""() => { const r = document.getElementById('plot').getBoundingClientRect();
      const d = document.documentElement;
      return { width: r.width, height: r.height, bottom: r.bottom,
               scrolls: d.scrollHeight > innerHeight || d.scrollWidth > innerWidth }; }""")


@pytest.mark.parametrize("size", [(400, 300), (640, 480), (1280, 800), (390, 844)])
def test_the_embed_view_is_the_plot_and_its_transport_filling_the_frame(
    pages: Pages, size: tuple[int, int]
) -> None:
    width, height = size
    page = pages.new("/?embed=1&dataset=or&lr=0.5", viewport={"width": width, "height": height})
    shown = page.evaluate(SHOWN)
    assert shown == ["play", "step", "step-sample", "reset", "plot", "open-full"]
    for hidden in ("Share live", "Presenter", "Help"):
        expect(button(page, hidden)).to_be_hidden()
    expect(control(page, "Dataset")).to_be_hidden()
    plot = fits(page)
    assert not plot["scrolls"] and plot["bottom"] <= height
    if height > width:  # a tall frame: a square as wide as it
        assert plot["height"] == pytest.approx(plot["width"], abs=1)
        assert plot["width"] >= width - 14
    else:  # all the height left, and as wide as that allows
        assert plot["height"] >= height - 90
        assert plot["width"] == pytest.approx(min(width - 13, 1.6 * plot["height"]), abs=2)
    link = page.get_by_role("link", name="Open the full playground")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", "/?dataset=or&activation=step&rule=perceptron&lr=0.5&bias=1")


def test_the_full_playground_link_opens_the_same_setup_whole(pages: Pages) -> None:
    page = pages.new("/?embed=1&dataset=xor&lr=0.25", viewport={"width": 400, "height": 300})
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Open the full playground").click()
    full = opened.value
    full.locator("#samples tbody tr").first.wait_for()
    assert "embed" not in query(full) and query(full)["dataset"] == "xor"
    expect(control(full, "Dataset")).to_have_value("xor")
    expect(control(full, "Learning rate")).to_have_value("0.25")
    expect(button(full, "Share live")).to_be_visible()
    full.close()


def test_an_embedded_class_is_followed_and_its_link_opens_the_class(
    pages: Pages, app_server: ServerProcess
) -> None:
    created = httpx.post(f"{app_server.url}/api/sessions", json={"dataset": "and"}, timeout=10).json()
    session_id, token = created["id"], created["control_token"]
    page = pages.new(f"/?embed=1&session={session_id}", viewport={"width": 400, "height": 300})
    assert page.evaluate(SHOWN) == ["plot", "open-full"]  # a student steers nothing
    link = page.get_by_role("link", name="Open the full playground")
    expect(link).to_have_attribute("href", re.compile(rf"^/\?dataset=and&.*session={session_id}$"))
    httpx.post(f"{app_server.url}/api/sessions/{session_id}/step", json={"epochs": 6},
               headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    expect(page.get_by_role("status")).to_contain_text("Converged")


COURSE_PAGE = """<!doctype html><html lang="en"><title>Week 1: the perceptron</title>
<h1>Week 1</h1>
<iframe id="embed" title="Neuron Playground" src="{app}/?embed=1&dataset=and&fps=10" width="420" height="320"></iframe>
<iframe id="whole" title="The whole playground" src="{app}/?dataset=and" width="420" height="320"></iframe>
"""


def serving_course_page(app_url: str, port: int = 0) -> AbstractContextManager[str]:
    """A course page on another origin that embeds the playground twice: the view made for it,
    and the full page (which must refuse)."""
    return serving_page(COURSE_PAGE.format(app=app_url), port)


def frame_of(page: Page, iframe: str) -> Frame:
    frame = page.locator(iframe).element_handle().content_frame()
    assert frame is not None
    return frame


def refused(frame: Frame) -> bool:
    """Chromium shows its error page in a frame whose document forbids the framing."""
    return frame.url.startswith("chrome-error:") and frame.locator("#plot").count() == 0


def test_a_course_page_on_another_origin_embeds_the_view_and_trains_in_it(
    browser: Browser, app_server: ServerProcess
) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        with serving_course_page(app_server.url) as course:
            page = context.new_page()
            page.goto(course)
            embed = page.frame_locator("#embed")
            embed.locator("#samples tbody tr").first.wait_for(state="attached")
            embed.get_by_role("button", name="Play").click()
            expect(embed.get_by_role("status")).to_contain_text("Converged after 6 epochs", timeout=15_000)
            expect(embed.locator("#stats")).to_contain_text("epoch 6 ·")
            expect(embed.get_by_role("img", name="4 training points over x1 and x2, 0 misclassified, "
                                     "on the neuron's output with its boundary line.")).to_be_visible()  # fmt: skip
            page.wait_for_load_state("load")  # both frames have answered
            assert refused(frame_of(page, "#whole")), "the full page is framed by its own origin only"
            assert not refused(frame_of(page, "#embed"))
    finally:
        context.close()


@pytest.fixture
def strict_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, int]]:
    """A server whose embed view only one course site may frame (and the port that site uses)."""
    allowed_port = free_port()
    env = {"NEURON_FRAME_ANCESTORS": f"http://localhost:{allowed_port}"}
    proc = ServerProcess(tmp_path / "sessions.sqlite3", env=env).start()
    yield proc, allowed_port
    proc.stop()


def test_only_the_origins_set_may_frame_the_embed_view(
    browser: Browser, strict_server: tuple[ServerProcess, int]
) -> None:
    server, allowed_port = strict_server
    context = browser.new_context()
    try:
        with serving_course_page(server.url) as other:
            page = context.new_page()
            page.goto(other)
            page.wait_for_load_state("load")
            assert refused(frame_of(page, "#embed"))
        with serving_course_page(server.url, allowed_port) as allowed:
            page.goto(allowed)
            embed = page.frame_locator("#embed")
            expect(embed.get_by_role("button", name="Play")).to_be_visible()
            page.wait_for_load_state("load")
            assert not refused(frame_of(page, "#embed"))
            assert refused(frame_of(page, "#whole"))
    finally:
        context.close()
