"""ml-perceptron as a student reads it: one misclassification rule, and the bias slip named on
the whole run a student makes without the bias update (issue 14)."""

from __future__ import annotations

import re

import pytest

from grader.authoring.spec import find_exercise
from grader.authoring.variant import grade_context, make_variant
from grader.core.seeding import make_rng
from grader.kinds import KINDS, grade_raw

SEEDS = range(40)


def run_without_bias(X: list, y: list, limit: int = 100) -> list[dict]:
    """The perceptron of the prompt with the bias update forgotten, written out by hand."""
    w, steps = [0, 0], []
    while len(steps) < limit:
        wrong = [i for i, (x, t) in enumerate(zip(X, y)) if t * (w[0] * x[0] + w[1] * x[1]) <= 0]
        if not wrong:
            return steps
        i = wrong[0]
        w = [w[0] + y[i] * X[i][0], w[1] + y[i] * X[i][1]]
        steps.append({"point": i, "w": list(w), "b": 0})
    raise AssertionError(f"the run without the bias update does not end on {X}, {y}")


def test_the_prompt_states_one_misclassification_rule() -> None:
    prompt = make_variant(find_exercise("ml-perceptron"), make_rng(0)).prompt
    assert len(re.findall(r"\\le 0", prompt)) == 1  # stated once ...
    assert r"\ge 0" not in prompt and "g(z)" not in prompt  # ... and no second rule for 0


@pytest.mark.parametrize("seed", SEEDS)
def test_bias_not_updated_is_named_on_the_full_run(seed: int) -> None:
    exercise = find_exercise("ml-perceptron")
    variant = make_variant(exercise, make_rng(seed))
    part = exercise.part("updates")
    answer = run_without_bias(variant.params["X"], variant.params["y"])
    ctx = grade_context(exercise, part, variant.params, variant.mistakes["updates"])
    verdict = grade_raw(KINDS["sequence"], answer, variant.answers["updates"], part, ctx)
    assert verdict.mistake == "bias not updated", (answer, variant.answers["updates"])
    assert "b := b + η y_i" in verdict.feedback


def test_a_run_of_another_length_than_the_answer_is_among_those_checked() -> None:
    """The slip used to be recognised only when cut to the answer's length."""
    exercise = find_exercise("ml-perceptron")
    lengths = set()
    for seed in SEEDS:
        v = make_variant(exercise, make_rng(seed))
        lengths.add(len(run_without_bias(v.params["X"], v.params["y"])) == v.answers["n_updates"])
    assert lengths == {True, False}
