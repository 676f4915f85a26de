"""Scalar, set, vector, matrix and direction kinds; every expected verdict worked out by hand."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from grader.core.errors import FormatError
from grader.kinds import KINDS, grade_raw
from grader.core.model import GradeContext, MistakeValue, PartSpec, Tolerance

HAND = Tolerance(rtol=1e-2, atol=1e-6)


def part(kind: str, *, tol: Tolerance = HAND, **options: Any) -> PartSpec:
    return PartSpec(id="p", kind=kind, prompt="", solution=None, points=1.0, tolerance=tol,
                    options=options)


def grade(kind: str, raw: Any, expected: Any, *, tol: Tolerance = HAND,
          mistakes: tuple[MistakeValue, ...] = (), **options: Any):
    p = part(kind, tol=tol, **options)
    ref = KINDS[kind].normalise_reference(expected, p)
    return grade_raw(kind, raw, ref, p, GradeContext(mistakes=mistakes))


# --- scalar --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, value", [
    (0.5, 0.5), (2, 2.0), ("1/3", 1 / 3), ("sqrt(2)/2", math.sqrt(2) / 2), ("-inf", -math.inf),
])
def test_scalar_parses_numbers_and_expressions(raw, value):
    assert KINDS["scalar"].parse(raw, part("scalar")) == pytest.approx(value)


@pytest.mark.parametrize("raw", [None, "foo", "1 +", True, {"a": 1}, "import os"])
def test_scalar_refuses_unreadable_input_as_format_error(raw):
    with pytest.raises(FormatError):
        KINDS["scalar"].parse(raw, part("scalar"))


def test_grade_raw_turns_bad_text_into_format_error_and_none_into_missing():
    assert grade("scalar", "one half", 0.5).status == "format_error"
    missing = grade("scalar", None, 0.5)
    assert (missing.status, missing.score) == ("missing", 0.0)
    assert "null" in missing.feedback


@pytest.mark.parametrize("raw, status", [
    (0.6931, "correct"),   # |diff| = 4.7e-5 <= 1e-6 + 0.01 * 0.6931
    (0.69, "correct"),     # |diff| = 3.1e-3 <= 6.9e-3
    (0.68, "wrong"),       # |diff| = 1.3e-2 >  6.9e-3
])
def test_scalar_relative_tolerance(raw, status):
    assert grade("scalar", raw, math.log(2)).status == status


def test_scalar_tolerance_boundary_is_inclusive():
    tol = Tolerance(rtol=0.01, atol=0.0)
    assert grade("scalar", 101.0, 100, tol=tol).status == "correct"   # |1| <= 0.01 * 100
    assert grade("scalar", 101.5, 100, tol=tol).status == "wrong"


def test_scalar_infinity_matches_same_sign_only():
    assert grade("scalar", "inf", math.inf).status == "correct"
    assert grade("scalar", 1e308, math.inf).status == "wrong"
    flipped = grade("scalar", "-inf", math.inf)
    assert (flipped.status, flipped.mistake) == ("wrong", "sign flipped")


def test_scalar_nan():
    assert grade("scalar", "nan", math.nan).status == "correct"
    assert grade("scalar", 1.0, math.nan).status == "wrong"
    given = grade("scalar", "nan", 1.0)
    assert given.status == "wrong" and "NaN is not a number" in given.feedback


@pytest.mark.parametrize("raw, expected, mistake", [
    (-2.5, 2.5, "sign flipped"),
    (1.0, math.log(2), "log base 2 instead of e"),      # H(1/2, 1/2) = 1 bit = ln 2 nats
    (math.log(2), 1.0, "log base e instead of 2"),
    (45, math.pi / 4, "degrees instead of radians"),
])
def test_scalar_generic_mistakes(raw, expected, mistake):
    verdict = grade("scalar", raw, expected)
    assert (verdict.status, verdict.score, verdict.mistake) == ("wrong", 0.0, mistake)


def test_scalar_spec_mistakes_come_before_generic_ones():
    swapped = MistakeValue("directions swapped", -2.5, "That is D(Q||P): KL is not symmetric.")
    verdict = grade("scalar", -2.5, 2.5, mistakes=(swapped,))
    assert verdict.mistake == "directions swapped"
    assert verdict.feedback == "That is D(Q||P): KL is not symmetric."


def test_scalar_generic_mistake_not_named_when_it_equals_the_answer():
    # -1e-7 is within atol 1e-6 of 1e-7, so "sign flipped" does not differ from the answer;
    # -1.1e-6 is wrong (2e-6 away) yet within tolerance of -1e-7: no mistake may be named.
    verdict = grade("scalar", -1.1e-6, 1e-7)
    assert verdict.status == "wrong" and verdict.mistake is None


def test_scalar_wrong_feedback_does_not_reveal_the_answer():
    verdict = grade("scalar", 7, 2.5)
    assert verdict.mistake is None and "tolerance" in verdict.feedback
    assert "2.5" not in verdict.feedback
    assert "2.5" not in KINDS["scalar"].describe(part("scalar"), 2.5)


def test_scalar_given_a_list_is_a_wrong_shape():
    verdict = grade("scalar", [1, 2], 1.0)
    assert verdict.status == "wrong" and "single number" in verdict.feedback


def test_scalar_reference_checks():
    p = part("scalar")
    value = KINDS["scalar"].normalise_reference(np.float64(0.5), p)
    assert value == 0.5 and type(value) is float
    for bad in ([1, 2], True, "x", None):
        with pytest.raises(ValueError):
            KINDS["scalar"].normalise_reference(bad, p)


def test_scalar_differs_uses_tolerance():
    kind, p = KINDS["scalar"], part("scalar")
    assert not kind.differs(1.005, 1.0, p)
    assert kind.differs(1.02, 1.0, p)
    assert kind.differs([1.0], 1.0, p)


# --- set -----------------------------------------------------------------------------------


def test_set_is_unordered_but_a_multiset():
    assert grade("set", [2, 1, 3], [3, 2, 1]).status == "correct"
    assert grade("set", [1, 1, 3], [1, 3, 3]).status == "wrong"


def test_set_length_and_sign():
    short = grade("set", [1, 2], [1, 2, 3])
    assert short.status == "wrong" and "Expected 3 numbers" in short.feedback
    assert grade("set", [-1, -2], [2, 1]).mistake == "sign flipped"


def test_set_nan():
    assert "NaN" in grade("set", ["nan", 1], [1, 2]).feedback
    with pytest.raises(ValueError):
        KINDS["set"].normalise_reference([1, math.nan], part("set"))


# --- vector --------------------------------------------------------------------------------


def test_vector_accepts_fractions_as_strings():
    assert grade("vector", ["1/2", "1/4", 0.25], [0.5, 0.25, 0.25]).status == "correct"
    assert grade("vector", "[1/2, 1/4, 1/4]", [0.5, 0.25, 0.25]).status == "correct"


@pytest.mark.parametrize("raw, words", [
    ([1, 2], "Expected a vector of 3 numbers, got 2."),
    (5, "got a single number"),
    ([[1, 2, 3]], "list of lists"),
])
def test_vector_wrong_shape_is_a_wrong_answer(raw, words):
    verdict = grade("vector", raw, [1, 2, 3])
    assert verdict.status == "wrong" and words in verdict.feedback


def test_vector_ragged_list_is_a_format_error():
    with pytest.raises(FormatError, match="different lengths"):
        KINDS["vector"].parse([[1, 2], [3]], part("vector"))


def test_vector_partial_credit_per_element():
    verdict = grade("vector", [1, 2, 4], [1, 2, 3], partial=True)
    assert (verdict.status, verdict.score) == ("partial", pytest.approx(2 / 3))
    assert verdict.details == ("entry 3: not within tolerance",)
    strict = grade("vector", [1, 2, 4], [1, 2, 3])
    assert (strict.status, strict.score) == ("wrong", 0.0)
    assert "entry 3" in strict.feedback


@pytest.mark.parametrize("raw, expected, mistake", [
    ([-1, -2, -3], [1, 2, 3], "sign flipped"),
    ([1, 2, 3], [3, 2, 1], "wrong order"),        # ascending for descending eigenvalues
    ([1, 2, 3], [3, 1, 2], "wrong order"),        # sorted
    ([3, 4], [0.6, 0.8], "not normalised"),       # 5 * the unit vector
    ([-0.6, -0.8], [0.6, 0.8], "sign flipped"),   # checked before "not normalised"
])
def test_vector_generic_mistakes(raw, expected, mistake):
    assert grade("vector", raw, expected).mistake == mistake


def test_vector_not_normalised_needs_a_unit_reference():
    assert grade("vector", [6, 8], [3, 4]).mistake is None


def test_vector_palindrome_is_never_wrong_order():
    # reversed([1, 2, 1.0099]) is within tolerance of the reference itself, so "wrong order"
    # must not be named even though the answer is within tolerance of the reversal.
    verdict = grade("vector", [1.0198, 2, 1], [1, 2, 1.0099])
    assert verdict.status == "wrong" and verdict.mistake is None


def test_vector_nan_and_inf_elements():
    assert "NaN is not a number" in grade("vector", ["nan", 2], [1, 2]).feedback
    assert grade("vector", ["inf", 1], [math.inf, 1]).status == "correct"
    assert grade("vector", ["-inf", 1], [math.inf, 1]).status == "wrong"


def test_vector_reference_must_be_flat():
    with pytest.raises(ValueError):
        KINDS["vector"].normalise_reference([[1, 2], [3, 4]], part("vector"))
    assert KINDS["vector"].normalise_reference(np.array([1, 2]), part("vector")) == [1.0, 2.0]


def test_vector_describe_gives_the_form_only():
    text = KINDS["vector"].describe(part("vector"), [7.25, 9.5, 11.75])
    assert text.startswith("a vector of 3 numbers")
    assert not any(v in text for v in ("7.25", "9.5", "11.75"))


# --- matrix --------------------------------------------------------------------------------

M23 = [[1, 2, 3], [4, 5, 6]]


def test_matrix_wrong_shape_says_got_and_expected():
    verdict = grade("matrix", [[1, 2], [3, 4], [5, 7]], M23)
    assert verdict.feedback == "Expected shape (2, 3), got (3, 2)." and verdict.mistake is None


def test_matrix_transposed_is_recognised():
    assert grade("matrix", [[1, 4], [2, 5], [3, 6]], M23).mistake == "transposed"
    assert grade("matrix", [[1, 3], [2, 4]], [[1, 2], [3, 4]]).mistake == "transposed"
    # a symmetric matrix is its own transpose: that is simply correct
    assert grade("matrix", [[1, 2], [2, 1]], [[1, 2], [2, 1]]).status == "correct"


def test_matrix_flat_list_is_a_shape_error_and_ragged_a_format_error():
    flat = grade("matrix", [1, 2, 3, 4], [[1, 2], [3, 4]])
    assert flat.status == "wrong" and "flat list of 4 numbers" in flat.feedback
    assert grade("matrix", [[1, 2], [3]], [[1, 2], [3, 4]]).status == "format_error"


def test_matrix_partial_credit_and_sign():
    verdict = grade("matrix", [[1, 2], [3, 5]], [[1, 2], [3, 4]], partial=True)
    assert (verdict.status, verdict.score) == ("partial", 0.75)
    assert verdict.details == ("row 2 column 2: not within tolerance",)
    assert grade("matrix", [[-1, -2], [-3, -4]], [[1, 2], [3, 4]]).mistake == "sign flipped"


def test_matrix_spec_mistake_of_another_shape():
    # A = [[1,2,0],[0,1,1]], B = [[1,0],[0,1],[1,1]]: AB = [[1,2],[1,2]], BA is 3x3
    ba = [[1, 2, 0], [0, 1, 1], [1, 3, 1]]
    mistake = MistakeValue("BA", ba, "That is BA: the order of a matrix product matters.")
    verdict = grade("matrix", ba, [[1, 2], [1, 2]], mistakes=(mistake,))
    assert (verdict.mistake, verdict.feedback) == ("BA", mistake.feedback)


def test_matrix_reference_checks():
    for bad in ([1, 2], [[1, 2], [3]], 3.0):
        with pytest.raises(ValueError):
            KINDS["matrix"].normalise_reference(bad, part("matrix"))


# --- direction -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [[2, 4], [-1, -2], [-0.5, -1], ["1/sqrt(5)", "2/sqrt(5)"]])
def test_direction_accepts_any_nonzero_multiple(raw):
    assert grade("direction", raw, [1, 2]).status == "correct"


def test_direction_rejects_other_directions_and_zero():
    assert grade("direction", [1, 2.5], [1, 2]).status == "wrong"
    zero = grade("direction", [0, 0], [1, 2])
    assert zero.status == "wrong" and "zero vector" in zero.feedback
    assert "Expected a vector of 2 numbers" in grade("direction", [1, 2, 3], [1, 2]).feedback


def test_direction_matrix_is_compared_per_column():
    expected = [[1, 1], [1, -1]]                     # columns (1, 1) and (1, -1)
    assert grade("direction", [[2, -3], [2, 3]], expected).status == "correct"
    verdict = grade("direction", [[2, 1], [2, 0]], expected)
    assert verdict.status == "wrong"
    assert len(verdict.details) == 1 and verdict.details[0].startswith("column 2:")


def test_direction_rows_for_columns_is_transposed():
    expected = [[1, -2], [2, 1]]                     # columns (1, 2) and (-2, 1)
    verdict = grade("direction", [[3, 6], [-6, 3]], expected)   # 3 * the transpose
    assert verdict.mistake == "transposed"


def test_direction_reference_checks():
    for bad in ([0, 0], [[1, 0], [0, 0]], [1, math.nan], [1, math.inf]):
        with pytest.raises(ValueError):
            KINDS["direction"].normalise_reference(bad, part("direction"))


def test_spec_mistake_of_another_shape_than_the_answer():
    # diag(v)x for v = (1, 2), x = (3, 4) is (3, 8); the slip v·x = 11 is a single number
    scalar = MistakeValue("v·x as a scalar", 11, "diag(v)x is a vector: multiply entry-wise.")
    verdict = grade("vector", 11, [3, 8], mistakes=(scalar,))
    assert verdict.mistake == "v·x as a scalar"


def test_a_mistake_that_cannot_be_made_in_this_variant_is_none_and_never_matches():
    assert grade("scalar", 7, 2.5, mistakes=(MistakeValue("n/a", None, "x"),)).mistake is None
