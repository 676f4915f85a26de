"""Every exercise of the library, over many seeds: the reference answer graded by its own kind
scores full marks, every listed mistake differs from the answer and is recognised as itself,
the prompts' math renders, and function references run on all their cases.

This is `grader validate` applied to the shipped library; `grader validate --samples 200`
does the same with more seeds (see docs/exercises.md).
"""

from __future__ import annotations

import pytest

from grader.authoring.spec import library_dir, load_library
from grader.authoring.validate import check_exercise

EXERCISES = load_library([library_dir()])


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_variant_is_well_posed(exercise) -> None:
    report = check_exercise(exercise, samples=40)
    assert report.samples == 40
    assert report.problems == []


def test_a_broken_mistake_is_caught() -> None:
    """The check can fail: a mistake equal to the answer is reported."""
    import dataclasses

    exercise = next(e for e in EXERCISES if e.id == "info-kl-divergence")
    part = exercise.parts[0]
    same = dataclasses.replace(part.mistakes[0], answer=part.solution)
    broken = dataclasses.replace(exercise, parts=(dataclasses.replace(part, mistakes=(same,)),
                                                  *exercise.parts[1:]))
    report = check_exercise(broken, samples=3)
    assert any("equals the answer" in p for p in report.problems), report.problems
