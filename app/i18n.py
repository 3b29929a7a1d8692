"""The page's languages: one JSON catalog per language in static/i18n/<lang>.json, read here for
the templates and embedded in the page for its ES modules (static/js/i18n.js), so both speak from
the same file. Plural forms follow the language's CLDR categories (Babel here, Intl.PluralRules
in the browser); a plural message is an object {"one": ..., "other": ...} chosen by `count`.

Choosing a language knows nothing of HTTP: `choose_language` takes what a request offers (the
query, the saved choice, the Accept-Language header) and app/api/language.py reads them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from babel import Locale, negotiate_locale
from babel.numbers import format_decimal

CATALOGS = Path(__file__).resolve().parent.parent / "static" / "i18n"
LANGUAGES = ("en", "es", "fr")  # the first is the default and the reference catalog
DEFAULT = LANGUAGES[0]
PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_ACCEPT_LANGUAGE = 40  # entries read from one header: a long header costs no more than this

Message = str | dict[str, str]


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, Message]:
    """The messages of one language, by key (read once)."""
    return json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))


def plural_category(lang: str, count: float) -> str:
    """CLDR's category of `count` in `lang`: 'one', 'many', 'other', ..."""
    return str(Locale.parse(lang).plural_form(count))


def translate(lang: str, key: str, **params: Any) -> str:
    """The message `key` in `lang` with {placeholders} filled in; a plural message picks its form
    by `count` (a missing form falls back to 'other'). Counts are written as the language writes
    numbers (1,200 · 1 200 · 1.200)."""
    message = catalog(lang)[key]
    if isinstance(message, dict):
        count = params.get("count", 0)
        message = message.get(plural_category(lang, count), message["other"])
    shown = {k: format_decimal(v, locale=lang) if k == "count" else v for k, v in params.items()}
    return PLACEHOLDER.sub(lambda m: str(shown.get(m.group(1), m.group(0))), message)


def translator(lang: str) -> Callable[..., str]:
    """`t(key, **params)` bound to one language, for a template."""
    return lambda key, **params: translate(lang, key, **params)


def parse_accept_language(header: str) -> list[str]:
    """The language tags of an Accept-Language header, most wanted first (q=0 means 'not this')."""
    weighted: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        match = re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", params) if params else None
        if params and not match:
            continue
        if match:
            q = float(match.group(1))
        if tag and q > 0 and re.fullmatch(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*", tag):
            weighted.append((-q, order, tag))
    return [tag for _, _, tag in sorted(weighted)]


def supported(lang: str | None) -> str | None:
    """`lang` when it is one of ours (any case, any region: es-MX reads as es), else None."""
    if not lang:
        return None
    base = lang.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def choose_language(query: str | None, saved: str | None, accept_language: str | None) -> str:
    """?lang= first, then the saved choice, then the browser's Accept-Language (by Babel's
    negotiation, regions matching their language), else English."""
    for given in (query, saved):
        if supported(given):
            return supported(given) or DEFAULT
    wanted = [DEFAULT if tag == "*" else tag for tag in parse_accept_language(accept_language or "")]
    return negotiate_locale(wanted, list(LANGUAGES), sep="-") or DEFAULT
