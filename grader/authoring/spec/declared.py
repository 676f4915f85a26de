"""The spec format declared once (grader.core.schema): the loader's key checks and the JSON Schema.

The loader (build.py, parts.py, function.py, checker.py) reads every key, type, range and
default from these records; `exercise_schema()` writes grader/schema/exercise.schema.json from
them. Expressions, templates and generator arguments are checked by the loader's hooks; here
they are only named, so that editors can complete them.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import replace
from functools import cache

from grader.core import schema as S
from grader.core.schema import Field, Record, Ref
from grader.kinds import KINDS as KIND_REGISTRY
from grader.authoring.spec.tables import (
    DEFAULT_DIFFICULTY,
    DEFAULT_MAX_RESAMPLE,
    EXERCISE_ID,
    NAME,
    PART_ID,
    RETURNS,
    TOPICS,
    TUPLE_ITEMS,
)

# Points above this are a typo (or 1e308, whose totals overflow to inf); the assignment file
# uses the same bound and so do both JSON Schemas.
MAX_POINTS = 1_000_000
MAX_TIME_LIMIT = 600  # seconds per case: the sandbox's ceiling, as sandbox.time_limit's

EXPRESSION = Ref("expression")
EXPRESSION_OR_VALUE = Ref("expressionOrValue")
TEXT = S.Str(wanted="a non-empty string", nonblank=True)
POINTS = S.Number(0, MAX_POINTS, low_open=True, wanted=f"a number > 0 and <= {MAX_POINTS}")
SECONDS = S.Number(0, MAX_TIME_LIMIT, low_open=True,
                   wanted=f"seconds > 0 and <= {MAX_TIME_LIMIT:g}")
# nan fails every comparison and inf the bound: both would make every answer wrong (or right)
TOLERANCE_NUMBER = S.Number(0, wanted="a number >= 0", below=1e300)

TOLERANCE = Record({
    "rtol": Field(TOLERANCE_NUMBER, description="relative tolerance"),
    "atol": Field(TOLERANCE_NUMBER, description="absolute tolerance"),
}, wanted="a mapping {rtol: ..., atol: ...}",
    description="|answer - expected| <= atol + rtol * |expected|; a missing key keeps the "
                "default.")

MISTAKE = Record({
    "name": Field(TEXT, required=True, description="short name, shown in reports"),
    "answer": Field(EXPRESSION_OR_VALUE, required=True,
                    description="the value a student making this mistake gives"),
    "feedback": Field(TEXT, required=True, description="what the student is told"),
}, wanted="a mistake (a mapping with name, answer, feedback)")

CASE = Record({
    "args": Field(S.ListOf(wanted="a list of arguments (one item per parameter)"), required=True,
                  description="positional arguments"),
    "kwargs": Field(S.MapOf(wanted="a mapping of keyword arguments"), default={},
                    description="keyword arguments"),
    "why": Field(S.Str(), default="", description="what this case tests (hidden from students)"),
}, wanted="a case {args: [...], kwargs: {...}, why: ...}")

PARAMS = S.MapOf(Ref("generator"), key_pattern=NAME.pattern, nullable=True,
                 wanted="a mapping of names to generators, like n: {integers: {low: 1, high: 5}}",
                 description="Random parameters, drawn in the order written; a name starting "
                             "with '_' is auxiliary.")

RANDOM = Record({
    "count": Field(S.Int(1, 1000), required=True),
    "args": Field(Ref("params"), required=True),
}, wanted="a mapping {count: N, args: {name: generator}}",
    description="cases drawn from the variant's seed")

TUPLE_ITEM = S.Enum(TUPLE_ITEMS)
FUNCTION = Record({
    "name": Field(S.Custom(lambda v: isinstance(v, str) and v.isidentifier()
                           and not keyword.iskeyword(v),
                           {"type": "string", "pattern": NAME.pattern},
                           wanted="a Python function name"),
                  required=True, description="the function's name in solution.py"),
    "signature": Field(TEXT, required=True,
                       description="name(params), optionally followed by '-> what it returns'"),
    "reference": Field(TEXT, required=True, description="the solver computing the expected "
                                                        "results"),
    "returns": Field(S.AnyOf((S.Enum(RETURNS), Record({
        "tuple": Field(S.ListOf(TUPLE_ITEM, min_items=2), required=True)}))),
        required=True, description="what the function returns"),
    "docstring": Field(S.Str(), default="", description="the stub's docstring"),
    "items": Field(S.ListOf(TUPLE_ITEM, min_items=2),
                   description="with returns: tuple, the kind of each returned value"),
    "tolerance": Field(Ref("tolerance"), description="default rtol 1e-6, atol 1e-9"),
    "public": Field(S.ListOf(Ref("case")),
                    description="cases shown to students, runnable by grader check"),
    "hidden": Field(S.ListOf(Ref("case")), description="fixed edge cases, never shown"),
    "random": Field(RANDOM),
    "time_limit": Field(SECONDS, default=2.0, description="seconds per case"),
}, wanted="a mapping (name, signature, reference, returns, ...)",
    description="The function the student writes, and the cases it is run on.")

# ---------------------------------------------------------------- parts


# The keys each kind adds to a part (docs/spec.md, "Kind-specific keys"): each kind declares
# its own (`options` on the kind's class, grader/kinds/), read here from the one registry.
KIND_OPTIONS: dict[str, dict[str, Field]] = {name: dict(kind.options)
                                             for name, kind in KIND_REGISTRY.items()}
# A part answered by code has no solution or mistakes: its block holds the reference and cases.
NO_SOLUTION = frozenset(name for name, kind in KIND_REGISTRY.items() if kind.runs_code)
KINDS = tuple(sorted(KIND_OPTIONS))
KIND_KEYS: dict[str, tuple[str, ...]] = {k: tuple(o) for k, o in KIND_OPTIONS.items()}


PART_COMMON = Record({
    "id": Field(S.Str(wanted="a part id: letters, digits and '_', starting with a letter",
                      pattern=PART_ID.pattern), required=True,
                description="unique in the exercise; the key in answers.yaml"),
    "kind": Field(S.Enum(KINDS), required=True, description="the answer kind"),
    "prompt": Field(S.Str(), default="",
                    description="Markdown with $math$ and {{ placeholders }}"),
    "solution": Field(EXPRESSION_OR_VALUE, required=True,
                      description="the reference answer: an expression over the parameters and "
                                  "solvers"),
    "points": Field(POINTS, default=1),
    "mistakes": Field(S.ListOf(Ref("mistake")),
                      description="anticipated wrong answers and their feedback"),
}, wanted="a part (a mapping with id, kind, solution, ...)")


@cache  # records are frozen; a library load asks for the same few many times
def part_record(kind: str | None) -> Record:
    """The keys a part of this kind takes (required first); kind None: every kind's keys."""
    common = dict(PART_COMMON.fields)
    if kind is None:
        every = {n: f for o in KIND_OPTIONS.values() for n, f in o.items()}
        every = {n: replace(every[n], required=False) for n in sorted(every)}
        keys = {**common, "solution": replace(common["solution"], required=False), **every}
        return Record(_required_first(keys), wanted=PART_COMMON.wanted)
    if kind in NO_SOLUTION:
        del common["solution"], common["mistakes"]
    return Record(_required_first({**common, **KIND_OPTIONS[kind]}), wanted=PART_COMMON.wanted)


def _required_first(fields: Mapping[str, Field]) -> dict[str, Field]:
    return {**{k: f for k, f in fields.items() if f.required},
            **{k: f for k, f in fields.items() if not f.required}}


# ---------------------------------------------------------------- the top level

TOPIC = S.Enum(TOPICS)

TOP = Record({
    "id": Field(S.Str(wanted="an id of lowercase letters, digits and '-' (like 'info-entropy')",
                      pattern=EXERCISE_ID.pattern), required=True,
                description="unique id; equals the file name without .yaml"),
    "title": Field(TEXT, required=True, description="one line"),
    "topic": Field(TOPIC, required=True, description="equals the folder the file is in"),
    "prompt": Field(TEXT, required=True, description="Markdown with $math$ and Jinja2 "
                                                     "placeholders such as {{ p | latex }}"),
    "parts": Field(S.ListOf(Ref("part"), min_items=1, wanted="a non-empty list of parts"),
                   required=True),
    "tags": Field(S.ListOf(S.Str(min_length=1), wanted="a list of strings"), default=(),
                  description="for pick: in assignments", json_default=None),
    "difficulty": Field(S.Int(1, 5), default=DEFAULT_DIFFICULTY),
    "by_hand": Field(S.Bool(), default=True, description="numbers sized for hand work"),
    "params": Field(Ref("params")),
    "where": Field(S.ListOf(EXPRESSION, nullable=True), description="constraints over the "
                   "parameters; draws are repeated until all hold"),
    "max_resample": Field(S.Int(1, 100_000), default=DEFAULT_MAX_RESAMPLE,
                          description="draws before giving up on the constraints"),
}, wanted="a mapping of keys (id, title, topic, prompt, parts, ...) at the top of the file")
