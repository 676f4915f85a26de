"""grader/solvers/gaussian.py against values obtained without it.

Expected values: scipy.stats.multivariate_normal and scipy.spatial.distance.mahalanobis;
the conditional Gaussian in its precision-matrix form, Bishop, Pattern Recognition and
Machine Learning (2006), eqs. 2.73 and 2.75 (E[x_a | x_b] = μ_a − Λ_aa⁻¹Λ_ab(x_b − μ_b),
Var = Λ_aa⁻¹); a seeded Monte Carlo simulation for the shrinkage estimator; scipy.optimize's
SLSQP for the constrained quadratic, with λ recovered from its stationarity condition.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats
from scipy.spatial import distance

from grader.solvers import gaussian as S

RNG = np.random.default_rng(2020)


def _gaussian() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    M = RNG.normal(size=(2, 2))
    return RNG.normal(size=2), M @ M.T + 0.5 * np.eye(2), RNG.normal(size=2) * 2


@pytest.mark.parametrize("trial", range(20))
def test_density_and_distance_agree_with_scipy(trial: int) -> None:
    mu, Sigma, x = _gaussian()
    pdf = stats.multivariate_normal(mu, Sigma).pdf(x)
    assert S.mvn_density(mu, Sigma, x) == pytest.approx(pdf, rel=1e-10)
    d = distance.mahalanobis(x, mu, np.linalg.inv(Sigma))
    assert S.mahalanobis(mu, Sigma, x) == pytest.approx(d, rel=1e-10)
    assert S.mahalanobis(mu, Sigma, x, squared=True) == pytest.approx(d * d, rel=1e-10)
    # The mistakes, each rebuilt from scipy's pdf: det not rooted divides by √det once more;
    # no ½ in the exponent squares the exponential.
    det = np.linalg.det(Sigma)
    assert S.mvn_density(mu, Sigma, x, root_det=False) == pytest.approx(pdf / math.sqrt(det))
    assert S.mvn_density(mu, Sigma, x, half=False) == pytest.approx(
        pdf**2 * 2 * math.pi * math.sqrt(det))


@pytest.mark.parametrize("trial", range(20))
def test_conditional_matches_the_precision_form(trial: int) -> None:
    mu, Sigma, _ = _gaussian()
    L = np.linalg.inv(Sigma)
    v = float(RNG.normal())
    cond = S.mvn_conditional(mu, Sigma, v)
    assert cond["mean"] == pytest.approx(mu[0] - L[0, 1] / L[0, 0] * (v - mu[1]))
    assert cond["var"] == pytest.approx(1 / L[0, 0])


def test_conditional_hand_values() -> None:
    # Σ = [[2, 1], [1, 4]], μ = 0, v = 2: mean 1/4·2 = 0.5, var 2 − 1/4 = 1.75.
    cond = S.mvn_conditional([0, 0], [[2, 1], [1, 4]], 2)
    assert (cond["mean"], cond["var"]) == (0.5, 1.75)
    swapped = S.mvn_conditional([0, 0], [[2, 1], [1, 4]], 2, swapped=True)
    assert (swapped["mean"], swapped["var"]) == (1.0, 1.5)
    with pytest.raises(ValueError, match="2x2"):
        S.mvn_conditional([0, 0, 0], np.eye(3), 1)


@pytest.mark.parametrize(("c", "mu", "sigma2", "n"), [(0.5, 2, 4, 5), (0.8, -3, 9, 10),
                                                      (0.9, 1, 1, 4)])
def test_shrinkage_risk_matches_a_simulation(c: float, mu: float, sigma2: float, n: int) -> None:
    rng = np.random.default_rng(7)
    est = c * rng.normal(mu, math.sqrt(sigma2), size=(200_000, n)).mean(axis=1)
    risk = S.shrinkage_risk(c, mu, sigma2, n)
    sd = math.sqrt(risk["variance"] / 200_000)  # standard error of the simulated mean
    assert risk["bias"] == pytest.approx(est.mean() - mu, abs=5 * sd)
    assert risk["variance"] == pytest.approx(est.var(), rel=0.02)
    assert risk["mse"] == pytest.approx(np.mean((est - mu) ** 2), rel=0.02)


@pytest.mark.parametrize("trial", range(15))
def test_lagrange_agrees_with_slsqp(trial: int) -> None:
    M = RNG.normal(size=(2, 2))
    A, b = M @ M.T + np.eye(2), RNG.integers(-3, 4, size=2).astype(float)
    a, c = RNG.integers(1, 3, size=2) * RNG.choice([-1, 1], size=2), float(RNG.integers(-3, 4))
    res = optimize.minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(2), method="SLSQP",
                            constraints=[{"type": "eq", "fun": lambda x: a @ x - c}],
                            options={"ftol": 1e-14, "maxiter": 500})
    got = S.lagrange_quadratic(A, b, a, c)
    np.testing.assert_allclose(got["x"], res.x, rtol=1e-6, atol=1e-7)
    assert got["value"] == pytest.approx(res.fun, rel=1e-8, abs=1e-9)
    # ∇f(x*) + λa = 0, solved for λ by least squares from scipy's x.
    lam = np.linalg.lstsq(a[:, None].astype(float), -(A @ res.x - b), rcond=None)[0][0]
    assert got["lam"] == pytest.approx(lam, rel=1e-5, abs=1e-6)


def test_lagrange_hand_example() -> None:
    # min ½(x² + y²) s.t. x + y = 2: x = y = 1, ∇f = (1, 1) = −λ(1, 1), λ = −1, f = 1.
    got = S.lagrange_quadratic(np.eye(2), [0, 0], [1, 1], 2)
    np.testing.assert_allclose(got["x"], [1, 1])
    assert (got["lam"], got["value"]) == (pytest.approx(-1), pytest.approx(1))
