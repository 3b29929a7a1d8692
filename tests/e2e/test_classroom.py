"""A classroom: the teacher shares a session, students follow it live and cannot steer it,
and pages reconnect after the server blinks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import ServerProcess
from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, control, open_page


def test_students_follow_the_teacher_and_cannot_steer(pages: Pages) -> None:
    teacher = pages.new("/?dataset=xor&fps=10")
    button(teacher, "Share live").click()
    dialog = teacher.get_by_role("dialog", name="Share live")
    expect(dialog).to_be_visible()
    link = teacher.get_by_label("Students' link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?session=[\w-]+&lang=en", link), link  # the teacher's language
    qr = dialog.get_by_role("img", name="QR code of the students' link")
    expect(qr).to_be_visible()
    teacher.wait_for_function("() => document.querySelector('#share-qr').naturalWidth > 0")
    assert any(re.search(r"/api/sessions/[\w-]+/qr\.svg\?lang=en$", url) for url in pages.watches[0].requests)
    dialog.get_by_role("button", name="Close").click()
    expect(teacher).to_have_url(re.compile(r"session=.*#token=."))
    assert "token=" not in teacher.url.split("#")[0]

    student = pages.new(link.removeprefix(teacher.url.split("/?")[0]), viewport={"width": 390, "height": 844})
    expect(student.get_by_text("Following", exact=True)).to_be_visible()
    # Nothing a student cannot use is shown: no transport, no Setup panel, no greyed controls.
    for name in ("Play", "Step", "Step sample", "Reset", "Share live"):
        expect(button(student, name)).to_be_hidden()
    expect(control(student, "Dataset")).to_be_hidden()
    expect(control(student, "Learning rate")).to_be_hidden()
    expect(student.get_by_role("heading", name="Setup")).to_be_hidden()
    expect(student.get_by_label("w1 (x1)")).to_be_disabled()

    button(teacher, "Step").click()
    expect(student.locator("#stats")).to_contain_text("epoch 1 ·")
    control(teacher, "Dataset").select_option("and")
    expect(student.locator("#dataset")).to_have_value("and")
    button(teacher, "Play").click()
    expect(student.get_by_role("status")).to_contain_text(re.compile("Running|Converged"))
    expect(teacher.get_by_role("status")).to_contain_text("Converged", timeout=15_000)
    expect(student.get_by_role("status")).to_contain_text("Converged")

    # A student's keys steer nothing.
    student.keyboard.press("r")
    student.keyboard.press("Space")
    student.wait_for_timeout(500)
    expect(teacher.get_by_role("status")).to_contain_text("Converged")
    expect(student.get_by_role("status")).to_contain_text("Converged")

    # The teacher's own link (token in the fragment) keeps control after a reload.
    teacher_again = pages.new(None)
    open_page(teacher_again, teacher.url)
    expect(teacher_again.get_by_text("Following", exact=True)).to_be_hidden()
    expect(button(teacher_again, "Reset")).to_be_enabled()
    button(teacher_again, "Reset").click()
    expect(student.locator("#stats")).to_contain_text("epoch 0 · samples seen 0 · updates 0")


def share(teacher: Page) -> tuple[str, str]:
    """Press Share live; the students' link (as a path) and the join code, dialog closed."""
    button(teacher, "Share live").click()
    dialog = teacher.get_by_role("dialog", name="Share live")
    code = dialog.locator("#share-code")
    expect(code).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{6}$"))
    link, typed = teacher.get_by_label("Students' link").input_value(), code.inner_text()
    dialog.get_by_role("button", name="Close").click()
    return "/" + link.split("/", 3)[3], typed


def test_students_see_the_teachers_lesson_and_follow_lesson_changes(pages: Pages) -> None:
    teacher = pages.new("/?lesson=1")
    link, _ = share(teacher)
    student = pages.new(link, viewport={"width": 390, "height": 844}, is_mobile=True)
    lesson = student.get_by_role("region", name="Lesson 1: The perceptron learns AND")
    expect(lesson).to_be_visible()
    expect(lesson).to_contain_text("Rosenblatt")
    expect(student.get_by_role("navigation", name="Lesson navigation")).to_be_hidden()
    teacher.get_by_text("Lessons", exact=True).click()
    teacher.get_by_role("link", name="3. XOR cannot be learned by one neuron").click()
    expect(student.get_by_role("region", name="Lesson 3: XOR cannot be learned by one neuron")).to_be_visible()
    expect(student.locator("#dataset")).to_have_value("xor")


def test_a_join_code_shown_large_joins_the_class(pages: Pages) -> None:
    teacher = pages.new("/?dataset=or")
    button(teacher, "Share live").click()
    code = teacher.get_by_role("dialog", name="Share live").locator("#share-code")
    expect(code).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{6}$"))
    assert code.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 36
    expect(teacher.get_by_role("dialog", name="Share live")).to_contain_text("/join")
    typed = code.inner_text()
    student = pages.new(None, viewport={"width": 390, "height": 844}, is_mobile=True)
    student.goto(pages.server.url + "/join")
    student.get_by_label("Code from your teacher's screen").fill(f"{typed[:3].lower()} {typed[3:]}")
    button(student, "Join").click()
    expect(student).to_have_url(re.compile(r"/\?session=[\w-]+&lang=en$"))
    expect(student.get_by_text("Following", exact=True)).to_be_visible()
    button(teacher, "Close").click()
    button(teacher, "Step").click()
    expect(student.locator("#stats")).to_contain_text("epoch 1 ·")
    student.goto(pages.server.url + "/join?code=ZZZZZZ")
    expect(student.get_by_role("alert")).to_contain_text("No class is sharing with the code ZZZZZZ")
    pages.watches[-1].errors.clear()  # the browser logs the 404 of a wrong code itself


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "sessions.sqlite3").start()
    yield proc
    proc.stop()


def test_pages_reconnect_after_the_server_restarts(browser: Browser, own_server: ServerProcess) -> None:
    pages = Pages(browser, own_server)
    try:
        teacher = pages.new("/?dataset=and")
        button(teacher, "Share live").click()
        link = teacher.get_by_label("Students' link").input_value()
        teacher.get_by_role("dialog").get_by_role("button", name="Close").click()
        student = pages.new(link.split(own_server.url)[1])
        button(teacher, "Step").click()
        expect(student.locator("#stats")).to_contain_text("epoch 1 ·")

        own_server.restart()
        expect(teacher.get_by_role("status")).not_to_contain_text("Reconnecting", timeout=15_000)
        button(teacher, "Step").click()
        expect(teacher.locator("#stats")).to_contain_text("epoch 2 ·", timeout=15_000)
        expect(student.locator("#stats")).to_contain_text("epoch 2 ·", timeout=15_000)
    finally:
        pages.close()
