"""Argument checkers: each takes (name, value), returns the normalised value or raises.

Messages name the argument and echo the value as the spec author wrote it, so
`grader validate` can print them verbatim next to the offending key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from grader.authoring.generators.base import GeneratorArgError, show
from grader.core.values import to_plain

Checker = Callable[[str, Any], Any]
BOUND = 10**9  # bounds on drawn integers: far beyond hand work, well inside int64 and floats


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_message(key: str, lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{key} must be between {lo} and {hi}"
    return f"{key} must be >= {lo}" if lo is not None else f"{key} must be <= {hi}"


def _in_range(key: str, value: float, lo: float | None, hi: float | None) -> None:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise GeneratorArgError(key, f"{_range_message(key, lo, hi)}, got {show(value)}")


def integer(*, lo: int | None = -BOUND, hi: int | None = BOUND) -> Checker:
    """An int (not a bool) in [lo, hi]."""

    def check(key: str, value: Any) -> int:
        if not _is_int(value):
            raise GeneratorArgError(key, f"{key} must be an integer, got {show(value)}")
        _in_range(key, value, lo, hi)
        return int(value)

    return check


def number(*, lo: float | None = -BOUND, hi: float | None = BOUND) -> Checker:
    """A finite int or float (not a bool) in [lo, hi]."""

    def check(key: str, value: Any) -> float | int:
        if not isinstance(value, (int, float)) or isinstance(value, bool) \
                or not math.isfinite(value):
            raise GeneratorArgError(key, f"{key} must be a finite number, got {show(value)}")
        _in_range(key, value, lo, hi)
        return value

    return check


def positive_number(key: str, value: Any) -> float | int:
    """A finite number > 0."""
    value = number()(key, value)
    if value <= 0:
        raise GeneratorArgError(key, f"{key} must be > 0, got {show(value)}")
    return value


def boolean(key: str, value: Any) -> bool:
    """true or false (YAML booleans only, not 0/1 or strings)."""
    if not isinstance(value, bool):
        raise GeneratorArgError(key, f"{key} must be true or false, got {show(value)}")
    return value


def int_list(*, min_len: int = 0, max_len: int = 1000) -> Checker:
    """A list of ints (each within ±BOUND)."""

    def check(key: str, value: Any) -> list[int]:
        if not isinstance(value, list) or not all(_is_int(v) for v in value):
            raise GeneratorArgError(key, f"{key} must be a list of integers, got {show(value)}")
        if not min_len <= len(value) <= max_len:
            raise GeneratorArgError(key, f"{key} must hold between {min_len} and {max_len} "
                                         f"integers, got {len(value)}")
        for v in value:
            _in_range(key, v, -BOUND, BOUND)
        return list(value)

    return check


def nonempty_list(key: str, value: Any) -> list[Any]:
    """A non-empty list of plain values."""
    if not isinstance(value, list) or not value:
        raise GeneratorArgError(key, f"{key} must be a non-empty list, got {show(value)}")
    return plain(key, value)


def plain(key: str, value: Any) -> Any:
    """Any plain data: numbers, strings, booleans, null, lists and mappings of those."""
    try:
        return to_plain(value)
    except TypeError:
        raise GeneratorArgError(key, f"{key} must be plain data (numbers, strings, true/false, "
                                     f"null, lists, mappings), got {type(value).__name__}") \
            from None


def expression_text(key: str, value: Any) -> str:
    """An expression as a string, with or without a leading '='."""
    if not isinstance(value, str):
        raise GeneratorArgError(key, f"{key} must be an expression string, got {show(value)}")
    return value.removeprefix("=")


def eigen_range(key: str, value: Any) -> list[int] | dict[str, Any]:
    """Eigenvalues: a list of ints, or {low, high, distinct [true]} to draw them from."""
    if isinstance(value, list):
        return int_list(min_len=1, max_len=10)(key, value)
    if not isinstance(value, Mapping):
        raise GeneratorArgError(key, f"{key} must be a list of integers or a mapping "
                                     f"{{low, high, distinct}}, got {show(value)}")
    extra = sorted(set(map(str, value)) - {"low", "high", "distinct"})
    if extra:
        raise GeneratorArgError(key, f"{key}: unknown key '{extra[0]}' "
                                     f"(expected: low, high, distinct)")
    for need in ("low", "high"):
        if need not in value:
            raise GeneratorArgError(key, f"{key}: missing key '{need}' "
                                         f"(expected: low, high, distinct)")
    spec = {"low": integer()(f"{key}.low", value["low"]),
            "high": integer()(f"{key}.high", value["high"]),
            "distinct": boolean(f"{key}.distinct", value.get("distinct", True))}
    if spec["low"] > spec["high"]:
        raise GeneratorArgError(key, f"{key}.low={spec['low']} must be <= "
                                     f"{key}.high={spec['high']}")
    return spec


def check_eigen_count(eig: list, size: int) -> None:
    """A list of given eigenvalues must hold exactly `size` of them."""
    if len(eig) != size:
        raise GeneratorArgError("eigenvalues", f"eigenvalues has {len(eig)} values but "
                                               f"size={size}")
