"""The direction kind's `unit` option; every expected verdict worked out by hand.

The unit vectors used: (3, 4)/5 = (0.6, 0.8) and (-4, 3)/5 = (-0.8, 0.6), the columns of
the rotation Q below; |(3, 4)| = 5, so (3, 4) is the first one unnormalised.
"""

from __future__ import annotations

from typing import Any

import pytest

from grader.kinds import KINDS, grade_raw
from grader.core.model import GradeContext, MistakeValue, PartSpec, Tolerance
from grader.core.seeding import make_rng
from grader.authoring.spec import find_exercise
from grader.authoring.variant import grade_context, make_variant

HAND = Tolerance(rtol=1e-2, atol=1e-6)
Q = [[0.6, -0.8], [0.8, 0.6]]


def part(**options: Any) -> PartSpec:
    return PartSpec(id="Q", kind="direction", prompt="", solution=None, points=1.0,
                    tolerance=HAND, options=options)


def grade(raw: Any, expected: Any, *, mistakes: tuple[MistakeValue, ...] = (),
          **options: Any):
    p = part(**options)
    ref = KINDS["direction"].normalise_reference(expected, p)
    return grade_raw("direction", raw, ref, p, GradeContext(mistakes=mistakes))


@pytest.mark.parametrize("raw", [[0.6, 0.8], [-0.6, -0.8], ["3/5", "4/5"], [0.601, 0.799]])
def test_unit_vector_accepts_either_sign_of_the_unit_vector(raw):
    assert grade(raw, [0.6, 0.8], unit=True).status == "correct"


def test_unit_vector_parallel_but_longer_is_not_normalised():
    verdict = grade([3, 4], [0.6, 0.8], unit=True)
    assert (verdict.status, verdict.score, verdict.mistake) == ("wrong", 0.0, "not normalised")
    assert "divide it by its length" in verdict.feedback
    # without the option any nonzero multiple is right, as before
    assert grade([3, 4], [0.6, 0.8]).status == "correct"


def test_unit_vector_other_direction_is_not_called_unnormalised():
    verdict = grade([0.8, 0.6], [0.6, 0.8], unit=True)
    assert verdict.status == "wrong" and verdict.mistake is None
    assert verdict.feedback.startswith("Not along the expected direction, even allowing any sign")


def test_unit_matrix_columns_compared_up_to_sign_only():
    assert grade([[-0.6, -0.8], [-0.8, 0.6]], Q, unit=True).status == "correct"


def test_unit_matrix_unnormalised_columns_are_named_per_column():
    verdict = grade([[3, -4], [4, 3]], Q, unit=True)              # 5 * Q
    assert verdict.mistake == "not normalised"
    assert "divide each column by its length" in verdict.feedback
    assert verdict.details == ("column 1: along the right direction but of length 5, not 1",
                               "column 2: along the right direction but of length 5, not 1")
    one = grade([[3, -0.8], [4, 0.6]], Q, unit=True)              # only column 1 scaled
    assert one.mistake == "not normalised" and len(one.details) == 1


def test_unit_matrix_wrong_direction_and_unnormalised_is_no_named_mistake():
    verdict = grade([[0.8, -4], [0.6, 3]], Q, unit=True)
    assert verdict.status == "wrong" and verdict.mistake is None
    assert [d.split(":")[0] for d in verdict.details] == ["column 1", "column 2"]
    assert "length 5, not 1" in verdict.details[1]
    assert "Each column must have length 1 (either sign)." in verdict.feedback


def test_listed_unnormalised_mistake_comes_before_the_generic_one():
    listed = MistakeValue("unnormalised vectors", [[3, -4], [4, 3]], "Divide by the length.")
    # column 1 negated: still the listed mistake, since columns compare up to sign
    named = grade([[-3, -4], [-4, 3]], Q, unit=True, mistakes=(listed,))
    assert (named.mistake, named.feedback) == ("unnormalised vectors", "Divide by the length.")
    # scaled by 2.5 and 1.25 instead of 5 and 5: the generic mistake, not the listed one
    other = grade([[1.5, -1], [2, 0.75]], Q, unit=True, mistakes=(listed,))
    assert other.mistake == "not normalised"


def test_unit_rows_for_columns_is_still_transposed():
    assert grade([[0.6, 0.8], [-0.8, 0.6]], Q, unit=True).mistake == "transposed"


def test_unit_differs_and_reference_checks():
    kind = KINDS["direction"]
    assert kind.differs([3, 4], [0.6, 0.8], part(unit=True))
    assert not kind.differs([3, 4], [0.6, 0.8], part())
    assert not kind.differs([-0.6, -0.8], [0.6, 0.8], part(unit=True))
    with pytest.raises(ValueError, match="every column must have length 1, got 1.414, 1"):
        kind.normalise_reference([[1, 0], [1, 1]], part(unit=True))
    assert kind.normalise_reference([[1, 0], [1, 1]], part()) == [[1.0, 0.0], [1.0, 1.0]]


def test_unit_describe_and_shape_feedback_ask_for_unit_vectors():
    kind = KINDS["direction"]
    assert "each column a unit vector, either sign" in kind.describe(part(unit=True), Q)
    assert "any nonzero multiple" in kind.describe(part(), Q)
    verdict = grade([1, 2, 3], [0.6, 0.8], unit=True)
    assert verdict.feedback == ("Expected a vector of 2 numbers (of length 1), "
                                "got a list of 3 numbers.")


def test_unit_is_a_documented_option():
    from grader.authoring.spec.declared import KIND_OPTIONS

    unit = KIND_OPTIONS["direction"]["unit"]
    assert unit.to_json() == {"type": "boolean", "default": False,
                              "description": "direction: columns must be unit length "
                                             "(compared up to sign only)"}


def test_la_eigen_symmetric_names_unnormalised_and_transposed_eigenvectors():
    ex = find_exercise("la-eigen-symmetric")
    vectors = ex.part("eigenvectors")
    assert vectors.options["unit"] is True
    # A = [[3, 2], [2, 0]]: λ² - 3λ - 4 = (λ - 4)(λ + 1); eigenvectors (2, 1)/√5 for 4 and
    # (-1, 2)/√5 for -1 (signed so the largest entry is positive): Q = [[2, -1], [1, 2]]/√5.
    # The solver's unnormalised form scales each column so its smallest |entry| is 1: √5 Q.
    var = make_variant(ex, make_rng(0), given={"A": [[3, 2], [2, 0]]})
    ctx = grade_context(ex, vectors, var.params, var.mistakes["eigenvectors"])
    s = "/sqrt(5)"
    cases = [
        ([[f"2{s}", f"-1{s}"], [f"1{s}", f"2{s}"]], "correct", None),
        ([[f"2{s}", f"1{s}"], [f"1{s}", f"-2{s}"]], "correct", None),   # column 2 negated
        ([[2, -1], [1, 2]], "wrong", "unnormalised vectors"),
        ([[4, 1], [2, -2]], "wrong", "not normalised"),                  # other scales
        ([[f"2{s}", f"1{s}"], [f"-1{s}", f"2{s}"]], "wrong", "eigenvectors as rows"),
    ]
    for raw, status, mistake in cases:
        verdict = grade_raw("direction", raw, var.answers["eigenvectors"], vectors, ctx)
        assert (verdict.status, verdict.mistake) == (status, mistake), raw
