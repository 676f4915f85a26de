"""Every `--to` target exports the demo course's assignment (the README's), and says what it
left out; twice in a row gives the same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.app.fabricate import DEMO_DATA
from grader.cli import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-export")
    for name in ("assignment.yaml", "roster.csv"):
        shutil.copy(DEMO_DATA / name, root / name)
    (root / "secret.txt").write_text("e3b0c44298fc1c149afbf4c8996fb924" * 2 + "\n")
    res = CliRunner().invoke(cli, ["generate", str(root / "assignment.yaml"), "--roster",
                                   str(root / "roster.csv"), "--out", str(root / "build")])
    assert res.exit_code == 0, res.output
    return root


@pytest.mark.parametrize("target, made", [
    ("moodle", "moodle-questions.xml"), ("canvas", "canvas-qti.zip"),
    ("prairielearn", "questions/demo-week-1/info-kl-divergence/server.py"),
    ("gradescope", "autograder.zip"), ("jupyter", "s001/problems.ipynb")])
def test_every_target_exports_the_demo(demo: Path, target: str, made: str) -> None:
    extra = {"gradescope": ["--key", str(demo / "build")],
             "jupyter": ["--roster", str(demo / "roster.csv")]}.get(target, ["--pool", "4"])
    args = ["export", str(demo / "assignment.yaml"), "--to", target, "--out",
            str(demo / target), *extra]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    before = (demo / target / made).read_bytes()
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and (demo / target / made).read_bytes() == before
    if target in ("moodle", "canvas", "prairielearn"):
        assert "impl-softmax" in first.output  # the function part is said to be left out
