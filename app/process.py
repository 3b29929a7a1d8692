"""What each server process sets up for itself, in every worker (the app factory calls it)."""

from __future__ import annotations

import gc
import logging
import os
import re
import sys
from urllib.parse import unquote_plus

# Training threads hold the GIL between NumPy calls; every time the event loop waits on a socket
# it must win the GIL back, by default after up to 5 ms. At 1 ms a request that waits a dozen
# times is answered in tens of ms, not hundreds, while large steps run.
GIL_SWITCH_SECONDS = 0.001
QUERY_PARAMETER = re.compile(r"([?&;])([^=&;\s\"]*)=([^&;\s\"]*)")
LOGGERS = ("uvicorn.error", "uvicorn.access")


def tune_process() -> None:
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideTokens) for f in logger.filters):
            logger.addFilter(HideTokens())


SERVER_PROCESS = "NEURON_PLAYGROUND_SERVER_PROCESS"  # set by `python -m app` for its workers


def settle_heap() -> None:
    """Once the app has started: keep everything alive now (modules, routes, schemas: some
    60,000 objects) out of every later garbage collection. A full collection walks every object
    the collector tracks, and with a few hundred sessions playing one ran every few seconds for
    100-300 ms, holding up every frame of the process (`thaw_heap` undoes it at shutdown).
    Without a collection first: that would cost tens of ms at every start of an app, and what
    little garbage is frozen with the rest is collected after a thaw. Only in a process that
    `python -m app` started: an app started inside another program (a test run) would freeze
    that program's garbage too, and collect it later at some unrelated moment."""
    if os.environ.get(SERVER_PROCESS) == "1":
        gc.freeze()


def thaw_heap() -> None:
    """At shutdown: what `settle_heap` kept out of collections can be collected again."""
    if os.environ.get(SERVER_PROCESS) == "1":
        gc.unfreeze()


class HideTokens(logging.Filter):
    """uvicorn logs each stream URL with its query, where a steering client's control token
    rides (?token=...): whoever reads the log must not be able to steer sessions. A parameter
    is hidden when its name, percent-decoded and in any case, is `token` — the way the server
    reads it, and a little wider."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(hide_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True


def hide_tokens(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        sep, name, value = match.groups()
        if unquote_plus(name).strip().lower() == "token":
            value = "[hidden]"
        return f"{sep}{name}={value}"

    return QUERY_PARAMETER.sub(hide, text)
