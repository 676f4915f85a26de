"""Grade one student: recompute the references, grade typed parts, prepare and judge functions.

Grading is two steps so that student code can run elsewhere in parallel: `prepare` grades every
typed part and builds the sandbox job (inputs only); `finish` judges the sandbox's outcomes and
assembles the StudentResult. Nothing a student hands in can make either step raise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from grader.course.assignment import Assignment
from grader.course.documents import KeyExercise
from grader.grading.collect import Entry
from grader.grading.functions import FunctionWork, grade_function, prepare_function
from grader.grading.late import apply_penalty, late_info
from grader.grading.typed import (
    Answers,
    ReferenceSet,
    grade_typed,
    read_student_answers,
    reference_set,
    unknown_entries,
)
from grader.core.model import Exercise
from grader.grading.results import ExerciseResult, LateInfo, PartResult, StudentResult
from grader.sandbox import Job, Limits, SandboxRun
from grader.student.submission import SOLUTION
from grader.kinds import runs_code

Slot = PartResult | FunctionWork


@dataclass(frozen=True)
class Settings:
    """What is the same for every student of a run."""

    assignment: Assignment
    library: Mapping[str, Exercise]
    revealed: bool
    sandbox_level: str
    grader_version: str


@dataclass
class Prepared:
    """A student with typed parts graded and function parts waiting for the sandbox."""

    entry: Entry
    late: LateInfo | None
    exercises: list[tuple[KeyExercise, Exercise, list[Slot]]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    job: Job | None = None


@dataclass(frozen=True)
class Graded:
    result: StudentResult
    warnings: tuple[str, ...] = ()
    document: str | None = None  # the result's JSON, when the process that graded it wrote it


def prepare(entry: Entry, s: Settings) -> Prepared:
    """Grade the typed parts and build the sandbox job for the function parts."""
    sub = entry.submission
    late = late_info(s.assignment, sub, received=entry.received) \
        if entry.status != "unknown_student" else None
    p = Prepared(entry, late, messages=list(entry.messages))
    if entry.key is None:
        return p
    answers = read_student_answers(sub) if entry.status in ("graded", "tampered") else \
        Answers.nothing("No submission." if entry.status == "missing" else "Nothing handed in.")
    p.messages += answers.notes
    p.messages += unknown_entries(answers, {e.id: s.library[e.id]
                                            for e in entry.key.exercises})
    for kex in entry.key.exercises:
        exercise = s.library[kex.id]
        refs = reference_set(exercise, kex)
        p.warnings += [f"{entry.student_id}: {w}" for w in refs.warnings]
        p.messages += refs.student_notes
        p.exercises.append((kex, exercise, _slots(exercise, kex, refs, answers, s, p)))
    p.job = _job(p, s)
    return p


def _slots(exercise: Exercise, kex: KeyExercise, refs: ReferenceSet, answers: Answers, s: Settings,
           p: Prepared) -> list[Slot]:
    slots: list[Slot] = []
    scale = kex.points / exercise.points if exercise.points else 0.0
    for part in exercise.parts:
        points = float(kex.part_points.get(part.id, part.points * scale))
        if runs_code(part):
            work = prepare_function(exercise.id, kex.number, part, points, kex.cases)
            p.warnings += list(work.problems)
            slots.append(work)
            continue
        result, warning = grade_typed(exercise, part, points, refs, answers, s.revealed)
        if warning:
            p.warnings.append(f"{p.entry.student_id}: {warning}")
        slots.append(result)
    return slots


def _job(p: Prepared, s: Settings) -> Job | None:
    works = [w for _, _, slots in p.exercises for w in slots if isinstance(w, FunctionWork)]
    sub = p.entry.submission
    if not works or sub is None or p.entry.status not in ("graded", "tampered"):
        return None
    if not sub.files.get(SOLUTION, b"").strip():
        return None
    calls: dict[str, list] = {}
    for w in works:
        calls.setdefault(w.fn.name, []).extend(w.calls())
    return Job(p.entry.student_id, {SOLUTION: bytes(sub.files[SOLUTION])}, calls,
               limits=limits_for(s.assignment, works))


def limits_for(assignment: Assignment, works: list[FunctionWork]) -> Limits:
    """The sandbox limits: sandbox.time_limit is each function's own budget (so a hang in one
    function costs no other its cases), the whole run is capped at that budget times the number
    of functions; memory from the assignment, the specs' per-case limit."""
    budget = assignment.sandbox.time_limit
    wall = budget * len({w.fn.name for w in works})
    per_case = max(w.fn.time_limit for w in works)
    return Limits(wall_seconds=wall, memory_mb=assignment.sandbox.memory_mb,
                  cpu_seconds=math.ceil(wall) + 1, per_case_seconds=min(per_case, budget),
                  function_seconds=budget)


def finish(p: Prepared, run: SandboxRun | None, s: Settings) -> Graded:
    """Judge the sandbox outcomes and assemble the student's result."""
    entry = p.entry
    exercises = tuple(_exercise(kex, ex, slots, p, run, s) for kex, ex, slots in p.exercises)
    raw = round(sum(e.score for e in exercises), 4)
    score = apply_penalty(raw, p.late)
    messages = list(p.messages)
    if entry.status == "tampered":
        score = 0.0
        messages.append("The archive does not match its manifest: the score is withheld (0) "
                        "until an instructor reviews it; the parts show what the work would earn.")
    key = entry.key
    result = StudentResult(
        assignment_id=s.assignment.id, student_id=entry.student_id,
        name=key.name if key else "", email=key.email if key else "", folder=entry.folder,
        status=entry.status, score=score, raw_score=raw,
        max_score=round(key.points, 4) if key else 0.0, exercises=exercises, late=p.late,
        messages=tuple(messages),
        submission_sha256=entry.submission.sha256 if entry.submission else None,
        sandbox_level=run.level if run is not None else "", grader_version=s.grader_version,
        revealed=s.revealed)
    return Graded(result, tuple(p.warnings))


def _exercise(kex: KeyExercise, exercise: Exercise, slots: list[Slot], p: Prepared,
              run: SandboxRun | None, s: Settings) -> ExerciseResult:
    parts = tuple(slot if isinstance(slot, PartResult) else
                  grade_function(slot, run, revealed=s.revealed, absent=absent_reason(p, run))
                  for slot in slots)
    return ExerciseResult(exercise.id, kex.number, exercise.title,
                          round(sum(x.score for x in parts), 4), float(kex.points), parts)


def absent_reason(p: Prepared, run: SandboxRun | None) -> str | None:
    """Why function parts were not run, or None when they were."""
    if run is not None:
        return None
    if p.entry.status == "missing":
        return "No submission."
    sub = p.entry.submission
    if sub is None or not sub.files.get(SOLUTION, b"").strip():
        return f"No {SOLUTION} was handed in."
    return "Not run."
