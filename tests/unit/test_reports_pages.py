"""The student and class report pages, rendered from result objects."""

from __future__ import annotations

import re

import pytest

from grader.outputs.reports.classreport import render_class_report
from grader.app.sample import XSS, sample_class
from grader.outputs.reports.student import render_student_report
from grader.grading.results import CaseResult, ExerciseResult, PartResult, StudentResult


@pytest.fixture(scope="module")
def klass() -> tuple[list[StudentResult], dict]:
    return sample_class()


def _by_id(results: list[StudentResult], sid: str) -> StudentResult:
    return next(r for r in results if r.student_id == sid)


def _self_contained(page: str) -> None:
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page and "url(http" not in page


def test_hostile_answer_is_escaped_text(klass) -> None:
    results, prompts = klass
    page = render_student_report(_by_id(results, "s010"), prompts=prompts["s010"])
    assert "<script>window" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    _self_contained(page)


def test_student_page_shows_scores_prompts_answers_and_feedback(klass) -> None:
    results, prompts = klass
    r = _by_id(results, "s002")  # recognised mistakes
    page = render_student_report(r, prompts=prompts["s002"], assignment_title="Week 1")
    assert "<h1>Alan Turing" in page and "Week 1" in page
    assert page.count('class="exercise"') == 7
    assert "<math" in page  # the prompts' formulas as MathML
    wrong = next(p for p in r.parts() if p.mistake)
    assert f"Recognised mistake: {wrong.mistake}." in page
    assert "Expected" in page


def test_expected_answers_hidden_when_not_revealed() -> None:
    part = PartResult("e", "p", "scalar", 0, 1, "wrong", "Not right.", answer=0.25)
    r = StudentResult("a", "s", "S", "s@x", "s", "graded", 0, 0, 1,
                      (ExerciseResult("e", 1, "E", 0, 1, (part,)),))
    page = render_student_report(r)
    assert "Your answer" in page and "0.25" in page and "Expected" not in page


def test_follow_through_is_marked(klass) -> None:
    results, prompts = klass
    page = render_student_report(_by_id(results, "s004"), prompts=prompts["s004"])
    assert "follow-through credit" in page
    assert '<li class="follow">step 2: correct given your step 1 (follow-through)</li>' in page


def test_function_cases_public_table_hidden_summary_and_own_line() -> None:
    cases = (
        CaseResult("ex-1", "public", "passed", args=[[1, 2]], output=[0.25, 0.75]),
        CaseResult("ex-2", "public", "exception", args=[[0]],
                   message="ZeroDivisionError: division by zero (solution.py, line 7, in f)"),
        *(CaseResult(f"h{i}", "hidden", "passed") for i in range(8)),
        CaseResult("h8", "hidden", "timeout", message="no result within 10 s"),
        CaseResult("h9", "hidden", "timeout"),
        CaseResult("h10", "hidden", "exception",
                   message="ValueError: SECRET-INPUT [3, 4] (solution.py, line 9, in f)"),
        CaseResult("h11", "hidden", "exception",
                   message="Leak_3_4: x (solution.py, line 9, in f)"),
        # the form grading actually stores for a hidden case (grading/functions.py)
        CaseResult("h12", "hidden", "exception",
                   message="raised OverflowError (solution.py, line 4, in <listcomp>)"),
        CaseResult("h13", "hidden", "exception",
                   message="raised Leak_5_6 (solution.py, line 4, in f)"))
    part = PartResult("impl", "f", "function", 1, 2, "partial", "9 of 14 cases passed.",
                      cases=cases)
    r = StudentResult("a", "s", "S", "s@x", "s", "graded", 1, 1, 2,
                      (ExerciseResult("impl", 1, "Impl", 1, 2, (part,)),))
    page = render_student_report(r)
    assert "<code>[[1, 2]]</code>" not in page and "<code>[1, 2]</code>" in page
    assert "<code>[0.25, 0.75]</code>" in page
    assert "at <code>solution.py, line 7, in f</code>" in page
    assert "8 of 14 hidden cases passed; 4 raised an exception, 2 timed out." in page
    assert "ValueError at <code>solution.py, line 9, in f</code>" in page
    assert "OverflowError at <code>solution.py, line 4, in &lt;listcomp&gt;</code>" in page
    # a hidden case's message, or a made-up exception name, could carry its inputs out
    assert "SECRET-INPUT" not in page and "Leak_3_4" not in page and "Leak_5_6" not in page


@pytest.mark.parametrize("status, text", [("missing", "No submission was received."),
                                          ("tampered", "do not match its manifest")])
def test_ungraded_student_page(status: str, text: str) -> None:
    r = StudentResult("a", "s", "S", "s@x", "s", status, 0, 0, 10)  # type: ignore[arg-type]
    assert text in render_student_report(r)


def test_missing_work_is_said_once() -> None:
    from grader.grading.results import LateInfo

    # What grading records for a roster student with no submission (tests/e2e: "absent").
    r = StudentResult("a", "s", "S", "s@x", "s", "missing", 0, 0, 10,
                      late=LateInfo(None, "none", 0, 0.0, "No submission."),
                      messages=("No submission was found for you.",))
    for page in (render_student_report(r), render_class_report([r])):
        assert page.count("No submission") == 1, page


def test_class_page(klass) -> None:
    results, _ = klass
    page = render_class_report(results, assignment_title="Week <1>")
    _self_contained(page)
    assert "Week &lt;1&gt;" in page
    assert page.count("<svg") == 2 and page.count('role="img"') == 2
    for r in results:
        assert f'href="{r.folder}.html"' in page
    assert 'data-sortable' in page and "<script>" in page
    assert "directions swapped" in page  # a common mistake with its count
    assert "Katherine Johnson" in page.split('id="h-late"')[1].split("</section>")[0]
    assert "namespaces+seccomp" in page and "grader 0.1.0" in page
    assert re.search(r"<th scope=\"col\"[^>]*>Ex 7</th>", page)


def test_class_page_with_no_graded_students() -> None:
    r = StudentResult("a", "s", "S", "s@x", "s", "missing", 0, 0, 10)
    page = render_class_report([r])
    assert "No graded submissions yet." in page and page.count("<svg") == 1


def test_pages_are_deterministic(klass) -> None:
    results, prompts = klass
    assert render_class_report(results) == render_class_report(results)
    r = _by_id(results, "s007")
    assert render_student_report(r, prompts=prompts["s007"]) == \
        render_student_report(r, prompts=prompts["s007"])
    assert XSS  # the sample's hostile answer is the one the browser test looks for


def test_wrong_steps_are_marked_in_the_answer(klass) -> None:
    results, prompts = klass
    page = render_student_report(_by_id(results, "s004"), prompts=prompts["s004"])
    assert '<li class="bad"><span class="value">' in page
    assert '<li class="follow"><span class="value">' in page
