"""Errors shaped like FastAPI's own, for the checks the routes make themselves."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException


# The context keys that describe the schema's bounds; others (a union's `tag`, a custom error)
# may quote the input, which a reply never echoes.
BOUNDS = ("gt", "ge", "lt", "le", "min_length", "max_length", "multiple_of", "expected")


def validation_detail(errors: Iterable[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors as where, what and the bounds that were crossed (`ctx`: numbers and
    words only, so that the page can name the range in its language), never the input back."""
    return [{"loc": list(e["loc"]), "msg": str(e["msg"]), "type": e["type"],
             **({"ctx": _safe(e["ctx"])} if e.get("ctx") else {})} for e in errors]  # fmt: skip


def _safe(ctx: dict[str, Any]) -> dict[str, Any]:
    def one(v: Any) -> Any:
        if isinstance(v, bool) or isinstance(v, int) or (isinstance(v, float) and math.isfinite(v)):
            return v
        return str(v)[:200]

    return {str(k): one(v) for k, v in ctx.items() if k in BOUNDS}


def field_error(field: str, message: str, where: str = "body") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the field."""
    return HTTPException(422, [{"loc": [where, field], "msg": message, "type": "value_error"}])
