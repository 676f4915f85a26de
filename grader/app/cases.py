"""`grader cases`: what one student's functions do on every case, hidden ones included.

Instructor-only. It reads the key (the cases' inputs), finds the student's submission as
`grader grade` does, runs their solution.py in the same sandbox with the same limits, and judges
each case with grading's own judge (grader.grading.functions.judge): the verdict is the one
grading gives, worded for the instructor (values and exception text, hidden cases too). Nothing
is written into a results folder; students' results keep hidden cases to an id and a status.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from grader.core.errors import UserError, display_path
from grader.course.keyview import CaseKind, brief, case_kind
from grader.grading.collect import Entry

MAX_MESSAGE = 400  # characters of a student's exception text shown per case


@dataclass(frozen=True)
class CaseRun:
    """One case of one function part: inputs, the reference's value, the student's, verdict."""

    exercise: str
    part: str
    function: str
    id: str
    kind: CaseKind
    why: str
    args: list[Any]
    kwargs: dict[str, Any]
    expected: Any
    output: Any  # None unless the call returned (status passed, failed or bad_output)
    status: str  # as in results/<student>.json: passed, failed, exception, timeout, ...
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class StudentCases:
    """Every case of one student's function parts, as `grader cases` shows them."""

    assignment: str
    title: str
    student: str
    name: str
    submission: str  # where it was found
    sandbox_level: str
    cases: tuple[CaseRun, ...]
    notes: tuple[str, ...] = ()  # cases left out, the submission's own problems

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def student_cases(assignment_path: Path, submissions: Path, *, key_dir: Path,
                  student: str) -> StudentCases:
    """Run one student's solution.py on every case of the key and judge each as grading does.

    `key_dir` is the folder `grader generate` wrote (or its key/ folder): required, since the
    hidden cases are in it. `student` is a roster id or folder name.
    """
    from grader.course.assignment import load_assignment
    from grader.grading.keys import find_key_dir, load_keys

    assignment = load_assignment(Path(assignment_path))
    key_dir = find_key_dir(key=Path(key_dir), out=Path(key_dir), submissions=Path(submissions))
    keys = load_keys(key_dir, assignment.id)
    entry = _entry(assignment, Path(submissions), keys, key_dir, student)
    return _run(assignment, entry, keys)


def _entry(assignment: Any, submissions: Path, keys: list[Any], key_dir: Path,
           student: str) -> Entry:
    """The student's entry as grading would find it; a clear error when there is no work."""
    from grader.grading.collect import gather

    key = next((k for k in keys if student in (k.id, k.folder)), None)
    if key is None:
        raise UserError(f"{display_path(key_dir / 'roster.json')}: no student {student!r} in "
                        "the key (give --student a student id or folder name from the roster)")
    found = gather(submissions, keys, assignment.id, exclude=[key_dir])
    entry = next((e for e in found.entries if e.student_id == key.id), None)
    if entry is None or entry.submission is None:
        raise UserError(f"{display_path(submissions)}: no submission from {key.id} (looked for "
                        f"the folder {key.folder}/ or the archive {assignment.id}-{key.folder}"
                        ".zip, or work naming them in grader.json)")
    return entry


def _run(assignment: Any, entry: Entry, keys: list[Any]) -> StudentCases:
    from grader import __version__
    from grader.course.generate import load_library_for
    from grader.grading import engine
    from grader.grading.functions import FunctionWork
    from grader.sandbox import sandbox_level
    from grader.student.submission import SOLUTION

    assert entry.key is not None and entry.submission is not None
    library = {e.id: e for e in load_library_for(
        assignment, only={e.id for e in entry.key.exercises})}
    settings = engine.Settings(assignment, library, True, sandbox_level(), __version__)
    prepared = engine.prepare(entry, settings)
    works = [w for _, _, slots in prepared.exercises for w in slots
             if isinstance(w, FunctionWork)]
    where = display_path(entry.submission.source)
    if not works:
        raise UserError(f"{display_path(assignment.path)}: {entry.student_id}'s problem set has "
                        "no function exercise; there are no cases to run")
    if prepared.job is None:
        raise UserError(f"{where}: holds no {SOLUTION} (or an empty one) from "
                        f"{entry.student_id}; there is nothing to run")
    run = _sandbox(prepared.job)
    cases = tuple(_case(w, sid, case, expected, run) for w in works
                  for sid, case, expected in w.cases)
    notes = [*prepared.messages, *(p for w in works for p in w.problems)]
    if run.import_error:
        notes.insert(0, f"{SOLUTION} could not be imported: {run.import_error}")
    return StudentCases(assignment.id, assignment.title, entry.student_id, entry.key.name, where,
                        run.level, cases, tuple(dict.fromkeys(notes)))


def _sandbox(job: Any) -> Any:
    """The student's code in the sandbox grading uses (one zygote, the same limits)."""
    from grader.sandbox import SandboxPool

    with SandboxPool(workers=1) as pool:
        return pool.run(job)


def _case(work: Any, sid: str, case: Any, expected: Any, run: Any) -> CaseRun:
    from grader.grading.functions import judge

    outcome = run.outcomes.get(sid)
    verdict = judge(work, case, expected, outcome, revealed=True, instructor=True)
    returned = outcome.value if outcome is not None and outcome.status == "ok" else None
    message = verdict.message if len(verdict.message) <= MAX_MESSAGE else \
        verdict.message[:MAX_MESSAGE - 1] + "…"
    return CaseRun(work.exercise_id, work.part.id, work.fn.name, case.id,
                   case_kind(case.id, case.visibility), case.why, list(case.args),
                   dict(case.kwargs), expected, returned, verdict.status, message)


def text_lines(result: StudentCases) -> list[str]:
    """What `grader cases` prints: a block per case, then a line per function part."""
    lines = [f"INSTRUCTOR ONLY: hidden cases of {result.student}"
             f"{f' ({result.name})' if result.name else ''}, assignment {result.assignment}; "
             "do not share this output with students.",
             f"submission: {result.submission}", f"sandbox level: {result.sandbox_level}"]
    lines += [f"note: {n}" for n in result.notes]
    part = None
    for c in result.cases:
        if (c.exercise, c.part) != part:
            part = (c.exercise, c.part)
            lines += ["", f"{c.exercise}.{c.part} (function {c.function}): "
                      f"{_passed(result, part)}"]
        lines += case_lines(c)
    return lines


def _passed(result: StudentCases, part: tuple[str, str]) -> str:
    mine = [c for c in result.cases if (c.exercise, c.part) == part]
    return f"{sum(c.passed for c in mine)} of {len(mine)} cases passed"


def case_lines(c: CaseRun) -> list[str]:
    """One case: its id, kind and verdict, then why, inputs, expected and returned values."""
    from grader.course.keyview import call_text

    verdict = c.status + (f": {c.message}" if c.message else "")
    return [f"  {c.id} ({c.kind}): {verdict}",
            *([f"    why:      {c.why}"] if c.why and c.kind != "random" else []),
            f"    inputs:   {call_text(c.args, c.kwargs)[0]}",
            f"    expected: {brief(c.expected)[0]}",
            f"    returned: {brief(c.output)[0] if c.output is not None else '(nothing)'}"]


def write_html(result: StudentCases, path: Path) -> Path:
    """The same as a page (instructor-only), refused inside a results folder."""
    from grader.core.render import write_page

    path = Path(path)
    if path.is_dir():
        raise UserError(f"{display_path(path)}: is a folder; give --html a file name such as "
                        f"cases-{result.student}.html")
    if (path.parent / "gradebook.sqlite").exists():
        raise UserError(f"{display_path(path)}: that folder holds a gradebook, so students may "
                        "be given its files; write this instructor-only page somewhere else")
    write_page(path, "instructor_cases.html", r=result, view=case_views(result),
               title=f"{result.title}: every case of {result.student} (instructor only)")
    return path


@dataclass(frozen=True)
class CaseView:
    """A case's values as short text for the page (the template escapes it)."""

    run: CaseRun
    inputs: str
    expected: str
    returned: str | None


def case_views(result: StudentCases) -> list[tuple[str, list[CaseView]]]:
    """The cases grouped by part ("exercise.part"), each with its values as text."""
    from grader.course.keyview import call_text

    groups: dict[str, list[CaseView]] = {}
    for c in result.cases:
        groups.setdefault(f"{c.exercise}.{c.part}", []).append(CaseView(
            c, call_text(c.args, c.kwargs)[0], brief(c.expected)[0],
            None if c.output is None else brief(c.output)[0]))
    return list(groups.items())
