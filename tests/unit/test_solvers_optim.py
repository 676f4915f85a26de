"""Optimiser solvers (grader/solvers/optim.py) against values obtained without them.

Expected values: momentum against Polyak's two-step form x_{t+1} = x_t − ε∇f(x_t) +
β(x_t − x_{t−1}) (a different formula with the same iterates); Adam against a plain
per-coordinate transcription of Kingma & Ba (2015), algorithm 1, and its §2.1 remark that
the first step moves each coordinate by α (|m̂₁/√v̂₁| = 1); Newton's method against
scipy.optimize.minimize_scalar and against hand values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize

from grader.solvers import optim as O

RNG = np.random.default_rng(1415)


def _quadratic() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    M = RNG.normal(size=(2, 2))
    return M @ M.T + np.eye(2), RNG.integers(-3, 4, size=2).astype(float), RNG.normal(size=2)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_matches_polyaks_two_step_form(beta: float) -> None:
    A, b, x0 = _quadratic()
    eps = 0.1
    trace = O.momentum_trace(A, b, x0, eps, beta, 6)
    prev, x = x0, x0 - eps * (A @ x0 - b)  # Polyak's x1: v0 = 0 gives a plain step
    np.testing.assert_allclose(trace[0]["x"], x)
    for state in trace[1:]:
        prev, x = x, x - eps * (A @ x - b) + beta * (x - prev)
        np.testing.assert_allclose(state["x"], x, rtol=1e-12)


def test_momentum_hand_values_and_the_averaged_mistake() -> None:
    # f = ½(2x² + 4y²) − (x + y), x0 = 0: g0 = (−1, −1), v1 = g0, x1 = (0.1, 0.1);
    # g1 = (−0.8, −0.6), v2 = 0.9·(−1, −1) + g1 = (−1.7, −1.5), x2 = (0.27, 0.25).
    t = O.momentum_trace([[2, 0], [0, 4]], [1, 1], [0, 0], 0.1, 0.9, 2)
    np.testing.assert_allclose(t[1]["x"], [0.27, 0.25])
    np.testing.assert_allclose(t[1]["v"], [-1.7, -1.5])
    # EMA form: v1 = 0.1·g0 = (−0.1, −0.1), x1 = (0.01, 0.01).
    ema = O.momentum_trace([[2, 0], [0, 4]], [1, 1], [0, 0], 0.1, 0.9, 1, ema=True)
    np.testing.assert_allclose(ema[0]["x"], [0.01, 0.01])


def _adam_by_hand(A: np.ndarray, b: np.ndarray, x0: np.ndarray, lr: float, k: int,
                  b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> list[list[float]]:
    x, m, v, out = list(map(float, x0)), [0.0] * len(x0), [0.0] * len(x0), []
    for t in range(1, k + 1):
        g = [sum(A[i][j] * x[j] for j in range(len(x))) - b[i] for i in range(len(x))]
        for i in range(len(x)):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            x[i] -= lr * (m[i] / (1 - b1**t)) / (math.sqrt(v[i] / (1 - b2**t)) + eps)
        out.append(list(x))
    return out


def test_adam_matches_the_papers_algorithm() -> None:
    for _ in range(10):
        A, b, x0 = _quadratic()
        got = [s["x"] for s in O.adam_trace(A, b, x0, 0.1, 0.9, 0.999, 1e-8, 7)]
        np.testing.assert_allclose(got, _adam_by_hand(A, b, x0, 0.1, 7), rtol=1e-12)
        np.testing.assert_allclose(O.impl_adam(A, b, x0, 0.1, 7), got)


def test_adam_first_step_is_alpha_per_coordinate_and_mistakes_differ() -> None:
    A, b, x0 = np.array([[2.0, 0], [0, 4]]), np.array([1.0, -3.0]), np.zeros(2)
    (first,) = O.adam_trace(A, b, x0, 0.5, 0.9, 0.999, 1e-8, 1)
    np.testing.assert_allclose(first["x"], [0.5, -0.5], rtol=1e-7)  # −α·sign(g0)
    # Without bias correction the first step is α(1−β₁)/√(1−β₂) = 3.16α per coordinate.
    (raw,) = O.adam_trace(A, b, x0, 0.5, 0.9, 0.999, 1e-8, 1, correct=False)
    np.testing.assert_allclose(raw["x"], np.array([0.5, -0.5]) * 0.1 / math.sqrt(0.001),
                               rtol=1e-6)  # ε = 1e-8 now weighs against √v = 0.03|g|
    # Without the root: α·m̂/v̂ = α·g/g² = α/g.
    (flat,) = O.adam_trace(A, b, x0, 0.5, 0.9, 0.999, 1e-8, 1, root=False)
    np.testing.assert_allclose(flat["x"], [0.5 / 1, 0.5 / -3], rtol=1e-7)


def test_adam_zero_gradient_coordinate_stays_put() -> None:
    xs = O.impl_adam([[2, 0], [0, 4]], [2, 0], [0, 0], 0.1, 4)
    assert all(x[1] == 0 and np.isfinite(x).all() for x in xs)


def test_newton_converges_to_scipys_minimiser() -> None:
    coeffs = [1, -2, 0, 0, 1]  # f = x⁴ − 2x + 1, f″ = 12x² > 0 away from 0
    x = O.newton_trace(coeffs, 1.0, 8)[-1]
    ref = optimize.minimize_scalar(lambda t: t**4 - 2 * t + 1, bracket=(0.5, 1.0)).x
    assert x == pytest.approx(ref, rel=1e-7)
    assert x == pytest.approx(0.5 ** (1 / 3), rel=1e-12)  # f′ = 4x³ − 2 = 0


def test_newton_hand_step_and_its_mistakes() -> None:
    coeffs = [1, -2, 0, 0, 1]  # at x = 1: f = 0, f′ = 2, f″ = 12
    assert O.newton_step(coeffs, 1.0) == pytest.approx(1 - 2 / 12)
    assert O.newton_step(coeffs, 1.0, kind="gradient") == pytest.approx(1 - 2)
    assert O.newton_step([2, -2, 0, 0, 1], 1.0, kind="root") == pytest.approx(1 - 1 / 2)


def test_newton_curvature_against_numpy_and_second_differences() -> None:
    coeffs = [0, -3, 2, 0, 1]  # f″ = 12x² + 4
    for x in (-2.0, 0.5, 1.0):
        assert O.newton_curvature(coeffs, x) == pytest.approx(12 * x * x + 4)
        assert O.newton_curvature(coeffs, x) == pytest.approx(
            np.polyval(np.polyder(coeffs[::-1], 2), x))
        h = 1e-4
        f = lambda t: np.polyval(coeffs[::-1], t)
        fd = (f(x + h) - 2 * f(x) + f(x - h)) / h**2
        assert O.newton_curvature(coeffs, x) == pytest.approx(fd, rel=1e-5)
