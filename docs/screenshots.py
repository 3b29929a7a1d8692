"""Take the README's screenshots of the playground: laptop, phone, presenter mode and a student.

    python -m docs.screenshots        (or: make screenshots)
    python -m docs.screenshots NAME…  (only those: laptop, phone, presenter, upload, upload-phone, lesson8, lesson8-phone,
                                       student, embed, es-laptop, fr-laptop, es-phone, fr-phone)

Starts its own server on a free port with a throwaway database, drives Chromium through a few
setups and saves docs/screenshot-laptop.png (1366×768), docs/screenshot-phone.png (390×844),
docs/screenshot-presenter.png (1280×720, a projector), docs/screenshot-upload.png (1366×768, the
preview of an uploaded CSV), docs/screenshot-student.png (1366×768, following a teacher who
shares lesson 1), docs/screenshot-lesson8.png (1366×768, the network that learns XOR), the parts
of PRODUCT.md §16–17 (timeline, slow motion, landscape, activation, metrics), and
docs/screenshot-embed.png (a course page embedding /?embed=1) with docs/screenshot-embed-small.png
(the view alone in a 400×300 frame). Set
NEURON_CHROMIUM to pick the browser.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.helpers import serving_page

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server() -> Iterator[str]:
    """A `python -m app` process on a free port, its sessions in a temporary SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {**os.environ, "NEURON_DATABASE": str(Path(tmp) / "sessions.sqlite3")}
        process = subprocess.Popen([sys.executable, "-m", "app", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=15)


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=0.5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not become healthy in 20 s")


def chromium_path() -> str | None:
    explicit = os.environ.get("NEURON_CHROMIUM")
    if explicit:
        return explicit
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def press(page: Page, name: str, times: int = 1) -> None:
    for _ in range(times):
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_timeout(120)


def laptop(page: Page) -> None:
    """Lesson 4, the sigmoid neuron on OR, trained to the tutorial's 10,000 epochs."""
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("status").filter(has_text="Finished").wait_for(timeout=30_000)


def phone(page: Page) -> None:
    """Lesson 1 stepped sample by sample: the plot first, the update worked out under it."""
    press(page, "Step sample", 6)


def phone_by_id(page: Page) -> None:
    """As `phone`, by the buttons' ids (any language)."""
    by_id(page, "step-sample", 6)


def presenter(page: Page) -> None:
    """Lesson 3 (XOR) in presenter mode, three epochs and one sample in."""
    press(page, "Step", 3)
    press(page, "Step sample")


def tumours_csv(rows: int = 60) -> bytes:
    """Three measurements of the packaged breast-cancer data, as a European spreadsheet writes
    them: semicolons, decimal commas, the diagnosis in words."""
    lines = (ROOT / "app" / "neuron" / "data" / "breast_cancer.csv").read_text().splitlines()[1:]
    out = ["radius;texture;smoothness;diagnosis"]
    malignant = [line for line in lines if line.endswith(",0")]
    benign = [line for line in lines if line.endswith(",1")]
    mixed = [line for pair in zip(malignant, benign) for line in pair]  # both classes in view
    for line in mixed[:rows]:
        v = line.split(",")
        out.append(";".join([v[0], v[1], v[4]]).replace(".", ",") + ";" + ("benign" if v[30] == "1" else "malignant"))
    return ("\r\n".join(out) + "\r\n").encode()


def upload(page: Page) -> None:
    """The preview of an uploaded CSV, before it is used."""
    page.get_by_label("Upload CSV").set_input_files(
        files=[{"name": "tumours.csv", "mimeType": "text/csv", "buffer": tumours_csv()}])
    page.locator("#upload-summary").filter(has_text="rows").wait_for()


def by_id(page: Page, button_id: str, times: int = 1) -> None:
    """A button found by its id: the same in every language."""
    for _ in range(times):
        page.locator(f"#{button_id}").click()
        page.wait_for_timeout(120)


def stepped(page: Page) -> None:
    """Two epochs and one sample in: the status, the update and the table all say something."""
    by_id(page, "step", 2)
    by_id(page, "step-sample")


def played(page: Page) -> None:
    """Played to the lesson's last epoch (Max epochs)."""
    by_id(page, "play")
    page.locator("#play").filter(has_text=re.compile(r"^(Play|Iniciar|Lancer)$")).wait_for(timeout=30_000)


def lesson_8(page: Page) -> None:
    """Lesson 8, two hidden neurons, played fast to its 200 epochs: XOR learned."""
    page.get_by_label("Speed", exact=True).select_option("60:20")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("status").filter(has_text="Finished").wait_for(timeout=30_000)


def scrubbed(page: Page) -> None:
    """Lesson 1 trained to convergence, the timeline dragged back to epoch 2."""
    press(page, "Step", 6)
    page.get_by_role("slider", name="Timeline").focus()
    for key in ("Home", "ArrowRight", "ArrowRight"):
        page.keyboard.press(key)
    page.locator("#timeline-epoch").filter(has_text="epoch 2 of").wait_for()


def slow_motion(page: Page) -> None:
    """A sample step in slow motion, caught as its inputs flow to z."""
    page.get_by_label("Slow motion", exact=True).check()
    press(page, "Step sample", 3)
    page.wait_for_timeout(1500)
    page.get_by_role("button", name="Step sample", exact=True).click()
    # Looked at every 30 ms: the phase lasts ~0.3 s, and a locator's wait for it came too late
    # in every try (the page's CSP refuses wait_for_function's evaluated predicate).
    for _ in range(100):
        if page.locator("#slowmo").get_attribute("data-phase") == "flow":
            break
        page.wait_for_timeout(30)
    else:
        raise RuntimeError("the slow-motion step never showed its inputs flowing")
    page.screenshot(path=str(DOCS / "screenshot-slow-motion.png"))  # mid-flight (the viewport: quick)


def trained(page: Page) -> None:
    press(page, "Step", 6)


def lesson7(page: Page) -> None:
    press(page, "Step", 3)
    page.wait_for_timeout(800)


SHOTS: list[tuple[str, str, dict[str, object], Callable[[Page], None]]] = [
    ("screenshot-laptop.png", "/?lesson=4&fps=60&spf=100", {"width": 1366, "height": 768}, laptop),
    ("screenshot-phone.png", "/?lesson=1", {"width": 390, "height": 844}, phone),
    ("screenshot-presenter.png", "/?lesson=3&present=1", {"width": 1280, "height": 720}, presenter),
    ("screenshot-upload.png", "/?dataset=and", {"width": 1366, "height": 768}, upload),
    ("screenshot-lesson8.png", "/?lesson=8", {"width": 1366, "height": 768}, lesson_8),
    # The languages (static/i18n): the longest words of each, on a laptop and on a phone.
    ("screenshot-es-laptop.png", "/?lesson=2&lang=es", {"width": 1366, "height": 768}, stepped),
    ("screenshot-fr-laptop.png", "/?lesson=4&lang=fr&fps=60&spf=100", {"width": 1366, "height": 768}, played),
    ("screenshot-es-phone.png", "/?lesson=1&lang=es", {"width": 390, "height": 844}, phone_by_id),
    ("screenshot-fr-phone.png", "/?lesson=6&lang=fr&fps=60&spf=100", {"width": 390, "height": 844}, played),
]  # fmt: skip
TEACHER = "/?lesson=1"


def student(browser: Browser, url: str) -> None:
    """A teacher shares lesson 1 and steps it; a student follows on a laptop: the lesson, the
    plot and the numbers, and none of the controls a student cannot use."""
    teacher = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    teacher.goto(url + TEACHER)
    teacher.locator("#stats").filter(has_text="epoch").wait_for()
    press(teacher, "Share live")
    teacher.locator("#share-code").filter(has_text=re.compile(r"^[A-Z2-9]{6}$")).wait_for()
    link = teacher.get_by_label("Students' link").input_value()
    press(teacher, "Close")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(link)
    page.locator("#stats").filter(has_text="epoch").wait_for()
    press(teacher, "Step sample", 5)
    page.wait_for_timeout(800)
    page.screenshot(path=str(DOCS / "screenshot-student.png"))
    print("saved docs/screenshot-student.png")
    context.close()
    teacher.context.close()


LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
# Parts of the page (PRODUCT.md §16, §17): file, link, viewport, what to do, what to capture
# (an element, or "window:" and an element: the window scrolled so that it ends there).
PARTS: list[tuple[str, str, dict[str, object], Callable[[Page], None], str]] = [
    ("screenshot-timeline.png", "/?lesson=1", LAPTOP, scrubbed, ".stage"),
    ("screenshot-timeline-phone.png", "/?lesson=1", PHONE, scrubbed, "window:.timeline-bar"),
    ("", "/?lesson=1", LAPTOP, slow_motion, ""),  # saves its own picture, mid-flight
    ("screenshot-landscape.png", "/?lesson=1", LAPTOP, trained, ".landscape-panel"),
    ("screenshot-landscape-no-bias.png", "/?lesson=5&fps=60&spf=100", LAPTOP, laptop, ".landscape-panel"),
    ("screenshot-activation.png", "/?lesson=4", LAPTOP, lambda p: press(p, "Step", 3), ".neuron-panel"),
    ("screenshot-metrics.png", "/?lesson=7", LAPTOP, lesson7, ".charts-panel"),
    ("screenshot-metrics-phone.png", "/?lesson=7", PHONE, lesson7, "#metrics-panel"),
]  # fmt: skip


COURSE_PAGE = """<!doctype html><html lang="en"><title>Week 1 · Perceptrons</title>
<style>body {{ font: 17px/1.5 Georgia, serif; max-width: 44rem; margin: 1.5rem auto; color: #222; }}
iframe {{ border: 1px solid #bbb; border-radius: 6px; }} figcaption {{ font-size: 0.85rem; color: #555; }}</style>
<h1>Week 1 · Perceptrons</h1>
<p>A perceptron draws one straight line. Press <b>Play</b> and watch it find a line with (1, 1) on
one side and the other three corners on the other: the AND gate, learned.</p>
<figure><iframe src="{url}/?embed=1&amp;lesson=1" title="Neuron Playground: a perceptron learns AND"
  width="640" height="400"></iframe>
<figcaption>Embedded from Neuron Playground (<code>/?embed=1&amp;lesson=1</code>).</figcaption></figure>
</html>"""


def embedded(browser: Browser, url: str) -> None:
    """A course page with the embedded view (lesson 1, trained to convergence) in an iframe, and
    the view alone in a small 400 × 300 frame."""
    context = browser.new_context(viewport={"width": 1024, "height": 720})
    page = context.new_page()
    with serving_page(COURSE_PAGE.format(url=url)) as course:
        page.goto(course)  # a page of its own origin: frame-ancestors * does not cover about:blank
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Play", exact=True).click()
    frame.get_by_role("status").filter(has_text="Converged").wait_for(timeout=30_000)
    page.wait_for_timeout(600)
    page.screenshot(path=str(DOCS / "screenshot-embed.png"))
    print("saved docs/screenshot-embed.png")
    context.close()
    context = browser.new_context(viewport={"width": 400, "height": 300})
    page = context.new_page()
    page.goto(url + "/?embed=1&dataset=xor&fps=30")
    page.locator("#stats").filter(has_text="epoch").wait_for(state="attached")
    press(page, "Step", 4)
    press(page, "Step sample", 2)
    page.wait_for_timeout(600)
    page.screenshot(path=str(DOCS / "screenshot-embed-small.png"))
    print("saved docs/screenshot-embed-small.png")
    context.close()


# Taken only when named: looked at while working, not shown in the README.
EXTRA: list[tuple[str, str, dict[str, object], Callable[[Page], None]]] = [
    ("screenshot-upload-phone.png", "/?dataset=and", {"width": 390, "height": 844}, upload),
    ("screenshot-fr-presenter.png", "/?lesson=3&present=1&lang=fr", {"width": 1280, "height": 720}, stepped),
]


def main() -> None:
    with server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        wanted = {f"screenshot-{name}.png" for name in sys.argv[1:]}
        shots = [(*shot, None) for shot in SHOTS + EXTRA] + PARTS
        for filename, path, viewport, act, part in shots:
            extra = any(filename == e[0] for e in EXTRA)
            if (wanted and filename not in wanted) or (not wanted and extra):
                continue
            mobile = viewport["width"] < 600
            context = browser.new_context(viewport=viewport, device_scale_factor=2 if mobile else 1,  # type: ignore[arg-type]
                                          is_mobile=mobile, has_touch=mobile)  # fmt: skip
            page = context.new_page()
            page.goto(url + path)
            page.locator("#stats").filter(has_text=re.compile(r"\d")).wait_for()  # any language
            act(page)
            if not filename:
                print("saved docs/screenshot-slow-motion.png")
                context.close()
                continue
            page.wait_for_timeout(600)  # the last frame drawn and the history curves loaded
            if part and part.startswith("window:"):  # the window, scrolled to end at this part
                page.locator(part.removeprefix("window:")).evaluate("e => e.scrollIntoView({block: 'end'})")
                page.wait_for_timeout(200)
                page.screenshot(path=str(DOCS / filename))
            elif part:
                page.locator(part).first.screenshot(path=str(DOCS / filename))
            else:
                page.screenshot(path=str(DOCS / filename))
            print(f"saved docs/{filename}")
            context.close()
        if not wanted or "screenshot-student.png" in wanted:
            student(browser, url)
        if not wanted or "screenshot-embed.png" in wanted:
            embedded(browser, url)
        browser.close()


if __name__ == "__main__":
    main()
