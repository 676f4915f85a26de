"""The 2-D Gaussian, a shrinkage estimator's bias and variance, and a constrained quadratic.

Conventions (CATALOGUE.md; exercises prob-mvn, prob-bias-variance, opt-lagrange):
- N(μ, Σ) in d dimensions has density exp(−½(x − μ)ᵀΣ⁻¹(x − μ)) / √((2π)ᵈ det Σ); the
  Mahalanobis distance is √((x − μ)ᵀΣ⁻¹(x − μ)) (not squared);
- conditioning a 2-D Gaussian on its second coordinate: E[x₁ ∣ x₂ = v] = μ₁ + Σ₁₂/Σ₂₂·(v − μ₂),
  Var[x₁ ∣ x₂] = Σ₁₁ − Σ₁₂²/Σ₂₂;
- the estimator c·x̄ of μ from n independent draws with mean μ and variance σ² has
  bias (c − 1)μ, variance c²σ²/n and MSE bias² + variance;
- the constrained quadratic minimises f(x) = ½xᵀAx − bᵀx subject to aᵀx = c with the
  Lagrangian L(x, λ) = f(x) + λ(aᵀx − c), so ∇f(x*) = −λa.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from grader.solvers.registry import solver


def _gauss(mu: Any, Sigma: Any, x: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, S, v = (np.asarray(a, dtype=float) for a in (mu, Sigma, x))
    if S.shape != (m.size, m.size) or v.shape != m.shape:
        raise ValueError(f"mu {m.shape}, Sigma {S.shape} and x {v.shape} do not fit together")
    return m, S, v


@solver
def mahalanobis(mu: Any, Sigma: Any, x: Any, *, squared: bool = False,
                use_sigma: bool = False) -> float:
    """√((x − μ)ᵀΣ⁻¹(x − μ)). squared=True (no root) and use_sigma=True (Σ for Σ⁻¹) are
    mistakes."""
    m, S, v = _gauss(mu, Sigma, x)
    d = v - m
    q = float(d @ (S if use_sigma else np.linalg.inv(S)) @ d)
    return q if squared else math.sqrt(q)


@solver
def mvn_density(mu: Any, Sigma: Any, x: Any, *, root_det: bool = True,
                half: bool = True) -> float:
    """The N(μ, Σ) density at x. root_det=False (det Σ not square-rooted) and half=False (no ½
    in the exponent) are mistakes."""
    m, S, v = _gauss(mu, Sigma, x)
    q = mahalanobis(m, S, v, squared=True)
    det = float(np.linalg.det(S))
    norm = (2 * math.pi) ** (m.size / 2) * (math.sqrt(det) if root_det else det)
    return math.exp(-(0.5 if half else 1.0) * q) / norm


@solver
def mvn_conditional(mu: Any, Sigma: Any, v: float, *, swapped: bool = False) -> dict[str, float]:
    """Mean and variance of x₁ given x₂ = v for a 2-D N(μ, Σ).

    swapped=True is the mistake of dividing by Σ₁₁ instead of Σ₂₂ (regressing the wrong way).
    """
    m, S = np.asarray(mu, dtype=float), np.asarray(Sigma, dtype=float)
    if S.shape != (2, 2):
        raise ValueError(f"a 2-D Gaussian needs a 2x2 Sigma, got {S.shape}")
    div = S[0, 0] if swapped else S[1, 1]
    return {"mean": float(m[0] + S[0, 1] / div * (float(v) - m[1])),
            "var": float(S[0, 0] - S[0, 1] ** 2 / div)}


@solver
def shrinkage_risk(c: float, mu: float, sigma2: float, n: int) -> dict[str, float]:
    """Bias, variance and MSE of c·x̄ as an estimator of μ (n draws, variance σ²)."""
    bias = (float(c) - 1.0) * float(mu)
    var = float(c) ** 2 * float(sigma2) / int(n)
    return {"bias": bias, "variance": var, "mse": bias**2 + var}


@solver
def lagrange_quadratic(A: Any, b: Any, a: Any, c: float) -> dict[str, Any]:
    """argmin ½xᵀAx − bᵀx subject to aᵀx = c: the KKT system [[A, a], [aᵀ, 0]] [x; λ] = [b; c].

    Returns x, lam (for L = f + λ(aᵀx − c)) and value f(x).
    """
    M, bv, av = (np.asarray(t, dtype=float) for t in (A, b, a))
    n = bv.size
    K = np.block([[M, av[:, None]], [av[None, :], np.zeros((1, 1))]])
    sol = np.linalg.solve(K, np.append(bv, float(c)))
    x = sol[:n]
    return {"x": x, "lam": float(sol[n]), "value": float(0.5 * x @ M @ x - bv @ x)}
