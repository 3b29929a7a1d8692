"""python -m app [--host H] [--port P] [--workers N]: serve the playground."""

from __future__ import annotations

import argparse
import os
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from app.process import SERVER_PROCESS
from app.sessions.backend import check_store
from app.sessions.store import StoreUnusable
from app.settings import get_settings

SHUTDOWN_GRACE_SECONDS = 5


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "1")),
                        help="worker processes on the one port (more than one needs Redis)")
    args = parser.parse_args()
    settings = get_settings()
    if args.workers < 1:
        sys.exit("neuron-playground: --workers must be at least 1")
    if args.workers > 1 and not settings.redis_url:
        sys.exit(f"neuron-playground: --workers {args.workers} needs NEURON_REDIS_URL: workers "
                 "share sessions through Redis; set it (redis://host:port/db) or run one worker")
    try:
        check_store(settings)
    except StoreUnusable as exc:
        sys.exit(f"neuron-playground: {exc}")
    config = uvicorn.Config(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        ws_max_size=max(4 * settings.max_message_bytes, 1 << 20) * 2,
        log_level="info",
        # Frames are mostly base64 heatmap: deflating each costs more CPU than it saves on a LAN.
        ws_per_message_deflate=False,
        # A stream client that stops reading holds a graceful shutdown open for ever (its unsent
        # frames never drain); past this uvicorn cancels, and the lifespan still saves every run.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    os.environ[SERVER_PROCESS] = "1"  # the workers inherit it (app/process.py: settle_heap)
    listener = config.bind_socket()
    limit_unsent_bytes(listener)
    if args.workers > 1:
        Multiprocess(config, sockets=[listener]).run()  # uvicorn's own supervisor
    else:
        uvicorn.Server(config).run(sockets=[listener])


def limit_unsent_bytes(listener: socket.socket, low_water: int = 16_384) -> None:
    """Let the kernel hold only ~16 kB of unsent data per connection (accepted sockets inherit
    it), so a slow client's stream frames wait in the hub, where the newest replaces the rest,
    instead of queueing by the megabyte in a send buffer that grows to fit them."""
    option = getattr(socket, "TCP_NOTSENT_LOWAT", None)
    if option is not None and listener.family in (socket.AF_INET, socket.AF_INET6):
        listener.setsockopt(socket.IPPROTO_TCP, option, low_water)


if __name__ == "__main__":
    main()
