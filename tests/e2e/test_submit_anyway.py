"""At 23:58 a SyntaxError in solution.py must not cost the typed answers: `grader submit` writes
the archive with a loud warning naming the line (exit 0), and grading keeps the typed marks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(300)

SECRET = "submit-anyway-secret-9e8d7c6b5a4f3e2d1c0b"
ASSIGNMENT = """\
id: anyway-week
title: Anyway week
secret: {env: ANYWAY_SECRET}
exercises:
  - info-kl-divergence
  - impl-softmax
reveal: always
"""
BROKEN = "import math\n\n\ndef softmax(z)\n    return z\n"  # SyntaxError on line 4


def grader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANYWAY_SECRET": SECRET}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                           text=True, cwd=cwd, env=env, timeout=240, check=False)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("anyway")
    (root / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (root / "roster.csv").write_text("id,name,email\ns001,Ada,ada@example.edu\n")
    proc = grader("generate", "week.yaml", "--roster", "roster.csv", "--out", "build", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture
def work(course: Path, tmp_path: Path) -> Path:
    """The student's folder: right typed answers, a solution.py with a syntax error."""
    pytest.importorskip("grader.sandbox")
    folder = Path(shutil.copytree(course / "build" / "s001", tmp_path / "s001"))
    key = json.loads((course / "build" / "key" / "s001.json").read_text())
    typed = {ex["id"]: ex["answers"] for ex in key["exercises"] if ex["answers"]}
    (folder / "answers.yaml").write_text(json.dumps(typed), encoding="utf-8")
    (folder / "solution.py").write_text(BROKEN, encoding="utf-8")
    return folder


def test_check_says_submit_still_hands_in_the_typed_answers(work: Path) -> None:
    proc = grader("check", ".", cwd=work)
    assert proc.returncode == 2
    assert (
        "1 problem(s) to fix before you submit.\nsolution.py does not import: `grader submit` "
        "still hands in your typed answers, but every function part scores 0 until it does."
    ) in proc.stdout


def test_a_syntax_error_still_hands_in_the_typed_answers(course: Path, work: Path) -> None:
    proc = grader("submit", ".", cwd=work)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    archive = work.parent / "anyway-week-s001.zip"
    assert archive.is_file()
    assert f"Wrote {archive}: hand in this file." in out
    warning = [ln for ln in out.splitlines() if ln.startswith("WARNING")]
    assert any("softmax (impl-softmax): solution.py does not import: SyntaxError" in ln
               and "line 4" in ln for ln in warning), out
    assert any("will score 0 unless you fix line 4 of solution.py" in ln for ln in warning), out

    # Graded: the typed answers keep their marks, the function part scores 0.
    subs = course / "submissions"
    subs.mkdir(exist_ok=True)
    shutil.copy(archive, subs / "s001.zip")
    graded = grader("grade", "week.yaml", "submissions", "--out", "results", "--key",
                    "build/key", cwd=course)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    result = json.loads((course / "results" / "s001.json").read_text())
    parts = {(ex["id"], p["part_id"]): p for ex in result["exercises"] for p in ex["parts"]}
    assert parts[("info-kl-divergence", "kl_pq")]["status"] == "correct"
    assert parts[("info-kl-divergence", "kl_qp")]["status"] == "correct"
    assert parts[("impl-softmax", "softmax")]["score"] == 0


def test_an_unreadable_typed_answer_still_stops_unless_anyway(work: Path) -> None:
    answers = json.loads((work / "answers.yaml").read_text())
    answers["info-kl-divergence"]["kl_pq"] = "??"
    (work / "answers.yaml").write_text(json.dumps(answers), encoding="utf-8")
    refused = grader("submit", ".", cwd=work)
    assert refused.returncode == 2
    assert "1 problem(s) to fix before submitting (see above); nothing was written. To hand " \
           "in as it is (those parts score 0), run `grader submit --anyway`" in refused.stderr
    assert not (work.parent / "anyway-week-s001.zip").exists()
    forced = grader("submit", "--anyway", ".", cwd=work)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert (work.parent / "anyway-week-s001.zip").is_file()
    assert "WARNING: the answers marked FORMAT or SHAPE above were handed in as they are and " \
           "will score 0." in forced.stdout


def test_submit_out_never_overwrites_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from grader.app.demo import run_demo
    from grader.cli import cli

    demo = run_demo(tmp_path / "c", grade=False)
    folder = demo.problem_sets / "s001"
    roster = tmp_path / "c" / "roster.csv"
    before = roster.read_bytes()
    res = CliRunner().invoke(cli, ["submit", str(folder), "--out", str(roster)])
    assert res.exit_code == 2 and "exists and is not an archive" in res.output
    assert roster.read_bytes() == before
