"""End to end: nothing a student hands in, no closed pipe and no disk error ends a run as a bug.

Issue 16: text holding lone surrogates, `grader grade ... | head -1`, a file where a folder is
expected (and the reverse), and disk errors (read-only, full, too long a name) all used to end
with exit 3 and lose the run. Each is exit 0 (the run completes) or exit 2 (a message naming the
path and the fix), never a traceback.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.generate import generate

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = "GRADER_ROBUST_SECRET"
ASSIGNMENT = f"""\
id: week1
title: Week 1
secret: {{env: {SECRET_ENV}}}
exercises:
  - impl-softmax
  - info-kl-divergence
reveal: always
sandbox: {{time_limit: 4, memory_mb: 512}}
"""
STABLE = """\
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()
"""
# A lone surrogate, as a student's code can make one, in every place its text reaches us.
BAD = 'b"\\xff".decode("utf-8", "surrogateescape")'
SURROGATE_CODE = {
    "raises": f"def softmax(z):\n    raise ValueError({BAD})\n",
    "prints": f"import sys\n\ndef softmax(z):\n    print({BAD})\n    sys.stderr.write({BAD})\n"
              "    return [1.0]\n",
    "import": f"raise ValueError('at import ' + {BAD})\n",
    "message": f"class E(Exception):\n    def __str__(self):\n        return {BAD}\n\n"
               "def softmax(z):\n    raise E()\n",
}


def run_cli(args: list[str], cwd: Path | None = None):
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def build(root: Path, students: list[str]) -> Path:
    """A generated class (assignment.yaml, roster.csv, build/) and an empty subs/ folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "assignment.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    rows = "".join(f"{s},{s.title()},{s}@example.org\n" for s in students)
    (root / "roster.csv").write_text("id,name,email\n" + rows, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, "robust-secret")
        generate(root / "assignment.yaml", root / "roster.csv", root / "build")
    (root / "subs").mkdir()
    return root


def hand_in(root: Path, sid: str, solution: str) -> Path:
    target = root / "subs" / sid
    shutil.copytree(root / "build" / sid, target)
    (target / "solution.py").write_text(solution, encoding="utf-8")
    return target


def gradebook_students(db: Path) -> dict[str, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute(  # later runs overwrite earlier ones
            "SELECT student, status FROM student_results ORDER BY run").fetchall())
    finally:
        con.close()


def grade_args(root: Path, out: str = "res") -> list[str]:
    return ["grade", str(root / "assignment.yaml"), str(root / "subs"), "--key",
            str(root / "build"), "--out", str(root / out), "--jobs", "2"]


# ------------------------------------------------------------- 1. lone surrogates


@pytest.fixture(scope="module")
def surrogate_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    names = [*SURROGATE_CODE, "answers", "honest"]
    root = build(tmp_path_factory.mktemp("surrogates"), names)
    for sid, code in SURROGATE_CODE.items():
        hand_in(root, sid, code)
    folder = hand_in(root, "answers", STABLE)
    answers = (folder / "answers.yaml").read_text(encoding="utf-8")
    (folder / "answers.yaml").write_text(
        answers.replace("kl_pq: null", 'kl_pq: "\\udcff"') + '"\\ud800": 1\n', encoding="utf-8")
    hand_in(root, "honest", STABLE)
    # File names with bytes that are not UTF-8: a folder and an archive nobody on the roster owns.
    stray = root.joinpath("subs").as_posix().encode() + b"/stray-\xff\xfe"
    os.mkdir(stray)
    shutil.copy(root / "build" / "honest" / "answers.yaml", os.fsdecode(stray))
    with zipfile.ZipFile(os.fsdecode(root.joinpath("subs").as_posix().encode()
                                     + b"/week1-\xfe.zip"), "w") as zf:
        zf.writestr("answers.yaml", "info-kl-divergence: {kl_pq: 1}\n")
    return root


def test_lone_surrogates_in_student_text_grade_every_student(surrogate_class: Path,
                                                             monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "robust-secret")
    root = surrogate_class
    result = run_cli(grade_args(root))
    assert result.exit_code == 0, result.output
    students = gradebook_students(root / "res" / "gradebook.sqlite")
    assert {*SURROGATE_CODE, "answers", "honest"} <= set(students)
    assert len(students) == len(SURROGATE_CODE) + 4  # and the two unknown submitters
    for sid in (*SURROGATE_CODE, "answers", "honest"):
        (root / "res" / f"{sid}.json").read_text(encoding="utf-8")  # valid UTF-8 throughout
    assert "\ufffd" in (root / "res" / "raises.json").read_text(encoding="utf-8")

    again = run_cli(grade_args(root))  # a rerun reads back what the first stored
    assert again.exit_code == 0, again.output
    assert "graded 0, unchanged 8" in again.output
    forced = run_cli([*grade_args(root), "--force"])
    assert forced.exit_code == 0, forced.output
    assert len(gradebook_students(root / "res" / "gradebook.sqlite")) == 8


# ------------------------------------------------------------- 2. a closed pipe


def test_grade_into_a_pipe_closed_early_still_records_every_student(tmp_path: Path) -> None:
    """`grader grade ... | head -1`: the reader leaves after one line; the run goes on."""
    students = [f"p{i:02d}" for i in range(16)]
    root = build(tmp_path, students)
    slow = STABLE + "\nimport time\ntime.sleep(0.1)\n"  # so the run outlasts the reader
    for sid in students:
        hand_in(root, sid, slow)
    env = {**os.environ, SECRET_ENV: "robust-secret", "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    args = [*grade_args(root)[:-2], "--jobs", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "grader", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does
    err = proc.stderr.read().decode()
    status = proc.wait(timeout=120)
    assert first.startswith(b"graded p00")
    assert status == 0, err
    assert err == ""
    assert set(gradebook_students(root / "res" / "gradebook.sqlite")) == set(students)
    assert (root / "res" / "index.html").is_file()
