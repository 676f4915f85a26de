"""Argument checkers: each takes (name, value), returns the normalised value or raises.

Messages name the argument and echo the value as the spec author wrote it, so
`grader validate` can print them verbatim next to the offending key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from grader.authoring.generators.base import GeneratorArgError, show
from grader.core import schema as S
from grader.core.values import to_plain

Checker = Callable[[str, Any], Any]


@dataclass(frozen=True)
class ArgType:
    """A generator argument's type: the check that normalises it, and what editors are told.

    `schema` is the argument's declaration in the schema vocabulary (grader.core.schema); the
    published JSON Schema states it (grader/authoring/spec/declared.py).
    """

    run: Checker
    schema: S.Type

    def __call__(self, key: str, value: Any) -> Any:
        return self.run(key, value)


BOUND = 10**9  # bounds on drawn integers: far beyond hand work, well inside int64 and floats


def _range_message(key: str, lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"{key} must be between {lo} and {hi}"
    return f"{key} must be >= {lo}" if lo is not None else f"{key} must be <= {hi}"


def _in_range(key: str, value: float, lo: float | None, hi: float | None) -> None:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise GeneratorArgError(key, f"{_range_message(key, lo, hi)}, got {show(value)}")


def integer(*, lo: int | None = -BOUND, hi: int | None = BOUND) -> ArgType:
    """An int (not a bool) in [lo, hi]."""

    def check(key: str, value: Any) -> int:
        if not S.is_int(value):
            raise GeneratorArgError(key, f"{key} must be an integer, got {show(value)}")
        _in_range(key, value, lo, hi)
        return int(value)

    return ArgType(check, S.Int(lo, hi, wanted="an integer"))


def number(*, lo: float | None = -BOUND, hi: float | None = BOUND) -> ArgType:
    """A finite int or float (not a bool) in [lo, hi]."""

    def check(key: str, value: Any) -> float | int:
        if not S.Number().fits(value):  # finite, not a bool
            raise GeneratorArgError(key, f"{key} must be a finite number, got {show(value)}")
        _in_range(key, value, lo, hi)
        return value

    return ArgType(check, S.Number(lo, hi))


def _positive_number(key: str, value: Any) -> float | int:
    """A finite number > 0."""
    value = number()(key, value)
    if value <= 0:
        raise GeneratorArgError(key, f"{key} must be > 0, got {show(value)}")
    return value


def _boolean(key: str, value: Any) -> bool:
    """true or false (YAML booleans only, not 0/1 or strings)."""
    if not S.Bool().fits(value):
        raise GeneratorArgError(key, f"{key} must be true or false, got {show(value)}")
    return value


def int_list(*, min_len: int = 0, max_len: int = 1000) -> ArgType:
    """A list of ints (each within ±BOUND)."""

    def check(key: str, value: Any) -> list[int]:
        if not isinstance(value, list) or not all(S.is_int(v) for v in value):
            raise GeneratorArgError(key, f"{key} must be a list of integers, got {show(value)}")
        if not min_len <= len(value) <= max_len:
            raise GeneratorArgError(key, f"{key} must hold between {min_len} and {max_len} "
                                         f"integers, got {len(value)}")
        for v in value:
            _in_range(key, v, -BOUND, BOUND)
        return list(value)

    return ArgType(check, S.ListOf(S.Int(-BOUND, BOUND), min_items=min_len))


def _nonempty_list(key: str, value: Any) -> list[Any]:
    """A non-empty list of plain values."""
    if not isinstance(value, list) or not value:
        raise GeneratorArgError(key, f"{key} must be a non-empty list, got {show(value)}")
    return _plain(key, value)


def _plain(key: str, value: Any) -> Any:
    """Any plain data: numbers, strings, booleans, null, lists and mappings of those."""
    try:
        return to_plain(value)
    except TypeError:
        raise GeneratorArgError(key, f"{key} must be plain data (numbers, strings, true/false, "
                                     f"null, lists, mappings), got {type(value).__name__}") \
            from None


def _expression_text(key: str, value: Any) -> str:
    """An expression as a string, with or without a leading '='."""
    if not isinstance(value, str):
        raise GeneratorArgError(key, f"{key} must be an expression string, got {show(value)}")
    return value.removeprefix("=")


def _eigen_range(key: str, value: Any) -> list[int] | dict[str, Any]:
    """Eigenvalues: a list of ints, or {low, high, distinct [true]} to draw them from."""
    if isinstance(value, list):
        return int_list(min_len=1, max_len=10)(key, value)
    if not isinstance(value, Mapping):
        raise GeneratorArgError(key, f"{key} must be a list of integers or a mapping "
                                     f"{{low, high, distinct}}, got {show(value)}")
    extra = sorted(set(map(str, value)) - set(_EIGEN_RANGE.fields))
    if extra:
        raise GeneratorArgError(key, f"{key}: unknown key '{extra[0]}' "
                                     f"(expected: low, high, distinct)")
    for need in _EIGEN_RANGE.required:
        if need not in value:
            raise GeneratorArgError(key, f"{key}: missing key '{need}' "
                                         f"(expected: low, high, distinct)")
    spec = {"low": integer()(f"{key}.low", value["low"]),
            "high": integer()(f"{key}.high", value["high"]),
            "distinct": _boolean(f"{key}.distinct", value.get("distinct", True))}
    if spec["low"] > spec["high"]:
        raise GeneratorArgError(key, f"{key}.low={spec['low']} must be <= "
                                     f"{key}.high={spec['high']}")
    return spec


positive_number = ArgType(_positive_number, S.Number(0, BOUND, low_open=True))
boolean = ArgType(_boolean, S.Bool())
nonempty_list = ArgType(_nonempty_list, S.ListOf(min_items=1))
plain = ArgType(_plain, S.Custom(schema={}))
expression_text = ArgType(_expression_text, S.Ref("expression"))
_EIGEN_RANGE = S.Record({"low": S.Field(S.Int(-BOUND, BOUND), required=True),
                         "high": S.Field(S.Int(-BOUND, BOUND), required=True),
                         "distinct": S.Field(S.Bool(), default=True)})
eigen_range = ArgType(_eigen_range, S.AnyOf((S.ListOf(S.Int(-BOUND, BOUND), min_items=1),
                                             _EIGEN_RANGE)))


def check_eigen_count(eig: list, size: int) -> None:
    """A list of given eigenvalues must hold exactly `size` of them."""
    if len(eig) != size:
        raise GeneratorArgError("eigenvalues", f"eigenvalues has {len(eig)} values but "
                                               f"size={size}")
