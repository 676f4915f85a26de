"""Linear-algebra solvers: products, norms, inverses, eigen- and singular values, ranks.

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
from typing import Any, Literal

import numpy as np

from grader.solvers import solver

Definiteness = Literal["positive-definite", "positive-semidefinite", "negative-definite",
                       "negative-semidefinite", "indefinite"]
_TOL = 1e-9


def _mat(A: Any) -> np.ndarray:
    M = np.asarray(A, dtype=float)
    if M.ndim != 2:
        raise ValueError(f"expected a matrix (list of rows), got an array of shape {M.shape}")
    return M


def _square(A: Any) -> np.ndarray:
    M = _mat(A)
    if M.shape[0] != M.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {M.shape}")
    return M


def _native(x: Any) -> np.ndarray:
    """x as an int array when all its entries are integers (so results print as integers)."""
    a = np.asarray(x)
    return a if a.dtype.kind in "iu" else a.astype(float)


def _vec(x: Any) -> np.ndarray:
    v = np.asarray(x, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"expected a vector, got an array of shape {v.shape}")
    return v


def _scale(M: np.ndarray) -> float:
    return _TOL * max(1.0, float(np.max(np.abs(M), initial=0.0)))


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
    u = _vec(v)
    n = np.linalg.norm(u)
    if n == 0:
        raise ValueError("the zero vector has no direction")
    return u / n


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
    """The shape of x.sum(axis=axis, keepdims=keepdims) for x of the given shape (axis: int/list)."""
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
    return "\\begin{bmatrix} " + " \\\\ ".join(rows) + " \\end{bmatrix}"
