"""A library of "nice" orthogonal bases, and the integer symmetric matrices they give.

A nice basis is a set of mutually orthogonal primitive integer vectors with small entries,
such as (1, 1), (1, -1) or (1, 2, 2), (2, 1, -2), (2, -2, 1). Normalising the columns of such
an integer matrix M gives an orthogonal Q whose entries a student can write by hand (1/sqrt(2),
2/3, 3/5). For eigenvalues l, Q diag(l) Q^T = sum_k l_k m_k m_k^T / |m_k|^2, which is checked
for integrality exactly, in integers.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np

# Entry ranges and squared column norms that stay hand-friendly, per size.
_ENTRIES = {2: range(-4, 5), 3: range(-2, 3), 4: range(-1, 2)}
_NORMS = {2: {1, 2, 5, 25}, 3: {1, 2, 3, 5, 6, 9}, 4: {1, 2, 3, 4}}
SIZES = tuple(sorted(_ENTRIES))


def _vectors(n: int) -> list[tuple[int, ...]]:
    """Primitive vectors with first nonzero entry positive (one per ± pair), in a fixed order."""
    out = []
    for v in itertools.product(_ENTRIES[n], repeat=n):
        nonzero = [x for x in v if x]
        if nonzero and nonzero[0] > 0 and math.gcd(*v) == 1 and \
                sum(x * x for x in v) in _NORMS[n]:
            out.append(v)
    return out


@cache
def nice_bases(n: int) -> tuple[np.ndarray, ...]:
    """Every nice basis of R^n as an int matrix whose columns are orthogonal (fixed order)."""
    vecs = np.array(_vectors(n), dtype=np.int64)
    ortho = (vecs @ vecs.T) == 0
    found: list[np.ndarray] = []

    def extend(chosen: list[int]) -> None:
        if len(chosen) == n:
            found.append(vecs[chosen].T.copy())
            return
        start = chosen[-1] + 1 if chosen else 0
        for j in range(start, len(vecs)):
            if all(ortho[i, j] for i in chosen):
                extend([*chosen, j])

    extend([])
    return tuple(found)


@cache
def _rank_one_terms(n: int) -> tuple[np.ndarray, np.ndarray]:
    """T[b, k] = (L_b / s_bk) m_k m_k^T and L_b = lcm of basis b's squared norms."""
    bases = nice_bases(n)
    norms = np.array([(M * M).sum(axis=0) for M in bases])
    lcms = np.array([math.lcm(*map(int, s)) for s in norms], dtype=np.int64)
    outer = np.einsum("bik,bjk->bkij", np.array(bases), np.array(bases))
    return outer * (lcms[:, None] // norms)[:, :, None, None], lcms


def integral_spectral(eigenvalues: list[int]) -> np.ndarray:
    """All non-diagonal integer matrices Q diag(l) Q^T over nice Q and orders of l.

    Returns an array (count, n, n), possibly empty, in a fixed order.
    """
    n = len(eigenvalues)
    terms, lcms = _rank_one_terms(n)
    orders = np.array(sorted(set(itertools.permutations(eigenvalues))), dtype=np.int64)
    scaled = np.einsum("pk,bkij->bpij", orders, terms)  # L_b * A for every (basis, order)
    integral = (scaled % lcms[:, None, None, None] == 0).all(axis=(2, 3))
    mats = scaled[integral] // np.repeat(lcms, len(orders)).reshape(integral.shape)[integral][
        :, None, None]
    off = ~np.eye(n, dtype=bool)
    return mats[(mats[:, off] != 0).any(axis=1)]
