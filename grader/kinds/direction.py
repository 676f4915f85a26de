"""Direction answers (eigenvectors): equal up to a nonzero scale and sign, per column.

With the option `unit: true` the columns must also have length 1, so only the sign is
free; a column along the right direction but of another length is "not normalised".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from grader.core import schema as S
from grader.core.schema import Field
from grader.kinds.base import (
    TOLERANCE_OPTION,
    Candidate,
    Typed,
    all_close,
    correct,
    describe_tolerance,
    finish,
)
from grader.kinds.parsing import (
    as_float_array,
    describe_shape,
    example_vector,
    read_numbers,
    reference_array,
    shape_of,
)
from grader.core.model import GradeContext, PartSpec, Tolerance, Verdict


class Direction(Typed):
    """A vector, or a matrix of column vectors, each compared up to a nonzero scale or sign.

    Option `unit` (bool, default false): the columns must have length 1; only the sign is free.
    """

    name = "direction"
    options = {"tolerance": TOLERANCE_OPTION, "unit": Field(
        S.Bool(), default=False,
        description="direction: columns must be unit length (compared up to sign only)")}
    uses_tolerance = True

    def parse(self, raw: Any, part: PartSpec) -> Any:
        return read_numbers(raw)

    def normalise_reference(self, value: Any, part: PartSpec) -> list[Any]:
        array = reference_array(value, ndim=(1, 2), what="a vector or a matrix of columns",
                                allow_nan=False, allow_inf=False)
        columns = _columns(array)
        if any(not np.any(col) for col in columns):
            raise ValueError("a direction cannot be the zero vector")
        lengths = [float(np.linalg.norm(col)) for col in columns]
        if _unit(part) and not all_close(lengths, np.ones(len(lengths)), part.tolerance):
            shown = ", ".join(f"{n:.4g}" for n in lengths)
            raise ValueError(f"with unit: true every column must have length 1, got {shown}")
        result: list[Any] = array.tolist()
        return result

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        want = np.asarray(expected, dtype=float)
        got_shape = shape_of(answer) or ()
        if got_shape != want.shape:
            return finish(self, answer, expected, part, ctx, score=0.0,
                          feedback=_shape_feedback(want.shape, got_shape, unit=_unit(part)),
                          generic=self._generic(answer, expected, part))
        got = np.asarray(answer, dtype=float)
        unit = _unit(part)
        notes = [_column_note(a, e, part.tolerance, unit=unit)
                 for a, e in zip(_columns(got), _columns(want))]
        if all(note is None for note in notes):
            return correct()
        if want.ndim == 1:
            note = str(notes[0])
            feedback = f"{note[:1].upper()}{note[1:]}."
            details: list[str] = []
        else:
            details = [f"column {j + 1}: {note}" for j, note in enumerate(notes) if note]
            verb = "is" if len(details) == 1 else "are"
            freedom = ("Each column must have length 1 (either sign)." if unit else
                       "Each column may be scaled by any nonzero number.")
            feedback = (f"{len(details)} of {len(notes)} columns {verb} not right "
                        f"({'; '.join(details)}). {freedom}")
        return finish(self, answer, expected, part, ctx, score=0.0, feedback=feedback,
                      generic=self._generic(answer, expected, part), details=details)

    def _generic(self, answer: Any, expected: Any, part: PartSpec) -> Iterator[Candidate]:
        ndim = np.asarray(expected).ndim
        if ndim == 2:
            yield ("transposed", np.asarray(expected, dtype=float).T.tolist(),
                   "Your directions are the rows of your matrix; write them as its columns.")
        rescaled = _rescaled(answer, expected) if _unit(part) else None
        if rescaled is not None:
            yield "not normalised", rescaled, _UNIT_COLUMNS if ndim == 2 else _UNIT_VECTOR

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        x, y = as_float_array(a), as_float_array(b)
        if x is None or y is None or x.shape != y.shape:
            return True
        if x.ndim not in (1, 2):  # not a direction: a listed mistake's value, compared as given
            return not all_close(x, y, part.tolerance)
        unit = _unit(part)
        return not all(_column_note(c, d, part.tolerance, unit=unit) is None
                       for c, d in zip(_columns(x), _columns(y)))

    def describe(self, part: PartSpec, expected: Any) -> str:
        shape = np.asarray(expected, dtype=float).shape
        unit = _unit(part)
        if len(shape) == 1:
            freedom = "of length 1" if unit else "any nonzero multiple of the direction"
            return (f"a vector of {shape[0]} numbers ({freedom}, either sign), "
                    f"e.g. {example_vector(shape[0])}")
        freedom = "a unit vector" if unit else "any nonzero multiple"
        return (f"a {shape[0]}×{shape[1]} matrix whose columns are the directions (each column "
                f"{freedom}, either sign)")


_UNIT_VECTOR = ("Your vector points the right way but is not unit length: divide it by its "
                "length (its Euclidean norm).")
_UNIT_COLUMNS = ("Your vectors point the right way but are not unit length: divide each "
                 "column by its length (its Euclidean norm).")


def _unit(part: PartSpec) -> bool:
    return bool(part.options.get("unit", False))


def _columns(array: np.ndarray) -> list[np.ndarray]:
    return [array] if array.ndim == 1 else [array[:, j] for j in range(array.shape[1])]


def _column_note(a: np.ndarray, e: np.ndarray, tol: Tolerance, *,
                 unit: bool = False) -> str | None:
    """Why column `a` is not along `e` (None when it is), in words for the student.

    With `unit`, `a` must equal ±e itself: the scale is no longer free.
    """
    if not np.isfinite(a).all():
        return "NaN and inf are not numbers"
    norm = float(np.linalg.norm(a))
    if norm == 0:
        return "the zero vector has no direction: give a nonzero vector"
    unit_a, unit_e = a / norm, e / float(np.linalg.norm(e))
    sign = 1.0 if float(unit_a @ unit_e) >= 0 else -1.0
    if not all_close(sign * unit_a, unit_e, tol):
        freedom = "sign" if unit else "scale or sign"
        return (f"not along the expected direction, even allowing any {freedom} "
                f"(tolerance {describe_tolerance(tol)} after normalising)")
    if unit and not all_close(sign * a, e, tol):
        return f"along the right direction but of length {norm:.4g}, not 1"
    return None


def _rescaled(answer: Any, expected: Any) -> list[Any] | None:
    """The expected columns, each scaled to the length of the answer's column along it.

    An answer equal to this (and not to the expected unit columns) points the right way
    but is not normalised. None when the answer cannot be compared column by column.
    """
    a, e = as_float_array(answer), np.asarray(expected, dtype=float)
    if a is None or a.shape != e.shape or a.ndim not in (1, 2) or not np.isfinite(a).all():
        return None
    scaled = [float(c @ d) / float(d @ d) * d for c, d in zip(_columns(a), _columns(e))]
    result: list[Any] = (scaled[0] if e.ndim == 1 else np.column_stack(scaled)).tolist()
    return result


def _shape_feedback(want: tuple[int, ...], got: tuple[int, ...], *, unit: bool) -> str:
    if len(want) == 1:
        freedom = "of length 1" if unit else "any nonzero multiple of the direction"
        return f"Expected a vector of {want[0]} numbers ({freedom}), got {describe_shape(got)}."
    if len(got) == 2:
        return f"Expected shape ({want[0]}, {want[1]}), got ({got[0]}, {got[1]})."
    return (f"Expected a {want[0]}×{want[1]} matrix with one direction per column, got "
            f"{describe_shape(got)}.")
