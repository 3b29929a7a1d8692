"""One client process of the streaming benchmark: opens its share of a scenario's WebSockets
(given in $BENCH_STREAM_ARGS), presses play on the sessions it controls, says so on stdout, reads
the window (two perf_counter times) on stdin and writes, as JSON to the file named in its
arguments, the frames each connection got inside it and the intervals between them (a file, not
stdout: a result of a few hundred kB must not mix with anything a library prints)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

FRAME_PREFIX = '{"type":"frame"'


async def _client_main(args: dict[str, Any]) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    clock = time.perf_counter
    specs = args["connections"]
    arrivals: list[list[float]] = [[] for _ in specs]
    problems = {"error_frames": 0, "other_messages": 0, "closed_early": 0}
    opening = asyncio.Semaphore(32)

    async def open_one(spec: dict[str, Any]) -> Any:
        async with opening:  # deflate offered as browsers do (the server declines it today)
            return await connect(spec["url"], compression="deflate", max_size=None,
                                 ping_interval=None, open_timeout=60)  # fmt: skip

    async def consume(ws: Any, sink: list[float]) -> None:
        try:
            async for message in ws:
                if message.startswith(FRAME_PREFIX):
                    sink.append(clock())
                elif message.startswith('{"type":"error"'):
                    problems["error_frames"] += 1
                else:
                    problems["other_messages"] += 1
        except Exception:  # a connection dropped by the server
            problems["closed_early"] += 1

    sockets = await asyncio.gather(*(open_one(spec) for spec in specs))
    readers = [asyncio.create_task(consume(ws, sink)) for ws, sink in zip(sockets, arrivals)]
    controllers = [ws for ws, spec in zip(sockets, specs) if spec["controls"]]
    for ws in controllers:  # staggered over a second, as real users would start
        if args["fps"] != 30:
            await ws.send(json.dumps({"type": "speed", "fps": args["fps"]}))
        await ws.send('{"type": "play"}')
        await asyncio.sleep(1.0 / len(controllers))
    print("playing", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    t0, t1 = (float(v) for v in line.split())
    await asyncio.sleep(max(t1 - clock(), 0) + 0.05)

    for ws in controllers:
        await ws.send('{"type": "pause"}')
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    counts, intervals = [], []
    for times in arrivals:
        inside = [t for t in times if t0 <= t < t1]
        counts.append(len(inside))
        intervals.extend(b - a for a, b in zip(inside, inside[1:]))
    return {"counts": counts, "intervals": intervals, **problems}



def _client_entry() -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    args = json.loads(os.environ["BENCH_STREAM_ARGS"])
    result = asyncio.run(_client_main(args))
    with open(args["result_path"], "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    _client_entry()
