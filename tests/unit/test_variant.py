"""Variants: drawing under constraints, answers, mistakes, follow-through steps, determinism."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.core.seeding import make_rng
from grader.authoring.spec import load_exercise
from grader.core.values import to_json
from grader.authoring.variant import (
    draw_params,
    evaluate_mistakes,
    grade_context,
    make_variant,
    solve,
)

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD = ROOT / "tests" / "fixtures" / "specs" / "good"

SMALL = """\
id: small
title: A small spec
topic: calculus
max_resample: {budget}
params:
  a: {{integers: {{low: 1, high: 5}}}}
where: {where}
prompt: "Let $a = {{{{ a }}}}$."
parts:
  - id: p
    kind: scalar
    solution: {solution}
    mistakes:
      - name: doubled
        answer: {mistake}
        feedback: You doubled it.
"""


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write small.yaml (in a fresh working directory) from SMALL and load it."""
    monkeypatch.chdir(tmp_path)

    def make(*, where: str = "[]", solution: str = "a * a", mistake: str = "a + 100",
             budget: int = 200):
        Path("small.yaml").write_text(SMALL.format(where=where, solution=solution,
                                                   mistake=mistake, budget=budget))
        return load_exercise("small.yaml")
    return make


def basics():
    return load_exercise(GOOD / "fx-basics.yaml")


# ---------------------------------------------------------------- drawing


def test_constraints_hold_in_every_draw() -> None:
    ex = basics()
    for seed in range(60):
        p = draw_params(ex, make_rng(seed))
        assert 1 <= p["a"] <= 9 and p["a"] + 1 <= p["b"] <= 12
        assert p["b"] - p["a"] >= 2  # where[0]
        assert sum(p["v"]) != 0 and all(x != 0 and -3 <= x <= 3 for x in p["v"])
        assert p["unit"] in ("nats", "bits") and p["_half"] == p["a"] / 2
        assert p["c"] == [[1, 2], [3, 4]]


def test_given_parameters_are_not_drawn() -> None:
    ex = basics()
    for seed in range(20):
        p = draw_params(ex, make_rng(seed), given={"a": 3, "v": [1, 1, 1]})
        assert p["a"] == 3 and p["v"] == [1, 1, 1] and p["b"] >= 5 and p["_half"] == 1.5


def test_unknown_given_parameter(small) -> None:
    with pytest.raises(UserError) as info:
        draw_params(small(), make_rng(0), given={"z": 1})
    assert str(info.value) == "small.yaml: unknown parameter 'z'; the parameters are: a"


def test_unsatisfiable_constraint_names_the_one_failing_most(small) -> None:
    ex = small(where='["a > 3", "a > 10"]', budget=40)
    with pytest.raises(UserError) as info:
        make_variant(ex, make_rng(0))
    assert str(info.value) == "small.yaml: could not satisfy where[1] 'a > 10' in 40 draws"


def test_constraint_that_cannot_be_evaluated(small) -> None:
    ex = small(where='["1 / (a - a) > 0"]', budget=5)
    with pytest.raises(UserError) as info:
        draw_params(ex, make_rng(0))
    assert str(info.value) == ("small.yaml: could not satisfy where[0] '1 / (a - a) > 0' in 5 "
                               "draws (last error: division by zero)")


def test_given_parameters_breaking_a_constraint_fail_at_once(small) -> None:
    ex = small(where='["a > 3"]')
    with pytest.raises(UserError) as info:
        draw_params(ex, make_rng(0), given={"a": 1})
    assert str(info.value) == "small.yaml: the given parameters do not satisfy where[0] 'a > 3'"


def test_given_parameters_breaking_a_constraint_are_blamed_while_others_are_random(
        small) -> None:
    """Issue 14: with X and y given (and _pts still random) the perceptron said "in 200 draws"."""
    small(budget=50)
    text = Path("small.yaml").read_text().replace("where: []", 'where: ["k * a > 3"]').replace(
        "params:\n", "params:\n  k: {const: {value: 1}}\n  r: {integers: {low: 0, high: 9}}\n")
    Path("small.yaml").write_text(text)
    with pytest.raises(UserError) as info:
        draw_params(load_exercise("small.yaml"), make_rng(0), given={"a": 1})
    assert str(info.value) == ("small.yaml: the given parameters do not satisfy "
                               "where[0] 'k * a > 3'")


def test_non_separable_points_are_blamed_not_draws() -> None:
    from grader.authoring.spec import find_exercise

    X, y = [[0, 0], [1, 1], [1, 0], [0, 1]], [1, 1, -1, -1]  # XOR: not separable
    exercise = find_exercise("ml-perceptron")
    with pytest.raises(UserError) as info:
        draw_params(exercise, make_rng(0), given={"X": X, "y": y})
    message = str(info.value)
    assert "the given parameters do not satisfy" in message and "draws" not in message
    assert "linearly separable" in message
    # grader solve skips constraints over given (and constant) parameters: the solver says why.
    params = draw_params(exercise, make_rng(0), given={"X": X, "y": y}, check_given=False)
    with pytest.raises(UserError, match="linearly separable") as info:
        solve(exercise, params)
    assert "draws" not in str(info.value)


def test_a_failing_draw_names_the_parameter(small, tmp_path: Path) -> None:
    small()
    text = Path("small.yaml").read_text().replace("{low: 1, high: 5}",
                                                   '{low: 1, high: 5}}\n  b: {integers: '
                                                   '{low: "=1 / (a - a)", high: 5}')
    Path("small.yaml").write_text(text)
    with pytest.raises(UserError, match=r"^small\.yaml: params\.b: .*division by zero"):
        draw_params(load_exercise("small.yaml"), make_rng(0))


# ---------------------------------------------------------------- mistakes that coincide


def test_variants_where_a_mistake_equals_the_answer_are_redrawn(small) -> None:
    ex = small(solution="a * a", mistake="2 * a")  # equal exactly when a = 2
    drawn = {draw_params(ex, make_rng(seed))["a"] for seed in range(40)}
    assert 2 in drawn  # the constraints alone allow a = 2 ...
    kept = {make_variant(ex, make_rng(seed)).params["a"] for seed in range(40)}
    assert 2 not in kept and kept <= {1, 3, 4, 5}  # ... the mistake check does not


def test_a_mistake_that_always_equals_the_answer(small) -> None:
    ex = small(solution="2 * a", mistake="a + a", budget=20)
    with pytest.raises(UserError) as info:
        make_variant(ex, make_rng(0))
    assert str(info.value) == (
        "small.yaml: mistake 'doubled' of part 'p' equals the answer in 20 of 20 draws; no "
        "variant drawn where every listed mistake differs from the answer")


def test_mistake_and_constraint_share_one_budget(small) -> None:
    ex = small(where='["a != 1"]', solution="a * a", mistake="a", budget=3)
    # a in 1..5; a = 1 breaks the constraint (and would make the mistake equal the answer).
    outcomes = set()
    for seed in range(30):
        try:
            outcomes.add(make_variant(ex, make_rng(seed)).params["a"])
        except UserError as exc:
            assert "in 3 draws" in str(exc)
    assert outcomes and 1 not in outcomes


# ---------------------------------------------------------------- answers


PARAMS = {"a": 2, "b": 5, "v": [1, -1, 3], "unit": "nats", "_half": 1.0,
          "c": [[1, 2], [3, 4]]}


def test_solve_with_given_parameters() -> None:
    answers = solve(basics(), PARAMS)
    assert answers == {"total": 7.0, "scaled": [2.0, -2.0, 6.0], "count": 3, "bigger": "b",
                       "positive": True, "half": 1.0}


def test_evaluate_mistakes() -> None:
    mistakes = evaluate_mistakes(basics(), PARAMS)
    assert [(m.name, m.value, m.feedback) for m in mistakes["total"]] == [
        ("difference", 3, "You subtracted; the question asks for the sum.")]
    assert [m.value for m in mistakes["scaled"]] == [[-2, 2, -6]]
    assert mistakes["count"] == ()


def test_a_mistake_that_cannot_be_evaluated_is_left_out(small) -> None:
    ex = small(mistake="1 / (a - a)")
    assert evaluate_mistakes(ex, {"a": 2}) == {"p": ()}


def test_function_parts_have_no_reference_answer() -> None:
    from grader.solvers import SOLVERS

    SOLVERS["fx_double"] = lambda x, factor=2: x
    try:
        ex = load_exercise(GOOD / "fx-function.yaml")
    finally:
        del SOLVERS["fx_double"]
    assert solve(ex, {}) == {}
    variant = make_variant(ex, make_rng(1))
    assert variant.answers == {} and variant.mistakes == {"double": (), "pair": ()}


def test_a_failing_solution_names_file_and_part(small) -> None:
    ex = small(solution="1 / (a - a)")
    with pytest.raises(UserError, match=r"^small\.yaml: parts\[0\]\.solution \(p\): "
                                        r"division by zero"):
        solve(ex, {"a": 2})


def test_prompts_are_rendered() -> None:
    variant = make_variant(basics(), make_rng(3))
    p = variant.params
    assert variant.prompt.startswith(f"Let $a = {p['a']}$, $b = {p['b']}$ and $v = ")
    assert variant.part_prompts["total"] == "Compute $a + b$."
    assert variant.part_prompts["scaled"] == ""


# ---------------------------------------------------------------- sequences


def test_grade_context_for_sequences() -> None:
    ex = load_exercise(GOOD / "fx-sequence.yaml")
    params = {"x0": 4, "eps": 0.25, "k": 2}
    assert solve(ex, params)["iterates"] == [2.0, 1.0]  # x <- x - 0.25 * 2x halves x
    ctx = grade_context(ex, ex.part("iterates"), params)
    assert ctx.start == 4 and ctx.step(ctx.start) == 2.0
    assert ctx.step(3.0) == 1.5  # follow-through: from the student's own previous step
    rec = grade_context(ex, ex.part("records"), params)
    assert rec.start == {"n": 0, "x": 4}
    assert rec.step({"n": 1, "x": 10.0}) == {"n": 2, "x": 5.0}
    with pytest.raises(ValueError, match="^step: "):
        rec.step({"n": 1})


def test_grade_context_carries_the_mistakes() -> None:
    ex = basics()
    mistakes = evaluate_mistakes(ex, PARAMS)["total"]
    ctx = grade_context(ex, ex.part("total"), PARAMS, mistakes)
    assert ctx.mistakes == mistakes and ctx.step is None and ctx.start is None


# ---------------------------------------------------------------- determinism


def variant_json(variant) -> str:
    return to_json(dataclasses.asdict(variant))


def test_same_seed_same_variant() -> None:
    for name in ("fx-basics.yaml", "fx-sequence.yaml"):
        ex = load_exercise(GOOD / name)
        first, second = make_variant(ex, make_rng(7)), make_variant(ex, make_rng(7))
        assert first == second and variant_json(first) == variant_json(second)
    assert make_variant(basics(), make_rng(7)) != make_variant(basics(), make_rng(8))


def test_same_variant_in_another_process() -> None:
    code = ("import dataclasses, sys\n"
            "from grader.core.seeding import make_rng\n"
            "from grader.authoring.spec import load_exercise\n"
            "from grader.core.values import to_json\n"
            "from grader.authoring.variant import make_variant\n"
            "v = make_variant(load_exercise(sys.argv[1]), make_rng(7))\n"
            "print(to_json(dataclasses.asdict(v)))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(GOOD / "fx-basics.yaml")],
                         capture_output=True, text=True, env=env, check=True, timeout=120)
    assert out.stdout.strip() == variant_json(make_variant(basics(), make_rng(7)))
