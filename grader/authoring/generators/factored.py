"""Integer matrices built as exact integer products: nonsymmetric_eigen, rank_matrix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from grader.authoring.generators.args import check_eigen_count, eigen_range, integer
from grader.authoring.generators.base import (
    Arg,
    Generator,
    GeneratorArgError,
    known,
    register,
    show,
)
from grader.authoring.generators.basic import check_interval, draw_ints

TRIES = 500
ROW_TRIES = 50


def unimodular(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(P, P^-1): integer, det ±1, small entries, as (row-permuted) L U with unit diagonals."""
    lower = np.tril(rng.integers(-1, 2, size=(n, n)), -1) + np.eye(n, dtype=np.int64)
    upper = np.triu(rng.integers(-1, 2, size=(n, n)), 1) + np.eye(n, dtype=np.int64)
    P = (lower @ upper)[rng.permutation(n)]
    # the inverse of a unimodular matrix is an integer matrix; rounding is checked exactly
    P_inv = np.rint(np.linalg.inv(P)).astype(np.int64)
    if not (P @ P_inv == np.eye(n, dtype=np.int64)).all():
        raise AssertionError(f"inverse of unimodular {P.tolist()} is not integral")
    return P, P_inv


def _acceptable(A: np.ndarray, eig: np.ndarray, max_entry: int) -> bool:
    # The diagonal must not already list the eigenvalues ("diagonal entries" is a mistake
    # the exercises recognise, and a triangular matrix would give the answer away).
    return bool(np.abs(A).max() <= max_entry and not (A == A.T).all()
                and sorted(np.diag(A)) != sorted(eig))


@register("nonsymmetric_eigen")
class NonsymmetricEigen(Generator):
    """A non-symmetric integer matrix P diag(eigenvalues) P^-1 with P unimodular.

    `eigenvalues`: `size` distinct ints, or {low, high} to draw them. Entries are bounded by
    `max_entry` [20]; the diagonal is never the eigenvalues themselves.
    """

    ARGS: ClassVar[dict[str, Arg]] = {
        "size": Arg(integer(lo=2, hi=4), description="number of rows and columns"),
        "eigenvalues": Arg(eigen_range, description="distinct integer eigenvalues"),
        "max_entry": Arg(integer(lo=1, hi=1000), default=20,
                         description="largest absolute entry allowed"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        if not known(values, "size", "eigenvalues"):
            return
        size, eig = values["size"], values["eigenvalues"]
        if isinstance(eig, list):
            check_eigen_count(eig, size)
            if len(set(eig)) != len(eig):
                raise GeneratorArgError("eigenvalues", f"eigenvalues must be distinct, got "
                                                       f"{show(eig)}")
            return
        if not eig["distinct"]:
            raise GeneratorArgError("eigenvalues", "eigenvalues must be distinct "
                                                   "(distinct=false is not supported here)")
        if eig["high"] - eig["low"] + 1 < size:
            raise GeneratorArgError("eigenvalues", f"eigenvalues: high-low+1="
                                                   f"{eig['high'] - eig['low'] + 1} must be "
                                                   f">= size={size} for distinct eigenvalues")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        size, spec, bound = values["size"], values["eigenvalues"], values["max_entry"]
        for _ in range(TRIES):
            eig = np.array(spec) if isinstance(spec, list) else \
                draw_ints(rng, spec["low"], spec["high"], size, distinct=True)
            P, P_inv = unimodular(rng, size)
            A = P @ np.diag(eig) @ P_inv
            if _acceptable(A, eig, bound):
                return A
        raise ValueError(f"nonsymmetric_eigen could not draw a matrix with entries within "
                         f"±{bound} after {TRIES} tries; loosen: raise max_entry or bring the "
                         f"eigenvalues closer together")


def _dependent_row(rng: np.random.Generator, base: np.ndarray, low: int,
                   high: int) -> np.ndarray | None:
    """A nonzero combination of base rows with coefficients in {-1, 0, 1}, inside [low, high]."""
    for _ in range(ROW_TRIES):
        coef = rng.integers(-1, 2, size=len(base))
        row = coef @ base
        if coef.any() and row.min() >= low and row.max() <= high:
            return row
    return None


def _try_rank(rng: np.random.Generator, rows: int, cols: int, rank: int, low: int,
              high: int) -> np.ndarray | None:
    base = draw_ints(rng, low, high, (rank, cols))
    if np.linalg.matrix_rank(base) != rank:
        return None
    extra = []
    for _ in range(rows - rank):
        row = _dependent_row(rng, base, low, high)
        if row is None:
            return None
        extra.append(row)
    A = np.vstack([base, *extra])[rng.permutation(rows)]
    return A if np.linalg.matrix_rank(A) == rank else None


@register("rank_matrix")
class RankMatrix(Generator):
    """A rows x cols integer matrix with entries in [low, high] and exactly rank `rank`.

    Built from `rank` independent random rows (or columns) and integer combinations of them.
    """

    ARGS: ClassVar[dict[str, Arg]] = {
        "rows": Arg(integer(lo=1, hi=8), description="number of rows"),
        "cols": Arg(integer(lo=1, hi=8), description="number of columns"),
        "rank": Arg(integer(lo=1, hi=8), description="the rank"),
        "low": Arg(integer(), description="smallest entry"),
        "high": Arg(integer(), description="largest entry"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        if known(values, "rows", "cols", "rank"):
            rows, cols, rank = values["rows"], values["cols"], values["rank"]
            if rank > min(rows, cols):
                raise GeneratorArgError("rank", f"rank={rank} must be <= min(rows, cols)="
                                                f"{min(rows, cols)}")
        if known(values, "low", "high", "rank") and values["low"] == values["high"]:
            if values["low"] == 0:
                raise GeneratorArgError("high", "low=0 and high=0 give only the zero matrix")
            if values["rank"] != 1:
                raise GeneratorArgError("rank", f"rank={values['rank']} is impossible when "
                                                f"low=high={values['low']} (equal entries give "
                                                f"rank 1)")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        rows, cols, rank = values["rows"], values["cols"], values["rank"]
        for _ in range(TRIES):
            transpose = bool(rng.integers(2))  # dependent columns as often as dependent rows
            shape = (cols, rows) if transpose else (rows, cols)
            A = _try_rank(rng, *shape, rank, values["low"], values["high"])
            if A is not None:
                return A.T if transpose else A
        raise ValueError(f"rank_matrix could not draw a {rows}x{cols} matrix of rank {rank} "
                         f"with entries in [{values['low']}, {values['high']}] after {TRIES} "
                         f"tries; loosen: widen [low, high]")
