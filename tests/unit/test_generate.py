"""`grader generate` as a library: per-student sets, points scaling, the key, the student files,
byte-identical reruns and atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from grader.core.errors import UserError
from grader.course.generate import GenerateResult, generate, plan_student
from grader.course.roster import Student

ROOT = Path(__file__).resolve().parents[2]
SECRET = "unit-test-secret-0123456789abcdef"

ASSIGNMENT = """\
id: unit-week
title: "Unit week"
exercises:
  - info-kl-divergence
  - {id: la-eigen-symmetric, points: 10}
  - {pick: 1, topic: probability, points: 4}
  - impl-softmax
"""
ROSTER = "id,name,email\ns001,Ada Lovelace,ada@example.edu\n李雷,李雷,lilei@example.edu\n" \
         "S002,Alan Turing,alan@example.edu\n"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRADER_SECRET", SECRET)
    (tmp_path / "week.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def run(course: Path, out: str = "out") -> GenerateResult:
    return generate(course / "week.yaml", course / "roster.csv", course / out)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def spec_part_points(exercise_id: str) -> dict[str, float]:
    """Part points straight from the spec file, not through grader's loader."""
    path = next((ROOT / "grader" / "exercises").rglob(f"{exercise_id}.yaml"))
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {p["id"]: float(p.get("points", 1)) for p in spec["parts"]}


# ---------------------------------------------------------------- what is written


def test_every_student_gets_a_folder_and_the_instructor_a_key(course: Path) -> None:
    result = run(course)
    out = course / "out"
    folders = {json.loads(p.read_text())["student"]["folder"]
               for p in (out / "key").glob("*.json") if p.name != "roster.json"}
    keys = sorted(p.name for p in (out / "key").iterdir())
    assert len(keys) == 3 * 2 + 2  # a key and a key page per student, index.html, roster.json
    assert {"index.html", "roster.json", "s001.json", "s001.html"} <= set(keys)
    students = [p for p in out.iterdir() if p.is_dir() and p.name != "key"]
    assert len(students) == 3
    for folder in students:
        assert sorted(p.name for p in folder.iterdir()) == [
            "answers.yaml", "grader.json", "problems.html", "problems.md", "solution.py"]
    assert result.students == 3
    assert result.written == 3 * 5 + 3 * 2 + 2 and result.unchanged == 0
    assert folders == {p.name for p in students}
    assert "s001" in folders and "S002" not in folders  # unsafe ids get slug folders


def test_answers_yaml_has_every_typed_part_null_with_a_comment(course: Path) -> None:
    run(course)
    key = json.loads((course / "out" / "key" / "s001.json").read_text())
    text = (course / "out" / "s001" / "answers.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    typed = {ex["id"]: set(ex["answers"]) for ex in key["exercises"] if ex["answers"]}
    assert {k: set(v) for k, v in data.items()} == typed
    assert all(v is None for parts in data.values() for v in parts.values())
    for parts in typed.values():
        for part in parts:
            line = next(ln for ln in text.splitlines() if ln.strip().startswith(f"{part}:"))
            assert line.split("#", 1)[1].strip(), line  # a comment on the expected form
    assert "eigenvalues: null  # a vector of 2 numbers" in text
    assert "softmax" not in data  # function parts are answered in solution.py


def test_solution_py_has_a_stub_per_function_and_only_when_there_are_functions(
        course: Path) -> None:
    run(course)
    source = (course / "out" / "s001" / "solution.py").read_text(encoding="utf-8")
    namespace: dict = {}
    exec(compile(source, "solution.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="softmax is not written yet"):
        namespace["softmax"]([1, 2, 3])
    (course / "week.yaml").write_text(ASSIGNMENT.replace("  - impl-softmax\n", ""))
    run(course, "out2")
    assert not (course / "out2" / "s001" / "solution.py").exists()


def test_points_are_scaled_keeping_the_parts_proportions(course: Path) -> None:
    run(course)
    key = json.loads((course / "out" / "key" / "s001.json").read_text())
    by_id = {ex["id"]: ex for ex in key["exercises"]}
    eig = by_id["la-eigen-symmetric"]
    spec = spec_part_points("la-eigen-symmetric")
    assert spec == {"eigenvalues": 2, "eigenvectors": 3}
    assert eig["points"] == 10
    assert eig["part_points"] == pytest.approx({"eigenvalues": 4.0, "eigenvectors": 6.0})
    # An exercise listed without points keeps its spec's points, part by part.
    assert by_id["info-kl-divergence"]["part_points"] == spec_part_points("info-kl-divergence")
    picked = [ex for ex in key["exercises"] if ex["id"].startswith("prob-")]
    assert len(picked) == 1 and picked[0]["points"] == 4
    raw = spec_part_points(picked[0]["id"])
    assert picked[0]["part_points"] == pytest.approx(
        {k: v * 4 / sum(raw.values()) for k, v in raw.items()})
    assert key["points"] == pytest.approx(4 + 10 + 4 + 10)
    meta = json.loads((course / "out" / "s001" / "grader.json").read_text())
    assert {e["id"]: [p["points"] for p in e["parts"]] for e in meta["exercises"]}[
        "la-eigen-symmetric"] == pytest.approx([4.0, 6.0])
    # The instructor key shows the same scaled points as the problem set, not the spec's.
    index = (course / "out" / "key" / "s001.html").read_text(encoding="utf-8")
    assert "eigenvalues <span class=\"meta\">(vector, 4 pts)</span>" in index
    assert "eigenvectors <span class=\"meta\">(direction, 6 pts)</span>" in index


def test_the_key_holds_parameters_answers_and_every_case(course: Path) -> None:
    from grader.course.roster import folder_name
    from grader.authoring.spec import find_exercise
    from grader.core.values import to_json
    from grader.authoring.variant import solve

    run(course)
    key = json.loads((course / "out" / "key" / f"{folder_name('S002')}.json").read_text())
    assert key["assignment"] == "unit-week"
    assert key["student"]["id"] == "S002"
    for ex in key["exercises"]:
        if ex["answers"]:  # the stored answers are what the solver gives for the stored params
            recomputed = json.loads(to_json(solve(find_exercise(ex["id"]), ex["params"])))
            assert recomputed == ex["answers"]
    cases = next(ex for ex in key["exercises"] if ex["id"] == "impl-softmax")["cases"]
    assert {c["visibility"] for c in cases} == {"public", "hidden"}
    assert any(c["id"].startswith("random-") for c in cases)


def test_plan_student_is_pure_and_personal(course: Path) -> None:
    from grader.course.assignment import load_assignment
    from grader.course.generate import load_library_for

    a = load_assignment(course / "week.yaml")
    library = load_library_for(a)
    ada = Student("s001", "Ada", "a@x", "s001")
    one = plan_student(a, ada, SECRET.encode(), library)
    again = plan_student(a, ada, SECRET.encode(), library)
    assert [(p.exercise.id, p.seed, p.variant.params) for p in one.exercises] == \
        [(p.exercise.id, p.seed, p.variant.params) for p in again.exercises]
    others = [plan_student(a, Student(f"s{n}", "", "", f"s{n}"), SECRET.encode(), library)
              for n in range(8)]
    eig = [next(p.variant.params for p in s.exercises if p.exercise.id == "la-eigen-symmetric")
           for s in others]
    assert len({json.dumps(p, sort_keys=True) for p in eig}) > 1  # not everyone's matrix alike
    other_secret = plan_student(a, ada, b"a-different-secret", library)
    assert [p.seed for p in other_secret.exercises] != [p.seed for p in one.exercises]


# ---------------------------------------------------------------- reruns and interruptions


def test_a_rerun_writes_nothing_new(course: Path) -> None:
    first = run(course)
    before = {p: p.stat().st_mtime_ns for p in (course / "out").rglob("*") if p.is_file()}
    second = run(course)
    assert (second.written, second.unchanged) == (0, first.written)
    after = {p: p.stat().st_mtime_ns for p in (course / "out").rglob("*") if p.is_file()}
    assert after == before


def test_two_runs_into_two_folders_give_identical_trees(course: Path) -> None:
    run(course, "a")
    run(course, "b")
    a, b = tree(course / "a"), tree(course / "b")
    assert a.keys() == b.keys() and len(a) == 23
    assert [k for k in a if a[k] != b[k]] == []


def test_an_edited_file_is_rewritten_and_only_it(course: Path) -> None:
    run(course)
    target = course / "out" / "s001" / "problems.md"
    good = target.read_bytes()
    target.write_bytes(b"scribbled over")
    result = run(course)
    assert (result.written, target.read_bytes()) == (1, good)


@pytest.mark.parametrize(("where", "call"), [("fsync", 7), ("replace", 7), ("replace", 30)])
def test_an_interrupted_run_leaves_no_half_written_file(course: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        where: str, call: int) -> None:
    """Call 7 falls among the second student's files, while the run stages them: nothing in
    the output changes. Call 30 falls while staged files are moved in (23 files staged, one
    replace each): the files moved are complete, the rest are not there."""
    import os

    run(course, "reference")
    reference = tree(course / "reference")
    calls = {"n": 0}
    real = getattr(os, where)

    def interrupt(*args: object) -> object:
        calls["n"] += 1
        if calls["n"] == call:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(os, where, interrupt)
    with pytest.raises(KeyboardInterrupt):
        run(course)
    monkeypatch.setattr(os, where, real)
    written = tree(course / "out") if (course / "out").exists() else {}
    if call < 23:
        assert written == {}  # staged, never moved in
    else:
        assert 0 < len(written) < len(reference)
    left = [p for p in course.rglob("*") if p.name.endswith(".tmp") or ".grader-generate-"
            in p.name]
    assert left == []
    assert [p for p in written if written[p] != reference[p]] == []  # each one complete
    # Running again finishes the job.
    result = run(course)
    assert tree(course / "out") == reference
    assert result.unchanged == len(written)


def test_a_missing_library_folder_is_a_user_error(course: Path) -> None:
    (course / "week.yaml").write_text(ASSIGNMENT + "library: [my-specs]\n")
    with pytest.raises(UserError, match=r"library folder .*my-specs does not exist"):
        run(course)
    assert not (course / "out").exists()


def test_problem_sets_show_public_examples_with_their_results(tmp_path: Path) -> None:
    """The public examples of a function exercise appear with their expected results, which
    are softmax's values worked out here by hand: e^k / (e + e^2 + e^3)."""
    import math

    from grader.app.demo import run_demo

    demo = run_demo(tmp_path / "c", grade=False)
    text = (demo.problem_sets / "s001" / "problems.md").read_text(encoding="utf-8")
    total = math.e + math.e ** 2 + math.e ** 3
    first = f"{math.e / total:.6f}"
    assert "- `softmax([1, 2, 3])` → `[" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("- `softmax([1, 2, 3])`"))
    assert line.split("`[")[1].startswith(first[:7])
    assert "- `softmax([0, 0])` → `[0.5, 0.5]`" in text


def test_problems_md_gives_the_deadline_in_words_with_its_offset(tmp_path: Path) -> None:
    # The demo's due is 2026-11-30T23:59:00+00:00, a Monday (a calendar says so).
    from grader.app.demo import run_demo

    demo = run_demo(tmp_path / "c", grade=False)
    head = (demo.problem_sets / "s001" / "problems.md").read_text(encoding="utf-8")[:400]
    assert "due Mon 30 Nov 2026, 23:59 (UTC)" in head
    assert "2026-11-30 23:59" not in head
