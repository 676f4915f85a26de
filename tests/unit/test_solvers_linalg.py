"""Linear-algebra solvers against independent values: scipy, hand-worked examples, other formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg as sla

from grader.solvers import SOLVERS
from grader.solvers import linalg as L

RNG = np.random.default_rng(20240611)


def test_every_solver_is_registered_under_its_name() -> None:
    for name in ("broadcast_add", "matmul_shape", "hadamard", "angle", "lp_norm", "frobenius",
                 "adjugate", "solve_linear", "is_orthogonal", "eigenvalues", "eigenvectors",
                 "definiteness", "singular_values", "matrix_rank", "low_rank", "power_step",
                 "power_iteration", "rayleigh_quotient", "sum_shape", "normalize"):
        assert SOLVERS[name] is getattr(L, name)


def test_spectral_solvers_live_in_linalg_spectral_and_register_through_linalg() -> None:
    from grader.solvers import linalg_spectral as S

    for name in ("eigenvalues", "eigenvectors_unnormalised", "singular_values", "low_rank",
                 "power_iteration_steps", "rayleigh_quotient", "definiteness"):
        assert SOLVERS[name] is getattr(S, name) is getattr(L, name)


# ---------------------------------------------------------------- products


def test_broadcast_add_adds_b_to_every_row() -> None:
    # Worked by hand: C[i,j] = A[i,j] + b[j].
    C = L.broadcast_add([[1, 2, 3], [4, 5, 6]], [10, 20, 30])
    assert C.tolist() == [[11, 22, 33], [14, 25, 36]]


def test_broadcast_add_columns_is_the_column_mistake() -> None:
    C = L.broadcast_add_columns([[1, 2], [3, 4]], [10, 20])
    assert C.tolist() == [[11, 12], [23, 24]]


def test_broadcast_add_refuses_mismatched_b() -> None:
    with pytest.raises(ValueError, match="b has 2 entries but A has 3 columns"):
        L.broadcast_add([[1, 2, 3]], [1, 2])


def test_matmul_shape() -> None:
    assert L.matmul_shape(np.zeros((2, 3)), np.zeros((3, 5))) == [2, 5]
    with pytest.raises(ValueError, match="undefined"):
        L.matmul_shape(np.zeros((2, 3)), np.zeros((2, 3)))


def test_hadamard_by_hand() -> None:
    assert L.hadamard([[1, 2], [3, 4]], [[5, 6], [7, 8]]).tolist() == [[5, 12], [21, 32]]
    with pytest.raises(ValueError, match="equal shapes"):
        L.hadamard([[1, 2]], [[1], [2]])


@pytest.mark.parametrize("x, y, theta", [
    ([1, 0], [0, 3], math.pi / 2),
    ([1, 1], [1, 0], math.pi / 4),
    ([1, 2, 3], [-2, -4, -6], math.pi),
    ([2, 0], [5, 0], 0.0),
    ([1, 0], [-1, math.sqrt(3)], 2 * math.pi / 3),
])
def test_angle_against_known_angles(x: list, y: list, theta: float) -> None:
    assert L.angle(x, y) == pytest.approx(theta, abs=1e-12)
    assert L.cos_angle(x, y) == pytest.approx(math.cos(theta), abs=1e-12)


def test_angle_with_zero_vector_is_refused() -> None:
    with pytest.raises(ValueError, match="zero vector"):
        L.angle([0, 0], [1, 2])


# ---------------------------------------------------------------- norms


@pytest.mark.parametrize("p", [1, 2, 3, 4.5, math.inf])
def test_lp_norm_matches_scipy(p: float) -> None:
    x = RNG.integers(-9, 10, size=7)
    assert L.lp_norm(x, p) == pytest.approx(sla.norm(x.astype(float), p), rel=1e-12)


def test_lp_norm_by_hand_and_edge_cases() -> None:
    assert L.lp_norm([3, -4], 2) == 5
    assert L.lp_norm([3, -4], 1) == 7
    assert L.lp_norm([3, -4], math.inf) == 4  # max of |x_i|, not max x_i = 3
    assert L.lp_norm([0, 0], 3) == 0
    assert L.lp_norm([1e200, 1e200], 2) == pytest.approx(math.sqrt(2) * 1e200)
    with pytest.raises(ValueError, match="p must be >= 1"):
        L.lp_norm([1, 2], 0.5)


def test_frobenius_matches_scipy() -> None:
    A = RNG.integers(-5, 6, size=(3, 4)).astype(float)
    assert L.frobenius(A) == pytest.approx(sla.norm(A, "fro"))
    assert L.frobenius([[1, 2], [2, 4]]) == 5.0


def test_normalize() -> None:
    assert L.normalize([3, 4]).tolist() == pytest.approx([0.6, 0.8])
    with pytest.raises(ValueError, match="zero vector"):
        L.normalize([0, 0])


# ---------------------------------------------------------------- inverses and systems


def test_adjugate_by_hand_2x2() -> None:
    # adj [[a, b], [c, d]] = [[d, -b], [-c, a]].
    assert L.adjugate([[2, 3], [1, 4]]) == pytest.approx(np.array([[4, -3], [-1, 2]]))


def test_adjugate_is_det_times_inverse() -> None:
    A = np.array([[2, 1, 0], [1, 3, 1], [0, 1, 4]], dtype=float)
    assert L.adjugate(A) == pytest.approx(sla.det(A) * sla.inv(A))


def test_solve_linear_matches_scipy() -> None:
    A = np.array([[4, 1, 2], [1, 5, 1], [2, 1, 6]], dtype=float)
    b = np.array([1.0, -2.0, 3.0])
    assert L.solve_linear(A, b) == pytest.approx(sla.solve(A, b))
    with pytest.raises(ValueError, match="singular"):
        L.solve_linear([[1, 2], [2, 4]], [1, 1])


def test_reciprocal() -> None:
    assert L.reciprocal([2, -4]).tolist() == [0.5, -0.25]
    with pytest.raises(ValueError, match="zero"):
        L.reciprocal([1, 0])


# ---------------------------------------------------------------- orthogonality


def test_orthogonality_predicates() -> None:
    rot = [[0.6, -0.8], [0.8, 0.6]]
    scaled = [[3, -4], [4, 3]]  # orthogonal columns of length 5: not an orthogonal matrix
    skew = [[1, 1], [0, 1]]
    assert L.is_orthogonal(rot) and L.has_orthogonal_columns(rot)
    assert not L.is_orthogonal(scaled) and L.has_orthogonal_columns(scaled)
    assert not L.is_orthogonal(skew) and not L.has_orthogonal_columns(skew)
    assert not L.is_orthogonal([[1, 0], [0, 1], [0, 0]])


# ---------------------------------------------------------------- eigenvalues


def _random_symmetric(n: int) -> np.ndarray:
    M = RNG.integers(-5, 6, size=(n, n)).astype(float)
    return M + M.T


def test_eigenvalues_textbook_example() -> None:
    # [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2.
    A = [[2, 1], [1, 2]]
    assert L.eigenvalues(A) == pytest.approx([3, 1])
    r = 1 / math.sqrt(2)
    assert L.eigenvectors(A) == pytest.approx(np.array([[r, r], [r, -r]]))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_symmetric_eigen_matches_scipy(n: int) -> None:
    A = _random_symmetric(n)
    w, V = sla.eigh(A)
    assert L.eigenvalues(A) == pytest.approx(w[::-1])
    got = L.eigenvectors(A)
    for j, ref in enumerate(V[:, ::-1].T):
        assert abs(got[:, j] @ ref) == pytest.approx(1.0)  # same unit direction
        big = np.argmax(np.round(np.abs(got[:, j]), 9))
        assert got[big, j] > 0  # the documented sign convention


def test_eigenvectors_refuse_non_symmetric() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        L.eigenvectors([[1, 2], [0, 3]])


def test_nonsymmetric_eigenvalues_by_hand_and_scipy() -> None:
    # Triangular: the eigenvalues are the diagonal entries.
    assert L.eigenvalues([[1, 2], [0, 3]]).tolist() == pytest.approx([3, 1])
    A = np.array([[4, 1], [2, 3]], dtype=float)  # characteristic λ² − 7λ + 10: λ = 5, 2
    assert L.eigenvalues(A) == pytest.approx([5, 2])
    P = np.array([[1, 1, 0], [1, 2, 1], [0, 1, 2]], dtype=float)  # det 1
    B = P @ np.diag([3.0, -1.0, 2.0]) @ sla.inv(P)
    assert L.eigenvalues(B) == pytest.approx([3, 2, -1], abs=1e-9)
    assert L.eigenvalues(B) == pytest.approx(sorted(sla.eigvals(B).real, reverse=True), abs=1e-9)


def test_complex_eigenvalues_are_refused() -> None:
    with pytest.raises(ValueError, match="complex"):
        L.eigenvalues([[0, -1], [1, 0]])


def test_eigenvectors_unnormalised() -> None:
    V = L.eigenvectors_unnormalised([[2, 1], [1, 2]])
    assert V == pytest.approx(np.array([[1, 1], [1, -1]]))


def test_same_directions() -> None:
    assert L.same_directions([[1, 2], [2, 0]], [[-2, 1], [-4, 0]])
    assert not L.same_directions([[1, 0], [0, 1]], [[1, 1], [0, 1]])


@pytest.mark.parametrize("A, expected", [
    ([[2, 0], [0, 3]], "positive-definite"),
    ([[1, 1], [1, 1]], "positive-semidefinite"),  # eigenvalues 2, 0
    ([[-2, 1], [1, -2]], "negative-definite"),  # −1, −3
    ([[-1, -1], [-1, -1]], "negative-semidefinite"),  # 0, −2
    ([[1, 2], [2, 1]], "indefinite"),  # 3, −1
])
def test_definiteness_by_hand(A: list, expected: str) -> None:
    assert L.definiteness(A) == expected


@pytest.mark.parametrize("kind", ["positive-definite", "positive-semidefinite",
                                  "negative-definite", "negative-semidefinite", "indefinite"])
def test_signed_spectrum_has_the_named_definiteness(kind: str) -> None:
    lam = L.signed_spectrum(kind, [3, 2])
    Q = sla.qr(RNG.normal(size=(2, 2)))[0]
    assert L.definiteness(Q @ np.diag(lam) @ Q.T) == kind


# ---------------------------------------------------------------- SVD and rank


def test_singular_values_match_scipy() -> None:
    A = RNG.integers(-5, 6, size=(3, 2)).astype(float)
    assert L.singular_values(A) == pytest.approx(sla.svdvals(A))
    # Worked example: AᵀA = [[25, 20], [20, 25]] has eigenvalues 45, 5.
    assert L.singular_values([[3, 0], [4, 5]]) == pytest.approx([math.sqrt(45), math.sqrt(5)])


@pytest.mark.parametrize("A", [
    [[1, 2, 3], [2, 4, 6], [0, 0, 0]],
    [[1, 0], [0, 1]],
    [[0, 0], [0, 0]],
    [[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]],
])
def test_matrix_rank_matches_scipy(A: list) -> None:
    expected = np.asarray(A).shape[1] - sla.null_space(np.asarray(A, float)).shape[1]
    assert L.matrix_rank(A) == expected
    assert L.matrix_rank(A) == np.linalg.matrix_rank(np.asarray(A, float))


def test_nonzero_rows() -> None:
    assert L.nonzero_rows([[1, 2], [0, 0], [0, 3]]) == 2


def test_low_rank_of_a_diagonal_matrix_by_hand() -> None:
    A = np.diag([5.0, 3.0, 1.0])
    assert L.low_rank(A, 1) == pytest.approx(np.diag([5.0, 0, 0]))
    assert L.low_rank_smallest(A, 1) == pytest.approx(np.diag([0, 0, 1.0]))
    assert L.low_rank_error(A, 1) == pytest.approx(math.sqrt(10))


def test_low_rank_is_best_among_random_rank_k_matrices() -> None:
    A = RNG.integers(-4, 5, size=(4, 3)).astype(float)
    best = L.low_rank(A, 2)
    assert np.linalg.matrix_rank(best) == 2
    err = sla.norm(A - best, "fro")
    assert L.low_rank_error(A, 2) == pytest.approx(err)
    for _ in range(50):  # Eckart–Young: no rank-2 matrix does better
        other = RNG.normal(size=(4, 2)) @ RNG.normal(size=(2, 3))
        assert sla.norm(A - other, "fro") >= err - 1e-9
    with pytest.raises(ValueError, match="k=4"):
        L.low_rank(A, 4)


# ---------------------------------------------------------------- power iteration


def test_power_iteration_by_hand() -> None:
    # A = [[2, 1], [1, 2]], v0 = (1, 0): Av0 = (2, 1) → (2, 1)/√5; A(2, 1) = (5, 4) → (5, 4)/√41.
    A = [[2, 1], [1, 2]]
    v1, v2 = L.power_iteration_steps(A, [1, 0], 2)
    assert v1 == pytest.approx(np.array([2, 1]) / math.sqrt(5))
    assert v2 == pytest.approx(np.array([5, 4]) / math.sqrt(41))
    assert L.power_iteration(A, [1, 0], 2) == pytest.approx(v2)
    assert L.power_iteration(A, [3, 4], 0) == pytest.approx([0.6, 0.8])
    assert L.power_step(A, [2, 1]) == pytest.approx(v2)
    assert [s.tolist() for s in L.power_iteration_unnormalised(A, [1, 0], 2)] == [[2, 1], [5, 4]]
    # Rayleigh quotient at (5, 4): (5,4)·(14,13) / 41 = 122/41.
    assert L.rayleigh_quotient(A, v2) == pytest.approx(122 / 41)


def test_power_iteration_converges_to_the_dominant_eigenvector() -> None:
    A = _random_symmetric(3) + 30 * np.eye(3)  # shifted so the dominant eigenvalue is clear
    w, V = sla.eigh(A)
    v = L.power_iteration(A, [1, 1, 1], 200)
    assert abs(v @ V[:, -1]) == pytest.approx(1.0, abs=1e-9)
    assert L.rayleigh_quotient(A, v) == pytest.approx(w[-1])


def test_power_step_refuses_a_null_vector() -> None:
    with pytest.raises(ValueError, match="Av = 0"):
        L.power_step([[1, 1], [1, 1]], [1, -1])


# ---------------------------------------------------------------- tensor reductions


@pytest.mark.parametrize("shape", [(2, 5, 4), (3, 2, 6)])
@pytest.mark.parametrize("axis", [0, 1, 2, -1, [0, 2], [0, 1], [1, 2], [0, 1, 2]])
@pytest.mark.parametrize("keepdims", [False, True])
def test_sum_shape_matches_numpy(shape: tuple, axis: object, keepdims: bool) -> None:
    ax = tuple(axis) if isinstance(axis, list) else axis
    expected = list(np.zeros(shape).sum(axis=ax, keepdims=keepdims).shape)  # type: ignore
    assert L.sum_shape(list(shape), axis, keepdims) == expected


def test_sum_shape_seed_example_and_mistake() -> None:
    # The notes: (2, 5, 4) summed over axis=[0, 2] keeps the 5.
    assert L.sum_shape([2, 5, 4], [0, 2], False) == [5]
    assert L.sum_shape([2, 5, 4], [0, 2], True) == [1, 5, 1]
    assert L.sum_shape_other_axes([2, 5, 4], [0, 2], False) == [2, 4]
    assert L.sum_shape_other_axes([2, 5, 4], 1, True) == [1, 5, 1]


def test_sum_shape_refuses_bad_axes() -> None:
    with pytest.raises(ValueError, match="axis 3 is out of range"):
        L.sum_shape([2, 3, 4], 3)
    with pytest.raises(ValueError, match="repeats"):
        L.sum_shape([2, 3, 4], [1, -2])


def test_matmul_matches_numpy_and_keeps_integers() -> None:
    A, B = RNG.integers(-5, 6, size=(2, 3)), RNG.integers(-5, 6, size=(3, 4))
    assert L.matmul(A.tolist(), B.tolist()).tolist() == np.dot(A, B).tolist()
    assert L.matmul(A, B).dtype.kind == "i"
    assert L.matmul([[0.5, 1]], [2, 2]).tolist() == [3.0]
    with pytest.raises(ValueError, match="undefined"):
        L.matmul([[1, 2]], [[1, 2]])


def test_insert_zero_row() -> None:
    assert L.insert_zero_row([[1, 2], [3, 4]], 1).tolist() == [[1, 2], [0, 0], [3, 4]]
    assert L.insert_zero_row([[1, 2]], 1).tolist() == [[1, 2], [0, 0]]
    with pytest.raises(ValueError, match="0 <= i <= rows"):
        L.insert_zero_row([[1, 2]], 2)


def test_only_if_and_semidefinite_as_definite() -> None:
    assert L.only_if(True, 5) == 5
    with pytest.raises(ValueError, match="does not apply"):
        L.only_if(False, 5)
    assert L.semidefinite_as_definite([[1, 1], [1, 1]]) == "positive-definite"
    assert L.semidefinite_as_definite([[-1, -1], [-1, -1]]) == "negative-definite"
    with pytest.raises(ValueError, match="not semidefinite"):
        L.semidefinite_as_definite([[2, 0], [0, 3]])


# ---------------------------------------------------------------- the specs that use these solvers


def test_spec_reproduces_the_notes_tensor_sum() -> None:
    from grader.authoring import variant as V
    from grader.core.seeding import make_rng
    from grader.authoring.spec import find_exercise

    exercise = find_exercise("tensor-sum-shape")
    params = V.draw_params(exercise, make_rng(0),
                           given={"shape": [2, 5, 4], "axis": [0, 2], "keepdims": False})
    assert V.solve(exercise, params) == {"shape": [5]}


LINALG_IDS = ["la-broadcast-add", "la-matmul", "la-hadamard", "la-dot-angle", "la-norms",
              "la-frobenius", "la-inverse", "la-solve", "la-diag-inverse", "la-orthogonal",
              "la-eigen-symmetric", "la-eigenvalues", "la-definiteness", "la-svd", "la-rank",
              "la-power-iteration", "la-low-rank", "tensor-sum-shape"]


@pytest.mark.parametrize("exercise_id", LINALG_IDS)
def test_linalg_spec_is_well_posed(exercise_id: str) -> None:
    """Reference answers score full marks; every listed mistake is named (a few seeds)."""
    from grader.authoring.spec import find_exercise
    from grader.authoring.validate import check_exercise

    report = check_exercise(find_exercise(exercise_id), samples=25)
    assert report.problems == []


def test_latex_surd_writes_nice_entries_exactly() -> None:
    r5, r2 = math.sqrt(5), math.sqrt(2)
    tex = L.latex_surd([[1 / r5, -2 / r5], [2 / 3, 1 / r2]])
    assert tex == (r"\left[\begin{matrix} \frac{\sqrt{5}}{5} & -\frac{2\sqrt{5}}{5} \\ "
                   r"\frac{2}{3} & \frac{\sqrt{2}}{2} \end{matrix}\right]")
    assert L.latex_surd([[0, 3], [-1, math.pi]]) == (
        r"\left[\begin{matrix} 0 & 3 \\ -1 & 3.142 \end{matrix}\right]")
