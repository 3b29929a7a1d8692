"""Frame sizes on the wire, before and after compact frames (PRODUCT.md §7, §12).

A real server, one session at a time, one stream connection playing at 30 fps. The first frame
a connection gets is whole — what every frame was before compact frames — and the ones after it
carry only what changed. Each setting is one whose boundary moves on every frame, so the steady
frames carry a new heatmap each time (the honest case: a session that stands still, or XOR with
the perceptron coming back to the same weights every epoch, sends nearly empty frames).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bench.servers import serving
from bench.timing import table

FRAME_PREFIX = '{"type":"frame"'
FPS = 30
MAX_FRAME_BYTES = 16_384  # PRODUCT.md §12: a 10,000-point set streams with frames under 16 kB
DELIVERED_TARGET = 0.95


def _custom_points(n: int) -> dict[str, Any]:
    """Two overlapping seeded clouds as a custom set: the perceptron never settles on them."""
    import numpy as np

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, 0.5, -0.5)
    return {"X": np.round(X, 4).tolist(), "y": y.tolist()}


SETTINGS: list[tuple[str, dict[str, Any]]] = [
    # the gradient rule never stops on a gate; the perceptron on AND converges in a few epochs
    ("AND gate, sigmoid, gradient", {"dataset": "and", "activation": "sigmoid"}),
    ("overlap, 200 points, perceptron", {"dataset": "overlap", "n_samples": 200}),
    ("custom, 10,000 points, perceptron", {"dataset": "custom", "points": _custom_points(10_000)}),
]


def run(quick: bool = False) -> dict[str, Any]:
    window = 1.0 if quick else 4.0
    rows = []
    with serving() as (server, _, _):
        for name, config in SETTINGS:
            rows.append({"name": name, **asyncio.run(_one(server, config, window))})
    return {"window_s": window, "fps": FPS, "settings": rows}


async def _one(server: Any, config: dict[str, Any], window: float) -> dict[str, Any]:
    import httpx
    from websockets.asyncio.client import connect

    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        r = await http.post("/api/sessions", json=config)
        r.raise_for_status()
        session = r.json()
    sizes: list[int] = []
    whole: list[bool] = []
    url = f"{server.ws_url}/api/sessions/{session['id']}/stream?token={session['control_token']}"
    async with connect(url, max_size=None, ping_interval=None) as ws:
        await ws.send('{"type": "play"}')
        deadline = time.monotonic() + 0.5 + window  # half a second to start, then the window
        started = None
        while time.monotonic() < deadline:
            try:
                message = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
            except TimeoutError:
                break
            if isinstance(message, str) and message.startswith(FRAME_PREFIX):
                if started is None and sizes:
                    started = time.monotonic()
                sizes.append(len(message.encode()))
                whole.append(_whole(message))
        playing_whole = await _whole_frame(ws)
        await ws.send('{"type": "pause"}')
    steady = [n for n, w in zip(sizes[1:], whole[1:]) if not w]
    elapsed = (time.monotonic() - started) if started is not None else 0.0
    return {"first_bytes": sizes[0] if sizes else None, "first_whole": bool(whole and whole[0]),
            "whole_playing_bytes": playing_whole,
            "steady_frames": len(steady), "steady_median_bytes": _median(steady),
            "steady_max_bytes": max(steady, default=None),
            "whole_frames_later": sum(whole[1:]), "max_bytes": max([*sizes, playing_whole or 0]),
            "fps_received": (len(sizes) - 2) / elapsed if elapsed > 0 else 0.0}  # fmt: skip


async def _whole_frame(ws: Any) -> int | None:
    """The size of a whole frame of the playing state: what each frame cost before."""
    await ws.send('{"type": "sync"}')
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(ws.recv(), deadline - time.monotonic())
        except TimeoutError:
            break
        if isinstance(message, str) and message.startswith(FRAME_PREFIX) and _whole(message):
            return len(message.encode())
    return None


def _whole(frame: str) -> bool:
    return '"full":true' in frame


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def report(results: dict[str, Any]) -> str:
    rows = [[r["name"], r["first_bytes"], r["whole_playing_bytes"], r["steady_median_bytes"],
             r["steady_max_bytes"], r["steady_frames"], r["fps_received"]]
            for r in results["settings"]]  # fmt: skip
    return (f"frame sizes, one connection at {results['fps']} fps for {results['window_s']:g} s "
            "(whole: what every frame was before compact frames; steady: compact)\n"
            + table(["setting", "first (whole) B", "whole while playing B", "steady median B", "steady max B",
                     "steady frames", "fps received"], rows))  # fmt: skip


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    out = []
    for r in results["settings"]:
        whole, steady = r["whole_playing_bytes"], r["steady_median_bytes"]
        out.append((f"frames, {r['name']}: compact steady frames smaller than whole ones",
                    f"{whole} B whole → {steady or 0:.0f} B median",
                    bool(r["first_whole"] and whole and steady is not None and steady < whole)))  # fmt: skip
    big = results["settings"][-1]
    out.append((f"frames, {big['name']}: every frame under {MAX_FRAME_BYTES // 1024} kB",
                f"largest {big['max_bytes']} B", (big["max_bytes"] or 0) < MAX_FRAME_BYTES))  # fmt: skip
    out.append((f"frames, {big['name']}: streams at {FPS} fps",
                f"{big['fps_received']:.1f} fps", big["fps_received"] >= DELIVERED_TARGET * FPS))  # fmt: skip
    return out
