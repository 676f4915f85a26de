"""The sequence kind: step-by-step credit, follow-through, off by one, records.

Gradient descent on f(x) = 1/2 x^T A x - b^T x with A = diag(2, 4), b = (2, 4),
eps = 0.1, x0 = 0: each coordinate follows x <- (1 - 0.1 a) x + 0.1 b, so
x_k = (1 - 0.8^k, 1 - 0.6^k): (0.2, 0.4), (0.36, 0.64), (0.488, 0.784), (0.5904, 0.8704).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from grader.core.errors import FormatError
from grader.kinds import KINDS, grade_raw
from grader.core.model import HAND_TOLERANCE, GradeContext, MistakeValue, PartSpec

A = np.array([[2.0, 0.0], [0.0, 4.0]])
B = np.array([2.0, 4.0])
GD = [[0.2, 0.4], [0.36, 0.64], [0.488, 0.784], [0.5904, 0.8704]]
SEQ = KINDS["sequence"]


def gd_step(prev: Any) -> Any:
    x = np.asarray(prev, dtype=float)
    return x - 0.1 * (A @ x - B)  # raises ValueError for a vector of the wrong length


def part(item: Any = "vector") -> PartSpec:
    return PartSpec(id="iterates", kind="sequence", prompt="", solution=None, points=1.0,
                    tolerance=HAND_TOLERANCE, options={"item": item})


def grade(raw: Any, expected: Any, *, step: Any = gd_step, item: Any = "vector",
          mistakes: tuple[MistakeValue, ...] = ()):
    p = part(item)
    ref = SEQ.normalise_reference(expected, p)
    return grade_raw(SEQ, raw, ref, p, GradeContext(mistakes=mistakes, step=step, start=[0, 0]))


def test_all_steps_right():
    verdict = grade(GD[:3], GD[:3])
    assert (verdict.status, verdict.score) == ("correct", 1.0)


def test_follow_through_credits_a_step_right_from_a_wrong_one():
    # step 2 is wrong; from (0.5, 0.5): x - 0.1 (A x - b) = (0.5 + 0.1, 0.5 + 0.2) = (0.6, 0.7)
    verdict = grade([[0.2, 0.4], [0.5, 0.5], [0.6, 0.7]], GD[:3])
    assert (verdict.status, verdict.score) == ("partial", pytest.approx(2 / 3))
    assert verdict.details == ("step 1: correct", "step 2: not correct",
                               "step 3: correct given your step 2 (follow-through)")
    assert "follow-through" in verdict.feedback


def test_without_a_step_function_there_is_no_follow_through():
    verdict = grade([[0.2, 0.4], [0.5, 0.5], [0.6, 0.7]], GD[:3], step=None)
    assert verdict.score == pytest.approx(1 / 3)


def test_a_step_equal_to_the_reference_earns_credit_after_a_slip():
    # a typo in step 2 does not cost step 3 when step 3 is the true x3
    verdict = grade([[0.2, 0.4], [0.5, 0.5], [0.488, 0.784]], GD[:3], step=None)
    assert verdict.score == pytest.approx(2 / 3)


@pytest.mark.parametrize("step_error", [ValueError, RuntimeError, ZeroDivisionError])
def test_a_step_function_that_raises_means_no_follow_through(step_error):
    def fragile(prev: Any) -> Any:
        if len(prev) != 2:
            raise step_error("bad input")
        return gd_step(prev)

    verdict = grade([[0.2, 0.4], [1, 2, 3], [9, 9]], GD[:3], step=fragile)
    assert verdict.score == pytest.approx(1 / 3)
    assert verdict.details[1:] == ("step 2: not correct", "step 3: not correct")


def test_one_step_too_few_is_off_by_one():
    verdict = grade(GD[:2], GD[:3])
    assert (verdict.mistake, verdict.score) == ("off by one iteration", pytest.approx(2 / 3))
    assert "3 were asked" in verdict.feedback and "too few" in verdict.feedback
    assert verdict.details[-1] == "step 3: missing"


def test_one_step_too_many_is_off_by_one_and_not_full_marks():
    verdict = grade(GD[:4], GD[:3])
    assert (verdict.status, verdict.mistake) == ("partial", "off by one iteration")
    assert verdict.score == pytest.approx(3 / 4)
    assert "too many" in verdict.feedback


def test_two_steps_short_is_not_off_by_one():
    verdict = grade(GD[:1], GD[:3])
    assert verdict.mistake is None and verdict.score == pytest.approx(1 / 3)
    assert "You gave 1 step; 3 were asked." in verdict.feedback


def test_off_by_one_needs_the_overlap_right():
    verdict = grade([[0.2, 0.4], [9, 9]], GD[:3], step=None)
    assert verdict.mistake != "off by one iteration"


def test_listed_mistake_on_the_whole_sequence():
    # gradient ascent: x1 = (-0.2, -0.4); A x1 - b = (-2.4, -5.6); x2 = x1 + 0.1 (A x1 - b)
    ascent = [[-0.2, -0.4], [-0.44, -0.96]]
    listed = MistakeValue("ascent", ascent, "You stepped along +gradient: descent subtracts it.")
    verdict = grade(ascent, GD[:2], mistakes=(listed,))
    assert (verdict.mistake, verdict.score) == ("ascent", 0.0)
    assert verdict.feedback == listed.feedback


def test_power_iteration_without_normalising_names_the_step_mistake():
    # A = diag(2, 1), v0 = (1, 1): v1 = (2, 1)/sqrt(5), v2 = (4, 1)/sqrt(17)
    M = np.diag([2.0, 1.0])

    def power_step(prev: Any) -> Any:
        w = M @ np.asarray(prev, dtype=float)
        return w / np.linalg.norm(w)

    expected = [[2 / math.sqrt(5), 1 / math.sqrt(5)], [4 / math.sqrt(17), 1 / math.sqrt(17)]]
    verdict = grade([[2, 1], [4, 1]], expected, step=power_step)
    assert (verdict.status, verdict.mistake) == ("wrong", "not normalised")
    assert "Step 1" in verdict.feedback and "unit length" in verdict.feedback


def test_scalar_items_and_string_input():
    halves = [1.0, 1.5, 1.75]                       # x <- x/2 + 1 from 0
    verdict = grade(["1", "3/2", 1.75], halves, item="scalar", step=lambda x: x / 2 + 1)
    assert verdict.status == "correct"
    assert grade("[[0.2, 0.4], [0.36, 0.64]]", GD[:2]).status == "correct"


def test_format_errors_name_the_step():
    bad = grade([[0.2, 0.4], "oops"], GD[:2])
    assert bad.status == "format_error" and bad.feedback.startswith("Step 2:")
    assert grade(3, GD[:2]).status == "format_error"
    assert grade(None, GD[:2]).status == "missing"


def test_describe_gives_the_item_form_but_not_the_length():
    text = SEQ.describe(part(), GD[:3])
    assert text == "a list with one entry per step, each a vector of 2 numbers, e.g. [0.5, 1/3]"


def test_reference_checks():
    assert SEQ.normalise_reference(np.array(GD[:2]), part()) == GD[:2]
    with pytest.raises(ValueError, match="step 2"):
        SEQ.normalise_reference([[1, 2], [[1, 2]]], part())
    with pytest.raises(ValueError, match="item"):
        SEQ.normalise_reference(GD, part(item="tensor"))
    with pytest.raises(ValueError):
        SEQ.normalise_reference(3.0, part())


# --- records: the perceptron ---------------------------------------------------------------
# x1=(3,3), x2=(4,3) positive, x3=(1,1) negative, eta=1 (CATALOGUE.md): updates on points
# 0,2,2,2,0,2,2; worked by hand: w,b = (3,3),1 / (2,2),0 / (1,1),-1 / (0,0),-2 / (3,3),-1 /
# (2,2),-2 / (1,1),-3.

PERCEPTRON_ITEM = {"fields": {"point": "integer", "w": "vector", "b": "scalar"}}
UPDATES = [
    {"point": p, "w": w, "b": b} for p, w, b in [
        (0, [3, 3], 1), (2, [2, 2], 0), (2, [1, 1], -1), (2, [0, 0], -2),
        (0, [3, 3], -1), (2, [2, 2], -2), (2, [1, 1], -3)]
]


def test_records_right():
    assert grade(UPDATES, UPDATES, item=PERCEPTRON_ITEM, step=None).status == "correct"


def test_record_with_a_wrong_field_names_it():
    answer = [dict(u) for u in UPDATES]
    answer[2]["b"] = 1                                  # -1 with its sign flipped
    verdict = grade(answer, UPDATES, item=PERCEPTRON_ITEM, step=None)
    assert verdict.score == pytest.approx(6 / 7)
    assert verdict.mistake == "sign flipped"
    assert "Step 3 is the first that is not: b:" in verdict.feedback


@pytest.mark.parametrize("step, message", [
    ({"point": 0, "w": [3, 3]}, "step 1: missing b"),
    ({"point": 0, "w": [3, 3], "b": 1, "eta": 1}, "step 1: unknown key eta"),
    ([0, [3, 3], 1], "step 1: expected a mapping"),
    ({"point": 0, "w": "three", "b": 1}, "step 1: w: could not read"),
])
def test_record_format_errors(step, message):
    with pytest.raises(FormatError, match=message):
        SEQ.parse([step], part(PERCEPTRON_ITEM))


def test_record_describe_names_the_fields():
    text = SEQ.describe(part(PERCEPTRON_ITEM), UPDATES)
    assert text == ("a list with one entry per step, each {point: a whole number, "
                    "w: a vector of 2 numbers, b: a number}")


def test_a_hidden_count_is_never_stated_nor_shown_by_where_the_answer_ends():
    p = part()
    ref = SEQ.normalise_reference(GD[:3], p)
    ctx = GradeContext(step=gd_step, start=[0, 0], count_hidden=True)
    short = grade_raw(SEQ, GD[:2], ref, p, ctx)  # one too few: would be "off by one"
    assert short.mistake is None and "3" not in short.feedback
    assert short.details == ("step 1: correct", "step 2: correct")
    long = grade_raw(SEQ, [*GD[:3], [7, 7], [8, 8]], ref, p, ctx)
    assert "asked" not in long.feedback and "of 3" not in long.feedback
    assert long.details[3:] == ("step 4: not correct", "step 5: not correct")
