"""Answer kinds: read what a student typed, compare it with the reference, name the mistake.

KINDS is the registry: one line per kind, each kind a class that owns how its answers are read,
compared, described and carried in grader.json ("function" included: its answers are code).
`grade_raw` is the one call a grader needs for a typed answer: it turns a missing or unreadable
answer into a Verdict instead of an exception.
"""

from __future__ import annotations

from typing import Any

from grader.core.errors import FormatError
from grader.kinds.arrays import Matrix, Vector
from grader.kinds.base import Kind
from grader.kinds.direction import Direction
from grader.kinds.exact import Bool, Choice, Integer, Shape
from grader.kinds.function import Function
from grader.kinds.numeric import NumberSet, Scalar
from grader.kinds.sequence import Sequence
from grader.core.model import GradeContext, PartSpec, Verdict

__all__ = ["KINDS", "Kind", "get_kind", "grade_raw", "runs_code"]

KINDS: dict[str, Kind] = {
    "scalar": Scalar(),
    "vector": Vector(),
    "matrix": Matrix(),
    "set": NumberSet(),
    "direction": Direction(),
    "integer": Integer(),
    "bool": Bool(),
    "choice": Choice(),
    "shape": Shape(),
    "sequence": Sequence(),
    "function": Function(),
}


def runs_code(part: Any) -> bool:
    """Whether a part (a PartSpec, or a grader.json / key entry with a "kind") is answered by
    code in solution.py rather than in answers.yaml; an unknown kind is neither."""
    name = part.get("kind") if isinstance(part, dict) else getattr(part, "kind", part)
    kind = KINDS.get(name) if isinstance(name, str) else None
    return bool(kind and kind.runs_code)


def get_kind(name: str) -> Kind:
    """The kind called `name`; a KeyError listing the valid names otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown answer kind {name!r}; valid kinds: {', '.join(KINDS)}") from None


def grade_raw(kind: Kind | str, raw: Any, expected: Any, part: PartSpec,
              ctx: GradeContext | None = None) -> Verdict:
    """Parse a student's raw answer and grade it; missing and unreadable answers become verdicts.

    `expected` is the reference already passed through `kind.normalise_reference`.
    """
    kind = get_kind(kind) if isinstance(kind, str) else kind
    ctx = ctx or GradeContext()
    if raw is None:
        return Verdict(score=0.0, status="missing",
                       feedback="No answer given: replace null with "
                                f"{_form(kind, part, expected)}.")
    try:
        answer = kind.parse(raw, part)
    except FormatError as err:
        message = str(err).rstrip(".")
        return Verdict(score=0.0, status="format_error",
                       feedback=f"{message[:1].upper()}{message[1:]}. Write "
                                f"{_form(kind, part, expected)}.")
    return kind.grade(answer, expected, part, ctx)


def _form(kind: Kind, part: PartSpec, expected: Any) -> str:
    try:
        return kind.describe(part, expected)
    except (ValueError, TypeError, KeyError, IndexError):
        return "your answer"  # a describe that cannot run must not hide the student's verdict
