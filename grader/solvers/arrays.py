"""Array helpers the linear-algebra solvers share: checked shapes, native dtypes, the
scaled tolerance of "within tolerance" tests (see linalg.py's conventions)."""

from __future__ import annotations

from typing import Any

import numpy as np

TOL = 1e-9


def mat(A: Any) -> np.ndarray:
    M = np.asarray(A, dtype=float)
    if M.ndim != 2:
        raise ValueError(f"expected a matrix (list of rows), got an array of shape {M.shape}")
    return M


def square(A: Any) -> np.ndarray:
    M = mat(A)
    if M.shape[0] != M.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {M.shape}")
    return M


def native(x: Any) -> np.ndarray:
    """x as an int array when all its entries are integers (so results print as integers)."""
    a = np.asarray(x)
    return a if a.dtype.kind in "iu" else a.astype(float)


def vec(x: Any) -> np.ndarray:
    v = np.asarray(x, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"expected a vector, got an array of shape {v.shape}")
    return v


def scale(M: np.ndarray) -> float:
    return TOL * max(1.0, float(np.max(np.abs(M), initial=0.0)))


def unit(v: Any) -> np.ndarray:
    """v / ‖v‖₂, the unit vector in the direction of a nonzero vector v."""
    u = vec(v)
    n = np.linalg.norm(u)
    if n == 0:
        raise ValueError("the zero vector has no direction")
    return u / n
