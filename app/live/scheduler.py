"""One work budget for the whole process: training runs on a few threads, in slices, fairly.

Every piece of training the service does (a REST step, a stream's step, a playing runner's frame,
a stateless train call) is a job that advances in slices of a few milliseconds each (each job's slices are sized to
its own pace). The threads always take next the job that has had the fewest slices so far (least
attained service): a new job starts at the next slice boundary however many large ones are
running, so a small request is answered in milliseconds, and large ones take turns instead of
queueing. A job
runs on one thread at a time, and its owner awaits it, so the session it trains is never
touched by two threads at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SLICE_SECONDS = 0.004  # what one slice aims to take
FIRST_SLICE_UNITS = 1_000  # sample-updates in a job's first slice, before its pace is known

# A job's work: do at most `units` sample-updates; True once there is nothing left to do.
Advance = Callable[[int], bool]


@dataclass(order=True)
class _Job:
    served: int  # slices run so far: the heap's key
    order: int  # ties go to the older job
    advance: Advance = field(compare=False)
    done: Callable[[BaseException | None], None] = field(compare=False)
    units: int = field(default=FIRST_SLICE_UNITS, compare=False)


class WorkScheduler:
    def __init__(self, threads: int, slice_seconds: float = SLICE_SECONDS) -> None:
        self.slice_seconds = slice_seconds
        self._ready: list[_Job] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, name=f"neuron-work-{i}", daemon=True)
                         for i in range(threads)]  # fmt: skip
        for thread in self._threads:
            thread.start()

    async def run(self, advance: Advance) -> None:
        """Run a job to its end. Cancelling the caller does not stop the job half-way (the
        session would be left mid-change): the caller waits for it, then is cancelled."""
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()

        def done(error: BaseException | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
                loop.call_soon_threadsafe(_settle, finished, error)

        self.submit(advance, done)
        try:
            await asyncio.shield(finished)
        except asyncio.CancelledError:
            if not finished.done():
                await finished
            raise

    def submit(self, advance: Advance, done: Callable[[BaseException | None], None]) -> None:
        """Queue a job; `done` is called from a worker thread when it has ended."""
        self._push(_Job(0, next(self._order), advance, done))

    def pending(self) -> int:
        with self._cond:
            return len(self._ready)

    def close(self) -> None:
        """Stop the threads; jobs still waiting are told the server is shutting down."""
        with self._cond:
            self._closed = True
            left, self._ready = self._ready, []
            self._cond.notify_all()
        for job in left:
            job.done(RuntimeError("the server is shutting down"))

    def _push(self, job: _Job) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("the work scheduler is closed")
            heapq.heappush(self._ready, job)
            self._cond.notify()

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._ready and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = heapq.heappop(self._ready)
            started = time.perf_counter()
            try:
                finished = job.advance(job.units)
            except BaseException as exc:  # the owner hears of it; the thread serves on
                job.done(exc)
                continue
            took = time.perf_counter() - started
            if finished:
                job.done(None)
                continue
            job.served += 1
            job.units = _next_units(job.units, took, self.slice_seconds)
            with self._cond:
                heapq.heappush(self._ready, job)
                self._cond.notify()


def _next_units(units: int, took: float, target: float) -> int:
    """Size the next slice so it takes about `target`, changing by at most 4× at a time."""
    if took <= 0:
        return units * 4
    return max(1, min(units * 4, max(units // 4, int(units * target / took))))


def _settle(future: asyncio.Future[Any], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
