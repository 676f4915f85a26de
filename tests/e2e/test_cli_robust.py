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
from grader.course.generate import generate

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = "GRADER_ROBUST_SECRET"
SECRET = "9d2f6a1c4b8e0d7f3a5c9e1b6d2f8a40"  # 128 bits, as grader requires
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
        mp.setenv(SECRET_ENV, SECRET)
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
    monkeypatch.setenv(SECRET_ENV, SECRET)
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
    env = {**os.environ, SECRET_ENV: SECRET, "PYTHONPATH": str(ROOT)}
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


# ------------------------------------------------------------- 3. a file where a folder goes


def usage_error(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr, result.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated class with one filled-in problem set (work/) and an archive of it."""
    root = build(tmp_path_factory.mktemp("paths"), ["ann"])
    shutil.copytree(root / "build" / "ann", root / "work")
    (root / "work" / "solution.py").write_text(STABLE, encoding="utf-8")
    (root / "afile").write_text("keep me\n", encoding="utf-8")
    (root / "afolder").mkdir()
    result = run_cli(["submit", "work", "--out", "ann.zip"], cwd=root)
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("args,message", [
    (["check", "ann.zip"], "error: ann.zip is a file; give the folder of your problem set (the "
     "one holding answers.yaml), or to check an archive, unzip it into a folder and run "
     "`grader check` on that folder\n"),
    (["submit", "ann.zip"], "error: ann.zip is a file; give the folder of your problem set (the "
     "one holding answers.yaml) to pack it; an archive `grader submit` made is ready to hand "
     "in as it is\n"),
    (["check", "work/answers.yaml"],
     "error: work/answers.yaml is a file; give the folder that holds it: `grader check work`\n"),
])
def test_a_file_given_for_the_problem_set_folder(course: Path, args: list[str],
                                                 message: str) -> None:
    result = run_cli(args, cwd=course)
    usage_error(result, message)
    assert result.stderr == message


@pytest.mark.parametrize("args,message", [
    (["grade", "assignment.yaml", "subs", "--key", "build", "--out", "afile"],
     "Invalid value for '--out': Directory 'afile' is a file."),
    (["generate", "assignment.yaml", "--roster", "roster.csv", "--out", "afile"],
     "Invalid value for '--out': Directory 'afile' is a file."),
    (["demo", "--out", "afile"], "Invalid value for '--out': Directory 'afile' is a file."),
    (["preview", "impl-softmax", "--html", "afolder"],
     "Invalid value for '--html': File 'afolder' is a directory."),
    (["grade", "assignment.yaml", "subs", "--key", "build", "--out", "res", "--csv", "afolder/"],
     "Invalid value for '--csv': File 'afolder/' is a directory."),
    (["generate", "assignment.yaml", "--roster", "afolder", "--out", "out"],
     "Invalid value for '--roster': File 'afolder' is a directory."),
])
def test_an_option_naming_the_wrong_kind_of_path_is_a_usage_error(course: Path, monkeypatch,
                                                                  args: list[str],
                                                                  message: str) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    usage_error(run_cli(args, cwd=course), message)
    assert (course / "afile").read_text(encoding="utf-8") == "keep me\n"
    assert list((course / "afolder").iterdir()) == []
    assert not (course / "out").exists() and not (course / "res").exists()


@pytest.mark.parametrize("out", ["handin/", "afolder", "afolder/"])
def test_submit_out_a_folder_puts_the_archive_inside_it(course: Path, out: str) -> None:
    result = run_cli(["submit", "work", "--out", out], cwd=course)
    assert result.exit_code == 0, result.output
    target = course / out / "week1-work.zip"
    assert f"Wrote {Path(out) / 'week1-work.zip'}: hand in this file." in result.output
    assert zipfile.ZipFile(target).namelist()
    target.unlink()


# ------------------------------------------------------------- 4. disk errors


def test_a_file_in_the_way_of_an_output_folder(course: Path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    shutil.rmtree(course / "subs")
    shutil.copytree(course / "work", course / "subs" / "ann")
    result = run_cli(["grade", "assignment.yaml", "subs", "--key", "build", "--out", "res2",
                      "--summary", "afile/summary.md"], cwd=course)
    usage_error(result, "error: --summary afile/summary.md: afile: is a file, where a folder "
                        "is expected; give a folder (a new one is made), or move the file away\n")
    assert (course / "afile").read_text(encoding="utf-8") == "keep me\n"
    assert not (course / "res2").exists()  # said before grading, not after


def test_a_name_too_long_for_the_file_system(course: Path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    long = "x" * 300
    result = run_cli(["generate", "assignment.yaml", "--roster", "roster.csv", "--out", long],
                     cwd=course)
    usage_error(result, ": name too long; use a shorter name or a shorter path\n")
    assert result.stderr.startswith("error: xxxx")
    assert len(result.stderr) < 300  # the path is shortened, not printed whole


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs sysfs, where even root "
                    "cannot create files")
def test_permission_denied_even_for_root(course: Path, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    result = run_cli(["generate", "assignment.yaml", "--roster", "roster.csv", "--out",
                      "/sys/grader-robust-test"], cwd=course)
    usage_error(result, "error: /sys/grader-robust-test: permission denied (operation not "
                        "permitted); check its permissions, or write somewhere else\n")


def exports(folder: Path) -> dict[str, bytes]:
    """The files a run writes whole (the gradebook records the run, so it changes)."""
    return {p.name: p.read_bytes() for p in folder.iterdir()
            if p.is_file() and p.suffix in (".csv", ".json", ".html")}


@pytest.mark.parametrize("code,words", [
    (28, "no space left on device"), (30, "read-only file system"), (13, "permission denied")])
def test_a_full_or_read_only_disk_during_grading_keeps_the_previous_results(
        course: Path, monkeypatch, code: int, words: str) -> None:
    """The disk refuses the exports half-way through: exit 2, the old files are whole."""
    from grader.core import fsutil

    monkeypatch.setenv(SECRET_ENV, SECRET)
    shutil.rmtree(course / "subs")
    shutil.copytree(course / "work", course / "subs" / "ann")
    args = ["grade", "assignment.yaml", "subs", "--key", "build", "--out", "full", "--force"]
    assert run_cli(args, cwd=course).exit_code == 0
    before = exports(course / "full")
    real_fsync = fsutil.os.fsync

    def refuse(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fsutil.os, "fsync", refuse)
    result = run_cli(args, cwd=course)
    monkeypatch.setattr(fsutil.os, "fsync", real_fsync)
    usage_error(result, f"error: full/gradebook.csv: {words}; ")
    assert exports(course / "full") == before  # nothing half-written
    assert not [p for p in (course / "full").rglob("*") if p.name.endswith(".tmp")]


def test_an_oserror_that_names_no_path_is_still_a_bug(course: Path, monkeypatch) -> None:
    """Only disk errors about a path are the user's; anything else stays exit 3 with a log."""
    from grader.student import check

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(check, "check", broken)
    result = run_cli(["check", "work"], cwd=course)
    assert result.exit_code == 3
    assert "This is a bug in grader" in result.stderr


def test_a_path_that_is_not_utf8_prints_under_a_strict_locale(course: Path) -> None:
    """A name with bytes that are not UTF-8 (given by the user) is echoed escaped, not exit 3."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict"}
    out = os.fsencode(course) + b"/handin-\xfe.zip"
    done = subprocess.run([sys.executable, "-m", "grader", "submit", "work", "--out",
                           os.fsdecode(out)], cwd=course, env=env, capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert b"handin-\\udcfe.zip: hand in this file." in done.stdout
    assert os.path.isfile(out)


# ------------------------------------------------------------- 5. what the fuzz test found


def test_solve_with_a_huge_parameter_stops_and_says_why(tmp_path: Path, monkeypatch) -> None:
    """`grader solve opt-gradient-descent --param k=10000000` ran for hours (found by fuzzing)."""
    from grader.authoring import preview

    monkeypatch.setattr(preview, "SOLVE_SECONDS", 1.0)
    result = run_cli(["solve", "opt-gradient-descent", "--param", "k=10000000"], cwd=tmp_path)
    usage_error(result, "error: opt-gradient-descent: solving with these parameters took longer "
                        "than 1 s and was stopped;")
