"""The data every module shares: parsed exercises, variants and verdicts.

All frozen dataclasses; behaviour lives in the modules that own it (spec.py
builds these, variant.py draws them, kinds/ grade with them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from collections.abc import Callable, Mapping

Status = Literal["correct", "partial", "wrong", "format_error", "missing"]


@dataclass(frozen=True)
class Tolerance:
    """Relative and absolute tolerance: |a - b| <= atol + rtol * |b|."""

    rtol: float
    atol: float


HAND_TOLERANCE = Tolerance(rtol=1e-2, atol=1e-6)
FUNCTION_TOLERANCE = Tolerance(rtol=1e-6, atol=1e-9)
STUDENT_TIME_LIMIT = 10.0  # seconds of wall clock a student's code gets by default (sandbox:)


@dataclass(frozen=True)
class MistakeSpec:
    """A wrong answer the spec anticipates: an expression and what to tell the student."""

    name: str
    answer: Any  # a compiled grader.core.expr.Expr
    feedback: str


@dataclass(frozen=True)
class Case:
    """One call of a student's function: positional arguments, plain data."""

    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    why: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    signature: str
    docstring: str
    reference: str  # solver name
    returns: Any  # "scalar" | "vector" | "matrix" | "list_of_vectors" | {"tuple": [...]}
    tolerance: Tolerance
    public: tuple[Case, ...]
    hidden: tuple[Case, ...]
    random_count: int = 0
    random_args: Mapping[str, Any] = field(default_factory=dict)  # name -> generator
    time_limit: float = 2.0


@dataclass(frozen=True)
class PartSpec:
    id: str
    kind: str
    prompt: str
    solution: Any  # compiled Expr, None for function parts
    points: float
    tolerance: Tolerance
    mistakes: tuple[MistakeSpec, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)  # kind-specific keys
    function: FunctionSpec | None = None


@dataclass(frozen=True)
class ParamSpec:
    name: str
    generator: str
    args: Mapping[str, Any]
    instance: Any  # the constructed generator (has .draw(rng, env))

    @property
    def auxiliary(self) -> bool:
        return self.name.startswith("_")


@dataclass(frozen=True)
class Constraint:
    text: str
    expr: Any  # compiled Expr


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    topic: str
    tags: tuple[str, ...]
    difficulty: int
    by_hand: bool
    params: Mapping[str, ParamSpec]
    where: tuple[Constraint, ...]
    prompt: str
    parts: tuple[PartSpec, ...]
    path: Path
    source_hash: str  # sha256 of the file's bytes
    max_resample: int = 200

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    def part(self, part_id: str) -> PartSpec:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)


@dataclass(frozen=True)
class MistakeValue:
    """A mistake evaluated for one variant."""

    name: str
    value: Any  # plain data
    feedback: str


@dataclass(frozen=True)
class GradeContext:
    mistakes: tuple[MistakeValue, ...] = ()
    step: Callable[[Any], Any] | None = None  # sequences: next step from the previous one
    start: Any = None  # sequences: the state before step 1
    # sequences: the number of steps is itself a graded answer (the perceptron's n_updates)
    # and the expected answers are not revealed: feedback must not state it
    count_hidden: bool = False


@dataclass(frozen=True)
class Verdict:
    score: float  # fraction of the part's points, 0..1
    status: Status
    feedback: str
    mistake: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Variant:
    exercise_id: str
    params: Mapping[str, Any]  # plain data, auxiliary (_name) params included
    prompt: str  # Markdown, Jinja already applied
    part_prompts: Mapping[str, str]
    answers: Mapping[str, Any]  # part id -> plain reference answer
    mistakes: Mapping[str, tuple[MistakeValue, ...]]
