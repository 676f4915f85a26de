"""Matrix and point-set generators, each checked over hundreds of seeds with numpy/scipy
(and a perceptron and an exact rank written here), never with the generators' own code."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
import scipy.optimize

from grader.authoring.generators import build_generator, factored, points

SEEDS = range(400)
NICE = 900  # squared entries of nice unit vectors are k/s with s | 900 (s in 1..6, 9, 25)


def draws(name: str, args: dict, seeds=SEEDS) -> list:
    gen = build_generator(name, args)
    return [gen.draw(np.random.default_rng(seed), {}) for seed in seeds]


def as_int_matrix(A) -> np.ndarray:
    assert all(type(x) is int for row in A for x in row), A
    return np.array(A)


def is_nice(values) -> bool:
    scaled = np.square(np.asarray(values, dtype=float)) * NICE
    return bool(np.allclose(scaled, np.round(scaled), atol=1e-6))


def exact_rank(A) -> int:
    """Gaussian elimination over the rationals."""
    M = [[Fraction(x) for x in row] for row in A]
    rank, cols = 0, len(M[0])
    for c in range(cols):
        pivot = next((r for r in range(rank, len(M)) if M[r][c] != 0), None)
        if pivot is None:
            continue
        M[rank], M[pivot] = M[pivot], M[rank]
        for r in range(len(M)):
            if r != rank and M[r][c] != 0:
                f = M[r][c] / M[rank][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[rank])]
        rank += 1
    return rank


# ------------------------------------------------------------------ symmetric_eigen


@pytest.mark.parametrize("eigenvalues", [[5, 1], [4, 2, -2], [6, 3, 1, -1], [2, 2, 0]])
def test_symmetric_eigen_with_given_eigenvalues(eigenvalues):
    n = len(eigenvalues)
    seen = set()
    for A in draws("symmetric_eigen", {"size": n, "eigenvalues": eigenvalues}, seeds=range(300)):
        M = as_int_matrix(A)
        assert (M == M.T).all()
        assert np.count_nonzero(M - np.diag(np.diag(M))) > 0  # not diagonal
        assert np.allclose(np.linalg.eigvalsh(M), sorted(eigenvalues), atol=1e-9)
        if len(set(eigenvalues)) == n:
            assert is_nice(np.linalg.eigh(M)[1])  # unit eigenvectors with entries like 1/sqrt(2)
        seen.add(M.tobytes())
    assert len(seen) > 1


@pytest.mark.parametrize("size", [2, 3, 4])
def test_symmetric_eigen_with_drawn_distinct_eigenvalues(size):
    for A in draws("symmetric_eigen", {"size": size, "eigenvalues": {"low": -5, "high": 5}}):
        M = as_int_matrix(A)
        assert (M == M.T).all() and np.count_nonzero(M - np.diag(np.diag(M))) > 0
        eig = np.linalg.eigvalsh(M)
        assert np.allclose(eig, np.round(eig), atol=1e-9)
        assert len(set(np.round(eig).astype(int))) == size
        assert -5 - 1e-9 <= eig.min() and eig.max() <= 5 + 1e-9
        assert is_nice(np.linalg.eigh(M)[1])


def test_symmetric_eigen_repeated_eigenvalues_when_not_distinct():
    spectra = [tuple(np.round(np.linalg.eigvalsh(np.array(A))).astype(int)) for A in
               draws("symmetric_eigen", {"size": 3, "eigenvalues": {"low": 0, "high": 2,
                                                                     "distinct": False}})]
    assert all(0 <= min(s) and max(s) <= 2 for s in spectra)
    assert any(len(set(s)) < 3 for s in spectra)


# ------------------------------------------------------------------ spd_matrix


@pytest.mark.parametrize("size", [2, 3, 4])
def test_spd_matrix_is_symmetric_positive_definite(size):
    for A in draws("spd_matrix", {"size": size, "low": 1, "high": 9}):
        M = as_int_matrix(A)
        assert (M == M.T).all() and np.count_nonzero(M - np.diag(np.diag(M))) > 0
        eig = np.linalg.eigvalsh(M)
        assert eig.min() >= 1 - 1e-9 and eig.max() <= 9 + 1e-9
        assert np.allclose(eig, np.round(eig), atol=1e-9)
        scipy.linalg.cholesky(M)  # raises LinAlgError unless positive definite
        np.linalg.cholesky(M)


# ------------------------------------------------------------------ nonsymmetric_eigen


@pytest.mark.parametrize(("size", "eigenvalues"), [
    (2, [3, -1]), (3, [2, 1, -1]), (4, [3, 1, 0, -2]),
    (2, {"low": -4, "high": 4}), (3, {"low": -4, "high": 4}), (4, {"low": -3, "high": 3}),
])
def test_nonsymmetric_eigen_has_the_eigenvalues(size, eigenvalues):
    for A in draws("nonsymmetric_eigen", {"size": size, "eigenvalues": eigenvalues}):
        M = as_int_matrix(A)
        assert M.shape == (size, size) and not (M == M.T).all()
        assert np.abs(M).max() <= 20
        eig = np.linalg.eigvals(M)
        assert np.abs(eig.imag).max() < 1e-6
        got = np.sort(eig.real)
        assert np.allclose(got, np.round(got), atol=1e-6)
        got = np.round(got).astype(int)
        assert len(set(got)) == size
        if isinstance(eigenvalues, list):
            assert list(got) == sorted(eigenvalues)
        else:
            assert -4 <= got.min() and got.max() <= 4
        assert sorted(np.diag(M)) != list(got)  # the diagonal does not give the answer away


def test_nonsymmetric_eigen_respects_a_tighter_bound():
    for A in draws("nonsymmetric_eigen", {"size": 3, "eigenvalues": [1, 0, -1], "max_entry": 4},
                   seeds=range(100)):
        assert np.abs(np.array(A)).max() <= 4


def test_nonsymmetric_eigen_gives_up_with_a_clear_message():
    gen = build_generator("nonsymmetric_eigen", {"size": 2, "eigenvalues": [900, -900],
                                                 "max_entry": 1})
    with pytest.raises(ValueError, match=r"^nonsymmetric_eigen could not draw a matrix with "
                                         r"entries within ±1 after \d+ tries; loosen"):
        gen.draw(np.random.default_rng(0), {})


# ------------------------------------------------------------------ orthogonal


@pytest.mark.parametrize("size", [2, 3, 4])
def test_orthogonal_true_is_exactly_orthogonal_with_nice_entries(size):
    for Q in draws("orthogonal", {"size": size}):
        Q = np.array(Q)
        assert Q.shape == (size, size)
        assert np.abs(Q.T @ Q - np.eye(size)).max() <= 1e-12
        assert np.abs(Q @ Q.T - np.eye(size)).max() <= 1e-12
        assert is_nice(Q)
        assert not np.isin(Q, [-1.0, 0.0, 1.0]).all()  # not a mere signed permutation


@pytest.mark.parametrize("size", [2, 3, 4])
def test_orthogonal_false_is_a_near_miss(size):
    kinds = set()
    for Q in draws("orthogonal", {"size": size, "orthogonal": False}):
        Q = np.array(Q)
        G = Q.T @ Q
        assert np.abs(G - np.eye(size)).max() > 0.05
        off = G - np.diag(np.diag(G))
        if np.abs(off).max() < 1e-12:
            kinds.add("orthogonal columns, not unit")
            assert np.abs(np.diag(G) - 1).max() > 0.5
        else:
            assert np.allclose(np.diag(G), 1, atol=1e-12)
            kinds.add("unit columns, not orthogonal")
        assert is_nice(Q) or np.allclose(Q, np.round(Q))
    assert kinds == {"orthogonal columns, not unit", "unit columns, not orthogonal"}


# ------------------------------------------------------------------ rank_matrix


@pytest.mark.parametrize(("rows", "cols", "rank", "low", "high"), [
    (3, 3, 2, -3, 3), (3, 4, 1, -2, 2), (4, 3, 3, -5, 5), (4, 5, 2, 0, 1), (5, 5, 3, -1, 1),
    (2, 2, 1, 3, 3), (6, 6, 4, -4, 4),
])
def test_rank_matrix_has_exactly_the_rank(rows, cols, rank, low, high):
    seen = set()
    for A in draws("rank_matrix", {"rows": rows, "cols": cols, "rank": rank, "low": low,
                                   "high": high}, seeds=range(300)):
        M = as_int_matrix(A)
        assert M.shape == (rows, cols)
        assert low <= M.min() and M.max() <= high
        assert np.linalg.matrix_rank(M) == rank
        assert exact_rank(A) == rank
        seen.add(M.tobytes())
    assert len(seen) > 1 or low == high


def test_rank_matrix_gives_up_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(factored, "TRIES", 0)  # every real range succeeds, so force the limit
    gen = build_generator("rank_matrix", {"rows": 8, "cols": 8, "rank": 1, "low": 1, "high": 2})
    with pytest.raises(ValueError, match=r"^rank_matrix could not draw a 8x8 matrix of rank 1 "
                                         r"with entries in \[1, 2\] after 0 tries; loosen"):
        gen.draw(np.random.default_rng(0), {})


# ------------------------------------------------------------------ separable_points


def perceptron(X, y, eta, limit=10_000):
    """The CATALOGUE.md rule, in floats: first mistake (<= 0) updates, then restart the sweep."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w, b, updates = np.zeros(X.shape[1]), 0.0, 0
    while updates < limit:
        margins = y * (X @ w + b)
        wrong = np.flatnonzero(margins <= 0)
        if not len(wrong):
            return updates
        i = wrong[0]
        w, b, updates = w + eta * y[i] * X[i], b + eta * y[i], updates + 1
    raise AssertionError("perceptron did not converge")


def separable_by_lp(X, y) -> bool:
    """Is there (w, b) with y_i (w.x_i + b) >= 1 for every i?"""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    A_ub = -y[:, None] * np.hstack([X, np.ones((len(X), 1))])
    res = scipy.optimize.linprog(np.zeros(X.shape[1] + 1), A_ub=A_ub, b_ub=-np.ones(len(X)),
                                 bounds=[(None, None)] * (X.shape[1] + 1), method="highs")
    return res.status == 0


@pytest.mark.parametrize("args", [
    {"count": 3, "low": -4, "high": 4, "max_updates": 10},
    {"count": 6, "low": -5, "high": 5},
    {"count": 5, "dim": 3, "low": -3, "high": 3, "max_updates": 20, "eta": 0.5},
    {"count": 4, "dim": 1, "low": -6, "high": 6, "max_updates": 8},
])
def test_separable_points(args):
    dim, eta, top = args.get("dim", 2), args.get("eta", 1), args.get("max_updates", 12)
    for pts in draws("separable_points", args, seeds=range(300)):
        assert set(pts) == {"X", "y"}
        X, y = pts["X"], pts["y"]
        assert len(X) == args["count"] == len(y)
        assert all(len(x) == dim and all(type(c) is int for c in x) for x in X)
        assert all(args["low"] <= c <= args["high"] for x in X for c in x)
        assert len({tuple(x) for x in X}) == len(X)
        assert set(y) == {-1, 1} and all(type(v) is int for v in y)
        assert separable_by_lp(X, y)
        assert 2 <= perceptron(X, y, eta) <= top


def test_catalogue_perceptron_example_checks_the_test_perceptron():
    # CATALOGUE.md: 7 updates on (3,3)+, (4,3)+, (1,1)-
    assert perceptron([[3, 3], [4, 3], [1, 1]], [1, 1, -1], 1.0) == 7


def test_separable_points_gives_up_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(points, "TRIES", 3)
    gen = build_generator("separable_points", {"count": 30, "low": -50, "high": 50,
                                               "max_updates": 2})
    with pytest.raises(ValueError, match=r"^separable_points could not draw 30 points on which "
                                         r"the perceptron makes 2\.\.2 updates after 3 tries; "
                                         r"loosen"):
        gen.draw(np.random.default_rng(0), {})
