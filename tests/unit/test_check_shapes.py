"""`grader check` says what is wrong with an answer's form for every kind, before grading would
score it 0: wrong number of steps, steps of the wrong length, a list for a count, nan."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.student.check import check
from grader.kinds.forms import expected_shape, number_problem, shape_problem
from grader.core.values import encode_json

SECRET = "check-shapes-secret-3c1d0e9f8a7b6c5d4e3f2a1b"
ASSIGNMENT = """\
id: shapes-week
title: Shapes week
exercises:
  - info-kl-divergence
  - opt-gradient-descent
  - ml-perceptron
  - la-eigenvalues
  - la-eigen-symmetric
  - la-rank
  - la-definiteness
  - la-matmul
  - prob-independence
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
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


@pytest.fixture(scope="module")
def key(built: Path) -> dict:
    answers = json.loads((built / "key" / "s001.json").read_text())
    return {ex["id"]: ex["answers"] for ex in answers["exercises"]}


def check_one(built: Path, tmp_path: Path, key: dict, label: str,
              change: Callable[[Any], Any]) -> str:
    """Fill answers.yaml from the key with one part changed; the check line of that part."""
    folder = Path(shutil.copytree(built / "s001", tmp_path / "s001"))
    doc = {ex: {p: encode_json(v) for p, v in parts.items()} for ex, parts in key.items()
           if parts}
    ex, part = label.split(".")
    doc[ex][part] = change(key[ex][part])
    (folder / "answers.yaml").write_text(json.dumps(doc), encoding="utf-8")
    report = check(folder, run_code=False)
    others = [ln for ln in report.lines if f" {label}:" not in ln]
    assert all(ln.strip().startswith("ok") for ln in others), others
    (line,) = [ln for ln in report.lines if f" {label}:" in ln]
    return line.strip()


NAN = float("nan")
TABLE = [
    # the right answer is readable for every kind
    ("opt-gradient-descent.iterates", lambda v: v, "ok"),
    ("ml-perceptron.updates", lambda v: v, "ok"),
    # sequences: the number of steps, their length, nested junk, nan
    ("opt-gradient-descent.iterates", lambda v: v + [v[-1]],
     "SHAPE expected {n} steps of 2 numbers each, got {more} steps"),
    ("opt-gradient-descent.iterates", lambda v: v[:1],
     "SHAPE expected {n} steps of 2 numbers each, got 1 step"),
    ("opt-gradient-descent.iterates", lambda v: [v[0], v[1] + [0.5], *v[2:]],
     "SHAPE expected {n} steps of 2 numbers each, got 3 numbers in step 2"),
    ("opt-gradient-descent.iterates", lambda v: [v[0], [v[1], v[1]], *v[2:]],
     "SHAPE expected {n} steps of 2 numbers each, got a 2×2 matrix (2 rows of 2) in step 2"),
    ("opt-gradient-descent.iterates", lambda v: [*v[:-1], 0.5],
     "SHAPE expected {n} steps of 2 numbers each, got one number in step {n}"),
    ("opt-gradient-descent.iterates", lambda v: [v[0], [v[1][0], "nan"], *v[2:]],
     "FORMAT step 2, entry 2: not a finite number (nan)"),
    ("ml-perceptron.updates", lambda v: [{**v[0], "w": [1, 2, 3]}] + v[1:],
     "SHAPE step 1: w: expected a vector of 2 numbers, got a vector of 3 numbers"),
    ("ml-perceptron.updates", lambda v: [{**v[0], "b": "nan"}] + v[1:],
     "FORMAT step 1, b: not a finite number (nan)"),
    # scalars, vectors, matrices, sets, directions
    ("info-kl-divergence.kl_pq", lambda v: "nan", "FORMAT not a finite number (nan)"),
    ("info-kl-divergence.kl_pq", lambda v: "inf", "ok"),  # a divergence may be infinite
    ("info-kl-divergence.kl_pq", lambda v: [v, v], "SHAPE expected a single number, got a "
                                                   "vector of 2 numbers"),
    ("ml-perceptron.w", lambda v: v + [1], "SHAPE expected a vector of 2 numbers, got a vector "
                                           "of 3 numbers"),
    ("ml-perceptron.w", lambda v: [v[0], "nan"], "FORMAT entry 2: not a finite number (nan)"),
    ("la-matmul.C", lambda v: v[:1], "SHAPE expected a {rows}×{cols} matrix ({rows} rows of "
                                     "{cols}), got a 1×{cols} matrix (1 row of {cols})"),
    ("la-matmul.C", lambda v: [v[0], [v[1][0], "nan", *v[1][2:]], *v[2:]],
     "FORMAT row 2, column 2: not a finite number (nan)"),
    ("la-eigenvalues.eigenvalues", lambda v: v[:2], "SHAPE expected 3 numbers (in any order), "
                                                    "got 2 numbers (in any order)"),
    ("la-eigenvalues.eigenvalues", lambda v: ["nan", 1, 2], "FORMAT entry 1: not a finite "
                                                            "number (nan)"),
    ("la-eigen-symmetric.eigenvectors", lambda v: v[0], "SHAPE expected a 2×2 matrix (2 rows "
                                                        "of 2), got a vector of 2 numbers"),
    ("la-eigen-symmetric.eigenvectors", lambda v: [[1, "inf"], [0, 1]],
     "FORMAT row 1, column 2: not a finite number (inf)"),  # a direction is never infinite
    # exact kinds
    ("la-rank.rank", lambda v: [v, v], "SHAPE expected a single whole number, got a vector of "
                                       "2 numbers"),
    ("la-rank.rank", lambda v: 1.5, "FORMAT expected a whole number, got 1.5"),
    ("la-rank.rank", lambda v: "inf", "FORMAT not a finite number (inf)"),
    ("la-rank.rank", lambda v: "nan", "FORMAT not a finite number (nan)"),
    ("prob-independence.independent", lambda v: "maybe", "FORMAT expected true or false (yes/no "
                                                         "also work), got 'maybe'"),
    ("la-definiteness.definiteness", lambda v: "wobbly", "FORMAT 'wobbly' is not one of the "
                                                          "choices"),
    ("la-matmul.shape", lambda v: [2, "x"], "FORMAT a shape is a list of whole numbers >= 0"),
    ("la-matmul.shape", lambda v: [2, 3, 4], "ok"),  # its length is the answer: not checked
]


@pytest.mark.parametrize(("label", "change", "said"), TABLE,
                         ids=[f"{row[0]}-{i}" for i, row in enumerate(TABLE)])
def test_check_reports_the_form_of_every_kind(built: Path, tmp_path: Path, key: dict,
                                              label: str, change: Callable[[Any], Any],
                                              said: str) -> None:
    line = check_one(built, tmp_path, key, label, change)
    status, _, message = line.partition(f" {label}: ")
    steps = len(key["opt-gradient-descent"]["iterates"])  # 2 or 3, depending on the variant
    rows, cols = len(key["la-matmul"]["C"]), len(key["la-matmul"]["C"][0])
    said = said.format(n=steps, more=steps + 1, rows=rows, cols=cols)
    assert " ".join([status.strip(), message]).startswith(said), line


def test_the_perceptrons_number_of_updates_is_never_told(built: Path, tmp_path: Path,
                                                         key: dict) -> None:
    """n_updates is an answer: check must not say how many update steps there are."""
    line = check_one(built, tmp_path, key, "ml-perceptron.updates", lambda v: v[:-1])
    assert line.startswith("ok"), line
    meta = json.loads((built / "s001" / "grader.json").read_text())
    part = next(p for e in meta["exercises"] for p in e["parts"] if p["id"] == "updates")
    assert part["shape"] is None and part["fields"] == {"b": [], "point": [], "w": [2]}


def test_forms_directly() -> None:
    assert expected_shape("sequence", [[1.0, 2.0], [3.0, 4.0]]) == [2, 2]
    assert expected_shape("sequence", [1.0, 2.0, 3.0]) == [3]
    assert expected_shape("bool", True) is None and expected_shape("integer", 3) == []
    assert shape_problem("sequence", [1.0], [3]) == "expected 3 steps, got 1 step"
    assert shape_problem("sequence", [1.0, 2.0], []) is None  # a damaged grader.json
    assert number_problem("scalar", float("-inf")) is None
    assert number_problem("direction", [1.0, float("-inf")]) == \
        "entry 2: not a finite number (-inf)"
    assert number_problem("sequence", [1.0, NAN]) == "step 2: not a finite number (nan)"
