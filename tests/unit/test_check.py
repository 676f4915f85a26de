"""`grader check` and `grader submit` as a library: form and shape only, never the answers."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from grader.student.check import check, format_report, shape_problem, submit
from grader.core.errors import UserError
from grader.core.values import encode_json
from grader.student.documents import MetaExercise

ROOT = Path(__file__).resolve().parents[2]
SECRET = "check-test-secret-5f0c2b9e8a7d6c4b3a2f1e0d"
ASSIGNMENT = """\
id: check-week
title: Check week
exercises:
  - info-kl-divergence
  - la-eigen-symmetric
  - opt-gradient-descent
  - impl-softmax
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    from grader.course.generate import generate

    root = tmp_path_factory.mktemp("course")
    (root / "week.yaml").write_text(ASSIGNMENT)
    (root / "roster.csv").write_text("id,name,email\ns001,Ada,ada@example.edu\n")
    os.environ["GRADER_SECRET"] = SECRET
    try:
        generate(root / "week.yaml", root / "roster.csv", root / "out")
    finally:
        del os.environ["GRADER_SECRET"]
    return root / "out"


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built / "s001", tmp_path / "s001"))


@pytest.fixture
def key(built: Path) -> dict:
    return json.loads((built / "key" / "s001.json").read_text())


def answers_from(key: dict, change=None) -> str:
    """answers.yaml filled from the key (JSON is YAML), optionally changed part by part."""
    doc = {}
    for ex in key["exercises"]:
        if ex["answers"]:
            doc[ex["id"]] = {p: encode_json(change(ex["id"], p, v) if change else v)
                             for p, v in ex["answers"].items()}
    return json.dumps(doc, indent=2)


def fill(folder: Path, text: str) -> None:
    (folder / "answers.yaml").write_text(text, encoding="utf-8")


def lines(report) -> list[str]:
    return [ln.split(":")[0].split() for ln in report.lines]  # [status, label]


def test_an_untouched_problem_set_lists_every_part_as_missing(folder: Path) -> None:
    report = check(folder, run_code=False)
    assert lines(report) == [
        ["missing", "info-kl-divergence.kl_pq"], ["missing", "info-kl-divergence.kl_qp"],
        ["missing", "la-eigen-symmetric.eigenvalues"],
        ["missing", "la-eigen-symmetric.eigenvectors"],
        ["missing", "opt-gradient-descent.iterates"],
        ["missing", "opt-gradient-descent.final_value"]]
    assert (report.missing, report.answered, report.errors, report.ready) == (6, 0, 0, True)
    assert format_report(report).endswith(
        "Nothing answered yet: replace the nulls in answers.yaml with your answers, then run "
        "grader check again.")


def test_right_and_wrong_answers_get_the_same_report(folder: Path, key: dict) -> None:
    fill(folder, answers_from(key))
    right = format_report(check(folder, run_code=False))
    fill(folder, answers_from(key, lambda ex, part, v: json.loads(
        json.dumps(v).replace("1", "7").replace("2", "9"))))
    wrong = format_report(check(folder, run_code=False))
    assert right == wrong  # check cannot tell them apart: it never sees the answers
    assert "correct" not in right.lower()
    assert "not whether they are right" in right
    assert right.count(" ok ") == 6


def test_the_report_never_shows_a_reference_value(folder: Path, key: dict) -> None:
    fill(folder, "# nothing yet\n")
    text = format_report(check(folder, run_code=False))
    fill(folder, answers_from(key, lambda ex, part, v: [0, 0] if part == "eigenvalues" else 0.5))
    text += format_report(check(folder, run_code=False))  # wrong answers: still no hint
    for ex in key["exercises"]:
        for value in ex["answers"].values():
            for number in json.dumps(value).replace("[", " ").replace("]", " ").split(","):
                number = number.strip()
                if len(number) > 4:
                    assert number not in text


def test_a_format_error_and_a_wrong_shape_must_be_fixed(folder: Path, key: dict) -> None:
    def change(ex: str, part: str, value):
        if part == "kl_pq":
            return "about a half"
        if part == "eigenvalues":
            return [1, 2, 3]
        return value

    fill(folder, answers_from(key, change))
    report = check(folder, run_code=False)
    assert "  FORMAT   info-kl-divergence.kl_pq: could not read 'about a half' as a number: " \
           "invalid syntax" in report.lines
    assert ("  SHAPE    la-eigen-symmetric.eigenvalues: expected a vector of 2 numbers, "
            "got a vector of 3 numbers") \
        in report.lines
    assert (report.errors, report.ready) == (2, False)
    assert format_report(report).endswith("2 problem(s) to fix before you submit.")


@pytest.mark.parametrize("text,message", [
    ("info-kl-divergense:\n  kl_pq: 1\n",
     ("answers.yaml: unknown exercise 'info-kl-divergense'; this problem set has: "
     "info-kl-divergence, la-eigen-symmetric, opt-gradient-descent, impl-softmax")),
    ("info-kl-divergence:\n  kl_pqq: 1\n",
     "answers.yaml: info-kl-divergence: unknown part 'kl_pqq'; the parts are: kl_pq, kl_qp"),
    ("la-eigen-symmetric: 5\n",
     "answers.yaml: la-eigen-symmetric: expected a mapping of part ids to answers"),
    ("la-eigen-symmetric: 0\n",
     "answers.yaml: la-eigen-symmetric: expected a mapping of part ids to answers"),
    ("info-kl-divergence:\n  kl_pq: [1\n",
     ("answers.yaml:3:1: invalid YAML: expected ',' or ']', but got '<stream end>' (while "
     "parsing a flow sequence that started at line 2)\nFix the YAML in answers.yaml (a stray "
     "tab or a missing space after ':' is the usual cause).")),
])
def test_unreadable_answers_are_a_user_error(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                             text: str, message: str) -> None:
    fill(folder, text)
    monkeypatch.chdir(folder)
    with pytest.raises(UserError) as info:
        check(Path("."), run_code=False)
    assert str(info.value) == message


def test_missing_files_are_reported(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "solution.py").unlink()
    report = check(folder, run_code=False)
    assert "  MISSING  impl-softmax: softmax: solution.py not found" in report.lines
    assert not report.ready
    (folder / "answers.yaml").unlink()
    monkeypatch.chdir(folder)
    with pytest.raises(UserError) as info:
        check(Path("."), run_code=False)
    assert str(info.value) == "answers.yaml: not found; it came with your problem set"


def test_shape_problem() -> None:
    assert shape_problem([1.0, 2.0], [2], "vector") is None
    assert shape_problem([[1.0, 2.0]], [2, 1], "matrix") == \
        "expected a 2×1 matrix (2 rows of 1), got a 1×2 matrix (1 row of 2)"
    assert shape_problem([[1.0], [2.0, 3.0]], [2, 2], "matrix") == \
        "expected a rectangular list of numbers"
    assert shape_problem(3.0, None, "scalar") is None
    assert shape_problem(3.0, [], "scalar") is None
    assert shape_problem([1.0, 2.0], [], "scalar") == \
        "expected a single number, got a vector of 2 numbers"


# ---------------------------------------------------------------- the public examples


def sandbox_available() -> bool:
    try:
        import grader.sandbox  # noqa: F401
    except ImportError:
        return False
    return True


needs_sandbox = pytest.mark.skipif(not sandbox_available(),
                                   reason="grader.sandbox is not importable yet")


@needs_sandbox
def test_public_examples_run_and_hidden_cases_do_not(folder: Path, key: dict) -> None:
    shutil.copy(ROOT / "grader" / "demo" / "solution_right.py", folder / "solution.py")
    fill(folder, answers_from(key))
    report = check(folder)
    ran = [ln for ln in report.lines if ln.strip().startswith(("passed", "DIFFERS", "ERROR"))]
    cases = next(ex for ex in key["exercises"] if ex["id"] == "impl-softmax")["cases"]
    public = [c for c in cases if c["visibility"] == "public"]
    assert len(ran) == len(public) == 2
    assert ran[0].startswith("  passed   softmax([1, 2, 3]) -> [0.0900305")
    assert ran[1] == "  passed   softmax([0, 0]) -> [0.5, 0.5]"
    text = format_report(report)
    for c in cases:
        if c["visibility"] == "hidden" and c["id"].startswith("random-"):
            assert json.dumps(c["args"][0]) not in text
    assert "hidden" not in text and "correct" not in text.lower()
    # "passed" only ever speaks of the two public examples, never of typed answers or hidden cases
    said = [ln for ln in text.splitlines() if "passed" in ln.lower()]
    assert len(said) == 2 and all(ln.startswith("  passed   softmax(") for ln in said)


@needs_sandbox
def test_a_broken_solution_is_shown_with_its_error(folder: Path) -> None:
    (folder / "solution.py").write_text("def softmax(z):\n    return 1 / 0\n")
    report = check(folder)
    errors = [ln for ln in report.lines if "ERROR" in ln]
    assert len(errors) == 2
    assert "ZeroDivisionError" in errors[0]


# ---------------------------------------------------------------- submit


def test_submit_refuses_work_with_problems_and_writes_nothing(folder: Path, key: dict) -> None:
    fill(folder, answers_from(key, lambda ex, part, v: "??" if part == "kl_qp" else v))
    with pytest.raises(UserError, match=r"1 problem\(s\) to fix before submitting \(see above\); "
                                        r"nothing was written"):
        submit(folder, out=folder.parent / "work.zip")
    assert sorted(p.name for p in folder.parent.iterdir()) == ["s001"]


@needs_sandbox
def test_submit_writes_beside_the_folder_by_default(folder: Path, key: dict) -> None:
    from grader.student.submission import read_archive

    fill(folder, answers_from(key))
    echoed: list[str] = []
    target = submit(folder, echo=echoed.append)
    assert target == folder.parent / "check-week-s001.zip"
    assert any("ok" in line for line in echoed)
    sub = read_archive(target)
    assert sub.problems == ()
    assert sub.manifest.student == "s001" and sub.manifest.assignment == "check-week"
    with zipfile.ZipFile(target) as zf:
        assert "problems.html" not in zf.namelist()
    handin = folder.parent / "handin"
    handin.mkdir()  # `--out` naming a folder puts the archive in it
    assert submit(folder, out=handin) == handin / "check-week-s001.zip"
    assert read_archive(handin / "check-week-s001.zip").files == sub.files


def test_a_solution_that_does_not_import_is_not_ready(tmp_path) -> None:
    """A syntax error in solution.py would score zero on every case: check says so, exit 2."""
    pytest.importorskip("grader.sandbox")
    from grader.student.check import _check_function
    from grader.student.submission import CheckReport

    (tmp_path / "solution.py").write_text("def softmax(z)\n    return z\n", encoding="utf-8")
    entry = {"function": {"name": "softmax", "signature": "softmax(z)", "returns": "vector",
                          "time_limit": 2.0, "public": [{"id": "public-1", "args": [[1, 2]],
                                                         "kwargs": {}}]}}
    report = CheckReport(tmp_path)
    _check_function(tmp_path, MetaExercise("impl-softmax", ()), entry, report, run_code=True)
    assert report.errors == 1
    assert not report.ready
    assert any("does not import" in line and "SyntaxError" in line for line in report.lines)


def test_failing_public_examples_are_summed_up_not_blocking(tmp_path: Path) -> None:
    from grader.student.submission import CheckReport

    error = "  ERROR    softmax([1, 2, 3]): NotImplementedError: not written yet"
    untouched = CheckReport(tmp_path, lines=["  missing  a.b: no answer yet", error], missing=1)
    assert format_report(untouched).endswith(
        "Nothing answered yet: replace the nulls in answers.yaml with your answers and write "
        "your functions in solution.py, then run grader check again.")
    done = CheckReport(tmp_path, lines=["  ok       a.b: readable, right form", error],
                       answered=1)
    assert done.ready and format_report(done).splitlines()[-2:] == [
        "Ready to submit: 1 answer(s) readable. This checked the form of your answers only, "
        "not whether they are right.",
        "1 public example(s) did not run through (ERROR above); a case that raises or runs out "
        "of time earns nothing when graded."]
    only_code = CheckReport(tmp_path, lines=["  ran      f([1]) -> 1"])
    assert format_report(only_code).endswith(
        "Ready to submit: solution.py imports. This checked the form of your answers only, not "
        "whether they are right.")


def test_check_in_the_folder_of_every_problem_set_points_into_one(built: Path) -> None:
    with pytest.raises(UserError) as info:
        check(built, run_code=False)
    assert str(info.value).endswith(
        "\nThis folder holds problem sets (s001): go into yours first, e.g. `cd s001`.")
    with pytest.raises(UserError) as info:
        check(built / "key", run_code=False)  # no problem set below: the plain message
    assert "This folder holds" not in str(info.value)


def test_public_examples_are_checked_against_their_expected_values(tmp_path) -> None:
    """Public cases are the same for everyone and shown: check says passed or DIFFERS."""
    pytest.importorskip("grader.sandbox")
    from grader.student.check import _check_function
    from grader.student.submission import CheckReport

    (tmp_path / "solution.py").write_text(
        "def softmax(z):\n    return [1 / len(z)] * len(z)\n", encoding="utf-8")
    # softmax([1, 2]) = [1/(1+e), e/(1+e)] = [0.2689..., 0.7310...]; softmax([0, 0]) = [0.5, 0.5]
    entry = {"function": {
        "name": "softmax", "signature": "softmax(z)", "returns": "vector", "time_limit": 2.0,
        "tolerance": {"rtol": 1e-6, "atol": 1e-9},
        "public": [{"id": "public-1", "args": [[1, 2]], "kwargs": {},
                    "expected": [0.2689414213699951, 0.7310585786300049]},
                   {"id": "public-2", "args": [[0, 0]], "kwargs": {}, "expected": [0.5, 0.5]}]}}
    report = CheckReport(tmp_path)
    _check_function(tmp_path, MetaExercise("impl-softmax", ()), entry, report, run_code=True)
    assert report.lines == [
        "  DIFFERS  softmax([1, 2]) -> [0.5, 0.5], expected [0.2689414213699951, "
        "0.7310585786300049]",
        "  passed   softmax([0, 0]) -> [0.5, 0.5]"]
    assert report.ready  # a wrong value is graded, not a reason to refuse submitting
    assert "1 public example(s) returned a different value" in format_report(report)


def test_public_examples_are_skipped_where_the_sandbox_cannot_run(tmp_path, monkeypatch) -> None:
    """On a laptop without Linux's process tools the check still works, and says so."""
    import grader.student.check as C

    def no_sandbox(source: bytes, fn: dict) -> tuple[list[str], bool]:
        raise ImportError("No module named 'resource'")  # what Windows would say

    monkeypatch.setattr(C, "_run_public_examples", no_sandbox)
    lines, imported = C.run_public_examples(b"def f(x):\n    return x\n", {"name": "f"})
    assert imported
    assert lines[0].startswith("SKIPPED  f: the public examples cannot run on this computer (")
    assert lines[0].endswith("ImportError); they run when your work is graded")
