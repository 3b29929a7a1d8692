"""python -m app [--host H] [--port P]: serve the playground."""

from __future__ import annotations

import argparse
import os

import uvicorn

from app.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    args = parser.parse_args()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        ws_max_size=max(4 * get_settings().max_message_bytes, 1 << 20) * 2,
        log_level="info",
    )


if __name__ == "__main__":
    main()
