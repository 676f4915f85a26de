"""Scalar and set answers: one number, or an unordered multiset of numbers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.kinds.base import (
    TOLERANCE_OPTION,
    Typed,
    Candidate,
    all_close,
    close,
    correct,
    describe_tolerance,
    figures_hint,
    finish,
    make_verdict,
)
from grader.kinds.parsing import (
    as_float_array,
    describe_shape,
    example_vector,
    read_numbers,
    reference_array,
    shape_of,
)
from grader.core.model import GradeContext, PartSpec, Verdict

_BITS_FEEDBACK = ("This looks like the value in bits (log base 2); this part asks for nats: "
                  "use the natural logarithm ln.")
_NATS_FEEDBACK = ("This looks like the value in nats (natural log); this part asks for bits: "
                  "use log base 2.")
_DEGREES_FEEDBACK = ("This looks like an angle in degrees; give it in radians "
                     "(multiply degrees by pi/180).")
NAN_FEEDBACK = "NaN is not a number: give the value you computed (a number, inf or -inf)."


def not_within(part: PartSpec) -> str:
    """Feedback for a value that is simply off: what the tolerance is and what to do."""
    return (f"Not within tolerance ({describe_tolerance(part.tolerance)}) of the expected "
            f"value; recheck your working.{figures_hint(part.tolerance)}")


class Scalar(Typed):
    """One real number, compared within rtol/atol; inf and nan handled explicitly."""

    name = "scalar"
    options = {"tolerance": TOLERANCE_OPTION}
    uses_tolerance = True

    def parse(self, raw: Any, part: PartSpec) -> Any:
        return read_numbers(raw)

    def normalise_reference(self, value: Any, part: PartSpec) -> float:
        return float(reference_array(value, ndim=(0,), what="a single number"))

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        if not isinstance(answer, float):
            # Still checked against the listed mistakes: one may be a list (a whole gradient
            # given for one of its entries, say).
            return finish(self, answer, expected, part, ctx, score=0.0,
                          feedback=f"Expected a single number, got "
                                   f"{describe_shape(shape_of(answer) or ())}.")
        if math.isnan(answer) and not math.isnan(expected):
            return make_verdict(0.0, NAN_FEEDBACK)
        if bool(close(answer, expected, part.tolerance)):
            return correct()
        return finish(self, answer, expected, part, ctx, score=0.0, feedback=not_within(part),
                      generic=self._generic(expected))

    def _generic(self, expected: float) -> Iterator[Candidate]:
        yield ("sign flipped", -expected,
               "The size is right but the sign is wrong: check each minus sign.")
        if math.isfinite(expected):
            yield "log base 2 instead of e", expected / math.log(2), _BITS_FEEDBACK
            yield "log base e instead of 2", expected * math.log(2), _NATS_FEEDBACK
            yield "degrees instead of radians", expected * 180 / math.pi, _DEGREES_FEEDBACK

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        x, y = _number(a), _number(b)
        if x is None or y is None:  # lists: an answer of the shape of a listed mistake
            u, v = as_float_array(a), as_float_array(b)
            return u is None or v is None or not all_close(u, v, part.tolerance)
        return not bool(close(x, y, part.tolerance))

    def describe(self, part: PartSpec, expected: Any) -> str:
        return "a number, e.g. 0.25, 1/3 or ln(2)/2"


class NumberSet(Typed):
    """An unordered multiset of numbers (e.g. eigenvalues): same length, sorted, within tolerance.
    """

    name = "set"
    options = {"tolerance": TOLERANCE_OPTION}
    uses_tolerance = True

    def parse(self, raw: Any, part: PartSpec) -> Any:
        return read_numbers(raw)

    def normalise_reference(self, value: Any, part: PartSpec) -> list[float]:
        array = reference_array(value, ndim=(1,), what="a list of numbers", allow_nan=False)
        return [float(x) for x in array]

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        n = len(expected)
        got = shape_of(answer) or ()
        if got != (n,):
            return finish(self, answer, expected, part, ctx, score=0.0,
                          feedback=f"Expected {n} numbers (in any order), got "
                                   f"{describe_shape(got)}.")
        if any(math.isnan(x) for x in answer):
            return make_verdict(0.0, NAN_FEEDBACK)
        if not self.differs(answer, expected, part):
            return correct()
        feedback = ("Not all of these numbers are within tolerance "
                    f"({describe_tolerance(part.tolerance)}) of the expected ones (the order "
                    f"does not matter); recheck your working.{figures_hint(part.tolerance)}")
        generic = [("sign flipped", [-x for x in expected],
                    "The sizes are right but every sign is wrong: check each minus sign.")]
        return finish(self, answer, expected, part, ctx, score=0.0, feedback=feedback,
                      generic=generic)

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None or x.shape != y.shape:
            return True
        if x.ndim != 1:  # not a set: a listed mistake of another shape, compared as given
            return not all_close(x, y, part.tolerance)
        return not all_close(np.sort(x), np.sort(y), part.tolerance)

    def describe(self, part: PartSpec, expected: Any) -> str:
        n = len(expected)
        return f"{n} numbers in any order, e.g. {example_vector(n)}"


def _number(x: Any) -> float | None:
    """A plain or numpy real number as a float; None for anything else (bools included)."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        return None
    return float(x)
