"""The issue-14 solvers (deep_linalg, deep_calculus, deep_backprop) against values obtained
without them: scipy/numpy decompositions, central finite differences of a forward pass written
here, brute-force counting, and published worked examples (named where used).

Each check runs on the parameters of 200 variants of the exercise that uses the solver, so
what is compared is what students are graded against.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import numdiff
import pytest
from scipy import linalg, special

from grader.authoring import variant as V
from grader.authoring.spec import find_exercise
from grader.core.seeding import make_rng
from grader.solvers import deep_backprop as B
from grader.solvers import deep_calculus as C
from grader.solvers import deep_linalg as L

SEEDS = range(200)


def variants(exercise_id: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(params, reference answers) of the exercise's variants for SEEDS."""
    exercise = find_exercise(exercise_id)
    for seed in SEEDS:
        var = V.make_variant(exercise, make_rng(seed))
        yield dict(var.params), dict(var.answers)


fd = numdiff.central_diff


def close(got: Any, want: Any, tol: float = 1e-6) -> None:
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float),
                               rtol=tol, atol=tol)


# ---------------------------------------------------------------- la-svd


def test_svd_singular_values_and_rank1_error_match_scipy() -> None:
    for params, ans in variants("la-svd"):
        A = np.asarray(params["A"], float)
        close(ans["singular_values"], linalg.svdvals(A))
        U, s, Vt = linalg.svd(A)
        A1 = s[0] * np.outer(U[:, 0], Vt[0])
        close(ans["rank1_error"], np.linalg.norm(A - A1, "fro"))


# ---------------------------------------------------------------- la-pca


def test_pca_matches_the_svd_of_the_centred_data() -> None:
    for params, ans in variants("la-pca"):
        X = np.asarray(params["X"], float)
        close(ans["mean"], X.mean(axis=0))
        close(ans["covariance"], np.cov(X.T, bias=True))
        # Principal directions are the right singular vectors of the centred data.
        _, s, Vt = linalg.svd(X - X.mean(axis=0))
        assert abs(abs(np.dot(ans["direction"], Vt[0])) - 1) < 1e-9
        close(ans["explained_variance_ratio"], s[0] ** 2 / np.sum(s ** 2))


def test_pca_mistakes_are_what_they_say() -> None:
    X = [[0, 5], [1, -2], [-4, -7], [-5, 0]]  # mean (-2, -1): centred rows ±(2, 6), ±(3, -1)
    close(L.data_covariance(X, 1), np.cov(np.asarray(X, float).T))  # n − 1
    assert abs(L.pca_direction(X) @ L.pca_direction(X, 1)) < 1e-12
    # λ = 20, 5 (the squared half-lengths ½‖(2,6)‖², ½‖(3,−1)‖²).
    close(L.pca_variances(X), [20, 5])
    close(L.explained_sd_ratio(X), math.sqrt(20) / (math.sqrt(20) + math.sqrt(5)))


# ---------------------------------------------------------------- la-least-squares


def test_least_squares_matches_scipy() -> None:
    for params, ans in variants("la-least-squares"):
        A, b = np.asarray(params["A"], float), np.asarray(params["b"], float)
        x, res, *_ = linalg.lstsq(A, b)
        close(ans["AtA"], A.T @ A)
        close(ans["Atb"], A.T @ b)
        close(ans["x"], x)
        close(ans["residual_norm"], math.sqrt(res))


def test_least_squares_reproduces_strangs_worked_example() -> None:
    # Strang, Introduction to Linear Algebra, §4.3: the best line through (0, 6), (1, 0),
    # (2, 0) is b = 5 − 3t; the error e = (1, −2, 1) has length √6.
    A, b = [[1, 0], [1, 1], [1, 2]], [6, 0, 0]
    close(L.least_squares(A, b), [5, -3])
    close(L.residual_norm(A, b), math.sqrt(6))
    close(L.square_subsystem(A, b), [6, -6])  # the first two equations only
    with pytest.raises(ValueError, match="full column rank"):
        L.least_squares([[1, 2], [2, 4], [3, 6]], [1, 2, 3])


# ---------------------------------------------------------------- la-condition-number


def test_condition_number_matches_numpy() -> None:
    for params, ans in variants("la-condition-number"):
        A = np.asarray(params["A"], float)
        close(ans["kappa"], np.linalg.cond(A, 2))
        close(ans["norm"], np.linalg.norm(A, 2))
        close(ans["inv_norm"], np.linalg.norm(np.linalg.inv(A), 2))


def test_condition_number_mistakes() -> None:
    A = [[1, 2], [0, 3]]  # upper triangular: eigenvalues 1 and 3
    close(L.eigenvalue_ratio(A), 3.0)
    close(L.frobenius_condition(A), np.linalg.cond(A, "fro"))
    assert L.condition_number([[1, 2], [2, 4]]) == math.inf
    with pytest.raises(ValueError, match="complex"):
        L.eigenvalue_ratio([[0, -1], [1, 0]])


# ---------------------------------------------------------------- calc-softmax-jacobian


def test_softmax_jacobian_is_the_finite_difference_jacobian() -> None:
    for params, ans in variants("calc-softmax-jacobian"):
        z = np.asarray(params["z"], float)
        close(ans["probs"], special.softmax(z))
        close(ans["jacobian"], fd(special.softmax, z), tol=1e-7)


# ---------------------------------------------------------------- calc-jacobian-chain


def test_chain_jacobian_is_the_finite_difference_jacobian() -> None:
    for params, ans in variants("calc-jacobian-chain"):
        check_chain(np.asarray(params["W"], float), np.asarray(params["x"], float), ans)


def check_chain(W: np.ndarray, x: np.ndarray, ans: dict[str, Any]) -> None:
    def g(u: np.ndarray) -> np.ndarray:
        return np.array([u[0] * u[1], u[0] + u[1] ** 2])

    close(ans["u"], W @ x)
    close(ans["Jg"], fd(g, W @ x))
    close(ans["J"], fd(lambda v: g(W @ v), x), tol=1e-6)


# ---------------------------------------------------------------- calc-hessian-convexity


def test_hessians_are_finite_difference_hessians_and_curvature_matches_eigenvalues() -> None:
    for params, ans in variants("calc-hessian-convexity"):
        check_hessians(params, ans)


def check_hessians(params: dict[str, Any], ans: dict[str, Any]) -> None:
    a, b, c = (float(t) for t in params["coeffs"])

    def f(v: np.ndarray) -> float:
        return a * v[0] ** 2 + b * v[0] * v[1] + c * v[1] ** 2

    point = np.array([0.3, -1.7])  # constant Hessian: any point will do
    close(ans["hessian"], fd(lambda v: fd(f, v, 1e-4), point, 1e-4), tol=1e-5)
    w = np.linalg.eigvalsh(np.asarray(ans["hessian"], float))
    want = "convex" if w.min() >= 0 else "concave" if w.max() <= 0 else "neither"
    assert ans["curvature"] == want
    z = np.asarray(params["z"], float)
    grad = fd(lambda v: special.logsumexp(v), z, 1e-5)
    close(grad, special.softmax(z), tol=1e-7)
    hess = fd(lambda v: fd(lambda u: special.logsumexp(u), v, 1e-4), z, 1e-4)
    close(ans["lse_hessian"], hess, tol=1e-5)


def test_curvature_from_the_diagonal_is_fooled_by_a_negative_determinant() -> None:
    H = C.quadratic2_hessian([1, 3, 1])  # x² + 3xy + y²: det = 4 − 9 < 0
    close(H, [[2, 3], [3, 2]])
    assert (C.curvature(H), C.curvature_from_diagonal(H)) == ("neither", "convex")
    assert C.curvature(C.quadratic2_hessian([-1, 1, -2])) == "concave"
    assert C.curvature(C.quadratic2_hessian([1, 2, 1])) == "convex"  # (x + y)², PSD


# ---------------------------------------------------------------- bp-mlp-2layer


def mlp_loss(x: Any, W1: Any, b1: Any, w2: Any, b2: float, y: float, act: str) -> float:
    z = np.asarray(W1, float) @ np.asarray(x, float) + np.asarray(b1, float)
    h = special.expit(z) if act == "sigmoid" else np.maximum(z, 0)
    return float(0.5 * (np.asarray(w2, float) @ h + b2 - y) ** 2)


def test_mlp_gradients_are_finite_differences_of_the_loss() -> None:
    for p, ans in variants("bp-mlp-2layer"):
        check_mlp([p["x"], p["W1"], p["b1"], p["w2"], p["b2"], p["y"], p["activation"]], ans)


def check_mlp(args: list[Any], ans: dict[str, Any]) -> None:
    def loss_at(i: int) -> Callable[[np.ndarray], float]:
        return lambda v: mlp_loss(*[v if j == i else a for j, a in enumerate(args)])

    close(ans["loss"], mlp_loss(*args))
    close(ans["dW1"], fd(loss_at(1), args[1]))
    close(ans["db1"], fd(loss_at(2), args[2]))
    close(ans["dw2"], fd(loss_at(3), args[3]))
    close(ans["db2"], fd(loss_at(4), float(args[4])))


def test_mlp_relu_at_zero_has_zero_derivative() -> None:
    r = B.mlp_pass([1, 1], [[1, -1], [2, 0]], [0, -2], [[1, 1]], [0], [3])
    close(r["z1"], [0, 0])
    close(r["dW1"], np.zeros((2, 2)))
    assert r["loss"] == 4.5


# ---------------------------------------------------------------- bp-softmax-cross-entropy


def test_soft_cross_entropy_gradient_is_the_finite_difference_gradient() -> None:
    for params, ans in variants("bp-softmax-cross-entropy"):
        t = np.asarray(params["t"], float)
        loss = functools.partial(cross_entropy_of_logits, t)
        close(ans["loss"], loss(np.asarray(params["z"], float)))
        close(ans["grad"], fd(loss, params["z"]), tol=1e-7)


def cross_entropy_of_logits(t: np.ndarray, v: np.ndarray) -> float:
    return float(-t @ special.log_softmax(v))


def test_soft_cross_entropy_mistakes_are_the_chain_rule_done_wrong() -> None:
    z, t = np.log([1, 2, 1]), [0, 0.75, 0.25]
    p = special.softmax(z)  # (1/4, 1/2, 1/4)
    dL_dp = fd(lambda q: -np.asarray(t) @ np.log(q), p)
    close(B.soft_cross_entropy_grad_probs(z, t), dL_dp)
    close(B.soft_cross_entropy_grad_diagonal(z, t), dL_dp * p * (1 - p))


# ---------------------------------------------------------------- bp-batchnorm


def test_batchnorm_forward_and_gradients_match_finite_differences() -> None:
    for p, ans in variants("bp-batchnorm"):
        check_batchnorm(p, ans)


def check_batchnorm(p: dict[str, Any], ans: dict[str, Any]) -> None:
    x, dy = np.asarray(p["x"], float), np.asarray(p["dy"], float)
    g, beta, eps = float(p["gamma"]), float(p["beta"]), float(p["eps"])

    def y_of(v: np.ndarray, gam: float = g, bet: float = beta) -> np.ndarray:
        return gam * (v - v.mean()) / np.sqrt(v.var() + eps) + bet

    close(ans["mean"], x.mean())
    close(ans["var"], np.var(x))
    close(ans["y"], y_of(x))
    # L = dyᵀ y is a loss whose upstream gradient is dy.
    close(ans["dx"], fd(lambda v: dy @ y_of(v), x))
    close(ans["dgamma"], fd(lambda v: dy @ y_of(x, gam=float(v)), g))
    close(ans["dbeta"], fd(lambda v: dy @ y_of(x, bet=float(v)), beta))
    assert math.isqrt(round(ans["var"] + eps)) ** 2 == pytest.approx(ans["var"] + eps)


# ---------------------------------------------------------------- dl-conv-output-shape


def windows(n: int, k: int, s: int, p: int, d: int) -> int:
    """Count the window positions that fit in the padded input, one by one."""
    return sum(1 for start in range(0, n + 2 * p, s) if start + d * (k - 1) <= n + 2 * p - 1)


def test_conv_output_size_counts_the_windows() -> None:
    for p, ans in variants("dl-conv-output-shape"):
        out = windows(p["n"], p["k"], p["stride"], p["padding"], p["dilation"])
        assert ans["out_size"] == out
        assert ans["pooled_size"] == windows(out, 2, 2, 0, 1)
        weights = np.zeros((p["c_out"], p["c_in"], p["k"], p["k"]))  # PyTorch's layout
        assert ans["n_params"] == weights.size + p["c_out"]


def test_conv_reproduces_published_layers() -> None:
    # CS231n's notes on AlexNet's first layer: a 227×227×3 input, 96 filters 11×11, stride 4,
    # no padding give 55×55×96, with 96·11·11·3 = 34 848 weights plus 96 biases.
    assert B.conv_output_size(227, 11, 4, 0) == 55
    assert B.conv_params(3, 96, 11) == 34_848 + 96
    assert B.conv_params(3, 96, 11, bias=False) == 34_848
    # CS231n's VGGNet table, first CONV3-64 layer: 224 stays 224 (3×3, stride 1, padding 1)
    # with (3·3·3)·64 = 1 728 weights (the table leaves out the 64 biases).
    assert B.conv_output_size(224, 3, 1, 1) == 224
    assert B.conv_params(3, 64, 3, bias=False) == 1_728
    # Padding, stride and dilation together, counted window by window: ⌊51/2⌋ + 1 = 26.
    assert B.conv_output_size(50, 3, 2, 4, 3) == windows(50, 3, 2, 4, 3) == 26
    with pytest.raises(ValueError, match="does not fit"):
        B.conv_output_size(4, 7)


def test_latex_logs_writes_drawn_logits_exactly_and_given_ones_as_numbers() -> None:
    assert C.latex_logs(np.log([1, 2, 4])) == r"\left(0,\ \ln 2,\ \ln 4\right)"
    assert C.latex_logs([1.5, -2, 0]) == r"\left(1.5,\ -2,\ 0\right)"
