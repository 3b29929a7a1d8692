"""python -m app [--host H] [--port P]: serve the playground."""

from __future__ import annotations

import argparse
import logging
import os
import re
import socket
import sys
from urllib.parse import unquote_plus

import uvicorn

from app.sessions.store import SQLiteStore, StoreUnusable
from app.settings import get_settings

SHUTDOWN_GRACE_SECONDS = 5
GIL_SWITCH_SECONDS = 0.001
QUERY_PARAMETER = re.compile(r"([?&;])([^=&;\s\"]*)=([^&;\s\"]*)")


def main() -> None:
    # Training threads hold the GIL between NumPy calls; every time the event loop waits on a
    # socket it must win the GIL back, by default after up to 5 ms. At 1 ms a request that
    # waits a dozen times is answered in tens of ms, not hundreds, while large steps run.
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args()
    settings = get_settings()
    try:
        SQLiteStore(settings.database, settings.max_history_rows).close_now()
    except StoreUnusable as exc:
        sys.exit(f"neuron-playground: {exc}")
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        ws_max_size=max(4 * settings.max_message_bytes, 1 << 20) * 2,
        log_level="info",
        # Frames are mostly base64 heatmap: deflating each costs more CPU than it saves on a LAN.
        ws_per_message_deflate=False,
        # A stream client that stops reading holds a graceful shutdown open for ever (its unsent
        # frames never drain); past this uvicorn cancels, and the lifespan still saves every run.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    for name in ("uvicorn.error", "uvicorn.access"):  # after Config, which sets logging up
        logging.getLogger(name).addFilter(HideTokens())
    listener = config.bind_socket()
    limit_unsent_bytes(listener)
    uvicorn.Server(config).run(sockets=[listener])


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


def limit_unsent_bytes(listener: socket.socket, low_water: int = 16_384) -> None:
    """Let the kernel hold only ~16 kB of unsent data per connection (accepted sockets inherit
    it), so a slow client's stream frames wait in the hub, where the newest replaces the rest,
    instead of queueing by the megabyte in a send buffer that grows to fit them."""
    option = getattr(socket, "TCP_NOTSENT_LOWAT", None)
    if option is not None and listener.family in (socket.AF_INET, socket.AF_INET6):
        listener.setsockopt(socket.IPPROTO_TCP, option, low_water)


if __name__ == "__main__":
    main()
