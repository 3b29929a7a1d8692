"""Session ids and control tokens: random, unguessable, and tokens kept only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_session_id() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


def new_control_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str | None, token_hash: str) -> bool:
    """Constant-time comparison, so timing reveals nothing about the stored hash."""
    if not token:
        return False
    return hmac.compare_digest(hash_token(token), token_hash)
