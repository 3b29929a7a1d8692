"""axe-core in the page under test: the accessibility audit of the browser tests.

axe is vendored under tests/e2e/vendor (npm pack axe-core, with its licences); the app never
serves it. It is evaluated through the DevTools protocol, which the page's CSP (script-src
'self') does not govern, so the page is audited exactly as it is served.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# No rule is turned off: axe's whole default set (WCAG 2.0-2.2 A and AA, and best practices).
RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), why: n.failureSummary })),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text()


def violations(page: Page) -> list[dict[str, Any]]:
    """What axe finds wrong with the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(RUN)  # type: ignore[no-any-return]


def explain(found: list[dict[str, Any]]) -> str:
    """The violations as a reader fixes them: rule, what it asks, and where."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {' '.join(n['why'].split())}" for n in v["nodes"][:10]]
    return "\n".join(lines)
