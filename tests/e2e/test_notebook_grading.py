"""Jupyter notebooks handed out by `generate --format notebook` and handed in: they must grade
exactly as the same answers written into answers.yaml and solution.py.

The folder form is the oracle here: each student's notebook is filled in by this test, and the
same answers go into an ordinary folder submission for a twin student with the same problem set
(one course, two submissions per student, graded in two runs).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import nbformat
import pytest
import yaml

from grader.app.fabricate import Course
from grader.app.grade import grade_assignment
from grader.course.generate import generate
from grader.grading.stored import load_results

SECRET_ENV = "GRADER_NB_SECRET"
ASSIGNMENT = f"""\
id: nbweek
title: Notebook week
secret: {{env: {SECRET_ENV}}}
exercises: [info-kl-divergence, impl-softmax]
reveal: always
sandbox: {{time_limit: 4, memory_mb: 512}}
"""
STUDENTS = ["right", "wrong", "hostile", "formula"]
STABLE = ("def softmax(z):\n    z = np.asarray(z, dtype=float)\n    e = np.exp(z - z.max())\n"
          "    return e / e.sum()\n")
WRONG_FN = "def softmax(z):\n    return list(z)\n"


def _answers(course: Course, sid: str, pwned: Path) -> tuple[dict[str, str], str, dict]:
    """(answer cell sources by part, function cell source, the same answers as answers.yaml)."""
    ex = course.exercise(sid, "info-kl-divergence")
    pq, qp = float(ex.answers["kl_pq"]), float(ex.answers["kl_qp"])
    if sid == "right":
        cells = {"kl_pq": f"kl_pq = {pq!r}", "kl_qp": f"# done\nkl_qp = {qp!r}"}
        return cells, STABLE, {"kl_pq": pq, "kl_qp": qp}
    if sid == "wrong":  # the directions swapped: a named mistake of the spec
        cells = {"kl_pq": f"kl_pq = {qp!r}", "kl_qp": f"kl_qp = {pq!r}"}
        return cells, WRONG_FN, {"kl_pq": qp, "kl_qp": pq}
    if sid == "formula":  # typed as a formula, the way answers.yaml allows
        cells = {"kl_pq": "kl_pq = 1/3", "kl_qp": "kl_qp = np.log(2) / 2"}
        return cells, STABLE, {"kl_pq": "1/3", "kl_qp": "log(2) / 2"}
    # hostile: code in tagged cells that would run if the grader executed the notebook
    attack = f"open({str(pwned)!r}, 'w').write('ran')"
    cells = {"kl_pq": f"{attack}\nkl_pq = __import__('os').system('touch {pwned}')",
             "kl_qp": f"kl_qp = {qp!r}\n{attack}"}
    fn = f"import os\nos.system('touch {pwned}-fn')\n{STABLE}"
    return cells, fn, {"kl_pq": f"__import__('os').system('touch {pwned}')", "kl_qp": qp}


def _fill(path: Path, cells: dict[str, str], fn: str, *, shuffle: bool = False) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        for pid, src in cells.items():
            if f"grader:answer:info-kl-divergence/{pid}" in tags:
                cell.source = src
        if "grader:function:impl-softmax/softmax" in tags:
            cell.source = fn
            cell.outputs = [nbformat.v4.new_output("stream", text="some output\n")]
            cell.execution_count = 3
    # untagged junk a student leaves about: it must change nothing
    nb.cells.insert(2, nbformat.v4.new_code_cell("kl_pq = 12345.0\nraise SystemExit"))
    nb.cells.append(nbformat.v4.new_code_cell("def softmax(z):\n    return 0\n"))
    if shuffle:
        random.Random(7).shuffle(nb.cells)
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("nb")
    os.environ[SECRET_ENV] = "3f9c1a7e5b2d8046" * 4
    roster = "id,name,email\n" + "".join(f"{s},{s.title()},{s}@x.org\n" for s in STUDENTS)
    course = Course.create(root, ASSIGNMENT, roster)
    generate(root / "assignment.yaml", root / "roster.csv", root / "nbbuild", form="notebook")
    pwned = root / "PWNED"
    nb_subs, lone = root / "nb-subs", root / "lone"
    nb_subs.mkdir()
    lone.mkdir()
    for sid in STUDENTS:
        cells, fn, answers = _answers(course, sid, pwned)
        # solution.py as a student would write it: the notebook's setup cell, then the function
        solution = "import math\n\nimport numpy as np\n\n" + fn.rstrip() + "\n"
        course.folder_submission(sid, {"info-kl-divergence": answers}, solution)
        folder = nb_subs / course.folder(sid)
        folder.mkdir()
        (folder / "grader.json").write_bytes(course.meta(sid))
        nb = folder / "problems.ipynb"
        nb.write_bytes((root / "nbbuild" / course.folder(sid) / "problems.ipynb").read_bytes())
        _fill(nb, cells, fn)
        alone = lone / f"nbweek-{course.folder(sid)}.ipynb"  # no grader.json beside it
        alone.write_bytes(nb.read_bytes())
        _fill(alone, {}, fn, shuffle=True)  # reordered; outputs kept: must not matter
    runs = {}
    for name, subs in (("yaml", course.subs), ("notebook", nb_subs), ("lone", lone)):
        grade_assignment(course.assignment, subs, root / f"out-{name}", key_dir=course.build,
                         jobs=2)
        runs[name] = {r.student_id: r for r in load_results(root / f"out-{name}")}
    return {"runs": runs, "root": root, "pwned": pwned, "course": course}


def _scores(result) -> list:
    return result.parts()  # every field: score, status, feedback, mistake, answer, cases


@pytest.mark.parametrize("form", ["notebook", "lone"])
@pytest.mark.parametrize("sid", STUDENTS)
def test_notebook_grades_as_answers_yaml(graded: dict, sid: str, form: str) -> None:
    folder, nb = graded["runs"]["yaml"][sid], graded["runs"][form][sid]
    assert nb.status == folder.status == "graded"
    assert _scores(nb) == _scores(folder)
    assert nb.score == folder.score


def test_right_scores_full_and_wrong_does_not(graded: dict) -> None:
    runs = graded["runs"]["notebook"]
    assert runs["right"].score == runs["right"].max_score == 14  # kl 2+2, softmax 10
    assert runs["formula"].score < 14
    wrong = {p.part_id: p for p in runs["wrong"].parts()}
    assert wrong["kl_pq"].score == 0 and wrong["kl_pq"].mistake
    assert wrong["softmax"].score == 0


def test_hostile_cells_never_ran_in_the_grader(graded: dict) -> None:
    assert not graded["pwned"].exists()  # the tagged answer cell was parsed, not run
    hostile = {p.part_id: p for p in graded["runs"]["notebook"]["hostile"].parts()}
    assert hostile["kl_pq"].score == 0
    assert hostile["kl_qp"].score == 2


def test_generated_notebooks_validate_and_carry_no_answers(graded: dict) -> None:
    course = graded["course"]
    for sid in STUDENTS:
        path = graded["root"] / "nbbuild" / course.folder(sid) / "problems.ipynb"
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        text = path.read_text(encoding="utf-8")
        for value in course.exercise(sid, "info-kl-divergence").answers.values():
            assert repr(float(value))[:8] not in text
        tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
        assert tags.count("grader:answer:info-kl-divergence/kl_pq") == 1
        assert "grader:function:impl-softmax/softmax" in tags and "grader:check" in tags
        assert nb.metadata["grader"]["student"]["id"] == sid
        assert "answers.yaml" not in os.listdir(path.parent)


def test_generate_notebook_is_byte_identical_on_rerun(graded: dict) -> None:
    root = graded["root"]
    before = {p: p.read_bytes() for p in (root / "nbbuild").rglob("*.ipynb")}
    generate(root / "assignment.yaml", root / "roster.csv", root / "nbbuild", form="notebook")
    assert {p: p.read_bytes() for p in (root / "nbbuild").rglob("*.ipynb")} == before


def test_duplicate_tag_counts_for_neither(tmp_path: Path) -> None:
    from grader.student.notebook import convert

    nb = nbformat.v4.new_notebook(metadata={"grader": {"exercises": [
        {"id": "e", "parts": [{"id": "a", "kind": "scalar"}, {"id": "b", "kind": "scalar"}]}]}})
    tag = {"tags": ["grader:answer:e/a"]}
    nb.cells = [nbformat.v4.new_code_cell("a = 1", metadata=tag),
                nbformat.v4.new_code_cell("a = 2", metadata=tag),
                nbformat.v4.new_code_cell("b = 3", metadata={"tags": ["grader:answer:e/b"]})]
    conv = convert(nbformat.writes(nb).encode(), "x.ipynb")
    assert yaml.safe_load(conv.files["answers.yaml"]) == {"e": {"b": 3}}
    assert any("2 cells are tagged grader:answer:e/a" in n for n in conv.notes)
    assert json.loads(conv.files["grader.json"])["exercises"][0]["id"] == "e"


def test_unreadable_notebook_is_a_note_not_a_crash() -> None:
    from grader.student.notebook import convert

    for data in (b"not json", b"[" * 100000, b'{"cells": 3, "nbformat": 4}', b"\xff\xfe"):
        conv = convert(data, "bad.ipynb")
        assert conv.files == {} and "not a readable Jupyter notebook" in conv.notes[0]



def test_check_reads_a_notebook_folder_and_a_notebook_file(graded: dict) -> None:
    from grader.student.check import check

    course, root = graded["course"], graded["root"]
    right = check(root / "nb-subs" / course.folder("right"), run_code=False)
    assert right.ready and right.answered == 2 and right.missing == 0
    hostile = check(root / "nb-subs" / course.folder("hostile") / "problems.ipynb",
                    run_code=False)
    assert hostile.errors == 1 and any("FORMAT" in line and "kl_pq" in line
                                       for line in hostile.lines)
    assert not graded["pwned"].exists()
    fresh = check(root / "nbbuild" / course.folder("right"), run_code=False)
    assert fresh.missing == 2 and fresh.answered == 0
    from grader.student.check import format_report

    assert "replace the None values in the tagged cells of problems.ipynb" in \
        format_report(fresh) and "answers.yaml" not in format_report(fresh)


def test_export_to_jupyter_is_generate_notebook(graded: dict) -> None:
    from click.testing import CliRunner

    from grader.cli import cli

    root = graded["root"]
    res = CliRunner().invoke(cli, ["export", str(root / "assignment.yaml"), "--to", "jupyter",
                                   "--roster", str(root / "roster.csv"), "--out",
                                   str(root / "viaexport")])
    assert res.exit_code == 0, res.output
    made = sorted(p.relative_to(root / "viaexport") for p in
                  (root / "viaexport").rglob("problems.ipynb"))
    assert len(made) == len(STUDENTS)
    for rel in made:
        assert (root / "viaexport" / rel).read_bytes() == (root / "nbbuild" / rel).read_bytes()


def test_submit_packs_what_the_notebook_stands_for(graded: dict, tmp_path: Path) -> None:
    import shutil

    from grader.student.check import submit

    course, root = graded["course"], graded["root"]
    folder = tmp_path / course.folder("right")
    shutil.copytree(root / "nb-subs" / course.folder("right"), folder)
    subs = tmp_path / "subs"
    subs.mkdir()
    archive = submit(folder, out=str(subs) + "/")
    grade_assignment(course.assignment, subs, tmp_path / "out", key_dir=course.build, jobs=1)
    result = next(r for r in load_results(tmp_path / "out") if r.student_id == "right")
    assert archive.parent == subs and result.status == "graded"
    assert result.score == result.max_score == 14


@pytest.mark.parametrize("source", [
    "x = " + "(" * 5000 + "1" + ")" * 5000,        # deeper than the parser goes
    "x = " + "[" * 3000 + "]" * 3000,             # deeper than literal_eval goes
    "x = 1" + "0" * 5000,                         # an int beyond str conversion limits
    "x = {1, 2}",                                  # a set: not an answer, kept as its text
    "import os\nos.system('rm -rf /')",            # no assignment: unanswered
    "x = [" + "1, " * 200000 + "1]",              # huge but flat
])
def test_hostile_answer_cells_are_values_or_text_never_run(source: str) -> None:
    from grader.student.notebook import answer_value

    value = answer_value(source)
    assert value is None or isinstance(value, (str, int, float, list))


def test_malformed_cells_and_tags_are_skipped() -> None:
    from grader.student.notebook import convert

    meta = {"exercises": [{"id": "e", "parts": [{"id": "a", "kind": "scalar"}]}]}
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"grader": meta}, "cells": [
        {"cell_type": "code", "metadata": {"tags": "grader:answer:e/a"}, "source": "a = 1"},
        {"cell_type": "code", "metadata": {"tags": [7, "grader:answer:e/a"]},
         "source": ["a = ", "3"]},
        {"cell_type": "markdown", "metadata": {"tags": ["grader:answer:e/a"]}, "source": "a=9"}]}
    conv = convert(json.dumps(nb).encode(), "x.ipynb")
    assert yaml.safe_load(conv.files["answers.yaml"]) == {"e": {"a": 3}}
    nb["cells"][1]["source"] = ["a = ", 2, "3"]  # not a notebook nbformat can read
    broken = convert(json.dumps(nb).encode(), "x.ipynb")
    assert broken.files == {} and "not a readable Jupyter notebook" in broken.notes[0]


def test_notebooks_over_an_earlier_folder_form_are_warned_about(graded: dict,
                                                                tmp_path: Path) -> None:
    import shutil

    root = graded["root"]
    shutil.copytree(root / "build", tmp_path / "build")
    result = generate(root / "assignment.yaml", root / "roster.csv", tmp_path / "build",
                      form="notebook")
    assert any("still hold answers.yaml" in n and "4 folder(s)" in n for n in result.notes)
    fresh = generate(root / "assignment.yaml", root / "roster.csv", tmp_path / "new",
                     form="notebook")
    assert not any("answers.yaml" in n for n in fresh.notes)
