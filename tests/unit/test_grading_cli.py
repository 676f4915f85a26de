"""`grader grade`: options reach grade_assignment; exit 0, 1 under --fail-under, 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import grader.cli.grading
import grader.app.grade
from grader.cli import cli
from grader.grading.results import RunSummary, StudentResult


def summary(score: float) -> RunSummary:
    r = StudentResult("w1", "ann", "Ann", "a@x", "ann", "graded", score, score, 10.0)
    return RunSummary("w1", (r,), graded=1, skipped=0, sandbox_level="fork+rlimits",
                      changes=(("ann", 2.0, score),), warnings=("spec changed",))


@pytest.fixture
def calls(monkeypatch):
    seen: list = []

    def fake(*args, **kwargs):
        seen.append((args, kwargs))
        return summary(kwargs.pop("_score", 7.0))

    monkeypatch.setattr(grader.app.grade, "grade_assignment", fake)
    return seen


def test_options_are_passed_through_and_the_report_printed(calls):
    res = CliRunner().invoke(cli, ["grade", "a.yaml", "subs", "--out", "res", "--key", "build",
                                  "--jobs", "3", "--junit", "j.xml", "--gradescope", "g.json",
                                  "--csv", "c.csv", "--summary", "s.md", "--force"])
    assert res.exit_code == 0, res.output
    (args, kwargs), = calls
    assert args == (Path("a.yaml"), Path("subs"), Path("res"))
    assert {k: v for k, v in kwargs.items() if k != "progress"} == {
        "key_dir": Path("build"), "jobs": 3, "fail_under": None, "force": True,
        "allow_empty": False,
        "exports_to": {"csv": Path("c.csv"), "junit": Path("j.xml"), "gradescope": Path("g.json"),
                       "summary": Path("s.md")}}
    # "sandbox: why: ..." lines say why layers are missing on this machine: not the CLI's text
    lines = [x for x in res.output.splitlines() if not x.startswith("sandbox: why: ")]
    assert lines == [
        "sandbox level: fork+rlimits",
        ("sandbox: Student code ran in a weaker sandbox (fork+rlimits): it could read every file "
         "the grading account can read, the answer key and other students' submissions "
         "included; sockets, fork and exec were not blocked. To fix: install bubblewrap "
         "(Debian: apt-get install bubblewrap) or use Linux 5.13+ with Landlock; install "
         "pyseccomp and libseccomp2."),
        "graded 1, unchanged 0", "changed: ann 2 -> 7 (+5)",
        "warning: spec changed",
        ("1 students, mean 70.0% over the 1 student(s) who handed in work (0 missing, not "
         "counted); results in res/ (index.html: the class report; "
         "<student>.html and .json, gradebook.sqlite, c.csv)")]


def test_fail_under_sets_exit_status_one(calls):
    low = CliRunner().invoke(cli, ["grade", "a.yaml", "subs", "--out", "r", "--fail-under", "75"])
    assert low.exit_code == 1
    assert "fail-under 75%: not met by 1 (ann 70.0%)" in low.output
    ok = CliRunner().invoke(cli, ["grade", "a.yaml", "subs", "--out", "r", "--fail-under", "70"])
    assert ok.exit_code == 0 and "fail-under 70%: met" in ok.output


def test_bad_input_exits_two_with_a_message_and_no_traceback(tmp_path):
    res = CliRunner().invoke(cli, ["grade", str(tmp_path / "nope.yaml"), str(tmp_path),
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "nope.yaml: no such assignment file" in res.output
    assert "Traceback" not in res.output
    (tmp_path / "a.yaml").write_text("id: w1\ntitle: W\nexercises: [info-kl-divergence]\n")
    res = CliRunner().invoke(cli, ["grade", str(tmp_path / "a.yaml"), str(tmp_path),
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "no instructor key found" in res.output and "run `grader generate" in res.output


def test_late_penalties_are_named(monkeypatch):
    from grader.grading.results import LateInfo

    late = StudentResult("w1", "bo", "Bo", "b@x", "bo", "graded", 0.0, 8.0, 10.0,
                         late=LateInfo("2026-01-09T00:00:00Z", "manifest", 42, 100.0))

    def fake(*args, **kwargs):
        return RunSummary("w1", (summary(7.0).results[0], late), graded=2, skipped=0,
                          sandbox_level="fork", changes=(), warnings=())

    monkeypatch.setattr(grader.app.grade, "grade_assignment", fake)
    res = CliRunner().invoke(cli, ["grade", "a.yaml", "subs", "--out", "res/"])
    assert res.exit_code == 0, res.output
    assert ("late: 1 submission lost points (bo 42 d (-100%)); the due date and late policy "
            "are in the assignment file") in res.output.splitlines()
    assert "results in res/ (" in res.output and "gradebook.csv)" in res.output
