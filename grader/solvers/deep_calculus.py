"""Calculus for deep learning (issue 14): the softmax Jacobian, the chain rule for Jacobians,
Hessians and convexity.

Conventions (CATALOGUE.md):
- a Jacobian of f: Rⁿ → Rᵐ is m×n, J[i][j] = ∂fᵢ/∂xⱼ (rows are outputs);
- softmax(z)ᵢ = e^{zᵢ} / Σⱼ e^{zⱼ}, its Jacobian diag(p) − ppᵀ;
- the composed map of calc-jacobian-chain is h(x) = g(Wx) with g(u) = (u₁u₂, u₁ + u₂²);
- the quadratic of calc-hessian-convexity is f(x, y) = a x² + b xy + c y² (coeffs [a, b, c]);
  convexity is judged from its (constant) Hessian: PSD convex, NSD concave, else neither.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from grader.solvers.arrays import mat as _mat
from grader.solvers.arrays import vec as _vec
from grader.solvers.learning import softmax
from grader.solvers.registry import solver

Curvature = Literal["convex", "concave", "neither"]


# ---------------------------------------------------------------- softmax and log-sum-exp


@solver
def softmax_jacobian(z: Any) -> np.ndarray:
    """∂softmax(z)ᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ): the matrix diag(p) − ppᵀ (also the Hessian of
    log-sum-exp at z)."""
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


@solver
def softmax_jacobian_diagonal(z: Any) -> np.ndarray:
    """The mistake: only the diagonal pᵢ(1 − pᵢ), as if softmax acted entry by entry."""
    p = softmax(z)
    return np.diag(p * (1 - p))


@solver
def logsumexp(z: Any) -> float:
    """log Σ e^{zᵢ}, computed with the maximum subtracted."""
    v = _vec(z)
    top = float(v.max())
    return top + float(np.log(np.sum(np.exp(v - top))))


@solver
def latex_logs(z: Any) -> str:
    """LaTeX for a vector of logits, each written ln k when e^z is a whole number k (0 for
    k = 1), else as a short decimal: [0, ln 2, 1.5] gives "(0,\\ \\ln 2,\\ 1.5)". Prompts
    use it so logits drawn as ln k read exactly, and given ones are shown as they are."""
    parts = []
    for v in _vec(z):
        k = float(np.exp(v))
        if abs(k - round(k)) < 1e-9 and 1 <= round(k) <= 1000:
            parts.append("0" if round(k) == 1 else f"\\ln {round(k)}")
        else:
            parts.append(f"{v:.4g}")
    return "\\left(" + ",\\ ".join(parts) + "\\right)"


# ---------------------------------------------------------------- the chain rule


def _g(u: np.ndarray) -> np.ndarray:
    return np.array([u[0] * u[1], u[0] + u[1] ** 2])


@solver
def chain_inner(W: Any, x: Any) -> np.ndarray:
    """u = Wx, the inner map of h(x) = g(Wx)."""
    return _mat(W) @ _vec(x)


@solver
def chain_outer_jacobian(u: Any) -> np.ndarray:
    """J_g(u) for g(u) = (u₁u₂, u₁ + u₂²): [[u₂, u₁], [1, 2u₂]]."""
    v = _vec(u)
    if v.size != 2:
        raise ValueError(f"g takes 2 inputs, got {v.size}")
    return np.array([[v[1], v[0]], [1.0, 2 * v[1]]])


@solver
def chain_value(W: Any, x: Any) -> np.ndarray:
    """h(x) = g(Wx)."""
    return _g(chain_inner(W, x))


@solver
def chain_jacobian(W: Any, x: Any) -> np.ndarray:
    """J_h(x) = J_g(Wx) · W, by the chain rule."""
    return chain_outer_jacobian(chain_inner(W, x)) @ _mat(W)


# ---------------------------------------------------------------- Hessians and convexity


@solver
def quadratic2_hessian(coeffs: Any) -> np.ndarray:
    """The Hessian [[2a, b], [b, 2c]] of f(x, y) = a x² + b xy + c y²."""
    a, b, c = (float(t) for t in coeffs)
    return np.array([[2 * a, b], [b, 2 * c]])


@solver
def quadratic2_form_matrix(coeffs: Any) -> np.ndarray:
    """The mistake: the symmetric M with f = [x y] M [x y]ᵀ, [[a, b/2], [b/2, c]] (H = 2M)."""
    return quadratic2_hessian(coeffs) / 2


@solver
def curvature(H: Any) -> Curvature:
    """'convex' if the symmetric H is PSD, 'concave' if NSD (not 0), else 'neither'."""
    M = _mat(H)
    w = np.linalg.eigvalsh((M + M.T) / 2)
    tol = 1e-9 * max(1.0, float(np.abs(M).max()))
    if np.all(w >= -tol):
        return "convex"
    if np.all(w <= tol):
        return "concave"
    return "neither"


@solver
def curvature_from_diagonal(H: Any) -> Curvature:
    """The mistake: judging by the signs of the diagonal only (ignoring the determinant)."""
    d = np.diag(_mat(H))
    if np.all(d >= 0):
        return "convex"
    if np.all(d <= 0):
        return "concave"
    return "neither"
