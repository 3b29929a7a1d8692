"""Nothing on the page contradicts itself: the status names the sample and what it did, the
diagram shows one moment, a finished run says so kindly, each setup offers the buttons it has,
the curves and the table read well, and the downloads are fit for a slide."""

from __future__ import annotations

import ast
import json
import re
import struct

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import MINUS, button, samples_seen, updates
from tests.e2e.test_drag import drag, line_on_screen, midpoint, settled, type_parameters


def diagram(page: Page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('#neuron-svg text')].map((t) => t.textContent)")


def test_the_status_names_the_sample_and_says_when_nothing_changed(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    status = page.get_by_role("status")
    caption = page.locator("#update .update-caption")
    button(page, "Step sample").click()
    expect(status).to_have_text("Paused at epoch 0 after sample 1 of 4 — wrong (target 0): the weights moved.")
    expect(caption).to_contain_text("Sample 1 of 4 (x = [0, 0], target 0): updated by the perceptron rule.")
    button(page, "Step sample").click()
    expect(status).to_have_text("Paused at epoch 0 after sample 2 of 4 — correct: no change.")
    expect(caption).to_contain_text("Sample 2 of 4 (x = [0, 1], target 0): correct: no change.")
    expect(caption).not_to_contain_text("updated")
    assert samples_seen(page) == 2 and updates(page) == 1


def test_the_diagram_shows_one_moment_and_says_which(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    for n in range(1, 5):
        button(page, "Step sample").click()
        expect(page.locator("#stats")).to_contain_text(f"samples seen {n} ·")
        if n == 2:  # right, so nothing moved: the weights under it are the same ones
            expect(page.locator("#neuron-moment")).to_have_text(
                "Sample 2 going in, with the weights before its update.")
    # Sample 4, x = (1, 1), met w = (0, 0), b = −1: z = −1, o = 0; the update made w = (1, 1), b = 0.
    # The line under it gives the weights after the update, and the caption says so.
    expect(page.locator("#neuron-moment")).to_have_text(
        "Sample 4 going in, with the weights before its update; after it:")
    texts = diagram(page)
    for shown in ("w1=0", "w2=0", f"b={MINUS}1", f"z={MINUS}1", "o=0"):
        assert shown in texts, (shown, texts)
    expect(page.locator("#params")).to_have_text("w = [1, 1], b = 0")
    button(page, "Play").click()
    expect(page.locator("#neuron-moment")).to_have_text("The weights now.")


def test_play_after_convergence_is_a_success_not_an_error(pages: Pages) -> None:
    page = pages.new("/?dataset=and&fps=30")
    status = page.get_by_role("status")
    button(page, "Play").click()
    expect(status).to_contain_text("Converged after", timeout=15_000)
    button(page, "Play").click()
    expect(status).to_have_text("Converged: nothing left to learn. Reset to train again.")
    expect(status).not_to_have_class(re.compile("bad"))
    assert page.evaluate("getComputedStyle(document.getElementById('status')).color") == "rgb(26, 26, 26)"


def test_a_full_batch_lesson_offers_step_and_a_pace_a_class_can_follow(pages: Pages) -> None:
    page = pages.new("/?lesson=4")
    expect(button(page, "Step sample")).to_be_hidden()
    placeholder = page.get_by_role("region", name="The last update")
    expect(placeholder).to_contain_text("press Step to see one full-batch update worked out")
    expect(placeholder).not_to_contain_text("Step sample")
    speed = page.get_by_label("Speed", exact=True)
    expect(speed.locator("option:checked")).to_have_text("300 epochs a second")  # 10,000 in 33 s


def test_breast_cancer_names_its_classes_and_shows_the_misclassified_first(pages: Pages) -> None:
    page = pages.new("/?lesson=7")
    legend = page.locator(".legend")
    expect(legend).to_contain_text("malignant")
    expect(legend).to_contain_text("benign")
    rows = page.locator("#samples tbody tr")
    expect(rows.first.locator("td").nth(2)).to_have_text(re.compile("^(malignant|benign)$"))
    expect(rows.first.locator("td").last).to_have_text(re.compile("^[✓✗] (malignant|benign)$"))
    page.get_by_label("Misclassified first").check()
    expect(rows.first.locator("td").last).to_have_text(re.compile("^✗ (malignant|benign)$"))
    wrong = int(re.search(r"(\d+) misclassified", page.locator("#table-note").inner_text()).group(1))  # type: ignore[union-attr]
    marks = [rows.nth(i).locator("td").last.inner_text()[0] for i in range(12)]
    assert marks == ["✗"] * min(wrong, 12) + ["✓"] * (12 - min(wrong, 12))
    assert "wrong=1" in page.url


def test_the_accuracy_axis_zooms_and_hovering_shows_epoch_and_value(pages: Pages) -> None:
    page = pages.new("/?lesson=7")
    lo, hi = page.evaluate("async () => (await import('/static/js/charts.js')).accuracyRange(0.982, 0.987)")
    assert 0.95 < lo < 0.982 and 0.987 < hi <= 1 and hi - lo < 0.03  # two lines, well apart
    assert page.evaluate("async () => (await import('/static/js/charts.js')).accuracyRange(0, 1)") == [0, 1]
    # A flat curve (XOR's perceptron stays at 50%): ticks half a percent either side, each label
    # its tick exactly (uPlot's own steps had put 49.75% and 50.25% there, shown as 49.8 and 50.3).
    flat = page.evaluate("async () => (await import('/static/js/charts.js')).accuracyRange(0.5, 0.5)")
    assert flat == pytest.approx([0.495, 0.505])
    labels = page.evaluate("async () => (await import('/static/js/charts.js'))"
                           ".percentTicks(null, [0.495, 0.5, 0.505], 1, 30, 0.005)")  # fmt: skip
    assert labels == ["49.5%", "50.0%", "50.5%"]
    for _ in range(3):
        button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 3 ·")
    chart = page.get_by_role("img", name="Accuracy per epoch, train and test")
    over = chart.locator(".u-over").bounding_box()
    assert over is not None
    page.mouse.move(over["x"] + over["width"] - 2, over["y"] + over["height"] / 2)
    expect(chart.get_by_role("row", name=re.compile("epoch")).get_by_role("cell")).to_have_text("3")
    expect(chart.get_by_role("row", name=re.compile("train")).get_by_role("cell")).to_have_text(re.compile(r"^\d+\.\d%$"))
    expect(chart.get_by_role("row", name=re.compile("test")).get_by_role("cell")).to_have_text(re.compile(r"^\d+\.\d%$"))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_downloads_share_one_name_and_the_picture_is_a_slide(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1 ·")
    with page.expect_download() as script:
        page.get_by_role("link", name="Export script").click()
    with page.expect_download() as weights:
        button(page, "Weights (JSON)").click()
    with page.expect_download() as picture:
        button(page, "Canvas (PNG)").click()
    names = [d.value.suggested_filename for d in (script, weights, picture)]
    assert names == ["neuron-and-epoch1.py", "neuron-and-epoch1.json", "neuron-and-epoch1.png"]
    plot = page.evaluate("[document.getElementById('plot').width, document.getElementById('plot').height]")
    width, height = png_size(picture.value.path().read_bytes())
    assert width == plot[0] and height >= plot[1] + 100  # a title above, the legend and weights below


def test_one_drag_is_one_entry_in_the_exported_script(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    type_parameters(page)
    a, b, _ = line_on_screen(page)
    middle = midpoint(a, b)
    drag(page, (middle[0] + 4, middle[1] + 4), (60, 0), steps=12)
    final = settled(page)
    with page.expect_download() as script:
        page.get_by_role("link", name="Export script").click()
    text = script.value.path().read_text(encoding="utf-8")
    found = re.search(r"^RUN = json\.loads\((.*)\)$", text, re.M)
    assert found, "no RUN in the script"
    run = json.loads(ast.literal_eval(found.group(1)))
    assert [next(iter(op)) for op in run["log"]] == ["set"]
    assert run["log"][0]["set"]["bias"] == final["bias"]
