"""Results are data: one frozen StudentResult per student, rendered to every output.

`<student>.json`, the gradebook, the CSV, JUnit, Gradescope JSON and the HTML reports are all
renderings of these objects. The JSON form is versioned (RESULT_SCHEMA_VERSION) and documented
in docs/results.md. Nothing here holds a timestamp of the grading run, so grading the same
inputs twice gives the same bytes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Literal

RESULT_SCHEMA_VERSION = 1

PartStatus = Literal["correct", "partial", "wrong", "format_error", "missing"]
CaseStatus = Literal["passed", "failed", "exception", "timeout", "memory", "crashed", "exited",
                     "bad_output", "truncated", "not_run"]
StudentStatus = Literal["graded", "missing", "empty", "unknown_student", "tampered"]


@dataclass(frozen=True)
class CaseResult:
    """One call of a student's function. Hidden cases carry no inputs or outputs."""

    id: str
    visibility: Literal["public", "hidden"]
    status: CaseStatus
    message: str = ""
    args: Any = None  # public cases only
    output: Any = None  # public cases only: what the student's function returned
    expected: Any = None  # public cases only, and only where the reveal policy allows

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class PartResult:
    exercise_id: str
    part_id: str
    kind: str
    score: float  # points earned
    max_score: float
    status: PartStatus
    feedback: str
    mistake: str | None = None
    answer: Any = None  # what the student gave (plain data or the text typed)
    expected: Any = None  # None unless the reveal policy allows
    details: tuple[str, ...] = ()
    cases: tuple[CaseResult, ...] = ()


@dataclass(frozen=True)
class ExerciseResult:
    id: str
    number: int
    title: str
    score: float
    max_score: float
    parts: tuple[PartResult, ...]


@dataclass(frozen=True)
class LateInfo:
    submitted_at: str | None  # ISO 8601, UTC
    time_source: Literal["manifest", "file", "received", "none"]
    days_late: int  # started days past the deadline (after grace); 0 when on time
    penalty_percent: float  # share of the score removed
    note: str = ""


@dataclass(frozen=True)
class StudentResult:
    assignment_id: str
    student_id: str
    name: str
    email: str
    folder: str
    status: StudentStatus
    score: float  # after the late penalty
    raw_score: float  # before it
    max_score: float
    exercises: tuple[ExerciseResult, ...] = ()
    late: LateInfo | None = None
    messages: tuple[str, ...] = ()  # integrity findings, key mismatches, notes for the student
    submission_sha256: str | None = None
    sandbox_level: str = ""
    grader_version: str = ""
    schema_version: int = RESULT_SCHEMA_VERSION
    revealed: bool = False

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def parts(self) -> list[PartResult]:
        return [p for e in self.exercises for p in e.parts]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (see docs/results.md): what dataclasses.asdict gives."""
        return _as_dict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StudentResult:
        """Inverse of to_dict (for `grader report`, which re-renders without regrading)."""
        if d.get("schema_version") != RESULT_SCHEMA_VERSION:
            raise ValueError(f"result schema version {d.get('schema_version')!r}; this grader "
                             f"reads version {RESULT_SCHEMA_VERSION}")
        exercises = tuple(
            ExerciseResult(**{**e, "parts": tuple(
                PartResult(**{**p, "details": tuple(p["details"]),
                              "cases": tuple(CaseResult(**c) for c in p["cases"])})
                for p in e["parts"])})
            for e in d["exercises"])
        late = LateInfo(**d["late"]) if d.get("late") else None
        return cls(**{**d, "exercises": exercises, "late": late,
                      "messages": tuple(d.get("messages", ()))})


@dataclass(frozen=True)
class RunSummary:
    """What one `grader grade` run did, for printing and the CI summary."""

    assignment_id: str
    results: tuple[StudentResult, ...]
    graded: int  # submissions graded in this run
    skipped: int  # unchanged since the last run
    sandbox_level: str
    changes: tuple[tuple[str, float, float], ...] = ()  # (student, old total, new total)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    missing: int = 0  # of `graded`: students without a submission, given their zero this run


def num(x: float) -> str:
    """A score as the exports write it: at most 4 decimals, no trailing zeros."""
    text = f"{round(x, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _as_dict(x: Any) -> Any:
    """dataclasses.asdict without its per-field overhead (a result holds hundreds of values,
    and asdict cost more than running the student's code): containers are rebuilt, leaves
    that are not plain scalars are deep-copied, as asdict does."""
    if is_dataclass(x) and not isinstance(x, type):
        return {f.name: _as_dict(getattr(x, f.name)) for f in fields(x)}
    t = type(x)
    if t in _SCALARS:
        return x
    if t is list or t is tuple:
        return t(_as_dict(v) for v in x)
    if t is dict:
        return {_as_dict(k): _as_dict(v) for k, v in x.items()}
    return copy.deepcopy(x)


_SCALARS = (str, int, float, bool, type(None))
