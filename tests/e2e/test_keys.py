"""Every keyboard shortcut: Space, S, →, Shift+S, R, P, F, ? and Esc."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, control, epoch, samples_seen


def test_every_keyboard_shortcut(pages: Pages) -> None:
    page = pages.new("/?dataset=xor&fps=10")
    keys = page.keyboard
    status = page.get_by_role("status")

    keys.press("Space")
    expect(button(page, "Pause")).to_be_visible()
    expect(status).to_contain_text("Running")
    keys.press("Space")
    expect(button(page, "Play")).to_be_visible()
    expect(status).to_contain_text("Paused")

    keys.press("r")
    expect(page.locator("#stats")).to_contain_text("epoch 0 · samples seen 0 · updates 0")
    keys.press("s")
    expect(page.locator("#stats")).to_contain_text("epoch 1 ·")
    keys.press("ArrowRight")
    expect(page.locator("#stats")).to_contain_text("epoch 2 ·")
    before = samples_seen(page)
    keys.press("Shift+S")
    expect(page.locator("#stats")).to_contain_text(f"samples seen {before + 1}")
    keys.press("Shift+ArrowRight")
    expect(page.locator("#stats")).to_contain_text(f"samples seen {before + 2}")
    keys.press("r")
    expect(page.locator("#stats")).to_contain_text("epoch 0 · samples seen 0 · updates 0")

    keys.press("p")
    expect(page.locator("html")).to_have_class(re.compile("presenter"))
    expect(button(page, "Presenter")).to_have_attribute("aria-pressed", "true")
    keys.press("p")
    expect(page.locator("html")).not_to_have_class(re.compile("presenter"))

    keys.press("f")
    page.wait_for_function("() => document.fullscreenElement !== null")
    keys.press("f")
    page.wait_for_function("() => document.fullscreenElement === null")

    keys.press("?")
    help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("play or pause")
    keys.press("Escape")
    expect(help_dialog).to_be_hidden()
    assert epoch(page) == 0


def test_typing_in_a_field_is_not_a_shortcut(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    field = control(page, "Seed")
    field.fill("")
    field.press("s")
    field.press("r")
    field.press("Space")
    page.wait_for_timeout(300)
    expect(page.locator("#stats")).to_contain_text("epoch 0 · samples seen 0 · updates 0")
    expect(button(page, "Play")).to_be_visible()


def test_space_after_clicking_a_button_plays_instead_of_clicking_it_again(pages: Pages) -> None:
    page = pages.new("/?dataset=xor&fps=10")
    button(page, "Step").click()
    expect(page.locator("#stats")).to_contain_text("epoch 1 ·")
    page.keyboard.press("Space")
    expect(button(page, "Pause")).to_be_visible()
    page.keyboard.press("Space")
    expect(button(page, "Play")).to_be_visible()


def test_focus_is_visible_when_tabbing(pages: Pages) -> None:
    page = pages.new("/?dataset=and")
    control(page, "Dataset").focus()
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline != "none" and width >= 2
