"""`grader generate --key-only`: the key alone, for grading solution.py files the instructor
already has (issue 15). The key must be the one a full generate writes, byte for byte; reruns
and a later full generate into the same folder must agree with it; `--only STUDENT` writes one
student's folder on demand; bad combinations are refused with exit 2 and nothing written."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli

SECRET = "key-only-secret-5e4d3c2b1a0f9e8d7c6b"
OTHER = "key-only-other-secret-a1b2c3d4e5f60718"
ASSIGNMENT = """\
id: ko-week
title: Key only
exercises:
  - impl-softmax
  - impl-entropy
  - info-kl-divergence
  - {pick: 1, topic: probability}
"""
FUNCTIONS = """\
id: ko-fn
title: Functions only
exercises: [impl-softmax, impl-entropy]
"""
ROSTER = "id,name,email\nann,Ann,ann@example.edu\nbob,Bob,bob@example.edu\nZoë K,Zoë,z@x.org\n"
# Written here from the definitions (not from grader's solvers): a stable softmax, and the
# entropy in a given base with 0 log 0 = 0.
RIGHT = """\
import math
import numpy as np

def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()

def entropy(p, base=math.e):
    p = np.asarray(p, dtype=float)
    nz = p[p > 0]
    return float(-(nz * np.log(nz)).sum() / math.log(base))
"""
WRONG = "def softmax(z):\n    return z\n"  # and no entropy at all


def invoke(cwd: Path, *args: str, secret: str = SECRET):
    old = Path.cwd()
    os.chdir(cwd)  # messages name files as typed
    try:
        return CliRunner(env={"GRADER_SECRET": secret, "GITHUB_STEP_SUMMARY": None}).invoke(
            cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def generate(cwd: Path, out: str, *extra: str, secret: str = SECRET,
             assignment: str = "week.yaml"):
    return invoke(cwd, "generate", assignment, "--roster", "roster.csv", "--out", out, *extra,
                  secret=secret)


def tree(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def under(files: dict[str, bytes], prefix: str) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if k.startswith(prefix)}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    (tmp_path / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (tmp_path / "fn.yaml").write_text(FUNCTIONS, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def test_the_key_only_key_is_byte_identical_to_a_full_generates(course: Path) -> None:
    full = generate(course, "full")
    only = generate(course, "keys", "--key-only")
    assert full.exit_code == 0 and only.exit_code == 0, only.output
    full_key, keys = under(tree(course / "full"), "key/"), tree(course / "keys")
    assert set(keys) == set(full_key)  # nothing but key/ is written
    assert keys == full_key
    # what grading reads: the roster and one key document per student, and the pages
    assert {"key/roster.json", "key/index.html", "key/ann.json", "key/ann.html"} <= set(keys)
    assert len([k for k in keys if k.endswith(".json")]) == 4  # 3 students + roster
    assert only.output.startswith("no problem-set folder written (8 files written, 0 unchanged)"
                                  "; instructor key for 3 student(s) in keys/key/")
    assert "keep it from students" in only.output


def test_reruns_and_a_later_full_generate_agree_with_the_key(course: Path) -> None:
    assert generate(course, "out", "--key-only").exit_code == 0
    first = tree(course / "out")
    again = generate(course, "out", "--key-only")
    assert again.exit_code == 0 and "(0 files written, 8 unchanged)" in again.output
    assert tree(course / "out") == first
    full = generate(course, "out")  # the folders are wanted after all: added, key untouched
    assert full.exit_code == 0, full.output
    assert "(15 files written, 8 unchanged)" in full.output  # 5 files a student
    assert "warning" not in full.output
    assert generate(course, "fresh").exit_code == 0
    assert tree(course / "out") == tree(course / "fresh")
    assert under(tree(course / "out"), "key/") == first


def test_key_only_leaves_student_folders_in_out_as_they_are(course: Path) -> None:
    assert generate(course, "out").exit_code == 0
    (course / "out" / "ann" / "answers.yaml").write_text("edited by hand\n")
    before = tree(course / "out")
    res = generate(course, "out", "--key-only")
    assert res.exit_code == 0 and "(0 files written, 8 unchanged)" in res.output
    assert tree(course / "out") == before  # the edited answers.yaml too


def test_force_key_only_refuses_to_leave_stale_folders_but_may_rekey_a_bare_key(
        course: Path) -> None:
    assert generate(course, "out").exit_code == 0
    before = tree(course / "out")
    stale = generate(course, "out", "--key-only", "--force", secret=OTHER)
    assert stale.exit_code == 2 and "Traceback" not in stale.output
    assert stale.stderr.startswith(
        "error: out: --force would change the variants of 3 student(s) whose problem-set "
        "folders are in out (ann, bob, Zoë K)")
    assert "Run without --key-only" in stale.stderr
    assert tree(course / "out") == before
    assert generate(course, "bare", "--key-only").exit_code == 0
    refused = generate(course, "bare", "--key-only", secret=OTHER)
    assert refused.exit_code == 2 and "the secret (env GRADER_SECRET) differs" in refused.stderr
    rekeyed = generate(course, "bare", "--key-only", "--force", secret=OTHER)
    assert rekeyed.exit_code == 0, rekeyed.output
    assert "warning: --force: the variants of 3 student(s) changed" in rekeyed.output
    assert generate(course, "other", secret=OTHER).exit_code == 0
    assert tree(course / "bare") == under(tree(course / "other"), "key/")


def test_only_writes_one_students_folder_and_the_whole_key(course: Path) -> None:
    assert generate(course, "full").exit_code == 0
    res = generate(course, "one", "--only", "bob")
    assert res.exit_code == 0, res.output
    assert res.output.startswith("1 problem set(s) in one/")
    assert tree(course / "one") == {k: v for k, v in tree(course / "full").items()
                                    if k.startswith(("key/", "bob/"))}
    by_id = generate(course, "one", "--only", "Zoë K")  # an id that is not a folder name
    assert by_id.exit_code == 0
    zoe = {p.name for p in (course / "full").iterdir()} - {"ann", "bob", "key"}
    assert {p.name for p in (course / "one").iterdir()} == {"bob", "key", *zoe}
    assert under(tree(course / "one"), "key/") == under(tree(course / "full"), "key/")


@pytest.mark.parametrize(("extra", "roster", "message"), [
    (["--key-only", "--format", "notebook"], "roster.csv",
     "error: --key-only writes no problem sets, so --format notebook has nothing to shape"),
    (["--key-only", "--format", "folder"], "roster.csv",
     "error: --key-only writes no problem sets, so --format folder has nothing to shape"),
    (["--key-only", "--only", "ann"], "roster.csv",
     "error: --key-only writes no problem-set folder and --only writes some"),
    (["--only", "nobody"], "roster.csv",
     "error: roster.csv: no student nobody on the roster"),
    (["--key-only"], "missing.csv", "error: missing.csv: no such roster file"),
])
def test_bad_combinations_and_inputs_exit_2_and_write_nothing(
        course: Path, extra: list[str], roster: str, message: str) -> None:
    res = invoke(course, "generate", "week.yaml", "--roster", roster, "--out", "out", *extra)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert message in res.stderr
    assert not (course / "out").exists()


def test_solution_files_graded_with_a_key_only_key_as_with_a_full_key(course: Path) -> None:
    """The issue's workflow: solution.py files collected elsewhere, a key-only generate, grade.
    Loose files in the submissions folder are named in a warning, not graded."""
    subs = course / "subs"
    for sid, code in (("ann", RIGHT), ("bob", WRONG)):
        (subs / sid).mkdir(parents=True)
        (subs / sid / "solution.py").write_text(code, encoding="utf-8")
    (subs / "manifest.json").write_text("{}")
    (subs / "grades.csv").write_text("id,score\nann,1\n")
    totals = {}
    for how in ("key-only", "full"):
        assert generate(course, how, "--key-only" if how == "key-only" else "--force",
                        assignment="fn.yaml").exit_code == 0
        res = invoke(course, "grade", "fn.yaml", "subs", "--key", how, "--out", f"res-{how}",
                     "--jobs", "1")
        assert res.exit_code == 0, res.output
        assert ("warning: subs: ignored 2 file(s) that are not submissions (grades.csv, "
                "manifest.json)") in res.output
        with (course / f"res-{how}" / "gradebook.csv").open(encoding="utf-8") as fh:
            totals[how] = {r["SIS User ID"]: r["ko-fn total"] for r in csv.DictReader(fh)}
    # Two function exercises of 10 points: right code gets both, wrong code neither, no code 0
    assert totals["key-only"] == {"ann": "20", "bob": "0", "Zoë K": "0"}
    assert totals["full"] == totals["key-only"]


def test_every_combination_of_the_folder_options_exits_0_or_2_as_documented(
        course: Path) -> None:
    """--key-only takes neither --only nor --format; --only takes roster students only;
    everything else runs. Never a traceback, and a refused run writes nothing."""
    import itertools

    assert generate(course, "ref", assignment="fn.yaml").exit_code == 0
    everyone = {p.name for p in (course / "ref").iterdir()}  # key/ and three student folders
    assert len(everyone) == 4
    for n, (key_only, only, form, force) in enumerate(itertools.product(
            (False, True), (None, "ann", "nobody"), (None, "folder", "notebook"),
            (False, True))):
        extra = (["--key-only"] if key_only else []) + (["--only", only] if only else []) \
            + (["--format", form] if form else []) + (["--force"] if force else [])
        res = generate(course, f"o{n}", *extra, assignment="fn.yaml")
        refused = (key_only and (only is not None or form is not None)) or only == "nobody"
        assert res.exit_code == (2 if refused else 0), (extra, res.output)
        assert "Traceback" not in res.output
        written = {p.name for p in (course / f"o{n}").glob("*")}
        if refused:
            assert written == set(), extra
        elif key_only:
            assert written == {"key"}, extra
        else:
            assert written == ({"key", "ann"} if only else everyone), extra
