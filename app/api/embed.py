"""The embeddable view, `/?embed=1&…`: the plot and the transport controls alone, for an iframe on
a course page. The one place that says whether a request asks for it (the page and the headers
must agree, or a frame would be refused the view it was given)."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlencode

# The spellings of "on" the page's URL state reads (static/js/state.js, PARSE.bool).
ON = frozenset({"1", "true", "on"})
EMBED_PATH = "/"


def wants_embed(path: str, query: str) -> bool:
    """True for the playground page asked for with embed=1 (or true, on); of several embed= the
    first counts, as URLSearchParams.get reads it on the page."""
    if path != EMBED_PATH:
        return False
    values = parse_qs(query, keep_blank_values=True).get("embed", [])
    return bool(values) and values[0] in ON


def without_embed(query: str) -> str:
    """The same setup for the full page: the query without embed= ("?a=1&b=2", or "")."""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "embed"]
    return f"?{urlencode(kept)}" if kept else ""
