"""Wall-clock timing with perf_counter: adaptive inner loops, several repeats, min and median."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the best and the median of `repeats` timings of `inner` calls each, by
    the wall clock (perf_counter) and by this process's CPU time (process_time), which time
    spent waiting for a core taken by other work on a shared machine does not inflate."""

    min_s: float
    median_s: float
    repeats: int
    inner: int
    cpu_min_s: float
    cpu_median_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def measure(setup: Callable[[], T], call: Callable[[T], object], *, repeats: int = 7,
            target_s: float = 0.05, max_inner: int = 1000, budget_s: float = 20.0) -> Timing:  # fmt: skip
    """Time `call(setup())`; setup (fresh state for every call) is never inside the timer.

    One untimed call warms up and sizes the inner loop so that a repeat lasts about `target_s`;
    `budget_s` caps the total, so a slow baseline gets fewer repeats (at least one).
    """
    warm = setup()
    start, cpu_start = time.perf_counter(), time.process_time()
    call(warm)
    once, cpu_once = time.perf_counter() - start, time.process_time() - cpu_start
    if once >= budget_s:  # one call already spends the budget: it is the only sample
        return Timing(once, once, 1, 1, cpu_once, cpu_once)
    inner = max(1, min(max_inner, math.ceil(target_s / max(once, 1e-9))))
    repeats = max(1, min(repeats, int(budget_s / max(once * inner, 1e-9))))
    wall, cpu = [], []
    for _ in range(repeats):
        states = [setup() for _ in range(inner)]
        start, cpu_start = time.perf_counter(), time.process_time()
        for state in states:
            call(state)
        wall.append((time.perf_counter() - start) / inner)
        cpu.append((time.process_time() - cpu_start) / inner)
        del states
    return Timing(min(wall), statistics.median(wall), repeats, inner, min(cpu), statistics.median(cpu))


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    info: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
                         if k in os.environ},  # fmt: skip
    }
    try:
        import numpy

        info["numpy"] = numpy.__version__
    except ImportError:  # pragma: no cover
        pass
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return round(kib / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table; numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    right = [isinstance(v, (int, float)) for v in rows[0]] if rows else [False] * len(headers)
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right))

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)
