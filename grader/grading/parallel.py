"""Grade many students at once on every core.

Two kinds of work: students whose grading runs no student code (typed answers only, or no
solution.py) are pure Python, graded by a pool of forked worker processes; students with code
to run go through the sandbox's own pool (warm zygotes that never hold answers), whose threads
only wait on the sandboxes while this process judges each run as it arrives. Results reach
`emit` one at a time, in this process (the gradebook has one writer).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext

from grader.grading import engine
from grader.grading.collect import Entry
from grader.grading.executor import Executor, open_executor
from grader.sandbox import Job
from grader.student.submission import SOLUTION
from grader.kinds import runs_code as code_part

MIN_FOR_PROCESSES = 48  # below this, starting workers costs more than it saves
_settings: engine.Settings | None = None  # set before forking; workers inherit it


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def runs_code(entry: Entry, settings: engine.Settings) -> bool:
    """Whether grading this entry calls the student's functions in the sandbox."""
    if entry.key is None or entry.submission is None or entry.status not in ("graded",
                                                                              "tampered"):
        return False
    if not entry.submission.files.get(SOLUTION, b"").strip():
        return False
    return any(code_part(p) for e in entry.key.exercises
               for p in settings.library[e.id].parts)


def grade_all(entries: Iterable[Entry], settings: engine.Settings, *, jobs: int | None,
              emit: Callable[[engine.Graded], None], executor: str | None = None,
              pool: Executor | None = None) -> None:
    """Grade every entry and call emit(graded) for each as soon as it is done.

    `executor`: where student code runs (grader.grading.executor; default this machine).
    `pool`: an executor the caller keeps open across calls (the server's worker keeps one
    sandbox pool for its life: starting zygotes costs more than grading a small batch); used
    instead of opening one for `executor`, and left open."""
    workers = jobs or default_jobs()
    entries = list(entries)
    code = [e for e in entries if runs_code(e, settings)]
    plain = [e for e in entries if not runs_code(e, settings)]
    _grade_plain(plain, settings, workers, emit)
    if code:
        _grade_code(code, settings, workers, emit, executor, pool)


def _grade_one(entry: Entry) -> engine.Graded:
    assert _settings is not None
    return engine.finish(engine.prepare(entry, _settings), None, _settings)


def _grade_plain(entries: list[Entry], settings: engine.Settings, workers: int,
                 emit: Callable[[engine.Graded], None]) -> None:
    global _settings
    _settings = settings
    methods = multiprocessing.get_all_start_methods()
    if workers < 2 or len(entries) < MIN_FOR_PROCESSES or "fork" not in methods:
        for entry in entries:
            emit(_grade_one(entry))
        return
    context = multiprocessing.get_context("fork")
    chunk = max(1, min(32, len(entries) // (4 * workers)))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for graded in pool.map(_grade_one, entries, chunksize=chunk):
            emit(graded)


def _grade_code(entries: list[Entry], settings: engine.Settings, workers: int,
                emit: Callable[[engine.Graded], None], executor: str | None = None,
                pool: Executor | None = None) -> None:
    waiting: dict[str, engine.Prepared] = {}

    def sandbox_jobs() -> Iterator[Job]:
        for number, entry in enumerate(entries):
            prepared = engine.prepare(entry, settings)
            if prepared.job is None:
                emit(engine.finish(prepared, None, settings))
                continue
            job_id = f"{number}:{entry.student_id}"
            waiting[job_id] = prepared
            yield Job(job_id, prepared.job.files, prepared.job.calls,
                      limits=prepared.job.limits)

    opened = nullcontext(pool) if pool is not None else open_executor(executor, workers=workers)
    with opened as running:
        for job_id, run in running.run_many(sandbox_jobs()):
            emit(engine.finish(waiting.pop(job_id), run, settings))
