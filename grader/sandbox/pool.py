"""Grade many submissions in parallel: one warm zygote per worker, all cores by default."""

from __future__ import annotations

import atexit
import os
import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from grader.sandbox.client import Zygote
from grader.sandbox.data import Job, SandboxRun
from grader.sandbox.platform import UID_BASE, probe
from grader.sandbox.runner import run_job


class SandboxPool:
    """A set of zygotes, started lazily; each runs one submission at a time.

    Use as a context manager (or call close()); every zygote and everything it started is
    killed on close. Thread-safe: run() may be called from many threads at once.
    """

    def __init__(self, *, workers: int | None = None, first_slot: int = 0) -> None:
        """`first_slot`: this pool's zygotes run as uids UID_BASE + first_slot + i, so that
        pools side by side (one per grading process) never share a uid."""
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.first_slot = first_slot
        self._idle: queue.Queue[Zygote] = queue.Queue()
        self._all: list[Zygote] = []
        self._lock = threading.Lock()
        self._closed = False

    def run(self, job: Job) -> SandboxRun:
        """Run one job on a free zygote (waiting for one if all are busy)."""
        zygote = self._acquire()
        try:
            return run_job(zygote, job)
        finally:
            self._idle.put(zygote)

    def run_many(self, jobs: Iterable[Job]) -> Iterator[tuple[str, SandboxRun]]:
        """Run jobs on all workers; yield (job_id, run) as each finishes.

        Jobs are drawn from the iterable only as workers free up, so memory stays flat
        however many submissions there are.
        """
        with ThreadPoolExecutor(self.workers, thread_name_prefix="sandbox") as ex:
            running: dict[Future[SandboxRun], str] = {}
            for job in jobs:
                while len(running) >= 2 * self.workers:
                    yield from self._collect(running)
                running[ex.submit(self.run, job)] = job.job_id
            while running:
                yield from self._collect(running)

    @staticmethod
    def _collect(running: dict[Future[SandboxRun], str]) -> Iterator[tuple[str, SandboxRun]]:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for fut in done:
            yield running.pop(fut), fut.result()

    def _acquire(self) -> Zygote:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._closed:
                raise RuntimeError("SandboxPool is closed")
            if len(self._all) < self.workers:
                p = probe()
                zygote = Zygote(p, uid=UID_BASE + self.first_slot + len(self._all)
                                if p.uid else None)
                zygote.start()
                self._all.append(zygote)
                return zygote
        return self._idle.get()

    def close(self) -> None:
        """Kill every zygote (and, with it, anything still running inside)."""
        with self._lock:
            self._closed = True
            for zygote in self._all:
                zygote.close()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_shared: SandboxPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> SandboxPool:
    """The process-wide pool behind run_cases(); closed at interpreter exit."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared._closed:
            _shared = SandboxPool()
            atexit.register(_shared.close)
        return _shared


def shared_level() -> str:
    """The level the process-wide pool ran student code at; "" if it ran none."""
    pool = _shared
    return pool._all[0].level if pool is not None and pool._all else ""


def run_many(jobs: Iterable[Job], *, workers: int | None = None
             ) -> Iterator[tuple[str, SandboxRun]]:
    """Grade many jobs in parallel on a fresh pool; yield (job_id, run) as each finishes."""
    with SandboxPool(workers=workers) as pool:
        yield from pool.run_many(jobs)
