"""The playground page in a real browser against a real server: what a learner sees and does."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import (
    MINUS, button, canvas_colours, control, epoch, maths_lines, open_page, query, samples_seen, updates,
)  # fmt: skip


def test_and_converges_after_play_with_the_tutorials_weights(pages: Pages) -> None:
    page = pages.new("/?dataset=and&activation=step&lr=1&bias=1")
    expect(page.get_by_role("status")).to_contain_text("Ready")
    button(page, "Play").click()
    expect(page.get_by_role("status")).to_contain_text("Converged after", timeout=15_000)
    expect(page.locator("#params")).to_have_text(f"w = [2, 1], b = {MINUS}3")
    expect(button(page, "Play")).to_be_visible()  # playing stopped by itself
    expect(page.locator("#samples tbody tr td.bad")).to_have_count(0)


def test_play_reads_pause_while_running(pages: Pages) -> None:
    page = pages.new("/?dataset=xor&fps=10")
    button(page, "Play").click()
    expect(button(page, "Pause")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Running")
    button(page, "Pause").click()
    expect(button(page, "Play")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Paused at epoch")


def test_canvas_shows_a_heatmap_and_both_classes_of_points(pages: Pages) -> None:
    page = pages.new("/?dataset=blobs&activation=sigmoid&init=random")
    for _ in range(3):
        button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 3")
    page.wait_for_timeout(300)  # the frame is drawn on the next animation frame
    colours = canvas_colours(page)
    assert colours["distinct"] > 200, colours  # a smooth heatmap, not two flat fills
    assert colours["orange"] > 200 and colours["blue"] > 200, colours  # markers of each class


def test_discretise_output_leaves_two_heatmap_colours(pages: Pages) -> None:
    page = pages.new("/?dataset=blobs&activation=sigmoid&init=random")
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1")
    page.wait_for_timeout(300)
    smooth = canvas_colours(page)["distinct"]
    control(page, "Discretise output").check()
    page.wait_for_timeout(300)
    assert canvas_colours(page)["distinct"] < smooth
    assert query(page)["discrete"] == "1"


def test_url_follows_the_controls_and_a_link_restores_the_setup(pages: Pages) -> None:
    page = pages.new("/")
    control(page, "Dataset").select_option("or")
    expect(page).to_have_url(re.compile(r"dataset=or"))
    control(page, "Activation").select_option("sigmoid")
    expect(page).to_have_url(re.compile(r"activation=sigmoid.*rule=gradient"))
    control(page, "Learning rate").fill("0.25")
    control(page, "Learning rate").press("Enter")
    expect(page).to_have_url(re.compile(r"lr=0\.25"))
    control(page, "Bias").uncheck()
    expect(page).to_have_url(re.compile(r"bias=0"))
    control(page, "Speed").select_option("30:1")
    expect(page).to_have_url(re.compile(r"fps=30"))
    link = page.url

    again = pages.new(None)
    open_page(again, link)
    expect(control(again, "Dataset")).to_have_value("or")
    expect(control(again, "Activation")).to_have_value("sigmoid")
    expect(control(again, "Rule")).to_have_value("gradient")
    expect(control(again, "Learning rate")).to_have_value("0.25")
    expect(control(again, "Bias")).not_to_be_checked()
    expect(control(again, "Speed")).to_have_value("30:1")
    assert again.url == link


def test_a_change_applies_at_once_while_playing(pages: Pages) -> None:
    page = pages.new("/?dataset=blobs&activation=sigmoid&fps=30")
    button(page, "Play").click()
    expect(button(page, "Pause")).to_be_visible()
    control(page, "Learning rate").fill("2")
    control(page, "Learning rate").press("Enter")
    expect(page).to_have_url(re.compile(r"lr=2"))
    expect(button(page, "Pause")).to_be_visible()  # still running with the new rate
    button(page, "Pause").click()


def test_xor_status_explains_linear_separability(pages: Pages) -> None:
    page = pages.new("/?dataset=xor&fps=30")
    status = page.get_by_role("status")
    expect(status).to_contain_text("not linearly separable")
    expect(status).to_contain_text("no line splits its two diagonals")
    # The why, said once at length, in the lesson panel (no lesson is open to say it).
    why = page.get_by_role("region", name="Why one neuron cannot learn XOR")
    expect(why).to_contain_text("no straight line puts one diagonal on each side")
    button(page, "Play").click()
    expect(page.locator("#stats")).to_contain_text(re.compile(r"epoch [2-9]\d"), timeout=10_000)
    expect(status).to_contain_text("not linearly separable")
    expect(status).not_to_contain_text("Converged")
    button(page, "Pause").click()


def test_step_sample_shows_the_perceptron_arithmetic(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    button(page, "Step sample").click()
    expect(page.locator("#update .update-caption")).to_contain_text("Sample 1")
    lines = maths_lines(page)
    assert "z=w⋅x+b=[0,0]⋅[0,0]+0=0" in lines[0]
    assert "y=step(z)=1" in lines[1]
    assert f"e=d{MINUS}y=0{MINUS}1={MINUS}1" in lines[2]
    assert f"w←w+ηex=[0,0]+1⋅({MINUS}1)⋅[0,0]=[0,0]" in lines[3]
    assert f"b←b+ηe=0+1⋅({MINUS}1)={MINUS}1" in lines[4]
    expect(page.locator("#samples tbody tr").nth(0)).to_have_attribute("aria-current", "true")

    button(page, "Step sample").click()
    expect(page.locator("#update .update-caption")).to_contain_text("Sample 2")
    lines = maths_lines(page)
    assert f"=[0,0]⋅[0,1]+({MINUS}1)={MINUS}1" in lines[0]
    assert "y=step(z)=0" in lines[1]
    assert "e=d−y=0−0=0" in lines[2]
    expect(page.locator("#samples tbody tr").nth(1)).to_have_attribute("aria-current", "true")
    assert samples_seen(page) == 2 and epoch(page) == 0
    assert updates(page) == 1  # the second sample was right: it changed nothing


def test_full_batch_step_shows_the_summed_gradient(pages: Pages) -> None:
    page = pages.new("/?lesson=4")
    button(page, "Step").click()
    expect(page.locator("#update .update-caption")).to_contain_text("summed over all 4 training samples")
    lines = maths_lines(page)
    assert lines[0].startswith("gw=∑i=14δixi=[")
    assert lines[2].startswith("w←w−ηgw=[0.1,0.2]−0.05⋅[")


def test_weights_set_by_hand_while_paused(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    page.get_by_label("w1 (x1)").fill("1.5")
    page.get_by_label("w1 (x1)").press("Enter")
    expect(page.locator("#params")).to_have_text("w = [1.5, 0], b = 0")
    page.get_by_label("b (bias)").fill("-1")
    page.get_by_label("b (bias)").press("Enter")
    expect(page.locator("#params")).to_have_text(f"w = [1.5, 0], b = {MINUS}1")


def test_weights_typed_in_quick_succession_all_stick(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    page.get_by_label("w1 (x1)").wait_for()
    # All three in one task of the page, so no frame from the server can come in between.
    page.evaluate("""() => {
        for (const [id, value] of [['weight-0', '2'], ['weight-1', '1'], ['weight-2', '-3']]) {
            const input = document.getElementById(id);
            input.value = value;
            input.dispatchEvent(new Event('change'));
        }
    }""")
    expect(page.locator("#params")).to_have_text(f"w = [2, 1], b = {MINUS}3")


def test_breast_cancer_draws_the_principal_plane_and_feature_bars(pages: Pages) -> None:
    page = pages.new("/?lesson=7")
    expect(control(page, "Dataset")).to_have_value("breast_cancer")
    expect(page.get_by_label("w1 (mean radius)")).to_be_visible()
    expect(page.get_by_label("w30 (worst fractal dimension)")).to_be_attached()
    expect(page.locator("#samples thead")).to_contain_text("PC 1")
    expect(page.locator("#plot")).to_have_attribute("aria-label", re.compile(r"398 training points over PC 1 and PC 2"))
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("test ")
    expect(page.locator("#acc-chart .u-legend")).to_contain_text("test")


def test_curves_follow_the_epochs(pages: Pages) -> None:
    page = pages.new("/?dataset=blobs&activation=sigmoid&init=random")
    button(page, "Step").click()
    button(page, "Step").click()
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 3")
    expect(page.locator("#loss-chart .u-title")).to_have_text("Loss")
    expect(page.locator("#acc-chart .u-legend")).to_contain_text("train")
    page.wait_for_timeout(300)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.chart canvas')].map((c) => {
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let line = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 40 && Math.abs(d[i + 1] - 0x72) < 30 && d[i + 2] > 150) line++;
          return line;
        })"""
    )
    assert len(drawn) == 2 and all(n > 50 for n in drawn), drawn  # a train line in both charts


def test_divergence_is_said_in_words_with_what_to_try(pages: Pages) -> None:
    page = pages.new("/?dataset=blobs&activation=linear&lr=100&batch=online&fps=30")
    button(page, "Play").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Diverged", timeout=15_000)
    expect(status).to_contain_text("smaller")
    expect(button(page, "Play")).to_be_visible()
    assert "NaN" not in page.locator("#params").inner_text()


def test_lesson_links_open_their_setup_with_next_and_previous(pages: Pages) -> None:
    page = pages.new("/")
    page.get_by_text("Lessons", exact=True).click()
    page.get_by_role("link", name="4. The sigmoid neuron learns OR by gradient descent").click()
    expect(page).to_have_url(re.compile(r"lesson=4"))
    expect(page.get_by_role("heading", name=re.compile("Lesson 4"))).to_be_visible()
    expect(page.locator("#lesson-text")).to_contain_text("applied twice")
    expect(control(page, "Activation")).to_have_value("sigmoid")
    expect(control(page, "Learning rate")).to_have_value("0.05")
    expect(page.locator("#params")).to_have_text("w = [0.1, 0.2], b = 0.3")

    page.get_by_role("link", name="Lesson 5 →").click()
    expect(page.get_by_role("heading", name=re.compile("Lesson 5: Why the bias matters"))).to_be_visible()
    expect(control(page, "Bias")).not_to_be_checked()
    expect(page).to_have_url(re.compile(r"bias=0.*lesson=5"))

    direct = pages.new("/?lesson=3")
    expect(control(direct, "Dataset")).to_have_value("xor")
    expect(direct.get_by_role("link", name="← Lesson 2")).to_be_visible()

    two = pages.new("/?lesson=2")
    expect(control(two, "Dataset")).to_have_value("or")
    two.locator("#lesson-text").get_by_role("link", name="NAND").click()
    expect(control(two, "Dataset")).to_have_value("nand")
    expect(two).to_have_url(re.compile(r"dataset=nand.*lesson=2"))
    button(two, "Play").click()
    expect(two.get_by_role("status")).to_contain_text("Converged", timeout=15_000)


def test_presenter_mode_is_large_and_condensed(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    status = page.get_by_role("status")
    normal = status.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    expect(page.get_by_text("More settings")).to_be_visible()
    button(page, "Presenter").click()
    expect(page.locator("html")).to_have_class(re.compile("presenter"))
    large = status.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert large >= 1.4 * normal
    expect(page.get_by_text("More settings")).to_be_hidden()
    expect(button(page, "Play")).to_be_visible()
    assert query(page)["present"] == "1"
    presenter_link = page.url
    again = pages.new(None)
    open_page(again, presenter_link)
    expect(again.locator("html")).to_have_class(re.compile("presenter"))


def test_downloads_script_weights_and_picture(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1")
    with page.expect_download() as script:
        page.get_by_role("link", name="Export script").click()
    assert script.value.suggested_filename.endswith(".py")
    assert "numpy" in script.value.path().read_text(encoding="utf-8")
    with page.expect_download() as weights:
        button(page, "Weights (JSON)").click()
    body = json.loads(weights.value.path().read_text(encoding="utf-8"))
    assert body["weights"] == [1.0, 1.0] and body["bias"] == 0.0 and body["epoch"] == 1
    with page.expect_download() as picture:
        button(page, "Canvas (PNG)").click()
    assert picture.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_phone_layout_has_no_horizontal_scrolling(pages: Pages) -> None:
    for path in ("/?dataset=and", "/?lesson=7", "/?lesson=6&present=1"):
        page = pages.new(path, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                         device_scale_factor=2)  # fmt: skip
        expect(button(page, "Play")).to_be_in_viewport()
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (path, widths)
        box = page.locator("#plot").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    truth_table = pages.new("/?dataset=and", viewport={"width": 390, "height": 844}, is_mobile=True)
    table = truth_table.locator(".table-scroll").first
    expect(table.locator("tbody tr")).to_have_count(4)
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth"), "the truth table needs scrolling"


def test_every_request_stays_on_this_host(pages: Pages) -> None:
    page = pages.new("/?lesson=7")
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1")
    watch = pages.watches[-1]
    assert any("/static/vendor/katex/" in url for url in watch.requests)
    assert any("/static/vendor/uplot/" in url for url in watch.requests)
    assert any(url.startswith("ws://") for url in watch.requests)
    assert watch.foreign == []
    assert page.evaluate("document.fonts.check('16px KaTeX_Main')")


def test_initial_weights_and_seed(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    control(page, "Initial weights").select_option("random")
    expect(page).to_have_url(re.compile(r"init=random"))
    expect(page.locator("#params")).not_to_have_text("w = [0, 0], b = 0")
    first = page.locator("#params").inner_text()
    control(page, "Seed").fill("7")
    control(page, "Seed").press("Enter")
    expect(page).to_have_url(re.compile(r"seed=7"))
    expect(page.locator("#params")).not_to_have_text(first)


def test_generated_data_controls(pages: Pages) -> None:
    page = pages.new("/?dataset=blobs")
    expect(control(page, "Test fraction")).to_be_visible()
    control(page, "Points").fill("40")
    control(page, "Points").press("Enter")
    expect(page.locator("#table-note")).to_contain_text("of 40 training samples")
    control(page, "Test fraction").fill("0.25")
    control(page, "Test fraction").press("Enter")
    expect(page.locator("#table-note")).to_contain_text("of 30 training samples")
    expect(page.locator("#stats")).to_contain_text("test ")
    expect(page.locator(".legend-test")).to_be_visible()
    control(page, "Show test points").uncheck()
    expect(page.locator(".legend-test")).to_be_hidden()
    control(page, "Noise").fill("0.6")
    control(page, "Noise").press("Enter")
    expect(page).to_have_url(re.compile(r"noise=0\.6"))
    button(page, "Regenerate").click()
    expect(page).to_have_url(re.compile(r"seed=1"))
    gate = pages.new("/?dataset=and")
    expect(control(gate, "Noise")).to_be_hidden()
    expect(control(gate, "Test fraction")).to_be_hidden()


def test_a_link_with_a_bad_value_opens_without_it(pages: Pages) -> None:
    page = pages.new("/?dataset=or&lr=500")
    expect(page.get_by_role("status")).to_contain_text("Learning rate: must be at most 100")
    expect(control(page, "Dataset")).to_have_value("or")
    expect(control(page, "Learning rate")).to_have_value("1")
    watch = pages.watches[-1]
    # The browser itself logs the refused request; that one is expected.
    watch.errors[:] = [e for e in watch.errors if "status of 422" not in e]


def test_reduced_motion_leaves_nothing_animating(pages: Pages) -> None:
    page = pages.new("/?dataset=and", reduced_motion="reduce")
    button(page, "Step sample").click()
    expect(page.locator("#stats")).to_contain_text("updates 1")
    assert page.evaluate("() => document.getAnimations().length") == 0
    durations = page.evaluate(
        "() => [...document.querySelectorAll('button, a, summary')].map((e) => getComputedStyle(e).transitionDuration)"
    )
    assert set(durations) == {"0s"}


def test_an_out_of_range_value_is_refused_with_its_range_named(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    control(page, "Learning rate").fill("500")
    control(page, "Learning rate").press("Enter")
    expect(control(page, "Learning rate")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("status")).to_contain_text("Learning rate: it must be between 0.0001 and 100.")
    expect(page.get_by_role("status")).to_contain_text("Nothing was changed")
    assert "lr=500" not in page.url


def test_on_a_phone_the_refusal_is_said_beside_the_field(pages: Pages) -> None:
    """The status line is a screen above the setup on a phone: the field says it too, and an
    accepted value takes the message away."""
    page = pages.new("/?dataset=and", viewport={"width": 390, "height": 844})
    field = control(page, "Learning rate")
    field.fill("1000")
    field.press("Tab")
    problem = page.locator("#learning_rate-problem")
    expect(problem).to_have_text("Learning rate: it must be between 0.0001 and 100. Nothing was changed.")
    expect(problem).to_be_in_viewport()
    expect(field).to_have_accessible_description(re.compile(r"^Learning rate: it must be between"))
    field.fill("0.5")
    field.press("Tab")
    expect(problem).to_be_hidden()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"lr=0\.5"))


def test_headings_that_open_say_so(pages: Pages) -> None:
    """More settings and Metrics are disclosures: a triangle points at what opening shows."""
    page = pages.new("/?dataset=and")
    marker = "(s) => getComputedStyle(document.querySelector(s), '::before').content"
    for summary in ("details.more summary", "#metrics-panel summary"):
        assert page.evaluate(marker, summary).startswith('"▸"'), summary
    page.locator("details.more summary").click()
    assert page.evaluate(marker, "details.more summary").startswith('"▾"')

