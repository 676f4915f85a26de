"""The grading worker: a process of its own that grades the store's queue, batch by batch.

Started by the web process (`python -m grader.server.worker STATE --parent PID`, `--jobs` of them);
each exits when its parent is gone; they share the queue (claims are transactions). It grades
as `grader grade` does (the archive read by `collect.gather`, then `parallel.grade_all`, with
a sandbox pool kept for the worker's life) and stores each result with its
rendered student report. Lateness is judged by the time the server received the work.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from grader import __version__
from grader.grading import engine
from grader.grading.collect import Entry, gather
from grader.grading.late import reveal_now
from grader.grading.parallel import default_jobs, grade_all
from grader.kinds import runs_code as code_part
from grader.server.course import Course, load_config
from grader.server.store import Store
from grader.sandbox import SandboxPool

POLL_SECONDS = 0.1
BATCH = 16  # small: several workers share the queue, and each batch's results flow at once


class Grader:
    """Grades claimed submissions of one course and stores the results."""

    def __init__(self, course: Course, store: Store, *, jobs: int | None = None) -> None:
        from grader.course.generate import load_library_for

        self.course, self.store, self.jobs = course, store, jobs
        a = course.assignment
        # the server's clock decides lateness, whatever the file says about the student's
        self.assignment = dataclasses.replace(
            a, late=dataclasses.replace(a.late, time_source="received"))
        self.library = {e.id: e for e in load_library_for(a)}
        self.key_list = list(course.keys.values())
        functions = any(code_part(p) for k in self.key_list for e in k.exercises
                        for p in self.library[e.id].parts)
        self.level = _sandbox_level() if functions else "not used (no function exercises)"
        self.prompts: dict[str, dict] = {}
        self.pool: SandboxPool | None = None  # warm zygotes kept between batches

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def settings(self) -> engine.Settings:
        revealed, _ = reveal_now(self.assignment, dt.datetime.now(dt.timezone.utc))
        return engine.Settings(self.assignment, self.library, revealed, self.level, __version__)

    def grade(self, claimed: list[tuple[int, str, str, bytes]]) -> None:
        work = Path(tempfile.mkdtemp(prefix="batch-", dir=self.course.state_dir))
        try:
            entries = [(row[0], self._entry(work, *row)) for row in claimed]
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._grade(entries, self.settings())

    def _grade(self, entries: list[tuple[int, Entry]], s: engine.Settings) -> None:
        """As `grader grade` does, with one sandbox pool kept for the worker's life; typed
        answers in this process (a batch is small). A batch has one attempt per student."""
        numbers = {entry.student_id: number for number, entry in entries}
        if self.pool is None:
            self.pool = SandboxPool(workers=self.jobs or default_jobs())
        grade_all([entry for _, entry in entries], s, jobs=1, pool=self.pool,
                  emit=lambda graded: self._save(numbers[graded.result.student_id], graded))

    def _entry(self, work: Path, number: int, sid: str, received: str, data: bytes) -> Entry:
        """The submission read exactly as `grader grade` reads a handed-in archive."""
        folder = work / str(number)
        folder.mkdir()
        key = self.course.keys[sid]
        (folder / f"{self.assignment.id}-{key.folder}.zip").write_bytes(data)
        found = gather(folder, self.key_list, self.assignment.id, allow_empty=True)
        entry = next(e for e in found.entries if e.student_id == sid)
        return dataclasses.replace(entry, received=received)

    def _save(self, number: int, graded: engine.Graded) -> None:
        from grader.outputs import exports
        from grader.outputs.reports import render_student_report

        r = graded.result
        page = render_student_report(r, prompts=self._prompts(r.student_id),
                                     assignment_title=self.assignment.title)
        self.store.save_result(number, r.student_id, status=r.status, score=r.score,
                               max_score=r.max_score, result_json=exports.result_json(r),
                               report_html=page)

    def _prompts(self, sid: str) -> dict:
        from grader.outputs.reports import prompts_from_params

        if sid not in self.prompts:
            key = self.course.keys[sid]
            self.prompts[sid] = prompts_from_params((self.library[e.id], e.params)
                                                    for e in key.exercises)
        return self.prompts[sid]


def _sandbox_level() -> str:
    from grader.sandbox import sandbox_level

    return sandbox_level()


def serve_queue(state_dir: Path, *, parent: int | None = None, once: bool = False,
                jobs: int | None = None, requeue: bool = False) -> None:
    """Grade the queue until it is empty (`once`) or the parent process is gone.

    `requeue`: first put back what a killed worker was grading (the web process does this
    before it starts its workers; a worker run alone must do it itself)."""
    course = load_config(state_dir)
    store = Store(course.state_dir, database=course.database, synchronous="NORMAL")
    if requeue:
        store.requeue_unfinished()
    grader = Grader(course, store, jobs=jobs)
    try:
        while parent is None or os.getppid() == parent:
            claimed = store.claim(BATCH)
            if not claimed:
                if once:
                    return
                time.sleep(POLL_SECONDS)
                continue
            try:
                grader.grade(claimed)
            except Exception:  # a bug: keep serving, leave these for a regrade, say so
                traceback.print_exc()
                store.mark_failed([row[0] for row in claimed])
    finally:
        grader.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m grader.server.worker")
    parser.add_argument("state", type=Path)
    parser.add_argument("--parent", type=int)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--requeue", action="store_true")
    args = parser.parse_args(argv)
    try:
        serve_queue(args.state, parent=args.parent, once=args.once, jobs=args.jobs,
                    requeue=args.requeue)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
