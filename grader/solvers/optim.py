"""Optimiser solvers: heavy-ball momentum, Adam and Newton's method.

Conventions (CATALOGUE.md, exercises opt-momentum, opt-adam, opt-newton):
- the quadratic objective is f(x) = ½xᵀAx − bᵀx with gradient Ax − b, as in
  opt-gradient-descent;
- momentum (d2l.ai §12.6): v_t = β v_{t−1} + ∇f(x_{t−1}), x_t = x_{t−1} − ε v_t, v_0 = 0;
- Adam (Kingma & Ba 2015, algorithm 1): m_t = β₁m_{t−1} + (1−β₁)g_t,
  v_t = β₂v_{t−1} + (1−β₂)g_t², m̂_t = m_t/(1−β₁ᵗ), v̂_t = v_t/(1−β₂ᵗ),
  x_t = x_{t−1} − α m̂_t/(√v̂_t + ε), m_0 = v_0 = 0;
- Newton's method for a minimum of f(x) = Σ cᵢxⁱ: x_t = x_{t−1} − f′(x_{t−1})/f″(x_{t−1});
- a trace lists the states after steps 1..k (the start is given, not repeated); each state
  is a record, so a sequence part can follow through from a student's own previous state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.solvers.registry import solver

State = dict[str, Any]


def _grad(A: Any, b: Any, x: Any) -> np.ndarray:
    return np.asarray(A, dtype=float) @ np.asarray(x, dtype=float) - np.asarray(b, dtype=float)


# ---------------------------------------------------------------- momentum


@solver
def momentum_step(A: Any, b: Any, eps: float, beta: float, prev: Mapping[str, Any], *,
                  ema: bool = False) -> State:
    """One heavy-ball step from prev = {x, v}: v' = βv + g, x' = x − εv'.

    ema=True is the mistake v' = βv + (1 − β)g (the exponential-average form).
    """
    x, v = np.asarray(prev["x"], dtype=float), np.asarray(prev["v"], dtype=float)
    g = _grad(A, b, x)
    v_new = beta * v + ((1 - beta) * g if ema else g)
    return {"x": x - eps * v_new, "v": v_new}


@solver
def momentum_trace(A: Any, b: Any, x0: Any, eps: float, beta: float, k: int, *,
                   ema: bool = False) -> list[State]:
    """The states {x, v} after steps 1..k of heavy-ball momentum from x0 with v0 = 0."""
    state: State = {"x": np.asarray(x0, dtype=float), "v": np.zeros(len(x0))}
    out = []
    for _ in range(int(k)):
        state = momentum_step(A, b, eps, beta, state, ema=ema)
        out.append(state)
    return out


# ---------------------------------------------------------------- Adam


@solver
def adam_step(A: Any, b: Any, lr: float, beta1: float, beta2: float, eps: float,
              prev: Mapping[str, Any], *, correct: bool = True, root: bool = True) -> State:
    """One Adam step from prev = {t, x, m, v} on f = ½xᵀAx − bᵀx; returns {t+1, x, m, v}.

    correct=False is the mistake "no bias correction"; root=False divides by v̂ instead of √v̂.
    """
    t = int(prev["t"]) + 1
    x = np.asarray(prev["x"], dtype=float)
    g = _grad(A, b, x)
    m = beta1 * np.asarray(prev["m"], dtype=float) + (1 - beta1) * g
    v = beta2 * np.asarray(prev["v"], dtype=float) + (1 - beta2) * g * g
    m_hat, v_hat = (m / (1 - beta1**t), v / (1 - beta2**t)) if correct else (m, v)
    denom = np.sqrt(v_hat) if root else v_hat
    return {"t": t, "x": x - lr * m_hat / (denom + eps), "m": m, "v": v}


@solver
def adam_trace(A: Any, b: Any, x0: Any, lr: float, beta1: float, beta2: float, eps: float,
               k: int, *, correct: bool = True, root: bool = True) -> list[State]:
    """The states {t, x, m, v} after Adam steps 1..k from x0 with m0 = v0 = 0."""
    n = len(x0)
    state: State = {"t": 0, "x": np.asarray(x0, dtype=float), "m": np.zeros(n),
                    "v": np.zeros(n)}
    out = []
    for _ in range(int(k)):
        state = adam_step(A, b, lr, beta1, beta2, eps, state, correct=correct, root=root)
        out.append(state)
    return out


@solver
def impl_adam(A: Any, b: Any, x0: Any, lr: float, steps: int, beta1: float = 0.9,
              beta2: float = 0.999, eps: float = 1e-8) -> list[np.ndarray]:
    """The iterates x1..x_steps of Adam (with bias correction) on ½xᵀAx − bᵀx from x0."""
    return [s["x"] for s in adam_trace(A, b, x0, lr, beta1, beta2, eps, steps)]


# ---------------------------------------------------------------- Newton


def _poly_d(coeffs: Any, x: float, order: int) -> float:
    p = np.polynomial.Polynomial(np.asarray(coeffs, dtype=float))
    return float(p.deriv(order)(x)) if order else float(p(x))


@solver
def newton_curvature(coeffs: Any, x: float) -> float:
    """f″(x) for f = Σ cᵢxⁱ, the curvature a Newton step divides by."""
    return _poly_d(coeffs, float(x), 2)


@solver
def newton_step(coeffs: Any, prev: float, *, kind: str = "newton") -> float:
    """One step for a minimum of f = Σ cᵢxⁱ from prev: x − f′(x)/f″(x).

    kind="root" is the mistake x − f(x)/f′(x) (Newton for f = 0, not f′ = 0);
    kind="gradient" is x − f′(x) (a gradient step with rate 1, no curvature).
    """
    x = float(prev)
    if kind == "root":
        return x - _poly_d(coeffs, x, 0) / _poly_d(coeffs, x, 1)
    if kind == "gradient":
        return x - _poly_d(coeffs, x, 1)
    return x - _poly_d(coeffs, x, 1) / _poly_d(coeffs, x, 2)


@solver
def newton_trace(coeffs: Any, x0: float, k: int, *, kind: str = "newton") -> list[float]:
    """The iterates x1..xk of newton_step from x0."""
    out, x = [], float(x0)
    for _ in range(int(k)):
        x = newton_step(coeffs, x, kind=kind)
        out.append(x)
    return out
