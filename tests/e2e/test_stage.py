"""The page as a stage: presenter mode at 1280 × 720, a phone at 390 × 844, a laptop at
1366 × 768 — where each panel sits, measured by bounding boxes."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import button

PROJECTOR = {"width": 1280, "height": 720}
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def bottom(b: dict[str, float]) -> float:
    return b["y"] + b["height"]


def right(b: dict[str, float]) -> float:
    return b["x"] + b["width"]


def inside_window(page: Page, locator: Locator) -> bool:
    b, size = box(locator), page.viewport_size
    assert size is not None
    return b["x"] >= 0 and b["y"] >= 0 and right(b) <= size["width"] + 0.5 and bottom(b) <= size["height"] + 0.5


def status_lines(page: Page) -> dict[str, Any]:
    """How many lines the status takes, and whether any of its text is cut off."""
    return page.get_by_role("status").evaluate(
        """e => ({ lines: Math.round(e.clientHeight / parseFloat(getComputedStyle(e).lineHeight)),
                   cut: e.scrollHeight > e.clientHeight + 1 })"""
    )


def presenter(pages: Pages, path: str) -> Page:
    page = pages.new(path, viewport=PROJECTOR)
    page.keyboard.press("p")
    expect(page.locator("html")).to_have_class("presenter")
    page.wait_for_timeout(300)  # the plot refitted on the next animation frame
    return page


def test_presenter_puts_the_plot_on_stage_with_the_rest_beside_it(pages: Pages) -> None:
    page = presenter(pages, "/?lesson=3")
    for _ in range(3):
        button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 3 ·")
    button(page, "Step sample").click()
    expect(page.locator("#update .update-caption")).to_contain_text("Sample 1 of 4")
    plot = box(page.locator("#plot"))
    assert plot["width"] >= 640, plot  # at least half the width
    assert plot["height"] >= 0.6 * 720, plot  # most of the height
    assert inside_window(page, page.locator("#plot"))
    legend = page.locator(".legend")
    expect(legend).to_be_visible()
    assert inside_window(page, legend)
    assert status_lines(page) == {"lines": 3, "cut": False}  # room for the longest language's
    # XOR's why is said once, in the lesson panel, not in the status.
    expect(page.get_by_role("status")).not_to_contain_text("opposite corners")
    for panel in ("The last update", "The neuron"):
        region = page.get_by_role("region", name=panel)
        assert box(region)["x"] >= right(plot), panel
    assert inside_window(page, page.get_by_role("region", name="The last update"))
    assert box(page.locator("#neuron-svg"))["y"] < 720
    charts = page.get_by_role("region", name="Loss and accuracy")
    assert box(charts)["x"] >= right(plot) and box(charts)["y"] < 720


def test_presenter_says_a_long_status_whole_in_french(pages: Pages) -> None:
    """French says XOR's status in three lines at 1280 × 720: none of it is cut off."""
    page = presenter(pages, "/?lesson=3&lang=fr")
    for _ in range(2):
        page.locator("#step").click()
    expect(page.get_by_role("status")).to_contain_text("ses deux diagonales")
    assert status_lines(page) == {"lines": 3, "cut": False}
    assert box(page.locator("#plot"))["height"] >= 0.6 * 720


def test_presenter_shows_lesson_7s_train_and_test_curves_without_scrolling(pages: Pages) -> None:
    page = presenter(pages, "/?lesson=7")
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1 ·")
    plot = box(page.locator("#plot"))
    assert plot["width"] >= 640 and plot["height"] >= 0.6 * 720, plot
    for chart in ("Loss per epoch", "Accuracy per epoch, train and test"):
        curve = page.get_by_role("img", name=chart)
        assert inside_window(page, curve), chart
        assert box(curve)["x"] >= right(plot)
    expect(page.locator(".legend")).to_contain_text("malignant")
    assert status_lines(page)["cut"] is False


def on_page(page: Page, locator: Locator) -> dict[str, float]:
    """A box in page coordinates (a focused field may scroll the window)."""
    b = box(locator)
    return {**b, "y": b["y"] + page.evaluate("window.scrollY")}


def test_the_plot_never_moves_when_the_status_changes(pages: Pages) -> None:
    page = pages.new("/?dataset=xor", viewport=LAPTOP)
    page.wait_for_timeout(300)
    first = on_page(page, page.locator("#plot"))
    button(page, "Step sample").click()
    expect(page.get_by_role("status")).to_contain_text("sample 1 of 4")
    button(page, "Step").click()
    expect(page.get_by_role("status")).to_contain_text("not linearly separable")
    control = page.get_by_label("Learning rate", exact=True)
    control.fill("1000")
    control.press("Enter")  # a refusal in words joins the status
    expect(page.get_by_role("status")).to_contain_text("Nothing was changed")
    page.wait_for_timeout(300)
    assert on_page(page, page.locator("#plot")) == first


def test_a_laptop_leaves_no_gap_in_any_column(pages: Pages) -> None:
    for path in ("/?lesson=1", "/?lesson=7"):
        page = pages.new(path, viewport=LAPTOP)
        page.wait_for_timeout(300)
        stage = box(page.locator(".stage"))
        table = box(page.get_by_role("region", name="Training samples").or_(
            page.get_by_role("region", name="Truth table")))
        assert table["y"] - bottom(stage) <= 24, (path, stage, table)
        panels = page.locator(".column.right > section:visible")  # a network's panels hide for one neuron
        boxes = [box(panels.nth(i)) for i in range(panels.count())]
        boxes.sort(key=lambda b: b["y"])
        for upper, lower in zip(boxes, boxes[1:]):
            assert lower["y"] - bottom(upper) <= 24, (path, boxes)
    # A full-batch lesson's curves come first beside the plot, above the fold.
    curves = page.get_by_role("img", name="Accuracy per epoch, train and test")
    assert inside_window(page, curves)
    assert inside_window(page, page.locator("#plot"))


def test_a_phone_shows_the_plot_first_and_the_last_update_beside_it(pages: Pages) -> None:
    page = pages.new("/?lesson=1", **PHONE)
    plot = box(page.locator("#plot"))
    assert plot["y"] < box(page.locator("#lesson-panel"))["y"]
    assert right(plot) <= 390
    button(page, "Step sample").click()
    expect(page.locator("#update .update-caption")).to_contain_text("Sample 1 of 4")
    update = box(page.get_by_role("region", name="The last update"))
    assert 0 <= update["y"] - bottom(plot) <= 80 and update["y"] < 844, (plot, update)
    # Reading the update, the buttons stay at hand.
    page.get_by_role("region", name="The last update").scroll_into_view_if_needed()
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(200)
    assert inside_window(page, button(page, "Step sample"))
    button(page, "Step sample").click()
    expect(page.locator("#update .update-caption")).to_contain_text("Sample 2 of 4")


def test_a_phone_fits_the_lessons_menu_and_the_breast_cancer_table(pages: Pages) -> None:
    page = pages.new("/?lesson=7", **PHONE)
    page.get_by_text("Lessons", exact=True).click()
    menu = page.get_by_role("navigation", name="Lessons")
    expect(menu).to_be_visible()
    assert inside_window(page, menu)
    page.get_by_text("Lessons", exact=True).click()
    table = page.locator(".table-scroll:has(#samples)")
    expect(table.locator("tbody tr")).to_have_count(12)
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table needs sideways scrolling"
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]


def test_nothing_is_cut_off_or_overlapping(pages: Pages) -> None:
    page = pages.new("/?lesson=7", viewport=LAPTOP)
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1 ·")
    cut = page.evaluate(
        """() => {
          const ctx = document.createElement('canvas').getContext('2d');
          const out = [];
          for (const s of document.querySelectorAll('.controls select')) {
            if (!s.offsetParent) continue;
            const st = getComputedStyle(s);
            ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
            const text = s.options[s.selectedIndex]?.text ?? '';
            const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 20;
            if (ctx.measureText(text).width > room) out.push(text);
          }
          for (const e of document.querySelectorAll('.weight-row input, .weight-row label')) {
            if (e.offsetParent && e.scrollWidth > e.clientWidth + 1) out.push(e.value || e.textContent);
          }
          return out;
        }"""
    )
    assert cut == [], cut
    # Similar weights: the diagram's w1, w2 and b labels stay apart; inputs fit their nodes.
    gate = pages.new("/?dataset=custom", viewport=LAPTOP)
    for label, value in (("w1 (x1)", "0.51"), ("w2 (x2)", "0.5"), ("b (bias)", "0.49")):
        gate.get_by_label(label).fill(value)
        gate.get_by_label(label).press("Enter")
    expect(gate.locator("#params")).to_contain_text("b = 0.49")
    button(gate, "Step sample").click()
    expect(gate.locator("#neuron-moment")).to_contain_text("Sample 1 going in")
    overlaps = gate.evaluate(
        """() => {
          const rect = (e) => e.getBoundingClientRect();
          const labels = [...document.querySelectorAll('#neuron-svg .weight-label')].map(rect);
          const hits = [];
          labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => {
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits.push('labels');
          }));
          const nodes = [...document.querySelectorAll('#neuron-svg circle.node')].map(rect);
          for (const t of document.querySelectorAll('#neuron-svg .node-value')) {
            const r = rect(t);
            if (!nodes.some((n) => r.left >= n.left - 0.5 && r.right <= n.right + 0.5)) hits.push(t.textContent);
          }
          return hits;
        }"""
    )
    assert overlaps == [], overlaps


def test_on_a_phone_every_transport_button_holds_its_words(pages: Pages) -> None:
    """French says "Réinitialiser" where English says "Reset": on a phone, and in presenter
    mode's larger type, the row wraps rather than letting a word run out of its button."""
    overflow = "() => [...document.querySelectorAll('.transport button')].map((b) => b.scrollWidth - b.clientWidth)"
    for path in ("/?dataset=and&lang=fr", "/?dataset=and&lang=fr&present=1"):
        page = pages.new(path, **PHONE)
        page.locator("#stats").filter(has_text="0,375").wait_for()
        assert max(page.evaluate(overflow)) <= 0, path
