"""Exports are renderings of StudentResults: JSON, LMS CSV, JUnit XML, Gradescope, Markdown."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math

from junitparser import Error, Failure, JUnitXml, Skipped

from grader.outputs import exports as X
from grader.outputs.summary import below, markdown
from grader.grading.results import (
    CaseResult,
    ExerciseResult,
    LateInfo,
    PartResult,
    RunSummary,
    StudentResult,
)
from grader.core.values import from_json

CASES = (CaseResult("public-1", "public", "passed", "", [[1, 2]], [0.27, 0.73], None),
         CaseResult("hidden-1", "hidden", "failed", "wrong value"),
         CaseResult("hidden-2", "hidden", "timeout", "time limit of 2 s exceeded"),
         CaseResult("hidden-3", "hidden", "not_run", "not run: time used up"))

def write_gradescope(path, results: list) -> list:
    """Gradescope's files for these results, through the export registry."""
    from grader.grading.results import RunSummary
    from grader.outputs import formats

    run = RunSummary("w1", tuple(results), graded=len(results), skipped=0, sandbox_level="")
    return formats.write("gradescope", path, run, formats.Context("w1", "Week 1 (w1)"))



def ann(**kw) -> StudentResult:
    typed = (PartResult("kl", "pq", "scalar", 2.0, 2.0, "correct", "Correct.", answer=0.1),
             PartResult("kl", "qp", "scalar", 0.0, 2.0, "wrong", "Swapped | oops",
                        mistake="directions swapped", answer=math.inf, expected=0.2),
             PartResult("kl", "bits", "scalar", 0.0, 1.0, "format_error", "Could not read 'x'.",
                        answer="x"))
    fn = (PartResult("sm", "softmax", "function", 2.5, 10.0, "partial", "1 of 4 cases passed.",
                     cases=CASES),)
    base = StudentResult(
        assignment_id="w1", student_id="ann", name="Ann, A.", email="ann@x", folder="ann",
        status="graded", score=4.05, raw_score=4.5, max_score=15.0,
        exercises=(ExerciseResult("kl", 1, "KL", 2.0, 5.0, typed),
                   ExerciseResult("sm", 2, "Softmax", 2.5, 10.0, fn)),
        late=LateInfo("2026-03-02T10:00:00+00:00", "manifest", 1, 10.0, "1 day late."),
        messages=("note for Ann",), submission_sha256="abc", sandbox_level="fork")
    return dataclasses.replace(base, **kw)


def bob() -> StudentResult:
    parts = (PartResult("kl", "pq", "scalar", 0.0, 2.0, "missing", "No submission."),)
    return StudentResult("w1", "bob", "Bob", "bob@x", "bob", "missing", 0.0, 0.0, 2.0,
                         (ExerciseResult("kl", 1, "KL", 0.0, 2.0, parts),),
                         late=LateInfo(None, "none", 0, 0.0, "No submission."),
                         messages=("No submission was found for you.",))


def stranger() -> StudentResult:
    return StudentResult("w1", "zed", "", "", "zed", "unknown_student", 0.0, 0.0, 0.0,
                         messages=("Submission zed is from 'zed', who is not on the roster.",))


def test_result_json_is_sorted_versioned_and_round_trips():
    text = X.result_json(ann())
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert doc["schema_version"] == 1
    assert doc["exercises"][0]["parts"][1]["answer"] == "inf"
    assert StudentResult.from_dict(from_json(text)) == ann()
    assert X.result_json(StudentResult.from_dict(from_json(text))) == text


def test_csv_has_one_row_per_roster_student_and_a_column_per_exercise():
    text = X.gradebook_csv([ann(), bob(), stranger()], "w1")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "kl (5 pts)",
                       "sm (10 pts)", "w1 total"]
    assert rows[1] == ["Ann, A.", "", "ann", "ann@x", "", "2", "2.5", "4.05"]
    assert rows[2] == ["Bob", "", "bob", "bob@x", "", "0", "", "0"]
    assert len(rows) == 3 and text.endswith("\r\n")


def test_junit_is_read_by_a_junit_library():
    path_text = X.junit_xml([ann(), bob(), stranger()], "w1")
    xml = JUnitXml.fromstring(path_text)
    suites = {s.name: s for s in xml}
    a = suites["ann"]
    cases = {(c.classname, c.name): c for c in a}
    assert cases[("ann.kl", "pq")].is_passed
    assert isinstance(cases[("ann.kl", "qp")].result[0], Failure)
    assert cases[("ann.kl", "qp")].result[0].message == "0/2 points: Swapped | oops"
    assert isinstance(cases[("ann.kl", "bits")].result[0], Error)
    assert cases[("ann.sm.softmax", "public-1")].is_passed
    assert isinstance(cases[("ann.sm.softmax", "hidden-1")].result[0], Failure)
    assert isinstance(cases[("ann.sm.softmax", "hidden-2")].result[0], Error)
    assert isinstance(cases[("ann.sm.softmax", "hidden-3")].result[0], Skipped)
    late = cases[("ann", "submission")].result[0]
    assert isinstance(late, Failure) and late.message == "1 day late."
    assert (a.tests, a.failures, a.errors, a.skipped) == (8, 3, 2, 1)
    assert suites["zed"].errors == 1
    assert xml.tests == 8 + 2 + 1


def test_junit_survives_control_characters_in_student_text():
    odd = ann(messages=("bell\x07 and \x1b[31mred",))
    xml = JUnitXml.fromstring(X.junit_xml([odd], "w1"))
    assert next(iter(xml)).name == "ann"


def test_gradescope_results_follow_its_documented_fields(tmp_path):
    doc = json.loads(X.gradescope_json(ann()))
    assert (doc["score"], doc["max_score"], doc["visibility"]) == (4.05, 15.0, "visible")
    # Student text stays text: no HTML or Markdown rendering on Gradescope's side.
    assert (doc["output_format"], doc["test_output_format"], doc["test_name_format"]) == \
        ("text", "text", "text")
    assert doc["output"].splitlines()[:3] == ["Ann, A.: 4.05 of 15 points.", "1 day late.",
                                              "note for Ann"]
    assert [t["name"] for t in doc["tests"]] == ["1. KL: pq", "1. KL: qp", "1. KL: bits",
                                                 "2. Softmax: softmax"]
    for t in doc["tests"]:
        assert set(t) == {"name", "number", "score", "max_score", "status", "output",
                          "visibility"}
        assert t["status"] in ("passed", "failed")
    qp = doc["tests"][1]["output"]
    assert "Your answer: \"inf\"" in qp and "Expected: 0.2" in qp
    softmax = doc["tests"][3]["output"]
    assert "public public-1: passed: input [[1, 2]]" in softmax
    assert "hidden hidden-1: failed: wrong value" in softmax
    written = write_gradescope(tmp_path / "results.json", [ann(), bob()])
    assert written == [tmp_path / "results.json"]  # one submission: Gradescope's own file
    many = write_gradescope(tmp_path / "r.json", [ann(), ann(student_id="cy", folder="cy")])
    assert [p.name for p in many] == ["r-ann.json", "r-cy.json"]


def test_markdown_summary_and_threshold():
    run = RunSummary("w1", (ann(), bob(), stranger()), graded=2, skipped=1,
                     sandbox_level="fork", changes=(("ann", 3.0, 4.05),), warnings=("careful",))
    text = markdown(run, title="Week 1", fail_under=50)
    assert text.startswith("## Grading: Week 1\n")
    assert "Threshold 50%: **not met** (1 below)" in text
    assert "| Ann, A. (ann) | graded | 4.05/15 | 27.0 | 1 d, -10% |" in text
    assert "| kl.qp | directions swapped | 1 |" in text
    assert "| ann | 3 | 4.05 |" in text and "- careful" in text
    assert [r.student_id for r in below(run, 50)] == ["ann"]  # missing ones do not count
    assert below(run, 20) == []
    single = markdown(RunSummary("w1", (ann(),), 1, 0, "fork"), title="W")
    assert "| kl | qp | 0/2 | wrong | Swapped \\| oops |" in single


def test_num_formats_scores_without_noise():
    assert [X.num(x) for x in (0.0, -0.0, 2.0, 2.5, 1 / 3, 29.99999)] == \
        ["0", "0", "2", "2.5", "0.3333", "30"]
