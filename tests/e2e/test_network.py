"""Lesson 8 in a real browser: the 2-H-1 network drawn and editable, each hidden neuron's line on
the plot, the data in hidden space, one backpropagation step worked out, and XOR learned."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import MINUS, button, control, maths_lines, open_page, updates

HIDDEN_1 = (0x7A, 0x3E, 0x9D)  # the first hidden neuron's colour (static/js/network.js)


def pixels_near(page: Page, rgb: tuple[int, int, int]) -> int:
    return int(page.evaluate(
        """([r, g, b]) => {
          const c = document.getElementById('plot');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30) n += 1;
          }
          return n;
        }""", list(rgb)))  # fmt: skip


def test_lesson_8_draws_the_network_and_its_hidden_lines(pages: Pages) -> None:
    page = pages.new("/")
    page.get_by_text("Lessons", exact=True).click()
    page.get_by_role("link", name="8. Two neurons solve XOR").click()  # the server's list
    expect(page).to_have_url(re.compile(r"lesson=8"))
    expect(page.get_by_role("heading", name="Lesson 8: Two neurons solve XOR")).to_be_visible()
    expect(control(page, "Hidden neurons")).to_have_value("2")
    expect(control(page, "Activation")).to_have_value("tanh")
    expect(page.locator("#network-panel")).to_be_visible()
    expect(page.locator("#neuron-panel")).to_be_hidden()
    expect(page.get_by_label("w11: x1 → h1")).to_be_visible()
    expect(page.get_by_label("v2: h2 → output")).to_be_visible()
    expect(page.locator("#hidden-space")).to_be_visible()
    expect(page.locator("#hidden-space circle, #hidden-space rect.pt1")).to_have_count(4)
    expect(page.locator("#plot")).to_have_attribute("aria-label", re.compile("lines of its 2 hidden neurons"))
    assert pixels_near(page, HIDDEN_1) > 50  # h1's dashed line is on the plot
    expect(page.locator("#legend-hidden")).to_be_visible()
    expect(page.get_by_role("link", name="← Lesson 7")).to_be_visible()


def test_lesson_8_step_sample_shows_one_backpropagation_step(pages: Pages) -> None:
    page = pages.new("/?lesson=8")
    open_page(page, page.url)
    button(page, "Step sample").click()
    expect(page.locator("#update .update-caption")).to_contain_text("Sample 1")
    expect(page.locator("#update .update-caption")).to_contain_text("backpropagation")
    lines = maths_lines(page)
    # Sample 1 is (0, 0): only the bias reaches h1 (the seed's starting weights, PRODUCT.md §18).
    assert lines[0] == f"z1=W1⋅x+c1=[2.041,{MINUS}2.556]⋅[0,0]+({MINUS}0.4526)={MINUS}0.4526,h1=tanh(z1)={MINUS}0.4241"
    assert lines[2].startswith("z=v⋅h+b=[") and "o=σ(z)=" in lines[2]
    assert lines[3].startswith("δ=o−t=")
    assert any(line.startswith("δ1=δv1tanh′(z1)=") for line in lines)
    assert any(line.startswith("W2←W2−ηδ2x=") for line in lines)
    assert updates(page) == 1


def test_a_hidden_weight_typed_by_hand_moves_its_line(pages: Pages) -> None:
    page = pages.new("/?lesson=8")
    open_page(page, page.url)
    plot_before = page.evaluate("() => document.getElementById('plot').toDataURL()")
    field = page.get_by_label("w12: x2 → h1")
    field.fill("6")
    field.press("Enter")
    expect(page.locator("#network-svg")).to_contain_text("6")
    state = page.evaluate("""async () => {
        const exported = document.getElementById('export').getAttribute('href');
        return (await fetch(exported.replace('/export.py', ''))).json();
    }""")
    assert state["layers"][0]["weights"][0][1] == 6.0  # the server has it: the page only asked
    assert state["layers"][0]["weights"][0][0] == 2.0409191213851825  # and nothing else changed
    page.wait_for_function("(before) => document.getElementById('plot').toDataURL() !== before",
                           arg=plot_before)  # fmt: skip


def test_lesson_8_learns_xor_to_its_known_weights(pages: Pages) -> None:
    page = pages.new("/?lesson=8")
    open_page(page, page.url)
    control(page, "Speed").select_option("60:20")
    button(page, "Play").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Finished the 200 epochs set by Max epochs", timeout=30_000)
    expect(page.locator("#stats")).to_contain_text("accuracy 100%")
    expect(page.locator("#samples tbody tr td.bad")).to_have_count(0)
    # The known answer of tests/neuron/test_network.py, as the weight fields show it.
    expect(page.get_by_label("v1: h1 → output")).to_have_value("-5.219")
    expect(page.get_by_label("v2: h2 → output")).to_have_value("5.264")
    expect(page.get_by_label("b: bias of the output")).to_have_value("4.731")
    expect(page.get_by_label("w11: x1 → h1")).to_have_value("3.829")
    assert MINUS not in page.get_by_label("w11: x1 → h1").input_value()


def test_choosing_hidden_neurons_turns_a_step_neuron_into_a_network_and_back(pages: Pages) -> None:
    page = pages.new("/?dataset=xor")
    open_page(page, page.url)
    expect(page.locator("#neuron-panel")).to_be_visible()
    control(page, "Hidden neurons").select_option("3")
    expect(page.locator("#network-panel")).to_be_visible()
    expect(page.locator("#neuron-panel")).to_be_hidden()
    expect(control(page, "Activation")).to_have_value("sigmoid")  # step cannot backpropagate
    expect(control(page, "Rule")).to_have_value("gradient")
    expect(control(page, "Initial weights")).to_have_value("random")
    expect(page.get_by_label("v3: h3 → output")).to_be_visible()
    expect(page.locator(".hidden-figure")).to_be_hidden()  # drawn for two hidden neurons only
    expect(page).to_have_url(re.compile(r"hidden=3"))
    button(page, "Step").click()
    expect(page.locator("#update .update-caption")).to_contain_text("full-batch backpropagation step")
    control(page, "Hidden neurons").select_option("0")
    expect(page.locator("#neuron-panel")).to_be_visible()
    expect(page.locator("#network-panel")).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text("not linearly separable")


def test_a_sample_in_the_network_keeps_its_inputs_named(pages: Pages) -> None:
    """Before a sample the input nodes say x1 and x2; once a sample's values fill them, the
    names move above the nodes instead of disappearing."""
    page = pages.new("/?lesson=8")
    texts = page.locator("#network-svg text")
    expect(texts.filter(has_text=re.compile(r"^x1$"))).to_have_count(1)
    button(page, "Step sample").click()
    expect(page.locator("#stats")).to_contain_text("samples seen 1")
    expect(texts.filter(has_text=re.compile(r"^x1$"))).to_have_count(1)
    expect(texts.filter(has_text=re.compile(r"^x2$"))).to_have_count(1)
    expect(page.locator("#network-svg text.node-value")).to_have_text(["0", "0"])  # sample 1: (0, 0)
