"""Shared fixtures: the app in-process (httpx) and a real `python -m app` server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    """A real `redis-server` on a free port, its files in `folder`; `persistent` keeps every write
    in an append-only file synced at once, so a killed server comes back with all of it."""

    folder: Path
    persistent: bool = False
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        durability = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent \
            else ["--appendonly", "no"]  # fmt: skip
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             *durability, "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            try:
                with self.client() as c:
                    if c.ping():
                        return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING in 10 s")

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def forget(self, prefix: str) -> None:
        """Delete every key under `prefix` (what one test stored)."""
        with self.client() as c:
            keys = list(c.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                c.delete(*keys)

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=15)
        self.process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the whole run; each test keeps its keys under its own prefix."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_prefix(request: pytest.FixtureRequest) -> Iterator[str]:
    """A key prefix of this test's own on the shared redis-server, emptied afterwards."""
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    request.getfixturevalue("redis_server").forget(prefix)


STORES = ["sqlite", "redis"]


@pytest.fixture(params=STORES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The settings of one in-process app: its own SQLite file, or its own keys in Redis."""
    if request.param == "sqlite":
        return Settings(database=tmp_path / "sessions.sqlite3")
    server: RedisServer = request.getfixturevalue("redis_server")
    return Settings(database=tmp_path / "unused.sqlite3", redis_url=server.url,
                    redis_prefix=request.getfixturevalue("redis_prefix"))  # fmt: skip


def stored_bytes(settings: Settings) -> bytes:
    """Everything the configured store holds, as bytes (to look for what must not be stored)."""
    if not settings.redis_url:
        return b"".join(p.read_bytes() for p in settings.database.parent.glob(
            f"{settings.database.name}*"))  # fmt: skip
    found: list[bytes] = []
    with redis.Redis.from_url(settings.redis_url) as c:
        for key in c.scan_iter(match=f"{settings.redis_prefix}*"):
            found += [key, *_redis_values(c, key)]
    return b"".join(found)


def _redis_values(c: redis.Redis, key: bytes) -> list[bytes]:
    kind = c.type(key)
    if kind == b"hash":
        return [v for pair in c.hgetall(key).items() for v in pair]
    if kind == b"zset":
        return list(c.zrange(key, 0, -1))
    return [c.get(key) or b""]


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app in-process, with its own SQLite file or Redis keys, lifespan run."""
    with TestClient(create_app(settings)) as c:
        yield c


@dataclass
class ServerProcess:
    """A real server process on a free port; `restart()` keeps its database."""

    database: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None  # where its output goes (else nowhere)
    args: list[str] = field(default_factory=list)  # more of python -m app's options
    start_seconds: float = 20.0  # until /healthz answers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        env = {**os.environ, "NEURON_DATABASE": str(self.database), **self.env}
        out = self.log.open("ab") if self.log is not None else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "--port", str(self.port), *self.args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        if self.log is not None:
            out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not become healthy in {self.start_seconds:g} s")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=15)
        self.process = None

    @property
    def on_redis(self) -> bool:
        return "NEURON_REDIS_URL" in self.env

    def restart(self, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()


def store_env(request: pytest.FixtureRequest, prefix: str) -> dict[str, str]:
    """The environment that puts a server's sessions in the parametrised store."""
    if request.param == "sqlite":
        return {}
    redis_server: RedisServer = request.getfixturevalue("redis_server")
    return {"NEURON_REDIS_URL": redis_server.url, "NEURON_REDIS_PREFIX": prefix}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh real server for one test (SQLite: on Redis a restarted worker takes playing
    sessions over, which the restart tests here do not expect; tests/live/test_workers.py)."""
    proc = ServerProcess(tmp_path / "sessions.sqlite3").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session", params=STORES)
def shared_server(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:  # fmt: skip
    """One real server per store for a whole test session (for tests that only add sessions)."""
    env = store_env(request, "shared:")
    proc = ServerProcess(tmp_path_factory.mktemp("shared") / "sessions.sqlite3", env=env).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server on SQLite for a whole test session (the browser tests: the page does not
    depend on the store, and running each twice would double the slowest part of the suite)."""
    proc = ServerProcess(tmp_path_factory.mktemp("shared-sqlite") / "sessions.sqlite3").start()
    yield proc
    proc.stop()
