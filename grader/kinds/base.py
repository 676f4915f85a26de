"""What every answer kind shares: the Kind protocol, tolerance checks, verdicts, mistakes.

A kind never raises on a student's answer once it is parsed: a malformed
answer is a FormatError at parse time, everything after that is a Verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Protocol

import numpy as np

from grader.core.model import GradeContext, PartSpec, Tolerance, Verdict

# A generic mistake the kind proposes: (name, the value a student making it would give, feedback).
Candidate = tuple[str, Any, str]

# Scores within this of 0 or 1 are treated as exactly wrong or correct (float sums of 1/n).
_SCORE_EPS = 1e-9


class Kind(Protocol):
    """An answer kind: how to read, normalise, compare and describe one kind of answer."""

    name: str

    def options_schema(self) -> dict[str, Any]: ...

    def parse(self, raw: Any, part: PartSpec) -> Any: ...

    def normalise_reference(self, value: Any, part: PartSpec) -> Any: ...

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict: ...

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool: ...

    def describe(self, part: PartSpec, expected: Any) -> str: ...


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


def values_close(value: Any, expected: Any, tol: Any) -> bool:
    """Within tolerance, element by element; nested lists of unequal lengths compared item-wise."""
    try:
        a = np.asarray(value, dtype=float)
        b = np.asarray(expected, dtype=float)
    except (ValueError, TypeError):
        pass  # ragged (a tuple of a scalar and a vector, say): compared item by item below
    else:
        return all_close(a, b, tol) if a.shape or b.shape else bool(close(a, b, tol))
    if isinstance(value, list) and isinstance(expected, list) and len(value) == len(expected):
        return all(values_close(v, e, tol) for v, e in zip(value, expected))
    return False
