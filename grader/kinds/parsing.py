"""Reading numbers a student typed, and the shapes of nested lists.

Text goes through grader.core.expr.parse_student_value (no eval); YAML numbers and
lists are walked here so that every element gets the same checks and messages.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.core.errors import FormatError

# Example entries for answers.yaml comments: they show the accepted forms, never a value.
# Each entry may be a formula to parse: a list of 200 000 of them would take minutes to read.
MAX_NUMBERS = 10_000
EXAMPLE_ENTRIES = ("0.5", "1/3", "-2", "sqrt(2)/2", "1.25", "0")


def read_numbers(raw: Any) -> Any:
    """A student's number or (nested, rectangular) list of numbers, as floats.

    Raises FormatError for text that is not a number, yes/no values, mappings and
    ragged lists. Shape is not checked here: a wrong shape is a wrong answer.
    """
    if raw is None:
        raise FormatError("no answer given: replace null with your answer")
    if _too_many(raw, MAX_NUMBERS):
        raise FormatError(f"more than {MAX_NUMBERS} numbers: no answer here is that long")
    tree = _walk(raw)
    if isinstance(tree, list) and shape_of(tree) is None:
        raise FormatError(_ragged_message(tree))
    return tree


def quote(raw: Any, limit: int = 60) -> str:
    """A student's raw answer quoted for feedback, cut: it may be a 1 MiB string or list."""
    text = repr(raw)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _too_many(raw: Any, limit: int) -> bool:
    """Whether a nested list holds more than `limit` entries (stops counting there)."""
    stack, seen = [raw], 0
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            seen += 1
            if seen > limit:
                return True
    return False


def _walk(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise FormatError(f"expected a number, got the yes/no value {str(raw).lower()}")
    if isinstance(raw, (int, float, np.integer, np.floating)):
        return _to_float(raw)
    if isinstance(raw, str):
        return _walk_parsed(_parse_text(raw), raw)
    if isinstance(raw, (list, tuple)):
        return [_walk(v) for v in raw]
    if isinstance(raw, dict):
        raise FormatError("expected a number or a list of numbers, got a mapping (key: value)")
    raise FormatError(f"expected a number or a list of numbers, got {type(raw).__name__}")


def _walk_parsed(value: Any, text: str) -> Any:
    if isinstance(value, bool):
        raise FormatError(f"expected a number, got {quote(text.strip())}")
    if isinstance(value, (list, tuple)):
        return [_walk_parsed(v, text) for v in value]
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _to_float(value)
    raise FormatError(f"could not read {quote(text.strip())} as a number")


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:
        raise FormatError(f"the number {quote(value)} is too large") from None


def _parse_text(text: str) -> Any:
    # Imported here so kinds load (and their other paths work) without importing expr eagerly.
    from grader.core.expr import ExprError, parse_student_value

    try:
        return parse_student_value(text)
    except ExprError as err:
        raise FormatError(str(err)) from None  # expr's message already quotes the text
    except (ValueError, TypeError, ArithmeticError, RecursionError) as err:
        shown = text.strip() if len(text.strip()) <= 60 else text.strip()[:57] + "..."
        raise FormatError(f"could not read {shown!r} as a number ({err})") from None


def shape_of(tree: Any) -> tuple[int, ...] | None:
    """The shape of a number or nested list of numbers; None when ragged or mixed."""
    if isinstance(tree, np.ndarray):
        return tuple(tree.shape)
    if isinstance(tree, tuple):
        tree = list(tree)
    if not isinstance(tree, list):
        return ()
    if not tree:
        return (0,)
    shapes = {shape_of(v) for v in tree}
    if len(shapes) != 1:
        return None
    inner = shapes.pop()
    return None if inner is None else (len(tree), *inner)


def _ragged_message(tree: list[Any]) -> str:
    kinds = {isinstance(v, list) for v in tree}
    if len(kinds) == 2:
        return "the list mixes numbers and lists: write one number per entry, or one list per row"
    lengths = [len(v) for v in tree]
    if len(set(lengths)) > 1:
        described = ", ".join(str(n) for n in lengths)
        return f"the rows have different lengths ({described}): every row needs as many numbers"
    return "the nested lists have different shapes: every row needs the same shape"


def describe_shape(shape: tuple[int, ...]) -> str:
    """'a single number', 'a list of 2 numbers', 'a 3×2 matrix' — for got/expected messages."""
    if shape == ():
        return "a single number"
    if len(shape) == 1:
        return f"a list of {shape[0]} number{'s' if shape[0] != 1 else ''}"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"a nested list of shape {shape}"


def example_vector(n: int) -> str:
    """An example list of n entries in the accepted forms (never the expected values)."""
    return "[" + ", ".join(EXAMPLE_ENTRIES[i % len(EXAMPLE_ENTRIES)] for i in range(n)) + "]"


def example_matrix(rows: int, cols: int) -> str:
    return "[" + ", ".join(example_vector(cols) for _ in range(rows)) + "]"


def reference_array(value: Any, *, ndim: tuple[int, ...], what: str,
                    allow_nan: bool = True, allow_inf: bool = True) -> np.ndarray:
    """A solver's value as a float array with one of the allowed numbers of dimensions.

    Raises ValueError naming `what` (e.g. "a vector") when it is ill-formed.
    """
    if isinstance(value, (bool, np.bool_, str, dict)) or value is None:
        raise ValueError(f"expected {what}, got {type(value).__name__} {value!r}")
    try:
        array = np.asarray(value, dtype=float)
    except (ValueError, TypeError, OverflowError) as err:
        raise ValueError(f"expected {what}, got an ill-formed value ({err})") from None
    if array.ndim not in ndim:
        raise ValueError(f"expected {what}, got a value of shape {array.shape}")
    if not allow_nan and np.isnan(array).any():
        raise ValueError(f"expected {what} without NaN")
    if not allow_inf and np.isinf(array).any():
        raise ValueError(f"expected {what} of finite numbers, got inf")
    return array


def as_float_array(tree: Any) -> np.ndarray | None:
    """A parsed answer (or mistake value) as a float array; None if it is not numeric."""
    if shape_of(tree) is None:
        return None
    try:
        return np.asarray(tree, dtype=float)
    except (ValueError, TypeError, OverflowError):
        return None


def is_finite_number(x: Any) -> bool:
    return isinstance(x, float) and math.isfinite(x)
