"""Probability vectors and joint tables whose entries are fractions k/denominator.

Every table is drawn as an integer composition of the denominator (uniform over all
compositions) and divided once at the end, so the entries are exact fractions and the float
sum is 1 up to rounding of each entry (far below 1e-12).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from grader.authoring.generators.args import boolean, integer
from grader.authoring.generators.base import Arg, Generator, GeneratorArgError, known, register

MAX_DENOMINATOR = 10**6
TRIES = 200


def composition(rng: np.random.Generator, total: int, parts: int, *,
                positive: bool) -> np.ndarray:
    """`parts` ints summing to `total`, uniform over compositions (all > 0 when positive)."""
    if parts == 1:
        return np.array([total], dtype=np.int64)
    if positive:  # cut [0, total] at parts-1 distinct interior points
        cuts = np.sort(rng.choice(total - 1, size=parts - 1, replace=False) + 1)
        return np.diff(np.concatenate([[0], cuts, [total]])).astype(np.int64)
    # stars and bars: parts-1 bars among total+parts-1 slots
    slots = total + parts - 1
    bars = np.sort(rng.choice(slots, size=parts - 1, replace=False))
    return (np.diff(np.concatenate([[-1], bars, [slots]])) - 1).astype(np.int64)


def _check_positive(values: Mapping[str, Any], cells: int, what: str) -> None:
    if values["positive"] and values["denominator"] < cells:
        raise GeneratorArgError("denominator", f"denominator={values['denominator']} must be "
                                               f">= {what}={cells} when positive=true")


@register("prob_vector")
class ProbVector(Generator):
    """`length` probabilities k/denominator summing to 1 (all > 0 when positive)."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "length": Arg(integer(lo=1, hi=1000), description="number of entries"),
        "denominator": Arg(integer(lo=1, hi=MAX_DENOMINATOR),
                           description="every probability is k/denominator"),
        "positive": Arg(boolean, default=False, description="all probabilities > 0"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        if known(values, "length", "denominator", "positive"):
            _check_positive(values, values["length"], "length")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        k = composition(rng, values["denominator"], values["length"], positive=values["positive"])
        return k / values["denominator"]


def marginal_denominators(rows: int, cols: int, denominator: int) -> list[tuple[int, int]]:
    """Pairs (a, b) with a*b dividing denominator, a >= rows, b >= cols.

    P(x) is drawn with denominator a and P(y) with denominator b, so every entry of the outer
    product is a multiple of 1/(a*b), hence of 1/denominator; a >= rows and b >= cols leave
    room for marginals with no zero entry.
    """
    return [(a, b) for a in divisors(denominator) if a >= rows
            for b in divisors(denominator // a) if b >= cols]


def divisors(n: int) -> list[int]:
    """The divisors of n >= 1, ascending."""
    small = [k for k in range(1, math.isqrt(n) + 1) if n % k == 0]
    return sorted(set(small) | {n // k for k in small})


@register("joint_table")
class JointTable(Generator):
    """A rows x cols table of probabilities k/denominator summing to 1.

    independent=true: exactly the outer product of two marginals, P(x) = i/a and P(y) = j/b,
    with (a, b) drawn from the pairs where a*b divides denominator, a >= rows, b >= cols.
    Each marginal has at least two nonzero entries (when it has two entries).
    Otherwise the table is a uniform composition (independence neither forced nor avoided).
    """

    ARGS: ClassVar[dict[str, Arg]] = {
        "rows": Arg(integer(lo=1, hi=20), description="number of rows"),
        "cols": Arg(integer(lo=1, hi=20), description="number of columns"),
        "denominator": Arg(integer(lo=1, hi=MAX_DENOMINATOR),
                           description="every probability is k/denominator"),
        "positive": Arg(boolean, default=False, description="all probabilities > 0"),
        "independent": Arg(boolean, default=False,
                           description="the table is the outer product of its marginals"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        if not known(values, "rows", "cols", "denominator", "positive", "independent"):
            return
        rows, cols, d = values["rows"], values["cols"], values["denominator"]
        if not values["independent"]:
            _check_positive(values, rows * cols, "rows*cols")
        elif not marginal_denominators(rows, cols, d):
            raise GeneratorArgError("denominator", f"independent=true needs denominator={d} to "
                                                   f"be a multiple of a*b with a >= rows={rows} "
                                                   f"and b >= cols={cols} (e.g. {rows * cols})")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        rows, cols, d = values["rows"], values["cols"], values["denominator"]
        positive = values["positive"]
        if not values["independent"]:
            return (composition(rng, d, rows * cols, positive=positive) / d).reshape(rows, cols)
        pairs = marginal_denominators(rows, cols, d)
        a, b = pairs[int(rng.integers(len(pairs)))]
        px = _spread(rng, a, rows, positive=positive)
        py = _spread(rng, b, cols, positive=positive)
        return np.outer(px, py) * (d // (a * b)) / d


def _spread(rng: np.random.Generator, total: int, parts: int, *, positive: bool) -> np.ndarray:
    """A composition with at least two nonzero parts (when parts >= 2): a one-point marginal
    makes any table trivially independent."""
    for _ in range(TRIES):
        k = composition(rng, total, parts, positive=positive)
        if parts == 1 or np.count_nonzero(k) >= 2:
            return k
    raise ValueError(f"joint_table could not draw a marginal with two nonzero entries after "
                     f"{TRIES} tries; loosen: set positive=true")
