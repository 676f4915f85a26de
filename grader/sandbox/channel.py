"""The trusted side of the result channel: parse what the child sent, trusting nothing.

The child writes one JSON object per line. Any of it may be forged by the student's code,
so every line is checked: no NaN/Infinity constants, no duplicate keys, bounded nesting,
known statuses, values made only of numbers (inf/nan as the strings "inf", "-inf", "nan").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from grader.core.safetext import safe_text

MAX_DEPTH = 40
MAX_MESSAGE = 2000
CHILD_STATUSES = {"ok", "exception", "memory", "exited", "bad_output"}
_SPECIAL = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|.)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class Forged(ValueError):
    """A line that no honest child writes."""


@dataclass
class Parsed:
    """What one child reported: events seen and per-case (status, value, message)."""

    events: list[str] = field(default_factory=list)
    import_error: tuple[str, str] | None = None
    cases: dict[str, tuple[str, Any, str]] = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)
    forged: int = 0


def clean_text(data: bytes | str, *, limit: int | None = None) -> str:
    """Decode, drop control and bidi characters (keeping newlines and tabs), cap the length.

    A str may come from a JSON escape the student's code wrote ("\\udcff"): safe_text turns its
    lone surrogates into U+FFFD, or the gradebook could not store it.
    """
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else safe_text(data)
    text = _CONTROL.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))
    return text if limit is None or len(text) <= limit else text[:limit] + " [...]"


def parse_results(data: bytes, case_ids: set[str]) -> Parsed:
    """Parse the result stream; lines that are malformed or forged are counted, not trusted."""
    out = Parsed()
    complete = data[: data.rfind(b"\n") + 1]  # a partial last line was cut off by a kill
    for line in complete.splitlines():
        try:
            _take(out, _load(line), case_ids)
        except (Forged, ValueError, RecursionError):
            out.forged += 1
    return out


def _load(line: bytes) -> dict[str, Any]:
    obj = json.loads(line, parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    if not isinstance(obj, dict):
        raise Forged("not an object")
    _check_depth(obj, 0)
    return obj


def _no_constant(name: str) -> Any:
    raise Forged(f"{name} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise Forged("duplicate key")
    return obj


def _check_depth(x: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Forged("nested too deeply")
    if isinstance(x, list):
        for v in x:
            _check_depth(v, depth + 1)
    elif isinstance(x, dict):
        for v in x.values():
            _check_depth(v, depth + 1)


def _take(out: Parsed, obj: dict[str, Any], case_ids: set[str]) -> None:
    if "event" in obj:
        event = obj["event"]
        if event == "import_error" and out.import_error is None:
            out.import_error = (_status(obj), _message(obj))
        elif event in ("ready", "imported", "done") and event not in out.events:
            out.events.append(event)
        else:
            raise Forged("unknown or repeated event")
        return
    case_id = obj.get("case")
    if not isinstance(case_id, str) or case_id not in case_ids:
        raise Forged("unknown case id")
    if case_id in out.cases:
        out.duplicates.add(case_id)
        return
    status = _status(obj)
    if status == "ok":
        try:
            out.cases[case_id] = ("ok", decode_value(obj.get("value")), "")
        except Forged:
            out.cases[case_id] = ("bad_output", None, "the result sent back was not numbers")
    else:
        out.cases[case_id] = (status, None, _message(obj))


def _status(obj: dict[str, Any]) -> str:
    status = obj.get("status")
    if status not in CHILD_STATUSES:
        raise Forged("unknown status")
    return str(status)


def _message(obj: dict[str, Any]) -> str:
    msg = obj.get("message")
    return clean_text(msg, limit=MAX_MESSAGE) if isinstance(msg, str) else ""


def decode_value(x: Any) -> Any:
    """Numbers, bools and lists of those; the strings inf/-inf/nan become floats."""
    if isinstance(x, (bool, int, float)):
        return x
    if isinstance(x, str) and x in _SPECIAL:
        return _SPECIAL[x]
    if isinstance(x, list):
        return [decode_value(v) for v in x]
    raise Forged(f"a {type(x).__name__} is not a number")
