"""`grader validate`: lint specs, then draw variants and check each is well posed.

Per sampled variant: the constraints can be met, every reference answer is well formed, the
reference graded by its own kind scores full marks, every listed mistake differs from the
answer beyond tolerance and is recognised as that mistake, and the prompts' math renders.
Across the samples: no answer a student could give without working (authoring/trivial.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.authoring.trivial import TrivialAnswers
from grader.core.errors import SpecError, UserError, display_path
from grader.core.timelimit import TooSlow, time_limit
from grader.kinds import runs_code


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
    from grader.authoring.spec import library_dirs, load_exercise, spec_files

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
    from grader.core.seeding import make_rng

    rep = SpecReport(path=display_path(exercise.path), exercise_id=exercise.id)
    start = time.perf_counter()
    seen: set[str] = set()
    timing = Timing(rep.path)
    trivial = TrivialAnswers()
    for seed in range(samples):
        for problem in check_variant(exercise, make_rng(seed), timing=timing, trivial=trivial):
            msg = f"seed {seed}: {problem}"
            if problem not in seen:  # one line per distinct problem keeps reports readable
                seen.add(problem)
                rep.problems.append(msg)
        rep.samples += 1
    rep.problems += trivial.problems()
    rep.seconds = time.perf_counter() - start
    return rep


def check_variant(exercise: Any, rng: Any, *, timing: Timing | None = None,
                  trivial: TrivialAnswers | None = None) -> list[str]:
    """Every problem with one variant, as short sentences (empty when it is well posed)."""
    from grader.authoring import variant as V
    from grader.kinds import KINDS, grade_raw
    from grader.core.markup import math_errors

    timing = timing or Timing(display_path(exercise.path))
    timing.new_variant()
    start = time.perf_counter()
    try:
        var = V.make_variant(exercise, rng)
    except (UserError, ValueError, ArithmeticError) as exc:
        return [f"cannot draw a variant: {exc}"]
    answers = time.perf_counter() - start
    if trivial is not None:
        trivial.samples += 1  # the variants drawn: a part 0 in all of them is by design
    problems = [f"math does not render: {m}" for m in math_errors(var.prompt)]
    for text in var.part_prompts.values():
        problems += [f"math does not render: {m}" for m in math_errors(text)]
    for part in exercise.parts:
        if runs_code(part):
            problems += _check_function_part(exercise, part, rng, timing)
            continue
        expected = var.answers[part.id]
        if trivial is not None:
            trivial.add(part, expected)
        ctx = V.grade_context(exercise, part, var.params, var.mistakes[part.id])
        verdict = grade_raw(KINDS[part.kind], expected, expected, part, ctx)
        if verdict.status != "correct":
            problems.append(f"{part.id}: the reference answer scores {verdict.score:.2f} "
                            f"by its own kind ({verdict.feedback})")
        for m in var.mistakes[part.id]:
            problems += _check_mistake(part, m, expected, ctx)
    return timing.variant_problems(answers) + problems


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


def _check_function_part(exercise: Any, part: Any, rng: Any, timing: Timing) -> list[str]:
    """The reference runs on every case, quickly enough, and returns a well-formed value."""
    from grader.authoring.cases import build_cases
    from grader.kinds.function import form_problem

    fn = part.function
    try:
        cases = build_cases(fn, rng)
    except (ValueError, UserError) as exc:
        return [f"{part.id}: cannot build cases: {exc}"]
    problems = []
    for case in timing.to_run(part.id, cases):
        if part.id in timing.slow_parts:
            break
        value, seconds, error = _timed_reference(fn, case)
        timing.cases[(part.id, case.id)] = seconds
        problems += timing.case_problems(part.id, case.id, seconds, fn.time_limit)
        if error:
            problems.append(f"{part.id}: {case.id}: reference raised {error}")
        elif error is None and (p := form_problem(value, fn.returns)):
            problems.append(f"{part.id}: {case.id}: reference returned {value!r}: {p}")
    return problems


# A reference may take at most this share of the time a student's code gets for the same work:
# slower, and every student's equivalent code times out on that case (a zero nobody earned),
# while grading spends the reference's time again for every student.
LIMIT_SHARE = 4


@dataclass
class Timing:
    """The timing checks of one exercise across its sampled variants.

    Fixed (public and hidden) cases are the same in every variant, so each is run once, not once
    per seed; after a part's first slow case (reported once) its cases are not run again, so a
    reference that never returns costs one per-case limit, not one per case and seed.
    """

    path: str
    done: set[tuple[str, str]] = field(default_factory=set)
    # Seconds each case's reference took: the fixed cases' (kept) plus this variant's random ones.
    cases: dict[tuple[str, str], float] = field(default_factory=dict)
    slow_parts: set[str] = field(default_factory=set)
    slow_variant: bool = False

    def new_variant(self) -> None:
        """Forget the last variant's random cases; the fixed ones are in every variant."""
        self.cases = {k: t for k, t in self.cases.items() if not k[1].startswith("random-")}

    def to_run(self, part_id: str, cases: list[Any]) -> list[Any]:
        if part_id in self.slow_parts:  # its first slow case is reported; fix that first
            return []
        todo = [c for c in cases if (part_id, c.id) not in self.done]
        self.done |= {(part_id, c.id) for c in cases if not c.id.startswith("random-")}
        return todo

    def case_problems(self, part_id: str, case_id: str, seconds: float,
                      limit: float) -> list[str]:
        if seconds <= limit / LIMIT_SHARE:
            return []
        self.slow_parts.add(part_id)
        took = f"more than {limit:g} s (stopped)" if seconds >= limit else f"{seconds:.2f} s"
        return [f"{self.path}: {part_id}: case {case_id}: the reference takes {took}, more than "
                f"1/{LIMIT_SHARE} of the {limit:g} s a student's code gets per case "
                "(function.time_limit): students' code would time out on it and grading "
                "recomputes it for every student; make the case smaller"]

    def variant_problems(self, answers: float) -> list[str]:
        """A variant whose answers, or whose function cases together, are too slow (once)."""
        from grader.core.model import STUDENT_TIME_LIMIT

        wall = STUDENT_TIME_LIMIT  # validate sees no assignment: the default
        cases = sum(self.cases.values())
        if self.slow_variant or max(answers, cases) <= wall / LIMIT_SHARE:
            return []
        self.slow_variant = True
        what = (f"computing a variant's reference answers takes {answers:.2f} s"
                if answers > cases else
                f"the references of a variant's function cases take {cases:.2f} s together")
        return [f"{self.path}: {what}, more than 1/{LIMIT_SHARE} of the {wall:g} s a student's "
                "function gets for all its cases (the default sandbox.time_limit); grading "
                "recomputes them for every student"]


def _timed_reference(fn: Any, case: Any) -> tuple[Any, float, str | None]:
    """(value, seconds, error text or None); stopped at the per-case limit where possible."""
    from grader.authoring.cases import reference_value

    start = time.perf_counter()
    try:
        with time_limit(fn.time_limit):
            value = reference_value(fn, case)
    except TooSlow:
        return None, max(time.perf_counter() - start, fn.time_limit), ""
    except Exception as exc:
        return None, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return value, time.perf_counter() - start, None


