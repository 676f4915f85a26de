"""What the instructor's key page shows of a function part's cases: one row per case.

Every case of the student's variant (public, hidden, random) with its kind, the spec's `why`
and its inputs as Python literals. Long inputs are cut (the key JSON beside the page holds
them in full), so that a page stays readable and its size grows with the number of cases,
not with the size of their arrays. Text only: the template escapes it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from grader.core.markup import num

MAX_ITEMS = 8  # items shown of a list (per level: a matrix shows 8 rows of 8)
MAX_TEXT = 60  # characters shown of a string argument
MAX_DEPTH = 6  # levels of nested lists shown
CaseKind = Literal["public", "hidden", "random"]


@dataclass(frozen=True)
class CaseRow:
    id: str  # "public-1", "hidden-2", "random-3"
    kind: CaseKind
    why: str
    call: str  # the inputs, as the arguments of a Python call
    cut: bool  # some input was shortened (in full in the key JSON)


def case_kind(case_id: str, visibility: str) -> CaseKind:
    """public, hidden (a fixed edge case of the spec) or random (drawn from the seed)."""
    if visibility == "public":
        return "public"
    return "random" if case_id.startswith("random-") else "hidden"


def case_rows(cases: Iterable[tuple[str, Any]], part_id: str) -> list[CaseRow]:
    """The rows of one part, from (part id, case) pairs with id, args, kwargs, visibility, why."""
    return [case_row(c) for pid, c in cases if pid == part_id]


def case_row(case: Any) -> CaseRow:
    """A random case's why ("random case") is left out: its kind says so."""
    text, cut = call_text(case.args, case.kwargs)
    kind = case_kind(case.id, case.visibility)
    return CaseRow(case.id, kind, "" if kind == "random" else case.why, text, cut)


def call_text(args: Iterable[Any], kwargs: dict[str, Any],
              items: int = MAX_ITEMS) -> tuple[str, bool]:
    """`[1, 2, 3], axis=0`: the inputs as written in a call, and whether any was cut."""
    shown = [brief(a, items) for a in args]
    shown += [(f"{k}={t}", c) for k, (t, c) in ((k, brief(v, items)) for k, v in kwargs.items())]
    return ", ".join(t for t, _ in shown), any(c for _, c in shown)


def brief(value: Any, items: int = MAX_ITEMS, depth: int = 0) -> tuple[str, bool]:
    """A value as a Python literal, each list cut to `items` entries ("… 92 more").

    Lists nested deeper than MAX_DEPTH show as `[…]` (a student's function may return any)."""
    if isinstance(value, (list, tuple, dict)) and depth >= MAX_DEPTH:
        return ("{…}" if isinstance(value, dict) else "[…]"), True
    if isinstance(value, (list, tuple)):
        if all(type(v) in (int, float) for v in value[:items]):  # the common case, fast
            more = len(value) - items
            texts = [_number(v) for v in value[:items]] + ([f"… {more} more"] if more > 0 else [])
            return "[" + ", ".join(texts) + "]", more > 0
        parts = [brief(v, items, depth + 1) for v in value[:items]]
        more = len(value) - items
        texts = [t for t, _ in parts] + ([f"… {more} more"] if more > 0 else [])
        return "[" + ", ".join(texts) + "]", more > 0 or any(c for _, c in parts)
    if isinstance(value, dict):
        pairs = [(repr(k), brief(v, items, depth + 1)) for k, v in list(value.items())[:items]]
        more = len(value) - items
        texts = [f"{k}: {t}" for k, (t, _) in pairs] + ([f"… {more} more"] if more > 0 else [])
        return "{" + ", ".join(texts) + "}", more > 0 or any(c for _, (_, c) in pairs)
    if isinstance(value, str):
        text = repr(value)
        return (text, False) if len(text) <= MAX_TEXT else (text[:MAX_TEXT - 1] + "…", True)
    if value is None or isinstance(value, bool):
        return repr(value), False
    return _number(value) if type(value) in (int, float) else num(value), False


def _number(value: int | float) -> str:
    """num() of a plain int or float, without its walk (most inputs are these)."""
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"
