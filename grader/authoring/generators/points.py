"""Linearly separable point sets on which the perceptron converges quickly: separable_points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from grader.authoring.generators.args import integer, positive_number
from grader.authoring.generators.base import Arg, Generator, GeneratorArgError, known, register
from grader.authoring.generators.basic import check_interval, draw_ints

TRIES = 5000
COORD = 1000  # coordinates stay within ±COORD so the grid index fits in int64


def perceptron_updates(X: list[list[int]], y: list[int], limit: int) -> int | None:
    """Updates the perceptron (CATALOGUE.md rule) makes before converging; None past `limit`.

    Runs with eta = 1: from w = 0, b = 0 every iterate is eta times the eta = 1 iterate, so the
    signs tested, and hence the updates, are the same for every eta > 0 (exact in integers).
    """
    w, b, updates = [0] * len(X[0]), 0, 0
    while True:
        for xi, yi in zip(X, y):
            if yi * (sum(wj * xj for wj, xj in zip(w, xi)) + b) <= 0:
                w = [wj + yi * xj for wj, xj in zip(w, xi)]
                b += yi
                updates += 1
                break
        else:
            return updates
        if updates > limit:
            return None


def _points(rng: np.random.Generator, count: int, dim: int, low: int, high: int) -> np.ndarray:
    """`count` distinct points of the grid [low, high]^dim, in random order."""
    side = high - low + 1
    index = rng.choice(side**dim, size=count, replace=False)
    return np.array(np.unravel_index(index, (side,) * dim)).T + low


def _labels(rng: np.random.Generator, X: np.ndarray) -> np.ndarray | None:
    """±1 labels cut by a random integer direction between two distinct scores (a margin)."""
    direction = draw_ints(rng, -3, 3, X.shape[1])
    scores = X @ direction
    levels = np.unique(scores)
    if len(levels) < 2:
        return None
    cut = levels[int(rng.integers(len(levels) - 1))]
    sign = 1 if rng.integers(2) else -1
    return np.where(scores > cut, sign, -sign)


@register("separable_points")
class SeparablePoints(Generator):
    """{"X": count distinct integer points in [low, high]^dim, "y": ±1 labels}, separable.

    Both classes occur, and the perceptron from w = 0, b = 0 makes between `min_updates` [2]
    and `max_updates` [12] updates before a full sweep without a mistake.
    """

    ARGS: ClassVar[dict[str, Arg]] = {
        "count": Arg(integer(lo=2, hi=100), description="number of points"),
        "dim": Arg(integer(lo=1, hi=4), default=2, description="dimension of each point"),
        "low": Arg(integer(lo=-COORD, hi=COORD), description="smallest entry"),
        "high": Arg(integer(lo=-COORD, hi=COORD), description="largest entry"),
        "max_updates": Arg(integer(lo=1, hi=1000), default=12,
                           description="the perceptron converges within this many updates"),
        "min_updates": Arg(integer(lo=1, hi=1000), default=2,
                           description="and needs at least this many"),
        "eta": Arg(positive_number, default=1, description="the perceptron's learning rate"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        if known(values, "count", "dim", "low", "high"):
            grid = (values["high"] - values["low"] + 1) ** values["dim"]
            if values["count"] > grid:
                raise GeneratorArgError("count", f"count={values['count']} distinct points do "
                                                 f"not fit in [low, high]^dim ({grid} points)")
        check_interval(values, "min_updates", "max_updates")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        count, dim = values["count"], values["dim"]
        for _ in range(TRIES):
            X = _points(rng, count, dim, values["low"], values["high"])
            y = _labels(rng, X)
            if y is None:
                continue
            n = perceptron_updates(X.tolist(), y.tolist(), values["max_updates"])
            if n is not None and values["min_updates"] <= n <= values["max_updates"]:
                return {"X": X, "y": y}
        raise ValueError(f"separable_points could not draw {count} points on which the "
                         f"perceptron makes {values['min_updates']}..{values['max_updates']} "
                         f"updates after {TRIES} tries; loosen: raise max_updates or narrow "
                         f"[low, high]")
