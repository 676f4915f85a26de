"""Work spread over forked worker processes: what they need is inherited, not sent.

A worker is a fork of this process, so it already holds whatever the work reads (results,
prompts, settings); only an index goes to it and only the return value comes back. Workers die
with this process even when it is SIGKILLed (`die_with_parent`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
PR_SET_PDEATHSIG = 1
_work: Callable[[int], Any] | None = None  # set before forking; the workers inherit it


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def die_with_parent(parent: int) -> None:
    """In a new forked worker: die with the process that forked it, even when it is SIGKILLed.

    A worker blocked on its task queue would otherwise live on, holding what it inherited (a
    results folder's lock, the gradebook), so that the rerun that resumes a killed run is
    refused as "being graded by another grader run".
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the queue's end is the only way out
        return
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def fork_map(work: Callable[[int], T], count: int, *, workers: int | None = None,
             min_items: int = 64) -> list[T]:
    """[work(0), ..., work(count - 1)]: in forked workers when there are at least `min_items`
    and more than one core, in this process otherwise. `work` may be a closure: the workers
    inherit it. An exception raised by `work` is raised here."""
    jobs = workers or default_jobs()
    if jobs < 2 or count < min_items or not can_fork():
        return [work(i) for i in range(count)]
    global _work
    _work = work
    try:
        context = multiprocessing.get_context("fork")
        chunk = max(1, min(32, count // (4 * jobs)))
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            return list(pool.map(_run, range(count), chunksize=chunk))
    finally:
        _work = None


def _run(i: int) -> Any:
    assert _work is not None
    return _work(i)
