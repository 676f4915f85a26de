"""Collects diagnostics while a spec is read: typed field access, key checks, suggestions.

Every check records what it finds and carries on, so one run reports every
problem in the file. A field that fails its check reads as `INVALID`; callers
skip the work that depends on it (and build nothing when any error was found).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from grader.core.errors import Diagnostic
from grader.core.model import Tolerance
from grader.authoring.spec.tables import TOLERANCE_KEYS
from grader.authoring.spec.yamlload import INVALID, Document, KeyPath

# A check takes a value and returns what was expected ("a number > 0"), or None if it fits.
Check = Callable[[Any], "str | None"]


_MISSING = object()


def describe(value: Any) -> str:
    """How a found value is shown after 'got': -0.1, 'abc', true, null, a list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown) if value else "an empty string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest(name: str, known: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest known name, or ''.

    A known name that starts with `name` wins ('kl' -> 'kl_divergence'), since
    abbreviations are the commonest slip and difflib scores them low.
    """
    names = [k for k in known if isinstance(k, str)]
    prefixed = sorted((k for k in names if len(name) >= 2 and k.startswith(name)
                       and not k.startswith("_")), key=lambda k: (len(k), k))
    close = prefixed[:1] or difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(known: Sequence[str]) -> str:
    return ", ".join(known)


class Checker:
    """The diagnostics of one file and the helpers that add to them."""

    def __init__(self, doc: Document):
        self.doc = doc

    @property
    def failed(self) -> bool:
        return bool(self.doc.diagnostics)

    def error(self, path: KeyPath, message: str, *, key: bool = False,
              at: tuple[int, int] | None = None) -> None:
        """Record a problem at path's value (or key); `at` is an exact 0-based (line, column)."""
        line, column = at if at else (None, None)
        self.doc.diagnostics.append(self.doc.diagnostic(path, message, key=key, line=line,
                                                        column=column))

    def mapping(self, value: Any, path: KeyPath, *, what: str = "a mapping") -> dict | None:
        if isinstance(value, dict) or value is INVALID:  # INVALID: reported by the YAML loader
            return None if value is INVALID else value
        self.error(path, f"expected {what}, got {describe(value)}")
        return None

    def keys(self, mapping: dict, path: KeyPath, *, required: Sequence[str],
             optional: Sequence[str], elsewhere: Callable[[str], str | None] | None = None
             ) -> None:
        """Report unknown keys (with the closest known one) and missing required keys."""
        known = [*required, *optional]
        for key in mapping:
            if key in known:
                continue
            note = elsewhere(key) if elsewhere else None
            if note is None:
                hint = suggest(key, known) or f"; expected one of: {one_of(known)}"
                note = f"unknown key '{key}'{hint}"
            mark = self.doc.mark(path + (key,), key=True)
            self.error(path, note, at=(mark.line, mark.column) if mark else None)
        for key in required:
            if key not in mapping:
                self._missing(path, key)

    def _missing(self, path: KeyPath, key: str) -> None:
        if path:
            self.error(path, f"missing required key '{key}'", key=True)
            return
        # Missing at the top level: no line to point at, the whole file lacks it.
        self.doc.diagnostics.append(Diagnostic(self.doc.path, 0, 0, "",
                                               f"missing required key '{key}'"))

    def field(self, mapping: dict, path: KeyPath, key: str, check: Check,
              default: Any = _MISSING) -> Any:
        """mapping[key] if it passes check; default when absent; INVALID otherwise."""
        if key not in mapping:
            return INVALID if default is _MISSING else default
        return self.value(mapping[key], path + (key,), check)

    def value(self, value: Any, path: KeyPath, check: Check) -> Any:
        if value is INVALID:
            return INVALID
        expected = check(value)
        if expected is None:
            return value
        self.error(path, f"expected {expected}, got {describe(value)}")
        return INVALID


# ---------------------------------------------------------------- checks


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def string(v: Any) -> str | None:
    return None if isinstance(v, str) else "a string"


def text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "a non-empty string"


def boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def int_between(low: int, high: int | None = None) -> Check:
    wanted = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"

    def check(v: Any) -> str | None:
        ok = is_int(v) and v >= low and (high is None or v <= high)
        return None if ok else wanted
    return check


def positive(v: Any) -> str | None:
    return None if is_number(v) and v > 0 and math.isfinite(v) else "a number > 0"


# Points above this are a typo (or 1e308, whose totals overflow to inf); the assignment file
# uses the same bound (grader/assignment.py) and so do both JSON Schemas.
MAX_POINTS = 1_000_000
MAX_TIME_LIMIT = 600.0  # seconds per case: the sandbox's ceiling, as sandbox.time_limit's


def points_value(v: Any) -> str | None:
    ok = is_number(v) and 0 < v <= MAX_POINTS  # False for nan; inf fails the bound
    return None if ok else f"a number > 0 and <= {MAX_POINTS}"


def seconds(v: Any) -> str | None:
    ok = is_number(v) and 0 < v <= MAX_TIME_LIMIT
    return None if ok else f"seconds > 0 and <= {MAX_TIME_LIMIT:g}"


def non_negative(v: Any) -> str | None:
    return None if is_number(v) and v >= 0 and math.isfinite(v) else "a number >= 0"


def string_list(v: Any) -> str | None:
    ok = isinstance(v, list) and all(isinstance(s, str) and s for s in v)
    return None if ok else "a list of strings"


def nonempty_list(what: str) -> Check:
    def check(v: Any) -> str | None:
        return None if isinstance(v, list) and v else f"a non-empty list of {what}"
    return check


def listing(what: str) -> Check:
    def check(v: Any) -> str | None:
        return None if isinstance(v, list) else f"a list of {what}"
    return check


def check_tolerance(ck: Checker, raw: Any, path: KeyPath, *, default: Tolerance) -> Any:
    """{rtol, atol}, each a number >= 0 (not both 0); a missing one keeps the default."""
    if raw is None:
        return default
    tol = ck.mapping(raw, path, what="a mapping {rtol: ..., atol: ...}")
    if tol is None:
        return INVALID
    ck.keys(tol, path, required=(), optional=TOLERANCE_KEYS)
    rtol = ck.field(tol, path, "rtol", _tolerance_number, default.rtol)
    atol = ck.field(tol, path, "atol", _tolerance_number, default.atol)
    if rtol is INVALID or atol is INVALID:
        return INVALID
    if rtol == 0 and atol == 0:
        ck.error(path, "rtol and atol cannot both be 0: floats that differ by rounding "
                       "would be marked wrong")
        return INVALID
    return Tolerance(rtol=float(rtol), atol=float(atol))


def _tolerance_number(v: Any) -> str | None:
    # nan fails every comparison and inf the bound: both would make every answer wrong (or right)
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1e300
    return None if ok else "a number >= 0"
