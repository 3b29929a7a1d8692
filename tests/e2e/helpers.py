"""What the browser tests do again and again: open a page, read what a user sees."""

from __future__ import annotations

import re
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
from playwright.sync_api import Page

MINUS = "\u2212"


@contextmanager
def serving_page(html: str, port: int = 0) -> Iterator[str]:
    """One page (a course site's, say) served at http://localhost:<port>/week-1: localhost, so
    another origin (and site) than the app on 127.0.0.1; port 0 takes a free one."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/week-1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def open_page(page: Page, url: str) -> None:
    """Go to the page and wait for its first frame and its data (the sample table fills in).
    The embedded view (?embed=1) hides both, but fills them in all the same."""
    page.goto(url)
    state = "attached" if "embed=1" in url else "visible"
    page.locator("#stats").filter(has_text=re.compile(r"\d")).wait_for(state=state)  # any language
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


def png_pixels(png: bytes) -> np.ndarray:
    """A screenshot's pixels (height × width × channels, uint8): enough of PNG for Chromium's
    8-bit RGB or RGBA, non-interlaced, to compare two screenshots without an imaging library."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, header = 8, b"", b""
    while at < len(png):
        (length,), kind = struct.unpack(">I", png[at:at + 4]), png[at + 4:at + 8]
        body = png[at + 8:at + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * channels)
    out = np.zeros((height, width * channels), np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        up = out[y - 1] if y else np.zeros_like(line)
        if kind in (0, 2):
            out[y] = (line + (up if kind == 2 else 0)) % 256
            continue
        row = out[y]
        for x in range(len(line)):  # sub, average, paeth: each byte needs the one to its left
            left = row[x - channels] if x >= channels else 0
            corner = up[x - channels] if x >= channels else 0
            if kind == 1:
                guess = left
            elif kind == 3:
                guess = (left + up[x]) // 2
            else:
                p = left + up[x] - corner
                guess = min((abs(p - left), 0, left), (abs(p - up[x]), 1, up[x]),
                            (abs(p - corner), 2, corner))[2]  # fmt: skip
            row[x] = (line[x] + guess) % 256
    return out.astype(np.uint8).reshape(height, width, channels)
