"""Server memory per idle stored session: RSS before and after creating sessions over REST.

The server keeps the 128 most recently used sessions in memory (app/sessions/manager.py,
CACHE_SIZE) and the rest only in SQLite, so RSS grows with the first 128 and then should not:
the table shows RSS at checkpoints, the slope inside and past the cache, and the bytes on disk.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.timing import table

CHECKPOINTS = (0, 64, 128, 256, 512, 1000)
WARMUP = 32  # sessions created (then deleted) before the baseline: imports, caches, pools
TARGET_KIB = 16.0  # "a few KB" per idle stored session
CONFIGS = {
    "and gate (default config)": {},
    "blobs, 10,000 points": {"dataset": "blobs", "n_samples": 10_000},
}


def run(quick: bool = False) -> dict[str, Any]:
    from tests.conftest import ServerProcess

    results: dict[str, Any] = {"cache_size": _cache_size(), "runs": []}
    for name, config in CONFIGS.items():
        checkpoints: tuple[int, ...] = CHECKPOINTS if not quick else (0, 128, 256)
        if config:  # the big-data run only needs the cache to fill and overflow
            checkpoints = tuple(c for c in checkpoints if c <= 256)
        with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
            database = Path(tmp) / "sessions.sqlite3"
            server = ServerProcess(database, env={"NEURON_MAX_SESSIONS": "5000"}).start()
            try:
                assert server.process is not None
                results["runs"].append(_measure(name, config, server.url, server.process.pid,
                                                database, checkpoints))  # fmt: skip
            finally:
                server.stop()
    return results


def _cache_size() -> int:
    from app.sessions.manager import CACHE_SIZE

    return CACHE_SIZE


def _measure(name: str, config: dict[str, Any], url: str, pid: int, database: Path,
             checkpoints: tuple[int, ...]) -> dict[str, Any]:  # fmt: skip
    import httpx
    import psutil

    server = psutil.Process(pid)
    with httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(WARMUP):
            s = http.post("/api/sessions", json=config).json()
            http.delete(f"/api/sessions/{s['id']}",
                        headers={"Authorization": f"Bearer {s['control_token']}"})  # fmt: skip
        points = []
        created = 0
        for target in checkpoints:
            while created < target:
                http.post("/api/sessions", json=config).raise_for_status()
                created += 1
            time.sleep(0.3)
            points.append({"sessions": created, "rss_kib": server.memory_info().rss / 1024,
                           "disk_kib": _disk_kib(database)})  # fmt: skip
    base, last = points[0], points[-1]
    cache = _cache_size()
    inside = next((p for p in points if p["sessions"] == cache), None)
    result: dict[str, Any] = {
        "config": name, "points": points,
        "rss_per_session_kib": (last["rss_kib"] - base["rss_kib"]) / max(last["sessions"], 1),
        "disk_per_session_kib": (last["disk_kib"] - base["disk_kib"]) / max(last["sessions"], 1),
    }  # fmt: skip
    if inside is not None:
        result["rss_per_cached_session_kib"] = (inside["rss_kib"] - base["rss_kib"]) / cache
        if last["sessions"] > cache:
            result["rss_per_session_past_cache_kib"] = ((last["rss_kib"] - inside["rss_kib"])
                                                        / (last["sessions"] - cache))  # fmt: skip
    return result


def _disk_kib(database: Path) -> float:
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1024


def report(results: dict[str, Any]) -> str:
    out = []
    for run_ in results["runs"]:
        rows = [[p["sessions"], p["rss_kib"] / 1024, (p["rss_kib"] - run_["points"][0]["rss_kib"]) / 1024,
                 p["disk_kib"] / 1024] for p in run_["points"]]  # fmt: skip
        out.append(f"memory, {run_['config']}: {run_['rss_per_session_kib']:.1f} KiB RSS per session "
                   f"overall; inside the cache of {results['cache_size']}: "
                   f"{run_.get('rss_per_cached_session_kib', float('nan')):.1f} KiB; past it: "
                   f"{run_.get('rss_per_session_past_cache_kib', float('nan')):.1f} KiB; "
                   f"SQLite {run_['disk_per_session_kib']:.1f} KiB")  # fmt: skip
        out.append(table(["sessions", "RSS MiB", "Δ RSS MiB", "SQLite MiB"], rows))
        out.append("")
    return "\n".join(out)


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    run_ = results["runs"][0]
    per = run_["rss_per_session_kib"]
    return [(f"memory: RSS per idle stored session ≤ {TARGET_KIB:g} KiB "
             f"({run_['points'][-1]['sessions']:,} sessions)", f"{per:.1f} KiB", per <= TARGET_KIB)]  # fmt: skip
