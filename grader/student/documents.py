"""The student-side JSON documents as typed data: manifest.json of a `grader submit` archive.

Its shape and its validation live here, beside grader.student.submission which writes it, so
that the writer and the readers (grading's collect and late) cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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
