"""What every answer kind shares: the Kind protocol, tolerance checks, verdicts, mistakes.

A kind never raises on a student's answer once it is parsed: a malformed
answer is a FormatError at parse time, everything after that is a Verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from grader.core import schema as S
from grader.core.schema import Field, Ref
from grader.core.model import GradeContext, PartSpec, Tolerance, Verdict

# A generic mistake the kind proposes: (name, the value a student making it would give, feedback).
Candidate = tuple[str, Any, str]

# Scores within this of 0 or 1 are treated as exactly wrong or correct (float sums of 1/n).
_SCORE_EPS = 1e-9


@dataclass(frozen=True)
class PartFacts:
    """What the course knows of one part of a student's set when it writes grader.json."""

    reference: Any = None  # the reference answer, normalised by the kind (typed kinds)
    others: tuple[Any, ...] = ()  # the exercise's integer answers (a count may be the answer)
    public: tuple[tuple[str, list, dict, Any], ...] = ()  # (id, args, kwargs, expected)


class Kind(Protocol):
    """An answer kind: how to read, normalise, compare and describe one kind of answer.

    `runs_code` tells a part answered in answers.yaml (False) from one answered by code in
    solution.py (True); `meta_entry` is what grader.json carries for the part, never a value
    that is graded, and `meta_ok` whether a handed-in grader.json entry can be relied on.
    """

    name: str
    runs_code: bool

    @property
    def options(self) -> Mapping[str, Field]: ...  # the keys this kind adds to a spec's part

    def parse(self, raw: Any, part: PartSpec) -> Any: ...

    def normalise_reference(self, value: Any, part: PartSpec) -> Any: ...

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict: ...

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool: ...

    def describe(self, part: PartSpec, expected: Any) -> str: ...

    def meta_entry(self, part: PartSpec, facts: PartFacts) -> dict[str, Any]: ...

    def meta_ok(self, entry: Mapping[str, Any]) -> bool: ...


# The kind options `grader check` needs, carried in grader.json.
CHECK_OPTIONS = ("choices", "item", "partial")

# Option fields several kinds declare. Each kind's `options` names the keys it adds to a part in
# the spec (grader.core.schema fields): the spec loader checks them and the JSON Schema is
# written from them, so a kind's options live with the kind. Ref names a definition of the
# exercise schema (authoring/spec/declared.py).
TOLERANCE_OPTION = Field(Ref("tolerance"), description="default rtol 0.01, atol 1e-6")
PARTIAL_OPTION = Field(S.Bool(), default=False, description="credit per correct element")


class Typed:
    """What every kind answered in answers.yaml shares: grader.json carries shapes, never values.
    """

    runs_code = False
    options: Mapping[str, Field] = {}

    def meta_entry(self, part: PartSpec, facts: PartFacts) -> dict[str, Any]:
        from grader.core.values import encode_json
        from grader.kinds.forms import count_is_answer, expected_shape, record_shapes

        # Shapes, never values: how many numbers, steps or fields check can insist on.
        entry: dict[str, Any] = {"shape": expected_shape(part.kind, facts.reference)}
        if part.kind == "sequence" and count_is_answer(facts.reference, facts.others):
            entry["shape"] = None
        fields = record_shapes(facts.reference) if part.kind == "sequence" else None
        if fields:
            entry["fields"] = fields
        entry["options"] = encode_json({k: part.options[k] for k in CHECK_OPTIONS
                                        if k in part.options})
        return entry

    def meta_ok(self, entry: Mapping[str, Any]) -> bool:
        shape = entry.get("shape")
        return isinstance(entry.get("options", {}), dict) and (shape is None or (
            isinstance(shape, list) and all(isinstance(n, int) and n >= 0 for n in shape)))


# --- tolerance --------------------------------------------------------------------------


def close(a: Any, b: Any, tol: Tolerance) -> np.ndarray:
    """Element-wise |a - b| <= atol + rtol*|b|; inf equals same-signed inf, nan only nan."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore", over="ignore"):
        within = np.abs(x - y) <= tol.atol + tol.rtol * np.abs(y)
    infinite = np.isinf(x) | np.isinf(y)
    result = np.where(infinite, x == y, within)
    return np.asarray(np.where(np.isnan(y), np.isnan(x), result & ~np.isnan(x)), dtype=bool)


def all_close(a: Any, b: Any, tol: Tolerance) -> bool:
    """True when a and b have the same shape and every element is within tolerance."""
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    return x.shape == y.shape and bool(np.all(close(x, y, tol)))


def describe_tolerance(tol: Tolerance) -> str:
    """The tolerance in words: '1% relative' (or the absolute one when rtol is 0)."""
    if tol.rtol <= 0:
        return f"{tol.atol:g} absolute"
    return f"{tol.rtol * 100:g}% relative"


def significant_figures(tol: Tolerance) -> int | None:
    """How many significant figures an answer needs to be within rtol (None when rtol is 0)."""
    if tol.rtol <= 0:
        return None
    return max(1, math.ceil(-math.log10(tol.rtol)) + 1)


def figures_hint(tol: Tolerance) -> str:
    """' Give at least 3 significant figures.' for rtol 1e-2; '' when rtol is 0."""
    figures = significant_figures(tol)
    return "" if figures is None else f" Give at least {figures} significant figures."


def precision_text(tol: Tolerance) -> str:
    """What precision an answer needs, for the student before they answer.

    'within 1% relative (1e-06 absolute near 0): give at least 3 significant figures'.
    """
    text = f"within {describe_tolerance(tol)}"
    if tol.rtol > 0 and tol.atol > 0:
        text += f" ({tol.atol:g} absolute near 0)"
    figures = significant_figures(tol)
    return text + ("" if figures is None else f": give at least {figures} significant figures")


# --- verdicts ---------------------------------------------------------------------------


def status_for(score: float) -> Any:
    """The Verdict status a score implies."""
    if score >= 1 - _SCORE_EPS:
        return "correct"
    if score <= _SCORE_EPS:
        return "wrong"
    return "partial"


def make_verdict(score: float, feedback: str, *, mistake: str | None = None,
                 details: Iterable[str] = ()) -> Verdict:
    """A Verdict whose status follows from its score (clamped to 0..1)."""
    score = min(1.0, max(0.0, score))
    if score >= 1 - _SCORE_EPS:
        score = 1.0
    elif score <= _SCORE_EPS:
        score = 0.0
    return Verdict(score=score, status=status_for(score), feedback=feedback,
                   mistake=mistake, details=tuple(details))


def correct(details: Iterable[str] = ()) -> Verdict:
    return make_verdict(1.0, "Correct.", details=details)


def finish(kind: Kind, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext, *,
           score: float, feedback: str, generic: Iterable[Candidate] = (),
           details: Iterable[str] = (), keep_feedback: bool = False) -> Verdict:
    """A non-correct verdict, naming the first mistake the answer matches.

    The mistake's feedback replaces `feedback`, unless `keep_feedback` (used when
    `feedback` says something the student still needs, such as which entries earned
    credit), in which case both are given.
    """
    found = recognise(kind, answer, expected, part, ctx, generic)
    if found is None:
        return make_verdict(score, feedback, details=details)
    name, said = found
    text = f"{said} {feedback}" if keep_feedback else said
    return make_verdict(score, text, mistake=name, details=details)


# --- mistakes ---------------------------------------------------------------------------


def recognise(kind: Kind, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext,
              generic: Iterable[Candidate] = ()) -> tuple[str, str] | None:
    """The (name, feedback) of the first mistake the answer matches, or None.

    The spec's mistakes come first; then the kind's generic ones. A mistake only
    counts when its value differs from the expected answer beyond tolerance, so a
    palindrome is never "in the wrong order".
    """
    for listed in ctx.mistakes:
        if listed.value is None:
            continue  # the spec's way of saying "this mistake cannot be made in this variant"
        value = _normalised(kind, listed.value, part)
        if _matches(kind, answer, value, expected, part):
            return listed.name, listed.feedback
    for name, value, feedback in generic:
        if _matches(kind, answer, value, expected, part):
            return name, feedback
    return None


def _normalised(kind: Kind, value: Any, part: PartSpec) -> Any:
    try:
        return kind.normalise_reference(value, part)
    except (ValueError, TypeError, ArithmeticError):
        # A mistake may have another shape than the answer (a scalar v·x for the vector
        # diag(v)x): compared as given, it still matches a student who made it.
        return value


def _matches(kind: Kind, answer: Any, value: Any, expected: Any, part: PartSpec) -> bool:
    try:
        return not kind.differs(answer, value, part) and kind.differs(value, expected, part)
    except (ValueError, TypeError, ArithmeticError):
        return False
