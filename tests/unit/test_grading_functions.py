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
from grader.kinds.base import values_close
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


@pytest.mark.parametrize("value, expected, ok", [
    (1.0 + 1e-7, 1.0, True),
    (1.0 + 1e-5, 1.0, False),
    ([1.0, 2.0], [1.0, 2.0 + 1e-8], True),
    ([1.0, 2.0], [1.0, 2.0, 3.0], False),
    ([[1.0], [2.0]], [[1.0, 2.0]], False),
    ([1.5, [1.0, 2.0]], [1.5, [1.0, 2.0]], True),  # a tuple return: scalar and vector
    ([1.5, [1.0, 2.0]], [1.5, [1.0, 2.5]], False),
    (math.inf, math.inf, True),
    (math.nan, 0.5, False),
])
def test_values_close_uses_the_functions_tolerance(value, expected, ok):
    assert values_close(value, expected, Tolerance(rtol=1e-6, atol=1e-9)) is ok


def test_public_cases_show_input_and_output_hidden_only_the_kind_of_failure():
    pub = judge(WORK, PUB, [0.25, 0.75], CaseOutcome("ok", [0.3, 0.7]), revealed=False)
    assert (pub.status, pub.args, pub.output, pub.expected) == ("failed", [[1, 2]], [0.3, 0.7],
                                                                None)
    assert pub.message == "returned [0.3, 0.7] (wrong value)"
    shown = judge(WORK, PUB, [0.25, 0.75], CaseOutcome("ok", [0.3, 0.7]), revealed=True)
    assert shown.expected == [0.25, 0.75] and "expected [0.25, 0.75]" in shown.message
    hid = judge(WORK, HID, [0.5, 0.5], CaseOutcome("ok", [0.5]), revealed=True)
    assert (hid.status, hid.message, hid.args, hid.output, hid.expected) == (
        "failed", "wrong shape (1,), expected (2,)", None, None, None)
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
