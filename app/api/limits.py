"""Errors shaped like FastAPI's own, for the checks the routes make themselves."""

from __future__ import annotations

from fastapi import HTTPException


def field_error(field: str, message: str, where: str = "body") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming the field."""
    return HTTPException(422, [{"loc": [where, field], "msg": message, "type": "value_error"}])
