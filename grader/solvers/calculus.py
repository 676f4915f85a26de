"""Calculus solvers: derivatives, gradients, gradient descent and backpropagation.

Conventions (CATALOGUE.md and the course notes):
- a polynomial is its coefficient list c0..cd, f(x) = Σ cᵢ xⁱ (lowest degree first);
- σ(z) = 1 / (1 + e^(−z)), computed without overflow for large |z|;
- the quadratic objectives are f(x) = ½xᵀAx + bᵀx (calc-gradient-quadratic, gradient Ax + b)
  and f(x) = ½xᵀAx − bᵀx (opt-gradient-descent, gradient Ax − b), A symmetric;
- gradient descent with learning rate ε: x' = x − ε∇f(x); iterate lists start at x1 (x0 is
  given, not repeated);
- backward passes return ∂f/∂(each input), the shapes of the inputs, for an upstream
  gradient of 1 (or dD for a matrix product).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.solvers.registry import solver


def _vec(x: Any) -> np.ndarray:
    v = np.asarray(x, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"expected a vector, got an array of shape {v.shape}")
    return v


def _mat(A: Any) -> np.ndarray:
    M = np.asarray(A, dtype=float)
    if M.ndim != 2:
        raise ValueError(f"expected a matrix (list of rows), got an array of shape {M.shape}")
    return M


# ---------------------------------------------------------------- polynomials


@solver
def poly_value(coeffs: Any, a: float) -> float:
    """f(a) for f(x) = Σ cᵢ xⁱ with coeffs = [c0, c1, ..., cd]."""
    return float(sum(float(c) * float(a) ** i for i, c in enumerate(coeffs)))


@solver
def poly_derivative(coeffs: Any, a: float) -> float:
    """f′(a) = Σ i·cᵢ·a^(i−1) for f(x) = Σ cᵢ xⁱ."""
    return float(sum(i * float(c) * float(a) ** (i - 1) for i, c in enumerate(coeffs) if i))


@solver
def poly_derivative_no_power(coeffs: Any, a: float) -> float:
    """The mistake Σ cᵢ·a^(i−1): the exponent lowered but not brought down as a factor."""
    return float(sum(float(c) * float(a) ** (i - 1) for i, c in enumerate(coeffs) if i))


@solver
def poly2_gradient(coeffs: Any, point: Any) -> np.ndarray:
    """[∂f/∂x, ∂f/∂y] of f(x, y) = c1·x²y + c2·xy² + c3·x + c4·y, coeffs = [c1, c2, c3, c4]."""
    c1, c2, c3, c4 = (float(c) for c in coeffs)
    x, y = (float(p) for p in point)
    return np.array([2 * c1 * x * y + c2 * y**2 + c3, c1 * x**2 + 2 * c2 * x * y + c4])


@solver
def quadratic_gradient(A: Any, b: Any, x: Any) -> np.ndarray:
    """∇f(x) = Ax + b for f(x) = ½xᵀAx + bᵀx with A symmetric."""
    return _mat(A) @ _vec(x) + _vec(b)


# ---------------------------------------------------------------- sigmoid


@solver
def sigmoid(z: Any) -> Any:
    """σ(z) = 1 / (1 + e^(−z)), element-wise, without overflow for large |z|."""
    a = np.asarray(z, dtype=float)
    # For z < 0 use e^z / (1 + e^z), so the exponent is never positive and cannot overflow.
    ez = np.exp(-np.abs(a))
    out = np.where(a >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))
    return float(out) if out.ndim == 0 else out


@solver
def sigmoid_derivative(z: Any) -> Any:
    """σ′(z) = σ(z)(1 − σ(z)), element-wise, accurate even where σ(z) rounds to 1."""
    a = np.asarray(z, dtype=float)
    # e^(−|z|)/(1 + e^(−|z|))² equals σ(1 − σ) and keeps its tiny value for saturated gates.
    ez = np.exp(-np.abs(a))
    out = ez / (1.0 + ez) ** 2
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------- gradient descent


@solver
def descent_value(A: Any, b: Any, x: Any) -> float:
    """f(x) = ½xᵀAx − bᵀx, the gradient-descent objective."""
    M, u = _mat(A), _vec(x)
    return float(0.5 * u @ M @ u - _vec(b) @ u)


@solver
def gd_step(A: Any, b: Any, x: Any, lr: float) -> np.ndarray:
    """One gradient-descent step on f(x) = ½xᵀAx − bᵀx: x − lr·(Ax − b)."""
    u = _vec(x)
    return u - float(lr) * (_mat(A) @ u - _vec(b))


@solver
def gradient_descent(A: Any, b: Any, x0: Any, lr: float, steps: int) -> list[np.ndarray]:
    """The iterates x1..x_steps of gradient descent on ½xᵀAx − bᵀx from x0 (lr < 0: ascent).

    A learning rate too large for A diverges: values grow (to inf), nothing raises.
    """
    out: list[np.ndarray] = []
    x = _vec(x0)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(steps)):
            x = gd_step(A, b, x, lr)
            out.append(x)
    return out


# ---------------------------------------------------------------- backpropagation


@solver
def add_multiply_backward(u: float, v: float, w: float) -> dict[str, float]:
    """Forward and backward pass of f = (u + v)·w through q = u + v.

    Returns q, f, df_dq (= w), df_du (= w), df_dv (= w), df_dw (= q).
    """
    q = float(u) + float(v)
    return {"q": q, "f": q * float(w), "df_dq": float(w), "df_du": float(w),
            "df_dv": float(w), "df_dw": q}


@solver
def sigmoid_gate(w: Any, x: Any) -> dict[str, Any]:
    """The sigmoid gate f = σ(w0·x0 + w1·x1 + w2): forward values and gradients.

    Returns dot, f, df_ddot (= σ′(dot) = f(1 − f)), df_dw = [x0, x1, 1]·df_ddot,
    df_dx = [w0, w1]·df_ddot.
    """
    wv, xv = _vec(w), _vec(x)
    if wv.size != xv.size + 1:
        raise ValueError(f"w needs one weight per input plus a bias: got {wv.size} weights "
                         f"for {xv.size} inputs")
    dot = float(wv[:-1] @ xv + wv[-1])
    f, g = sigmoid(dot), sigmoid_derivative(dot)
    return {"dot": dot, "f": f, "df_ddot": g, "df_dw": np.append(xv, 1.0) * g,
            "df_dx": wv[:-1] * g}


@solver
def sigmoid_backward(w: Any, x: Any) -> tuple[float, np.ndarray, np.ndarray]:
    """(f, df/dw, df/dx) of the sigmoid gate f = σ(w·[x, 1]); see sigmoid_gate."""
    g = sigmoid_gate(w, x)
    return g["f"], g["df_dw"], g["df_dx"]


@solver
def matmul_backward(W: Any, X: Any, dD: Any) -> tuple[np.ndarray, np.ndarray]:
    """(dW, dX) = (dD·Xᵀ, Wᵀ·dD) for D = WX with upstream gradient dD (shape of D)."""
    Wm, Xm, G = _mat(W), _mat(X), _mat(dD)
    if Wm.shape[1] != Xm.shape[0]:
        raise ValueError(f"D = WX is undefined: W is {Wm.shape}, X is {Xm.shape}")
    if G.shape != (Wm.shape[0], Xm.shape[1]):
        raise ValueError(f"dD must have the shape of D, {(Wm.shape[0], Xm.shape[1])}, "
                         f"got {G.shape}")
    return G @ Xm.T, Wm.T @ G



# ---------------------------------------------------------------- prompt helpers


@solver
def latex_terms(coeffs: Any, monomials: Any) -> str:
    """LaTeX for Σ coeffs[i]·monomials[i], skipping zero terms: ([3, -1, 1], ["", "x", "x^2"])
    gives "3 - x + x^2". For writing a drawn polynomial into a prompt."""
    if len(coeffs) != len(monomials):
        raise ValueError(f"{len(coeffs)} coefficients for {len(monomials)} monomials")
    out = ""
    for c, m in zip(coeffs, monomials):
        c = float(c)
        if c == 0:
            continue
        mag = abs(c)
        text = f"{mag:g}" if (mag != 1 or not m) else ""
        sign = ("-" if c < 0 else "") if not out else (" - " if c < 0 else " + ")
        out += f"{sign}{text}{m}"
    return out or "0"
