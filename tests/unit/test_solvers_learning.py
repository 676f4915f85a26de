"""Learning solvers against values obtained without them.

Expected values: the perceptron trace of Li Hang's 统计学习方法, example 2.1 (also in the
course notes, seed 003), scipy.special.softmax/logsumexp, scipy.stats (Bernoulli
log-likelihood, norm.fit), scipy.stats.entropy, and hand formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from grader.solvers import SOLVERS
from grader.solvers import learning as learn

X_BOOK, Y_BOOK = [[3, 3], [4, 3], [1, 1]], [1, 1, -1]
# Li Hang, table 2.1: misclassified point (0-based) and (w, b) after each update.
BOOK_TRACE = [(0, (3, 3), 1), (2, (2, 2), 0), (2, (1, 1), -1), (2, (0, 0), -2),
              (0, (3, 3), -1), (2, (2, 2), -2), (2, (1, 1), -3)]


def test_perceptron_trace_follows_the_textbook_table() -> None:
    trace = learn.perceptron_trace(X_BOOK, Y_BOOK, 1)
    assert len(trace) == 7
    for step, (point, w, b) in zip(trace, BOOK_TRACE):
        assert step["point"] == point
        np.testing.assert_array_equal(step["w"], w)
        assert step["b"] == b


def test_perceptron_result_and_training_function() -> None:
    end = learn.perceptron_result(X_BOOK, Y_BOOK, 1)
    np.testing.assert_array_equal(end["w"], [1, 1])
    assert (end["b"], end["n_updates"]) == (-3, 7)
    w, b, n = learn.perceptron(X_BOOK, Y_BOOK)
    np.testing.assert_array_equal(w, [1, 1])
    assert (b, n) == (-3, 7)


def test_perceptron_step_reproduces_each_textbook_update_from_the_previous() -> None:
    prev: dict = {"point": -1, "w": [0, 0], "b": 0}
    for point, w, b in BOOK_TRACE:
        nxt = learn.perceptron_step(X_BOOK, Y_BOOK, 1, prev)
        assert nxt["point"] == point
        np.testing.assert_array_equal(nxt["w"], w)
        assert nxt["b"] == b
        prev = {"point": point, "w": list(w), "b": b}
    assert learn.perceptron_step(X_BOOK, Y_BOOK, 1, prev)["point"] == -1  # converged


def test_perceptron_step_follows_a_wrong_previous_state() -> None:
    # From w = (1, 0), b = 0, x3 = (1, 1) has margin -(1) < 0: first mistake is point 2.
    nxt = learn.perceptron_step(X_BOOK, Y_BOOK, 1, {"w": [1, 0], "b": 0})
    assert nxt["point"] == 2
    np.testing.assert_array_equal(nxt["w"], [0, -1])
    assert nxt["b"] == -1


def test_perceptron_mistake_variants() -> None:
    # A strict < 0 test never fires at w = 0, b = 0: every margin is 0.
    assert learn.perceptron_trace(X_BOOK, Y_BOOK, 1, strict=True) == []
    frozen = learn.perceptron_trace(X_BOOK, Y_BOOK, 1, update_bias=False, max_updates=5)
    assert len(frozen) == 5 and all(s["b"] == 0 for s in frozen)
    np.testing.assert_array_equal(frozen[0]["w"], [3, 3])


def test_perceptron_on_inseparable_points_is_refused_or_capped() -> None:
    X, y = [[0, 0], [0, 0]], [1, -1]
    with pytest.raises(ValueError, match="linearly separable"):
        learn.perceptron_trace(X, y, 1)
    assert learn.perceptron(X, y, max_epochs=9)[2] == 9


def test_perceptron_with_fractional_rate_scales_the_run() -> None:
    # With w0 = 0, b0 = 0 the run for eta is the run for 1 scaled by eta.
    end = learn.perceptron_result(X_BOOK, Y_BOOK, 0.5)
    np.testing.assert_allclose(end["w"], [0.5, 0.5])
    assert end["b"] == pytest.approx(-1.5)


@pytest.mark.parametrize("data", [[1, 0, 1, 1], [0, 0, 0, 1, 1], [1, 1, 1]])
def test_bernoulli_mle_and_nll_match_scipy(data: list[int]) -> None:
    p = sum(data) / len(data)
    assert learn.mle_bernoulli(data) == pytest.approx(p)
    nll = -float(np.sum(stats.bernoulli.logpmf(data, p)))
    assert learn.nll_bernoulli(data, p) == pytest.approx(nll, abs=1e-12)


@pytest.mark.parametrize("data", [[1, 2, 3, 6], [-2.0, 0.5, 4.0], [5, 5, 7]])
def test_gaussian_mle_matches_scipy_norm_fit(data: list[float]) -> None:
    mu, sigma = stats.norm.fit(data)
    assert learn.mle_gaussian_mean(data) == pytest.approx(mu)
    assert learn.mle_gaussian_var(data) == pytest.approx(sigma**2)
    assert learn.sample_variance(data) == pytest.approx(np.var(data, ddof=1))


@pytest.mark.parametrize("z", [[1, 2, 3], [2.0, -1.0, 0.5, 0.0], [1000, 1000, -1000]])
def test_softmax_loss_and_gradient_match_scipy(z: list[float]) -> None:
    probs = special.softmax(z)
    np.testing.assert_allclose(learn.softmax(z), probs, rtol=1e-12)
    for label in range(len(z)):
        assert learn.softmax_loss(z, label) == pytest.approx(special.logsumexp(z) - z[label])
        onehot = np.eye(len(z))[label]
        np.testing.assert_allclose(learn.softmax_grad(z, label), probs - onehot, atol=1e-15)


def test_softmax_gradient_matches_finite_differences() -> None:
    z, h = np.array([0.3, -1.2, 2.0]), 1e-6
    numeric = [(learn.softmax_loss(z + h * e, 1) - learn.softmax_loss(z - h * e, 1)) / (2 * h)
               for e in np.eye(3)]
    np.testing.assert_allclose(learn.softmax_grad(z, 1), numeric, atol=1e-8)


def test_empirical_distribution_and_nll_link_to_cross_entropy() -> None:
    samples, q = [0, 1, 1, 2, 1, 0, 1, 1], [0.25, 0.5, 0.25]
    p_hat = learn.empirical_distribution(samples, 3)
    np.testing.assert_allclose(p_hat, [2 / 8, 5 / 8, 1 / 8])
    by_hand = -(2 * math.log(0.25) + 5 * math.log(0.5) + 1 * math.log(0.25)) / 8
    assert learn.average_nll(samples, q) == pytest.approx(by_hand)
    # the average NLL is the cross-entropy H(p̂, q) = H(p̂) + KL(p̂ || q)
    assert by_hand == pytest.approx(stats.entropy(p_hat) + stats.entropy(p_hat, q))
    assert learn.average_nll([0, 1], [0.0, 1.0]) == math.inf


@pytest.mark.parametrize(("call", "message"), [
    (lambda: learn.perceptron_trace([[1, 2]], [2], 1), "labels \\+1 or -1"),
    (lambda: learn.perceptron_trace([1, 2], [1, -1], 1), "n points"),
    (lambda: learn.mle_bernoulli([0, 2]), "0s and 1s"),
    (lambda: learn.softmax_loss([1, 2], 2), "class index in 0..1"),
    (lambda: learn.empirical_distribution([0, 3], 3), "ints in 0..2"),
    (lambda: learn.sample_variance([1.0]), "at least 2"),
])
def test_bad_input_says_what_is_wrong(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_registered() -> None:
    for name in ("perceptron", "perceptron_step", "perceptron_trace", "perceptron_result",
                 "softmax", "softmax_loss", "softmax_grad", "mle_bernoulli",
                 "mle_gaussian_var", "average_nll", "empirical_distribution"):
        assert SOLVERS[name] is getattr(learn, name)


def test_the_packaged_perceptron_spec_solves_the_textbook_example() -> None:
    from pathlib import Path

    from grader.authoring.spec import load_exercise
    from grader.authoring.variant import solve

    spec = Path(learn.__file__).parents[1] / "exercises" / "learning" / "ml-perceptron.yaml"
    answers = solve(load_exercise(spec), {"X": X_BOOK, "y": Y_BOOK, "eta": 1})
    assert answers["w"] == [1, 1] and answers["b"] == -3 and answers["n_updates"] == 7
    assert [(s["point"], s["w"], s["b"]) for s in answers["updates"]] == \
        [(p, list(w), b) for p, w, b in BOOK_TRACE]
