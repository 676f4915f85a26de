"""`grader validate`: lint specs, then draw variants and check each is well posed.

Per sampled variant: the constraints can be met, every reference answer is well formed, the
reference graded by its own kind scores full marks, every listed mistake differs from the
answer beyond tolerance and is recognised as that mistake, and the prompts' math renders.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import SpecError, UserError, display_path


@dataclass
class SpecReport:
    path: str
    exercise_id: str = ""
    samples: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        status = "ok " if self.ok else "FAIL"
        head = f"{status} {self.exercise_id or self.path}  ({self.samples} variants, " \
               f"{self.seconds:.2f} s)"
        return "\n".join([head, *(f"     - {p}" for p in self.problems[:10])] +
                         ([f"     ... and {len(self.problems) - 10} more"]
                          if len(self.problems) > 10 else []))


@dataclass
class ValidationReport:
    specs: list[SpecReport] = field(default_factory=list)
    load_errors: str = ""

    @property
    def ok(self) -> bool:
        return not self.load_errors and all(s.ok for s in self.specs)

    def summary(self) -> str:
        bad = sum(1 for s in self.specs if not s.ok)
        n = len(self.specs)
        head = f"{n} spec{'s' if n != 1 else ''} checked, {bad} with problems"
        if self.load_errors:
            head = f"{self.load_errors}\n{head} (and the files above did not load)"
        return head


def validate_paths(paths: Sequence[Path], *, samples: int = 50,
                   progress: Callable[[str], None] = lambda s: None) -> ValidationReport:
    """Validate every spec under paths (default: the packaged library)."""
    from grader.spec import library_dirs, load_exercise, spec_files

    report = ValidationReport()
    errors: list[str] = []
    for f in spec_files(paths or library_dirs()):
        try:
            exercise = load_exercise(f)
        except SpecError as exc:
            errors.append(str(exc))
            report.specs.append(SpecReport(path=display_path(f), problems=["does not load"]))
            continue
        rep = check_exercise(exercise, samples=samples)
        report.specs.append(rep)
        progress(rep.line())
    report.load_errors = "\n".join(errors)
    return report


def check_exercise(exercise: Any, *, samples: int) -> SpecReport:
    """Draw `samples` variants (seeds 0..samples-1) and check each."""
    from grader.seeding import make_rng

    rep = SpecReport(path=display_path(exercise.path), exercise_id=exercise.id)
    start = time.perf_counter()
    seen: set[str] = set()
    for seed in range(samples):
        for problem in check_variant(exercise, make_rng(seed)):
            msg = f"seed {seed}: {problem}"
            if problem not in seen:  # one line per distinct problem keeps reports readable
                seen.add(problem)
                rep.problems.append(msg)
        rep.samples += 1
    rep.seconds = time.perf_counter() - start
    return rep


def check_variant(exercise: Any, rng: Any) -> list[str]:
    """Every problem with one variant, as short sentences (empty when it is well posed)."""
    from grader import variant as V
    from grader.kinds import KINDS, grade_raw
    from grader.markup import math_errors

    try:
        var = V.make_variant(exercise, rng)
    except (UserError, ValueError, ArithmeticError) as exc:
        return [f"cannot draw a variant: {exc}"]
    problems = [f"math does not render: {m}" for m in math_errors(var.prompt)]
    for text in var.part_prompts.values():
        problems += [f"math does not render: {m}" for m in math_errors(text)]
    for part in exercise.parts:
        if part.kind == "function":
            problems += _check_function_part(exercise, part, rng)
            continue
        expected = var.answers[part.id]
        ctx = V.grade_context(exercise, part, var.params, var.mistakes[part.id])
        verdict = grade_raw(KINDS[part.kind], expected, expected, part, ctx)
        if verdict.status != "correct":
            problems.append(f"{part.id}: the reference answer scores {verdict.score:.2f} "
                            f"by its own kind ({verdict.feedback})")
        for m in var.mistakes[part.id]:
            problems += _check_mistake(part, m, expected, ctx)
    return problems


def _check_mistake(part: Any, m: Any, expected: Any, ctx: Any) -> list[str]:
    from grader.kinds import KINDS, grade_raw

    kind = KINDS[part.kind]
    if m.value is None:  # the spec says this mistake cannot be made in this variant
        return []
    if not kind.differs(m.value, expected, part):
        return [f"{part.id}: mistake {m.name!r} equals the answer"]
    verdict = grade_raw(kind, m.value, expected, part, ctx)
    if verdict.mistake != m.name:
        return [f"{part.id}: mistake {m.name!r} is graded as {verdict.mistake or verdict.status!r}"]
    return []


def _check_function_part(exercise: Any, part: Any, rng: Any) -> list[str]:
    """The reference implementation runs on every case and returns a well-formed value."""
    from grader.functions import build_cases, check_reference_on_cases

    try:
        cases = build_cases(part.function, rng)
    except (ValueError, UserError) as exc:
        return [f"{part.id}: cannot build cases: {exc}"]
    return [f"{part.id}: {p}" for p in check_reference_on_cases(part.function, cases)]
