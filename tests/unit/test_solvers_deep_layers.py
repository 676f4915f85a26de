"""Deep-learning solvers (grader/solvers/deep_layers.py) against values obtained without them.

Expected values: the corr2d example of d2l.ai §7.2 ("Convolutions for Images":
X = [[0,1,2],[3,4,5],[6,7,8]], K = [[0,1],[2,3]] gives [[19,25],[37,43]]),
scipy.signal.correlate2d/convolve2d, scipy.special.softmax, scipy.special.log_expit,
central finite differences for every gradient, scipy.integrate.quad of p·log(p/q) for the
Gaussian KL, and the VAE formula of Kingma & Welling (2014), appendix B:
−D_KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (1 + log σ² − μ² − σ²).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import numdiff
import pytest
from scipy import integrate, optimize, signal, special, stats

from grader.solvers import deep_layers as D

RNG = np.random.default_rng(14)
H = 1e-6


def central_diff(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    return numdiff.central_diff(f, x, H)


# ---------------------------------------------------------------- convolution


def test_conv2d_reproduces_the_d2l_corr2d_example() -> None:
    Y = D.conv2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(Y, [[19, 25], [37, 43]])


@pytest.mark.parametrize("trial", range(20))
def test_conv2d_agrees_with_scipy_correlate2d(trial: int) -> None:
    h, w = RNG.integers(3, 7, size=2)
    X = RNG.integers(-5, 6, size=(h, w))
    kh, kw = RNG.choice([1, 3], size=2)
    K = RNG.integers(-3, 4, size=(kh, kw))
    np.testing.assert_allclose(D.conv2d(X, K, "valid"), signal.correlate2d(X, K, "valid"))
    np.testing.assert_allclose(D.conv2d(X, K, "same"), signal.correlate2d(X, K, "same"))
    assert D.conv2d_shape(X, K, "same") == D.conv2d(X, K, "same").shape
    assert D.conv2d_shape(X, K, "valid") == D.conv2d(X, K, "valid").shape
    # The "kernel flipped" mistake is the mathematical convolution.
    np.testing.assert_allclose(D.conv2d(X, K, "valid", flip=True),
                               signal.convolve2d(X, K, "valid"))


def test_conv2d_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ValueError, match="odd kernel"):
        D.conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]], "same")
    with pytest.raises(ValueError, match="larger than the input"):
        D.conv2d([[1, 2]], [[1], [1]])
    with pytest.raises(ValueError, match="'valid' or 'same'"):
        D.conv2d([[1, 2]], [[1]], "full")


# ---------------------------------------------------------------- attention


def _attention_oracle(Q: np.ndarray, K: np.ndarray, V: np.ndarray, causal: bool) -> np.ndarray:
    S = np.einsum("id,jd->ij", Q, K) / math.sqrt(Q.shape[1])
    if causal:
        S = S + np.triu(np.full(S.shape, -np.inf), 1)
    return special.softmax(S, axis=-1) @ V


@pytest.mark.parametrize("causal", [False, True])
def test_attention_agrees_with_scipy_softmax(causal: bool) -> None:
    for _ in range(20):
        n, d = RNG.integers(1, 5, size=2)
        Q, K = RNG.normal(size=(n, d)), RNG.normal(size=(n, d))
        V = RNG.normal(size=(n, 3))
        np.testing.assert_allclose(D.attention(Q, K, V, causal),
                                   _attention_oracle(Q, K, V, causal), rtol=1e-12)


def test_attention_hand_values() -> None:
    # Two one-hot queries and keys, d_k = 2: scores 1/√2 on the diagonal, 0 off it.
    a = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # softmax([1/√2, 0])[0]
    out = D.attention([[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 2], [3, 4]])
    np.testing.assert_allclose(out, [[a + 3 * (1 - a), 2 * a + 4 * (1 - a)],
                                     [(1 - a) + 3 * a, 2 * (1 - a) + 4 * a]])
    masked = D.attention_weights([[1, 0], [0, 1]], [[1, 0], [0, 1]], True)
    np.testing.assert_allclose(masked, [[1, 0], [1 - a, a]])
    # Scores of 1000 and 0 (e^1000 overflows) neither overflow nor give nan.
    big = D.attention([[2000, 0, 0, 0]], [[1, 0, 0, 0], [0, 1, 0, 0]], [[1, 2], [3, 4]])
    np.testing.assert_allclose(big, [[1, 2]])


def test_attention_mistakes_are_what_they_say() -> None:
    Q, K = np.array([[1, 1, 1, 1], [0, 1, -1, 0]]), np.array([[1, 0, 1, 0], [1, 1, 0, 0]])
    np.testing.assert_allclose(D.attention_scores(Q, K, scale="none"), Q @ K.T)
    np.testing.assert_allclose(D.attention_scores(Q, K, scale="d"), Q @ K.T / 4)
    cols = D.attention_weights(Q, K, axis=0)
    np.testing.assert_allclose(cols, special.softmax(Q @ K.T / 2, axis=0))


# ---------------------------------------------------------------- logistic regression


def _loss(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    z = X @ theta[:-1] + theta[-1]
    return float(-np.mean(y * special.log_expit(z) + (1 - y) * special.log_expit(-z)))


@pytest.mark.parametrize("trial", range(20))
def test_logistic_gradients_match_finite_differences(trial: int) -> None:
    m, d = RNG.integers(1, 6), RNG.integers(1, 4)
    X, y = RNG.integers(-3, 4, size=(m, d)).astype(float), RNG.integers(0, 2, size=m)
    w, b = RNG.normal(size=d), float(RNG.normal())
    r = D.logistic_regression(X, y, w, b, 0.5)
    theta = np.append(w, b)
    assert r["loss"] == pytest.approx(_loss(X, y, theta), rel=1e-12)
    fd = central_diff(lambda t: _loss(X, y, t), theta)
    np.testing.assert_allclose(np.append(r["grad_w"], r["grad_b"]), fd, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(r["w_new"], w - 0.5 * fd[:-1], rtol=1e-5, atol=1e-8)
    assert r["b_new"] == pytest.approx(b - 0.5 * fd[-1], rel=1e-5, abs=1e-8)


def test_logistic_hand_values_and_mistakes() -> None:
    # w = 0, b = 0: every p = ½, loss log 2; ∇w = Xᵀ(½ − y)/2 = ([1,2]·(−½) + [0,1]·½)/2.
    r = D.logistic_regression([[1, 2], [0, 1]], [1, 0], [0, 0], 0)
    assert r["loss"] == pytest.approx(math.log(2))
    np.testing.assert_allclose(r["grad_w"], [-0.25, -0.25])
    summed = D.logistic_regression([[1, 2], [0, 1]], [1, 0], [0, 0], 0, reduce="sum")
    np.testing.assert_allclose(summed["grad_w"], [-0.5, -0.5])
    # σ forgotten: p = z = 0, so ∇w = Xᵀ(0 − y)/2 = [−½, −1].
    linear = D.logistic_regression([[1, 2], [0, 1]], [1, 0], [0, 0], 0, link="identity")
    np.testing.assert_allclose(linear["grad_w"], [-0.5, -1.0])
    # Scores of ±1000: finite loss 1000 when both are wrong.
    far = D.logistic_regression([[1000, 0], [-1000, 0]], [0, 1], [1, 0], 0)
    assert far["loss"] == pytest.approx(1000)


# ---------------------------------------------------------------- Gaussian KL


def _kl_quad(m1: float, s1: float, m2: float, s2: float) -> float:
    p, q = stats.norm(m1, s1), stats.norm(m2, s2)
    value, _ = integrate.quad(lambda x: p.pdf(x) * (p.logpdf(x) - q.logpdf(x)),
                              m1 - 15 * s1, m1 + 15 * s1, epsabs=1e-12, epsrel=1e-10)
    return value


@pytest.mark.parametrize("trial", range(20))
def test_gaussian_kl_matches_numerical_integration(trial: int) -> None:
    m1, m2 = RNG.integers(-3, 4, size=2)
    s1, s2 = RNG.choice([0.5, 1, 2, 3], size=2)
    assert D.gaussian_kl(m1, s1, m2, s2) == pytest.approx(_kl_quad(m1, s1, m2, s2),
                                                          rel=1e-7, abs=1e-9)


def test_gaussian_kl_diagonal_is_the_vae_formula() -> None:
    mu, sigma = np.array([1.0, -1.0, 0.5]), np.array([0.5, 2.0, 1.0])
    neg = 0.5 * np.sum(1 + np.log(sigma**2) - mu**2 - sigma**2)  # Kingma & Welling, app. B
    assert D.gaussian_kl(mu, sigma, np.zeros(3), np.ones(3)) == pytest.approx(-neg)
    assert D.gaussian_kl(1.5, 0.7, 1.5, 0.7) == 0.0
    with pytest.raises(ValueError, match="positive"):
        D.gaussian_kl(0, 0, 0, 1)


def test_gaussian_kl_variance_in_log_mistake() -> None:
    # log(σ₂²/σ₁²) in place of log(σ₂/σ₁): the answer plus log(σ₂/σ₁) once more.
    right = D.gaussian_kl(0, 1, 1, 2)
    assert right == pytest.approx(math.log(2) + 2 / 8 - 0.5)
    assert D.gaussian_kl(0, 1, 1, 2, var_in_log=True) == pytest.approx(right + math.log(2))


# ---------------------------------------------------------------- logistic Newton (IRLS)


def _loss_no_bias(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    return _loss(X, y, np.append(w, 0.0))


@pytest.mark.parametrize("trial", range(10))
def test_logistic_hessian_matches_second_differences(trial: int) -> None:
    X, y = RNG.integers(-2, 3, size=(4, 2)).astype(float), RNG.integers(0, 2, size=4)
    w = RNG.normal(size=2)
    h, H = 1e-4, np.zeros((2, 2))
    f = lambda v: _loss_no_bias(X, y, w + v)
    for i, j in np.ndindex(2, 2):
        ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
        H[i, j] = (f(ei + ej) - f(ei - ej) - f(-ei + ej) + f(-ei - ej)) / (4 * h * h)
    r = D.logistic_newton(X, y, w)
    np.testing.assert_allclose(r["hessian"], H, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(r["grad"], central_diff(lambda v: _loss_no_bias(X, y, v), w),
                               rtol=1e-5, atol=1e-8)


def test_newton_iterations_reach_scipys_minimiser() -> None:
    # Labels that no line through the origin separates, so the minimiser is finite.
    X, y = np.array([[1.0, 0], [0, 1], [1, 1], [-1, 1], [2, -1]]), np.array([1, 0, 0, 1, 1])
    w = np.zeros(2)
    for _ in range(12):
        w = D.logistic_newton(X, y, w)["w_new"]
    ref = optimize.minimize(lambda v: _loss_no_bias(X, y, v), np.zeros(2), tol=1e-12).x
    np.testing.assert_allclose(w, ref, rtol=1e-5, atol=1e-6)


def test_irls_first_step_by_hand_and_its_mistakes() -> None:
    # w = 0: p = ½, weights ¼; ∇L = Xᵀ(½ − y)/3 = (0, ⅓); H = XᵀX/12 = [[2, 1], [1, 2]]/12.
    X, y = [[1, 0], [0, 1], [1, 1]], [1, 0, 0]
    r = D.logistic_newton(X, y, [0, 0])
    np.testing.assert_allclose(r["grad"], [0, 1 / 3], atol=1e-15)
    np.testing.assert_allclose(r["hessian"], np.array([[2, 1], [1, 2]]) / 12)
    np.testing.assert_allclose(r["w_new"], [4 / 3, -8 / 3])
    # XᵀX/3 as the Hessian: a step a quarter as long.
    np.testing.assert_allclose(D.logistic_newton(X, y, [0, 0], weighted=False)["w_new"],
                               [1 / 3, -2 / 3])
    np.testing.assert_allclose(D.logistic_newton(X, y, [0, 0], step="gradient")["w_new"],
                               [0, -1 / 3], atol=1e-15)
    assert D.min_pairwise_gap([[0, 0], [0, 1], [3, 1]]) == 1.0
