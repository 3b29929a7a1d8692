"""The page: time from navigation to the first drawn frame, and the bytes it loads.

Headless Chromium (the system one; Playwright never downloads a browser here) opens `/` on a fresh
server, each time in a new context (empty cache). An init script notes, in the page's own clock
(ms since navigation start), when the first WebSocket frame arrives and when the next animation
frame after it runs (the page draws in requestAnimationFrame). If the page marks an element with
`data-first-frame`, that value is reported too.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.timing import table

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
FIRST_FRAME_TARGET_MS = 1000.0
LOADS = 5
TIMEOUT_MS = 15_000

# Runs before any script of the page. Listeners added here fire before the page's own onmessage,
# so the animation frame is requested from a microtask: after the page has handled the message.
WATCH_FIRST_FRAME = """
(() => {
  const Native = window.WebSocket;
  window.__bench = { firstMessage: null, firstFrame: null, drawn: null };
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const b = window.__bench;
        const now = performance.now();
        if (b.firstMessage === null) b.firstMessage = now;
        if (b.firstFrame !== null || typeof event.data !== 'string') return;
        if (!event.data.startsWith('{"type":"frame"')) return;
        b.firstFrame = now;
        queueMicrotask(() => requestAnimationFrame(() => { b.drawn = performance.now(); }));
      });
    }
  };
})();
"""


def run(quick: bool = False) -> dict[str, Any]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from tests.conftest import ServerProcess

    loads = 2 if quick else LOADS
    with tempfile.TemporaryDirectory(prefix="bench-page-") as tmp:
        server = ServerProcess(Path(tmp) / "sessions.sqlite3").start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    samples = [_load_once(browser, server.url) for _ in range(loads)]
                finally:
                    browser.close()
        except PlaywrightError as exc:
            return {"ready": False, "reason": f"browser error: {exc}".splitlines()[0]}
        finally:
            server.stop()
    return _summary(samples)


def _load_once(browser: Any, url: str) -> dict[str, Any]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script(WATCH_FIRST_FRAME)
        finished: list[Any] = []
        failed: list[str] = []
        page.on("requestfinished", lambda r: finished.append(r))
        page.on("requestfailed", lambda r: failed.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(url + "/", wait_until="load", timeout=TIMEOUT_MS)
        status = response.status if response is not None else None
        drawn = _poll(page, "() => window.__bench && window.__bench.drawn !== null")
        page.wait_for_timeout(500)  # late requests (fonts, history) still count as loaded
        marks = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const el = document.querySelector('[data-first-frame]');
            return { ...window.__bench,
                     domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
                     load: nav ? nav.loadEventEnd : null,
                     attribute: el ? el.getAttribute('data-first-frame') : null };
        }""")
        resources = []
        for request in finished:
            sizes = request.sizes()
            resources.append({"url": request.url.removeprefix(url), "type": request.resource_type,
                              "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"]})  # fmt: skip
        return {"status": status, "drawn": drawn, "marks": marks, "resources": resources,
                "failed": failed, "errors": errors}  # fmt: skip
    finally:
        context.close()


def _poll(page: Any, predicate: str) -> bool:
    """Wait for a predicate by asking from outside: wait_for_function would evaluate a string in
    the page, which the page's CSP (no 'unsafe-eval') refuses."""
    for _ in range(TIMEOUT_MS // 20):
        if page.evaluate(predicate):
            return True
        page.wait_for_timeout(20)
    return False


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [s for s in samples if s["drawn"]]
    first = samples[0]
    result: dict[str, Any] = {
        "ready": bool(ok), "loads": len(samples), "loads_with_a_frame": len(ok),
        "http_status": first["status"], "page_errors": sorted({e for s in samples for e in s["errors"]}),
        "failed_requests": sorted({u for s in samples for u in s["failed"]}),
    }  # fmt: skip
    if not ok:
        result["reason"] = (f"no frame drawn within {TIMEOUT_MS / 1000:g} s "
                            f"(GET / answered {first['status']})")  # fmt: skip
    resources = first["resources"]
    result["bytes_total"] = sum(r["bytes"] for r in resources)
    result["requests"] = len(resources)
    by_type: dict[str, int] = {}
    for r in resources:
        by_type[r["type"]] = by_type.get(r["type"], 0) + r["bytes"]
    result["bytes_by_type"] = by_type
    result["largest"] = sorted(resources, key=lambda r: -r["bytes"])[:8]
    for key in ("firstFrame", "drawn", "domContentLoaded", "load"):
        values = [s["marks"][key] for s in ok if s["marks"].get(key) is not None]
        if values:
            result[f"{key}_ms"] = {"min": min(values), "median": statistics.median(values)}
    attributes = [s["marks"]["attribute"] for s in ok if s["marks"].get("attribute")]
    result["data_first_frame"] = attributes or None
    return result


def report(results: dict[str, Any]) -> str:
    if not results.get("ready"):
        return f"page not ready: {results.get('reason')}"
    rows = [[name, results[key]["min"], results[key]["median"]]
            for name, key in (("DOMContentLoaded", "domContentLoaded_ms"), ("load", "load_ms"),
                              ("first WebSocket frame", "firstFrame_ms"),
                              ("first frame drawn (next rAF)", "drawn_ms")) if key in results]  # fmt: skip
    out = [f"page: {results['loads_with_a_frame']}/{results['loads']} cold loads drew a frame; "
           f"{results['requests']} requests, {results['bytes_total'] / 1024:.0f} KiB",
           table(["since navigation start", "min ms", "median ms"], rows), "",
           table(["largest resources", "type", "KiB"],
                 [[r["url"], r["type"], r["bytes"] / 1024] for r in results["largest"]])]  # fmt: skip
    return "\n".join(out)


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    if not results.get("ready") or "drawn_ms" not in results:
        return [("page: first frame within 1 s", results.get("reason", "no frame"), False)]
    drawn = results["drawn_ms"]["median"]
    return [("page: first frame drawn within 1 s of navigation", f"{drawn:.0f} ms (median)",
             drawn <= FIRST_FRAME_TARGET_MS)]  # fmt: skip
