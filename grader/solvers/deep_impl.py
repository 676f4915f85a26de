"""References for the function exercises of issue 14 (topic `implement`).

As in implement.py, each is registered as `impl_<function name>` and is the numerically
careful version of the formula; the typed exercises' solvers (deep_*.py) share the maths.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grader.solvers.deep_backprop import mlp_pass
from grader.solvers.registry import solver

Array = NDArray[np.float64]


@solver
def impl_least_squares(A: ArrayLike, b: ArrayLike) -> tuple[Array, float]:
    """(x, ‖Ax − b‖₂) for the x minimising ‖Ax − b‖₂, A (m×n, m ≥ n) of full column rank.

    Solved with an orthogonal factorisation (lstsq) rather than by forming AᵀA, whose
    condition number is the square of A's.
    """
    M, v = np.asarray(A, dtype=float), np.asarray(b, dtype=float)
    x = np.linalg.lstsq(M, v, rcond=None)[0]
    return x, float(np.linalg.norm(M @ x - v))


@solver
def impl_softmax_jacobian(z: ArrayLike) -> Array:
    """diag(p) − ppᵀ for p = softmax(z), with max(z) subtracted first (logits up to ±1000)."""
    v = np.asarray(z, dtype=float)
    e = np.exp(v - v.max())
    p = e / e.sum()
    return np.diag(p) - np.outer(p, p)


@solver
def impl_mlp_backward(x: ArrayLike, W1: ArrayLike, b1: ArrayLike, W2: ArrayLike,
                      b2: ArrayLike, y: ArrayLike,
                      activation: str = "relu") -> tuple[float, Array, Array, Array, Array]:
    """(loss, dW1, db1, dW2, db2) of h = act(W1x + b1), ŷ = W2h + b2, L = ½‖ŷ − y‖²."""
    r = mlp_pass(x, W1, b1, W2, b2, y, activation)
    return r["loss"], r["dW1"], r["db1"], r["dW2"], r["db2"]


@solver
def impl_softmax_cross_entropy(Z: ArrayLike, y: ArrayLike) -> tuple[float, Array]:
    """(mean loss, dZ) of the cross-entropy of softmax over a batch of logits Z (B×K) with
    labels y (0-based): L = (1/B) Σᵦ −log softmax(Zᵦ)[yᵦ], dZ = (softmax(Z) − onehot(y)) / B.
    """
    S = np.asarray(Z, dtype=float)
    labels = np.asarray(y, dtype=int)
    shifted = S - S.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(S.shape[0])
    loss = float(np.mean(log_norm - shifted[rows, labels]))
    dZ = np.exp(shifted - log_norm[:, None])
    dZ[rows, labels] -= 1.0
    return loss, dZ / S.shape[0]
