"""`grader gradebook compact DIR`: a smaller gradebook, every student's latest result kept.

By default nothing recorded is dropped: only documents that no result refers to any more (left
by a result recorded twice in one run, or by an earlier compaction) go, and the file is
VACUUMed. `keep_runs=N` also drops each student's results older than their latest N (the runs
themselves stay listed). Deleting is one transaction and VACUUM is atomic, so a compaction
killed at any instant leaves a usable gradebook, with either the old contents or the new.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UserError, display_path
from grader.grading.gradebook import Gradebook
from grader.grading.runlock import results_lock

NAME = "gradebook.sqlite"


@dataclass(frozen=True)
class Compacted:
    path: Path
    results: int  # results of older runs removed
    documents: int  # stored documents no result referred to any more
    before: int  # file size in bytes
    after: int


def compact_gradebook(results_dir: Path, *, keep_runs: int | None = None) -> Compacted:
    """Drop unreferenced documents (and results older than each student's latest N), VACUUM."""
    path = Path(results_dir) / NAME
    _check(Path(results_dir), path, keep_runs)
    with results_lock(Path(results_dir), command="gradebook compact"):
        with Gradebook(path) as book:
            before = book.size()
            results, documents = book.compact(keep_runs=keep_runs)
            after = book.size()
    return Compacted(path, results, documents, before, after)


def _check(results_dir: Path, path: Path, keep_runs: int | None) -> None:
    if not results_dir.is_dir():
        what = "not a folder" if results_dir.exists() else "no such folder"
        raise UserError(f"{display_path(results_dir)}: {what}. Give the --out folder of "
                        "`grader grade`.")
    if not path.is_file():
        raise UserError(f"{display_path(path)}: no gradebook here (nothing to compact). Give "
                        "the --out folder of `grader grade`.")
    if keep_runs is not None and keep_runs < 1:
        raise UserError(f"{display_path(path)}: --keep-runs {keep_runs} would drop every "
                        "result; give 1 or more (1 keeps only each student's latest result). "
                        "Nothing was changed.")
