"""Display values for the student report: text that templates escape, never HTML.

Answers are laid out as numbers, vectors, matrices or steps with the same digits for the
student's value and the expected one, so the two can be compared at a glance; not as fractions
or formulas, which would show a student's 0.28 as 7/25.
"""

from __future__ import annotations

import builtins
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from grader.core.markup import num
from grader.grading.results import CaseResult

MAX_CELLS = 100  # beyond this a matrix is clearer as one line of text than as a grid
# The sandbox ends a message with the innermost frame of the student's own file.
_WHERE = re.compile(r"\s*\(([^()]+\.py), line (\d+), in ([^()]+)\)\s*$")

STATUS_TEXT = {"correct": "Correct", "partial": "Partly right", "wrong": "Not right",
               "format_error": "Could not be read", "missing": "No answer"}
CASE_TEXT = {"passed": "passed", "failed": "wrong result", "exception": "raised an exception",
             "timeout": "timed out", "memory": "ran out of memory", "crashed": "crashed",
             "exited": "exited early", "bad_output": "returned something that is not a number",
             "truncated": "output too large", "not_run": "not run"}
# For the hidden-case summary: "2 timed out", "1 raised an exception".
CASE_PHRASE = {"failed": "gave a wrong result", "exception": "raised an exception",
               "timeout": "timed out", "memory": "ran out of memory", "crashed": "crashed",
               "exited": "exited early", "bad_output": "returned something that is not a number",
               "truncated": "printed or returned too much", "not_run": "were not run"}


@dataclass(frozen=True)
class ValueView:
    """An answer laid out for reading: a number, a vector, a matrix (a grid), a list of steps,
    or text (what the student typed, when it is not numbers)."""

    shape: Literal["text", "number", "vector", "matrix", "steps"]
    text: str
    rows: tuple[tuple[str, ...], ...] = ()  # matrix cells
    items: tuple[str, ...] = ()  # the steps of a sequence
    tones: tuple[str, ...] = ()  # per step: "ok", "bad", "follow" or "" (from the verdict)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _is_vector(x: Any) -> bool:
    return isinstance(x, list) and all(_is_number(v) for v in x)


def value_view(value: Any, *, kind: str = "") -> ValueView:
    """How to show one answer; strings stay exactly what the student typed."""
    if isinstance(value, str):
        return ValueView("text", value)
    text = _text(value)
    if _is_number(value):
        return ValueView("number", text)
    if kind == "sequence" and isinstance(value, list):
        return ValueView("steps", text, items=tuple(_text(v) for v in value))
    if _is_vector(value):
        return ValueView("vector", text)
    if (isinstance(value, list) and value and all(_is_vector(r) for r in value)
            and len({len(r) for r in value}) == 1 and len(value) * len(value[0]) <= MAX_CELLS):
        return ValueView("matrix", text, rows=tuple(tuple(num(v) for v in r) for r in value))
    return ValueView("text", text)


def _text(value: Any) -> str:
    """Plain data as compact readable text: numbers as 0.25, vectors as (1, 2)."""
    if isinstance(value, dict):
        # Sorted, as in the stored JSON, so a re-rendered page is byte-identical to the first.
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in sorted(value.items())) + "}"
    if _is_vector(value):
        return "(" + ", ".join(num(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return num(value) if _is_number(value) else str(value)


def _py(value: Any) -> str:
    """Arguments and return values as Python literals, as in the student's own code."""
    if isinstance(value, list):
        return "[" + ", ".join(_py(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, str):
        return repr(value)
    return num(value) if _is_number(value) else str(value)


@dataclass(frozen=True)
class DetailView:
    text: str
    tone: Literal["follow", "ok", "bad", "note"]


def detail_view(text: str) -> DetailView:
    """A per-step or per-element note, with a tone so follow-through stands out."""
    low = text.lower()
    if "follow-through" in low:
        return DetailView(text, "follow")
    if low.endswith(": correct"):
        return DetailView(text, "ok")
    if any(w in low for w in ("not correct", "missing", "not within", "wrong", "too many")):
        return DetailView(text, "bad")
    return DetailView(text, "note")


@dataclass(frozen=True)
class CaseView:
    id: str
    passed: bool
    status: str
    call: str  # the arguments as text
    output: str | None
    expected: str | None
    message: str  # without the location
    where: str | None  # "solution.py, line 7, in softmax": the student's own line


def split_where(message: str) -> tuple[str, str | None]:
    """A sandbox message and the location in the student's file it ends with, if any."""
    m = _WHERE.search(message)
    if not m:
        return message, None
    return message[:m.start()], f"{m.group(1)}, line {m.group(2)}, in {m.group(3)}"


def case_view(case: CaseResult) -> CaseView:
    message, where = split_where(case.message)
    args = case.args if isinstance(case.args, list) else [case.args]
    return CaseView(id=case.id, passed=case.passed, status=CASE_TEXT.get(case.status, case.status),
                    call=", ".join(_py(a) for a in args),
                    output=None if case.output is None else _py(case.output),
                    expected=None if case.expected is None else _py(case.expected),
                    message=message, where=where)


def _exception_kind(message: str) -> str:
    """A built-in exception's name; any other name could be chosen to smuggle data out."""
    # Public cases say "ValueError: text"; hidden ones only "raised ValueError" (grading/functions).
    name = message.split(":", 1)[0].strip().removeprefix("your code ").removeprefix("raised ")
    name = name.strip()
    obj = getattr(builtins, name, None)
    return name if isinstance(obj, type) and issubclass(obj, BaseException) else "an exception"


@dataclass(frozen=True)
class HiddenView:
    summary: str  # "8 of 10 hidden cases passed; 2 timed out."
    errors: tuple[tuple[str, str], ...]  # (exception type, the student's own line), no messages


def hidden_view(cases: Sequence[CaseResult]) -> HiddenView | None:
    """Hidden cases by count and kind of failure. Their messages are not shown: a student's
    exception text could carry a hidden input out; the exception type and line cannot."""
    if not cases:
        return None
    passed = sum(1 for c in cases if c.passed)
    failures = Counter(c.status for c in cases if not c.passed)
    summary = f"{passed} of {len(cases)} hidden cases passed"
    phrases = [f"{n} {CASE_PHRASE.get(status, status)}" for status, n in
               sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))]
    errors: list[tuple[str, str]] = []
    for c in cases:
        message, where = split_where(c.message)
        if c.status in ("exception", "memory") and where:
            errors.append((_exception_kind(message), where))
    return HiddenView(summary + ("; " + ", ".join(phrases) if phrases else "") + ".",
                      tuple(dict.fromkeys(errors)))

