"""The instructor key's per-student file (build/key/<folder>.json) as typed data.

grader.course.generate writes it; grading reads it. Its format version, its shape and its
validation live here together, so the writer and the readers cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.authoring.cases import Visibility
from grader.core import schema as S
from grader.core.errors import UserError
from grader.course.roster import Student

KEY_FORMAT = 1  # bump when a key written by this version cannot be read by an older one


class _Damaged(Exception):
    """A structural problem of a key file (turned into a UserError naming the file)."""


# The key file's shape, in the schema vocabulary. Optional keys fall back as grading always
# did, for keys written before they existed; undeclared keys are left alone.
_STRING, _NUMBER = S.Str(), S.Number()
KEY_CASE = S.Record({"part": S.Field(_STRING, required=True),
                     "id": S.Field(_STRING, required=True)})
KEY_EXERCISE = S.Record({
    "id": S.Field(_STRING, required=True), "number": S.Field(S.Int(), required=True),
    "points": S.Field(_NUMBER, required=True), "params": S.Field(S.MapOf()),
    "answers": S.Field(S.MapOf()), "part_points": S.Field(S.MapOf()),
    "cases": S.Field(S.ListOf()), "spec_hash": S.Field(_STRING)})
_KEY_EXERCISE_HEAD = KEY_EXERCISE.only("id", "number", "points")  # built once, not per key
KEY_DOCUMENT = S.Record({
    "assignment": S.Field(_STRING, required=True), "student": S.Field(S.MapOf(), required=True),
    "points": S.Field(_NUMBER, required=True), "exercises": S.Field(S.ListOf(), required=True),
    "secret_id": S.Field(_STRING), "variant": S.Field(_STRING)})
KEY_STUDENT = S.Record({"id": S.Field(_STRING, required=True),
                        "folder": S.Field(_STRING, required=True)})


def _need(record: S.Record, data: Any, what: str) -> None:
    problem = S.problem(record, data, what)
    if problem:
        raise _Damaged(problem)


@dataclass(frozen=True)
class KeyCase:
    """One test case of a function part, as drawn at generate time."""

    part: str
    id: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    visibility: Visibility = "hidden"
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"part": self.part, "id": self.id, "args": self.args, "kwargs": self.kwargs,
                "visibility": self.visibility, "why": self.why}

    @classmethod
    def from_dict(cls, data: Any) -> KeyCase:
        # Optional fields fall back as grading always did, for keys written before they existed.
        _need(KEY_CASE, data, "a case")
        visibility = data.get("visibility", "hidden")
        if visibility not in ("public", "hidden"):
            raise _Damaged(f"case {data['id']!r}: visibility {visibility!r} is not public or "
                           "hidden")
        return cls(data["part"], data["id"], list(data.get("args") or []),
                   dict(data.get("kwargs") or {}), visibility, str(data.get("why", "")))


@dataclass(frozen=True)
class KeyExercise:
    """One exercise of a student's set: its stored parameters, reference answers and cases."""

    id: str
    number: int
    points: float
    params: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    part_points: dict[str, float] = field(default_factory=dict)
    cases: tuple[KeyCase, ...] = ()
    spec_hash: str | None = None  # None: a key written before specs were hashed

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "number": self.number, "points": self.points}
        if self.spec_hash is not None:
            out["spec_hash"] = self.spec_hash
        out.update(params=self.params, answers=self.answers, part_points=self.part_points,
                   cases=[c.to_dict() for c in self.cases])
        return out

    @classmethod
    def from_dict(cls, data: Any) -> KeyExercise:
        if S.problem(KEY_EXERCISE, data, "an exercise"):  # once when sound, as keys are
            _need(_KEY_EXERCISE_HEAD, data, "an exercise")  # named by id when it has one
            _need(KEY_EXERCISE, data, f"exercise {data['id']!r}")
        return cls(data["id"], data["number"], data["points"], dict(data.get("params", {})),
                   dict(data.get("answers", {})), dict(data.get("part_points", {})),
                   tuple(KeyCase.from_dict(c) for c in data.get("cases", [])),
                   data.get("spec_hash"))


@dataclass(frozen=True)
class KeyDocument:
    """One student's key file: who, which assignment, and every exercise's stored variant."""

    assignment: str
    student: Student
    points: float
    exercises: tuple[KeyExercise, ...]
    secret_id: str | None = None  # None: a key written before secret ids
    variant: str | None = None  # the fingerprint also written into grader.json
    format: int = KEY_FORMAT

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": self.format, "assignment": self.assignment}
        if self.secret_id is not None:
            out["secret_id"] = self.secret_id
        if self.variant is not None:
            out["variant"] = self.variant
        out.update(student=self.student.to_dict(), points=self.points,
                   exercises=[e.to_dict() for e in self.exercises])
        return out

    @classmethod
    def from_dict(cls, data: Any, *, source: str, assignment: str | None = None) -> KeyDocument:
        """Validate a parsed key file; `source` names it in errors. When `assignment` is given,
        a key for another assignment is refused (before its shape is looked at, as before)."""
        if not isinstance(data, dict):
            raise UserError(f"{source}: not a key document; run `grader generate` again")
        if data.get("format") != KEY_FORMAT:
            raise UserError(f"{source}: key format {data.get('format')!r}; this grader reads "
                            f"format {KEY_FORMAT}: run `grader generate` again with this version")
        if assignment is not None and data.get("assignment") != assignment:
            raise UserError(f"{source}: this key is for assignment {data.get('assignment')!r}, "
                            f"not {assignment!r}; give the key folder generated for this "
                            "assignment")
        try:
            return cls._parse(data)
        except _Damaged as exc:
            raise UserError(f"{source}: damaged key ({exc}); run `grader generate` again to "
                            "rewrite the key") from None

    @classmethod
    def _parse(cls, data: dict[str, Any]) -> KeyDocument:
        _need(KEY_DOCUMENT, data, "the key")
        s = data["student"]
        _need(KEY_STUDENT, s, "the student")
        student = Student(s["id"], str(s.get("name", "")), str(s.get("email", "")), s["folder"])
        return cls(data["assignment"], student, data["points"],
                   tuple(KeyExercise.from_dict(e) for e in data["exercises"]),
                   data.get("secret_id"), data.get("variant"), data["format"])
