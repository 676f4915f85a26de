"""Grade many students at once on every core.

Two kinds of work: students whose grading runs no student code (typed answers only, or no
solution.py) are pure Python, graded by a pool of forked worker processes. Students with code
to run are graded by forked worker processes too, each with a sandbox pool of its own (one warm
zygote that never holds answers, running student code under its own uid): a worker prepares
the student's cases and expected values, waits for the sandbox and judges its outcomes, so the
Python around the sandbox runs on every core rather than in this one process. (Student code
sent elsewhere, `--executor dask://`, or a caller's long-lived pool keep the older shape: the
sandbox pool's threads wait while this process prepares and judges.) Results reach `emit` one
at a time, in this process (the gradebook has one writer).
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from typing import Any

from grader.core.forking import default_jobs, die_with_parent
from grader.grading import engine
from grader.grading.collect import Entry
from grader.grading.executor import LOCAL, Executor, open_executor
from grader.grading.results import StudentResult
from grader.sandbox import Job, SandboxPool
from grader.student.submission import SOLUTION
from grader.kinds import runs_code as code_part

MIN_FOR_PROCESSES = 48  # below this, starting workers costs more than it saves
_settings: engine.Settings | None = None  # set before forking; workers inherit it
_document: Callable[[StudentResult], str] | None = None  # likewise: a result's JSON text
_sandbox: SandboxPool | None = None  # a code-grading worker's own pool


def runs_code(entry: Entry, settings: engine.Settings) -> bool:
    """Whether grading this entry calls the student's functions in the sandbox."""
    if entry.key is None or entry.submission is None or entry.status not in ("graded",
                                                                              "tampered"):
        return False
    if not entry.submission.files.get(SOLUTION, b"").strip():
        return False
    return any(code_part(p) for eid in entry.key.exercise_ids
               for p in settings.library[eid].parts)


def grade_all(entries: Iterable[Entry], settings: engine.Settings, *, jobs: int | None,
              emit: Callable[[engine.Graded], None], executor: str | None = None,
              document: Callable[[StudentResult], str] | None = None,
              pool: Executor | None = None) -> None:
    """Grade every entry and call emit(graded) for each as soon as it is done.

    `executor`: where student code runs (grader.grading.executor; default this machine).
    `document`: a result's JSON text, made by the process that graded it (Graded.document)
    when that is a worker, so that this process does not serialise every result itself.
    `pool`: an executor the caller keeps open across calls (the server's worker keeps one
    sandbox pool for its life: starting zygotes costs more than grading a small batch); used
    instead of opening one for `executor` or forking workers, and left open."""
    workers = jobs or default_jobs()
    entries = list(entries)
    code = [e for e in entries if runs_code(e, settings)]
    plain = [e for e in entries if not runs_code(e, settings)]
    _grade_plain(plain, settings, workers, emit)
    if code and pool is None and _forked_code(workers, executor):
        _grade_code_forked(code, settings, workers, emit, document)
    elif code:
        _grade_code(code, settings, workers, emit, executor, pool)


def _forked_code(workers: int, executor: str | None) -> bool:
    """Whether code students are graded by forked workers with a sandbox each (see above)."""
    return (workers >= 2 and executor in (None, LOCAL)
            and "fork" in multiprocessing.get_all_start_methods())


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
    with ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
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


def _grade_code_forked(entries: list[Entry], settings: engine.Settings, workers: int,
                       emit: Callable[[engine.Graded], None],
                       document: Callable[[StudentResult], str] | None) -> None:
    global _settings, _document
    _settings, _document = settings, document
    context = multiprocessing.get_context("fork")
    slots = context.SimpleQueue()  # each worker takes a slot: its zygote's uid
    for slot in range(workers):
        slots.put(slot)
    count = min(workers, len(entries))
    with ProcessPoolExecutor(count, mp_context=context, initializer=_start_sandbox,
                             initargs=(os.getpid(), slots)) as pool:
        # In order: a student whose code hangs holds back the emits after theirs (never the
        # grading of the others); chunks of one, so that a hang delays no one else's work.
        for graded in pool.map(_grade_with_sandbox, entries):
            emit(graded)


def _start_sandbox(parent: int, slots: Any) -> None:
    """In a new code-grading worker: its own sandbox pool, closed when the worker exits."""
    global _sandbox
    die_with_parent(parent)
    _sandbox = SandboxPool(workers=1, first_slot=slots.get())
    multiprocessing.util.Finalize(_sandbox, _sandbox.close, exitpriority=10)


def _grade_with_sandbox(entry: Entry) -> engine.Graded:
    assert _settings is not None and _sandbox is not None
    prepared = engine.prepare(entry, _settings)
    job = prepared.job
    run = None if job is None else _sandbox.run(
        Job(entry.student_id, job.files, job.calls, limits=job.limits))
    graded = engine.finish(prepared, run, _settings)
    if _document is None:
        return graded
    return dataclasses.replace(graded, document=_document(graded.result))
