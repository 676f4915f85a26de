"""The demo's closing lines: every next step it suggests runs as printed."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.app.demo import DEMO_DATA, NEXT_STEPS, DemoResult, describe

ROOT = Path(__file__).resolve().parents[2]


def closing_lines() -> str:
    course = Path("demo-course")
    result = DemoResult(course, course / "problem-sets", course / "submissions",
                        course / "results", 12)
    return describe(result).split("Next, for a course of your own:", 1)[1]


def test_the_demo_ends_with_what_to_do_next() -> None:
    text = closing_lines()
    for needle in ("grader list", "grader preview info-kl-divergence --seed 1", "docs/spec.md",
                   "grader generate week1.yaml --roster roster.csv --out build/",
                   "secret: {env: GRADER_SECRET}"):
        assert needle in text, needle
    assert all(len(line) <= 100 for line in text.splitlines())


def test_the_docs_it_names_exist() -> None:
    for name in re.findall(r"docs/[\w.-]+\.md", closing_lines()):
        assert (ROOT / name).is_file(), name


@pytest.mark.parametrize("command", [c for c, _ in NEXT_STEPS if c.startswith("grader ")])
def test_each_suggested_command_runs(command: str, tmp_path: Path) -> None:
    # The course the closing lines describe: the demo's assignment with a secret of one's own,
    # the demo's roster, and a spec of one's own in my-specs/.
    doc = yaml.safe_load((DEMO_DATA / "assignment.yaml").read_text(encoding="utf-8"))
    doc["secret"] = {"env": "GRADER_SECRET"}
    (tmp_path / "week1.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    (tmp_path / "roster.csv").write_bytes((DEMO_DATA / "roster.csv").read_bytes())
    spec = yaml.safe_load(next((ROOT / "grader" / "exercises").rglob("info-kl-divergence.yaml"))
                          .read_text(encoding="utf-8"))
    spec["id"] = "my-kl"
    (tmp_path / "my-specs").mkdir()
    (tmp_path / "my-specs" / "my-kl.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    env = {**os.environ, "GRADER_SECRET": "a-secret-of-ones-own-0123456789abcdef"}
    args = shlex.split(command)[1:]
    proc = subprocess.run([sys.executable, "-m", "grader", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
