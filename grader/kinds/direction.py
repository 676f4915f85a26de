"""Direction answers (eigenvectors): equal up to a nonzero scale and sign, per column."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.kinds.base import Candidate, all_close, correct, describe_tolerance, finish
from grader.kinds.parsing import (
    as_float_array,
    describe_shape,
    example_vector,
    read_numbers,
    reference_array,
    shape_of,
)
from grader.model import GradeContext, PartSpec, Tolerance, Verdict


class Direction:
    """A vector, or a matrix of column vectors, each compared up to a nonzero scale or sign."""

    name = "direction"
    uses_tolerance = True

    def options_schema(self) -> dict[str, Any]:
        return {}

    def parse(self, raw: Any, part: PartSpec) -> Any:
        return read_numbers(raw)

    def normalise_reference(self, value: Any, part: PartSpec) -> list[Any]:
        array = reference_array(value, ndim=(1, 2), what="a vector or a matrix of columns",
                                allow_nan=False, allow_inf=False)
        if any(not np.any(col) for col in _columns(array)):
            raise ValueError("a direction cannot be the zero vector")
        result: list[Any] = array.tolist()
        return result

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        want = np.asarray(expected, dtype=float)
        got_shape = shape_of(answer) or ()
        if got_shape != want.shape:
            return finish(self, answer, expected, part, ctx, score=0.0,
                          feedback=_shape_feedback(want.shape, got_shape),
                          generic=self._generic(expected))
        got = np.asarray(answer, dtype=float)
        notes = [_column_note(a, e, part.tolerance) for a, e in zip(_columns(got),
                                                                     _columns(want))]
        if all(note is None for note in notes):
            return correct()
        if want.ndim == 1:
            note = str(notes[0])
            feedback = f"{note[:1].upper()}{note[1:]}."
            details: list[str] = []
        else:
            details = [f"column {j + 1}: {note}" for j, note in enumerate(notes) if note]
            verb = "is" if len(details) == 1 else "are"
            feedback = (f"{len(details)} of {len(notes)} columns {verb} not right "
                        f"({'; '.join(details)}). Each column may be scaled by any nonzero "
                        "number.")
        return finish(self, answer, expected, part, ctx, score=0.0, feedback=feedback,
                      generic=self._generic(expected), details=details)

    def _generic(self, expected: Any) -> Iterator[Candidate]:
        if np.asarray(expected).ndim == 2:
            yield ("transposed", np.asarray(expected, dtype=float).T.tolist(),
                   "Your directions are the rows of your matrix; write them as its columns.")

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None or x.shape != y.shape or x.ndim not in (1, 2):
            return True
        return not all(_column_note(c, d, part.tolerance) is None
                       for c, d in zip(_columns(x), _columns(y)))

    def describe(self, part: PartSpec, expected: Any) -> str:
        shape = np.asarray(expected, dtype=float).shape
        if len(shape) == 1:
            return (f"a vector of {shape[0]} numbers (any nonzero multiple of the direction, "
                    f"either sign), e.g. {example_vector(shape[0])}")
        return (f"a {shape[0]}×{shape[1]} matrix whose columns are the directions (each column "
                "any nonzero multiple, either sign)")


def _columns(array: np.ndarray) -> list[np.ndarray]:
    return [array] if array.ndim == 1 else [array[:, j] for j in range(array.shape[1])]


def _column_note(a: np.ndarray, e: np.ndarray, tol: Tolerance) -> str | None:
    """Why column `a` is not along `e` (None when it is), in words for the student."""
    if not np.isfinite(a).all():
        return "NaN and inf are not numbers"
    norm = float(np.linalg.norm(a))
    if norm == 0:
        return "the zero vector has no direction: give a nonzero vector"
    unit_a, unit_e = a / norm, e / float(np.linalg.norm(e))
    sign = 1.0 if float(unit_a @ unit_e) >= 0 else -1.0
    if all_close(sign * unit_a, unit_e, tol):
        return None
    return ("not along the expected direction, even allowing any scale or sign "
            f"(tolerance {describe_tolerance(tol)} after normalising)")


def _shape_feedback(want: tuple[int, ...], got: tuple[int, ...]) -> str:
    if len(want) == 1:
        return (f"Expected a vector of {want[0]} numbers (any nonzero multiple of the "
                f"direction), got {describe_shape(got)}.")
    if len(got) == 2:
        return f"Expected shape ({want[0]}, {want[1]}), got ({got[0]}, {got[1]})."
    return (f"Expected a {want[0]}×{want[1]} matrix with one direction per column, got "
            f"{describe_shape(got)}.")
