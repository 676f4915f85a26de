"""`grader cases`: the instructor runs one student's functions on every case, hidden included.

A class is generated with impl-lp-norm; students hand in a function that takes the max norm
without absolute values (wrong on the hidden case [-7, 2, 0], p = inf), a right one, a hostile
one, answers without solution.py, or nothing. Expected values are worked out here with
numpy.linalg.norm, never with the project's solver; the verdicts must be the ones `grader grade`
gives. The student-facing results keep hidden cases to an id and a status, whatever the
instructor runs. Bad input (no key, unknown student, no submission) exits 2 naming the file.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.app.fabricate import Course
from grader.cli import cli

SECRET_ENV = "GRADER_CASES_SECRET"
SECRET = "cases-secret-7a6b5c4d3e2f1a0b9c8d"
ASSIGNMENT = f"""\
id: cases-week
title: Cases week
secret: {{env: {SECRET_ENV}}}
exercises:
  - impl-lp-norm
  - info-kl-divergence
reveal: never
sandbox: {{time_limit: 3}}
"""
ROSTER = ("id,name,email\nwrong,Wren,w@example.edu\nright,Rita,r@example.edu\n"
          "hostile,Hal,h@example.edu\ntyped,Ty,t@example.edu\nabsent,Abe,a@example.edu\n")
WRONG = """\
import numpy as np

def lp_norm(x, p):
    x = np.asarray(x, dtype=float)
    if p == np.inf:
        return float(x.max())  # forgets the absolute value
    return float((np.abs(x) ** p).sum() ** (1 / p))
"""
RIGHT = WRONG.replace("x.max()", "np.abs(x).max()")
HOSTILE = """\
import numpy as np

def lp_norm(x, p):
    if p == 3:
        while True:
            pass
    if p == 1:
        raise ValueError("boom " * 100000)
    if p == 2:
        return [[1.0] * 1000] * 1000
    return float(np.abs(np.asarray(x, dtype=float)).max())
"""


def invoke(args: list[str], cwd: Path):
    old = Path.cwd()
    os.chdir(cwd)  # messages name files as the user typed them
    try:
        return CliRunner(env={SECRET_ENV: SECRET}).invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The class generated, work handed in, graded into results/."""
    root = tmp_path_factory.mktemp("cases")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, SECRET)
        c = Course.create(root, ASSIGNMENT, ROSTER)
        for sid, code in (("wrong", WRONG), ("right", RIGHT), ("hostile", HOSTILE),
                          ("typed", None)):
            c.folder_submission(sid, c.right(sid), code)
        done = invoke(["grade", "assignment.yaml", "subs", "--key", "build", "--out",
                       "results"], root)
        assert done.exit_code == 0, done.output
    (root / "afile").write_text("not a folder\n", encoding="utf-8")
    (root / "adir").mkdir()
    yield root


def numbers(value: object) -> object:
    """JSON as grader writes it, with "inf", "-inf" and "nan" as floats."""
    if isinstance(value, list):
        return [numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: numbers(v) for k, v in value.items()}
    if value in ("inf", "-inf", "nan"):
        return float(value)  # type: ignore[arg-type]
    return value


def key_cases(root: Path, sid: str) -> list[dict]:
    """The lp_norm cases of a student, read from the key JSON directly."""
    data = numbers(json.loads((root / "build" / "key" / f"{sid}.json").read_text(
        encoding="utf-8")))
    assert isinstance(data, dict)
    ex = next(e for e in data["exercises"] if e["id"] == "impl-lp-norm")
    return ex["cases"]


def norm(x: list, p: float) -> float:
    return float(np.linalg.norm(np.asarray(x, dtype=float), ord=p))


def cases_json(root: Path, sid: str) -> dict:
    res = invoke(["cases", "assignment.yaml", "subs", "--key", "build", "--student", sid,
                  "--json"], root)
    assert res.exit_code == 0, res.output
    data = numbers(json.loads(res.stdout))
    assert isinstance(data, dict)
    return data


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_hidden_case_shows_the_expected_value_and_the_students_wrong_output(
        course: Path) -> None:
    before = tree(course / "results")
    shown = cases_json(course, "wrong")
    runs = {c["id"]: c for c in shown["cases"]}
    key = key_cases(course, "wrong")
    assert sorted(runs) == sorted(c["id"] for c in key)  # every case: public, hidden, random
    for case in key:
        run = runs[case["id"]]
        x, p = case["args"]
        assert run["args"] == case["args"] and run["why"] == case["why"]
        assert run["expected"] == pytest.approx(norm(x, p), rel=1e-9)
        assert run["kind"] == ("public" if case["visibility"] == "public" else
                               "random" if case["id"].startswith("random-") else "hidden")
    magnitude = next(c for c in key if c["args"] == [[-7, 2, 0], math.inf])
    run = runs[magnitude["id"]]
    assert magnitude["visibility"] == "hidden" and run["kind"] == "hidden"
    assert run["expected"] == 7.0 and run["output"] == 2.0  # max |x_i| against max x_i
    assert run["status"] == "failed" and "returned 2" in run["message"]
    assert "expected 7" in run["message"]
    text = invoke(["cases", "assignment.yaml", "subs", "--key", "build", "--student",
                   "wrong"], course).stdout
    assert text.startswith("INSTRUCTOR ONLY")
    block = text[text.index(f"  {magnitude['id']} (hidden): failed"):]
    assert f"why:      {magnitude['why']}" in block and "inputs:   [-7, 2, 0], inf" in block
    assert "expected: 7\n" in block and "returned: 2\n" in block
    assert tree(course / "results") == before  # nothing written into the results


def test_the_verdicts_are_the_ones_grading_gives(course: Path) -> None:
    for sid in ("wrong", "right", "hostile"):
        graded = json.loads((course / "results" / f"{sid}.json").read_text(encoding="utf-8"))
        part = next(p for e in graded["exercises"] if e["id"] == "impl-lp-norm"
                    for p in e["parts"])
        statuses = {c["id"]: c["status"] for c in part["cases"]}
        shown = {c["id"]: c["status"] for c in cases_json(course, sid)["cases"]}
        assert shown == statuses, sid
    right = cases_json(course, "right")["cases"]
    assert all(c["status"] == "passed" for c in right)


def test_a_hostile_function_gives_a_message_per_case(course: Path) -> None:
    res = invoke(["cases", "assignment.yaml", "subs", "--key", "build", "--student",
                  "hostile"], course)
    assert res.exit_code == 0 and "Traceback" not in res.output, res.output
    runs = {c["id"]: c for c in cases_json(course, "hostile")["cases"]}
    by_p: dict[float, set[str]] = {}
    for case in key_cases(course, "hostile"):
        by_p.setdefault(case["args"][1], set()).add(runs[case["id"]]["status"])
    assert by_p[3] <= {"timeout", "not_run"} and "timeout" in by_p[3]
    assert by_p[1] <= {"exception", "not_run"} and "exception" in by_p[1]
    assert by_p[2] <= {"bad_output", "truncated", "not_run"} and by_p[2] - {"not_run"}
    assert by_p[math.inf] <= {"passed", "not_run"}
    assert all(len(c["message"]) <= 400 for c in runs.values())  # "boom " * 100000, cut
    assert len(res.stdout) < 200_000


def test_html_is_an_instructor_page_and_is_refused_in_a_results_folder(course: Path) -> None:
    res = invoke(["cases", "assignment.yaml", "subs", "--key", "build", "--student", "wrong",
                  "--html", "wrong-cases.html"], course)
    assert res.exit_code == 0, res.output
    page = (course / "wrong-cases.html").read_text(encoding="utf-8")
    assert "<strong>Instructor only</strong>" in page
    for case in key_cases(course, "wrong"):
        assert f"<code>{case['id']}</code>" in page
    assert "<code>[-7, 2, 0], inf</code>" in page
    before = tree(course / "results")
    refused = invoke(["cases", "assignment.yaml", "subs", "--key", "build", "--student",
                      "wrong", "--html", "results/wrong-cases.html"], course)
    assert refused.exit_code == 2 and "results/wrong-cases.html" in refused.stderr
    assert "gradebook" in refused.stderr and tree(course / "results") == before


def test_student_facing_results_hold_no_hidden_input_or_output(course: Path) -> None:
    for sid in ("wrong", "hostile"):
        json_text = (course / "results" / f"{sid}.json").read_text(encoding="utf-8")
        html = (course / "results" / f"{sid}.html").read_text(encoding="utf-8")
        graded = json.loads(json_text)
        part = next(p for e in graded["exercises"] if e["id"] == "impl-lp-norm"
                    for p in e["parts"])
        for c in part["cases"]:
            if c["visibility"] == "hidden":
                assert c.get("args") is None and c.get("output") is None
                assert c.get("expected") is None
        for case in key_cases(course, sid):
            if case["visibility"] == "hidden" and case["why"] != "random case":
                assert case["why"] not in json_text and case["why"] not in html
    wrong = (course / "results" / "wrong.json").read_text(encoding="utf-8")
    assert "-7, 2, 0" not in wrong and "-7,2,0" not in wrong
    hostile = json.loads((course / "results" / "hostile.json").read_text(encoding="utf-8"))
    messages = [c["message"] for e in hostile["exercises"] for p in e["parts"]
                for c in p.get("cases", []) if c["visibility"] == "hidden"]
    assert any(m.startswith("raised ValueError") for m in messages)  # the kind, no text
    assert not any("boom" in m for m in messages)


# ---------------------------------------------------------------- bad input: exit 2


@pytest.mark.parametrize("args,names", [
    (["--student", "nobody"], "build/key/roster.json"),
    (["--student", "absent"], "subs"),
    (["--student", "typed"], "solution.py"),
    (["--student", "wrong", "--key", "nope"], "nope"),
    (["--student", "wrong", "--key", "adir"], "adir"),
    (["--student", "wrong", "--key", "afile"], "afile"),
    (["--student", "wrong", "--html", "adir"], "adir"),
    (["--student", "wrong", "--html", "afile/page.html"], "afile"),
])
def test_cases_refuses(course: Path, args: list[str], names: str) -> None:
    full = ["cases", "assignment.yaml", "subs", "--key", "build", *args]
    result = invoke(full, course)
    shown = f"grader {' '.join(full)} -> exit {result.exit_code}:\n{result.output}"
    assert result.exit_code == 2, shown
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    assert names in result.stderr, shown


@pytest.mark.parametrize("args,names", [
    (["assignment.yaml", "subs", "--student", "wrong"], "--key"),  # the key is required
    (["assignment.yaml", "nosubs", "--key", "build", "--student", "wrong"], "nosubs"),
    (["noassignment.yaml", "subs", "--key", "build", "--student", "wrong"], "noassignment"),
    (["assignment.yaml", "subs", "--key", "build"], "--student"),
])
def test_cases_refuses_usage(course: Path, args: list[str], names: str) -> None:
    result = invoke(["cases", *args], course)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and names in result.stderr, result.output
