"""`grader grade`'s count line tells missing students apart: "graded N, missing M, unchanged K",
each student in exactly one count, on the first run, on an unchanged rerun, after a late
hand-in and when merging shards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.app.fabricate import Course
from grader.cli import cli

SECRET_ENV = "GRADER_COUNTS_SECRET"
ASSIGNMENT = f"""\
id: counts
title: Counts
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence]
"""
ROSTER = ("id,name,email\nann,Ann,a@example.org\nbob,Bob,b@example.org\n"
          "cid,Cid,c@example.org\ndee,Dee,d@example.org\neve,Eve,e@example.org\n")


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Course:
    monkeypatch.setenv(SECRET_ENV, "counts-secret-0123456789abcdef")
    k = Course.create(tmp_path, ASSIGNMENT, ROSTER)
    for sid in ("ann", "bob", "cid"):  # dee and eve hand in nothing
        k.folder_submission(sid, k.right(sid), None)
    return k


def grade(k: Course, out: str = "res", *extra: str) -> list[str]:
    res = CliRunner().invoke(cli, ["grade", str(k.assignment), str(k.subs), "--out",
                                   str(k.root / out), "--key", str(k.build), *extra])
    assert res.exit_code == 0, res.output
    return [line for line in res.output.splitlines() if re.match(r"graded \d", line)]


def test_missing_students_are_not_counted_as_graded(course: Course) -> None:
    assert grade(course) == ["graded 3, missing 2, unchanged 0"]
    assert grade(course) == ["graded 0, missing 2, unchanged 3 (--force regrades them)"]
    course.folder_submission("dee", course.right("dee"), None)  # a late hand-in
    assert grade(course) == ["graded 1, missing 1, unchanged 3 (--force regrades them)"]
    assert grade(course, "res", "--force") == ["graded 4, missing 1, unchanged 0"]


def test_a_class_with_nobody_missing_says_nothing_about_missing(course: Course) -> None:
    for sid in ("dee", "eve"):
        course.folder_submission(sid, course.right(sid), None)
    assert grade(course) == ["graded 5, unchanged 0"]


def test_merged_shards_count_missing_students_once(course: Course) -> None:
    for k in (1, 2):
        grade(course, f"shard{k}", "--shard", f"{k}/2")
    res = CliRunner().invoke(cli, ["merge", str(course.root / "shard1"),
                                   str(course.root / "shard2"), "--out",
                                   str(course.root / "merged")])
    assert res.exit_code == 0, res.output
    assert [x for x in res.output.splitlines() if re.match(r"graded \d", x)] == [
        "graded 3, missing 2, unchanged 0"]
