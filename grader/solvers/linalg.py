"""Linear-algebra solvers: products, norms, inverses, orthogonality, tensor shapes.

The spectral solvers (eigen- and singular values, rank, power iteration) live in
linalg_spectral.py, imported (and re-exported) at the end of this module.

Conventions (CATALOGUE.md):
- matrices are lists of rows (anything `numpy.asarray` accepts); vectors are 1-D;
- eigenvalues and singular values are returned in descending order;
- eigenvectors are unit length, one per column, and signed so that the entry of largest
  absolute value is positive (the first such entry when several tie);
- angles are in radians;
- "within tolerance" tests (orthogonality, definiteness) use an absolute tolerance of 1e-9
  scaled by the size of the matrix, since inputs are small integers or nice fractions.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from grader.solvers.arrays import TOL as _TOL  # noqa: F401 - kept for callers of linalg._TOL
from grader.solvers.arrays import mat as _mat
from grader.solvers.arrays import native as _native
from grader.solvers.arrays import scale as _scale
from grader.solvers.arrays import square as _square
from grader.solvers.arrays import unit
from grader.solvers.arrays import vec as _vec
from grader.solvers.registry import solver


# ---------------------------------------------------------------- products and shapes


@solver
def broadcast_add(A: Any, b: Any) -> np.ndarray:
    """A + b with b (length n) added to every row of the m×n matrix A: C[i,j] = A[i,j] + b[j]."""
    M, v = _mat(A), _vec(b)
    if M.shape[1] != v.size:
        raise ValueError(f"b has {v.size} entries but A has {M.shape[1]} columns")
    return M + v


@solver
def broadcast_add_columns(A: Any, b: Any) -> np.ndarray:
    """The mistake C[i,j] = A[i,j] + b[i]: b added to every column (needs as many rows as b)."""
    M, v = _mat(A), _vec(b)
    if M.shape[0] != v.size:
        raise ValueError(f"b has {v.size} entries but A has {M.shape[0]} rows")
    return M + v[:, None]


@solver
def matmul(A: Any, B: Any) -> np.ndarray:
    """The matrix product AB (B a matrix or a vector); integer inputs give an integer result."""
    M, N = _native(A), _native(B)
    if M.ndim != 2 or N.ndim not in (1, 2) or M.shape[1] != N.shape[0]:
        raise ValueError(f"AB is undefined for shapes {M.shape} and {N.shape}")
    return M @ N


@solver
def matmul_shape(A: Any, B: Any) -> list[int]:
    """The shape [m, p] of AB for A of shape m×n and B of shape n×p."""
    a, b = _mat(A).shape, _mat(B).shape
    if a[1] != b[0]:
        raise ValueError(f"AB is undefined: A is {a[0]}×{a[1]} but B is {b[0]}×{b[1]}")
    return [a[0], b[1]]


@solver
def hadamard(A: Any, B: Any) -> np.ndarray:
    """The element-wise (Hadamard) product A ⊙ B of two matrices of the same shape."""
    M, N = _mat(A), _mat(B)
    if M.shape != N.shape:
        raise ValueError(f"A ⊙ B needs equal shapes, got {M.shape} and {N.shape}")
    return M * N


@solver
def cos_angle(x: Any, y: Any) -> float:
    """cos θ = xᵀy / (‖x‖₂‖y‖₂) for nonzero vectors x and y."""
    u, v = _vec(x), _vec(y)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0:
        raise ValueError("the angle with a zero vector is undefined")
    # Rounding can push the ratio just past ±1, where arccos is undefined.
    return float(np.clip(u @ v / (nu * nv), -1.0, 1.0))


@solver
def angle(x: Any, y: Any) -> float:
    """The angle θ ∈ [0, π] between nonzero vectors x and y, in radians."""
    return float(np.arccos(cos_angle(x, y)))


# ---------------------------------------------------------------- norms


@solver
def lp_norm(x: Any, p: float) -> float:
    """The Lᵖ norm (Σ|xᵢ|ᵖ)^(1/p) for p ≥ 1; p = inf gives max |xᵢ| (0 for an empty vector)."""
    v = np.abs(_vec(x))
    p = float(p)
    if p < 1:
        raise ValueError(f"p={p} is not a norm; p must be >= 1")
    if v.size == 0:
        return 0.0
    if np.isinf(p):
        return float(v.max())
    # Divide by the largest entry first so large entries and large p do not overflow.
    top = v.max()
    if top == 0:
        return 0.0
    return float(top * np.sum((v / top) ** p) ** (1.0 / p))


@solver
def frobenius(A: Any) -> float:
    """The Frobenius norm ‖A‖_F = sqrt(Σᵢⱼ Aᵢⱼ²)."""
    return float(np.sqrt(np.sum(_mat(A) ** 2)))


@solver
def normalize(v: Any) -> np.ndarray:
    """v / ‖v‖₂, the unit vector in the direction of a nonzero vector v."""
    return unit(v)


# ---------------------------------------------------------------- inverses and systems


@solver
def adjugate(A: Any) -> np.ndarray:
    """The adjugate (transposed cofactor matrix) of a square matrix: A·adj(A) = det(A)·I."""
    M = _square(A)
    n = M.shape[0]
    if n == 1:
        return np.ones((1, 1))
    C = np.empty_like(M)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(M, i, axis=0), j, axis=1)
            C[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return C.T


@solver
def solve_linear(A: Any, b: Any) -> np.ndarray:
    """The solution x of Ax = b for a square invertible A."""
    M = _square(A)
    if abs(np.linalg.det(M)) < _scale(M):
        raise ValueError("A is singular: Ax = b has no unique solution")
    return np.linalg.solve(M, _vec(b))


@solver
def reciprocal(x: Any) -> np.ndarray:
    """The element-wise reciprocal 1/x (every entry nonzero)."""
    a = np.asarray(x, dtype=float)
    if np.any(a == 0):
        raise ValueError("an entry is zero; its reciprocal is undefined")
    return 1.0 / a


# ---------------------------------------------------------------- orthogonality


@solver
def is_orthogonal(Q: Any) -> bool:
    """True when Q is square and QᵀQ = I (orthonormal columns, hence orthonormal rows)."""
    M = _mat(Q)
    if M.shape[0] != M.shape[1]:
        return False
    return bool(np.allclose(M.T @ M, np.eye(M.shape[0]), rtol=0, atol=1e-9))


@solver
def only_if(condition: Any, value: Any) -> Any:
    """value when condition holds; otherwise raise, so a spec's mistake is left out of this
    variant (a mistake that cannot happen here, e.g. "semidefinite called definite" for an
    indefinite matrix)."""
    if not bool(condition):
        raise ValueError("this mistake does not apply to this variant")
    return value


@solver
def has_orthogonal_columns(Q: Any) -> bool:
    """True when the columns of Q are mutually orthogonal (QᵀQ diagonal), unit length or not."""
    G = _mat(Q).T @ _mat(Q)
    off = G - np.diag(np.diag(G))
    return bool(np.all(np.abs(off) <= _scale(G)))



# ---------------------------------------------------------------- tensor reductions


def _axes(axis: Any, ndim: int) -> list[int]:
    raw = [axis] if np.ndim(axis) == 0 else list(axis)
    axes = []
    for a in raw:
        if int(a) != a or not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        axes.append(int(a) % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis {axis} repeats a dimension")
    return axes


@solver
def sum_shape(shape: Any, axis: Any, keepdims: bool = False) -> list[int]:
    """The shape of x.sum(axis=axis, keepdims=keepdims) for x of the given shape (axis: int/list).
    """
    dims = [int(d) for d in shape]
    axes = _axes(axis, len(dims))
    if keepdims:
        return [1 if i in axes else d for i, d in enumerate(dims)]
    return [d for i, d in enumerate(dims) if i not in axes]


@solver
def sum_shape_other_axes(shape: Any, axis: Any, keepdims: bool = False) -> list[int]:
    """The mistake: the shape when every axis *except* the given ones is summed away."""
    axes = _axes(axis, len(shape))
    others = [i for i in range(len(shape)) if i not in axes]
    return sum_shape(shape, others, keepdims)


# ---------------------------------------------------------------- prompt helpers


def _surd(x: float) -> str:
    """x as LaTeX: an integer, a fraction, or a rationalised surd like \\frac{2\\sqrt{5}}{5}."""
    sq = Fraction(x * x).limit_denominator(100)
    if abs(float(sq) - x * x) > 1e-9 or x == 0:
        return "0" if x == 0 else f"{x:.4g}"
    n, d = sq.numerator * sq.denominator, sq.denominator  # |x| = sqrt(n) / d
    root = math.isqrt(n)
    outside = max(k for k in range(1, root + 1) if n % (k * k) == 0)
    inside = n // (outside * outside)
    g = math.gcd(outside, d)
    num, den = outside // g, d // g
    sign = "-" if x < 0 else ""
    top = (f"{num if num != 1 else ''}\\sqrt{{{inside}}}" if inside != 1 else str(num))
    return f"{sign}{top}" if den == 1 else f"{sign}\\frac{{{top}}}{{{den}}}"


@solver
def latex_surd(A: Any) -> str:
    """A matrix as LaTeX with surds written exactly (1/sqrt(5) as \\frac{\\sqrt{5}}{5}).

    For prompts showing orthogonal matrices; entries whose square is not a fraction with a
    denominator up to 100 are written as 4-digit decimals.
    """
    rows = [" & ".join(_surd(float(v)) for v in row) for row in _mat(A)]
    # See markup.latex.
    return "\\left[\\begin{matrix} " + " \\\\ ".join(rows) + " \\end{matrix}\\right]"


# Last, because it imports the helpers above: registers the spectral solvers and
# re-exports them, so callers of linalg.<name> are unaffected by the split.
from grader.solvers.linalg_spectral import (  # noqa: E402, F401
    definiteness,
    eigenvalues,
    eigenvectors,
    eigenvectors_unnormalised,
    insert_zero_row,
    low_rank,
    low_rank_error,
    low_rank_smallest,
    matrix_rank,
    nonzero_rows,
    power_iteration,
    power_iteration_steps,
    power_iteration_unnormalised,
    power_step,
    rayleigh_quotient,
    same_directions,
    semidefinite_as_definite,
    signed_spectrum,
    singular_values,
)
