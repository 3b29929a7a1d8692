"""Dragging the boundary line while paused: the middle moves it, an end turns it; a viewer cannot."""

from __future__ import annotations

import math
import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import MINUS, button, query

SQRT2 = math.sqrt(2)


def type_parameters(page: Page, bias: bool = True) -> None:
    """Type w = [1, 1] and b = −1 (b stays 0 without a bias), each once the last one is in."""
    steps = [("w1 (x1)", "1", "w = [1, 0]"), ("w2 (x2)", "1", "w = [1, 1], b = 0")]
    if bias:
        steps.append(("b (bias)", "-1", f"w = [1, 1], b = {MINUS}1"))
    for label, value, shown in steps:
        page.get_by_label(label).fill(value)
        page.get_by_label(label).press("Enter")
        expect(page.locator("#params")).to_contain_text(shown)


def session(page: Page) -> dict[str, Any]:
    """The session as the server has it (the page's own id, from its export link)."""
    href = page.locator("#export").get_attribute("href")
    assert href is not None
    found = re.fullmatch(r"/api/sessions/([^/]+)/export\.py", href)
    assert found, href
    response = page.request.get(page.url.split("/?")[0] + f"/api/sessions/{found.group(1)}")
    assert response.ok
    return response.json()  # type: ignore[no-any-return]


def settled(page: Page) -> dict[str, Any]:
    """The session once the frames of a drag have stopped coming (two reads alike, 150 ms apart)."""
    last = session(page)
    for _ in range(30):
        page.wait_for_timeout(150)
        now = session(page)
        if (now["weights"], now["bias"]) == (last["weights"], last["bias"]):
            return now
        last = now
    raise AssertionError(f"still changing: {last['weights']}, {last['bias']}")


def to_screen(page: Page, view: list[float], x: float, y: float) -> tuple[float, float]:
    """A data point's place on screen, by the plot's own layout (canvas.js Plot.layout)."""
    box = page.evaluate(
        """() => {
          const c = document.getElementById('plot');
          const font = parseFloat(getComputedStyle(c).fontSize) || 14;
          const r = c.getBoundingClientRect();
          const [left, top] = [Math.round(font * 3.6), Math.round(font * 0.8)];
          return { x: r.left + left, y: r.top + top, width: r.width - left - Math.round(font * 1.2),
                   height: r.height - top - Math.round(font * 3) };
        }"""
    )
    x0, x1, y0, y1 = view
    return (box["x"] + (x - x0) / (x1 - x0) * box["width"], box["y"] + (y1 - y) / (y1 - y0) * box["height"])


def drag(page: Page, start: tuple[float, float], by: tuple[float, float], steps: int = 8) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + by[0], start[1] + by[1], steps=steps)
    page.mouse.up()


def line_on_screen(page: Page) -> tuple[tuple[float, float], tuple[float, float], dict[str, Any]]:
    state = session(page)
    (ax, ay), (bx, by) = state["boundary"]["line"]
    view = state["boundary"]["view"]
    return to_screen(page, view, ax, ay), to_screen(page, view, bx, by), state


def midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def test_dragging_the_middle_moves_the_line_parallel(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    expect(page.locator("#drag-hint")).to_be_hidden()  # w = 0: no line to drag
    type_parameters(page)
    expect(page.locator("#drag-hint")).to_be_visible()
    a, b, before = line_on_screen(page)
    assert before["boundary"]["line"] == [[-0.25, 1.25], [1.25, -0.25]]
    middle = midpoint(a, b)
    page.mouse.move(middle[0] + 4, middle[1] + 4)  # within reach, not on the line itself
    expect(page.locator("#plot")).to_have_css("cursor", "grab")
    drag(page, (middle[0] + 4, middle[1] + 4), (60, 0))
    expect(page.locator("#params")).not_to_have_text(f"w = [1, 1], b = {MINUS}1")
    expect(page.locator("#params")).to_have_text(re.compile(rf"^w = \[1, 1\], b = {MINUS}1\.\d+$"))
    after = settled(page)
    width = b[0] - a[0]  # the line spans the view, 1.5 wide
    assert after["weights"] == [1.0, 1.0]
    assert abs(after["bias"] - (-1 - 60 * 1.5 / width)) < 0.01  # moved right by 60 px' worth
    assert after["epoch"] == 0 and after["status"] != "running"
    expect(page.get_by_label("b (bias)")).not_to_have_value("-1")


def test_dragging_an_end_turns_the_line_about_the_other_end(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    type_parameters(page)
    a, _, before = line_on_screen(page)
    drag(page, (a[0] + 3, a[1] + 3), (0, 90))  # the top-left end, pulled down
    expect(page.locator("#params")).not_to_have_text(f"w = [1, 1], b = {MINUS}1")
    after = settled(page)
    w, bias = after["weights"], after["bias"]
    assert abs(math.hypot(*w) - SQRT2) < 1e-6
    assert abs(w[0] - w[1]) > 0.1  # turned
    assert w[0] + w[1] > 0  # the class-1 side stayed on the same side
    pivot = before["boundary"]["line"][1]
    assert abs(w[0] * pivot[0] + w[1] * pivot[1] + bias) < 1e-9  # about the other end
    expect(page.get_by_label("w1 (x1)")).not_to_have_value("1")


def test_a_viewer_cannot_drag_the_line(pages: Pages) -> None:
    teacher = pages.new("/?dataset=and")
    type_parameters(teacher)
    button(teacher, "Share live").click()
    link = teacher.get_by_label("Students' link").input_value()
    student = pages.new(link.removeprefix(teacher.url.split("/?")[0]))
    expect(student.locator("#params")).to_have_text(f"w = [1, 1], b = {MINUS}1")
    expect(student.locator("#drag-hint")).to_be_hidden()
    a, b, before = line_on_screen(student)
    middle = midpoint(a, b)
    student.mouse.move(*middle)
    expect(student.locator("#plot")).not_to_have_css("cursor", "grab")
    drag(student, middle, (60, 0))
    drag(student, a, (0, 90))
    after = settled(student)
    assert (after["weights"], after["bias"]) == (before["weights"], before["bias"])
    expect(teacher.locator("#params")).to_have_text(f"w = [1, 1], b = {MINUS}1")


def test_no_drag_while_playing(pages: Pages) -> None:
    page = pages.new("/?dataset=xor&fps=2")
    type_parameters(page)
    button(page, "Play").click()
    expect(page.locator("#drag-hint")).to_be_hidden()
    expect(page.get_by_label("w1 (x1)")).to_be_disabled()


def test_on_a_custom_set_a_press_on_the_line_drags_and_adds_no_point(pages: Pages) -> None:
    page = pages.new("/?dataset=custom")
    type_parameters(page)
    points = query(page)["pts"]
    a, b, _ = line_on_screen(page)
    middle = midpoint(a, b)
    page.mouse.click(*middle)  # a click on the line: neither a point nor a change
    drag(page, middle, (-50, 0))
    expect(page.locator("#params")).to_have_text(re.compile(rf"^w = \[1, 1\], b = {MINUS}0\.\d+$"))
    settled(page)
    assert query(page)["pts"] == points


def test_without_a_bias_the_line_turns_about_the_origin(pages: Pages) -> None:
    page = pages.new("/?dataset=and&bias=0")
    type_parameters(page, bias=False)
    a, _, _ = line_on_screen(page)  # from (−0.25, 0.25) to (0.25, −0.25)
    drag(page, a, (0, -40))
    expect(page.locator("#params")).not_to_have_text("w = [1, 1], b = 0")
    after = settled(page)
    assert after["bias"] == 0 and abs(math.hypot(*after["weights"]) - SQRT2) < 1e-6


def test_a_finger_drags_the_line_and_scrolls_the_page_elsewhere(pages: Pages) -> None:
    page = pages.new("/?dataset=and", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    type_parameters(page)
    page.locator("#plot").scroll_into_view_if_needed()
    cdp = page.context.new_cdp_session(page)

    def swipe(start: tuple[float, float], by: tuple[float, float]) -> None:
        def touch(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", *start)
        for k in range(1, 9):
            touch("touchMove", start[0] + by[0] * k / 8, start[1] + by[1] * k / 8)
        touch("touchEnd", 0, 0)

    a, b, _ = line_on_screen(page)
    scrolled = page.evaluate("scrollY")
    swipe(midpoint(a, b), (40, -60))
    expect(page.locator("#params")).to_have_text(re.compile(rf"^w = \[1, 1\], b = {MINUS}1\.\d+$"))
    assert page.evaluate("scrollY") == scrolled  # the line moved, not the page
    swipe(to_screen(page, session(page)["boundary"]["view"], 1.1, 1.1), (0, -200))
    page.wait_for_function(f"() => scrollY > {scrolled}")  # off the line, a swipe scrolls
