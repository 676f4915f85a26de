"""Linear algebra for deep learning (issue 14): PCA, least squares, condition numbers.

Conventions (CATALOGUE.md):
- data sets are lists of rows, one sample per row; the covariance of PCA is the population
  covariance (divide by n) of the centred data;
- principal directions are unit vectors signed so that their largest-|entry| is positive
  (as eigenvectors are in linalg_spectral.py);
- least squares minimises ‖Ax − b‖₂ for A with full column rank, by the normal equations
  AᵀAx = Aᵀb;
- the condition number is the 2-norm one, κ₂(A) = σ_max / σ_min, for a square invertible A.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.solvers.arrays import mat as _mat
from grader.solvers.arrays import square as _square
from grader.solvers.arrays import vec as _vec
from grader.solvers.linalg_spectral import eigenvectors, singular_values
from grader.solvers.registry import solver


# ---------------------------------------------------------------- PCA


def _centred(X: Any) -> np.ndarray:
    D = _mat(X)
    if D.shape[0] < 2:
        raise ValueError(f"PCA needs at least two samples (rows), got {D.shape[0]}")
    return D - D.mean(axis=0)


@solver
def data_covariance(X: Any, ddof: int = 0) -> np.ndarray:
    """The covariance matrix of the rows of X: centred XᵀX / (n − ddof); ddof=0 by default."""
    C = _centred(X)
    return C.T @ C / (C.shape[0] - int(ddof))


@solver
def pca_variances(X: Any) -> np.ndarray:
    """The variances along the principal directions: eigenvalues of the covariance, descending."""
    return np.sort(np.linalg.eigvalsh(data_covariance(X)))[::-1]


@solver
def pca_direction(X: Any, i: int = 0) -> np.ndarray:
    """The (i+1)-th principal direction: unit eigenvector of the covariance, i = 0 the first."""
    return eigenvectors(data_covariance(X))[:, int(i)]


@solver
def pca_direction_uncentred(X: Any) -> np.ndarray:
    """The mistake: the top eigenvector of XᵀX/n with the mean not subtracted."""
    D = _mat(X)
    return eigenvectors(D.T @ D / D.shape[0])[:, 0]


@solver
def explained_variance_ratio(X: Any, k: int = 1) -> float:
    """The share of the total variance along the first k principal directions: Σᵢ≤ₖ λᵢ / Σ λᵢ."""
    lam = pca_variances(X)
    return float(np.sum(lam[: int(k)]) / np.sum(lam))


@solver
def explained_sd_ratio(X: Any) -> float:
    """The mistake: the ratio computed with standard deviations √λᵢ instead of variances λᵢ."""
    sd = np.sqrt(np.clip(pca_variances(X), 0, None))
    return float(sd[0] / np.sum(sd))


# ---------------------------------------------------------------- least squares


def _full_column_rank(A: Any) -> np.ndarray:
    M = _mat(A)
    if M.shape[0] < M.shape[1] or np.linalg.matrix_rank(M) < M.shape[1]:
        raise ValueError(f"least squares needs A with full column rank, got shape {M.shape} "
                         f"of rank {np.linalg.matrix_rank(M)}")
    return M


@solver
def normal_matrix(A: Any) -> np.ndarray:
    """AᵀA, the matrix of the normal equations."""
    M = _mat(A)
    return M.T @ M


@solver
def least_squares(A: Any, b: Any) -> np.ndarray:
    """The x minimising ‖Ax − b‖₂: the solution of the normal equations AᵀAx = Aᵀb."""
    M, v = _full_column_rank(A), _vec(b)
    if v.size != M.shape[0]:
        raise ValueError(f"b has {v.size} entries but A has {M.shape[0]} rows")
    return np.linalg.solve(M.T @ M, M.T @ v)


@solver
def residual_norm(A: Any, b: Any) -> float:
    """‖Ax̂ − b‖₂ at the least-squares solution x̂."""
    return float(np.linalg.norm(_mat(A) @ least_squares(A, b) - _vec(b)))


@solver
def square_subsystem(A: Any, b: Any) -> np.ndarray:
    """The mistake: solve only the first n equations (A's top n×n block) exactly."""
    M, v = _mat(A), _vec(b)
    n = M.shape[1]
    return np.linalg.solve(M[:n], v[:n])


# ---------------------------------------------------------------- condition number


@solver
def condition_number(A: Any) -> float:
    """κ₂(A) = σ_max / σ_min of a square matrix (inf when A is singular)."""
    s = singular_values(_square(A))
    return float(s[0] / s[-1]) if s[-1] > 1e-12 * s[0] else float("inf")


@solver
def inverse_norm(A: Any) -> float:
    """‖A⁻¹‖₂ = 1 / σ_min of a square invertible matrix."""
    s = singular_values(_square(A))
    if s[-1] <= 1e-12 * s[0]:
        raise ValueError("A is singular: it has no inverse")
    return float(1 / s[-1])


@solver
def eigenvalue_ratio(A: Any) -> float:
    """The mistake |λ|max / |λ|min from the eigenvalues (raises when they are complex)."""
    w = np.linalg.eigvals(_square(A))
    if np.max(np.abs(w.imag)) > 1e-9:
        raise ValueError("the eigenvalues of A are complex")
    m = np.abs(w.real)
    return float(m.max() / m.min())


@solver
def frobenius_condition(A: Any) -> float:
    """The mistake ‖A‖_F·‖A⁻¹‖_F: a condition number, but not the 2-norm one."""
    M = _square(A)
    return float(np.linalg.norm(M) * np.linalg.norm(np.linalg.inv(M)))
