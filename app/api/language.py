"""The language of a page, from what its request offers: `?lang=`, then the choice saved in the
`lang` cookie (the page's language switch sets it), then Accept-Language. A page whose language
may come from Accept-Language says so in `Vary`, so a cache keeps one copy per language."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.i18n import LANGUAGES, catalog, choose_language, translator

COOKIE = "lang"
VARY = {"Vary": "Accept-Language, Cookie"}
LANG_PATTERN = f"^({'|'.join(LANGUAGES)})$"  # a `lang` query parameter of the API
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français"}  # each in its own tongue


def page_language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(COOKIE),
                           request.headers.get("accept-language"))  # fmt: skip


def language_context(request: Request) -> dict[str, Any]:
    """What every template needs to speak the page's language (`t`) and to tell the page's
    modules which catalog to use (`messages`, embedded once as JSON)."""
    lang = page_language(request)
    messages = {k: v for k, v in catalog(lang).items() if not k.startswith("lesson.")}
    return {"lang": lang, "t": translator(lang), "page_messages": messages,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]}  # fmt: skip
