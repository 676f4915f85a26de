"""Spectral linear-algebra solvers: eigenvalues and eigenvectors, SVD and rank, power iteration.

Split from linalg.py, whose conventions (module docstring there) hold here too. linalg.py
imports this module at its end, so every solver here registers when linalg does, and
re-exports them (so `linalg.eigenvalues` still works).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from grader.solvers.registry import solver
from grader.solvers.arrays import TOL as _TOL
from grader.solvers.arrays import mat as _mat
from grader.solvers.arrays import native as _native
from grader.solvers.arrays import scale as _scale
from grader.solvers.arrays import square as _square
from grader.solvers.arrays import unit as normalize
from grader.solvers.arrays import vec as _vec

Definiteness = Literal["positive-definite", "positive-semidefinite", "negative-definite",
                       "negative-semidefinite", "indefinite"]


# ---------------------------------------------------------------- eigenvalues


def _sign_fix(V: np.ndarray) -> np.ndarray:
    """Flip each column so its largest-|entry| (the first, on ties) is positive."""
    out = V.copy()
    for j in range(out.shape[1]):
        # Rounded so entries equal up to float noise tie, and the first of them wins.
        i = int(np.argmax(np.round(np.abs(out[:, j]), 9)))
        if out[i, j] < 0:
            out[:, j] = -out[:, j]
    return out


def _symmetric(A: Any) -> np.ndarray:
    M = _square(A)
    if not np.allclose(M, M.T, rtol=0, atol=_scale(M)):
        raise ValueError("expected a symmetric matrix")
    return M


@solver
def eigenvalues(A: Any) -> np.ndarray:
    """The eigenvalues of a square matrix with real eigenvalues, in descending order."""
    M = _square(A)
    w = np.linalg.eigvalsh(M) if np.allclose(M, M.T) else np.linalg.eigvals(M)
    if np.iscomplexobj(w):
        if np.max(np.abs(w.imag)) > 1e-7 * max(1.0, float(np.max(np.abs(w)))):
            raise ValueError("the eigenvalues of A are complex")
        w = w.real
    return np.sort(w)[::-1]


@solver
def eigenvectors(A: Any) -> np.ndarray:
    """Unit eigenvectors of a symmetric matrix, one per column, matching eigenvalues(A)."""
    w, V = np.linalg.eigh(_symmetric(A))
    return _sign_fix(V[:, np.argsort(w)[::-1]])


@solver
def eigenvectors_unnormalised(A: Any) -> np.ndarray:
    """The mistake: eigenvectors(A) with each column scaled so its smallest nonzero |entry| is 1."""
    V = eigenvectors(A)
    for j in range(V.shape[1]):
        col = np.abs(V[:, j])
        V[:, j] /= col[col > 1e-9].min()
    return V


@solver
def same_directions(M: Any, N: Any) -> bool:
    """True when each column of M is parallel to the same column of N (for `where:` checks)."""
    P, Q = _mat(M), _mat(N)
    if P.shape != Q.shape:
        return False
    for p, q in zip(P.T, Q.T):
        if abs(abs(p @ q) - np.linalg.norm(p) * np.linalg.norm(q)) > 1e-9 * (1 + p @ p + q @ q):
            return False
    return True


@solver
def definiteness(A: Any) -> Definiteness:
    """Classify a symmetric matrix by the signs of its eigenvalues (zero within 1e-9·max|A|)."""
    w = eigenvalues(_symmetric(A))
    tol = _scale(_mat(A))
    pos, neg = bool(np.any(w > tol)), bool(np.any(w < -tol))
    zero = bool(np.any(np.abs(w) <= tol))
    if pos and neg:
        return "indefinite"
    if pos:
        return "positive-semidefinite" if zero else "positive-definite"
    if neg:
        return "negative-semidefinite" if zero else "negative-definite"
    return "positive-semidefinite"  # the zero matrix is both semidefinite kinds; pick one


@solver
def semidefinite_as_definite(A: Any) -> str:
    """The mistake for a semidefinite A: the definite class of the same sign (raises otherwise)."""
    kind = definiteness(A)
    if not kind.endswith("semidefinite"):
        raise ValueError(f"A is {kind}, not semidefinite")
    return kind.replace("semidefinite", "definite")


@solver
def signed_spectrum(definite: str, magnitudes: Any) -> list[int]:
    """Eigenvalues with the given definiteness from positive magnitudes [a, b, ...] (for specs).

    positive-definite [a, b, ...]; positive-semidefinite [a, ..., 0]; negative-* the negatives;
    indefinite [a, -b, ...] (signs alternate).
    """
    mags = [abs(int(m)) for m in magnitudes]
    if len(mags) < 2 or 0 in mags:
        raise ValueError("give at least two nonzero magnitudes")
    table: dict[str, list[int]] = {
        "positive-definite": mags,
        "positive-semidefinite": [*mags[:-1], 0],
        "negative-definite": [-m for m in mags],
        "negative-semidefinite": [*(-m for m in mags[:-1]), 0],
        "indefinite": [m if i % 2 == 0 else -m for i, m in enumerate(mags)],
    }
    if definite not in table:
        raise ValueError(f"unknown definiteness {definite!r}; one of {', '.join(table)}")
    return table[definite]


# ---------------------------------------------------------------- SVD and rank


@solver
def singular_values(A: Any) -> np.ndarray:
    """The min(m, n) singular values of an m×n matrix, in descending order."""
    return np.linalg.svd(_mat(A), compute_uv=False)


@solver
def matrix_rank(A: Any) -> int:
    """The rank: the number of singular values above 1e-9·max(1, σ₁)·max(m, n)."""
    s = singular_values(A)
    if s.size == 0:
        return 0
    return int(np.sum(s > _TOL * max(1.0, float(s[0])) * max(_mat(A).shape)))


@solver
def nonzero_rows(A: Any) -> int:
    """The number of rows of A with at least one nonzero entry."""
    return int(np.sum(np.any(_mat(A) != 0, axis=1)))


@solver
def insert_zero_row(A: Any, i: int) -> np.ndarray:
    """A with a row of zeros inserted before row i (i = number of rows appends it)."""
    M = _native(A)
    if M.ndim != 2 or not 0 <= int(i) <= M.shape[0]:
        raise ValueError(f"expected a matrix and 0 <= i <= rows, got shape {M.shape}, i={i}")
    return np.insert(M, int(i), 0, axis=0)


@solver
def low_rank(A: Any, k: int) -> np.ndarray:
    """The best rank-k approximation of A (Eckart–Young): keep the k largest singular values."""
    U, s, Vt = np.linalg.svd(_mat(A), full_matrices=False)
    k = _check_k(k, s.size)
    return (U[:, :k] * s[:k]) @ Vt[:k]


@solver
def low_rank_smallest(A: Any, k: int) -> np.ndarray:
    """The mistake: a rank-k matrix built from the k *smallest* singular values of A."""
    U, s, Vt = np.linalg.svd(_mat(A), full_matrices=False)
    k = _check_k(k, s.size)
    keep = slice(s.size - k, s.size)
    return (U[:, keep] * s[keep]) @ Vt[keep]


@solver
def low_rank_error(A: Any, k: int) -> float:
    """‖A − low_rank(A, k)‖_F = sqrt(σ²ₖ₊₁ + … ), the root of the discarded squared values."""
    s = singular_values(A)
    k = _check_k(k, s.size)
    return float(np.sqrt(np.sum(s[k:] ** 2)))


def _check_k(k: Any, n: int) -> int:
    if int(k) != k or not 0 <= k <= n:
        raise ValueError(f"k={k} must be an integer between 0 and {n}")
    return int(k)


# ---------------------------------------------------------------- power iteration


@solver
def power_step(A: Any, v: Any) -> np.ndarray:
    """One power-iteration step: Av / ‖Av‖₂."""
    w = _square(A) @ _vec(v)
    n = np.linalg.norm(w)
    if n == 0:
        raise ValueError("Av = 0: power iteration cannot continue from this vector")
    return w / n


@solver
def power_iteration_steps(A: Any, v0: Any, k: int) -> list[np.ndarray]:
    """The k unit vectors v1..vk of power iteration, vᵢ = Avᵢ₋₁ / ‖Avᵢ₋₁‖₂ (v0 need not be unit)."""
    out: list[np.ndarray] = []
    v = _vec(v0)
    for _ in range(int(k)):
        v = power_step(A, v)
        out.append(v)
    return out


@solver
def power_iteration_unnormalised(A: Any, v0: Any, k: int) -> list[np.ndarray]:
    """The mistake: the iterates A v0, A² v0, …, Aᵏ v0 without normalising."""
    M, v = _square(A), _vec(v0)
    out: list[np.ndarray] = []
    for _ in range(int(k)):
        v = M @ v
        out.append(v)
    return out


@solver
def power_iteration(A: Any, v0: Any, k: int) -> np.ndarray:
    """The unit vector after k power-iteration steps from v0 (k = 0: v0 normalised)."""
    steps = power_iteration_steps(A, v0, k)
    return steps[-1] if steps else normalize(v0)


@solver
def rayleigh_quotient(A: Any, v: Any) -> float:
    """vᵀAv / vᵀv, the eigenvalue estimate for a nonzero vector v."""
    u = _vec(v)
    return float(u @ _square(A) @ u / (u @ u))
