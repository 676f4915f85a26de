"""Issue 16: a weaker sandbox is said, with what it meant and the fix, everywhere a grade is
shown; without any file isolation student code is refused (exit 2) unless the instructor
names the risk; `grader check` states the configured time limits."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape

from grader.student.check import run_public_examples
from grader.cli import cli
from grader.cli.grading import report_lines
from grader.outputs.summary import markdown
from grader.outputs.reports.classreport import render_class_report
from grader.app.sample import sample_class
from grader.outputs.reports.student import render_student_report
from grader.grading.results import RunSummary
from grader.sandbox import level_sentence, pool
from grader.sandbox._landlock import abi_version
from grader.sandbox.platform import allow_unsafe_no_file_isolation, probe, sandbox_level

FULL = "fork+rlimits+uid+netns+pidns+mountns+seccomp"
LANDLOCK = "fork+rlimits+uid+landlock+seccomp"
NOTHING = "fork+rlimits+uid"


def test_the_sentence_names_the_level_its_consequence_and_the_fix() -> None:
    assert "full sandbox" in level_sentence(FULL)
    s = level_sentence(LANDLOCK)
    assert LANDLOCK in s and "network" in s and "install bubblewrap" in s
    s = level_sentence(NOTHING)
    assert "answer key" in s and "Landlock" in s and "pyseccomp" in s
    assert level_sentence("not used (no function exercises)") == ""


def summary_at(level: str) -> RunSummary:
    results = tuple(dataclasses.replace(r, sandbox_level=level) for r in sample_class(3)[0])
    return RunSummary("demo-week-1", results, 3, 0, level)


@pytest.mark.parametrize("level", [LANDLOCK, NOTHING])
def test_a_weaker_level_is_said_in_every_place_a_grade_is_shown(level: str) -> None:
    sentence = level_sentence(level)
    summary = summary_at(level)
    lines = report_lines(summary, out="res", fail_under=None)
    assert f"sandbox: {sentence}" in lines
    assert sentence in markdown(summary, title="week 1")
    shown = str(escape(sentence))  # as the HTML pages write it
    assert shown in render_class_report(summary.results)
    assert shown in render_student_report(summary.results[0])


def test_the_full_level_adds_no_warning_to_reports() -> None:
    summary = summary_at(FULL)
    assert level_sentence(FULL) not in markdown(summary, title="week 1")
    assert "sandbox-note" not in render_class_report(summary.results)
    assert "sandbox-note" not in render_student_report(summary.results[0])


# -- `grader check` on a student's folder, through the CLI --

@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grader.course.generate import generate

    root = tmp_path_factory.mktemp("course")
    (root / "week.yaml").write_text("id: w\ntitle: W\nexercises:\n  - impl-softmax\n")
    (root / "roster.csv").write_text("id,name,email\ns001,Ada,ada@example.edu\n")
    os.environ["GRADER_SECRET"] = "sandbox-reporting-secret-0123456789abcdef"
    try:
        generate(root / "week.yaml", root / "roster.csv", root / "out")
    finally:
        del os.environ["GRADER_SECRET"]
    (root / "out" / "s001" / "solution.py").write_text(
        "import numpy as np\n\ndef softmax(z):\n    e = np.exp(z - np.max(z))\n"
        "    return e / e.sum()\n")
    return root / "out" / "s001"


def check_at(disable: str, folder: Path, *args: str,
             monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("GRADER_SANDBOX_DISABLE", disable)
    monkeypatch.delenv("GRADER_UNSAFE_NO_FILE_ISOLATION", raising=False)
    monkeypatch.setattr("grader.sandbox.platform._unsafe_allowed", False)
    monkeypatch.setattr(pool, "_shared", None)  # a fresh pool at this level
    probe.cache_clear()
    try:
        got = CliRunner().invoke(cli, ["check", *args, str(folder)])
    finally:
        if pool._shared is not None:
            pool._shared.close()
        probe.cache_clear()
    return got.exit_code, got.output


def test_check_without_any_file_isolation_is_refused_with_the_fix(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = check_at("bwrap,landlock", folder, monkeypatch=monkeypatch)
    assert code == 2, out
    assert "refusing to run student code" in out and "--unsafe-no-file-isolation" in out
    assert "install bubblewrap" in out and "Traceback" not in out


def test_check_with_the_unsafe_flag_runs_and_says_what_it_meant(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = check_at("bwrap,landlock", folder, "--unsafe-no-file-isolation",
                         monkeypatch=monkeypatch)
    assert code == 0, out
    assert "passed" in out
    assert "sandbox: Student code ran in a weaker sandbox" in out and "answer key" in out


@pytest.mark.skipif(abi_version() == 0, reason="needs Landlock")
def test_check_at_the_landlock_level_says_so(folder: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = check_at("bwrap", folder, monkeypatch=monkeypatch)
    assert code == 0, out
    assert "landlock" in out and "install bubblewrap" in out


def test_the_flag_is_accepted_by_grade_and_demo_too() -> None:
    for command in ("grade", "demo", "submit"):
        out = CliRunner().invoke(cli, [command, "--help"]).output
        assert "--unsafe-no-file-isolation" in out, command


def test_the_env_variable_also_accepts_the_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    from grader.sandbox.platform import unsafe_allowed

    monkeypatch.setattr("grader.sandbox.platform._unsafe_allowed", False)
    monkeypatch.setenv("GRADER_UNSAFE_NO_FILE_ISOLATION", "1")
    assert unsafe_allowed()
    monkeypatch.delenv("GRADER_UNSAFE_NO_FILE_ISOLATION")
    assert not unsafe_allowed()
    allow_unsafe_no_file_isolation()
    assert unsafe_allowed()


# -- the limits `grader check` states --

HANGS = b"import time\ntime.sleep(60)\n\ndef f(x):\n    return x\n"


def test_check_states_the_configured_limit_whatever_the_number_of_examples() -> None:
    messages = set()
    for n in (2, 1):
        fn = {"name": "f", "time_limit": 1.0,
              "public": [{"id": f"p{i}", "args": [1.0]} for i in range(n)]}
        lines, imported = run_public_examples(HANGS, fn)
        assert not imported
        messages.add(lines[0])
    assert len(messages) == 1, messages
    assert "time limit of 1 s per case exceeded" in messages.pop()


def test_full_level_sentence_matches_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GRADER_SANDBOX_DISABLE", raising=False)
    probe.cache_clear()
    try:
        if not (shutil.which("bwrap") and "netns" in probe().layers):
            pytest.skip("bubblewrap cannot create namespaces here: no full level to describe")
        assert level_sentence(sandbox_level()).startswith("Student code ran in the full sandbox")
    finally:
        probe.cache_clear()
