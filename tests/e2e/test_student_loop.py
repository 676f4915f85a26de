"""The student loop through the real CLI: generate -> fill answers -> check -> submit, the
archive's manifest, tampering, determinism, interruption, and what a student must never see."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-secret-7f3a9c1d5b2e8f40"
ASSIGNMENT = """\
id: loop-week
title: "Loop week: the student's side"
secret: {env: LOOP_SECRET}
exercises:
  - info-kl-divergence
  - {id: la-eigen-symmetric, points: 10}
  - opt-gradient-descent
  - ml-perceptron
  - {pick: 1, topic: probability}
  - impl-softmax
reveal: never
due: 2026-12-01T23:59:00+01:00
"""
STUDENTS = [("s001", "Ada Lovelace"), ("李雷", "李雷"), ("Émile.Borel", "Émile Borel"),
            ("con", "Reserved Name")]


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LOOP_SECRET", "GRADER_SECRET")}
    return {**base, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **extra}


def grader(*args: str, cwd: Path, secret: bool = True) -> subprocess.CompletedProcess:
    extra = {"LOOP_SECRET": SECRET} if secret else {}
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, check=False,
                          text=True, cwd=cwd, env=env(**extra), timeout=180)


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc.stdout


def make_course(root: Path, students=STUDENTS) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    rows = "".join(f'"{sid}","{name}",{n}@example.edu\n' for n, (sid, name) in enumerate(students))
    (root / "roster.csv").write_text("id,name,email\n" + rows, encoding="utf-8")
    return root


def generate(course: Path, out: str = "build") -> str:
    return ok(grader("generate", "week.yaml", "--roster", "roster.csv", "--out", out, cwd=course))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def keys(build: Path) -> dict[str, dict]:
    return {json.loads(p.read_text())["student"]["id"]: json.loads(p.read_text())
            for p in (build / "key").glob("*.json") if p.name != "roster.json"}


def fill_right_answers(folder: Path, key: dict) -> None:
    """answers.yaml as a student who got everything right would write it (JSON is YAML)."""
    doc = {ex["id"]: ex["answers"] for ex in key["exercises"] if ex["answers"]}
    text = "# my answers\n" + json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    (folder / "answers.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "grader" / "demo" / "solution_right.py", folder / "solution.py")


def pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version = "([^"]+)"', text, re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_course(tmp_path_factory.mktemp("loop"))
    generate(root)
    return root


# ---------------------------------------------------------------- the loop


def test_generate_check_submit_and_the_archive_reads_back(course: Path, tmp_path: Path) -> None:
    from grader.student.submission import read_archive

    build = course / "build"
    key = keys(build)["李雷"]
    folder = Path(shutil.copytree(build / key["student"]["folder"], tmp_path / "work"))
    fill_right_answers(folder, key)

    out = ok(grader("check", ".", cwd=folder))
    typed = sum(len(ex["answers"]) for ex in key["exercises"])
    assert f"Ready to submit: {typed} answer(s) readable." in out
    assert "This checked the form of your answers only, not whether they are right." in out
    assert "correct" not in out.lower()
    assert out.count("passed   softmax(") == 2  # the two public examples, nothing hidden

    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    out = ok(grader("submit", str(folder), "--out", str(tmp_path / "handin.zip"), cwd=tmp_path))
    after = dt.datetime.now(dt.timezone.utc)
    assert out.splitlines()[-1] == f"Wrote {tmp_path / 'handin.zip'}: hand in this file."

    with zipfile.ZipFile(tmp_path / "handin.zip") as zf:
        names = sorted(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert names == ["answers.yaml", "grader.json", "manifest.json", "solution.py"]
    assert manifest["student"] == "李雷"
    assert manifest["assignment"] == "loop-week"
    assert manifest["files"] == {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("answers.yaml", "grader.json", "solution.py")}
    assert before <= dt.datetime.fromisoformat(manifest["time"]) <= after
    assert manifest["grader_version"] == pyproject_version()

    sub = read_archive(tmp_path / "handin.zip")
    assert sub.problems == ()
    assert sub.files["answers.yaml"] == (folder / "answers.yaml").read_bytes()

    # A student (or anyone) edits an answer inside the archive after submitting.
    with zipfile.ZipFile(tmp_path / "handin.zip") as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    entries["answers.yaml"] = entries["answers.yaml"].replace(b"# my answers", b"# changed")
    with zipfile.ZipFile(tmp_path / "edited.zip", "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    assert read_archive(tmp_path / "edited.zip").problems == (
        "tampered: answers.yaml does not match its hash in the manifest",)


def test_submit_without_out_writes_beside_the_folder(course: Path, tmp_path: Path) -> None:
    build = course / "build"
    key = keys(build)["s001"]
    folder = Path(shutil.copytree(build / "s001", tmp_path / "s001"))
    fill_right_answers(folder, key)
    out = ok(grader("submit", cwd=folder))
    assert "Wrote " in out
    assert (tmp_path / "loop-week-s001.zip").is_file()


def test_check_of_an_untouched_set_counts_what_is_left(course: Path) -> None:
    folder = course / "build" / "s001"
    out = ok(grader("check", str(folder), cwd=course))
    assert "Nothing answered yet: replace the nulls in answers.yaml" in out
    assert "softmax is not written yet" in out  # the stub fails its public examples
    assert "correct" not in out.lower()


# ---------------------------------------------------------------- what students never receive


def student_files(build: Path) -> dict[str, bytes]:
    return {k: v for k, v in tree(build).items() if not k.startswith("key/")}


def secret_numbers(key: dict) -> set[str]:
    """Reference answers written as in the key, and again as a page would print them; only
    numbers precise enough that they cannot turn up in a prompt by chance."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, float) and not value.is_integer():
            if len(repr(value).lstrip("-").replace("0.", "")) >= 8:
                found.add(repr(value))
            short = f"{value:.6g}"
            if len(short.lstrip("-").replace("0.", "").rstrip("0")) >= 5 and "e" not in short:
                found.add(short)

    for ex in key["exercises"]:
        walk(ex["answers"])
    return found


def test_student_files_hold_neither_the_secret_nor_the_answers(course: Path) -> None:
    build = course / "build"
    files = student_files(build)
    assert len(files) == 5 * len(STUDENTS)
    for name, data in files.items():
        assert SECRET.encode() not in data, name
        assert SECRET[:12].encode() not in data, name
    all_keys = keys(build)
    for sid, key in all_keys.items():
        numbers = secret_numbers(key)
        assert numbers, sid  # the test would be empty otherwise
        folder = key["student"]["folder"]
        own = b"".join(v for k, v in files.items() if k.startswith(folder + "/")).decode()
        leaked = sorted(n for n in numbers if n in own)
        assert leaked == [], (sid, leaked)
        # The per-student random cases of function exercises are hidden too.
        for ex in key["exercises"]:
            for case in ex["cases"]:
                if case["id"].startswith("random-"):
                    assert case["id"] not in own
                    assert json.dumps(case["args"][0]) not in own
                    assert json.dumps(case["args"][0], separators=(",", ":")) not in own


def test_the_key_holds_the_secret_numbers(course: Path) -> None:
    # The other side of the test above: the same search does find them in the key.
    build = course / "build"
    key = keys(build)["s001"]
    text = (build / "key" / "s001.json").read_text()
    assert all(n in text for n in secret_numbers(key) if "e" not in n and len(n) > 10)


# ---------------------------------------------------------------- determinism and interruption


def test_two_runs_give_identical_trees_and_a_rerun_writes_nothing(course: Path) -> None:
    generate(course, "again")
    first, second = tree(course / "build"), tree(course / "again")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    n = len(first)
    out = generate(course, "again")
    assert f"({0} files written, {n} unchanged)" in out
    assert tree(course / "again") == second


def test_ctrl_c_in_the_middle_leaves_only_complete_files(tmp_path: Path) -> None:
    many = [(f"s{i:03d}", f"Student {i}") for i in range(40)]
    course = make_course(tmp_path / "c", many)
    generate(course, "reference")
    reference = tree(course / "reference")
    out = course / "build"
    proc = subprocess.Popen([sys.executable, "-m", "grader", "generate", "week.yaml",
                             "--roster", "roster.csv", "--out", "build"], cwd=course,
                            env=env(LOOP_SECRET=SECRET), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        # (staged files: a run moves its files into place only once every set is made)
        if out.is_dir() and sum(1 for _ in out.rglob("*.md")) >= 5:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout + stderr
    assert stderr.strip() == "interrupted"
    # All or nothing: the staged files are dropped and the folder this run made is gone.
    assert tree(out) == {} and not out.exists()
    assert [p for p in course.rglob("*") if p.name.endswith(".tmp")
            or p.name.startswith(".grader-generate-")] == []
    generate(course, "build")
    assert tree(out) == reference
