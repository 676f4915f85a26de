"""`grader merge SHARD_DIR... --out DIR`: the results folders of `grader grade --shard K/N`
runs combined into the one results folder an unsharded run would have written.

Nothing is regraded and no key is needed: each shard's gradebook holds every owned student's
result document and fingerprint, its manifest (grader.grading.shard) their place in the class
and their warnings. The merged folder is written by the same writers as `grader grade`
(the result JSON, every export format, the report pages), so its files are byte-identical to
an unsharded run's; its gradebook holds the same results and fingerprints in one run (so a
later unsharded `grader grade` into it finds every student unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.app.grade import bounded, export_run, join_warnings, with_budget_losses
from grader.core.errors import UserError, display_path
from grader.grading.gradebook import Gradebook, Stored
from grader.grading.results import RunSummary, StudentResult
from grader.grading.runlock import results_lock
from grader.grading.shard import Given, Manifest, Owned, check_shards, read_manifest
from grader.outputs import formats


@dataclass(frozen=True)
class _Student:
    owned: Owned
    result: StudentResult
    stored: Stored
    path: str | None  # where the shard found the submission (for the gradebook)


@dataclass(frozen=True)
class _Title:
    """The assignment as the report pages need it (the shards recorded its id and title)."""

    id: str
    title: str


def merge_shards(shard_dirs: Sequence[Path], out: Path, *,
                 exports_to: Mapping[str, Path | None] | None = None,
                 fail_under: float | None = None) -> RunSummary:
    """Combine shard results folders into `out`: results, gradebook, exports and pages."""
    formats.check_targets(exports_to or {})
    shards = [(Path(d), read_manifest(Path(d))) for d in shard_dirs]
    check_shards(shards, __version__)
    _refuse_out_among_shards(Path(out), shards)
    with ExitStack() as stack:
        for folder, _ in shards:  # no grading run may write a shard while it is read
            stack.enter_context(results_lock(folder, command="merge"))
        students, receipts = _collect(shards)
        stack.enter_context(results_lock(Path(out), command="merge"))
        first = shards[0][1]
        summary = _summary(first, [m for _, m in shards], students)
        _record(Path(out), first, students, receipts)
        export_run(summary, Path(out), {s.result.student_id: s.stored.json for s in students
                                        if s.stored.json.startswith("{\n")},
                   exports_to or {}, formats.Context(
                       first.assignment, f"{first.title} ({first.assignment})", fail_under))
        _render_pages(Path(out), summary, first, shards)
    return summary


def _refuse_out_among_shards(out: Path, shards: Sequence[Given]) -> None:
    for folder, _ in shards:
        if out.resolve() == folder.resolve():
            raise UserError(f"{display_path(out)}: --out is one of the shards being merged; "
                            "give a folder of its own (e.g. results/).")


def _collect(shards: Sequence[Given]) -> tuple[list[_Student], list[tuple[str, str, str]]]:
    """Every owned student's stored result, in class order, and the receipt times."""
    students, receipts = [], []
    for folder, m in shards:
        book_path = folder / "gradebook.sqlite"
        if not book_path.is_file():
            raise UserError(f"{display_path(folder)}: no gradebook.sqlite; grade the shard "
                            "again.")
        with Gradebook(book_path) as book:
            latest = book.latest(m.assignment)
            paths = _paths(book, m.assignment)
            wanted = {s.id for s in m.students}
            receipts += [r for r in _receipts(book, m.assignment) if r[0] in wanted]
        for s in m.students:
            if s.id not in latest:
                raise UserError(f"{display_path(book_path)}: no result for {s.id!r}, whom "
                                f"the shard's {display_path(folder / '_shard.json')} lists; "
                                "grade the shard again.")
            stored = latest[s.id]
            result = stored.result()
            students.append(_Student(s, result, stored,
                                     paths.get((s.id, result.submission_sha256 or ""))))
    return sorted(students, key=lambda s: s.owned.position), receipts


def _paths(book: Gradebook, assignment: str) -> dict[tuple[str, str], str]:
    rows = book.db.execute("SELECT student, sha256, path FROM submissions WHERE assignment = ? "
                           "ORDER BY id", (assignment,))
    return {(r[0], r[1]): r[2] for r in rows}


def _receipts(book: Gradebook, assignment: str) -> list[tuple[str, str, str]]:
    rows = book.db.execute("SELECT student, sha256, time FROM first_seen WHERE assignment = ?",
                           (assignment,))
    return [(r[0], r[1], r[2]) for r in rows]


def _summary(first: Manifest, manifests: Sequence[Manifest],
             students: Sequence[_Student]) -> RunSummary:
    """The RunSummary one unsharded run would have returned."""
    levels = list(dict.fromkeys(m.sandbox_level for m in manifests))
    tail = list(dict.fromkeys(w for m in manifests for w in m.tail))
    warnings = join_warnings(first.head, [(s.owned.unknown, s.owned.entry_warnings,
                                           s.owned.grading_warnings) for s in students], tail)
    changes = sorted((str(c[0]), float(c[1]), float(c[2])) for m in manifests
                     for c in m.changes)
    results = tuple(s.result for s in students)
    return RunSummary(first.assignment, results,
                      sum(m.graded for m in manifests), sum(m.skipped for m in manifests),
                      ", ".join(sorted(levels)) if len(levels) > 1 else levels[0],
                      tuple(changes), tuple(bounded(with_budget_losses(results, warnings))),
                      missing=sum(m.missing for m in manifests))


def _record(out: Path, first: Manifest, students: Sequence[_Student],
            receipts: list[tuple[str, str, str]]) -> None:
    """One run in out/gradebook.sqlite holding every student's result and fingerprint."""
    with Gradebook(out / "gradebook.sqlite") as book:
        run = book.start_run(assignment=first.assignment, grader_version=first.grader_version,
                             spec_hashes=first.spec_hashes, sandbox_level=first.sandbox_level)
        for s in students:
            r = s.result
            book.record(run, r, fingerprint=s.stored.fingerprint,
                        received_time=r.late.submitted_at if r.late else None, path=s.path,
                        document=s.stored.json)
        book.restore_first_seen(first.assignment, receipts)
        book.finish_run(run)


def _render_pages(out: Path, summary: RunSummary, first: Manifest,
                  shards: Sequence[Given]) -> None:
    """Every report page, with the prompts each shard stored for its own students."""
    from grader.outputs.reports.api import load_prompts, render_reports

    prompts = {}
    for folder, m in shards:
        mine = {s.id for s in m.students}
        prompts.update(load_prompts(folder, [r.folder for r in summary.results
                                             if r.student_id in mine]))
    render_reports(out, results=summary.results, assignment=_Title(first.assignment,
                                                                   first.title),
                   prompts=prompts)
