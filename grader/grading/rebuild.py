"""`grader gradebook rebuild DIR`: a damaged gradebook replaced by one rebuilt from DIR/*.json.

Every grading run writes each student's full result to DIR/<student>.json as well as to the
gradebook, so those files can refill a gradebook whose file is damaged. What they cannot give
back is the history of earlier runs and the fingerprints that let a rerun skip unchanged
students: the rebuilt gradebook holds one run per assignment, marked as rebuilt, and the next
`grader grade` regrades everyone (and reports any score that changes). Receipt times
(`time_source: received`) are restored from the results, so late penalties do not move.

The new file is built beside the old one and renamed into place; the damaged file (with its
-wal and -shm companions) is kept as gradebook.sqlite.damaged-<time>, never deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.core.errors import UserError, display_path
from grader.core.fsutil import disk_error_message
from grader.grading.gradebook import DamagedError, Gradebook
from grader.grading.runlock import results_lock
from grader.grading.results import StudentResult

NAME = "gradebook.sqlite"
COMPANIONS = ("", "-wal", "-shm")  # SQLite's files for one WAL-mode database


@dataclass(frozen=True)
class Rebuilt:
    path: Path
    kept: Path | None  # where the damaged file went; None when there was none
    students: int


def rebuild_gradebook(results_dir: Path, *, empty: bool = False,
                      now: dt.datetime | None = None) -> Rebuilt:
    """Replace DIR's damaged gradebook with one rebuilt from DIR/*.json (or an empty one)."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise UserError(f"{display_path(results_dir)}: no such folder. Give the --out folder of "
                        "`grader grade`.")
    with results_lock(results_dir, command="gradebook rebuild"):
        _refuse_healthy(results_dir / NAME)
        results = [] if empty else _results(results_dir)
        stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
        fresh = results_dir / f".{NAME}.rebuilding-{os.getpid()}"
        try:
            for stale in results_dir.glob(f".{NAME}.rebuilding-*"):  # an interrupted rebuild's
                stale.unlink()  # (safe: we hold the folder's lock)
            _fill(fresh, results)
            kept = _keep_aside(results_dir / NAME, stamp)
            os.replace(fresh, results_dir / NAME)
        except OSError as exc:
            disk = disk_error_message(exc)
            if disk is None:  # not the disk's fault: a bug, reported as one (exit 3)
                raise
            raise UserError(f"{disk} The rebuilt gradebook was not written; nothing was "
                            "deleted.") from None
    return Rebuilt(results_dir / NAME, kept, len(results))


def _refuse_healthy(path: Path) -> None:
    """Rebuilding a good gradebook would throw away its history of runs: only damage may."""
    if not path.exists():
        return
    try:
        Gradebook(path).close()
    except DamagedError:
        return
    raise UserError(f"{display_path(path)}: the gradebook is not damaged; rebuilding it would "
                    "drop its history of runs. Nothing was changed.")


def _results(results_dir: Path) -> list[StudentResult]:
    from grader.grading.stored import load_results

    try:
        return load_results(results_dir)
    except UserError as exc:
        raise UserError(f"{exc} Nothing was changed; `grader gradebook rebuild "
                        f"{display_path(results_dir)} --empty` starts a fresh gradebook "
                        "instead.") from None


def _fill(path: Path, results: Sequence[StudentResult]) -> None:
    with Gradebook(path) as book:
        for assignment in sorted({r.assignment_id for r in results}):
            mine = [r for r in results if r.assignment_id == assignment]
            run = book.start_run(assignment=assignment, grader_version=__version__,
                                 spec_hashes={}, sandbox_level="rebuilt from results")
            for r in mine:
                # No fingerprint can be recomputed from a result: "rebuilt" never matches one,
                # so the next run regrades this student.
                book.record(run, r, fingerprint="rebuilt", path=None,
                            received_time=r.late.submitted_at if r.late else None)
            book.restore_first_seen(assignment, _receipts(mine))
            book.finish_run(run)


def _receipts(results: Sequence[StudentResult]) -> list[tuple[str, str, str]]:
    return [(r.student_id, r.submission_sha256, r.late.submitted_at) for r in results
            if r.late and r.late.time_source == "received" and r.late.submitted_at
            and r.submission_sha256]


def _keep_aside(path: Path, stamp: str) -> Path | None:
    if not path.exists():
        return None
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in reversed(COMPANIONS):  # the main file last: it is what a reader looks for
        part = Path(f"{path}{suffix}")
        if part.exists():
            os.replace(part, Path(f"{kept}{suffix}"))
    return kept

