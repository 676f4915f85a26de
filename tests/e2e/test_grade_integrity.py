"""Issue 16 end to end, through the CLI: no wrong grade with exit 0.

An empty or mistyped submissions folder never overwrites the results; a student whose work
disappeared is named; regenerating with another secret is refused, and a problem set from another
generate run is reported at grading; hand-made and OS-compressed zips are graded; the class mean
printed is the class report's.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import cli

SECRET = "integrity-e2e-secret-5c4b3a2f1e0d9c8b7a6f"
OTHER = "integrity-e2e-other-0a1b2c3d4e5f6a7b8c9d"
ASSIGNMENT = """\
id: week9
title: Week 9
exercises:
  - info-kl-divergence
  - la-matmul
reveal: always
"""
ROSTER = "id,name,email\nann,Ann,ann@x\nbob,Bob,bob@x\ncat,Cat,cat@x\n"


def cli_run(root: Path, *args: str, secret: str = SECRET):
    return CliRunner(env={"GRADER_SECRET": secret, "GITHUB_STEP_SUMMARY": None}).invoke(
        cli, list(args), catch_exceptions=False)


def grade(root: Path, subs: str = "subs", *extra: str):
    return cli_run(root, "grade", str(root / "week.yaml"), str(root / subs), "--out",
                   str(root / "results"), "--key", str(root / "build"), "--jobs", "1", *extra)


def right(root: Path, sid: str) -> bytes:
    key = json.loads((root / "build" / "key" / f"{sid}.json").read_text())
    return yaml.safe_dump({e["id"]: dict(e["answers"]) for e in key["exercises"]}).encode()


def hand_in(root: Path, sid: str) -> Path:
    target = root / "subs" / sid
    shutil.copytree(root / "build" / sid, target)
    (target / "answers.yaml").write_bytes(right(root, sid))
    return target


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def results(root: Path) -> dict[str, dict]:
    return {sid: json.loads((root / "results" / f"{sid}.json").read_text())
            for sid in ("ann", "bob", "cat")}


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "week.yaml").write_text(ASSIGNMENT)
    (tmp_path / "roster.csv").write_text(ROSTER)
    (tmp_path / "subs").mkdir()
    made = cli_run(tmp_path, "generate", "week.yaml", "--roster", "roster.csv", "--out", "build")
    assert made.exit_code == 0, made.output
    return tmp_path


def test_an_empty_or_mistyped_folder_never_overwrites_the_results(course: Path) -> None:
    hand_in(course, "ann")
    hand_in(course, "bob")
    assert grade(course).exit_code == 0
    before = (course / "results" / "gradebook.csv").read_bytes()
    (course / "empty").mkdir()
    for folder in ("empty", "build/key"):  # nothing there; the key folder is no submission
        res = grade(course, folder)
        assert res.exit_code == 2, res.output
        assert "no submission found" in res.stderr and "--allow-empty" in res.stderr
        assert "Traceback" not in res.output
    assert (course / "results" / "gradebook.csv").read_bytes() == before
    forced = grade(course, "empty", "--allow-empty")
    assert forced.exit_code == 0
    assert "warning: 2 student(s) graded in an earlier run have no submission now" in \
        forced.output


def test_a_vanished_submission_and_loose_files_are_warned_about(course: Path) -> None:
    hand_in(course, "ann")
    hand_in(course, "bob")
    first = grade(course)
    assert first.exit_code == 0, first.output
    shutil.rmtree(course / "subs" / "bob")
    (course / "subs" / "manifest.json").write_text("{}")
    again = grade(course)
    assert again.exit_code == 0
    assert ("warning: 1 student(s) graded in an earlier run have no submission now and are "
            "recorded as missing with 0 points: bob (was 8/8).") in again.output
    assert "ignored 1 file(s) that are not submissions (manifest.json)" in again.output
    assert "have no submission now" not in grade(course).output  # said once, when it happened


def test_another_secret_is_refused_and_old_problem_sets_are_reported(course: Path) -> None:
    hand_in(course, "ann")  # ann works on the first problem set
    refused = cli_run(course, "generate", "week.yaml", "--roster", "roster.csv", "--out", "build",
                      secret=OTHER)
    assert refused.exit_code == 2
    assert "the secret (env GRADER_SECRET) differs" in refused.stderr
    assert "--force" in refused.stderr and "(ann, bob, cat)" in refused.stderr
    forced = cli_run(course, "generate", "week.yaml", "--roster", "roster.csv", "--out", "build",
                     "--force", secret=OTHER)
    assert forced.exit_code == 0
    res = grade(course)
    assert res.exit_code == 0
    assert "warning: ann: the problem set handed in (ann/grader.json) is not the one in the key" \
        in res.output
    assert any("not the one the instructor's key holds for you" in m
               for m in results(course)["ann"]["messages"])


def test_an_exercise_added_after_generate_is_named_at_grading(course: Path) -> None:
    hand_in(course, "ann")
    (course / "week.yaml").write_text(ASSIGNMENT.replace("  - la-matmul\n",
                                                         "  - la-matmul\n  - la-rank\n"))
    res = grade(course)
    assert res.exit_code == 0
    assert "week.yaml lists exercise(s) la-rank that the problem sets in build/key do not hold" \
        in res.output


def test_hand_made_and_os_compressed_zips_are_graded(course: Path) -> None:
    meta = {sid: (course / "build" / sid / "grader.json").read_bytes() for sid in ("ann", "bob")}
    (course / "subs" / "ann.zip").write_bytes(zip_of({  # zip -r by hand: no manifest
        "answers.yaml": right(course, "ann"), "grader.json": meta["ann"]}))
    (course / "subs" / "bob.zip").write_bytes(zip_of({  # macOS "Compress bob"
        "bob/answers.yaml": right(course, "bob"), "bob/grader.json": meta["bob"],
        "bob/.DS_Store": b"\0", "__MACOSX/bob/._answers.yaml": b"\0"}))
    res = grade(course)
    assert res.exit_code == 0, res.output
    r = results(course)
    for sid in ("ann", "bob"):
        assert (r[sid]["status"], r[sid]["score"]) == ("graded", r[sid]["max_score"])
        assert any("has no manifest.json" in m for m in r[sid]["messages"])
    assert r["cat"]["status"] == "missing"


def test_the_printed_mean_is_the_class_reports(course: Path) -> None:
    hand_in(course, "ann")
    half = hand_in(course, "bob")
    (half / "answers.yaml").write_text("{}\n")  # bob hands in nothing right: 0%
    res = grade(course)
    assert "3 students, mean 50.0% over the 2 student(s) who handed in work (1 missing, not " \
           "counted)" in res.output
    page = (course / "results" / "index.html").read_text()
    assert re.search(r'<span class="label">Mean</span>\s*<span class="big">50%</span>', page)
    assert "over the 2 who handed in work; 1 missing, not counted" in page


def test_a_weak_secret_is_refused_with_the_command_to_make_one(tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "week.yaml").write_text(ASSIGNMENT)
    (tmp_path / "roster.csv").write_text(ROSTER)
    res = cli_run(tmp_path, "generate", "week.yaml", "--roster", "roster.csv", "--out", "build",
                  secret="abc")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.stderr.startswith("error: week.yaml: the secret is too weak")
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in res.stderr
    assert not (tmp_path / "build").exists()
