"""The fast indented JSON writer must give the standard library's bytes, whatever the data."""

from __future__ import annotations

import json
import math

import pytest

from grader.core.jsontext import dumps_indented

SAMPLES = [
    {}, [], "", 0, -0.0, 1e-300, 1.7976931348623157e308, 2 ** 80, -17, True, False, None,
    {"b": [1, 2.5, [], {}], "a": {"z": None, "é": "ü\u2028\n\"\\\t\x00"}, "": [[[]]]},
    [{"args": [[0.1, 0.2, 0.7]], "status": "passed", "n": 3}, ("tuple", 1), "\ud800"],
    {"nested": [[[[1]]]], "K": {"k": {"k": {}}}, "unicode-🙂": ["🙂", "\u202e"]},
]


@pytest.mark.parametrize("value", SAMPLES)
@pytest.mark.parametrize("indent", [1, 2])
def test_same_text_as_the_standard_library(value, indent: int) -> None:
    assert dumps_indented(value, indent) == json.dumps(
        value, indent=indent, sort_keys=True, ensure_ascii=False, allow_nan=False)


def test_what_only_the_standard_library_handles_still_goes_through_it() -> None:
    assert dumps_indented({2: "a", 1: "b"}, 1) == json.dumps(
        {2: "a", 1: "b"}, indent=1, sort_keys=True, ensure_ascii=False)
    with pytest.raises(ValueError):
        dumps_indented([math.nan], 1)
    with pytest.raises(TypeError):
        dumps_indented({"x": object()}, 1)


def test_encode_json_is_to_plain_then_the_inf_nan_strings() -> None:
    import numpy as np

    from grader.core.values import encode_json, to_plain

    def slow(x):  # type: ignore[no-untyped-def]
        x = to_plain(x)
        if isinstance(x, float) and not math.isfinite(x):
            return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        if isinstance(x, list):
            return [slow(v) for v in x]
        if isinstance(x, dict):
            return {k: slow(v) for k, v in x.items()}
        return x

    value = {"a": [1, 2.5, math.inf, -math.inf, (np.float64(3), np.int64(4), np.bool_(True))],
             3: {"n": np.array([[1.0, math.nan]]), "t": True, "s": "x", "z": None},
             "f": [np.float32(0.5), -0.0]}
    got, want = encode_json(value), slow(value)
    assert repr(got) == repr(want) and got == want
