"""Feedback a student can act on: a NaN is named as such, and an exception's own text (which
the student's code chose, maybe a page long) is cut and quoted as theirs, in JSON and HTML."""

from __future__ import annotations

import dataclasses
import json
import math

from grader.authoring.cases import BuiltCase
from grader.grading.functions import FunctionWork, grade_function, judge
from grader.sandbox.messages import raised_message
from grader.core.model import FUNCTION_TOLERANCE, FunctionSpec, PartSpec
from grader.grading.results import ExerciseResult, StudentResult
from grader.sandbox import CaseOutcome, SandboxRun

FN = FunctionSpec(name="softmax", signature="softmax(z)", docstring="", reference="impl_softmax",
                  returns="vector", tolerance=FUNCTION_TOLERANCE, public=(), hidden=())
PART = PartSpec(id="softmax", kind="function", prompt="", solution=None, points=10,
                tolerance=FUNCTION_TOLERANCE, function=FN)
PUB = BuiltCase("public-1", [[1, 2]], {}, "public")
HID = BuiltCase("hidden-1", [[1000, 1000]], {}, "hidden")
WORK = FunctionWork("impl-softmax", PART, 10.0, (("a", PUB, [0.25, 0.75]), ("b", HID, [0.5, 0.5])))
WHERE = " (solution.py, line 3, in softmax)"
LONG = "ValueError: " + "\n".join(f"line {i}: " + "x" * 60 for i in range(40)) + WHERE


def test_a_nan_is_not_a_finite_number_not_a_wrong_value() -> None:
    pub = judge(WORK, PUB, [0.25, 0.75], CaseOutcome("ok", [math.nan, 0.75]), revealed=True)
    assert pub.message.startswith("returned [")
    assert pub.message.endswith("expected [0.25, 0.75] (not a finite number (nan))")
    hid = judge(WORK, HID, [0.5, 0.5], CaseOutcome("ok", [math.inf, 0.5]), revealed=False)
    assert hid.message == "not a finite number (inf)"
    part = grade_function(WORK, SandboxRun("fork", {"a": CaseOutcome("ok", [0.25, 0.75]),
                                                    "b": CaseOutcome("ok", [math.nan] * 2)}),
                          revealed=False)
    assert part.feedback == ("1 of 2 cases passed. Hidden cases: 0 of 1 passed "
                             "(1 not a finite number).")


def test_an_exceptions_own_text_is_cut_and_quoted_as_the_students() -> None:
    pub = judge(WORK, PUB, [0.25, 0.75], CaseOutcome("exception", None, LONG), revealed=False)
    text = pub.message
    assert text.startswith("your code raised ValueError: «line 0: xxx")
    assert text.endswith("» … (" + f"{len(LONG) - len('ValueError: ') - len(WHERE) - 300}"
                         " more characters)" + WHERE)
    assert len(text) < 420 and text.count("\n") <= 4
    short = raised_message("KeyError: 'w'" + WHERE)
    assert short == "your code raised KeyError: «'w'»" + WHERE
    assert raised_message("StopIteration") == "your code raised StopIteration"


def test_every_case_failing_the_same_way_says_so_once_cut() -> None:
    part = grade_function(WORK, SandboxRun("fork", {"a": CaseOutcome("exception", None, LONG),
                                                    "b": CaseOutcome("exception", None, LONG)}),
                          revealed=False)
    assert part.feedback.startswith("0 of 2 cases passed. Every case failed: your code raised "
                                    "ValueError: «line 0:")
    assert len(part.feedback) < 480
    stored = json.dumps(dataclasses.asdict(part))
    assert "line 39" not in stored  # nothing past the cut is stored


def test_an_import_error_is_cut_too() -> None:
    run = SandboxRun("fork", {}, import_error="importing solution.py failed: " + LONG)
    part = grade_function(WORK, run, revealed=False)
    assert "solution.py could not be run: importing solution.py failed: ValueError: «line 0" \
        in part.feedback
    assert len(part.feedback) < 480


def test_the_student_report_shows_the_quoted_text_and_the_line() -> None:
    from grader.outputs.reports.student import render_student_report

    part = grade_function(WORK, SandboxRun("fork", {"a": CaseOutcome("exception", None, LONG),
                                                    "b": CaseOutcome("ok", [0.5, 0.5])}),
                          revealed=False)
    result = StudentResult("week", "s001", "Ada", "", "s001", "graded", 5.0, 5.0, 10.0,
                           exercises=(ExerciseResult("impl-softmax", 1, "Softmax", 5.0, 10.0,
                                                     (part,)),))
    page = render_student_report(result)
    assert "your code raised ValueError: «line 0: " in page
    assert "more characters)" in page and "line 39" not in page
    assert "solution.py, line 3, in softmax" in page


def test_a_hidden_case_names_the_exception_that_stopped_the_import() -> None:
    # Before: "raised importing (solution.py, line 2, in <module>)", the type lost.
    failed = ("importing solution.py failed: ZeroDivisionError: division by zero "
              "(solution.py, line 2, in <module>)")
    hid = judge(WORK, HID, [0.5, 0.5], CaseOutcome("exception", None, failed), revealed=False)
    assert hid.message == ("importing solution.py raised ZeroDivisionError "
                           "(solution.py, line 2, in <module>)")
    raised = judge(WORK, HID, [0.5, 0.5], CaseOutcome("exception", None, LONG), revealed=False)
    assert raised.message == "raised ValueError (solution.py, line 3, in softmax)"
