"""Calculus solvers against the notes' worked examples, scipy and central finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import numdiff
import pytest
from scipy.special import expit

from grader.solvers import SOLVERS
from grader.solvers import calculus as C

RNG = np.random.default_rng(7)
H = 1e-5


def central_diff(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    return numdiff.central_diff(f, x, H)


def test_solvers_are_registered() -> None:
    for name in ("sigmoid", "sigmoid_derivative", "poly_value", "poly_derivative",
                 "poly2_gradient", "quadratic_gradient", "gradient_descent", "gd_step",
                 "descent_value", "add_multiply_backward", "sigmoid_gate", "sigmoid_backward",
                 "matmul_backward"):
        assert SOLVERS[name] is getattr(C, name)


# ---------------------------------------------------------------- worked examples of the notes


def test_add_multiply_example_from_the_notes() -> None:
    # Seed 003: f(u, v, w) = (u + v)w at u = 1, v = 2, w = −3: q = 3, f = −9,
    # ∂f/∂u = ∂f/∂v = w = −3, ∂f/∂w = q = 3.
    got = C.add_multiply_backward(1, 2, -3)
    assert got == {"q": 3, "f": -9, "df_dq": -3, "df_du": -3, "df_dv": -3, "df_dw": 3}


def test_sigmoid_gate_example_from_the_notes() -> None:
    # Seed 003: w = [3, 4, 5], x = [6, 7]: dot = 3·6 + 4·7 + 5 = 51, f = 1/(1 + e^−51),
    # df/d(dot) = (1 − f)f = e^−51/(1 + e^−51)², df/dx = [w0, w1]·df/d(dot),
    # df/dw = [x0, x1, 1]·df/d(dot).
    got = C.sigmoid_gate([3, 4, 5], [6, 7])
    g = math.exp(-51) / (1 + math.exp(-51)) ** 2
    assert got["dot"] == 51
    assert got["f"] == pytest.approx(1 / (1 + math.exp(-51)))
    assert got["df_ddot"] == pytest.approx(g, rel=1e-12)
    assert got["df_dw"] == pytest.approx([6 * g, 7 * g, g], rel=1e-12)
    assert got["df_dx"] == pytest.approx([3 * g, 4 * g], rel=1e-12)
    f, dw, dx = C.sigmoid_backward([3, 4, 5], [6, 7])
    assert (f, dw.tolist(), dx.tolist()) == (got["f"], got["df_dw"].tolist(),
                                             got["df_dx"].tolist())


def test_sigmoid_gate_unsaturated_against_finite_differences() -> None:
    w, x = np.array([1.0, -2.0, 0.5]), np.array([0.5, 0.25])
    gate = C.sigmoid_gate(w, x)
    f = lambda w_: float(expit(w_[0] * x[0] + w_[1] * x[1] + w_[2]))
    assert gate["f"] == pytest.approx(f(w))
    assert gate["df_dw"] == pytest.approx(central_diff(f, w), rel=1e-6)
    fx = lambda x_: float(expit(w[0] * x_[0] + w[1] * x_[1] + w[2]))
    assert gate["df_dx"] == pytest.approx(central_diff(fx, x), rel=1e-6)


def test_sigmoid_gate_refuses_missing_bias() -> None:
    with pytest.raises(ValueError, match="plus a bias"):
        C.sigmoid_gate([1, 2], [3, 4])


# ---------------------------------------------------------------- sigmoid


@pytest.mark.parametrize("z", [-800.0, -30.0, -2.5, 0.0, 1.0, 4.0, 40.0, 800.0])
def test_sigmoid_matches_scipy_expit(z: float) -> None:
    assert C.sigmoid(z) == pytest.approx(float(expit(z)), rel=1e-12, abs=0)
    # 1 − σ(z) = σ(−z), which stays accurate where σ(z) rounds to 1.
    assert C.sigmoid_derivative(z) == pytest.approx(float(expit(z) * expit(-z)), rel=1e-9,
                                                    abs=1e-300)


def test_sigmoid_by_hand_and_arrays() -> None:
    assert C.sigmoid(0) == 0.5
    assert C.sigmoid_derivative(0) == 0.25
    z = np.array([-1.0, 0.0, 2.0])
    assert C.sigmoid(z) == pytest.approx(1 / (1 + np.exp(-z)))
    assert C.sigmoid_derivative(z) == pytest.approx(central_diff(
        lambda v: float(np.sum(expit(v))), z), rel=1e-6)


# ---------------------------------------------------------------- polynomials and gradients


def test_poly_by_hand() -> None:
    # f(x) = 1 − 2x + 3x² at a = 2: f = 1 − 4 + 12 = 9, f′ = −2 + 6x = 10.
    assert C.poly_value([1, -2, 3], 2) == 9
    assert C.poly_derivative([1, -2, 3], 2) == 10
    # The mistake drops the factor i: −2 + 3·2 = 4.
    assert C.poly_derivative_no_power([1, -2, 3], 2) == 4


def test_poly_derivative_against_numpy_and_finite_differences() -> None:
    coeffs = RNG.integers(-5, 6, size=5).tolist()
    for a in (-2.0, 0.5, 3.0):
        assert C.poly_value(coeffs, a) == pytest.approx(np.polyval(coeffs[::-1], a))
        assert C.poly_derivative(coeffs, a) == pytest.approx(
            np.polyval(np.polyder(coeffs[::-1]), a))
        fd = central_diff(lambda v: C.poly_value(coeffs, float(v[0])), np.array([a]))[0]
        assert C.poly_derivative(coeffs, a) == pytest.approx(fd, rel=1e-6, abs=1e-6)


def test_poly2_gradient() -> None:
    # f = 1·x²y + 2·xy² + 3x + 4y at (1, 2): ∂x = 2xy + 2y² + 3 = 15, ∂y = x² + 4xy + 4 = 13.
    assert C.poly2_gradient([1, 2, 3, 4], [1, 2]).tolist() == [15, 13]
    c = RNG.integers(-4, 5, size=4).astype(float)

    def f(p: np.ndarray) -> float:
        x, y = p
        return c[0] * x * x * y + c[1] * x * y * y + c[2] * x + c[3] * y

    p = np.array([-1.5, 2.0])
    assert C.poly2_gradient(c, p) == pytest.approx(central_diff(f, p), rel=1e-6, abs=1e-6)


def test_quadratic_gradient_against_finite_differences() -> None:
    M = RNG.integers(-3, 4, size=(3, 3)).astype(float)
    A, b, x = M + M.T, RNG.integers(-3, 4, size=3).astype(float), np.array([1.0, -2.0, 0.5])
    f = lambda v: 0.5 * v @ A @ v + b @ v
    assert C.quadratic_gradient(A, b, x) == pytest.approx(central_diff(f, x), rel=1e-6)


# ---------------------------------------------------------------- gradient descent


def test_gradient_descent_by_hand() -> None:
    # A = diag(2, 4), b = (2, 4), x0 = (0, 0), ε = 0.25: ∇f = Ax − b.
    # x1 = (0, 0) − 0.25·(−2, −4) = (0.5, 1); x2 = (0.5, 1) − 0.25·(−1, 0) = (0.75, 1).
    A, b = [[2, 0], [0, 4]], [2, 4]
    xs = C.gradient_descent(A, b, [0, 0], 0.25, 2)
    assert [x.tolist() for x in xs] == [[0.5, 1.0], [0.75, 1.0]]
    # f(x2) = ½(2·0.5625 + 4·1) − (1.5 + 4) = 2.5625 − 5.5 = −2.9375.
    assert C.descent_value(A, b, xs[-1]) == pytest.approx(-2.9375)
    assert C.gd_step(A, b, [0.5, 1], 0.25).tolist() == [0.75, 1.0]


def test_gradient_descent_steps_use_the_finite_difference_gradient() -> None:
    M = RNG.integers(-2, 3, size=(2, 2)).astype(float)
    A, b = M @ M.T + 2 * np.eye(2), np.array([1.0, -1.0])
    x0, lr = np.array([2.0, 1.0]), 0.1
    xs = C.gradient_descent(A, b, x0, lr, 3)
    prev = x0
    for x in xs:
        grad = central_diff(lambda v: C.descent_value(A, b, v), prev)
        assert x == pytest.approx(prev - lr * grad, rel=1e-6)
        prev = x
    # The minimiser solves Ax = b; many steps get there.
    assert C.gradient_descent(A, b, x0, lr, 500)[-1] == pytest.approx(np.linalg.solve(A, b))


def test_gradient_descent_diverges_without_raising() -> None:
    xs = C.gradient_descent([[10.0]], [0.0], [1.0], 1.0, 400)
    assert len(xs) == 400 and not np.all(np.isfinite(xs[-1]))


def test_gradient_descent_zero_steps() -> None:
    assert C.gradient_descent([[1]], [0], [1], 0.1, 0) == []


# ---------------------------------------------------------------- matrix product gradients


def test_matmul_backward_against_finite_differences() -> None:
    W, X = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))
    dD = RNG.normal(size=(3, 2))
    dW, dX = C.matmul_backward(W, X, dD)
    # The scalar L = Σ dD ⊙ (WX) has ∂L/∂W = dW and ∂L/∂X = dX.
    assert dW == pytest.approx(central_diff(lambda w: float(np.sum(dD * (w @ X))), W), rel=1e-6)
    assert dX == pytest.approx(central_diff(lambda x: float(np.sum(dD * (W @ x))), X), rel=1e-6)


def test_matmul_backward_refuses_bad_shapes() -> None:
    with pytest.raises(ValueError, match="dD must have the shape of D"):
        C.matmul_backward(np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="undefined"):
        C.matmul_backward(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)))


def test_latex_terms() -> None:
    assert C.latex_terms([3, -1, 1], ["", "x", "x^2"]) == "3 - x + x^2"
    assert C.latex_terms([0, -1, 0, 2], ["", "x", "x^2", "x^3"]) == "-x + 2x^3"
    assert C.latex_terms([-2, 1, 0, -1], ["x^2 y", "x y^2", "x", "y"]) == "-2x^2 y + x y^2 - y"
    assert C.latex_terms([0, 0], ["", "x"]) == "0"
    assert C.latex_terms([-1], [""]) == "-1"


# ---------------------------------------------------------------- the specs that use these solvers


def _solve(exercise_id: str, **params: object) -> dict:
    from grader.authoring import variant as V
    from grader.core.seeding import make_rng
    from grader.authoring.spec import find_exercise

    exercise = find_exercise(exercise_id)
    return V.solve(exercise, V.draw_params(exercise, make_rng(0), given=params,
                                           check_given=False))  # as `grader solve`


def test_spec_reproduces_the_notes_sigmoid_gate() -> None:
    got = _solve("bp-sigmoid-gate", w=[3, 4, 5], x=[6, 7])
    g = math.exp(-51) / (1 + math.exp(-51)) ** 2
    assert got["dot"] == 51 and got["f"] == pytest.approx(1.0)
    assert got["df_ddot"] == pytest.approx(g, rel=1e-9)
    assert got["df_dw"] == pytest.approx([6 * g, 7 * g, g], rel=1e-9)
    assert got["df_dx"] == pytest.approx([3 * g, 4 * g], rel=1e-9)


def test_spec_reproduces_the_notes_add_multiply() -> None:
    got = _solve("bp-add-multiply", u=1, v=2, w=-3)
    assert got == {"q": 3, "f": -9, "df_du": -3, "df_dv": -3, "df_dw": 3}


@pytest.mark.parametrize("exercise_id", ["calc-derivative", "calc-partial-derivatives",
                                         "calc-gradient-quadratic", "calc-sigmoid-derivative",
                                         "opt-gradient-descent", "bp-add-multiply",
                                         "bp-sigmoid-gate", "bp-matmul-grad"])
def test_calculus_spec_is_well_posed(exercise_id: str) -> None:
    """Reference answers score full marks; every listed mistake is named (a few seeds)."""
    from grader.authoring.spec import find_exercise
    from grader.authoring.validate import check_exercise

    report = check_exercise(find_exercise(exercise_id), samples=25)
    assert report.problems == []
