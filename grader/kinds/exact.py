"""Answers compared exactly: whole numbers, yes/no, one of a list of choices, array shapes."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

import numpy as np

from grader.core.errors import FormatError
from grader.core import schema as S
from grader.core.schema import Field
from grader.kinds.base import Typed, correct, finish, make_verdict
from grader.kinds.numeric import NAN_FEEDBACK
from grader.kinds.parsing import describe_shape, quote, read_numbers, shape_of
from grader.core.model import GradeContext, PartSpec, Verdict


def _whole(value: Any) -> int | None:
    """An int for ints and integral finite floats (not bools); None otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == int(value):
        return int(value)
    return None


class Integer(Typed):
    """A whole number, exactly; 3.0 counts as 3, 3.5 is a wrong answer (not a whole number)."""

    name = "integer"
    uses_tolerance = False

    def parse(self, raw: Any, part: PartSpec) -> Any:
        if isinstance(raw, bool):
            raise FormatError(f"expected a whole number, got the yes/no value {str(raw).lower()}")
        value = raw if isinstance(raw, int) else read_numbers(raw)
        whole = _whole(value)
        return value if whole is None else whole  # non-whole values are graded as wrong

    def normalise_reference(self, value: Any, part: PartSpec) -> int:
        whole = _whole(value)
        if whole is None:
            raise ValueError(f"expected a whole number, got {value!r}")
        return whole

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        if isinstance(answer, list):
            return make_verdict(0.0, f"Expected a single whole number, got "
                                     f"{describe_shape(shape_of(answer) or ())}.")
        if isinstance(answer, float):
            if math.isnan(answer):
                return make_verdict(0.0, NAN_FEEDBACK)
            return make_verdict(0.0, f"Expected a whole number; {answer:g} is not one.")
        if answer == expected:
            return correct()
        return finish(self, answer, expected, part, ctx, score=0.0,
                      feedback="Not the expected whole number; recheck your working.")

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        x, y = _whole(a), _whole(b)
        return x is None or y is None or x != y

    def describe(self, part: PartSpec, expected: Any) -> str:
        return "a whole number, e.g. 3"


_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


class Bool(Typed):
    """True or false; also yes/no, 1/0 and those words as strings, in any case."""

    name = "bool"
    uses_tolerance = False

    def parse(self, raw: Any, part: PartSpec) -> bool:
        if isinstance(raw, (bool, np.bool_)):
            return bool(raw)
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            return raw.strip().lower() in _TRUE
        shown = "nothing" if raw is None else quote(raw)
        raise FormatError(f"expected true or false (yes/no also work), got {shown}")

    def normalise_reference(self, value: Any, part: PartSpec) -> bool:
        if isinstance(value, (bool, np.bool_)) or (_whole(value) in (0, 1)):
            return bool(value)
        raise ValueError(f"expected true or false, got {value!r}")

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        if answer == expected:
            return correct()
        return finish(self, answer, expected, part, ctx, score=0.0,
                      feedback="Not correct: recheck the condition against its definition.")

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        both = isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_))
        return not both or bool(a) != bool(b)

    def describe(self, part: PartSpec, expected: Any) -> str:
        return "true or false"


def _key(text: str) -> str:
    """Spelling-insensitive form: case, spaces, '_' and '-' do not matter."""
    return re.sub(r"[\s_\-]+", "-", text.strip().casefold())


class Choice(Typed):
    """One of the part's `choices`, case-insensitive and trimmed."""

    name = "choice"
    options = {"choices": Field(
        S.ListOf(S.Str(min_length=1), min_items=1, unique=True,
                 wanted="a non-empty list of distinct strings"),
        required=True, description="the allowed answers")}
    uses_tolerance = False

    def parse(self, raw: Any, part: PartSpec) -> str:
        choices = _choices(part)
        for text in _spellings(raw):
            found = _match(text, choices)
            if found is not None:
                return found
        shown = "nothing" if raw is None else quote(raw)
        by_key = {_key(c): c for c in choices}
        hint = difflib.get_close_matches(_key(str(raw)), list(by_key), n=1)
        maybe = f" (did you mean {by_key[hint[0]]!r}?)" if hint else ""
        raise FormatError(f"{shown} is not one of the choices: {', '.join(choices)}{maybe}")

    def normalise_reference(self, value: Any, part: PartSpec) -> str:
        found = _match(value, _choices(part)) if isinstance(value, str) else None
        if found is None:
            raise ValueError(f"{value!r} is not one of the choices {list(_choices(part))}")
        return found

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        if answer == expected:
            return correct()
        return finish(self, answer, expected, part, ctx, score=0.0,
                      feedback="Not the right choice; recheck the definitions of the options.")

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        return a != b

    def describe(self, part: PartSpec, expected: Any) -> str:
        return "one of: " + ", ".join(_choices(part))


def _choices(part: PartSpec) -> list[str]:
    choices = part.options.get("choices")
    if not isinstance(choices, (list, tuple)) or not choices:
        raise ValueError(f"part {part.id!r}: kind 'choice' needs a non-empty 'choices' list")
    return [str(c) for c in choices]


def _spellings(raw: Any) -> list[Any]:
    # YAML reads yes/no/true as booleans and 2 as an int; the student meant the word.
    if isinstance(raw, bool):
        return ["true", "yes", "on"] if raw else ["false", "no", "off"]
    if isinstance(raw, (int, float)) and _whole(raw) is not None:
        return [str(_whole(raw))]
    return [raw] if isinstance(raw, (str, int, float)) else []


def _match(text: Any, choices: list[str]) -> str | None:
    text = str(text)
    exact = [c for c in choices if c.strip().casefold() == text.strip().casefold()]
    loose = [c for c in choices if _key(c) == _key(text)]
    for found in (exact, loose):
        if len(found) == 1:
            return found[0]
    return None


class Shape(Typed):
    """An array shape: a list of whole numbers >= 0; "(2, 3)", "2x3" and "2×3" also read."""

    name = "shape"
    uses_tolerance = False

    def parse(self, raw: Any, part: PartSpec) -> list[int]:
        if isinstance(raw, str):
            return _dims(_split_shape(raw), raw)
        if isinstance(raw, (list, tuple)):
            return _dims(list(raw), raw)
        if _whole(raw) is not None:
            return _dims([raw], raw)
        shown = "nothing" if raw is None else quote(raw)
        raise FormatError(f"expected a shape such as [2, 3] or \"2x3\", got {shown}")

    def normalise_reference(self, value: Any, part: PartSpec) -> list[int]:
        if not isinstance(value, (list, tuple, np.ndarray)):
            # ValueError, not TypeError: the Kind contract says ill-formed references raise it.
            raise ValueError(
                f"expected a shape (a list of whole numbers), got {value!r}")
        dims = [_whole(d) for d in value]
        if any(d is None or d < 0 for d in dims):
            raise ValueError(f"expected a shape (whole numbers >= 0), got {list(value)!r}")
        return [int(d) for d in dims if d is not None]

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        if list(answer) == list(expected):
            return correct()
        return finish(self, answer, expected, part, ctx, score=0.0,
                      feedback="Not the right shape; recheck which dimensions remain and "
                               "their sizes.")

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        both = isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
        return not both or list(a) != list(b)

    def describe(self, part: PartSpec, expected: Any) -> str:
        return 'a shape: a list of whole numbers, e.g. [2, 3] (or "2x3"); [] for a single number'


def _split_shape(text: str) -> list[Any]:
    inner = text.strip()
    if inner[:1] in "([" and inner[-1:] in ")]":
        inner = inner[1:-1]
    pieces = [p.strip() for p in re.split(r"[,x×X*]", inner)]
    if pieces and pieces[-1] == "" and len(pieces) > 1:
        pieces.pop()  # "(5,)" is the one-dimensional shape 5
    return [] if pieces == [""] else pieces


def _dims(items: list[Any], raw: Any) -> list[int]:
    dims: list[int] = []
    for item in items:
        value = int(item) if isinstance(item, str) and item.isdigit() else _whole(item)
        if value is None or value < 0:
            raise FormatError(f"a shape is a list of whole numbers >= 0, such as [2, 3]; "
                              f"could not read {quote(item)} in {quote(raw)}")
        dims.append(value)
    return dims
