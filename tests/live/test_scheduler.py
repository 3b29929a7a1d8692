"""The process's one work budget: jobs advance in slices, the least-served first, so a small job
finishes after at most one slice of each large one already running (an order, not a time)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from app.live.scheduler import WorkScheduler


class Counted:
    """A job of `slices` slices that writes each slice it runs into a shared log."""

    def __init__(self, name: str, slices: int, log: list[str], gate: threading.Event | None = None):
        self.name, self.left, self.log, self.gate = name, slices, log, gate

    def __call__(self, units: int) -> bool:
        if self.gate is not None:
            self.gate.wait(5)  # hold the first slice until the test has queued the others
            self.gate = None
        self.log.append(self.name)
        self.left -= 1
        return self.left == 0


def test_a_small_job_goes_ahead_of_large_ones_already_running() -> None:
    async def scenario() -> list[str]:
        log: list[str] = []
        gate = threading.Event()
        work = WorkScheduler(threads=1)
        try:
            large = [asyncio.create_task(work.run(Counted(f"L{i}", 50, log, gate if i == 0 else None)))
                     for i in range(3)]  # fmt: skip
            await asyncio.sleep(0.05)  # L0's first slice is running (held by the gate)
            small = asyncio.create_task(work.run(Counted("small", 1, log)))
            await asyncio.sleep(0.05)
            gate.set()
            await asyncio.gather(small, *large)
        finally:
            work.close()
        return log

    log = asyncio.run(scenario())
    # L0 was mid-slice; L1 and L2 had not started (served 0 s, older than the small job), then
    # the small job: everything else had been served more than it by then.
    assert log.index("small") <= 3
    assert len(log) == 151


def test_large_jobs_share_the_threads_in_turn() -> None:
    async def scenario() -> list[str]:
        log: list[str] = []
        work = WorkScheduler(threads=1)
        try:
            await asyncio.gather(*(work.run(Counted(name, 20, log)) for name in "ABC"))
        finally:
            work.close()
        return log

    log = asyncio.run(scenario())
    # No job runs 20 slices in a row while the others wait: every window of 12 slices has all three.
    assert all(set(log[i : i + 12]) == {"A", "B", "C"} for i in range(0, 48))


def test_an_error_in_a_job_reaches_its_owner_and_the_threads_serve_on() -> None:
    def broken(units: int) -> bool:
        raise ValueError("no")

    async def scenario() -> None:
        work = WorkScheduler(threads=1)
        try:
            with pytest.raises(ValueError, match="no"):
                await work.run(broken)
            await work.run(Counted("after", 2, []))
        finally:
            work.close()

    asyncio.run(scenario())
