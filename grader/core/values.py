"""Plain data: the only values that cross module, process and file boundaries.

Plain data is int, float, bool, str, None, and lists and dicts of those. JSON
cannot hold inf or nan, so on disk they are the strings "inf", "-inf", "nan".
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

import numpy as np

_SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def to_plain(x: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and Fractions to plain Python data."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating, Fraction)):
        return float(x)
    if isinstance(x, np.ndarray):
        return to_plain(x.tolist())
    if isinstance(x, (list, tuple)):
        return [to_plain(v) for v in x]
    if isinstance(x, dict):
        return {str(k): to_plain(v) for k, v in x.items()}
    if x is None or isinstance(x, str):
        return x
    raise TypeError(f"not plain data: {type(x).__name__}")


def _encode(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, list):
        return [_encode(v) for v in x]
    if isinstance(x, dict):
        return {k: _encode(v) for k, v in x.items()}
    return x


def _decode(x: Any) -> Any:
    if isinstance(x, str) and x in _SPECIAL:
        return _SPECIAL[x]
    if isinstance(x, list):
        return [_decode(v) for v in x]
    if isinstance(x, dict):
        return {k: _decode(v) for k, v in x.items()}
    return x


def encode_json(x: Any) -> Any:
    """Plain data with inf/nan replaced by their strings, ready for json.dumps."""
    # One pass, exact types first: a result holds hundreds of values that are plain already.
    t = type(x)
    if t is str or t is int or t is bool or x is None:
        return x
    if t is float:
        return x if math.isfinite(x) else _encode(x)
    if t is list or t is tuple:
        return [encode_json(v) for v in x]
    if t is dict:
        return {k if type(k) is str else str(k): encode_json(v) for k, v in x.items()}
    return _encode(to_plain(x))


def to_json(x: Any, *, indent: int | None = None) -> str:
    """Serialise plain data deterministically (sorted keys, inf/nan as strings)."""
    if indent is not None:
        from grader.core.jsontext import dumps_indented

        return dumps_indented(encode_json(x), indent)
    return json.dumps(encode_json(x), sort_keys=True, ensure_ascii=False, allow_nan=False)


def str_keyed_json(x: Any) -> str:
    """to_json's text, without its walk when every value is plain and finite.

    Only for data whose mappings all have string keys (JSON read back, fingerprints built from
    it): json.dumps sorts other keys before turning them into strings, to_json after."""
    try:
        return json.dumps(x, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):  # numpy values, inf or nan: the walk handles them
        return to_json(x)


def from_json(text: str) -> Any:
    """Parse JSON written by to_json, restoring inf/nan."""
    data = json.loads(text)
    # A text holding none of the special strings (quoted as such, or spelled with a \u escape)
    # has nothing to restore: skip the walk over every value (most keys and results).
    if "\\u" not in text and not any(f'"{s}"' in text for s in _SPECIAL):
        return data
    return _decode(data)


def short(value: Any, limit: int = 80) -> str:
    """Compact JSON text of a value for messages, cut to `limit` characters."""
    try:
        text = to_json(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
