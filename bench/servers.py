"""The servers a benchmark runs against: one process on SQLite, or several workers on a Redis the
benchmark starts itself (on a free port, nothing saved to disk) and stops after."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SERVER_START_SECONDS = 60.0  # generous: a shared machine can be slow to start Python
WORKERS_START_SECONDS = 60.0


@contextmanager
def redis_server() -> Iterator[tuple[str, int]]:
    """A throwaway `redis-server` on a free port (the tests' own starter, nothing saved to
    disk); yields its URL and pid."""
    from tests.conftest import RedisServer

    with tempfile.TemporaryDirectory(prefix="bench-redis-") as tmp:
        server = RedisServer(Path(tmp)).start()
        try:
            assert server.process is not None
            yield server.url, server.process.pid
        finally:
            server.stop()


@contextmanager
def serving(workers: int = 1,
            env: dict[str, str] | None = None) -> Iterator[tuple[Any, list[int], int | None]]:  # fmt: skip
    """A fresh server (its own SQLite file; with workers > 1 also its own Redis). Yields the
    ServerProcess, the pids of the process itself or of the uvicorn supervisor and its workers,
    and redis-server's pid (None without workers)."""
    from tests.conftest import ServerProcess

    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp, _redis_if(workers > 1) as redis:
        url, redis_pid = redis if redis else (None, None)
        extra = {"NEURON_MAX_SESSIONS": "10000", **(env or {}),
                 **({"NEURON_REDIS_URL": url} if url else {})}  # fmt: skip
        server = ServerProcess(Path(tmp) / "sessions.sqlite3", env=extra,
                               args=["--workers", str(workers)] if workers > 1 else [],
                               start_seconds=SERVER_START_SECONDS).start()  # fmt: skip
        try:
            assert server.process is not None
            yield server, _server_pids(server.process.pid, workers), redis_pid
        finally:
            server.stop()


@contextmanager
def _redis_if(wanted: bool) -> Iterator[tuple[str, int] | None]:
    if not wanted:
        yield None
        return
    with redis_server() as redis:
        yield redis


def _server_pids(pid: int, workers: int) -> list[int]:
    """With workers, wait until every one of them is up (healthz only proves one is)."""
    import psutil

    if workers == 1:
        return [pid]
    deadline = time.monotonic() + WORKERS_START_SECONDS
    supervisor = psutil.Process(pid)
    while time.monotonic() < deadline:
        children = [c for c in supervisor.children() if _listening(c)]
        if len(children) >= workers:
            return [pid, *(c.pid for c in children)]
        time.sleep(0.1)
    raise RuntimeError(f"{workers} workers did not all start in {WORKERS_START_SECONDS:g} s")


def _listening(process: Any) -> bool:
    """A worker is up once its app has started (it has opened its Redis connection)."""
    try:
        return any(c.status == "ESTABLISHED" for c in process.net_connections(kind="tcp"))
    except Exception:  # it exited meanwhile, or is still starting
        return False


def connections_per_worker(pids: list[int], port: int) -> list[int]:
    """Open connections each worker holds on the server's port (the kernel's spread of one
    listening socket over its workers), supervisor left out."""
    import psutil

    counts = []
    for pid in pids[1:]:
        conns = psutil.Process(pid).net_connections(kind="tcp")
        counts.append(sum(1 for c in conns if c.laddr and c.laddr.port == port
                          and c.status == "ESTABLISHED"))  # fmt: skip
    return counts
