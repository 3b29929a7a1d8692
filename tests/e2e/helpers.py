"""What the browser tests do again and again: open a page, read what a user sees."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page

MINUS = "\u2212"


def open_page(page: Page, url: str) -> None:
    """Go to the page and wait for its first frame and its data (the sample table fills in).
    The embedded view (?embed=1) hides both, but fills them in all the same."""
    page.goto(url)
    state = "attached" if "embed=1" in url else "visible"
    page.locator("#stats").filter(has_text="epoch").wait_for(state=state)
    page.locator("#samples tbody tr").first.wait_for(state=state)


def query(page: Page) -> dict[str, str]:
    """The page's URL query as a flat dict."""
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def maths_lines(page: Page) -> list[str]:
    """The typeset update as a reader sees it, one string per line, spaces removed."""
    texts = page.locator("#update .update-lines li .katex-html").all_inner_texts()
    return [re.sub(r"[\s\u200b]+", "", t) for t in texts]


def stats(page: Page) -> str:
    return page.locator("#stats").inner_text()


def epoch(page: Page) -> int:
    match = re.search(r"epoch (\d+)", stats(page))
    assert match, stats(page)
    return int(match.group(1))


def updates(page: Page) -> int:
    """Updates that changed a weight or the bias."""
    match = re.search(r"updates (\d+)", stats(page))
    assert match, stats(page)
    return int(match.group(1))


def samples_seen(page: Page) -> int:
    match = re.search(r"samples seen (\d+)", stats(page))
    assert match, stats(page)
    return int(match.group(1))


def button(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("button", name=name, exact=True)


def control(page: Page, label: str):  # type: ignore[no-untyped-def]
    return page.get_by_label(label, exact=True)


def canvas_colours(page: Page) -> dict[str, int]:
    """Distinct colours in the plot's pixels, and how many pixels are near each class colour."""
    return page.evaluate(
        """() => {
          const c = document.getElementById('plot');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          let orange = 0, blue = 0;
          const near = (i, r, g, b) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 24;
          for (let i = 0; i < d.length; i += 4) {
            seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            if (near(i, 0xE6, 0x9F, 0x00)) orange += 1;
            if (near(i, 0x00, 0x72, 0xB2)) blue += 1;
          }
          return { distinct: seen.size, orange, blue };
        }"""
    )
