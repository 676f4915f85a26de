"""The student-side JSON documents as typed data: grader.json of a problem-set folder and
manifest.json of a `grader submit` archive.

Their shapes, versions and validation live here, beside grader.student.submission which writes
the manifest. grader.json is written by grader.course (generate, studentfiles) but read here on
the student's side, and student comes before course in the stage order: so it lives here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.core.errors import UserError

STUDENT_FORMAT = 1  # grader.json's version
META = "grader.json"
_ASSIGNMENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # as grader.course.assignment checks it


class DocumentProblem(ValueError):
    """A student's document that cannot be relied on; the message is the finding to report."""


@dataclass(frozen=True)
class Manifest:
    """Who handed in what, and when: written by `grader submit`, read when grading.

    It comes from the student's archive, so every field but `files` may be absent or of the
    wrong type (a hand-edited manifest): such a field reads as None, which is what grading
    always made of it (no claimed id, no manifest time).
    """

    files: Mapping[str, Any]  # file name -> sha256 hex (anything else never matches a file)
    student: str | None = None
    assignment: str | None = None
    time: str | None = None  # ISO 8601, to the second
    grader_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"student": self.student, "assignment": self.assignment,
                               "files": dict(self.files), "time": self.time,
                               "grader_version": self.grader_version}
        return {k: v for k, v in out.items() if v is not None}

    @classmethod
    def from_dict(cls, data: Any, *, source: str) -> Manifest:
        """A parsed manifest; DocumentProblem ("<source> lacks the file list") without one."""
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
            raise DocumentProblem(f"{source} lacks the file list")
        return cls(dict(data["files"]), _text(data, "student"), _text(data, "assignment"),
                   _text(data, "time"), _text(data, "grader_version"))


def _text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class MetaAssignment:
    id: str
    title: str = ""
    due: str | None = None  # ISO 8601; None: no due date

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "due": self.due}


@dataclass(frozen=True)
class MetaStudent:
    id: str
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class MetaExercise:
    """One exercise as `grader check` sees it: ids, kinds and shapes of its parts, no values.

    The parts stay plain data (validated by meta_problem): each kind reads its own options.
    """

    id: str
    parts: tuple[dict[str, Any], ...]
    number: Any = None  # shown to nobody by check; kept to write the file back as it was
    title: Any = None
    points: Any = None
    spec_hash: Any = None

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id, "number": self.number, "title": self.title, "points": self.points,
               "spec_hash": self.spec_hash, "parts": list(self.parts)}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class StudentMeta:
    """grader.json: what `grader check` and `grader submit` need, and nothing secret."""

    assignment: MetaAssignment
    student: MetaStudent
    exercises: tuple[MetaExercise, ...]
    variant: str | None = None  # the key's variant fingerprint; absent before issue 16
    format: Any = STUDENT_FORMAT

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": self.format, "assignment": self.assignment.to_dict(),
                               "student": self.student.to_dict(),
                               "exercises": [e.to_dict() for e in self.exercises]}
        if self.variant is not None:
            out["variant"] = self.variant
        return out

    @classmethod
    def from_dict(cls, data: Any, *, source: str) -> StudentMeta:
        """A parsed grader.json; UserError "<source>: damaged (<what>); copy it again ..." when
        `grader check` could not rely on it."""
        problem = meta_problem(data)
        if problem:
            raise UserError(f"{source}: damaged ({problem}); copy it again from your problem "
                            "set")
        a, s = data["assignment"], data["student"]
        variant = data.get("variant")
        return cls(MetaAssignment(a["id"], a.get("title", ""), a.get("due")),
                   MetaStudent(s["id"], s.get("name", "")),
                   tuple(MetaExercise(e["id"], tuple(e["parts"]), e.get("number"),
                                      e.get("title"), e.get("points"), e.get("spec_hash"))
                         for e in data["exercises"]),
                   variant if isinstance(variant, str) else None,
                   data.get("format", STUDENT_FORMAT))


@dataclass(frozen=True)
class HandedInMeta:
    """What grading reads of a handed-in grader.json, leniently: whatever is missing or of the
    wrong type reads as None (the work is still graded; only its claims are unknown)."""

    student: str | None = None  # the student id it names (never "")
    assignment: str | None = None
    variant: str | None = None  # the key's variant fingerprint, since issue 16
    exercise_ids: tuple[Any, ...] | None = None  # as listed (None: no list of exercises)

    @classmethod
    def from_dict(cls, data: Any) -> HandedInMeta:
        if not isinstance(data, dict):
            return cls()
        listed = data.get("exercises")
        ids = tuple(e.get("id") for e in listed if isinstance(e, dict)) \
            if isinstance(listed, list) else None
        return cls(_nested_text(data, "student") or None, _nested_text(data, "assignment"),
                   _text(data, "variant"), ids)


def _nested_text(data: Mapping[str, Any], name: str) -> str | None:
    """data[name]["id"] when it is a string."""
    inner = data.get(name)
    return _text(inner, "id") if isinstance(inner, dict) else None


def meta_problem(meta: Any) -> str | None:
    """What is wrong with the structure of grader.json (None when check can rely on it)."""
    from grader.kinds import KINDS

    if not isinstance(meta, dict) or not isinstance(meta.get("exercises"), list):
        return "no list of exercises"
    if not isinstance(meta.get("assignment"), dict) or not isinstance(meta.get("student"), dict):
        return "no assignment or student"
    if not isinstance(meta["student"].get("id"), str):
        return "no student id"
    if not isinstance(meta["assignment"].get("id"), str) or \
            not _ASSIGNMENT_ID.fullmatch(meta["assignment"]["id"]):
        return "no valid assignment id"  # it names the archive `grader submit` writes
    for ex in meta["exercises"]:
        if not isinstance(ex, dict) or not isinstance(ex.get("id"), str) or \
                not isinstance(ex.get("parts"), list):
            return "an exercise without an id or parts"
        for part in ex["parts"]:
            if not isinstance(part, dict) or not isinstance(part.get("id"), str) or \
                    part.get("kind") not in KINDS:
                return f"a part of {ex['id']} without an id or a known kind"
            if not KINDS[part["kind"]].meta_ok(part):
                return f"{ex['id']}.{part['id']} is incomplete"
    return None
