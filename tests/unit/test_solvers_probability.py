"""Probability solvers against values obtained without them.

Expected values: hand computation (a textbook diagnostic-test Bayes example, chain-rule
products), scipy.stats (rv_discrete moments, uniform), numpy.cov with weights, and
inverse checks (marginalising a chain-rule joint recovers the tables it came from).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from grader.solvers import SOLVERS
from grader.solvers import probability as prob

JOINT = [[0.1, 0.2, 0.1], [0.3, 0.0, 0.3]]


def test_marginals_by_hand() -> None:
    np.testing.assert_allclose(prob.marginal_x(JOINT), [0.4, 0.6])
    np.testing.assert_allclose(prob.marginal_y(JOINT), [0.4, 0.2, 0.4])


def test_conditionals_by_hand() -> None:
    np.testing.assert_allclose(prob.conditional_y_given_x(JOINT, 0), [0.25, 0.5, 0.25])
    np.testing.assert_allclose(prob.conditional_y_given_x(JOINT, 1), [0.5, 0.0, 0.5])
    np.testing.assert_allclose(prob.conditional_x_given_y(JOINT, 0), [0.25, 1.0, 0.25])


def test_conditional_on_an_impossible_row_is_refused() -> None:
    with pytest.raises(ValueError, match="P\\(x=1\\) = 0"):
        prob.conditional_y_given_x([[0.5, 0.5], [0.0, 0.0]], 1)
    with pytest.raises(ValueError, match="row index in 0..1"):
        prob.conditional_y_given_x(JOINT, 2)


PC = [0.4, 0.6]
PB_C = [[0.5, 0.5], [0.2, 0.8]]  # [c][b]
PA_BC = [[[0.9, 0.1], [0.6, 0.4]], [[0.5, 0.5], [0.3, 0.7]]]  # [b][c][a]


def test_chain_rule_by_hand() -> None:
    # P(a=1, b=1, c=1) = P(a=1|b=1,c=1) P(b=1|c=1) P(c=1) = 0.7 * 0.8 * 0.6
    assert prob.chain_rule_joint(PC, PB_C, PA_BC, 1, 1, 1) == pytest.approx(0.336)
    assert prob.chain_rule_joint(PC, PB_C, PA_BC, 0, 1, 0) == pytest.approx(0.5 * 0.5 * 0.4)
    # P(b=1) = 0.5 * 0.4 + 0.8 * 0.6
    np.testing.assert_allclose(prob.chain_marginal_b(PC, PB_C), [0.32, 0.68])


def test_chain_rule_joint_marginalises_back_to_its_tables() -> None:
    J = np.zeros((2, 2, 2))
    for a, b, c in itertools.product(range(2), repeat=3):
        J[a, b, c] = prob.chain_rule_joint(PC, PB_C, PA_BC, a, b, c)
    assert J.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(J.sum(axis=(0, 1)), PC)
    np.testing.assert_allclose((J.sum(axis=0) / J.sum(axis=(0, 1))).T, PB_C)
    np.testing.assert_allclose(np.transpose(J / J.sum(axis=0), (1, 2, 0)), PA_BC)


def test_independence() -> None:
    independent = [[1 / 12, 1 / 6], [1 / 4, 1 / 2]]
    assert prob.is_independent(independent)
    assert not prob.is_independent([[0.25, 0.25], [0.0, 0.5]])
    np.testing.assert_allclose(prob.independence_product(independent), independent)
    np.testing.assert_allclose(prob.independence_product(JOINT),
                               [[0.16, 0.08, 0.16], [0.24, 0.12, 0.24]])


VALUES, PMF = [-1, 0, 2, 3], [0.25, 0.125, 0.5, 0.125]


def test_moments_match_scipy_rv_discrete() -> None:
    rv = stats.rv_discrete(values=(VALUES, PMF))
    assert prob.expectation(VALUES, PMF) == pytest.approx(rv.mean())
    assert prob.variance(VALUES, PMF) == pytest.approx(rv.var())
    assert prob.std_dev(VALUES, PMF) == pytest.approx(rv.std())
    assert prob.second_moment(VALUES, PMF) == pytest.approx(rv.moment(2))


@pytest.mark.parametrize(("f", "fn"), [
    ("x^2", lambda x: x**2), ("abs(x)", abs), ("2x+1", lambda x: 2 * x + 1),
])
def test_expectation_of_named_f_matches_scipy(f: str, fn) -> None:  # type: ignore[no-untyped-def]
    rv = stats.rv_discrete(values=(VALUES, PMF))
    assert prob.expectation_f(VALUES, PMF, f) == pytest.approx(rv.expect(fn))
    assert float(prob.apply_f(f, 3)) == pytest.approx(fn(3))


def test_unknown_f_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="x\\^2, abs\\(x\\), 2x\\+1"):
        prob.apply_f("sin(x)", 1)


XS, YS = [0, 1, 2], [-1, 1]
XY_JOINT = [[0.1, 0.2], [0.3, 0.1], [0.1, 0.2]]


def _weighted_cov() -> np.ndarray:
    """numpy.cov over the table's cells, weighted by their probabilities (population)."""
    cells = [(x, y, XY_JOINT[i][j]) for i, x in enumerate(XS) for j, y in enumerate(YS)]
    xs, ys, ws = zip(*cells)
    return np.cov(xs, ys, aweights=ws, bias=True)


def test_covariance_and_correlation_match_weighted_numpy_cov() -> None:
    C = _weighted_cov()
    assert prob.covariance(XS, YS, XY_JOINT) == pytest.approx(C[0, 1], abs=1e-12)
    assert prob.correlation(XS, YS, XY_JOINT) == pytest.approx(
        C[0, 1] / np.sqrt(C[0, 0] * C[1, 1]))
    # E[xy] by hand: 1*(-0.3 + 0.1) + 2*(-0.1 + 0.2)
    assert prob.expected_product(XS, YS, XY_JOINT) == pytest.approx(0.0)


def test_sign_flip_joint_has_zero_covariance_but_dependence() -> None:
    xs, px = [-1, 0, 1], [0.25, 0.5, 0.25]
    J = prob.sign_flip_joint(xs, px)
    np.testing.assert_allclose(J, [[0.125, 0, 0.125], [0, 0.5, 0], [0.125, 0, 0.125]])
    assert prob.covariance(xs, xs, J) == pytest.approx(0.0, abs=1e-15)
    assert not prob.is_independent(J)


def test_covariance_matrix_matches_numpy_cov() -> None:
    X = [[1, 2], [3, 5], [4, 4], [0, -1]]
    np.testing.assert_allclose(prob.covariance_matrix(X), np.cov(np.array(X).T))


def test_diagnostic_bayes_textbook_example() -> None:
    # prevalence 1 %, sensitivity 90 %, false-positive rate 9 % (specificity 91 %):
    # P(+) = 0.01*0.9 + 0.99*0.09 = 0.0981; P(disease | +) = 0.009 / 0.0981 ≈ 0.0917
    assert prob.diagnostic_evidence(0.01, 0.9, 0.91) == pytest.approx(0.0981)
    assert prob.diagnostic_posterior(0.01, 0.9, 0.91) == pytest.approx(0.009 / 0.0981)
    assert prob.diagnostic_posterior(0.01, 0.9, 0.91) == pytest.approx(0.0917, abs=1e-4)


def test_bayes_posterior_by_hand() -> None:
    # Two urns, prior (1/2, 1/2); P(red | urn) = (3/4, 1/4): P(urn 0 | red) = 3/4
    post = prob.bayes_posterior([0.5, 0.5], [[0.75, 0.25], [0.25, 0.75]], 0)
    np.testing.assert_allclose(post, [0.75, 0.25])


@pytest.mark.parametrize(("a", "b", "c", "d"), [(0, 4, 1, 3), (2, 6, 0, 3), (-1, 3, 2, 10),
                                                (0, 2, 3, 5)])
def test_uniform_matches_scipy(a: float, b: float, c: float, d: float) -> None:
    rv = stats.uniform(loc=a, scale=b - a)
    assert prob.uniform_density(a, b) == pytest.approx(rv.pdf((a + b) / 2))
    assert prob.uniform_prob(a, b, c, d) == pytest.approx(rv.cdf(d) - rv.cdf(c))
    assert prob.uniform_mean(a, b) == pytest.approx(rv.mean())
    assert prob.uniform_variance(a, b) == pytest.approx(rv.var())


@pytest.mark.parametrize(("call", "message"), [
    (lambda: prob.uniform_density(3, 3), "a < b"),
    (lambda: prob.uniform_prob(0, 1, 2, 1), "c <= d"),
    (lambda: prob.expectation([1, 2], [0.5, 0.25, 0.25]), "same length"),
    (lambda: prob.covariance([1, 2], [1, 2], JOINT), "len\\(xs\\) x len\\(ys\\)"),
    (lambda: prob.diagnostic_evidence(1.2, 0.9, 0.9), "prior"),
    (lambda: prob.sign_flip_joint([0, 1], [0.5, 0.5]), "symmetric"),
    (lambda: prob.marginal_x([[0.5, 0.6]]), "sum to 1"),
])
def test_bad_input_says_what_is_wrong(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_registered() -> None:
    for name in ("marginal_x", "marginal_y", "conditional_y_given_x", "chain_rule_joint",
                 "is_independent", "expectation", "variance", "covariance", "correlation",
                 "diagnostic_posterior", "uniform_prob", "sign_flip_joint"):
        assert SOLVERS[name] is getattr(prob, name)


def test_perturb_joint_keeps_marginals_but_breaks_independence() -> None:
    independent = [[1 / 12, 1 / 6], [1 / 4, 1 / 2]]
    J = prob.perturb_joint(independent, 1 / 12)
    np.testing.assert_allclose(J, [[0, 1 / 4], [1 / 3, 5 / 12]])
    np.testing.assert_allclose(J.sum(axis=1), [1 / 4, 3 / 4])
    np.testing.assert_allclose(J.sum(axis=0), [1 / 3, 2 / 3])
    assert not prob.is_independent(J)
    with pytest.raises(ValueError, match="cannot move"):
        prob.perturb_joint(independent, 0.1)


def test_not_applicable_raises_with_its_reason() -> None:
    with pytest.raises(ValueError, match="not applicable: f is linear"):
        prob.not_applicable("f is linear")
