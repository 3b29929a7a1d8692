"""The servers a benchmark runs against: one process on SQLite, or several workers on a Redis the
benchmark starts itself (on a free port, nothing saved to disk) and stops after."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REDIS_START_SECONDS = 10.0
SERVER_START_SECONDS = 60.0  # generous: a shared machine can be slow to start Python
WORKERS_START_SECONDS = 60.0


@contextmanager
def redis_server() -> Iterator[tuple[str, int]]:
    """A throwaway `redis-server` on a free port; yields its URL and pid."""
    from tests.conftest import free_port

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as tmp:
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tmp, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_for_ping(port, process)
            yield f"redis://127.0.0.1:{port}/0", process.pid
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for_ping(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + REDIS_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not answer PING in {REDIS_START_SECONDS:g} s")


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
