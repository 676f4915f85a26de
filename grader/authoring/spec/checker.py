"""Collects diagnostics while a spec is read: typed field access, key checks, suggestions.

Every check records what it finds and carries on, so one run reports every
problem in the file. A field that fails its check reads as `INVALID`; callers
skip the work that depends on it (and build nothing when any error was found).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.core.errors import Diagnostic
from grader.core.model import Tolerance
from grader.core.schema import MISSING, Record, Type, describe, suggest
from grader.authoring.spec.declared import MAX_POINTS, MAX_TIME_LIMIT, TOLERANCE
from grader.authoring.spec.yamlload import INVALID, Document, KeyPath

__all__ = ["INVALID", "MAX_POINTS", "MAX_TIME_LIMIT", "Check", "Checker", "check_tolerance",
           "describe", "suggest"]

# A check takes a value and returns what was expected ("a number > 0"), or None if it fits.
Check = Callable[[Any], "str | None"]


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

    def mapping(self, value: Any, path: KeyPath, declared: Type) -> dict | None:
        """value when it is a mapping; otherwise report "expected <what is declared>"."""
        if isinstance(value, dict) or value is INVALID:  # INVALID: reported by the YAML loader
            return None if value is INVALID else value
        self.error(path, f"expected {declared.wanted}, got {describe(value)}")
        return None

    def keys(self, mapping: dict, path: KeyPath, record: Record, *,
             elsewhere: Callable[[str], str | None] | None = None) -> None:
        """Report keys the record does not declare (with the closest one) and missing ones."""
        for key in mapping:
            if key in record.fields:
                continue
            note = elsewhere(key) if elsewhere else None
            mark = self.doc.mark(path + (key,), key=True)
            self.error(path, note or record.unknown(key),
                       at=(mark.line, mark.column) if mark else None)
        for key in record.required:
            if key not in mapping:
                self._missing(path, key)

    def _missing(self, path: KeyPath, key: str) -> None:
        if path:
            self.error(path, f"missing required key '{key}'", key=True)
            return
        # Missing at the top level: no line to point at, the whole file lacks it.
        self.doc.diagnostics.append(Diagnostic(self.doc.path, 0, 0, "",
                                               f"missing required key '{key}'"))

    def get(self, mapping: dict, path: KeyPath, record: Record, key: str) -> Any:
        """mapping[key] if it is what the record declares; its default when absent; else INVALID."""
        declared = record.fields[key]
        if key not in mapping:
            return INVALID if declared.default is MISSING else declared.default
        return self.value(mapping[key], path + (key,), declared.type.expected)

    def value(self, value: Any, path: KeyPath, check: Check) -> Any:
        if value is INVALID:
            return INVALID
        expected = check(value)
        if expected is None:
            return value
        self.error(path, f"expected {expected}, got {describe(value)}")
        return INVALID


def check_tolerance(ck: Checker, raw: Any, path: KeyPath, *, default: Tolerance) -> Any:
    """{rtol, atol}, each a number >= 0 (not both 0); a missing one keeps the default."""
    if raw is None:
        return default
    tol = ck.mapping(raw, path, TOLERANCE)
    if tol is None:
        return INVALID
    ck.keys(tol, path, TOLERANCE)
    rtol = tol.get("rtol", default.rtol)
    atol = tol.get("atol", default.atol)
    rtol, atol = (ck.value(v, path + (k,), TOLERANCE.fields[k].type.expected) if k in tol else v
                  for k, v in (("rtol", rtol), ("atol", atol)))
    if rtol is INVALID or atol is INVALID:
        return INVALID
    if rtol == 0 and atol == 0:
        ck.error(path, "rtol and atol cannot both be 0: floats that differ by rounding "
                       "would be marked wrong")
        return INVALID
    return Tolerance(rtol=float(rtol), atol=float(atol))
