"""Scalars, choices and integer arrays: const, expr, integers, uniform, choice, int_vector,
int_matrix."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np

from grader.authoring.generators.args import (
    boolean,
    expression_text,
    int_list,
    integer,
    nonempty_list,
    number,
    plain,
)
from grader.authoring.generators.base import (
    Arg,
    Generator,
    GeneratorArgError,
    compile_arg,
    known,
    register,
    show,
)
from grader.core.values import to_plain


def check_interval(values: Mapping[str, Any], lo: str = "low", hi: str = "high") -> None:
    """low <= high, when both are known."""
    if known(values, lo, hi) and values[lo] > values[hi]:
        raise GeneratorArgError(lo, f"{lo}={show(values[lo])} must be <= {hi}={show(values[hi])}")


def _skipped(low: int, high: int, exclude: Sequence[int]) -> list[int]:
    return sorted({e for e in exclude if low <= e <= high})


def allowed_count(low: int, high: int, exclude: Sequence[int] = ()) -> int:
    """How many integers of [low, high] are not excluded."""
    return high - low + 1 - len(_skipped(low, high, exclude))


def draw_ints(rng: np.random.Generator, low: int, high: int, size: int | tuple[int, ...], *,
              exclude: Sequence[int] = (), distinct: bool = False) -> np.ndarray:
    """Uniform integers of [low, high] minus `exclude`: draw an index, then step over the gaps.

    Mapping an index onto the allowed values (rather than rejecting excluded draws) makes the
    number of rng calls independent of luck.
    """
    skip = _skipped(low, high, exclude)
    count = high - low + 1 - len(skip)
    if distinct:
        index = rng.choice(count, size=size, replace=False)
    else:
        index = rng.integers(0, count, size=size)
    v = low + np.asarray(index, dtype=np.int64)
    for e in skip:  # ascending, so each step sees values already shifted past earlier gaps
        v += v >= e
    return v


@register("const")
class Const(Generator):
    """That value, as written."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "value": Arg(plain, dynamic=False, description="the value, as written (plain data)")}

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        return values["value"]


@register("expr")
class ExprGen(Generator):
    """An expression over the earlier parameters (with or without a leading '=')."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "value": Arg(expression_text, dynamic=False,
                     description="an expression over the earlier parameters")}

    def __init__(self, **args: Any):
        super().__init__(**args)
        self._expr = compile_arg("value", self._values["value"])

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._expr.names)

    def draw(self, rng: np.random.Generator, env: Mapping[str, Any], *,
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
        try:
            result = self._expr.evaluate(env, functions)
        except Exception as exc:  # the user's expression failed: report it as theirs
            raise ValueError(f"expr: {self._values['value']!r} could not be evaluated: {exc}") \
                from exc
        try:
            return to_plain(result)
        except TypeError as exc:
            raise ValueError(f"expr: {self._values['value']!r} gave {exc}") from None


@register("integers")
class Integers(Generator):
    """A uniform integer in [low, high], skipping `exclude`."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "low": Arg(integer(), description="smallest value (inclusive)"),
        "high": Arg(integer(), description="largest value (inclusive)"),
        "exclude": Arg(int_list(max_len=10_000), default=(), description="values never drawn"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        if known(values, "low", "high", "exclude") and \
                allowed_count(values["low"], values["high"], values["exclude"]) == 0:
            raise GeneratorArgError("exclude", f"exclude removes every integer in "
                                               f"[{values['low']}, {values['high']}]")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        return int(draw_ints(rng, values["low"], values["high"], 1, exclude=values["exclude"])[0])


def _decimal_grid(low: float, high: float, decimals: int) -> tuple[int, int]:
    # Decimal(repr(x)) is the number as written (0.1, not 0.1000000000000000055...), so the
    # grid of multiples of 10**-decimals is computed exactly.
    scale = Decimal(10) ** decimals
    return (math.ceil(Decimal(repr(low)) * scale), math.floor(Decimal(repr(high)) * scale))


@register("uniform")
class Uniform(Generator):
    """A float in [low, high] with `decimals` decimal places (uniform over that grid)."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "low": Arg(number(), description="smallest value"),
        "high": Arg(number(), description="largest value"),
        "decimals": Arg(integer(lo=0, hi=6), default=2, description="decimal places of the result"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        if known(values, "low", "high", "decimals"):
            first, last = _decimal_grid(values["low"], values["high"], values["decimals"])
            if first > last:
                raise GeneratorArgError("decimals", f"no number with decimals={values['decimals']} "
                                                    f"lies in [{values['low']}, {values['high']}]")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        first, last = _decimal_grid(values["low"], values["high"], values["decimals"])
        k = int(rng.integers(first, last + 1))
        return k / 10 ** values["decimals"]  # int / int is correctly rounded: 0.1, not 0.1000..01


@register("choice")
class Choice(Generator):
    """One of `options`, uniformly."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "options": Arg(nonempty_list, description="the values to choose from")}

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        options = values["options"]
        return options[int(rng.integers(len(options)))]


def check_nonzero(values: Mapping[str, Any]) -> None:
    """nonzero=true needs a value other than 0 in [low, high]."""
    if known(values, "low", "high", "nonzero") and values["nonzero"] and \
            values["low"] == values["high"] == 0:
        raise GeneratorArgError("nonzero", "nonzero=true leaves no integer in [low, high]=[0, 0]")


def _zero(values: Mapping[str, Any]) -> tuple[int, ...]:
    return (0,) if values["nonzero"] else ()


@register("int_vector")
class IntVector(Generator):
    """`length` integers in [low, high]; optionally all nonzero and/or all distinct."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "length": Arg(integer(lo=1, hi=1000), description="number of entries"),
        "low": Arg(integer(), description="smallest entry"),
        "high": Arg(integer(), description="largest entry"),
        "nonzero": Arg(boolean, default=False, description="no zero entries"),
        "distinct": Arg(boolean, default=False, description="all entries different"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        check_nonzero(values)
        if known(values, "length", "low", "high", "nonzero", "distinct") and values["distinct"]:
            count = allowed_count(values["low"], values["high"], _zero(values))
            if values["length"] > count:
                raise GeneratorArgError("length", f"distinct=true needs length={values['length']}"
                                                  f" <= {count}, the number of allowed integers "
                                                  f"in [{values['low']}, {values['high']}]")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        return draw_ints(rng, values["low"], values["high"], values["length"],
                         exclude=_zero(values), distinct=values["distinct"])


@register("int_matrix")
class IntMatrix(Generator):
    """A rows x cols matrix (list of rows) of integers in [low, high]; optionally nonzero."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "rows": Arg(integer(lo=1, hi=100), description="number of rows"),
        "cols": Arg(integer(lo=1, hi=100), description="number of columns"),
        "low": Arg(integer(), description="smallest entry"),
        "high": Arg(integer(), description="largest entry"),
        "nonzero": Arg(boolean, default=False, description="no zero entries"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        check_nonzero(values)

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        return draw_ints(rng, values["low"], values["high"], (values["rows"], values["cols"]),
                         exclude=_zero(values))
