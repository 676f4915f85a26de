"""The schema vocabulary itself: what each type accepts, how it is worded, its JSON Schema."""

from __future__ import annotations

import math

import jsonschema
import pytest

from grader.core import schema as S

TYPES = {
    "int 1..5": (S.Int(1, 5), [1, 5], [0, 6, 2.0, True, "3", None]),
    "int >= 1": (S.Int(1), [1, 10**12], [0, -3, 1.5]),
    "number (0, 600]": (S.Number(0, 600, low_open=True), [0.5, 600], [0, -1, 600.01, math.nan,
                                                                      math.inf, False]),
    "number >= 0 below 1e300": (S.Number(0, below=1e300), [0, 1e299], [1e300, -0.0001]),
    "number is not a bool": (S.Number(), [0, 1.5], [True, "1"]),
    "nonblank string": (S.Str(nonblank=True), ["a"], ["", "   ", 3]),
    "patterned string": (S.Str(pattern=r"^[a-z]+$"), ["abc"], ["ab1", ""]),
    "bool": (S.Bool(), [True, False], [0, 1, "true", None]),
    "enum": (S.Enum(("a", "b")), ["a"], ["c", None, ["a"]]),
    "distinct strings": (S.ListOf(S.Str(min_length=1), min_items=1, unique=True),
                         [["a", "b"]], [[], ["a", "a"], [""], "a"]),
    "map of ints": (S.MapOf(S.Int(), min_items=1), [{"x": 1}], [{}, {"x": "1"}, [1]]),
    "record": (S.Record({"a": S.Field(S.Int(), required=True), "b": S.Field(S.Str())}),
               [{"a": 1}, {"a": 1, "b": "x"}], [{}, {"a": 1, "c": 2}, {"a": "1"}, [1]]),
    "one of": (S.AnyOf((S.Str(), S.Int()), one=True), ["x", 3], [1.5, None]),
}


@pytest.mark.parametrize("name", list(TYPES))
def test_fits_and_the_json_schema_agree(name: str) -> None:
    kind, good, bad = TYPES[name]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **kind.to_json()}
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for value in good:
        assert kind.fits(value) and kind.expected(value) is None, value
        assert validator.is_valid(value), value
    for value in bad:
        assert not kind.fits(value) and kind.expected(value) == kind.wanted, value
        if not _loader_only(value):
            assert not validator.is_valid(value), value


def _loader_only(value: object) -> bool:
    """What JSON Schema cannot refuse but the loader does: nan and inf (JSON has neither), a
    float with an integral value (2.0 is an integer to JSON Schema) and the 1e300 sanity bound.
    """
    return isinstance(value, float) and (not math.isfinite(value) or value.is_integer())


def test_the_phrases_after_expected() -> None:
    assert S.Int(1, 5).wanted == "an integer from 1 to 5"
    assert S.Int(1).wanted == "an integer >= 1"
    assert S.Int().wanted == "an integer"
    assert S.Enum(("none", "cutoff")).wanted == "one of none, cutoff"
    assert S.Number(0, 1, wanted="a fraction").wanted == "a fraction"


def test_an_unknown_key_names_the_closest_one_or_lists_them() -> None:
    record = S.Record({"title": S.Field(S.Str()), "topic": S.Field(S.Str()),
                       "kl_divergence": S.Field(S.Str())})
    assert record.unknown("titel") == "unknown key 'titel'; did you mean 'title'?"
    assert record.unknown("kl") == "unknown key 'kl'; did you mean 'kl_divergence'?"
    assert record.unknown("zzz") == "unknown key 'zzz'; expected one of: title, topic, " \
                                    "kl_divergence"
    assert record.unknown("zzz", sort=True).endswith("kl_divergence, title, topic")


def test_required_optional_and_defaults_in_json() -> None:
    record = S.Record({"a": S.Field(S.Int(), required=True),
                       "b": S.Field(S.Bool(), default=False, description="flag"),
                       "c": S.Field(S.Str(), default=(), json_default=None)})
    assert (record.required, record.optional) == (("a",), ("b", "c"))
    assert record.to_json() == {
        "type": "object", "additionalProperties": False, "required": ["a"],
        "properties": {"a": {"type": "integer"},
                       "b": {"type": "boolean", "description": "flag", "default": False},
                       "c": {"type": "string"}}}


def test_problem_words_the_first_damage_and_ignores_undeclared_keys() -> None:
    record = S.Record({"id": S.Field(S.Str(), required=True),
                       "points": S.Field(S.Number(), required=True),
                       "cases": S.Field(S.ListOf())})
    assert S.problem(record, [1], "the key") == "the key is not a mapping"
    assert S.problem(record, {"id": "x"}, "the key") == "the key has no 'points'"
    assert S.problem(record, {"id": "x", "points": True}, "k") == "k: 'points' is not a number"
    assert S.problem(record, {"id": "x", "points": 1, "cases": {}}, "k") == \
        "k: 'cases' is not a list"
    assert S.problem(record, {"id": "x", "points": 1, "newer": 2}, "k") is None


def test_dumps_is_stable_text() -> None:
    text = S.dumps({"b": 1, "a": "é"})
    assert text == '{\n  "b": 1,\n  "a": "é"\n}\n'
