"""Information-theory solvers against values obtained without them.

Expected values: the Wikipedia KL worked example (Binomial(2, 0.4) against uniform),
scipy.stats.entropy, scipy.special.rel_entr, scipy.spatial.distance.jensenshannon
(which returns the square root of the divergence), and hand formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats
from scipy.spatial import distance

from grader.solvers import SOLVERS
from grader.solvers import information as info

LN2 = math.log(2)
P_BINOM = [0.36, 0.48, 0.16]
Q_UNIFORM = [1 / 3, 1 / 3, 1 / 3]
PAIRS = [
    ([0.5, 0.25, 0.25], [0.25, 0.5, 0.25]),
    ([0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]),
    ([0.0, 0.5, 0.5], [0.2, 0.3, 0.5]),
    ([1 / 8, 3 / 8, 1 / 2], [5 / 8, 1 / 4, 1 / 8]),
]
JOINTS = [
    [[0.25, 0.25], [0.0, 0.5]],
    [[0.1, 0.2, 0.1], [0.3, 0.0, 0.3]],
    [[1 / 12, 1 / 6], [1 / 4, 1 / 2]],  # independent: P(x) = (1/4, 3/4), P(y) = (1/3, 2/3)
    [[0.5, 0.0], [0.0, 0.5]],
]


def test_kl_binomial_against_uniform_wikipedia_example() -> None:
    assert info.kl_divergence(P_BINOM, Q_UNIFORM) == pytest.approx(0.0852996, abs=1e-7)
    assert info.kl_divergence(Q_UNIFORM, P_BINOM) == pytest.approx(0.097455, abs=1e-6)


@pytest.mark.parametrize(("p", "q"), PAIRS)
def test_kl_and_cross_entropy_match_scipy(p: list[float], q: list[float]) -> None:
    assert info.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q), abs=1e-12)
    assert info.kl_divergence(p, q, "bits") == pytest.approx(stats.entropy(p, q, base=2))
    assert info.kl_divergence(p, q) == pytest.approx(float(np.sum(special.rel_entr(p, q))))
    cross = stats.entropy(p) + stats.entropy(p, q)
    assert info.cross_entropy(p, q) == pytest.approx(cross, abs=1e-12)
    assert info.cross_entropy(p, q, 2) == pytest.approx(cross / LN2, abs=1e-12)


def test_kl_and_cross_entropy_are_infinite_where_q_is_zero_and_p_is_not() -> None:
    assert info.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert info.cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert info.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(LN2)  # 0·log 0 = 0


@pytest.mark.parametrize("p", [[0.5, 0.5], [0.25, 0.25, 0.5], [1.0, 0.0, 0.0], [0.1, 0.9]])
def test_entropy_matches_scipy_in_both_units(p: list[float]) -> None:
    assert info.entropy(p) == pytest.approx(stats.entropy(p), abs=1e-12)
    assert info.entropy(p, "bits") == pytest.approx(stats.entropy(p, base=2), abs=1e-12)
    assert info.entropy(p, 2) == pytest.approx(stats.entropy(p, base=2), abs=1e-12)


def test_entropy_of_a_certain_outcome_is_plus_zero() -> None:
    assert math.copysign(1.0, info.entropy([1.0, 0.0])) == 1.0


def test_self_information_by_hand() -> None:
    assert info.self_information(0.25) == pytest.approx(math.log(4))
    assert info.self_information(0.125, "bits") == pytest.approx(3.0)
    assert info.self_information(1.0) == 0.0
    assert info.self_information(0.0) == math.inf


@pytest.mark.parametrize("p", [0.5, 0.25, 0.1, 0.0, 1.0])
def test_binary_entropy_by_formula(p: float) -> None:
    by_hand = -sum(t * math.log(t) for t in (p, 1 - p) if t > 0)
    assert info.binary_entropy(p) == pytest.approx(by_hand, abs=1e-12)
    assert info.binary_entropy(p, "bits") == pytest.approx(by_hand / LN2, abs=1e-12)
    assert info.binary_entropy(0.5, "bits") == pytest.approx(1.0)


@pytest.mark.parametrize(("p", "q"), PAIRS)
def test_js_divergence_is_the_square_of_scipys_jensenshannon(p: list[float],
                                                             q: list[float]) -> None:
    np.testing.assert_allclose(info.js_mixture(p, q), (np.array(p) + np.array(q)) / 2)
    assert info.js_divergence(p, q) == pytest.approx(distance.jensenshannon(p, q) ** 2)
    assert info.js_divergence(p, q, "bits") == pytest.approx(
        distance.jensenshannon(p, q, base=2) ** 2)


def test_js_of_disjoint_supports_is_log_2() -> None:
    assert info.js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(LN2)


def _by_definition(joint: list[list[float]]) -> dict[str, float]:
    """The joint-entropy family summed cell by cell from their definitions."""
    J = np.array(joint)
    px, py = J.sum(axis=1), J.sum(axis=0)
    cells = [(J[i, j], px[i], py[j]) for i in range(J.shape[0]) for j in range(J.shape[1])
             if J[i, j] > 0]
    return {
        "h_xy": -sum(p * math.log(p) for p, _, _ in cells),
        "h_x_given_y": -sum(p * math.log(p / b) for p, _, b in cells),
        "h_y_given_x": -sum(p * math.log(p / a) for p, a, _ in cells),
        "mi": sum(p * math.log(p / (a * b)) for p, a, b in cells),
    }


@pytest.mark.parametrize("joint", JOINTS)
def test_joint_family_by_definition(joint: list[list[float]]) -> None:
    want = _by_definition(joint)
    J = np.array(joint)
    assert info.joint_entropy(joint) == pytest.approx(want["h_xy"], abs=1e-12)
    assert info.entropy_x(joint) == pytest.approx(stats.entropy(J.sum(axis=1)), abs=1e-12)
    assert info.entropy_y(joint) == pytest.approx(stats.entropy(J.sum(axis=0)), abs=1e-12)
    assert info.conditional_entropy_x_given_y(joint) == pytest.approx(want["h_x_given_y"],
                                                                      abs=1e-12)
    assert info.conditional_entropy_y_given_x(joint) == pytest.approx(want["h_y_given_x"],
                                                                      abs=1e-12)
    assert info.mutual_information(joint) == pytest.approx(want["mi"], abs=1e-12)
    assert info.mutual_information(joint, "bits") == pytest.approx(want["mi"] / LN2, abs=1e-12)


def test_mutual_information_of_independent_table_is_zero_and_copy_is_entropy() -> None:
    assert info.mutual_information(JOINTS[2]) == pytest.approx(0.0, abs=1e-15)
    assert info.mutual_information(JOINTS[3]) == pytest.approx(LN2)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: info.entropy([0.5, 0.6]), "must sum to 1"),
    (lambda: info.entropy([1.5, -0.5]), ">= 0"),
    (lambda: info.entropy([0.5, 0.5], "dits"), "'nats' or 'bits'"),
    (lambda: info.entropy([0.5, 0.5], 1), "!= 1"),
    (lambda: info.kl_divergence([0.5, 0.5], [1.0]), "same length"),
    (lambda: info.joint_entropy([0.5, 0.5]), "2 axis"),
    (lambda: info.self_information(1.5), "in [0, 1]"),
])
def test_bad_input_says_what_is_wrong(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call()


def test_registered() -> None:
    for name in ("entropy", "kl_divergence", "cross_entropy", "js_divergence", "js_mixture",
                 "mutual_information", "joint_entropy", "self_information", "binary_entropy",
                 "conditional_entropy_x_given_y", "conditional_entropy_y_given_x"):
        assert SOLVERS[name] is getattr(info, name)
