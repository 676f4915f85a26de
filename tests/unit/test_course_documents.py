"""The key file as typed data: a real generated key parses and writes back the same JSON, and
each damaged shape is refused with a message naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.core.errors import UserError
from grader.core.values import from_json, to_json
from grader.course.documents import KEY_FORMAT, KeyCase, KeyDocument, KeyExercise
from grader.course.roster import Student


def key_data() -> dict:
    return KeyDocument(
        "w1", Student("s1", "Ann", "a@x", "s1"), 4.0,
        (KeyExercise("e", 1, 4.0, {"n": 2}, {"x": 1.5}, {"x": 4.0},
                     (KeyCase("f", "public-1", [[1, 2]], {}, "public", "why"),), "abc"),),
        secret_id="sid", variant="v").to_dict()


def test_a_generated_key_round_trips_byte_for_byte(w1_build: Path) -> None:
    path = w1_build / "key" / "s1.json"
    text = path.read_text(encoding="utf-8")
    doc = KeyDocument.from_dict(from_json(text), source=str(path), assignment="w1")
    assert doc.student.folder == "s1" and [e.id for e in doc.exercises] == \
        ["info-kl-divergence", "impl-softmax"]
    assert doc.exercises[1].cases and doc.exercises[0].spec_hash
    assert to_json(doc.to_dict(), indent=1) + "\n" == text
    assert KeyDocument.from_dict(doc.to_dict(), source="k") == doc


def test_round_trip_and_a_key_from_before_secret_ids() -> None:
    data = key_data()
    doc = KeyDocument.from_dict(data, source="k")
    assert doc.to_dict() == data and KeyDocument.from_dict(doc.to_dict(), source="k") == doc
    old = {k: v for k, v in data.items() if k not in ("secret_id", "variant")}
    assert KeyDocument.from_dict(old, source="k").to_dict() == old


def _without(data: dict, *path: str | int) -> dict:
    data = json.loads(json.dumps(data))
    *inner, last = path
    target = data
    for p in inner:
        target = target[p]
    del target[last]
    return data


def _with(data: dict, value: object, *path: str | int) -> dict:
    data = json.loads(json.dumps(data))
    *inner, last = path
    target = data
    for p in inner:
        target = target[p]
    target[last] = value
    return data


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: [], "k: not a key document; run `grader generate` again"),
    (lambda d: _with(d, 2, "format"), f"k: key format 2; this grader reads format {KEY_FORMAT}: "
     "run `grader generate` again with this version"),
    (lambda d: _without(d, "format"), "k: key format None;"),
    (lambda d: _without(d, "student"), "k: damaged key (the key has no 'student'); run `grader "
     "generate` again to rewrite the key"),
    (lambda d: _with(d, "4", "points"), "(the key: 'points' is not a number)"),
    (lambda d: _with(d, {}, "exercises"), "(the key: 'exercises' is not a list)"),
    (lambda d: _with(d, 5, "secret_id"), "(the key: 'secret_id' is not a string)"),
    (lambda d: _without(d, "student", "folder"), "(the student has no 'folder')"),
    (lambda d: _with(d, [3], "exercises"), "(an exercise is not a mapping)"),
    (lambda d: _without(d, "exercises", 0, "number"), "(an exercise has no 'number')"),
    (lambda d: _with(d, True, "exercises", 0, "number"), "(an exercise: 'number' is not an "
     "integer)"),
    (lambda d: _with(d, [], "exercises", 0, "params"), "(exercise 'e': 'params' is not a "
     "mapping)"),
    (lambda d: _with(d, 1, "exercises", 0, "spec_hash"), "(exercise 'e': 'spec_hash' is not a "
     "string)"),
    (lambda d: _without(d, "exercises", 0, "cases", 0, "part"), "(a case has no 'part')"),
    (lambda d: _with(d, "secret", "exercises", 0, "cases", 0, "visibility"),
     "(case 'public-1': visibility 'secret' is not public or hidden)"),
])
def test_each_damaged_shape_is_named(change, message) -> None:
    with pytest.raises(UserError) as err:
        KeyDocument.from_dict(change(key_data()), source="k")
    assert message in str(err.value)


def test_a_key_for_another_assignment_is_refused_first() -> None:
    data = _without(key_data(), "student")
    with pytest.raises(UserError, match=r"^k: this key is for assignment 'w1', not 'w2'; give "
                       "the key folder generated for this assignment$"):
        KeyDocument.from_dict(data, source="k", assignment="w2")


def test_optional_case_fields_default_as_grading_always_read_them() -> None:
    case = KeyCase.from_dict({"part": "f", "id": "h", "args": None})
    assert case == KeyCase("f", "h", [], {}, "hidden", "")
