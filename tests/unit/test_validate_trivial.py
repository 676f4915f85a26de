"""`grader validate` flags answers a student could give without working (issue 14), and the
library's bp-sigmoid-gate and prob-uniform no longer have such variants."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from grader.authoring.spec import find_exercise, load_exercise
from grader.authoring.validate import check_exercise
from grader.authoring.variant import make_variant
from grader.core.seeding import make_rng

SPEC = """\
id: trivial
title: A spec with one part
topic: probability
params:
  a: {{integers: {{low: 1, high: 6}}}}
prompt: "Let $a = {{{{ a }}}}$."
parts:
  - id: p
    kind: {kind}
    solution: "{solution}"
    tolerance: {{rtol: 0.01, atol: {atol}}}
"""


def problems(tmp_path: Path, solution: str, *, kind: str = "scalar", atol: str = "1.0e-6",
             samples: int = 60) -> list[str]:
    path = tmp_path / "trivial.yaml"
    path.write_text(SPEC.format(solution=solution, kind=kind, atol=atol))
    return check_exercise(load_exercise(path), samples=samples).problems


def test_a_probability_that_is_often_exactly_one_is_flagged(tmp_path: Path) -> None:
    # min(a, 3) / 3 is 1 for a = 3..6: two thirds of the variants.
    (problem,) = problems(tmp_path, "min(a, 3) / 3")
    assert problem.startswith("p: the answer is exactly 1 in ")
    assert "without working" in problem and "where:" in problem


def test_zero_in_every_variant_or_outside_zero_one_is_not_flagged(tmp_path: Path) -> None:
    assert problems(tmp_path, "a - a") == []  # the exercise's point (zero covariance)
    assert problems(tmp_path, "1e-17 * a") == []  # 0 in every variant, up to rounding
    assert problems(tmp_path, "min(a, 3) - 2") == []  # -1, 0, 1: not a probability


def test_an_answer_within_its_tolerance_of_zero_is_flagged(tmp_path: Path) -> None:
    (problem,) = problems(tmp_path, "[a * 1e-4, 2e-4]", kind="vector", atol="1.0e-3")
    assert problem.startswith("p: in 60 of 60 variants the answer (largest entry 0.0006) is "
                              "within its tolerance of 0, so typing 0 earns the marks")
    assert problems(tmp_path, "[a * 1e-4, 2]", kind="vector", atol="1.0e-3") == []
    assert problems(tmp_path, "[[1, 1e-17], [0, 1]]", kind="matrix") == []  # QᵀQ, rounded


def sigmoid_slope(dot: float) -> float:
    s = 1 / (1 + math.exp(-dot))
    return s * (1 - s)


@pytest.mark.parametrize("seed", range(0, 400, 4))
def test_the_sigmoid_gate_stays_unsaturated(seed: int) -> None:
    v = make_variant(find_exercise("bp-sigmoid-gate"), make_rng(seed))
    w, x = v.params["w"], v.params["x"]
    slope = sigmoid_slope(w[0] * x[0] + w[1] * x[1] + w[2])
    # Every gradient is an integer (nonzero, so at least 1 in size) times the slope.
    assert slope > 0.04, (w, x)


@pytest.mark.parametrize("seed", range(0, 400, 4))
def test_the_uniform_probability_is_never_zero_or_one(seed: int) -> None:
    p = make_variant(find_exercise("prob-uniform"), make_rng(seed)).params
    overlap = min(p["d"], p["b"]) - max(p["c"], p["a"])
    assert 0 < overlap < p["b"] - p["a"], p
