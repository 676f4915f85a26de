"""`grader generate`: a personal problem set per student, and the instructor's key.

Every file is a pure function of (assignment, roster, secret, library): rerunning rewrites
byte-identical files, and each write is atomic, so an interrupted run leaves no half file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.assignment import Assignment, check_entries, load_assignment, resolve_exercises
from grader.errors import UserError, display_path
from grader.fsutil import write_if_changed
from grader.roster import Student, load_roster
from grader.values import to_json

KEY_FORMAT = 1


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of one student's set: the spec, its variant and its cases."""

    number: int
    exercise: Any
    points: float
    seed: int
    variant: Any
    cases: tuple[Any, ...]  # BuiltCase per function part, flattened with part ids

    def part_points(self, part: Any) -> float:
        """A part's points scaled so the exercise totals `points`."""
        return part.points * self.points / self.exercise.points


@dataclass(frozen=True)
class StudentSet:
    student: Student
    exercises: tuple[PlannedExercise, ...]

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)


@dataclass(frozen=True)
class GenerateResult:
    out: Path
    students: int
    written: int
    unchanged: int
    changed: tuple[str, ...] = ()  # students whose variants differ from the previous key
    notes: tuple[str, ...] = ()  # warnings for the instructor (changed variants, past due)


def load_library_for(assignment: Assignment) -> list[Any]:
    """The packaged library plus the assignment's own spec folders."""
    from grader.spec import library_dirs, load_library

    for folder in assignment.library:
        if not folder.is_dir():
            raise UserError(f"{assignment.path}: library folder {folder} does not exist")
    return load_library(library_dirs(assignment.library))


def plan_student(assignment: Assignment, student: Student, secret: bytes,
                 library: Sequence[Any]) -> StudentSet:
    """Draw every variant of one student's set (pure: same inputs, same set)."""
    from grader import variant as V
    from grader.functions import build_cases
    from grader.seeding import make_rng, variant_seed

    planned = []
    for number, (ex, points) in enumerate(
            resolve_exercises(assignment, student.id, secret, library), 1):
        seed = variant_seed(secret, assignment.id, student.id, ex.id)
        var = V.make_variant(ex, make_rng(seed))
        case_rng = make_rng(variant_seed(secret, assignment.id, student.id, ex.id + "#cases"))
        cases = tuple((p.id, c) for p in ex.parts if p.function
                      for c in build_cases(p.function, case_rng))
        planned.append(PlannedExercise(number, ex, points, seed, var, cases))
    return StudentSet(student, tuple(planned))


def key_document(assignment: Assignment, sset: StudentSet) -> dict:
    """The instructor-only key: parameters, reference answers and cases per exercise."""
    return {
        "format": KEY_FORMAT,
        "assignment": assignment.id,
        "student": sset.student.to_dict(),
        "points": sset.points,
        "exercises": [{
            "id": pe.exercise.id,
            "number": pe.number,
            "points": pe.points,
            "spec_hash": pe.exercise.source_hash,
            "params": dict(pe.variant.params),
            "answers": dict(pe.variant.answers),
            "part_points": {p.id: pe.part_points(p) for p in pe.exercise.parts},
            "cases": [{"part": pid, "id": c.id, "args": c.args, "kwargs": c.kwargs,
                       "visibility": c.visibility, "why": c.why} for pid, c in pe.cases],
        } for pe in sset.exercises],
    }


def generate(assignment_path: Path, roster_path: Path, out: Path, *,
             progress: Callable[[int, int, str], Any] | None = None) -> GenerateResult:
    """Write every student's folder and the key; returns counts of files written."""
    from grader.render import render
    from grader.studentfiles import student_files

    assignment = load_assignment(assignment_path)
    students = load_roster(roster_path)
    secret = assignment.secret()
    library = load_library_for(assignment)
    check_entries(assignment, library)
    written = unchanged = 0
    sets, changed = [], []
    for done, student in enumerate(students, 1):
        sset = plan_student(assignment, student, secret, library)
        sets.append(sset)
        files = student_files(assignment, sset)
        key_path = Path("key") / f"{student.folder}.json"
        key = key_document(assignment, sset)
        if _variants(key) != _variants(_read_key(out / key_path)) and (out / key_path).exists():
            changed.append(student.id)
        files[key_path] = (to_json(key, indent=1) + "\n").encode()
        for rel, data in files.items():
            if write_if_changed(out / rel, data):
                written += 1
            else:
                unchanged += 1
        if progress:
            progress(done, len(students), f"generated {student.folder}")
    index = render("key_index.html", assignment=assignment, sets=sets,
                   title=f"{assignment.title}: instructor key").encode()
    for rel, data in ((Path("key/index.html"), index),
                      (Path("key/roster.json"), _roster_json(students))):
        written, unchanged = (written + 1, unchanged) if write_if_changed(out / rel, data) \
            else (written, unchanged + 1)
    notes = [n for n in (_changed_note(changed), past_due_note(assignment)) if n]
    return GenerateResult(out, len(students), written, unchanged, tuple(changed), tuple(notes))


def _read_key(path: Path) -> Any:
    from grader.values import from_json

    try:
        return from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _variants(key: Any) -> Any:
    """What decides a student's problems: each exercise id with its parameters."""
    try:
        return [(e["id"], e["params"]) for e in key["exercises"]]
    except (TypeError, KeyError):
        return None


def _changed_note(changed: Sequence[str]) -> str | None:
    if not changed:
        return None
    shown = ", ".join(changed[:5]) + (", ..." if len(changed) > 5 else "")
    return (f"warning: the variants of {len(changed)} student(s) changed since the last "
            f"generate ({shown}): a spec, the assignment or the secret changed. Problem sets "
            "already handed out no longer match the key; hand out the new ones.")


def past_due_note(assignment: Assignment) -> str | None:
    """A note when the assignment's due date has already passed (a wrong year, say)."""
    import datetime as dt

    a = assignment
    if a.due is None or a.due > dt.datetime.now(dt.timezone.utc):
        return None
    late = "" if a.late.policy == "none" else "; every submission will count as late"
    reveal = ("; reports will show the expected answers (reveal: after_due)"
              if a.reveal == "after_due" else "")
    return (f"note: {display_path(a.path)}: due {a.due.isoformat()} has already passed{late}"
            f"{reveal}. Fix `due` if that is not meant.")


def _roster_json(students: Sequence[Student]) -> bytes:
    return (to_json([s.to_dict() for s in students], indent=1) + "\n").encode()
