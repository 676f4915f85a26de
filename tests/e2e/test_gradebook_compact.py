"""A real class through `grader grade`, `--force` regrades and `grader gradebook compact`.

The gradebook keeps each distinct result document once (schema v3), so an unchanged `--force`
regrade adds only a small row per student; compacting keeps every student's latest result
byte-identical to the DIR/<student>.json that grading wrote, and `grader report`, the exports
and the next regrade work on the compacted file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.app.fabricate import Course, numbered_roster
from grader.cli import cli
from grader.grading.gradebook import Gradebook

SECRET_ENV = "GRADER_COMPACT_SECRET"
SECRET = "compact-secret-5e4d3c2b1a09f8e7d6c5"
ASSIGNMENT = f"""\
id: compact
title: Compact
secret: {{env: {SECRET_ENV}}}
exercises:
  - info-kl-divergence
  - prob-bayes
reveal: always
"""
STUDENTS = 60
PER_REGRADE = 300  # bytes per student an unchanged regrade may add (v2 added ~18 KB)


def invoke(args: list[str], cwd: Path):
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner(env={SECRET_ENV: SECRET}).invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def ok(args: list[str], cwd: Path) -> str:
    done = invoke(args, cwd)
    assert done.exit_code == 0, f"grader {' '.join(args)}:\n{done.output}"
    return done.output


def file_bytes(path: Path) -> int:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path.stat().st_size


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Course]:
    root = tmp_path_factory.mktemp("compact")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SECRET_ENV, SECRET)
        c = Course.create(root, ASSIGNMENT, numbered_roster(STUDENTS))
        for s in c.roster:
            c.folder_submission(s["id"], c.right(s["id"]), None)
        yield c


GRADE = ["grade", "assignment.yaml", "subs", "--key", "build", "--out", "res"]


def stored_equals_written(res: Path) -> dict[str, str]:
    """Each student's latest stored document, checked against the DIR/<student>.json file."""
    with Gradebook(res / "gradebook.sqlite") as book:
        latest = {s: st.json for s, st in book.latest("compact").items()}
    assert len(latest) == STUDENTS
    for sid, text in latest.items():
        assert (res / f"{sid}.json").read_text(encoding="utf-8") == text, sid
    return latest


def test_regrades_grow_little_and_compact_keeps_what_grading_wrote(course: Course) -> None:
    root, res = course.root, course.root / "res"
    ok(GRADE, root)
    first = file_bytes(res / "gradebook.sqlite")
    ok([*GRADE, "--force"], root)  # unchanged: byte-identical documents
    grown = (file_bytes(res / "gradebook.sqlite") - first) / STUDENTS
    assert grown < PER_REGRADE, f"an unchanged --force regrade added {grown:.0f} B per student"

    wrong = course.right("s0003")
    wrong["prob-bayes"]["posterior"] = 0.5
    (course.subs / course.folder("s0003") / "answers.yaml").write_text(yaml.safe_dump(wrong),
                                                                       encoding="utf-8")
    assert "changed: s0003" in ok(GRADE, root)
    ok([*GRADE, "--force"], root)
    before = stored_equals_written(res)
    csv = (res / "gradebook.csv").read_bytes()

    out = ok(["gradebook", "compact", "res", "--keep-runs", "1"], root)
    # runs 1, 2 and 4 recorded all 60, run 3 only s0003: 181 results, 60 kept; s0003's first
    # document (runs 1 and 2) is the one no kept result refers to
    assert "removed 121 results of older runs and 1 unreferenced document;" in out
    assert stored_equals_written(res) == before
    db = sqlite3.connect(res / "gradebook.sqlite")
    assert db.execute("SELECT COUNT(*) FROM student_results").fetchone()[0] == STUDENTS
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == STUDENTS
    assert db.execute("SELECT COUNT(DISTINCT run) FROM part_results").fetchone()[0] == 1
    db.close()

    assert "wrote 60 student reports" in ok(["report", "res"], root)
    ok(["export", "res", "--format", "csv", "--out", "again.csv"], root)
    assert (root / "again.csv").read_bytes() == csv
    assert "unchanged 60" in ok(GRADE, root)  # fingerprints kept: nothing regraded
    assert "removed 0 results of older runs and 0 unreferenced documents" in ok(
        ["gradebook", "compact", "res"], root)
