"""Absolute links the service hands out (the students' QR code): never built from a Host header
that is not a plain host name, so a hostile header can neither break nor steer them."""

from __future__ import annotations

import re

from fastapi import HTTPException, Request

from app.settings import Settings

HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+(?::\d{1,5})?"
                  r"|\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?")  # fmt: skip
MAX_HOST_LENGTH = 260


def public_base_url(request: Request, settings: Settings) -> str:
    """NEURON_PUBLIC_URL when set, else the scheme and Host of the request when it is valid."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = request.headers.get("host", "")
    if len(host) > MAX_HOST_LENGTH or not HOST.fullmatch(host):
        raise HTTPException(400, "the request's Host header is not a host name a link can carry; "
                            "set NEURON_PUBLIC_URL to the address students should open")  # fmt: skip
    return f"{request.url.scheme}://{host}"
