"""The implement-topic reference solvers against values obtained without them.

Expected values come from scipy, numpy, published worked examples (the
perceptron and sigmoid gate of the course notes, KL of Binomial(2, 0.4)
against uniform, a textbook Bayes test), hand computation, or finite
differences — never from grader.solvers.implement itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import linalg, special, stats
from scipy.spatial import distance

from grader.solvers import SOLVERS
from grader.solvers import implement as impl

LN2 = math.log(2)


def test_every_solver_is_registered_under_its_impl_name() -> None:
    names = [n for n in dir(impl) if n.startswith("impl_")]
    assert len(names) == 14
    for name in names:
        assert SOLVERS[name] is getattr(impl, name)


# --- softmax ---------------------------------------------------------------------------

@pytest.mark.parametrize("z", [[1, 2, 3], [0.5, -1.25, 3, 0], [7], [-3, -3]])
def test_softmax_matches_scipy(z: list[float]) -> None:
    np.testing.assert_allclose(impl.impl_softmax(z), special.softmax(z), rtol=1e-12)


@pytest.mark.parametrize(("z", "expected"), [
    ([1000, 1000], [0.5, 0.5]),
    ([-1000, -1000, -1000], [1 / 3, 1 / 3, 1 / 3]),
    ([1000, -1000, 0], [1.0, 0.0, 0.0]),
    ([1001, 1002, 1003], special.softmax([1, 2, 3])),
])
def test_softmax_of_huge_logits_neither_overflows_nor_underflows(z, expected) -> None:
    np.testing.assert_allclose(impl.impl_softmax(z), expected, rtol=1e-12, atol=1e-300)


# --- entropy, KL, cross-entropy, JS, mutual information ------------------------------

@pytest.mark.parametrize("p", [[0.5, 0.5], [0.1, 0.2, 0.3, 0.4], [0.5, 0, 0.5], [1, 0, 0]])
@pytest.mark.parametrize("base", [math.e, 2, 10])
def test_entropy_matches_scipy(p: list[float], base: float) -> None:
    assert impl.impl_entropy(p, base) == pytest.approx(stats.entropy(p, base=base), abs=1e-12)


def test_entropy_defaults_to_nats_and_a_certain_outcome_has_none() -> None:
    assert impl.impl_entropy([0.25] * 4) == pytest.approx(math.log(4))
    assert impl.impl_entropy([0.25] * 4, 2) == pytest.approx(2.0)
    assert impl.impl_entropy([0, 1, 0]) == 0.0
    assert math.copysign(1, impl.impl_entropy([0, 1, 0])) == 1  # not -0.0


def test_kl_of_binomial_against_uniform_is_the_published_value() -> None:
    # Wikipedia, "Kullback-Leibler divergence", example: P = Binomial(2, 0.4), Q uniform.
    p, q = [0.36, 0.48, 0.16], [1 / 3, 1 / 3, 1 / 3]
    assert impl.impl_kl_divergence(p, q) == pytest.approx(0.0852996, abs=1e-7)
    assert impl.impl_kl_divergence(q, p) == pytest.approx(0.097455, abs=1e-6)


@pytest.mark.parametrize(("p", "q"), [
    ([0.5, 0.5, 0], [0.25, 0.25, 0.5]),
    ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2]),
    ([0.5, 0.5], [0.5, 0.5]),
    ([0.5, 0.5], [1, 0]),
])
def test_kl_and_cross_entropy_match_scipy_rel_entr(p: list[float], q: list[float]) -> None:
    kl = float(np.sum(special.rel_entr(p, q)))
    assert impl.impl_kl_divergence(p, q) == pytest.approx(kl, abs=1e-12)
    assert impl.impl_cross_entropy(p, q) == pytest.approx(stats.entropy(p) + kl, abs=1e-12)


def test_zero_q_where_p_is_positive_gives_inf() -> None:
    assert impl.impl_kl_divergence([0.5, 0.5], [1, 0]) == math.inf
    assert impl.impl_cross_entropy([0, 0, 1], [0.5, 0.5, 0]) == math.inf


def test_cross_entropy_of_one_hot_p_is_minus_log_q() -> None:
    assert impl.impl_cross_entropy([0, 1, 0], [0.2, 0.5, 0.3]) == pytest.approx(LN2)
    assert impl.impl_cross_entropy([1, 0], [1, 0]) == 0.0


@pytest.mark.parametrize(("p", "q"), [
    ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2]),
    ([1, 0], [0, 1]),
    ([0.5, 0.5, 0, 0], [0, 0, 0.25, 0.75]),
    ([0.1, 0.9], [0.1, 0.9]),
])
def test_js_is_the_square_of_scipys_jensen_shannon_distance(p, q) -> None:
    assert impl.impl_js_divergence(p, q) == pytest.approx(distance.jensenshannon(p, q) ** 2,
                                                          abs=1e-12)


def test_js_of_disjoint_supports_is_ln_2() -> None:
    assert impl.impl_js_divergence([0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]) == pytest.approx(LN2)


@pytest.mark.parametrize("joint", [
    [[0.25, 0.25], [0.5, 0]],
    [[0.1, 0.2, 0.1], [0.3, 0.1, 0.2]],
    [[0.5, 0], [0, 0.5]],
])
def test_mutual_information_is_h_x_plus_h_y_minus_h_xy(joint) -> None:
    t = np.asarray(joint)
    expected = stats.entropy(t.sum(1)) + stats.entropy(t.sum(0)) - stats.entropy(t.ravel())
    assert impl.impl_mutual_information(joint) == pytest.approx(expected, abs=1e-12)


def test_mutual_information_of_an_independent_table_is_zero() -> None:
    joint = np.outer([0.5, 0.5], [0.25, 0.75]).tolist()
    assert impl.impl_mutual_information(joint) == pytest.approx(0.0, abs=1e-15)
    assert impl.impl_mutual_information([[0.5, 0], [0, 0.5]]) == pytest.approx(LN2)


# --- norms ---------------------------------------------------------------------------

@pytest.mark.parametrize("p", [1, 2, 3, 4.5, math.inf])
@pytest.mark.parametrize("x", [[3, -4], [-7, 2, 0, 1], [0, 0, 0], [0.5, 1e-3]])
def test_lp_norm_matches_scipy(x: list[float], p: float) -> None:
    assert impl.impl_lp_norm(x, p) == pytest.approx(linalg.norm(np.asarray(x, float), p),
                                                    rel=1e-12)


def test_lp_norm_hand_values() -> None:
    assert impl.impl_lp_norm([3, -4], 1) == 7
    assert impl.impl_lp_norm([3, -4], 2) == pytest.approx(5)
    assert impl.impl_lp_norm([3, -4], 3) == pytest.approx(91 ** (1 / 3))
    assert impl.impl_lp_norm([-7, 2], math.inf) == 7
    # 1e200 cubed overflows a naive sum (scipy gives inf); the norm itself is representable.
    assert impl.impl_lp_norm([1e200, 1e200], 3) == pytest.approx(2 ** (1 / 3) * 1e200)


# --- power iteration, gradient descent -------------------------------------------------

def test_power_iteration_one_step_by_hand() -> None:
    v = impl.impl_power_iteration([[2, 0], [0, 1]], [1, 1], 1)
    np.testing.assert_allclose(v, np.array([2, 1]) / math.sqrt(5))


def test_power_iteration_converges_to_the_dominant_eigenvector() -> None:
    A = np.array([[4.0, 1, 0], [1, 3, 1], [0, 1, 2]])
    vals, vecs = np.linalg.eigh(A)
    v = impl.impl_power_iteration(A, [1, 1, 1], 200)
    top = vecs[:, np.argmax(np.abs(vals))]
    np.testing.assert_allclose(abs(v @ top), 1.0, rtol=1e-12)
    assert np.linalg.norm(v) == pytest.approx(1.0)


def test_power_iteration_normalises_every_step_so_huge_k_stays_finite() -> None:
    v = impl.impl_power_iteration([[10, 1], [1, 10]], [1, 0], 400)  # 11^400 overflows
    np.testing.assert_allclose(v, [math.sqrt(0.5)] * 2, rtol=1e-12)


def test_power_iteration_follows_a_negative_dominant_eigenvalue() -> None:
    v = impl.impl_power_iteration([[-3, 0], [0, 1]], [1, 1], 3)
    np.testing.assert_allclose(v, np.array([-27, 1]) / math.sqrt(730))


def test_gradient_descent_by_hand() -> None:
    xs = impl.impl_gradient_descent([[2, 0], [0, 4]], [2, 4], [0, 0], 0.25, 3)
    np.testing.assert_allclose(xs, [[0.5, 1], [0.75, 1], [0.875, 1]])


def test_gradient_descent_with_too_large_a_step_grows_without_crashing() -> None:
    # x_t = (1 - lr λ)^t x0 per eigen-direction: (-1)^t and (-3)^t here.
    xs = impl.impl_gradient_descent([[2, 0], [0, 4]], [0, 0], [1, 1], 1.0, 30)
    expected = [[(-1.0) ** t, (-3.0) ** t] for t in range(1, 31)]
    np.testing.assert_allclose(xs, expected, rtol=1e-12)


# --- perceptron ------------------------------------------------------------------------

def test_perceptron_reproduces_the_worked_example() -> None:
    w, b, n = impl.impl_perceptron([[3, 3], [4, 3], [1, 1]], [1, 1, -1])
    np.testing.assert_array_equal(w, [1, 1])
    assert (b, n) == (-3, 7)


def test_perceptron_learning_rate_scales_the_worked_example() -> None:
    w, b, n = impl.impl_perceptron([[3, 3], [4, 3], [1, 1]], [1, 1, -1], lr=0.5)
    np.testing.assert_array_equal(w, [0.5, 0.5])
    assert (b, n) == (-1.5, 7)


def test_perceptron_restarts_the_sweep_after_each_update() -> None:
    # By hand, points updated on: 0 (w=(0,0), b=1), 1 (w=(2,-1), b=0), 0 again (b=1: the
    # sweep restarted), 2 (w=(2,0), b=2). A pass that carried on after point 1 would have
    # updated on point 2 next and stopped at w=(2,0), b=1 after 3 updates.
    w, b, n = impl.impl_perceptron([[0, 0], [-2, 1], [0, 1]], [1, -1, 1])
    np.testing.assert_array_equal(w, [2, 0])
    assert (b, n) == (2, 4)


def test_perceptron_on_xor_stops_after_max_epochs() -> None:
    _, _, n = impl.impl_perceptron([[0, 0], [1, 1], [1, 0], [0, 1]], [1, 1, -1, -1],
                                   max_epochs=10)
    assert n == 10


# --- gradients -------------------------------------------------------------------------

def _numeric_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_sigmoid_gate_from_the_course_notes() -> None:
    f, dw, dx = impl.impl_sigmoid_backward([3, 4, 5], [6, 7])
    dot = 3 * 6 + 4 * 7 + 5
    s = float(special.expit(dot))
    d = s * float(special.expit(-dot))
    assert f == pytest.approx(s)
    np.testing.assert_allclose(dw, [6 * d, 7 * d, d], rtol=1e-12)
    np.testing.assert_allclose(dx, [3 * d, 4 * d], rtol=1e-12)
    assert dw[2] > 0  # saturated, yet the gradient is tiny rather than exactly zero


@pytest.mark.parametrize(("w", "x"), [([1, -1, 0], [1, 1]), ([0.5, -0.3, 0.2], [1.5, 2.0]),
                                      ([0.2, -0.1], [3.0])])
def test_sigmoid_backward_matches_finite_differences(w, x) -> None:
    w_arr, x_arr = np.asarray(w, float), np.asarray(x, float)
    f, dw, dx = impl.impl_sigmoid_backward(w, x)

    def gate(wv: np.ndarray, xv: np.ndarray) -> float:
        return float(special.expit(wv[:-1] @ xv + wv[-1]))

    assert f == pytest.approx(gate(w_arr, x_arr))
    np.testing.assert_allclose(dw, _numeric_grad(lambda v: gate(v, x_arr), w_arr), rtol=1e-6)
    np.testing.assert_allclose(dx, _numeric_grad(lambda v: gate(w_arr, v), x_arr), rtol=1e-6)


def test_sigmoid_backward_of_a_balanced_gate() -> None:
    f, dw, dx = impl.impl_sigmoid_backward([1, -1, 0], [1, 1])
    assert f == 0.5
    np.testing.assert_allclose(dw, [0.25, 0.25, 0.25])
    np.testing.assert_allclose(dx, [0.25, -0.25])


def test_matmul_backward_matches_finite_differences_on_non_square_shapes() -> None:
    rng = np.random.default_rng(0)
    W, X, dD = rng.normal(size=(2, 3)), rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    dW, dX = impl.impl_matmul_backward(W, X, dD)

    def loss_w(v: np.ndarray) -> float:
        return float(np.sum((v.reshape(W.shape) @ X) * dD))

    def loss_x(v: np.ndarray) -> float:
        return float(np.sum((W @ v.reshape(X.shape)) * dD))

    np.testing.assert_allclose(dW.ravel(), _numeric_grad(loss_w, W.ravel()), rtol=1e-6)
    np.testing.assert_allclose(dX.ravel(), _numeric_grad(loss_x, X.ravel()), rtol=1e-6)
    assert dW.shape == (2, 3) and dX.shape == (3, 4)


def test_matmul_backward_by_hand() -> None:
    dW, dX = impl.impl_matmul_backward([[1, 2, 3], [4, 5, 6]], [[1], [0], [-1]], [[1], [2]])
    np.testing.assert_array_equal(dW, [[1, 0, -1], [2, 0, -2]])
    np.testing.assert_array_equal(dX, [[9], [12], [15]])


# --- statistics ------------------------------------------------------------------------

@pytest.mark.parametrize("X", [[[1, 2], [3, 4], [5, 0]], [[1, 2, 3], [0, 0, 1], [4, -1, 2],
                                                          [2, 2, 2]]])
def test_covariance_matrix_matches_numpy_cov(X) -> None:
    np.testing.assert_allclose(impl.impl_covariance_matrix(X), np.cov(X, rowvar=False))


def test_covariance_matrix_of_one_variable_is_one_by_one() -> None:
    C = impl.impl_covariance_matrix([[1], [2], [3]])
    np.testing.assert_allclose(C, [[1.0]])
    np.testing.assert_allclose(impl.impl_covariance_matrix([[0, 0], [2, 2]]), [[2, 2], [2, 2]])


def test_bayes_posterior_of_a_medical_test() -> None:
    # 1% prevalence, 90% sensitivity, 5% false positives: P(disease | +) = 0.009/0.0585 = 2/13.
    post = impl.impl_bayes_posterior([0.01, 0.99], [[0.9, 0.1], [0.05, 0.95]], 0)
    np.testing.assert_allclose(post, [2 / 13, 11 / 13])


def test_bayes_posterior_rules_out_a_hypothesis_that_cannot_produce_the_observation() -> None:
    post = impl.impl_bayes_posterior([0.5, 0.25, 0.25], [[1, 0], [0.5, 0.5], [0, 1]], 1)
    np.testing.assert_allclose(post, [0, 1 / 3, 2 / 3])
