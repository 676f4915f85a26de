"""Bad input to generate, check and submit through the CLI: one clear message naming the file
and the fix, exit status 2, no traceback, and nothing (half-)written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = """\
id: err-week
title: Errors
exercises:
  - info-kl-divergence
  - la-eigen-symmetric
"""
ROSTER = "id,name,email\ns001,Ada,ada@example.edu\ns002,Alan,alan@example.edu\n"
SECRET = "cli-errors-secret-8b7a6c5d4e3f2a1b0c9d"


def tree(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def invoke(args: list[str], cwd: Path, *, secret: str | None = SECRET):
    env = {"GRADER_SECRET": secret} if secret else {}
    old = Path.cwd()
    os.chdir(cwd)  # messages name files as the user typed them
    try:
        if secret is None:
            os.environ.pop("GRADER_SECRET", None)
        return CliRunner(env=env).invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def assert_usage_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr == f"error: {message}\n"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def generate(course: Path, *, roster: str = "roster.csv", assignment: str = "week.yaml",
             secret: str | None = SECRET):
    return invoke(["generate", assignment, "--roster", roster, "--out", "out"], course,
                  secret=secret)


# ---------------------------------------------------------------- generate


@pytest.mark.parametrize("roster,message", [
    ("id,name,email\ns1,A,a@x\ns2,B,b@x\ns1,C,c@x\n",
     "bad.csv:4: duplicate id 's1' (first on line 2)"),
    ("id,name\ns1,A\n", "bad.csv:1: missing column email; the header has: id, name"),
    ("", ("bad.csv: the roster is empty; it needs a header line (id,name,email) and one line per "
         "student")),
    ("id,name,email\n", "bad.csv: no students; add one line per student under the header"),
])
def test_a_bad_roster(course: Path, roster: str, message: str) -> None:
    (course / "bad.csv").write_text(roster, encoding="utf-8")
    assert_usage_error(generate(course, roster="bad.csv"), message)
    assert not (course / "out").exists()


def test_an_assignment_naming_an_unknown_exercise(course: Path) -> None:
    (course / "week.yaml").write_text(ASSIGNMENT.replace("la-eigen-symmetric",
                                                         "la-eigen-symetric"))
    assert_usage_error(generate(course), "week.yaml: exercises[1]: unknown exercise "
                                         "'la-eigen-symetric'; did you mean 'la-eigen-symmetric'?")
    assert not (course / "out").exists()


def test_a_missing_secret(course: Path) -> None:
    assert_usage_error(generate(course, secret=None), (
        "week.yaml: the secret is read from the environment variable GRADER_SECRET, which is not "
        "set. Set it (e.g. export GRADER_SECRET=$(python3 -c 'import secrets; "
        "print(secrets.token_hex(32))')) and keep it: it decides every variant."))
    assert not (course / "out").exists()


def test_a_missing_secret_file(course: Path) -> None:
    (course / "week.yaml").write_text(ASSIGNMENT + "secret: {file: secret.txt}\n")
    result = generate(course)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("error: week.yaml: cannot read the secret file ")
    assert result.stderr.endswith("secret.txt: No such file or directory\n")


def test_a_bad_assignment_file_lists_its_problems(course: Path) -> None:
    (course / "week.yaml").write_text("id: err week\ntitle: T\nexercises: []\n")
    assert_usage_error(generate(course), (
        "week.yaml:1:5: id: expected an id of letters, digits, '.', '_' or '-', got 'err week'\n"
        "    id: err week\n        ^\n"
        "week.yaml:3:12: exercises: expected a non-empty list of exercises\n"
        "    exercises: []\n               ^\n"
        "2 errors in week.yaml"))


def test_missing_files(course: Path) -> None:
    assert_usage_error(generate(course, roster="nope.csv"), "nope.csv: no such roster file")
    assert_usage_error(generate(course, assignment="nope.yaml"),
                       "nope.yaml: no such assignment file")
    assert not (course / "out").exists()


def test_a_failed_rerun_leaves_the_previous_output_alone(course: Path) -> None:
    assert generate(course).exit_code == 0
    before = tree(course / "out")
    (course / "roster.csv").write_text(ROSTER + "s001,Again,x@x\n")
    assert_usage_error(generate(course), "roster.csv:4: duplicate id 's001' (first on line 2)")
    assert tree(course / "out") == before


def test_a_rerun_warns_of_changed_variants_and_a_past_due_date(course: Path) -> None:
    first = generate(course)
    assert first.exit_code == 0 and "warning" not in first.output and "note" not in first.output
    again = generate(course)  # same inputs: nothing to say
    assert again.exit_code == 0 and "warning" not in again.output
    (course / "week.yaml").write_text(ASSIGNMENT + "due: 2020-01-31T23:59:00+01:00\n"
                                      "late: {policy: per_day, penalty_per_day: 10}\n")
    dated = generate(course)  # only the due date changed: the variants did not
    assert dated.exit_code == 0 and "warning" not in dated.output
    assert ("note: week.yaml: due 2020-01-31T23:59:00+01:00 has already passed; every "
            "submission will count as late; reports will show the expected answers "
            "(reveal: after_due). Fix `due` if that is not meant.") in dated.output
    another = "another-secret-1f2e3d4c5b6a79880a1b"
    refused = invoke(["generate", "week.yaml", "--roster", "roster.csv", "--out", "out/"],
                     course, secret=another)  # a new shell, another secret: refused
    assert refused.exit_code == 2 and "the secret (env GRADER_SECRET) differs" in refused.stderr
    other = invoke(["generate", "week.yaml", "--roster", "roster.csv", "--out", "out/",
                    "--force"], course, secret=another)
    assert other.exit_code == 0
    assert other.output.startswith("2 problem sets in out/ (")
    assert ("warning: --force: the variants of 2 student(s) changed since the last generate "
            "(s001, s002).") in other.output


# ---------------------------------------------------------------- check and submit


@pytest.fixture
def folder(course: Path) -> Path:
    assert generate(course).exit_code == 0
    return course / "out" / "s001"


@pytest.mark.parametrize("answers,message", [
    ("info-kl-divergence:\n  kl_pq: [0.5\n",
     ("answers.yaml:3:1: invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing "
     "a flow sequence that started at line 2)\nFix the YAML in answers.yaml (a stray tab or a "
     "missing space after ':' is the usual cause).")),
    ("info-kl-divergence:\n\tkl_pq: 0.5\n",
     ("answers.yaml:2:1: invalid YAML: found character '\\t' that cannot start any token (while "
     "scanning for the next token); indent with spaces, not tabs\n"
     "    \tkl_pq: 0.5\n    ^\nFix the YAML in answers.yaml (a stray tab or a missing space "
     "after ':' is the usual cause).")),
    ("info-kl-divergense:\n  kl_pq: 0.5\n",
     ("answers.yaml: unknown exercise 'info-kl-divergense'; this problem set has: "
     "info-kl-divergence, la-eigen-symmetric")),
    ("la-eigen-symmetric:\n  eigenvalue: [1, 2]\n",
     ("answers.yaml: la-eigen-symmetric: unknown part 'eigenvalue'; the parts are: eigenvalues, "
     "eigenvectors")),
])
@pytest.mark.parametrize("command", ["check", "submit"])
def test_unreadable_answers(folder: Path, answers: str, message: str, command: str) -> None:
    (folder / "answers.yaml").write_text(answers, encoding="utf-8")
    before = tree(folder.parent.parent)
    assert_usage_error(invoke([command], folder), message)
    assert tree(folder.parent.parent) == before


@pytest.mark.parametrize("command", ["check", "submit"])
def test_a_wrong_shape_is_named_and_blocks_submission(folder: Path, command: str) -> None:
    (folder / "answers.yaml").write_text(
        "la-eigen-symmetric:\n  eigenvalues: [1, 2, 3]\n  eigenvectors: [[1, 0], [0, 1]]\n")
    before = tree(folder.parent.parent)
    result = invoke([command], folder)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert ("  SHAPE    la-eigen-symmetric.eigenvalues: expected a vector of 2 numbers, "
            "got a vector of 3 numbers\n") \
        in result.stdout
    if command == "check":
        assert result.stdout.endswith("1 problem(s) to fix before you submit.\n")
    else:
        assert result.stderr == (
            "error: 1 problem(s) to fix before submitting (see above); nothing was written. "
            "To hand in as it is (those parts score 0), run `grader submit --anyway`\n")
    assert tree(folder.parent.parent) == before


def test_check_outside_a_problem_set(tmp_path: Path) -> None:
    assert_usage_error(invoke(["check"], tmp_path), (
        "grader.json: not found. Run this in the folder of your problem set (the one holding "
        "problems.html and answers.yaml), or give that folder as an argument."))


# ---------------------------------------------------------------- the real process


def test_the_real_cli_exits_2_without_a_traceback(course: Path) -> None:
    (course / "bad.csv").write_text("id,name\ns1,A\n")
    env = {k: v for k, v in os.environ.items() if k != "GRADER_SECRET"}
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "generate", "week.yaml", "--roster", "bad.csv", "--out",
         "out"], check=False, cwd=course, capture_output=True, text=True, timeout=120,
        env={**env, "PYTHONPATH": str(ROOT), "GRADER_SECRET": "x"})
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "error: bad.csv:1: missing column email; the header has: id, name\n"
    assert not (course / "out").exists()


def test_an_internal_fault_is_exit_3_with_a_log(course: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.course.generate

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(grader.course.generate, "plan_student", boom)
    result = generate(course)
    assert result.exit_code == 3
    assert "internal error (RuntimeError: simulated bug). This is a bug in grader." \
        in result.stderr
    log = result.stderr.split("The traceback is in ")[1].split(";")[0]
    assert "Traceback" in Path(log).read_text() and "Traceback" not in result.output
    Path(log).unlink()
    shutil.rmtree(course / "out", ignore_errors=True)
