"""Function parts judged in the parent: tolerance, form, what public and hidden cases reveal."""

from __future__ import annotations

import math

import pytest

from grader.authoring.cases import BuiltCase
from grader.course.documents import KeyCase
from grader.grading.functions import (
    FunctionWork,
    grade_function,
    judge,
    prepare_function,
)
from grader.kinds.function import judge as judge_value
from grader.core.model import FUNCTION_TOLERANCE, FunctionSpec, PartSpec, Tolerance
from grader.sandbox import CaseOutcome, SandboxRun

FN = FunctionSpec(name="softmax", signature="softmax(z)", docstring="", reference="impl_softmax",
                  returns="vector", tolerance=FUNCTION_TOLERANCE, public=(), hidden=())
PART = PartSpec(id="softmax", kind="function", prompt="", solution=None, points=10,
                tolerance=FUNCTION_TOLERANCE, function=FN)
PUB = BuiltCase("public-1", [[1, 2]], {}, "public")
HID = BuiltCase("hidden-1", [[1000, 1000]], {}, "hidden")
WORK = FunctionWork("impl-softmax", PART, 10.0, (("a", PUB, [0.25, 0.75]), ("b", HID, [0.5, 0.5])))


def run(**outcomes: CaseOutcome) -> SandboxRun:
    return SandboxRun(level="fork+rlimits", outcomes=outcomes)


PAIR = {"tuple": ["scalar", "vector"]}


@pytest.mark.parametrize("value, expected, returns, ok", [
    (1.0 + 1e-7, 1.0, "scalar", True),
    (1.0 + 1e-5, 1.0, "scalar", False),
    ([1.0, 2.0], [1.0, 2.0 + 1e-8], "vector", True),
    ([1.0, 2.0], [1.0, 2.0, 3.0], "vector", False),
    ([[1.0], [2.0]], [[1.0, 2.0]], "matrix", False),
    ([1.5, [1.0, 2.0]], [1.5, [1.0, 2.0]], PAIR, True),  # a tuple return: scalar and vector
    ([1.5, [1.0, 2.0]], [1.5, [1.0, 2.5]], PAIR, False),
    ([[1.0], [2.0, 3.0]], [[1.0], [2.0, 3.0]], "list_of_vectors", True),
    ([[1.0], [2.0, 3.5]], [[1.0], [2.0, 3.0]], "list_of_vectors", False),
    (3, 3, "integer", True),
    (True, False, "bool", False),
    (math.inf, math.inf, "scalar", True),
    (math.nan, 0.5, "scalar", False),
    (math.nan, math.nan, "scalar", True),
])
def test_return_values_are_compared_within_the_functions_tolerance(value, expected, returns, ok):
    assert judge_value(value, expected, returns, Tolerance(rtol=1e-6, atol=1e-9)).passed is ok


def test_return_values_get_the_item_kinds_shape_words_and_named_slips():
    tol = Tolerance(rtol=1e-6, atol=1e-9)
    # A transposed matrix and a flipped sign are named as a typed answer's would be.
    t = judge_value([[1.0, 3.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]], "matrix", tol)
    assert (t.status, t.what) == ("failed", "transposed") and "transposed" in t.detail
    s = judge_value(-0.25, 0.25, "scalar", tol)
    assert s.what == "sign flipped"
    w = judge_value([1.0], [1.0, 2.0], "vector", tol)
    assert (w.what, w.detail) == ("wrong shape", "Expected a vector of 2 numbers, got 1.")
    n = judge_value([math.nan, 1.0], [0.5, 1.0], "vector", tol)
    assert n.what == "not a finite number (nan)"
    # Inside a tuple the failing item is named.
    item = judge_value([1.5, [1.0]], [1.5, [1.0, 2.0]], PAIR, tol)
    assert item.what == "wrong shape" and item.detail.startswith("item 1: ")
    assert judge_value("0.5", 0.5, "scalar", tol).status == "bad_output"  # a string is no number


def test_public_cases_show_input_and_output_hidden_only_the_kind_of_failure():
    pub = judge(WORK, PUB, [0.25, 0.75], CaseOutcome("ok", [0.3, 0.7]), revealed=False)
    assert (pub.status, pub.args, pub.output, pub.expected) == ("failed", [[1, 2]], [0.3, 0.7],
                                                                None)
    assert pub.message == "returned [0.3, 0.7] (wrong value)"
    shown = judge(WORK, PUB, [0.25, 0.75], CaseOutcome("ok", [0.3, 0.7]), revealed=True)
    assert shown.expected == [0.25, 0.75] and "expected [0.25, 0.75]" in shown.message
    hid = judge(WORK, HID, [0.5, 0.5], CaseOutcome("ok", [0.5]), revealed=True)
    assert (hid.status, hid.message, hid.args, hid.output, hid.expected) == (
        "failed", "wrong shape: Expected a vector of 2 numbers, got 1.", None, None, None)
    exc = judge(WORK, HID, [0.5, 0.5], CaseOutcome(
        "exception", None, "ValueError: bad input [1000, 1000] (solution.py, line 3, in softmax)"),
        revealed=False)
    assert exc.message == "raised ValueError (solution.py, line 3, in softmax)"
    bad = judge(WORK, HID, [0.5, 0.5], CaseOutcome("ok", 0.5), revealed=False)
    assert (bad.status, bad.message) == ("bad_output",
                                         "returned a value of the wrong form: expected a vector")


def test_part_score_is_the_share_of_cases_passed_times_its_points():
    part = grade_function(WORK, run(a=CaseOutcome("ok", [0.25, 0.75]),
                                    b=CaseOutcome("timeout", None, "time limit of 2 s exceeded")),
                          revealed=False)
    assert (part.score, part.max_score, part.status) == (5.0, 10.0, "partial")
    assert part.feedback == "1 of 2 cases passed. Hidden cases: 0 of 1 passed (1 timed out)."
    assert [c.status for c in part.cases] == ["passed", "timeout"]
    full = grade_function(WORK, run(a=CaseOutcome("ok", [0.25, 0.75]),
                                    b=CaseOutcome("ok", [0.5, 0.5])), revealed=False)
    assert (full.score, full.status, full.feedback) == (10.0, "correct", "All 2 cases passed.")


def test_one_shared_failure_is_said_once_and_absent_code_is_missing():
    msg = "NotImplementedError: softmax is not written yet (solution.py, line 9, in softmax)"
    part = grade_function(WORK, run(a=CaseOutcome("exception", None, msg),
                                    b=CaseOutcome("exception", None, msg)), revealed=False)
    assert part.feedback == ("0 of 2 cases passed. Every case failed: your code raised "
                             "NotImplementedError: «softmax is not written yet» (solution.py, "
                             "line 9, in softmax)")
    assert part.status == "wrong"
    gone = grade_function(WORK, None, revealed=False, absent="No solution.py was handed in.")
    assert (gone.status, gone.score, gone.feedback) == ("missing", 0.0,
                                                        "No solution.py was handed in.")
    assert {c.status for c in gone.cases} == {"not_run"}
    broken = grade_function(WORK, SandboxRun("x", {"a": CaseOutcome("exception", None, "boom"),
                                                   "b": CaseOutcome("exception", None, "boom")},
                                             import_error="SyntaxError: invalid syntax"),
                            revealed=False)
    assert broken.feedback == ("0 of 2 cases passed. solution.py could not be run: SyntaxError: "
                               "«invalid syntax»")


def test_expected_values_are_computed_here_from_the_reference_solver():
    cases = [KeyCase("softmax", "public-1", [[0, 0]], visibility="public"),
             KeyCase("other", "x", [[1]])]
    work = prepare_function("impl-softmax", 4, PART, 10.0, cases)
    ((sid, case, expected),) = work.cases
    assert (sid, case.visibility) == ("e4.softmax.public-1", "public")
    assert expected == pytest.approx([0.5, 0.5])
    assert work.calls() == [("e4.softmax.public-1", [[0, 0]], {})]
    bad = prepare_function("impl-softmax", 4, PART, 10.0,
                           [KeyCase("softmax", "h", ["not numbers"])])
    assert bad.cases == () and "the reference solver raised" in bad.problems[0]
