"""A custom dataset: click adds a point, shift-click the other class, Clear points, taps on phones."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, control, epoch, query


def points_in_url(page: Page) -> list[tuple[float, float, int]]:
    raw = query(page).get("pts", "")
    rows = [chunk.split(",") for chunk in raw.split("_") if chunk]
    return [(float(x), float(y), int(c)) for x, y, c in rows]


def click_plot(page: Page, fx: float, fy: float, **options: object) -> None:
    """Click at a fraction of the plot's drawing area (inside the axes)."""
    box = page.locator("#plot").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, **options)  # type: ignore[arg-type]


def test_clicks_add_points_of_either_class(pages: Pages) -> None:
    page = pages.new("/?dataset=custom")
    expect(page.get_by_text("Click or tap the plot to add a point")).to_be_visible()
    start = points_in_url(page)
    assert len(start) == 4
    click_plot(page, 0.8, 0.2)
    page.wait_for_function(f"() => (new URL(location).searchParams.get('pts') ?? '').split('_').length === {len(start) + 1}")
    added = points_in_url(page)[-1]
    assert added[2] == 1 and added[0] > 0 and added[1] > 0  # top right, the chosen class 1
    page.keyboard.down("Shift")
    click_plot(page, 0.3, 0.7)
    page.keyboard.up("Shift")
    page.wait_for_function(f"() => (new URL(location).searchParams.get('pts') ?? '').split('_').length === {len(start) + 2}")
    assert points_in_url(page)[-1][2] == 0  # shift-click: the other class

    button(page, "Clear points").click()
    expect(page.get_by_role("status")).to_contain_text("Points cleared")
    click_plot(page, 0.5, 0.5)
    page.wait_for_function("() => (new URL(location).searchParams.get('pts') ?? '').split('_').length === 1")
    button(page, "Play").click()
    expect(page.get_by_role("status")).to_contain_text("Converged")


def test_choosing_custom_starts_from_the_points_on_screen(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    control(page, "Dataset").select_option("custom")
    page.wait_for_function("() => new URL(location).searchParams.get('dataset') === 'custom'")
    assert [p[2] for p in points_in_url(page)] == [0, 0, 0, 1]


def test_a_tap_adds_a_point_on_a_phone(pages: Pages) -> None:
    page = pages.new("/?dataset=custom", viewport={"width": 390, "height": 844}, is_mobile=True,
                     has_touch=True)  # fmt: skip
    control(page, "New point class").select_option("0")
    box = page.locator("#plot").bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    page.wait_for_function("() => (new URL(location).searchParams.get('pts') ?? '').split('_').length === 5")
    assert points_in_url(page)[-1][2] == 0


def test_points_are_not_placed_on_a_built_in_dataset(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    click_plot(page, 0.5, 0.5)
    page.wait_for_timeout(300)
    assert "pts" not in query(page)
    expect(page.locator("#custom-tools")).to_be_hidden()


def test_placed_points_are_an_upload_of_their_own_and_clear_removes_them(pages: Pages) -> None:
    """The session's config names the points' upload instead of carrying them; each click
    replaces that upload, and Clear points deletes it: a reload does not bring them back."""
    page = pages.new("/?dataset=custom")
    base = pages.server.url
    href = page.locator("#export").get_attribute("href")
    assert href is not None
    session_path = href.removesuffix("/export.py")
    with page.expect_response(lambda r: r.request.method == "POST" and "/api/datasets" in r.url) as made:
        click_plot(page, 0.8, 0.2)
    upload_id = made.value.json()["id"]
    page.wait_for_function(f"() => (new URL(location).searchParams.get('pts') ?? '').split('_').length === 5")
    rows = httpx.get(f"{base}/api/datasets/{upload_id}").json()
    assert len(rows["X"]) == 5 and rows["y"][-1] == 1
    assert rows["X"][-1] == [float(v) for v in points_in_url(page)[-1][:2]]
    deadline = time.monotonic() + 5
    while (config := httpx.get(f"{base}{session_path}").json()["config"])["dataset"] != upload_id:
        assert time.monotonic() < deadline, config
        time.sleep(0.05)
    assert config["points"] is None
    with page.expect_response(lambda r: r.request.method == "DELETE"):
        button(page, "Clear points").click()
    assert httpx.get(f"{base}/api/datasets/{upload_id}").status_code == 404
    page.wait_for_function("() => !new URL(location).searchParams.has('pts')")
    assert query(page)["dataset"] == "custom"


def colour_near(page: Page, x: float, y: float, rgb: tuple[int, int, int]) -> bool:
    """Whether the plot has a pixel of about this colour within 4 px of (x, y) on the screen."""
    return bool(page.evaluate(
        """([x, y, rgb]) => {
          const c = document.getElementById('plot');
          const r = c.getBoundingClientRect();
          const k = c.width / r.width;
          const d = c.getContext('2d').getImageData(Math.round((x - r.left - 4) * k),
            Math.round((y - r.top - 4) * k), Math.round(9 * k), Math.round(9 * k)).data;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 30) return true;
          }
          return false;
        }""",
        [x, y, list(rgb)],
    ))


def test_clicked_points_land_under_the_pointer_and_stay_there(pages: Pages) -> None:
    page = pages.new("/?dataset=custom")
    box = page.locator("#plot").bounding_box()
    assert box is not None
    clicks = [(0.86, 0.12), (0.22, 0.78), (0.86, 0.78)]  # each past the points so far
    spots = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy) for fx, fy in clicks]
    for n, (x, y) in enumerate(spots, start=5):
        page.mouse.click(x, y)
        page.wait_for_function(f"() => new URL(location).searchParams.get('pts').split('_').length === {n}")
        page.wait_for_timeout(200)  # the frame with the new point drawn
        for earlier in spots[: n - 4]:
            assert colour_near(page, *earlier, (0x00, 0x72, 0xB2)), (n, earlier)
    button(page, "Fit view to points").click()
    page.wait_for_timeout(200)
    assert not all(colour_near(page, x, y, (0x00, 0x72, 0xB2)) for x, y in spots)  # refitted


def test_a_point_added_while_training_keeps_training(pages: Pages) -> None:
    page = pages.new("/?dataset=custom&activation=sigmoid&fps=10")
    button(page, "Play").click()
    expect(page.locator("#stats")).to_contain_text(re.compile(r"epoch ([5-9]|\d\d)"), timeout=10_000)
    before = epoch(page)
    click_plot(page, 0.8, 0.85)
    page.wait_for_function("() => new URL(location).searchParams.get('pts').split('_').length === 5")
    assert epoch(page) >= before
    expect(page.get_by_role("status")).to_contain_text("Running")
    button(page, "Pause").click()
