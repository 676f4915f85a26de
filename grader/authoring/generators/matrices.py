"""Matrices from nice orthogonal bases: symmetric_eigen, spd_matrix, orthogonal.

See bases.py for what a nice basis is. Every matrix drawn here is an exact integer (or
exactly orthonormal up to float rounding) construction, never a numerical decomposition.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from grader.authoring.generators.args import boolean, check_eigen_count, eigen_range, integer
from grader.authoring.generators.base import (
    Arg,
    Generator,
    GeneratorArgError,
    known,
    register,
    show,
)
from grader.authoring.generators.bases import SIZES, integral_spectral, nice_bases
from grader.authoring.generators.basic import check_interval, draw_ints

TRIES = 200
_SIZE = Arg(integer(lo=min(SIZES), hi=max(SIZES)),
            description="number of rows and columns")


@lru_cache(maxsize=512)
def _candidates(eigenvalues: tuple[int, ...]) -> np.ndarray:
    return integral_spectral(sorted(eigenvalues))


def _pick(rng: np.random.Generator, mats: np.ndarray) -> np.ndarray:
    return mats[int(rng.integers(len(mats)))]


def _spectral_draw(rng: np.random.Generator, size: int, low: int, high: int, *,
                   distinct: bool, who: str) -> np.ndarray:
    """Draw eigenvalues in [low, high] until some nice Q makes Q diag(l) Q^T integral."""
    for _ in range(TRIES):
        eig = draw_ints(rng, low, high, size, distinct=distinct)
        mats = _candidates(tuple(int(x) for x in eig))
        if len(mats):
            return _pick(rng, mats)
    raise ValueError(f"{who} could not draw a non-diagonal integer matrix with eigenvalues in "
                     f"[{low}, {high}] after {TRIES} tries; loosen: widen the range")


def _check_even_gap(key: str, low: int, high: int, *, prefix: str = "") -> None:
    # Q diag(l) Q^T with Q = [[1, 1], [1, -1]]/sqrt(2) is integral when two eigenvalues differ
    # by an even number; without such a pair most ranges admit only diagonal matrices.
    if high - low < 2:
        raise GeneratorArgError(key, f"{prefix}high={high} must be >= low+2={low + 2} (a "
                                     f"non-diagonal integer matrix needs two eigenvalues with "
                                     f"an even difference)")


@register("symmetric_eigen")
class SymmetricEigen(Generator):
    """A symmetric non-diagonal integer matrix Q diag(eigenvalues) Q^T with a nice orthogonal Q.

    `eigenvalues` is a list of `size` ints, or {low, high, distinct [true]} to draw them.
    """

    ARGS: ClassVar[dict[str, Arg]] = {
        "size": _SIZE,
        "eigenvalues": Arg(eigen_range, description="integer eigenvalues"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        if not known(values, "size", "eigenvalues"):
            return
        size, eig = values["size"], values["eigenvalues"]
        if isinstance(eig, list):
            check_eigen_count(eig, size)
            if not len(_candidates(tuple(eig))):
                raise GeneratorArgError("eigenvalues", f"eigenvalues={show(eig)} admit no "
                                                       f"non-diagonal integer matrix with a nice "
                                                       f"orthogonal Q; make two of them differ "
                                                       f"by an even number")
            return
        if eig["distinct"] and eig["high"] - eig["low"] + 1 < size:
            raise GeneratorArgError("eigenvalues", f"eigenvalues: distinct=true needs "
                                                   f"high-low+1={eig['high'] - eig['low'] + 1} "
                                                   f">= size={size}")
        _check_even_gap("eigenvalues", eig["low"], eig["high"], prefix="eigenvalues: ")

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        eig = values["eigenvalues"]
        if isinstance(eig, list):
            return _pick(rng, _candidates(tuple(eig)))
        return _spectral_draw(rng, values["size"], eig["low"], eig["high"],
                              distinct=eig["distinct"], who=self.name)


@register("spd_matrix")
class SpdMatrix(Generator):
    """A symmetric positive definite non-diagonal integer matrix; eigenvalues in [low, high]."""

    ARGS: ClassVar[dict[str, Arg]] = {
        "size": _SIZE,
        "low": Arg(integer(lo=1), description="smallest eigenvalue (an integer >= 1)"),
        "high": Arg(integer(lo=1), description="largest eigenvalue"),
    }

    def check(self, values: Mapping[str, Any]) -> None:
        check_interval(values)
        if known(values, "low", "high"):
            _check_even_gap("high", values["low"], values["high"])

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        return _spectral_draw(rng, values["size"], values["low"], values["high"],
                              distinct=False, who=self.name)


def _shuffled_basis(rng: np.random.Generator, size: int) -> np.ndarray:
    """A nice basis that is not a signed permutation, columns in random order and signs."""
    bases = [M for M in nice_bases(size) if ((M * M).sum(axis=0) > 1).any()]
    M = bases[int(rng.integers(len(bases)))]
    signs = rng.choice(np.array([-1, 1]), size=size)
    return M[:, rng.permutation(size)] * signs


def _normalise(M: np.ndarray) -> np.ndarray:
    return M / np.sqrt((M * M).sum(axis=0))


def _unit_not_orthogonal(rng: np.random.Generator, Q: np.ndarray) -> np.ndarray:
    """Flip the sign of one entry: columns stay unit length, two stop being orthogonal."""
    size = len(Q)
    for flat in rng.permutation(size * size):
        bent = Q.copy()
        bent.flat[flat] *= -1
        if np.abs(bent.T @ bent - np.eye(size)).max() > 0.1:
            return bent
    raise AssertionError("every nice basis has a column with two nonzero entries")


@register("orthogonal")
class Orthogonal(Generator):
    """A square matrix with nice entries: orthogonal, or (orthogonal=false) a near miss.

    Near misses are either orthogonal-but-not-unit columns (the integer basis itself, like
    [[1, 1], [1, -1]]) or unit columns of which two are not orthogonal (one sign flipped).
    """

    ARGS: ClassVar[dict[str, Arg]] = {
        "size": _SIZE,
        "orthogonal": Arg(boolean, default=True,
                          description="false: a near miss (e.g. orthogonal but not unit columns)"),
    }

    def sample(self, rng: np.random.Generator, values: Mapping[str, Any]) -> Any:
        M = _shuffled_basis(rng, values["size"])
        if values["orthogonal"]:
            return _normalise(M)
        if rng.integers(2) == 0:
            return M.astype(float)
        return _unit_not_orthogonal(rng, _normalise(M))
