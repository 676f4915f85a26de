"""The form of an answer, as `grader check` sees it before grading: its shape, finite numbers.

grader.json carries, per typed part, the expected `shape` (and for a sequence of records the
shape of each field): never a value. A parsed answer of another shape, or holding nan (or inf
where the kind cannot be infinite), is reported in the words grading would use, so a student
fixes it before handing in instead of losing the part.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from grader.kinds.parsing import shape_of

# Kinds whose answers are never infinite: a direction has a finite length, a count is finite.
FINITE_ONLY = frozenset({"direction", "integer"})
# Kinds whose answer's length is itself the answer (an array's shape): nothing to compare.
UNSHAPED = frozenset({"bool", "choice", "shape"})

Shape = list[int]


# ---------------------------------------------------------------- what grader.json stores


def expected_shape(kind: str, reference: Any) -> Shape | None:
    """The shape a part's answer must have, from its (normalised) reference; None: any.

    A sequence's shape is its number of steps followed by the shape of one step, when every
    step is an array of the same shape ([3, 2]: 3 steps of 2 numbers); else just [steps].
    """
    if kind in UNSHAPED:
        return None
    if kind == "sequence":
        if not isinstance(reference, list):
            return None
        steps = {_array_shape(step) for step in reference}
        inner = steps.pop() if len(steps) == 1 else None
        return [len(reference), *inner] if inner is not None else [len(reference)]
    found = _array_shape(reference)
    return None if found is None else list(found)


def count_is_answer(reference: Any, others: Iterable[Any]) -> bool:
    """Whether a sequence's number of steps is itself asked for (the perceptron's updates
    until it converges, given again as an integer part): then check must not state it."""
    n = len(reference) if isinstance(reference, list) else None
    return any(isinstance(v, int) and not isinstance(v, bool) and v == n for v in others)


def record_shapes(reference: Any) -> dict[str, Shape | None] | None:
    """For a sequence of records (perceptron steps), the shape of each field; else None."""
    if not isinstance(reference, list) or not reference or not isinstance(reference[0], dict):
        return None
    first = reference[0]
    return {str(name): (None if (s := _array_shape(v)) is None else list(s))
            for name, v in first.items()}


def _array_shape(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, str)):
        return None
    return shape_of(value)


# ---------------------------------------------------------------- what check says


def shape_problem(kind: str, value: Any, shape: Shape | None, *,
                  fields: Mapping[str, Any] | None = None) -> str | None:
    """Why a parsed answer has the wrong shape for its part (None when it fits)."""
    if kind == "sequence":
        return _sequence_problem(value, shape, fields)
    return _shape_problem(value, shape, kind)


def _shape_problem(value: Any, shape: Shape | None, kind: str) -> str | None:
    if shape is None:
        return None
    got = shape_of(value)
    if got is None:
        return "expected a rectangular list of numbers"
    if list(got) != list(shape):
        return f"expected {shape_words(shape, kind)}, got {shape_words(list(got), kind)}"
    return None


def shape_words(shape: Shape, kind: str = "") -> str:
    """[] a single number; [3] a vector of 3 numbers (3 numbers for a set); [2, 3] a matrix."""
    if not shape:
        return "a single whole number" if kind == "integer" else "a single number"
    if len(shape) == 1:
        many = f"{shape[0]} number{'s' if shape[0] != 1 else ''}"
        return f"{many} (in any order)" if kind == "set" else f"a vector of {many}"
    if len(shape) == 2:
        rows = f"{shape[0]} row{'s' if shape[0] != 1 else ''}"
        return f"a {shape[0]}×{shape[1]} matrix ({rows} of {shape[1]})"
    return f"an array of shape {tuple(shape)}"


def _step_words(shape: Shape | tuple[int, ...]) -> str:
    """One step, as in 'steps of 2 numbers each'."""
    if not shape:
        return "one number"
    if len(shape) == 1:
        return f"{shape[0]} number{'s' if shape[0] != 1 else ''}"
    return shape_words(list(shape))


def _steps(n: int) -> str:
    return f"{n} step{'' if n == 1 else 's'}"


def _sequence_problem(value: Any, shape: Shape | None,
                      fields: Mapping[str, Any] | None) -> str | None:
    if not isinstance(value, list):
        return None
    if shape:
        problem = _steps_problem(value, shape)
        if problem:
            return problem
    for i, step in enumerate(value):
        problem = _record_problem(step, fields) if isinstance(step, dict) else None
        if problem:
            return f"step {i + 1}: {problem}"
    return None


def _steps_problem(value: list[Any], shape: Shape) -> str | None:
    n, item = shape[0], shape[1:]
    whole = f"{_steps(n)} of {_step_words(item)} each" if len(shape) > 1 else _steps(n)
    if len(value) != n:
        return f"expected {whole}, got {_steps(len(value))}"
    if len(shape) == 1:
        return None  # steps of no fixed array shape (records, yes/no values)
    for i, step in enumerate(value):
        got = _array_shape(step)
        if got is None or list(got) != item:
            said = "something else" if got is None else _step_words(got)
            return f"expected {whole}, got {said} in step {i + 1}"
    return None


def _record_problem(step: Mapping[str, Any], fields: Mapping[str, Any] | None) -> str | None:
    for name, want in (fields or {}).items():
        if not isinstance(want, list) or name not in step:
            continue
        got = _array_shape(step[name])
        if got is None or list(got) != want:
            said = "something else" if got is None else shape_words(list(got))
            return f"{name}: expected {shape_words(want)}, got {said}"
    return None


def number_problem(kind: str, value: Any) -> str | None:
    """nan anywhere (inf too for kinds that are finite), or a fraction where a count is asked."""
    finite_only = kind in FINITE_ONLY
    for path, x in _numbers(value, ()):
        if math.isnan(x) or (finite_only and math.isinf(x)):
            where = _position(kind, path)
            return f"{where + ': ' if where else ''}not a finite number ({x})"
    if kind == "integer" and isinstance(value, float):
        return f"expected a whole number, got {value:g}"
    return None


def _numbers(value: Any, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], float]]:
    """(path of indices and field names, number) for every float in a parsed answer."""
    if isinstance(value, float):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for name, v in value.items() for found in _numbers(v, (*path, str(name)))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _numbers(v, (*path, i))]
    return []


def _position(kind: str, path: tuple[Any, ...]) -> str:
    """'entry 2', 'row 1, column 3', 'step 2, w, entry 1' (counted from 1, as students do)."""
    words = []
    if kind == "sequence" and path:
        words.append(f"step {path[0] + 1}")
        path = path[1:]
    names = [p for p in path if isinstance(p, str)]
    words += names
    index = [p for p in path if isinstance(p, int)]
    if len(index) == 2:
        words.append(f"row {index[0] + 1}, column {index[1] + 1}")
    elif index:
        words.append("entry " + ", ".join(str(i + 1) for i in index))
    return ", ".join(words)
