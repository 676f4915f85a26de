"""`grade_assignment`: a folder of submissions to results, a gradebook and every export.

The one entry point the CLI (and `grader demo`) calls. Defaults live here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from grader import __version__
from grader.course.assignment import Assignment, load_assignment
from grader.grading import engine
from grader.outputs import exports, formats
from grader.outputs.pages import page_href, pages_current
from grader.outputs import summary as md
from grader.grading.collect import Entry, gather, vanished
from grader.grading.functions import budget_losses
from grader.grading.gradebook import DamagedError, Gradebook
from grader.grading.keys import (
    KeyCache,
    StudentKey,
    check_exercises,
    exercise_list_changes,
    find_key_dir,
    load_keys,
)
from grader.grading.late import late_info, reveal_now
from grader.grading.executor import check_executor
from grader.grading.parallel import grade_all
from grader.grading.runlock import results_lock
from grader.grading import shard as shard_manifest
from grader.grading.shard import ShardSpec
from grader.core.model import Exercise
from grader.grading.results import RunSummary, StudentResult
from grader.kinds import runs_code
from grader.core.gcpause import gc_paused, run_scope
from grader.core.values import str_keyed_json

Progress = Callable[[int, int, str], None]  # (done, total, one line about the student just done)
MAX_WARNINGS = 50
NO_SANDBOX = "not used (no function exercises)"


@run_scope()  # what the run froze out of the collector's way is given back when it ends
def grade_assignment(assignment_path: Path, submissions_dir: Path, out: Path, *,
                     key_dir: Path | None = None, jobs: int | None = None,
                     exports_to: Mapping[str, Path | None] | None = None,
                     fail_under: float | None = None,
                     force: bool = False, allow_empty: bool = False,
                     now: dt.datetime | None = None,
                     progress: Progress | None = None,
                     shard: ShardSpec | None = None,
                     executor: str | None = None) -> RunSummary:
    """Grade every submission against the stored key; write results, gradebook and exports.

    `key_dir` is the folder `grader generate` wrote, or its key/ folder (default: OUT/key, then
    SUBMISSIONS/key). Unchanged results are reused unless `force`; `now` decides the after_due
    reveal policy (default: the clock). A SUBMISSIONS folder holding no submission is refused
    before anything is written, unless `allow_empty` (then everyone is recorded missing).
    `shard` grades only the students that shard owns (grader.grading.shard; `grader merge`);
    `executor` says where student code runs (grader.grading.executor: 'dask://HOST:PORT').
    """
    from grader.course.generate import load_library_for

    formats.check_targets(exports_to or {})
    assignment = load_assignment(Path(assignment_path))
    key_dir = find_key_dir(key=key_dir, out=Path(out), submissions=Path(submissions_dir))
    with gc_paused(freeze=True):  # thousands of keys and submissions, none garbage
        # A key file parsed by an earlier run is only hashed (its head is cached under OUT).
        key_cache = KeyCache.read(Path(out))
        keys = load_keys(key_dir, assignment.id, cache=key_cache)
        # Only the specs the key names (and the assignment lists): not the whole library.
        wanted = {i for k in keys for i in k.exercise_ids}
        wanted |= {e.exercise_id for e in assignment.entries if e.exercise_id}
        library = {e.id: e for e in load_library_for(assignment, only=wanted)}
        check_exercises(keys, library, key_dir)
        found = gather(Path(submissions_dir), keys, assignment.id,
                       exclude=[Path(out), key_dir], allow_empty=allow_empty)
    entries = found.entries
    positions = {e.student_id: i for i, e in enumerate(entries)}
    if shard is not None:
        entries = [e for e in entries if shard.owns(e.student_id)]
    # One run per results folder from the first read of the gradebook to the last page written.
    with results_lock(Path(out), command="grade"):
        # A shard's manifest stands for the run that wrote it: present only once a shard's run
        # has finished, gone as soon as any other run starts writing the folder.
        (Path(out) / shard_manifest.MANIFEST).unlink(missing_ok=True)
        if assignment.late.time_source == "received":
            entries = _with_received_times(entries, assignment.id, Path(out))
        revealed, reveal_note = reveal_now(assignment, now or dt.datetime.now(dt.timezone.utc))
        run = _Run(assignment, library, keys, entries, revealed, force=force, progress=progress)
        run.tail += [w for w in (reveal_note, *_spec_changes(keys, library)) if w]
        # First: about the whole folder or class, so the cap on warnings never drops them.
        run.head = [*found.warnings, *exercise_list_changes(assignment, keys, library, key_dir)]
        result = run.grade(Path(out), jobs=jobs, executor=check_executor(executor))
        with gc_paused():
            _export(result, assignment, Path(out), run.documents, exports_to or {},
                    fail_under=fail_under)
        owned = {e.student_id for e in entries}
        _render_pages(result, assignment, Path(out),
                      [k for k in keys if shard is None or k.id in owned], library,
                      reused=run.reused, stamp=run.stamp())
        if shard is not None:
            run.manifest(shard, result, keys, positions).write(Path(out))
        key_cache.write(Path(out), keys)
    return result


def _render_pages(result: RunSummary, assignment: Assignment, out: Path,
                  keys: Sequence[StudentKey], library: dict[str, Exercise], *,
                  reused: Collection[str] = (), stamp: str | None = None) -> None:
    """Every student's report and the class report, with each student's own prompts.

    A student whose result was reused unchanged keeps the page already on disk: it is a
    rendering of that same result (the fingerprint covers the key, the specs, the assignment
    and the grader's version), so rendering it again would only give the same bytes. The
    class report likewise, when `stamp` (every result's fingerprint) is the one it was
    rendered from.
    """
    if pages_current(out, result.results, assignment, reused=reused, stamp=stamp):
        return  # nothing would be written: not even the renderers are imported
    from grader.outputs.reports import prompts_from_params, render_reports

    kept = {r.folder for r in result.results
            if r.student_id in reused and (out / page_href(r)).is_file()}
    prompts = {k.folder: prompts_from_params((library[e.id], e.params)
                                             for e in k.exercises)
               for k in keys if k.folder not in kept}
    render_reports(out, results=result.results, assignment=assignment, prompts=prompts,
                   up_to_date=kept, class_stamp=stamp)


class _Run:
    """One grading run: decides who needs grading, grades them, records every result."""

    def __init__(self, assignment: Assignment, library: dict[str, Exercise],
                 keys: Sequence[StudentKey], entries: list[Entry], revealed: bool, *,
                 force: bool, progress: Progress | None) -> None:
        self.assignment, self.library, self.entries = assignment, library, entries
        self.force, self.progress, self.revealed = force, progress, revealed
        self.spec_hashes = {eid: library[eid].source_hash
                            for eid in sorted({i for k in keys for i in k.exercise_ids})}
        functions = any(runs_code(p) for eid in self.spec_hashes
                        for p in library[eid].parts)
        self.level = _sandbox_level() if functions else NO_SANDBOX
        self.head: list[str] = []  # about the whole folder or class
        self.tail: list[str] = []  # about this run: reveal policy, spec changes, vanished work
        self.graded_warnings: dict[str, tuple[str, ...]] = {}  # from grading each student
        self.results: dict[str, StudentResult] = {}
        self.documents: dict[str, str] = {}  # each result's JSON, serialised once
        self.changes: list[tuple[str, float, float]] = []
        self.reused: set[str] = set()  # students whose stored result was reused unchanged
        self.fingerprints: dict[str, str] = {}  # every entry's, graded or reused

    def grade(self, out: Path, *, jobs: int | None, executor: str | None = None) -> RunSummary:
        settings = engine.Settings(self.assignment, self.library, self.revealed, self.level,
                                   __version__)
        with Gradebook(out / "gradebook.sqlite") as book:
            run = book.start_run(assignment=self.assignment.id, grader_version=__version__,
                                 spec_hashes=self.spec_hashes, sandbox_level=self.level)
            with gc_paused(freeze=True):  # every stored result read back, none garbage
                previous = book.latest(self.assignment.id)
                gone = vanished(self.entries, _past(previous, self.entries))
                self.tail += [gone] if gone else []
                todo, prints = self._plan(previous)
            graded = len(todo)

            def emit(g: engine.Graded) -> None:
                r = g.result
                entry = todo[r.student_id]
                self.documents[r.student_id] = doc = g.document or exports.result_json(r)
                book.record(run, r, fingerprint=prints[r.student_id],
                            received_time=r.late.submitted_at if r.late else None,
                            path=_path_text(entry.submission.source)
                            if entry.submission else None,
                            document=doc)
                old = previous.get(r.student_id)
                if old is not None and abs(old.total - r.score) > 1e-9:
                    self.changes.append((r.student_id, old.total, r.score))
                self.graded_warnings[r.student_id] = g.warnings
                self._done(r, "missing" if r.status == "missing" else "graded")

            grade_all(list(todo.values()), settings, jobs=jobs, emit=emit, executor=executor,
                      document=exports.result_json)
            book.finish_run(run)
        ordered = tuple(self.results[e.student_id] for e in self.entries)
        if executor not in (None, "local"):  # student code ran on the cluster's workers
            ran = sorted({self.results[i].sandbox_level for i in todo} - {""})
            self.level = ", ".join(ran) or self.level
        with gc_paused():  # a few lists per student: no garbage, but they trigger collections
            warnings = tuple(bounded(with_budget_losses(ordered, self.warnings)))
        return RunSummary(self.assignment.id, ordered, graded, len(ordered) - graded, self.level,
                          tuple(sorted(self.changes)), warnings,
                          missing=sum(e.status == "missing" for e in todo.values()))

    @property
    def warnings(self) -> list[str]:
        """Every warning, in an order that depends on the inputs only (not on which sandbox
        finished first), so that merged shards list them as one run would."""
        return join_warnings(self.head, [self._student_warnings(e) for e in self.entries],
                             self.tail)

    def _student_warnings(self, e: Entry) -> tuple[list[str], list[str], list[str]]:
        return unknown_note(e), list(e.warnings), list(self.graded_warnings.get(e.student_id, ()))

    def manifest(self, shard: ShardSpec, result: RunSummary, keys: Sequence[StudentKey],
                 positions: Mapping[str, int]) -> shard_manifest.Manifest:
        """What `grader merge` needs from this shard (grader.grading.shard)."""
        owned = [shard_manifest.Owned(e.student_id, positions[e.student_id],
                                      *self._student_warnings(e)) for e in self.entries]
        return shard_manifest.Manifest(
            shard.index, shard.count, self.assignment.id, self.assignment.title,
            shard_manifest.key_fingerprint(keys), __version__, self.revealed, len(positions),
            self.spec_hashes, result.sandbox_level, result.graded, result.skipped,
            [list(c) for c in result.changes], self.head, self.tail, owned,
            missing=result.missing)

    def _plan(self, previous: dict) -> tuple[dict[str, Entry], dict[str, str]]:
        """Reuse unchanged results; return the entries to grade and every fingerprint."""
        todo, prints = {}, {}
        for entry in self.entries:
            fp = self.fingerprint(entry)
            self.fingerprints[entry.student_id] = fp
            old = previous.get(entry.student_id)
            if old is not None and old.fingerprint == fp and not self.force:
                if old.json.startswith("{\n"):  # written by result_json: reuse the bytes
                    self.documents[entry.student_id] = old.json
                self._done(old.result(), "unchanged")
                self.reused.add(entry.student_id)
            else:
                todo[entry.student_id], prints[entry.student_id] = entry, fp
        return todo, prints

    def stamp(self) -> str:
        """What every result of this run depends on, as one hash (see _render_pages)."""
        return hashlib.sha256(json.dumps(sorted(self.fingerprints.items())).encode()
                              ).hexdigest()

    def _done(self, r: StudentResult, what: str) -> None:
        self.results[r.student_id] = r
        if self.progress:
            self.progress(len(self.results), len(self.entries),
                          f"{what} {r.student_id}: {exports.num(r.score)}/"
                          f"{exports.num(r.max_score)} ({r.status})")

    def fingerprint(self, entry: Entry) -> str:
        """What a result depends on; an equal fingerprint means an equal result."""
        ids = list(entry.key.exercise_ids) if entry.key else []
        late = late_info(self.assignment, entry.submission, received=entry.received) \
            if entry.submission else None
        parts = [entry.status, list(entry.messages),
                 entry.submission.sha256 if entry.submission else None,
                 entry.key.sha256 if entry.key else None,
                 {i: self.spec_hashes.get(i) for i in ids}, __version__,
                 self.assignment.source_hash, self.revealed,
                 dict(vars(late)) if late else None]  # its fields are plain values
        return hashlib.sha256(str_keyed_json(parts).encode()).hexdigest()


def unknown_note(e: Entry) -> list[str]:
    """An unknown submitter's message (listed among the warnings before all others)."""
    return [e.messages[0]] if e.status == "unknown_student" else []


def join_warnings(head: Sequence[str], students: Sequence[tuple[Sequence[str], Sequence[str],
                                                                Sequence[str]]],
                  tail: Sequence[str]) -> list[str]:
    """A run's warnings in order: the folder's, every unknown submitter's message, the other
    entry warnings, the run's, then grading's. `students`: (unknown note, entry warnings,
    grading warnings) of each student in roster order."""
    return [*head, *(w for s in students for w in s[0]), *(w for s in students for w in s[1]),
            *tail, *(w for s in students for w in s[2])]


def _past(previous: dict, entries: Sequence[Entry]) -> dict[str, tuple[str, float, float]]:
    """(status, total, max) of the last recorded result of each student missing now."""
    out = {}
    for e in entries:
        if e.status == "missing" and e.student_id in previous:
            try:
                r = previous[e.student_id].result()
            except DamagedError:  # a result this grader cannot read: no warning, no stop
                continue
            out[e.student_id] = (r.status, r.score, r.max_score)
    return out


def _with_received_times(entries: list[Entry], assignment_id: str, out: Path) -> list[Entry]:
    """Each submission's first-seen time, recorded now for those the gradebook has not seen."""
    import dataclasses

    seen = [(e.student_id, e.submission.sha256) for e in entries if e.submission is not None]
    with Gradebook(out / "gradebook.sqlite") as book:
        times = book.first_seen(assignment_id, seen)
    return [dataclasses.replace(e, received=times.get((e.student_id, e.submission.sha256)))
            if e.submission is not None else e for e in entries]


def _path_text(path: Path) -> str:
    """A path as storable text: a file name's bytes that are not UTF-8 become escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _sandbox_level() -> str:
    from grader.sandbox import sandbox_level

    return sandbox_level()


def _spec_changes(keys: Sequence[StudentKey], library: dict[str, Exercise]) -> list[str]:
    changed = sorted({i for k in keys for i, spec_hash in k.head.exercises
                      if spec_hash != library[i].source_hash})
    return [f"the spec of {eid} changed since the key was generated; answers were recomputed "
            "with the current spec" for eid in changed]


def with_budget_losses(results: Sequence[StudentResult], warnings: list[str]) -> list[str]:
    """The run's warnings led by who lost cases to a function's time budget: worked out from
    every result (reused ones too, so it stays visible on a regrade; merged shards alike)."""
    lost = budget_losses(results)
    return ([lost] if lost else []) + warnings


def bounded(warnings: list[str]) -> list[str]:
    """At most MAX_WARNINGS distinct warnings, then how many more (merge caps the same way)."""
    unique = list(dict.fromkeys(warnings))
    if len(unique) <= MAX_WARNINGS:
        return unique
    return unique[:MAX_WARNINGS] + [f"... and {len(unique) - MAX_WARNINGS} more warnings"]


def _export(result: RunSummary, assignment: Assignment, out: Path, documents: dict[str, str],
            targets: Mapping[str, Path | None], *, fail_under: float | None) -> None:
    export_run(result, out, documents, targets, formats.Context(
        assignment.id, f"{assignment.title} ({assignment.id})", fail_under))


def export_run(result: RunSummary, out: Path, documents: Mapping[str, str],
               targets: Mapping[str, Path | None], ctx: formats.Context) -> None:
    """Each student's JSON, then every export format asked for (grader.outputs.formats)."""
    for r in result.results:
        exports.write_result(out, r, documents.get(r.student_id))
    formats.write_all(targets, out, result, ctx)
    step = os.environ.get("GITHUB_STEP_SUMMARY")
    if step:
        text = b"".join(data for _, data in formats.FORMATS["summary"].render(result, ctx))
        with open(step, "ab") as fh:  # GitHub expects appends
            fh.write(text)


def threshold_failed(result: RunSummary, fail_under: float | None) -> bool:
    """True when --fail-under is given and some submitted result is below it."""
    return fail_under is not None and bool(md.below(result, fail_under))
