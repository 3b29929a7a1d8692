"""Compact frames (PRODUCT.md §7): the first one whole, then only what changed.

A channel numbers the states it publishes and keeps the last few. A connection remembers which
one it last sent, so what it gets next is the change from *that* state — a slow client that
skipped frames still ends up with everything — and the text for a given (from, to) pair is
encoded once however many connections need it. Frames never carry a dataset's points: the page
fetches them once per `data_version`.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

import orjson

from app.sessions.manager import SessionGone

# In every frame, changed or not: what the page's numbers and status line show.
ALWAYS = ("epoch", "step", "weights", "bias", "loss", "accuracy", "test_accuracy", "converged",
          "status")  # fmt: skip
PER_SAMPLE = ("outputs", "predictions")  # sent while the set is small; on request past that
MAX_ROWS_IN_FRAMES = 256
KEPT_STATES = 8  # states a late connection can still get a change from (else a whole frame)
KEPT_TEXTS = 16


def frame_state(state: dict[str, Any]) -> dict[str, Any]:
    """The state as frames carry it: without the custom set's points in its config, and without
    the per-sample lists of a large set."""
    out = dict(state)
    config = state.get("config")
    if isinstance(config, dict) and config.get("points") is not None:
        out["config"] = {**config, "points": None}
    if len(state.get("predictions") or ()) > MAX_ROWS_IN_FRAMES:
        for key in PER_SAMPLE:
            out.pop(key, None)
    return out


def change(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields of `after` a client holding `before` needs: ALWAYS, and whatever differs."""
    return {k: v for k, v in after.items() if k in ALWAYS or before.get(k, _MISSING) != v}


class FrameLog:
    """The recent states of one channel, and their frames encoded once each.

    A state is kept as its fields' JSON (`"name":value` bytes, one a field): a change is found
    by comparing bytes, a frame is those bytes joined, and a kept state is no container of
    containers for the garbage collector to walk (a few hundred playing sessions keep thousands
    of states, and each full collection walked them all)."""

    def __init__(self) -> None:
        self.seq = 0
        self._states: OrderedDict[int, dict[str, bytes]] = OrderedDict()
        self._texts: OrderedDict[tuple[int | None, int], str] = OrderedDict()

    def add(self, framed: dict[str, Any]) -> int:
        """Number and keep a state as frames carry it (`frame_state`, made once by the caller
        for local watchers and other workers alike)."""
        self.seq += 1
        # `+` also makes a copy of the right size: orjson's own bytes keep its whole working
        # buffer (~27 times the JSON; kept as they come, 1.6 MB a playing session)
        self._states[self.seq] = {k: _name(k) + orjson.dumps(v) for k, v in framed.items()}
        while len(self._states) > KEPT_STATES:
            self._states.popitem(last=False)
        return self.seq

    def text(self, since: int | None, speed: dict[str, int]) -> str:
        """The newest frame for a connection that last got state `since` (None: never, or it
        asked for a whole one)."""
        seq = self.seq
        if since is not None and since not in self._states:
            since = None
        key = (since, seq)
        text = self._texts.get(key)
        if text is None:
            state = self._states[seq]
            body = state if since is None else change(self._states[since], state)
            ending = _SPEED + orjson.dumps(speed) + (_FULL if since is None else b"}")
            text = b",".join([_FRAME, *body.values()]).decode() + ending.decode()
            self._texts[key] = text
            while len(self._texts) > KEPT_TEXTS:
                self._texts.popitem(last=False)
        return text

    def forget_texts(self) -> None:
        """The speed changed: frames encoded with the old one must not be sent again."""
        self._texts.clear()


def error_frame(detail: Any, code: str | None = None, params: dict[str, Any] | None = None) -> str:
    """An error message; a sentence of the service's own (a string detail) also carries its
    `code` and numbers (`params`), so the page can say it in its own language."""
    frame: dict[str, Any] = {"type": "error", "detail": detail}
    if code is not None:
        frame |= {"code": code, "params": params or {}}
    return orjson.dumps(frame).decode()


def store_failure_code(exc: Exception) -> str:
    """The code of `store_failure`'s sentence, for a page that says it in its own language."""
    return "session_gone" if isinstance(exc, SessionGone) else "not_stored"


def store_failure(exc: Exception) -> str:
    """What a client is told when its change could not be stored (nothing of it was kept)."""
    if isinstance(exc, SessionGone):
        return "the session was deleted or has expired"
    return ("the session store could not save this change, so it was not applied and the "
            "session is as it was; try again shortly")


_FRAME, _SPEED, _FULL = b'{"type":"frame"', b',"speed":', b',"full":true}'


@lru_cache(maxsize=256)
def _name(key: str) -> bytes:
    return orjson.dumps(key) + b":"


class _Missing:
    pass


_MISSING = _Missing()
