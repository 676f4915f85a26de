"""Listed mistakes whose value has another shape than the answer, and mistakes kept apart.

Every expected value is worked out by hand in the comments.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from grader.core.errors import UserError
from grader.kinds import KINDS, grade_raw
from grader.core.model import GradeContext, MistakeValue, PartSpec, Tolerance
from grader.core.seeding import make_rng
from grader.authoring.spec import find_exercise, library_dir, load_exercise
from grader.authoring.variant import grade_context, make_variant

HAND = Tolerance(rtol=1e-2, atol=1e-6)


def grade(kind: str, raw: Any, expected: Any, *mistakes: MistakeValue):
    p = PartSpec(id="p", kind=kind, prompt="", solution=None, points=1.0, tolerance=HAND)
    ref = KINDS[kind].normalise_reference(expected, p)
    return grade_raw(kind, raw, ref, p, GradeContext(mistakes=mistakes))


# v = (1, 2), x = (3, 4): diag(v)x = (3, 8) and v·x = 3 + 8 = 11.
DOT = MistakeValue("v·x as a scalar", 11, "diag(v)x is a vector: multiply entry by entry.")


@pytest.mark.parametrize("raw", [11, 11.0, "11", "22/2", "11.05"])
def test_a_single_number_for_a_vector_is_read_and_named(raw):
    verdict = grade("vector", raw, [3, 8], DOT)
    assert (verdict.status, verdict.mistake, verdict.feedback) == \
        ("wrong", "v·x as a scalar", DOT.feedback)


def test_a_single_number_matching_no_mistake_is_a_shape_error_not_a_format_error():
    verdict = grade("vector", "12", [3, 8], DOT)
    assert (verdict.status, verdict.mistake) == ("wrong", None)
    assert verdict.feedback == "Expected a vector of 2 numbers, got a single number."


def test_a_one_element_list_is_not_the_scalar_mistake():
    assert grade("vector", [11], [3, 8], DOT).mistake is None


# The slip in each case: the trace of B = [[3, 1], [2, 2]], 3 + 2 = 5, a single number.
@pytest.mark.parametrize("kind, expected", [
    ("matrix", [[3, 1], [2, 2]]),        # B itself
    ("set", [4, 1]),                     # eigenvalues of B: λ² - 5λ + 4 = (λ - 4)(λ - 1)
    ("direction", [[1, 1], [1, -2]]),    # eigenvectors of B: (1, 1) for 4, (1, -2) for 1
])
def test_other_kinds_name_a_scalar_mistake(kind, expected):
    trace = MistakeValue("the trace", 5, "That is the trace of B, a single number.")
    assert grade(kind, "5", expected, trace).mistake == "the trace"
    assert grade(kind, "6", expected, trace).mistake is None


def test_a_scalar_part_names_a_list_mistake():
    # ‖g‖ for g = (3, 4) is 5; the slip: giving g itself
    gradient = MistakeValue("the gradient itself", [3, 4], "Give its length, one number.")
    assert grade("scalar", [3, 4], 5, gradient).mistake == "the gradient itself"
    other = grade("scalar", [4, 3], 5, gradient)
    assert (other.mistake, other.feedback) == (
        None, "Expected a single number, got a list of 2 numbers.")


# ---------------------------------------------------------------- the library specs


def test_la_diag_inverse_names_the_dot_product():
    ex = find_exercise("la-diag-inverse")
    # v = (1, 2, -3), x = (3, 4, 1): diag(v)x = (3, 8, -3); v·x = 3 + 8 - 3 = 8
    var = make_variant(ex, make_rng(0), given={"_n": 3, "v": [1, 2, -3], "x": [3, 4, 1]})
    product = ex.part("product")
    assert var.answers["product"] == [3.0, 8.0, -3.0]
    ctx = grade_context(ex, product, var.params, var.mistakes["product"])
    verdict = grade_raw("vector", "8", var.answers["product"], product, ctx)
    assert verdict.mistake == "v·x as a scalar" and "entry by entry" in verdict.feedback


def test_la_inverse_refuses_a_matrix_whose_adjugate_is_its_transpose():
    # A = [[2, 1], [-1, 2]]: det 5, adj(A) = [[2, -1], [1, 2]] = Aᵀ, so the two mistakes
    # "transpose" and "adjugate not divided by det" could not be told apart.
    ex = find_exercise("la-inverse")
    with pytest.raises(UserError, match="do not satisfy"):
        make_variant(ex, make_rng(0), given={"_n": 2, "A": [[2, 1], [-1, 2]]})


def _listed_values(kind: Any, part: PartSpec, mistakes: Any) -> list[tuple[str, Any]]:
    out = []
    for m in mistakes:
        if m.value is None:
            continue
        try:
            out.append((m.name, kind.normalise_reference(m.value, part)))
        except (ValueError, TypeError):
            out.append((m.name, m.value))  # another shape than the answer: compared as given
    return out


@pytest.mark.parametrize("path", sorted((library_dir() / "linear-algebra").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_listed_mistakes_of_a_part_never_coincide(path):
    """Two listed mistakes with one value would name the wrong one (la-inverse, seed 8 once)."""
    ex = load_exercise(path)
    for seed in range(60):
        var = make_variant(ex, make_rng(seed))
        for part in ex.parts:
            if part.kind == "function":
                continue
            kind = KINDS[part.kind]
            values = _listed_values(kind, part, var.mistakes[part.id])
            for (a, va), (b, vb) in itertools.combinations(values, 2):
                assert kind.differs(va, vb, part), (seed, part.id, a, b, np.asarray(va).tolist())
