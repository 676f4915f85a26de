"""`grader export DIR --format NAME`: the exports of a grading run, from its stored results.

The same registry of renderers serves `grader grade --NAME` and `grader export`, so an export
made later from the results folder must be the run's own bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.app.demo import run_demo
from grader.app.grade import grade_assignment
from grader.cli import cli
from grader.outputs.formats import FORMATS


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export")
    demo = run_demo(root / "course", grade=False)
    out = root / "results"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GITHUB_STEP_SUMMARY", raising=False)
        grade_assignment(root / "course" / "assignment.yaml", demo.submissions, out,
                         key_dir=demo.problem_sets, jobs=2,
                         exports_to={"junit": out / "junit.xml", "gradescope": out / "gs.json"})
    return out


@pytest.mark.parametrize("name, written", [("csv", "gradebook.csv"), ("junit", "junit.xml")])
def test_a_later_export_is_the_runs_own_bytes(graded: Path, tmp_path: Path, name: str,
                                              written: str) -> None:
    target = tmp_path / f"again-{written}"
    res = CliRunner().invoke(cli, ["export", str(graded), "--format", name, "--out", str(target)])
    assert res.exit_code == 0, res.output
    assert res.output == f"wrote {target}\n"
    assert target.read_bytes() == (graded / written).read_bytes()


def test_gradescope_from_stored_results_writes_one_file_per_student(graded: Path,
                                                                     tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["export", str(graded), "--format", "gradescope", "--out",
                                   str(tmp_path / "gs.json")])
    assert res.exit_code == 0, res.output
    mine = sorted(p.name for p in tmp_path.glob("gs-*.json"))
    runs = sorted(p.name for p in graded.glob("gs-*.json"))
    assert mine == runs and len(mine) > 1
    for name in mine:
        assert (tmp_path / name).read_bytes() == (graded / name).read_bytes()
        assert "score" in json.loads((tmp_path / name).read_text(encoding="utf-8"))


def test_a_summary_exported_later_lists_every_student(graded: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["export", str(graded), "--format", "summary", "--out",
                                   str(tmp_path / "s.md"), "--fail-under", "50"])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "s.md").read_text(encoding="utf-8")
    students = [p.stem for p in graded.glob("s0*.json")]
    assert students and all(f"({sid})" in text for sid in students)
    assert "Threshold 50%" in text


def test_every_registered_format_is_an_option_of_grade_and_a_choice_of_export() -> None:
    grade = next(c for c in cli.commands.values() if c.name == "grade")
    options = {o for p in grade.params for o in getattr(p, "opts", [])}
    names = {"csv", "junit", "gradescope", "summary"}  # the formats docs/results.md lists
    assert {f"--{name}" for name in names} <= options
    export = cli.commands["export"]
    choice = next(p for p in export.params if p.name == "name")
    assert set(choice.type.choices) == names == set(FORMATS)


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["export", str(tmp_path / "nope"), "--format", "csv"])
    assert missing.exit_code == 2 and "no such folder" in missing.output
    assert not (tmp_path / "nope").exists()
    empty = CliRunner().invoke(cli, ["export", str(tmp_path), "--format", "csv"])
    assert empty.exit_code == 2 and "no student results" in empty.output
    unknown = CliRunner().invoke(cli, ["export", str(tmp_path), "--format", "pdf"])
    assert unknown.exit_code == 2 and "pdf" in unknown.output


def test_a_nan_threshold_is_refused(graded: Path, tmp_path: Path) -> None:
    # click's FloatRange lets nan through: every comparison with it is false
    res = CliRunner().invoke(cli, ["export", str(graded), "--format", "summary", "--out",
                                   str(tmp_path / "s.md"), "--fail-under", "nan"])
    assert res.exit_code == 2 and "not nan" in res.output
    assert not (tmp_path / "s.md").exists()


def test_an_out_path_whose_folder_cannot_exist_is_a_usage_error(graded: Path) -> None:
    res = CliRunner().invoke(cli, ["export", str(graded), "--format", "csv", "--out",
                                   "/proc/no-such-folder/x.csv"])
    assert res.exit_code == 2, res.output
    assert "no such file or folder" in res.output
