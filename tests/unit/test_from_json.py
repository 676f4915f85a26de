"""from_json restores inf/nan written as strings, also when it skips the walk over the values
(a text with none of those strings): the answers here are written out by hand."""

from __future__ import annotations

import math

from grader.core.values import from_json


def test_special_strings_come_back_as_floats() -> None:
    got = from_json('{"a": "inf", "b": ["-inf", {"c": "nan"}], "d": 1.5}')
    assert got["a"] == math.inf and got["b"][0] == -math.inf and math.isnan(got["b"][1]["c"])
    assert got["d"] == 1.5


def test_a_special_string_spelled_with_escapes_is_restored_too() -> None:
    got = from_json('["\\u0069nf", "n\\u0061n"]')
    assert got[0] == math.inf and math.isnan(got[1])


def test_texts_without_them_are_left_as_parsed() -> None:
    assert from_json('{"info": "information", "n": "nano", "x": [1, "in f"], "k": "\\n"}') == \
        {"info": "information", "n": "nano", "x": [1, "in f"], "k": "\n"}
    assert from_json('{"inf": 2}') == {"inf": 2}  # keys are never numbers
