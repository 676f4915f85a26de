"""Sequence answers: an iterative procedure graded step by step, with follow-through.

A step earns its share when it matches the reference step, or (follow-through)
when it matches what the procedure gives from the student's own previous step:
one slip early on costs one step, not the whole sequence.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from grader.core.errors import FormatError
from grader.core import schema as S
from grader.core.schema import Field, Ref
from grader.kinds.base import TOLERANCE_OPTION, Kind, Typed, correct, make_verdict, recognise
from grader.kinds.parsing import MAX_NUMBERS, quote, read_numbers
from grader.kinds.records import ITEM_KINDS, Record, SimpleItem, StepItem
from grader.core.model import GradeContext, PartSpec, Verdict

Mark = Literal["correct", "follow", "wrong"]
# What one step of a sequence (or one field of a step record) may be, as the spec names it.
ITEM_KIND = S.Enum(tuple(ITEM_KINDS))


def item_of(part: PartSpec) -> StepItem:
    """The item reader/comparer named by the part's `item` option."""
    spec = part.options.get("item")
    if isinstance(spec, str) and spec in ITEM_KINDS:
        return SimpleItem(ITEM_KINDS[spec])
    if isinstance(spec, dict) and set(spec) == {"fields"} and isinstance(spec["fields"], dict):
        return Record({str(k): _field_kind(v, part) for k, v in spec["fields"].items()})
    raise ValueError(f"part {part.id!r}: 'item' must be one of {sorted(ITEM_KINDS)} or "
                     f"{{fields: {{name: kind}}}}, got {spec!r}")


def _field_kind(name: Any, part: PartSpec) -> Kind:
    if name not in ITEM_KINDS:
        raise ValueError(f"part {part.id!r}: field kind must be one of {sorted(ITEM_KINDS)}, "
                         f"got {name!r}")
    return ITEM_KINDS[name]


class Sequence(Typed):
    """Steps of an iterative procedure (gradient descent, power iteration, perceptron)."""

    name = "sequence"
    options = {
        "item": Field(S.AnyOf((ITEM_KIND, S.Record({"fields": Field(
            S.MapOf(ITEM_KIND, min_items=1), required=True)}))), required=True,
            description="the kind of each step, or {fields: {name: kind}} for records"),
        "start": Field(Ref("expressionOrValue"), description="the state before step 1"),
        "step": Field(Ref("expression"), description="the next step from the previous one, "
                                                     "`prev` (for follow-through)"),
        "tolerance": TOLERANCE_OPTION,
    }
    uses_tolerance = True

    def parse(self, raw: Any, part: PartSpec) -> list[Any]:
        item = item_of(part)
        if isinstance(raw, str) and isinstance(item, SimpleItem):
            raw = read_numbers(raw)
        if not isinstance(raw, (list, tuple)):
            shown = "nothing" if raw is None else quote(raw)
            raise FormatError(f"expected a list with one entry per step, got {shown}")
        if len(raw) > MAX_NUMBERS:
            raise FormatError(f"more than {MAX_NUMBERS} steps: no answer here is that long")
        steps = []
        for i, value in enumerate(raw):
            try:
                steps.append(item.parse(value, part))
            except FormatError as err:
                raise FormatError(f"step {i + 1}: {err}") from None
        return steps

    def normalise_reference(self, value: Any, part: PartSpec) -> list[Any]:
        if hasattr(value, "tolist"):
            value = value.tolist()
        if not isinstance(value, (list, tuple)):
            # ValueError, not TypeError: the Kind contract says ill-formed references raise it.
            raise ValueError(f"expected a list of steps, got {value!r}")
        item = item_of(part)
        steps = []
        for i, step in enumerate(value):
            try:
                steps.append(item.normalise(step, part))
            except (ValueError, TypeError) as err:
                raise ValueError(f"step {i + 1}: {err}") from None
        return steps

    def grade(self, answer: Any, expected: Any, part: PartSpec, ctx: GradeContext) -> Verdict:
        item = item_of(part)
        marks = self._marks(item, answer, expected, part, ctx)
        n, m = len(expected), len(answer)
        details = _details(marks, n, m, hidden=ctx.count_hidden)
        credited = sum(mark != "wrong" for mark in marks)
        score = credited / max(n, m) if max(n, m) else 1.0
        if score == 1.0:
            return correct(details if "follow" in marks else ())
        listed = recognise(self, answer, expected, part, ctx)
        if listed is not None:
            return make_verdict(score, listed[1], mistake=listed[0], details=details)
        # Naming an off-by-one would give the hidden count away (it is one more or less).
        if abs(n - m) == 1 and all(mark == "correct" for mark in marks) \
                and not ctx.count_hidden:
            return make_verdict(score, _off_by_one(n, m), mistake="off by one iteration",
                                details=details)
        return self._wrong_steps(item, answer, expected, part, ctx, marks, score, details)

    def _marks(self, item: StepItem, answer: list[Any], expected: list[Any], part: PartSpec,
               ctx: GradeContext) -> list[Mark]:
        marks: list[Mark] = []
        for i in range(min(len(answer), len(expected))):
            if not item.differs(answer[i], expected[i], part):
                marks.append("correct")
            elif i > 0 and _follows(item, answer[i - 1], answer[i], part, ctx):
                marks.append("follow")
            else:
                marks.append("wrong")
        return marks

    def _wrong_steps(self, item: StepItem, answer: list[Any], expected: list[Any],
                     part: PartSpec, ctx: GradeContext, marks: list[Mark], score: float,
                     details: list[str]) -> Verdict:
        n, m = len(expected), len(answer)
        right = sum(mark != "wrong" for mark in marks)
        follow = marks.count("follow")
        of = f"your {m}" if ctx.count_hidden else f"{n}"
        text = f"{right} of {of} steps {'is' if right == 1 else 'are'} right"
        if follow:
            text += f" ({follow} by follow-through: right given your own previous step)"
        text += "."
        mistake = None
        if "wrong" in marks:
            i = marks.index("wrong")
            target = _target(item, answer, expected, marks, i, part, ctx)
            verdict = item.grade(answer[i], target, part)
            mistake = verdict.mistake
            text += f" Step {i + 1} is the first that is not"
            text += f": {verdict.feedback}" if mistake else "."
        if m != n and ctx.count_hidden:
            text += " The number of steps is not right either."
        elif m != n:
            text += f" You gave {_steps(m)}; {n} were asked."
        return make_verdict(score, text, mistake=mistake, details=details)

    def differs(self, a: Any, b: Any, part: PartSpec) -> bool:
        if not isinstance(a, list) or not isinstance(b, list) or len(a) != len(b):
            return True
        item = item_of(part)
        return any(item.differs(x, y, part) for x, y in zip(a, b))

    def describe(self, part: PartSpec, expected: Any) -> str:
        item = item_of(part)
        first = expected[0] if isinstance(expected, list) and expected else None
        each = item.describe(part, first) if first is not None else "one value"
        return f"a list with one entry per step, each {each}"


def _follows(item: StepItem, prev: Any, current: Any, part: PartSpec,
             ctx: GradeContext) -> bool:
    """Whether `current` is the procedure's step from the student's `prev`.

    Only a step that moves counts: from a fixed point of the procedure (the minimiser, the
    eigenvector) or from NaN the step repeats `prev`, so copying one value into every step
    would otherwise earn all steps after the first without doing any of them.
    """
    target = _step_from(item, prev, part, ctx)
    return (target is not None and _finite(target) and item.differs(target, prev, part)
            and not item.differs(current, target, part))


def _finite(value: Any) -> bool:
    """True when every number in a step (a value, a list, a record's fields) is finite."""
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError):
        return False


def _step_from(item: StepItem, prev: Any, part: PartSpec, ctx: GradeContext) -> Any:
    """The procedure's next step from a student's step; None when there is none to give."""
    if ctx.step is None:
        return None
    try:
        return item.normalise(ctx.step(prev), part)
    except Exception:
        return None


def _target(item: StepItem, answer: list[Any], expected: list[Any], marks: list[Mark], i: int,
            part: PartSpec, ctx: GradeContext) -> Any:
    """What step i should have been: the reference, or follow-through from a wrong step."""
    if i == 0 or marks[i - 1] == "correct":
        return expected[i]
    target = _step_from(item, answer[i - 1], part, ctx)
    return expected[i] if target is None else target


def _details(marks: list[Mark], n: int, m: int, *, hidden: bool = False) -> list[str]:
    words = {"correct": "correct", "wrong": "not correct"}
    details = [f"step {i + 1}: correct given your step {i} (follow-through)" if mark == "follow"
               else f"step {i + 1}: {words[mark]}" for i, mark in enumerate(marks)]
    if hidden:  # where the answer ends would say how many steps it has
        return details + [f"step {i + 1}: not correct" for i in range(n, m)]
    details += [f"step {i + 1}: missing" for i in range(m, n)]
    details += [f"step {i + 1}: one more than asked" for i in range(n, m)]
    return details


def _off_by_one(n: int, m: int) -> str:
    overlap = min(n, m)
    more = "one iteration too many" if m > n else "one iteration too few"
    return (f"Your first {overlap} step{'s are' if overlap != 1 else ' is'} right, but you gave "
            f"{_steps(m)} where {n} were asked: {more}. Check how many iterations the question "
            "asks for and where the count starts.")


def _steps(count: int) -> str:
    return f"{count} step{'' if count == 1 else 's'}"
