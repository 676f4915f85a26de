"""The instructor key's per-student file (build/key/<folder>.json) as typed data.

grader.course.generate writes it; grading reads it. Its format version, its shape and its
validation live here together, so the writer and the readers cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.authoring.cases import Visibility
from grader.core.errors import UserError
from grader.course.roster import Student

KEY_FORMAT = 1  # bump when a key written by this version cannot be read by an older one


class _Damaged(Exception):
    """A structural problem of a key file (turned into a UserError naming the file)."""


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
        _need(data, "a case", {"part": str, "id": str})
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
        _need(data, "an exercise", {"id": str, "number": int, "points": (int, float)})
        where = f"exercise {data['id']!r}"
        _optional(data, where, {"params": dict, "answers": dict, "part_points": dict,
                                "cases": list, "spec_hash": str})
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
        _need(data, "the key", {"assignment": str, "student": dict, "points": (int, float),
                                "exercises": list})
        _optional(data, "the key", {"secret_id": str, "variant": str})
        s = data["student"]
        _need(s, "the student", {"id": str, "folder": str})
        student = Student(s["id"], str(s.get("name", "")), str(s.get("email", "")), s["folder"])
        return cls(data["assignment"], student, data["points"],
                   tuple(KeyExercise.from_dict(e) for e in data["exercises"]),
                   data.get("secret_id"), data.get("variant"), data["format"])


def _need(data: Any, what: str, types: Mapping[str, type | tuple[type, ...]]) -> None:
    if not isinstance(data, dict):
        raise _Damaged(f"{what} is not a mapping")
    for name in types:
        if name not in data:
            raise _Damaged(f"{what} has no {name!r}")
    _optional(data, what, types)


def _optional(data: dict[str, Any], what: str,
              types: Mapping[str, type | tuple[type, ...]]) -> None:
    for name, kind in types.items():
        value = data.get(name)
        # bool is an int to Python, never a number or a count in a key
        if name in data and (not isinstance(value, kind) or isinstance(value, bool)):
            raise _Damaged(f"{what}: {name!r} is not {_names(kind)}")


def _names(kind: type | tuple[type, ...]) -> str:
    words = {str: "a string", int: "an integer", float: "a number", dict: "a mapping",
             list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return "a number" if float in kinds else " or ".join(words[k] for k in kinds)
