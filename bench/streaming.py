"""Live streaming under load: a real server process, and clients in another process.

Each scenario starts a fresh server (`python -m app`, its own SQLite file), then a client process
(`python -m bench.streaming --client ...`) creates the sessions over REST, opens one WebSocket per
connection, presses play, lets the runners settle and then records, for a fixed window, the
arrival time of every frame. The server's CPU and RSS are read with psutil over the same window.
Sessions play XOR with the perceptron, which never converges, so they stream until paused; every
frame carries a 64 × 64 heatmap. Compression is negotiated as browsers do (permessage-deflate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FRAME_PREFIX = '{"type":"frame"'
SESSION_CONFIG = {"dataset": "xor"}  # perceptron on XOR: never converges, plays until paused
P95_TARGET_MS = 50.0
DELIVERED_TARGET = 0.95


@dataclass(frozen=True)
class Scenario:
    name: str
    sessions: int
    viewers_per_session: int = 1  # the first connection of a session holds its control token
    fps: int = 30
    compression: bool = True
    targeted: bool = False  # the target applies to this scenario

    @property
    def connections(self) -> int:
        return self.sessions * self.viewers_per_session


SCENARIOS = [
    Scenario("1 session at 60 fps", 1, fps=60, targeted=True),  # PRODUCT.md §12
    Scenario("10 sessions", 10),
    Scenario("100 sessions", 100),
    Scenario("300 sessions", 300, targeted=True),
    Scenario("300 sessions, no compression", 300, compression=False),
    Scenario("500 sessions", 500),
    Scenario("1 session, 200 viewers", 1, viewers_per_session=200),
]
QUICK = ("1 session at 60 fps", "10 sessions", "100 sessions", "300 sessions")


def run(quick: bool = False, window_s: float = 5.0, only: list[str] | None = None) -> dict[str, Any]:
    from tests.conftest import ServerProcess  # the same real-server helper the tests use

    results: dict[str, Any] = {"window_s": window_s, "session_config": SESSION_CONFIG,
                               "scenarios": []}  # fmt: skip
    for scenario in SCENARIOS:
        if (quick and scenario.name not in QUICK) or (only and scenario.name not in only):
            continue
        with tempfile.TemporaryDirectory(prefix="bench-stream-") as tmp:
            server = ServerProcess(Path(tmp) / "sessions.sqlite3",
                                   env={"NEURON_MAX_SESSIONS": "10000"}).start()  # fmt: skip
            try:
                assert server.process is not None
                row = _client(scenario, server.url, server.ws_url, server.process.pid, window_s)
            finally:
                server.stop()
        row["load_average"] = [round(v, 2) for v in os.getloadavg()]
        results["scenarios"].append(row)
        print(f"  streaming: {scenario.name}: p95 {row['interval_ms']['p95']:.1f} ms, "
              f"{100 * row['delivered']:.1f}% delivered", file=sys.stderr, flush=True)  # fmt: skip
    return results


def _client(scenario: Scenario, url: str, ws_url: str, pid: int, window_s: float) -> dict[str, Any]:
    args = {"scenario": asdict(scenario), "url": url, "ws_url": ws_url, "pid": pid, "window_s": window_s}
    done = subprocess.run([sys.executable, "-m", "bench.streaming", "--client", json.dumps(args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180 + 2 * window_s)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"stream client failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout))


# ---- the client process ---------------------------------------------------------------------
async def _client_main(args: dict[str, Any]) -> dict[str, Any]:
    import httpx
    import psutil
    from websockets.asyncio.client import connect

    scenario = Scenario(**args["scenario"])
    server, me = psutil.Process(args["pid"]), psutil.Process()
    clock = time.perf_counter
    started = clock()
    async with httpx.AsyncClient(base_url=args["url"], timeout=30) as http:
        gate = asyncio.Semaphore(8)

        async def create() -> dict[str, Any]:
            async with gate:
                r = await http.post("/api/sessions", json=SESSION_CONFIG)
                r.raise_for_status()
                return dict(r.json())

        created = await asyncio.gather(*(create() for _ in range(scenario.sessions)))
    create_s = clock() - started

    arrivals: list[list[float]] = [[] for _ in range(scenario.connections)]
    problems = {"error_frames": 0, "closed_early": 0}
    opening = asyncio.Semaphore(32)

    async def open_one(k: int) -> Any:
        s = created[k // scenario.viewers_per_session]
        token = f"?token={s['control_token']}" if k % scenario.viewers_per_session == 0 else ""
        async with opening:
            return await connect(f"{args['ws_url']}/api/sessions/{s['id']}/stream{token}",
                                 compression="deflate" if scenario.compression else None,
                                 max_size=None, ping_interval=None, open_timeout=60)  # fmt: skip

    async def consume(ws: Any, sink: list[float]) -> None:
        try:
            async for message in ws:
                if message.startswith(FRAME_PREFIX):
                    sink.append(clock())
                else:
                    problems["error_frames"] += 1
        except Exception:  # a connection dropped by the server
            problems["closed_early"] += 1

    started = clock()
    sockets = await asyncio.gather(*(open_one(k) for k in range(scenario.connections)))
    connect_s = clock() - started
    readers = [asyncio.create_task(consume(ws, sink)) for ws, sink in zip(sockets, arrivals)]
    controllers = sockets[:: scenario.viewers_per_session]
    for ws in controllers:  # staggered over a second, as real users would start
        if scenario.fps != 30:
            await ws.send(json.dumps({"type": "speed", "fps": scenario.fps}))
        await ws.send('{"type": "play"}')
        await asyncio.sleep(1.0 / len(controllers))
    await asyncio.sleep(1.5)  # runners settle

    cpu0, mine0, busy0, t0 = _cpu(server), _cpu(me), _busy(psutil), clock()
    await asyncio.sleep(args["window_s"])
    cpu1, mine1, busy1, t1 = _cpu(server), _cpu(me), _busy(psutil), clock()
    rss = server.memory_info().rss

    for ws in controllers:
        await ws.send('{"type": "pause"}')
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    summary = _summary(scenario, arrivals, t0, t1, problems)
    return summary | {
        "server_cpu_percent": 100 * (cpu1 - cpu0) / (t1 - t0),
        # the server's cost of one frame on one connection, whatever else slowed it down
        "server_cpu_us_per_frame": 1e6 * (cpu1 - cpu0) / max(summary["frames"], 1),
        "client_cpu_percent": 100 * (mine1 - mine0) / (t1 - t0),
        # everything else the machine ran meanwhile (other users' work competes for the cores)
        "other_cpu_percent": 100 * ((busy1 - busy0) - (cpu1 - cpu0) - (mine1 - mine0)) / (t1 - t0),
        "server_rss_mib": rss / 2**20,
        "create_s": create_s,
        "connect_s": connect_s,
    }


def _cpu(process: Any) -> float:
    t = process.cpu_times()
    return float(t.user + t.system)


def _busy(psutil: Any) -> float:
    """Seconds all cores of the machine have spent busy."""
    t = psutil.cpu_times()
    counted_twice = getattr(t, "guest", 0.0) + getattr(t, "guest_nice", 0.0)  # already in user
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0) - counted_twice)


def _summary(scenario: Scenario, arrivals: list[list[float]], t0: float, t1: float,
             problems: dict[str, int]) -> dict[str, Any]:  # fmt: skip
    import numpy as np

    window = t1 - t0
    intervals: list[float] = []
    counts = []
    for times in arrivals:
        inside = [t for t in times if t0 <= t < t1]
        counts.append(len(inside))
        intervals.extend(np.diff(inside).tolist())
    expected = scenario.fps * window
    ms = np.array(intervals) * 1e3 if intervals else np.array([float("nan")])
    return {
        **asdict(scenario), "connections": scenario.connections, "window_s": window,
        "frames": int(sum(counts)), "expected": expected * scenario.connections,
        "delivered": sum(counts) / (expected * scenario.connections),
        "worst_connection_delivered": min(counts) / expected,
        "interval_ms": {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
                        "p99": float(np.percentile(ms, 99)), "max": float(ms.max()),
                        "nominal": 1e3 / scenario.fps},  # fmt: skip
        **problems,
    }


def report(results: dict[str, Any]) -> str:
    from bench.timing import table

    rows = []
    for r in results["scenarios"]:
        i = r["interval_ms"]
        rows.append([r["name"], r["connections"], r["fps"], i["p50"], i["p95"], i["p99"], i["max"],
                     100 * r["delivered"], 100 * r["worst_connection_delivered"],
                     r["server_cpu_percent"], r["server_cpu_us_per_frame"], r["server_rss_mib"],
                     r["client_cpu_percent"], r["other_cpu_percent"]])  # fmt: skip
    head = ["scenario", "conns", "fps", "p50 ms", "p95 ms", "p99 ms", "max ms", "delivered %",
            "worst conn %", "server CPU %", "CPU µs/frame", "server RSS MiB", "client CPU %",
            "others CPU %"]  # fmt: skip
    return (f"frame intervals over {results['window_s']:g} s per scenario "
            f"(CPU % of one core)\n" + table(head, rows))


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    out = []
    for r in results["scenarios"]:
        if r["targeted"]:
            p95, delivered = r["interval_ms"]["p95"], r["delivered"]
            name = r["name"] if "fps" in r["name"] else f"{r['name']} at {r['fps']} fps"
            out.append((f"{name}: p95 ≤ {P95_TARGET_MS:g} ms", f"p95 {p95:.1f} ms",
                        p95 <= P95_TARGET_MS))  # fmt: skip
            out.append((f"{name}: ≥ {100 * DELIVERED_TARGET:g}% of frames delivered",
                        f"{100 * delivered:.1f}%", delivered >= DELIVERED_TARGET))  # fmt: skip
    return out


def _client_entry(raw: str) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    result = asyncio.run(_client_main(json.loads(raw)))
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="streaming benchmark client (internal)")
    parser.add_argument("--client", required=True, help="JSON arguments from bench.streaming")
    _client_entry(parser.parse_args().client)
