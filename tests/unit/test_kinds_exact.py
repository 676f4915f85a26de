"""Integer, bool, choice and shape kinds, and the KINDS registry with grade_raw."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from grader.core.errors import FormatError
from grader.kinds import KINDS, get_kind, grade_raw
from grader.core.model import HAND_TOLERANCE, GradeContext, MistakeValue, PartSpec

DEFINITENESS = ["positive-definite", "positive-semidefinite", "negative-definite",
                "negative-semidefinite", "indefinite"]


def part(kind: str, **options: Any) -> PartSpec:
    return PartSpec(id="p", kind=kind, prompt="", solution=None, points=1.0,
                    tolerance=HAND_TOLERANCE, options=options)


def grade(kind: str, raw: Any, expected: Any, *, mistakes: tuple[MistakeValue, ...] = (),
          **options: Any):
    p = part(kind, **options)
    ref = KINDS[kind].normalise_reference(expected, p)
    return grade_raw(KINDS[kind], raw, ref, p, GradeContext(mistakes=mistakes))


# --- registry ------------------------------------------------------------------------------


def test_registry_names_every_kind():
    assert set(KINDS) == {"scalar", "vector", "matrix", "set", "direction", "integer", "bool",
                          "choice", "shape", "sequence", "function"}
    for name, kind in KINDS.items():
        assert kind.name == name


def test_get_kind_lists_the_valid_names():
    with pytest.raises(KeyError, match="valid kinds: scalar, vector"):
        get_kind("scaler")


@pytest.mark.parametrize("kind, options", [
    ("integer", {}), ("bool", {}), ("shape", {}), ("choice", {"choices": DEFINITENESS}),
])
def test_missing_answer_is_missing_for_every_exact_kind(kind, options):
    verdict = grade_raw(kind, None, None, part(kind, **options))
    assert (verdict.status, verdict.score) == ("missing", 0.0)


# --- integer -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [3, 3.0, "3", " 6/2 ", np.int64(3)])
def test_integer_accepts_whole_numbers_in_any_spelling(raw):
    assert grade("integer", raw, 3).status == "correct"


@pytest.mark.parametrize("raw", [3.5, "7/2"])
def test_integer_fraction_is_a_wrong_answer_not_a_format_error(raw):
    verdict = grade("integer", raw, 3)
    assert verdict.status == "wrong" and "whole number" in verdict.feedback


@pytest.mark.parametrize("raw", [True, "three", {"n": 3}])
def test_integer_unreadable(raw):
    with pytest.raises(FormatError):
        KINDS["integer"].parse(raw, part("integer"))


def test_integer_shape_nan_and_spec_mistake():
    assert "single whole number" in grade("integer", [3], 3).feedback
    assert "NaN" in grade("integer", "nan", 3).feedback
    rows = MistakeValue("number of rows", 3, "That is the number of rows, not the rank.")
    verdict = grade("integer", 3, 2, mistakes=(rows,))
    assert (verdict.status, verdict.mistake) == ("wrong", "number of rows")


def test_integer_reference_checks():
    p = part("integer")
    assert KINDS["integer"].normalise_reference(np.int64(2), p) == 2
    assert type(KINDS["integer"].normalise_reference(2.0, p)) is int
    for bad in (2.5, True, math.inf, [2]):
        with pytest.raises(ValueError):
            KINDS["integer"].normalise_reference(bad, p)


# --- bool ----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, value", [
    (True, True), ("yes", True), ("No", False), (" TRUE ", True), (1, True), (0, False),
    ("0", False), ("false", False),
])
def test_bool_spellings(raw, value):
    assert KINDS["bool"].parse(raw, part("bool")) is value


@pytest.mark.parametrize("raw", ["maybe", 2, None, [True], 0.5])
def test_bool_unreadable(raw):
    with pytest.raises(FormatError, match="true or false"):
        KINDS["bool"].parse(raw, part("bool"))


def test_bool_grading_and_listed_mistake():
    assert grade("bool", "yes", True).status == "correct"
    called = MistakeValue("not unit columns", True, "Orthogonal needs unit-length columns too.")
    verdict = grade("bool", True, False, mistakes=(called,))
    assert (verdict.status, verdict.mistake, verdict.feedback) == (
        "wrong", "not unit columns", "Orthogonal needs unit-length columns too.")
    assert grade("bool", False, True).mistake is None


def test_bool_reference_checks():
    assert KINDS["bool"].normalise_reference(np.bool_(True), part("bool")) is True
    with pytest.raises(ValueError):
        KINDS["bool"].normalise_reference("x", part("bool"))


# --- choice --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [" Positive-Definite ", "positive definite", "POSITIVE_DEFINITE"])
def test_choice_is_case_and_spacing_insensitive(raw):
    p = part("choice", choices=DEFINITENESS)
    assert KINDS["choice"].parse(raw, p) == "positive-definite"


def test_choice_unknown_lists_the_choices():
    p = part("choice", choices=DEFINITENESS)
    with pytest.raises(FormatError) as err:
        KINDS["choice"].parse("definite", p)
    assert all(choice in str(err.value) for choice in DEFINITENESS)
    with pytest.raises(FormatError, match="did you mean 'indefinite'"):
        KINDS["choice"].parse("indefinit", p)


def test_choice_yaml_booleans_read_as_words():
    assert KINDS["choice"].parse(True, part("choice", choices=["yes", "no"])) == "yes"


def test_choice_listed_mistake():
    definite = MistakeValue("semidefinite called definite", "positive-definite",
                            "Zero eigenvalues make it semidefinite.")
    verdict = grade("choice", "positive-definite", "positive-semidefinite",
                    mistakes=(definite,), choices=DEFINITENESS)
    assert verdict.mistake == "semidefinite called definite"


def test_choice_reference_checks():
    p = part("choice", choices=DEFINITENESS)
    assert KINDS["choice"].normalise_reference("Indefinite", p) == "indefinite"
    with pytest.raises(ValueError):
        KINDS["choice"].normalise_reference("bogus", p)
    with pytest.raises(ValueError, match="choices"):
        KINDS["choice"].normalise_reference("x", part("choice"))


def test_choice_describe_lists_options():
    p = part("choice", choices=DEFINITENESS)
    assert KINDS["choice"].describe(p, "indefinite") == "one of: " + ", ".join(DEFINITENESS)


# --- shape ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, dims", [
    ("(2, 3)", [2, 3]), ("2x3", [2, 3]), ("2×3", [2, 3]), ("2 X 3", [2, 3]), ([2, 3], [2, 3]),
    ((2, 3), [2, 3]), ("[2, 3]", [2, 3]), ("()", []), ("(5,)", [5]), (5, [5]),
    ([2.0, 3], [2, 3]), ([], []),
])
def test_shape_spellings(raw, dims):
    assert KINDS["shape"].parse(raw, part("shape")) == dims


@pytest.mark.parametrize("raw", [[-1, 2], [2.5], "2 by 3", "a x b", None, True, [True]])
def test_shape_unreadable(raw):
    with pytest.raises(FormatError):
        KINDS["shape"].parse(raw, part("shape"))


def test_shape_grading_is_exact_and_does_not_reveal():
    assert grade("shape", "2x3", (2, 3)).status == "correct"
    verdict = grade("shape", [3, 2], (2, 3))
    assert verdict.status == "wrong" and "2" not in verdict.feedback
    assert "[2, 3]" in KINDS["shape"].describe(part("shape"), [7, 11])  # the example, not [7, 11]
    assert "7" not in KINDS["shape"].describe(part("shape"), [7, 11])


def test_shape_reference_checks():
    assert KINDS["shape"].normalise_reference((2, np.int64(3)), part("shape")) == [2, 3]
    for bad in ([-1], [1.5], 3):
        with pytest.raises(ValueError):
            KINDS["shape"].normalise_reference(bad, part("shape"))


# --- robustness: whatever a student types, every kind returns a verdict ---------------------

WEIRD = [None, 0, -1, 2.5, True, "", "x", "[", "[]", [], [[]], [1, [2]], [[1, 2], [3]],
         [[[1]]], {"a": 1}, "nan", "-inf", "1e400", "9**9**9", 10**400, "a" * 2000, [0, 0],
         "(2,3)", [{"point": 0.5, "w": [[1]], "b": "nan"}]]
REFERENCES = {
    "scalar": 1.0, "vector": [0.6, 0.8], "matrix": [[1, 2], [3, 4]], "set": [1, 2],
    "direction": [[1, 0], [0, 1]], "integer": 3, "bool": True, "choice": "yes",
    "shape": [2, 3], "sequence": [[0.2, 0.4], [0.36, 0.64]],
}
OPTIONS = {"choice": {"choices": ["yes", "no"]}, "sequence": {"item": "vector"},
           "vector": {"partial": True}}


def _explode(prev: Any) -> Any:
    raise RuntimeError("a step expression failing on a student's value")


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_every_kind_grades_garbage_without_raising(name):
    p = part(name, **OPTIONS.get(name, {}))
    ref = KINDS[name].normalise_reference(REFERENCES[name], p)
    listed = tuple(MistakeValue("m", w, "fb") for w in WEIRD if w is not None)
    for raw in WEIRD:
        verdict = grade_raw(name, raw, ref, p, GradeContext(mistakes=listed, step=_explode))
        assert 0.0 <= verdict.score <= 1.0
        assert verdict.status in {"correct", "partial", "wrong", "format_error", "missing"}


def test_bool_none_mistake_never_matches_false():
    none = MistakeValue("n/a", None, "not applicable here")
    assert grade("bool", False, True, mistakes=(none,)).mistake is None
    assert KINDS["bool"].differs(None, False, part("bool"))
