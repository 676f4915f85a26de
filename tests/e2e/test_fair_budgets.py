"""End to end: a student whose one function hangs keeps full points on the functions that work,
is told why the hanging function's cases were not run, and the instructor is warned (run
summary, CLI, summary.md, class report). Each function has its own time budget
(sandbox.time_limit); before, one clock per student let the hang use up the others' time."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.cli import cli

SECRET_ENV = "GRADER_BUDGET_SECRET"
ASSIGNMENT = f"""\
id: budgets
title: Budgets
secret: {{env: {SECRET_ENV}}}
exercises:
  - impl-softmax
  - impl-entropy
reveal: always
sandbox: {{time_limit: 1}}
"""
SOFTMAX = """\
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
"""
HANGING_SOFTMAX = "def softmax(z):\n    while True:\n        pass\n"
ENTROPY = """\
import math

def entropy(p, base=math.e):
    return -sum(x * math.log(x) for x in p if x > 0) / math.log(base)
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, "budget-secret-0123456789abcdef")
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        k = Course.create(tmp_path_factory.mktemp("budgets"), ASSIGNMENT,
                          "id,name,email\nhangs,Hangs,h@example.org\nfine,Fine,f@example.org\n")
        k.folder_submission("hangs", {}, HANGING_SOFTMAX + ENTROPY)
        k.folder_submission("fine", {}, SOFTMAX + ENTROPY)
        out = k.root / "out"
        summary = grade_assignment(k.assignment, k.subs, out, key_dir=k.build, jobs=2,
                                   exports_to={"summary": out / "summary.md"})
        yield k, out, summary, {r.student_id: r for r in summary.results}


def part(result, part_id: str):  # type: ignore[no-untyped-def]
    return next(p for p in result.parts() if p.part_id == part_id)


def test_the_working_function_keeps_full_points_beside_a_hang(graded) -> None:
    _, _, _, r = graded
    entropy = part(r["hangs"], "entropy")
    assert entropy.score == entropy.max_score == 10 and entropy.status == "correct"
    assert part(r["hangs"], "softmax").score == 0
    assert part(r["fine"], "softmax").status == part(r["fine"], "entropy").status == "correct"


def test_the_student_is_told_why_the_cases_were_not_run(graded) -> None:
    _, _, _, r = graded
    softmax = part(r["hangs"], "softmax")
    statuses = [c.status for c in softmax.cases]
    assert statuses[0] == "timeout" and set(statuses[1:]) == {"not_run"}
    assert softmax.cases[-1].message.startswith(
        "not run because softmax() used up its time budget of 1 s on earlier cases")
    n = len(statuses) - 1
    assert f"{n} cases were not run because softmax() used up its time budget" \
        in softmax.feedback


def test_the_instructor_is_warned_who_lost_cases(graded) -> None:
    _, out, summary, r = graded
    n = len(part(r["hangs"], "softmax").cases) - 1
    warning = summary.warnings[0]
    assert warning.startswith("1 student(s) lost cases to a function's time budget")
    assert warning.endswith(f"cases not run: hangs (impl-softmax.softmax: {n})")
    assert warning.replace("_", "\\_") in (out / "summary.md").read_text(encoding="utf-8")
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="h-budget"'):page.index('id="h-roster"')]
    assert f"impl-softmax.softmax: {n} of {n + 1} cases" in section
    assert "Fine" not in re.sub(r"<[^>]+>", " ", section)


def test_the_warning_stays_on_a_regrade_that_reuses_the_results(graded, monkeypatch) -> None:
    k, out, summary, _ = graded
    monkeypatch.setenv(SECRET_ENV, "budget-secret-0123456789abcdef")
    got = CliRunner().invoke(cli, ["grade", str(k.assignment), str(k.subs), "--out", str(out),
                                    "--key", str(k.build)])
    assert got.exit_code == 0, got.output
    assert f"warning: {summary.warnings[0]}" in got.output
