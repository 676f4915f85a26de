"""How precise an answer must be is told to the student before grading (issue 14): per part in
problems.md, problems.html and answers.yaml, and in vector and matrix feedback as for scalars."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from grader.core.model import PartSpec, Tolerance
from grader.course.generate import generate
from grader.kinds import KINDS, grade_raw

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = """\
id: week
title: Week
exercises: [info-kl-divergence, ml-perceptron, impl-softmax]
"""
# Read from the spec files, not through grader: info-kl-divergence's parts have
# {rtol: 0.02, atol: 5.0e-4}; 2% is met by 3 significant figures (a rounding error of at most
# 0.5 in the third figure is 5% of 1/10 of the leading one). ml-perceptron's vectors and
# scalars {rtol: 1.0e-6, atol: 1.0e-6} need 7; n_updates is an integer: exact.
KL = "within 2% relative (0.0005 absolute near 0): give at least 3 significant figures"
PERCEPTRON = "within 0.0001% relative (1e-06 absolute near 0): give at least 7 significant figures"
EXPECTED = {("info-kl-divergence", "kl_pq"): KL, ("info-kl-divergence", "kl_qp"): KL,
            ("ml-perceptron", "updates"): PERCEPTRON, ("ml-perceptron", "w"): PERCEPTRON,
            ("ml-perceptron", "b"): PERCEPTRON, ("ml-perceptron", "n_updates"): "exact"}


def spec_tolerance(exercise_id: str, part_id: str) -> dict:
    path = next((ROOT / "grader" / "exercises").rglob(f"{exercise_id}.yaml"))
    parts = yaml.safe_load(path.read_text(encoding="utf-8"))["parts"]
    return next(p for p in parts if p["id"] == part_id).get("tolerance", {})


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    (root / "week.yaml").write_text(ASSIGNMENT)
    (root / "roster.csv").write_text("id,name,email\ns001,Ada,ada@example.edu\n")
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADER_SECRET", "unit-test-secret-0123456789abcdef")
    try:
        generate(root / "week.yaml", root / "roster.csv", root / "out")
    finally:
        mp.undo()
    return root / "out" / "s001"


def test_the_expected_texts_follow_the_spec_files() -> None:
    assert spec_tolerance("info-kl-divergence", "kl_pq") == {"rtol": 0.02, "atol": 5.0e-4}
    assert spec_tolerance("ml-perceptron", "w") == {"rtol": 1.0e-6, "atol": 1.0e-6}


def test_answers_yaml_says_how_precise_each_part_must_be(folder: Path) -> None:
    text = (folder / "answers.yaml").read_text(encoding="utf-8")
    for (_, part), precision in EXPECTED.items():
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(f"{part}: null"))
        assert line.endswith(f"; {precision}"), line


def test_problems_md_and_html_say_it_under_every_part(folder: Path) -> None:
    md = (folder / "problems.md").read_text(encoding="utf-8")
    html = (folder / "problems.html").read_text(encoding="utf-8")
    for (exercise, part), precision in EXPECTED.items():
        section = md.split(f"### `{part}`", 1)[1].split("###", 1)[0]
        assert f"Precision: {precision}." in section, (exercise, part)
        block = html.split(f'id="{exercise}-{part}"', 1)[1].split('class="part"', 1)[0]
        assert f"Precision: {precision}." in block, (exercise, part)
    softmax = md.split("### `softmax`", 1)[1]
    assert "Precision: results within 0.0001% relative (1e-09 absolute near 0)" in softmax


@pytest.mark.parametrize("kind, expected, wrong", [
    ("scalar", 2.0, 2.5),
    ("vector", [1.0, 2.0], [1.0, 2.5]),
    ("matrix", [[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.5]]),
    ("set", [1.0, 2.0], [1.0, 2.5]),
])
def test_feedback_gives_the_same_precision_hint_for_every_numeric_kind(kind, expected, wrong):
    part = PartSpec(id="p", kind=kind, prompt="", solution=None, points=1.0,
                    tolerance=Tolerance(rtol=1e-3, atol=1e-9))
    ref = KINDS[kind].normalise_reference(expected, part)
    verdict = grade_raw(kind, wrong, ref, part)
    assert verdict.status == "wrong"
    assert re.search(r"Give at least 4 significant figures\.$", verdict.feedback), verdict.feedback
