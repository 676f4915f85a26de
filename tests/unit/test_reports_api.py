"""render_reports / `grader report`: pages from result objects or from the stored JSON."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from grader.core.errors import UserError
from grader.outputs.reports import render_reports, report_command
from grader.app.sample import sample_class
from grader.core.values import to_json


@pytest.fixture
def graded(tmp_path: Path) -> tuple[Path, list, dict]:
    """A results folder as grading leaves it: one JSON per student and an export."""
    results, prompts = sample_class()
    for r in results:
        (tmp_path / f"{r.folder}.json").write_text(to_json(r.to_dict(), indent=1))
    (tmp_path / "results.json").write_text('{"score": 1, "tests": []}')  # Gradescope's
    return tmp_path, results, prompts


def _pages(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.html"))}


def test_render_then_rerender_from_stored_results_gives_same_pages(graded) -> None:
    folder, results, prompts = graded
    assignment = SimpleNamespace(id="demo-week-1", title="Demo week 1")
    written = render_reports(folder, results=results, assignment=assignment, prompts=prompts)
    assert sorted(p.name for p in written) == sorted([f"{r.folder}.html" for r in results]
                                                     + ["index.html"])
    first = _pages(folder)
    for page in folder.glob("*.html"):
        page.unlink()
    report_command(folder)  # no results, prompts or assignment given: all read back
    assert _pages(folder) == first
    assert "Demo week 1" in first["index.html"].decode()
    assert "<math" in first["s001.html"].decode()


def test_renders_without_prompts(graded) -> None:
    folder, _, _ = graded
    report_command(folder)
    page = (folder / "s001.html").read_text(encoding="utf-8")
    assert "Exercise 1:" in page and "<math" not in page


@pytest.mark.parametrize("content, message", [
    ("{not json", "s999.json: not valid JSON"),
    ('{"student_id": "x", "schema_version": 99}', "s999.json: result schema version 99"),
    ('{"student_id": "x", "schema_version": 1}', "s999.json: not a result this grader can read"),
])
def test_bad_result_file_names_the_file(graded, content: str, message: str) -> None:
    folder, _, _ = graded
    (folder / "s999.json").write_text(content)
    with pytest.raises(UserError, match=message):
        report_command(folder)


def test_empty_or_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no student results"):
        report_command(tmp_path)
    with pytest.raises(UserError, match="no such folder"):
        report_command(tmp_path / "nope")


def test_cli_report_command(graded) -> None:
    from grader.cli import cli

    folder, results, _ = graded
    out = CliRunner().invoke(cli, ["report", str(folder)])
    assert out.exit_code == 0, out.output
    assert f"wrote {len(results)} student reports" in out.output
    assert (folder / "index.html").exists()
    bad = CliRunner().invoke(cli, ["report", str(folder / "missing")])
    assert bad.exit_code == 2 and "no such folder" in bad.output


def test_unknown_submitters_pages_live_beside_their_results(graded) -> None:
    from grader.grading.results import StudentResult

    folder, _, _ = graded
    stranger = StudentResult("demo-week-1", "zz9", "Stranger", "", "zz9", "unknown_student",
                             0, 0, 42, messages=("zz9 is not on the roster.",))
    (folder / "unknown").mkdir()
    (folder / "unknown" / "zz9.json").write_text(to_json(stranger.to_dict()))
    written = report_command(folder)
    assert folder / "unknown" / "zz9.html" in written
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="unknown/zz9.html"' in index and "zz9 is not on the roster." in index
