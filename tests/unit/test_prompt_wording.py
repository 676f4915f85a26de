"""Prompts say what they mean: no "x ∈ {0, …, 1}" for two values (issue 14)."""

from __future__ import annotations

import re

import pytest

from grader.authoring.spec import library_dir, load_exercise, spec_files
from grader.authoring.variant import make_variant
from grader.core.seeding import make_rng

SPECS = sorted(spec_files([library_dir()]))
# "0, \dots, 1" or "v_1, \dots, v_{2}": an ellipsis standing for nothing (or for one value).
NUMBERS = re.compile(r"(-?\d+),\s*(?:\\dots|\\ldots|…),\s*(-?\d+)\b")
SUBSCRIPTS = re.compile(r"_\{?\s*(-?\d+)\s*\}?,\s*(?:\\dots|\\ldots|…),\s*\w+_\{?\s*(-?\d+)\s*\}?")


def empty_ellipses(text: str) -> list[str]:
    """Every "a, …, b" in text where a and b are at most two apart (nothing left out)."""
    found = []
    for pattern in (NUMBERS, SUBSCRIPTS):
        for m in pattern.finditer(text):
            if int(m.group(2)) - int(m.group(1)) <= 2:
                found.append(m.group(0))
    return found


def test_the_check_finds_the_slips_it_is_for() -> None:
    assert empty_ellipses(r"$\mathrm{x} \in \{0, \dots, 1\}$") == [r"0, \dots, 1"]
    assert empty_ellipses(r"Give $x_1, \dots, x_{2}$") == [r"_1, \dots, x_{2}"]
    assert empty_ellipses(r"$\{0, \dots, 5\}$ and $v_1, \dots, v_k$") == []


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_no_prompt_elides_nothing(path) -> None:
    exercise = load_exercise(path)
    for seed in range(12):
        variant = make_variant(exercise, make_rng(seed))
        for text in (variant.prompt, *variant.part_prompts.values()):
            assert empty_ellipses(text) == [], f"{exercise.id} seed {seed}: {text}"
