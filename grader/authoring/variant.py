"""Variants: an exercise's parameters drawn from a seed, its reference answers and mistakes.

A variant is a pure function of (spec, rng): parameters are drawn in the order
written, using only `rng`; draws that break a `where:` constraint, or in which a
listed mistake coincides with the answer, are redrawn from the same stream, at
most `exercise.max_resample` times in all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from grader.core.errors import UserError, display_path
from grader.core.expr import ExprError, arrayify
from grader.core.model import Exercise, GradeContext, MistakeValue, PartSpec, Variant
from grader.core.values import to_plain
from grader.kinds import runs_code

__all__ = ["as_names", "draw_params", "evaluate_mistakes", "grade_context", "make_variant",
           "solve"]


def _solvers() -> Mapping[str, Callable[..., Any]]:
    from grader.solvers import SOLVERS

    return SOLVERS


def as_names(params: Mapping[str, Any]) -> dict[str, Any]:
    """Plain parameters as expressions use them: numeric (nested) lists become numpy arrays."""
    return {name: arrayify(value) for name, value in params.items()}


# ---------------------------------------------------------------- drawing


class _Draws:
    """Draws parameter sets meeting the constraints, sharing one budget of draws."""

    def __init__(self, exercise: Exercise, rng: np.random.Generator, given: Mapping[str, Any],
                 *, check_given: bool = True):
        unknown = [n for n in given if n not in exercise.params]
        if unknown:
            raise UserError(f"{_where(exercise)}: unknown parameter '{unknown[0]}'; the "
                            f"parameters are: {', '.join(exercise.params) or 'none'}")
        self.exercise, self.rng = exercise, rng
        self.given = {k: to_plain(v) for k, v in given.items()}
        self.random = any(n not in given for n in exercise.params)
        self.left = exercise.max_resample
        self.made = 0
        self.failures: Counter[tuple[str, ...]] = Counter()
        self.errors: dict[tuple[str, ...], str] = {}
        # A constraint over given and constant parameters only fails in every draw alike:
        # redrawing is futile, and the failure is the given parameters' (not "N draws").
        fixed = set(given) | {n for n, p in exercise.params.items() if p.generator == "const"}
        self.fixed = {i for i, c in enumerate(exercise.where)
                      if c.expr.names <= fixed and c.expr.names & set(given)}
        self.skip = set() if check_given else self.fixed

    def next(self) -> dict[str, Any] | None:
        """The next parameter set meeting every constraint; None when the budget is spent."""
        while self.left > 0:
            self.left -= 1
            self.made += 1
            params = self._draw_once()
            failed = self._failed(params)
            if not failed:
                return params
            if not self.random or self.fixed.intersection(failed):
                self.left = 0  # redrawing cannot change anything
        return None

    def reject(self, part: PartSpec, mistake: str) -> None:
        """Count a draw refused because a listed mistake equals the answer."""
        self.failures[("mistake", part.id, mistake)] += 1
        if not self.random:
            self.left = 0

    def _draw_once(self) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for name, spec in self.exercise.params.items():
            if name in self.given:
                env[name] = self.given[name]
                continue
            try:
                env[name] = to_plain(spec.instance.draw(self.rng, as_names(env),
                                                        functions=_solvers()))
            except (ValueError, TypeError) as exc:
                raise UserError(f"{_where(self.exercise)}: params.{name}: {exc}") from None
        return env

    def _failed(self, params: dict[str, Any]) -> list[int]:
        names = as_names(params)
        failed = []
        for i, constraint in enumerate(self.exercise.where):
            if i in self.skip:
                continue
            try:
                ok = bool(np.all(constraint.expr.evaluate(names, _solvers())))
            except (ExprError, ValueError, TypeError) as exc:
                ok = False
                self.errors[("where", str(i))] = str(exc)
            if not ok:
                failed.append(i)
                self.failures[("where", str(i))] += 1
        return failed

    def failure(self) -> UserError:
        """Why no variant could be drawn: the constraint or mistake that failed most often."""
        fixed = [k for k in self.failures if k[0] == "where" and int(k[1]) in self.fixed]
        key, count = (fixed[0], 1) if fixed else self.failures.most_common(1)[0]
        where = _where(self.exercise)
        if key[0] == "where":
            i = int(key[1])
            text = self.exercise.where[i].text
            what = f"where[{i}] '{text}'"
            error = f" (last error: {self.errors[key]})" if key in self.errors else ""
            if not self.random or i in self.fixed:
                return UserError(f"{where}: the given parameters do not satisfy {what}{error}")
            return UserError(f"{where}: could not satisfy {what} in {self.made} draws{error}")
        _, part_id, name = key
        if not self.random:
            return UserError(f"{where}: with the given parameters, mistake '{name}' of part "
                             f"'{part_id}' equals the answer")
        return UserError(f"{where}: mistake '{name}' of part '{part_id}' equals the answer in "
                         f"{count} of {self.made} draws; no variant drawn where every listed "
                         "mistake differs from the answer")


def _where(exercise: Exercise) -> str:
    return display_path(exercise.path)


def draw_params(exercise: Exercise, rng: np.random.Generator, *,
                given: Mapping[str, Any] | None = None,
                check_given: bool = True) -> dict[str, Any]:
    """Draw the parameters (skipping given ones) until every `where:` constraint holds.

    With check_given=False, constraints over given (and constant) parameters only are not
    applied: `grader solve` answers for whatever parameters the instructor asks about, even
    ones generation would avoid (e.g. where a listed mistake happens to equal the answer).
    """
    draws = _Draws(exercise, rng, given or {}, check_given=check_given)
    params = draws.next()
    if params is None:
        raise draws.failure()
    return params


# ---------------------------------------------------------------- answers and mistakes


def _kind(name: str) -> Any:
    from grader.kinds import KINDS

    return KINDS[name]


def solve(exercise: Exercise, params: Mapping[str, Any]) -> dict[str, Any]:
    """The reference answer of every typed part (function parts have none), as plain data."""
    names = as_names(params)
    answers: dict[str, Any] = {}
    for i, part in enumerate(exercise.parts):
        if runs_code(part):
            continue
        where = f"{_where(exercise)}: parts[{i}].solution ({part.id})"
        try:
            value = to_plain(part.solution.evaluate(names, _solvers()))
        except (ExprError, ValueError, TypeError) as exc:
            raise UserError(f"{where}: {exc}") from None
        try:
            answers[part.id] = _kind(part.kind).normalise_reference(value, part)
        except (ValueError, TypeError) as exc:
            raise UserError(f"{where}: {value!r} is not a valid {part.kind} answer: {exc}") \
                from None
    return answers


def evaluate_mistakes(exercise: Exercise, params: Mapping[str, Any]
                      ) -> dict[str, tuple[MistakeValue, ...]]:
    """Each part's listed mistakes evaluated for these parameters, as plain data.

    A mistake whose expression cannot be evaluated for this variant (a singular
    matrix, say) is left out: no answer can match it.
    """
    names = as_names(params)
    out: dict[str, tuple[MistakeValue, ...]] = {}
    for part in exercise.parts:
        values = []
        for mistake in part.mistakes:
            try:
                value = to_plain(mistake.answer.evaluate(names, _solvers()))
            except (ExprError, ValueError, TypeError):
                continue
            values.append(MistakeValue(name=mistake.name, value=value,
                                       feedback=mistake.feedback))
        out[part.id] = tuple(values)
    return out


def _coinciding(exercise: Exercise, answers: Mapping[str, Any],
                mistakes: Mapping[str, tuple[MistakeValue, ...]]) -> tuple[PartSpec, str] | None:
    """The first (part, mistake name) whose value does not differ from the answer."""
    for part in exercise.parts:
        if part.id not in answers:
            continue
        kind = _kind(part.kind)
        for mistake in mistakes.get(part.id, ()):
            try:
                value = kind.normalise_reference(mistake.value, part)
                same = not kind.differs(value, answers[part.id], part)
            except (ValueError, TypeError):
                continue  # not even this kind of value: it can never match an answer
            if same:
                return part, mistake.name
    return None


def make_variant(exercise: Exercise, rng: np.random.Generator, *,
                 given: Mapping[str, Any] | None = None) -> Variant:
    """Draw parameters, compute answers and mistakes, render the prompts: one variant."""
    from grader.core.markup import render_prompt

    draws = _Draws(exercise, rng, given or {})
    while True:
        params = draws.next()
        if params is None:
            raise draws.failure()
        answers = solve(exercise, params)
        mistakes = evaluate_mistakes(exercise, params)
        clash = _coinciding(exercise, answers, mistakes)
        if clash is None:
            break
        draws.reject(*clash)
    try:
        prompt = render_prompt(exercise.prompt, params)
        part_prompts = {p.id: render_prompt(p.prompt, params) if p.prompt else ""
                        for p in exercise.parts}
    except ValueError as exc:
        raise UserError(f"{_where(exercise)}: {exc}") from None
    return Variant(exercise_id=exercise.id, params=params, prompt=prompt,
                   part_prompts=part_prompts, answers=answers, mistakes=mistakes)


# ---------------------------------------------------------------- grading context


def grade_context(exercise: Exercise, part: PartSpec, params: Mapping[str, Any],
                  mistakes: tuple[MistakeValue, ...] | list[MistakeValue] = ()) -> GradeContext:
    """What the part's kind needs besides the answers: mistakes, and a sequence's step rule.

    `step(prev)` evaluates the part's `step` expression with `prev` bound to a
    (student's) previous step; it raises ValueError when that cannot be done.
    """
    names = as_names(params)
    start_expr = part.options.get("start") if part.kind == "sequence" else None
    step_expr = part.options.get("step") if part.kind == "sequence" else None
    start = None
    if start_expr is not None:
        try:
            start = to_plain(start_expr.evaluate(names, _solvers()))
        except (ExprError, ValueError, TypeError) as exc:
            raise UserError(f"{_where(exercise)}: part '{part.id}': start: {exc}") from None
    step = None
    if step_expr is not None:
        def step(prev: Any) -> Any:
            try:
                return to_plain(step_expr.evaluate({**names, "prev": arrayify(to_plain(prev))},
                                                   _solvers()))
            except (ExprError, ValueError, TypeError, ArithmeticError) as exc:
                raise ValueError(f"step: {exc}") from None
    return GradeContext(mistakes=tuple(mistakes), step=step, start=start)
