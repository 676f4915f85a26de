"""Vector and matrix answers: shape first, then element-wise within tolerance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.kinds.base import (
    PARTIAL_OPTION,
    TOLERANCE_OPTION,
    Candidate,
    Typed,
    all_close,
    close,
    correct,
    describe_tolerance,
    figures_hint,
    finish,
)
from grader.kinds.numeric import NAN_FEEDBACK
from grader.kinds.parsing import (
    as_float_array,
    describe_shape,
    example_matrix,
    example_vector,
    read_numbers,
    reference_array,
    shape_of,
)
from grader.core.model import GradeContext, PartSpec, Verdict

_MAX_LISTED = 6  # positions named in feedback before "..."

_UNIT_FEEDBACK = ("Your vector points the right way but is not unit length: divide it by "
                  "its norm.")
SIGN_FEEDBACK = "The sizes are right but the signs are wrong: check each minus sign."


class _ArrayKind(Typed):
    """Shared by vector and matrix: reading, element-wise comparison, partial credit."""

    name = ""
    options = {"tolerance": TOLERANCE_OPTION, "partial": PARTIAL_OPTION}
    uses_tolerance = True
    ndim = 1

    def parse(self, raw: Any, part: PartSpec) -> Any:
        return read_numbers(raw)

    def normalise_reference(self, value: Any, part: PartSpec) -> list[Any]:
        what = "a vector (a flat list of numbers)" if self.ndim == 1 else "a matrix (list of rows)"
        array = reference_array(value, ndim=(self.ndim,), what=what)
        result: list[Any] = array.tolist()
        return result

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        want = np.asarray(expected, dtype=float)
        got_shape = shape_of(answer) or ()
        if got_shape != want.shape:
            return finish(self, answer, expected, part, ctx, score=0.0,
                          feedback=self.shape_feedback(want.shape, got_shape),
                          generic=self.generic(answer, expected, part))
        got = np.asarray(answer, dtype=float)
        ok = close(got, want, part.tolerance)
        if ok.all():
            return correct()
        return self._wrong_elements(answer, expected, part, ctx, got, ok)

    def _wrong_elements(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext,
                        got: np.ndarray, ok: np.ndarray) -> Verdict:
        partial = bool(part.options.get("partial", False))
        bad = [self.position(idx) for idx in zip(*np.nonzero(~ok))]
        listed = ", ".join(bad[:_MAX_LISTED]) + (", ..." if len(bad) > _MAX_LISTED else "")
        verb = "is" if len(bad) == 1 else "are"
        feedback = (f"{len(bad)} of {ok.size} entries {verb} not within tolerance "
                    f"({describe_tolerance(part.tolerance)}): {listed}."
                    f"{figures_hint(part.tolerance)}")
        if np.isnan(got[~ok]).any():
            feedback += " " + NAN_FEEDBACK
        score = float(ok.sum()) / ok.size if partial else 0.0
        if partial:
            feedback += " Each correct entry earns its share of the points."
        details = [f"{pos}: not within tolerance" for pos in bad]
        return finish(self, answer, expected, part, ctx, score=score, feedback=feedback,
                      generic=self.generic(answer, expected, part), details=details,
                      keep_feedback=partial and score > 0)

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None:
            return True
        return not all_close(x, y, part.tolerance)  # any shape: mistakes may have another

    # Overridden by the concrete kinds.
    def shape_feedback(self, want: tuple[int, ...], got: tuple[int, ...]) -> str:
        raise NotImplementedError

    def position(self, idx: tuple[Any, ...]) -> str:
        raise NotImplementedError

    def generic(self, answer: Any, expected: Any, part: PartSpec) -> Iterator[Candidate]:
        raise NotImplementedError

    def describe(self, part: PartSpec, expected: Any) -> str:
        raise NotImplementedError


class Vector(_ArrayKind):
    """A flat list of numbers, compared element-wise; recognises order and normalisation slips."""

    name = "vector"
    ndim = 1

    def shape_feedback(self, want: tuple[int, ...], got: tuple[int, ...]) -> str:
        n = want[0]
        if len(got) == 1:
            return f"Expected a vector of {n} numbers, got {got[0]}."
        if len(got) == 2:
            return (f"Expected a vector of {n} numbers, got {describe_shape(got)} (a list of "
                    "lists): write one flat list [a, b, ...].")
        return f"Expected a vector of {n} numbers, got {describe_shape(got)}."

    def position(self, idx: tuple[Any, ...]) -> str:
        return f"entry {int(idx[0]) + 1}"

    def generic(self, answer: Any, expected: Any, part: PartSpec) -> Iterator[Candidate]:
        yield "sign flipped", [-x for x in expected], SIGN_FEEDBACK
        order = ("These are the right numbers in the wrong order: check the order the "
                 "question asks for (e.g. descending).")
        yield "wrong order", expected[::-1], order
        yield "wrong order", sorted(expected), order
        yield "wrong order", sorted(expected, reverse=True), order
        scaled = _rescaled_unit(answer, expected, part)
        if scaled is not None:
            yield "not normalised", scaled, _UNIT_FEEDBACK

    def describe(self, part: PartSpec, expected: Any) -> str:
        n = len(expected)
        return f"a vector of {n} numbers, e.g. {example_vector(n)}"


class Matrix(_ArrayKind):
    """A list of rows; a transposed answer is recognised and named."""

    name = "matrix"
    ndim = 2

    def shape_feedback(self, want: tuple[int, ...], got: tuple[int, ...]) -> str:
        rows, cols = want
        if len(got) == 2:
            return f"Expected shape ({rows}, {cols}), got ({got[0]}, {got[1]})."
        if len(got) == 1:
            return (f"Expected a {rows}×{cols} matrix (a list of {rows} rows of {cols} "
                    f"numbers), got a flat list of {got[0]} numbers: write [[...], [...]].")
        return f"Expected a {rows}×{cols} matrix, got {describe_shape(got)}."

    def position(self, idx: tuple[Any, ...]) -> str:
        return f"row {int(idx[0]) + 1} column {int(idx[1]) + 1}"

    def generic(self, answer: Any, expected: Any, part: PartSpec) -> Iterator[Candidate]:
        yield "sign flipped", [[-x for x in row] for row in expected], SIGN_FEEDBACK
        yield ("transposed", np.asarray(expected, dtype=float).T.tolist(),
               "Your matrix is transposed: its rows should be its columns.")

    def describe(self, part: PartSpec, expected: Any) -> str:
        rows, cols = np.asarray(expected, dtype=float).shape
        text = f"a {rows}×{cols} matrix (a list of {rows} rows, each of {cols} numbers)"
        return text + (f", e.g. {example_matrix(rows, cols)}" if rows * cols <= 9 else "")


def _rescaled_unit(answer: Any, expected: Any, part: PartSpec) -> list[float] | None:
    """The expected unit vector scaled to the answer's length along it; None when moot.

    Only meaningful when the expected vector has norm 1: then an answer equal to
    this (and not to the expected vector) is the right direction, unnormalised.
    """
    a, e = as_float_array(answer), np.asarray(expected, dtype=float)
    if a is None or a.shape != e.shape or not np.isfinite(a).all() or not np.isfinite(e).all():
        return None
    if not all_close(np.linalg.norm(e), 1.0, part.tolerance):
        return None
    scale = float(a @ e)
    return None if scale == 0 else (scale * e).tolist()
