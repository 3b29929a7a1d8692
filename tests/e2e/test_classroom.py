"""A classroom: the teacher shares a session, students follow it live and cannot steer it,
and pages reconnect after the server blinks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import ServerProcess
from tests.e2e.conftest import Pages
from tests.e2e.helpers import button, control, open_page


def test_students_follow_the_teacher_and_cannot_steer(pages: Pages) -> None:
    teacher = pages.new("/?dataset=xor&fps=10")
    button(teacher, "Share live").click()
    dialog = teacher.get_by_role("dialog", name="Share live")
    expect(dialog).to_be_visible()
    link = teacher.get_by_label("Students' link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?session=[\w-]+", link), link
    qr = dialog.get_by_role("img", name="QR code of the students' link")
    expect(qr).to_be_visible()
    teacher.wait_for_function("() => document.querySelector('#share-qr').naturalWidth > 0")
    assert any(re.search(r"/api/sessions/[\w-]+/qr\.svg$", url) for url in pages.watches[0].requests)
    dialog.get_by_role("button", name="Close").click()
    expect(teacher).to_have_url(re.compile(r"session=.*#token=."))
    assert "token=" not in teacher.url.split("#")[0]

    student = pages.new(link.removeprefix(teacher.url.split("/?")[0]), viewport={"width": 390, "height": 844})
    expect(student.get_by_text("Following", exact=True)).to_be_visible()
    for name in ("Play", "Step", "Step sample", "Reset"):
        expect(button(student, name)).to_be_disabled()
    expect(control(student, "Dataset")).to_be_disabled()
    expect(control(student, "Learning rate")).to_be_disabled()
    expect(button(student, "Share live")).to_be_hidden()

    button(teacher, "Step").click()
    expect(student.locator("#stats")).to_contain_text("epoch 1 ·")
    control(teacher, "Dataset").select_option("and")
    expect(control(student, "Dataset")).to_have_value("and")
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
    expect(student.locator("#stats")).to_contain_text("epoch 0 · updates 0")


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
